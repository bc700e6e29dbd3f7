"""Turn a chapter into a Jupyter notebook: prose as Markdown cells, runnable blocks as code.

    python -m site_hooks.notebook          # writes docs/notebooks/<part>/<chapter>.ipynb
    python -m site_hooks.notebook --check  # fails, naming them, if any is stale or missing

The notebook is the chapter as it runs on TensorFlow: blocks in page order (a continued
block simply follows the one it continues), blocks for JAX or PyTorch only and their tabs
left out, blocks the page does not run shown as Markdown with the reason, shown outputs
and figure images left out (running the notebook prints and draws them), admonitions and
the TensorFlow tab unwrapped, relative links pointed at the published site. A first code
cell installs the pinned Keras where it is missing (Colab). The notebooks are committed,
so that "Open in Colab" can open them from the repository; `make notebooks` writes them and
the tests fail while one is stale, and run each on a fresh kernel.
"""

from __future__ import annotations

import posixpath
import re
import sys
from pathlib import Path

from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from verifier.markdown import COMMENT, find_fences, parse_page, split_lines  # noqa: E402

if TYPE_CHECKING:  # nbformat is imported where a notebook is made: the site build needs only the paths
    import nbformat

DOCS = ROOT / "docs"
NOTEBOOKS = DOCS / "notebooks"
SITE_URL = "https://deep-learning-verified.github.io/book/"
REPOSITORY = "deep-learning-verified/book"
BACKEND = "tensorflow"
OTHER_TABS = {"JAX", "PyTorch"}
CONTAINER = re.compile(r'^(?P<indent> *)(?:(?:!!!|\?\?\?\+?) (?P<kind>\w+)(?: "(?P<title>[^"]*)")?|=== "(?P<tab>[^"]*)")\s*$')
FIGURE_IMAGE = re.compile(r"^\s*!\[[^\]]*\]\(figures/[^)]+\)\s*$")
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def chapters() -> list[Path]:
    """The chapters that have a Python block, in a stable order."""
    return sorted(p for p in DOCS.rglob("*.md") if NOTEBOOKS not in p.parents and _has_code(p))


def _has_code(path: Path) -> bool:
    return any(True for _ in parse_page(path))


def notebook_path(page: Path) -> Path:
    return NOTEBOOKS / page.relative_to(DOCS).with_suffix(".ipynb")


def page_url(page: Path) -> str:
    relative = page.relative_to(DOCS).with_suffix("")
    return SITE_URL + ("" if relative.name == "index" and relative.parent == Path(".") else f"{relative.as_posix()}/")


def keras_version() -> str:
    pins = (ROOT / "requirements" / "base.txt").read_text()
    return re.search(r"^keras==(\S+)$", pins, re.MULTILINE).group(1)


def notebook_for(page: Path) -> nbformat.NotebookNode:
    import nbformat

    text = page.read_text()
    lines = split_lines(text)
    cells = {cell.fence_line: cell for cell in parse_page(page, text)}
    fences = {fence.line: fence for fence in find_fences(page, lines)}
    dropped = _dropped_lines(lines, cells, fences)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                              "language_info": {"name": "python"}})
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), page.stem)
    notebook.cells.append(nbformat.v4.new_markdown_cell(
        f"# {title}\n\nThis notebook is the chapter [{title}]({page_url(page)}) of *Deep Learning, Verified*, "
        "generated from its page. Every block below ran on the page with TensorFlow, JAX and PyTorch; "
        "this notebook uses Keras's default backend, TensorFlow. Run the cells in order: outputs and "
        "figures appear as you go."))
    notebook.cells.append(nbformat.v4.new_code_cell(_install_cell()))
    prose: list[str] = []
    stack: list[int] = []  # indents of the admonitions and tabs the current line is inside
    chain_runs = True
    n = 1
    while n <= len(lines):
        line = lines[n - 1]
        if line.strip():
            while stack and len(line) - len(line.lstrip(" ")) <= stack[-1]:
                stack.pop()
        if n in cells:
            cell = cells[n]
            chain_runs = _runs(cell, chain_runs)
            end = fences[n].close_line
            if n not in dropped and chain_runs:
                _flush(notebook, prose)
                notebook.cells.append(nbformat.v4.new_code_cell(cell.code.rstrip("\n")))
            elif n not in dropped:  # shown, not run: keep it readable, with the page's reason
                reason = (cell.marks.get("skip") or ("",))[0] if "skip" in cell.marks else ""
                note = f"*Not run on the page{': ' + reason if reason else ''}.*"
                prose += ["", note, "", "```python", *cell.code.rstrip("\n").split("\n"), "```", ""]
            n = end + 1
            continue
        if n in dropped:
            n += 1
            continue
        header = CONTAINER.match(line)
        dedent = 4 * len(stack)
        if header:
            stack.append(len(header["indent"]))
            if header["tab"] is None:
                prose.append(f"**{header['title'] or header['kind'].capitalize()}**")
        else:
            prose.append(_absolute_links(line[dedent:] if line[:dedent].strip() == "" else line.lstrip(), page))
        n += 1
    _flush(notebook, prose)
    return notebook


def _runs(cell, chain_runs: bool) -> bool:
    """Whether a block runs on TensorFlow; a continued block runs with its chain."""
    if cell.cont:
        return chain_runs and "skip" not in cell.marks
    backends = cell.marks.get("backend")
    return "skip" not in cell.marks and (not backends or BACKEND in backends)


def _dropped_lines(lines: list[str], cells: dict, fences: dict) -> set[int]:
    """Lines the notebook leaves out: markers, shown outputs, figure images, other backends' tabs."""
    dropped = {n for n, line in enumerate(lines, 1) if COMMENT.match(line) or FIGURE_IMAGE.match(line)}
    dropped.add(next((n for n, line in enumerate(lines, 1) if line.startswith("# ")), 0))  # the title cell has it
    for cell in cells.values():
        for output in cell.outputs.values():
            dropped.update(range(output.open_line, output.close_line + 1))
    for n, line in enumerate(lines, 1):
        header = CONTAINER.match(line)
        if header and header["tab"] in OTHER_TABS:
            indent, end = len(header["indent"]), n
            while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
                end += 1
            dropped.update(range(n, end + 1))
    return dropped


def _absolute_links(line: str, page: Path) -> str:
    """Point a relative link at the published site, where the notebook's reader can follow it."""
    def absolute(match: re.Match) -> str:
        target = match["target"]
        if re.match(r"^[a-z]+:", target):
            return match.group(0)
        path, _, fragment = target.partition("#")
        if not path:
            return f"]({page_url(page)}#{fragment})"
        resolved = posixpath.normpath(posixpath.join(page.relative_to(DOCS).parent.as_posix(), path))
        url = page_url(DOCS / resolved) if resolved.endswith(".md") else SITE_URL + resolved
        return f"]({url}{'#' + fragment if fragment else ''})"
    return LINK.sub(absolute, line)


def _flush(notebook: nbformat.NotebookNode, prose: list[str]) -> None:
    import nbformat

    text = re.sub(r"\n{3,}", "\n\n", "\n".join(prose)).strip("\n")
    prose.clear()
    if text:
        notebook.cells.append(nbformat.v4.new_markdown_cell(text))


def _install_cell() -> str:
    version = keras_version()
    return (
        "# The Keras this book was verified with, installed where another version is found (Colab).\n"
        "import importlib.metadata\n"
        "import subprocess\n"
        "import sys\n\n"
        "try:\n"
        "    installed = importlib.metadata.version(\"keras\")\n"
        "except importlib.metadata.PackageNotFoundError:\n"
        "    installed = None\n"
        f"if installed != \"{version}\":\n"
        f"    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\", \"keras=={version}\"], check=True)"
    )


def serialise(notebook: nbformat.NotebookNode) -> str:
    """The notebook as written to disk: stable ids, so that regenerating an unchanged page changes nothing."""
    import nbformat

    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"
    return nbformat.writes(notebook) + "\n"


def expected_notebooks() -> dict[Path, str]:
    """Each chapter's notebook file, with the content a fresh conversion of the chapter gives it."""
    return {notebook_path(page): serialise(notebook_for(page)) for page in chapters()}


def orphans(expected: dict[Path, str]) -> list[Path]:
    """Notebooks whose chapter is gone or has no code any more."""
    return sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if p not in expected) if NOTEBOOKS.is_dir() else []


def stale() -> list[Path]:
    """Notebooks that are missing, differ from a fresh conversion of their chapter, or are orphans."""
    expected = expected_notebooks()
    return [target for target, content in expected.items()
            if not target.is_file() or target.read_text() != content] + orphans(expected)


def main(argv: list[str]) -> int:
    if "--check" in argv:
        out_of_date = stale()
        for path in out_of_date:
            print(f"{path.relative_to(ROOT)}: stale, missing or without a chapter (run `make notebooks`)")
        return 1 if out_of_date else 0
    expected = expected_notebooks()
    for target, content in expected.items():
        if not target.is_file() or target.read_text() != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            print(f"wrote {target.relative_to(ROOT)}")
    for orphan in orphans(expected):
        orphan.unlink()
        print(f"removed {orphan.relative_to(ROOT)} (its chapter has no code any more)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
