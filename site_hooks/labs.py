"""The labs (docs/labs/*.ipynb): hand-written notebooks, shown with their stored outputs.

    python -m site_hooks.labs [name ...]   # re-executes the labs on a fresh kernel and stores the outputs

MkDocs renders each lab with mkdocs-jupyter from its stored outputs and never executes it;
`tests/test_labs.py` re-executes every lab on a fresh kernel (TensorFlow, site_hooks/notebook_kernel.py) and compares its
key outputs with the stored ones. A code cell declares them in its metadata:

    "lab": {"compare": "exact"}                 what it prints, exactly (shapes, parameter counts)
    "lab": {"compare": {"abs": 0.02, "counts": 4}}   numbers from training, within a tolerance
    "lab": {"alt": ["...", ...]}                the alt text of each image it draws, in order

Text around the numbers must match in both cases (verifier/compare.py, as for the pages).
A stored lab may hold no error and nothing written to stderr (which TensorFlow's warnings
would be), and every image must have its alt text: `problems_in_stored` says what is wrong,
and the site build fails on it (`page_html`; this module is also a MkDocs hook).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from verifier.compare import differences  # noqa: E402
from verifier.markers import Tolerance  # noqa: E402
from site_hooks.notebook_kernel import execute  # noqa: E402, F401 (the labs run through it)

LABS = ROOT / "docs" / "labs"


def labs() -> list[Path]:
    return sorted(LABS.glob("*.ipynb"))


def read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def images(cell) -> int:
    return sum("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
               for o in cell.get("outputs", []))


def tolerance(cell) -> Tolerance | None | str:
    """None: the cell is not compared; "exact"; or the Tolerance of its numbers."""
    compare = cell.get("metadata", {}).get("lab", {}).get("compare")
    if compare is None or compare == "exact":
        return compare
    return Tolerance(**compare)


def code_cells(notebook) -> list:
    return [c for c in notebook.cells if c.cell_type == "code"]


def problems_in_stored(notebook) -> list[str]:
    """What a stored lab must not hold: unrun cells, errors, stderr, images without alt text."""
    problems = []
    for number, cell in enumerate(code_cells(notebook), start=1):
        if cell.get("execution_count") is None and cell.source.strip():
            problems.append(f"code cell {number} has not been run")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"code cell {number} stored an error: {output.get('ename')}")
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                problems.append(f"code cell {number} wrote to stderr: {output.get('text', '')[:200]!r}")
        alts = cell.get("metadata", {}).get("lab", {}).get("alt", [])
        if images(cell) != len(alts):
            problems.append(f"code cell {number} draws {images(cell)} images and gives {len(alts)} alt texts")
        try:
            tolerance(cell)
        except TypeError as error:
            problems.append(f"code cell {number}: bad compare metadata: {error}")
    return problems


def compare(stored, fresh) -> list[str]:
    """Why the fresh run of a lab does not match its stored outputs; empty when it does."""
    problems = []
    stored_cells, fresh_cells = code_cells(stored), code_cells(fresh)
    if [c.source for c in stored_cells] != [c.source for c in fresh_cells]:
        return ["the code cells of the two notebooks differ"]
    for number, (old, new) in enumerate(zip(stored_cells, fresh_cells), start=1):
        last_line = old.source.strip().splitlines()[-1][:60] if old.source.strip() else ""
        where = f"code cell {number} ({last_line!r})"
        if images(new) != images(old):
            problems.append(f"{where}: draws {images(new)} images, {images(old)} stored")
        wanted = tolerance(old)
        if wanted is None:
            continue
        for line in differences(printed(old), printed(new), None if wanted == "exact" else wanted):
            problems.append(f"{where}: {line}\n  stored: {printed(old).strip()!r}\n  now:    {printed(new).strip()!r}")
    return problems


# --- the rendered page -----------------------------------------------------------------------------

# What mkdocs-jupyter's template puts into the page that the site must not load or run: MathJax
# (from a CDN by default; the labs' Markdown carries no TeX), Mermaid (imported from a CDN when a
# diagram exists) and its copy button's script (Material's own copy button is not used by labs).
UNWANTED = [
    re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL),
    # Pygments' own colours (twice, once as a list's repr): the code takes Material's colours
    # instead, which meet axe's contrast rule in both schemes, as on the chapters.
    re.compile(r"""<style[^>]*>\s*\[?'?pre \{ line-height: 125%; \}.*?</style>""", re.DOTALL),
    re.compile(r"<style>\s*\.jp-Mermaid.*?</style>", re.DOTALL),
    re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) => \{\s*'
               r'const diagrams = document\.querySelectorAll\("\.jp-Mermaid.*?</script>', re.DOTALL),
]
# nbconvert gives every image this placeholder; an image without any alt would be as bad.
IMAGE = re.compile(r'<img alt="No description has been provided for this image"|<img\b(?![^>]*\balt=)')


def on_page_content(html, page, config, files):
    """MkDocs hook: a lab's page (a notebook rendered by mkdocs-jupyter) is cleaned up by `page_html`."""
    return page_html(html, page) if is_lab(page) else html


STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL)


def on_post_page(output, page, config):
    """MkDocs hook: a lab's page keeps only the rules of mkdocs-jupyter's stylesheets (JupyterLab's,
    574 KB in every lab's page) that could match an element of it (site_hooks/unused_css.py)."""
    if not is_lab(page):
        return output
    from site_hooks.unused_css import without_unused_rules

    return STYLE.sub(lambda m: m.group(1) + without_unused_rules(m.group(2), output) + m.group(3), output)


def is_lab(page) -> bool:
    return page.file.src_uri.startswith("labs/") and page.file.src_uri.endswith(".ipynb")


def page_html(html: str, page) -> str:
    """A lab's rendered page: the unwanted scripts out, the alt texts in, and a stored lab that
    holds an error, stderr or an image without alt text refused."""
    from mkdocs.exceptions import PluginError

    notebook = read(Path(page.file.abs_src_path))
    problems = problems_in_stored(notebook)
    if problems:
        raise PluginError(f"{page.file.src_uri}: " + "; ".join(problems) + " (run `make labs`)")
    for pattern in UNWANTED:
        html = pattern.sub("", html)
    link = (f'<p class="dlv-notebook" data-search-exclude><a href="{Path(page.file.src_uri).name}" download>'
            "Download this lab as a notebook</a> <small>(with the outputs shown here)</small></p>")
    html = re.sub(r"(</h1>)", lambda m: m.group(1) + link, html, count=1)
    # Material's code colours, and a code cell that scrolls sideways reachable by keyboard (axe).
    html = re.sub(r'<div class="highlight-ipynb ([^"]*)"><pre>', r'<div class="highlight-ipynb highlight \1"><pre tabindex="0">', html)
    alts = iter([text for cell in code_cells(notebook) for text in cell.metadata.get("lab", {}).get("alt", [])])
    html = IMAGE.sub(lambda m: f'<img alt="{_attribute(next(alts))}"', html)
    if "cdnjs" in html or "cdn.jsdelivr" in html:
        raise PluginError(f"{page.file.src_uri}: the rendered lab still names a CDN (site_hooks/labs.py)")
    return html


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def main(names: list[str]) -> int:
    import tempfile

    import nbformat

    chosen = [p for p in labs() if not names or p.stem in names]
    if not chosen:
        print(f"no lab named {' '.join(names)} in {LABS.relative_to(ROOT)}", file=sys.stderr)
        return 2
    failed = 0
    for path in chosen:
        notebook = read(path)
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as workdir:
            execute(notebook, Path(workdir))
        problems = problems_in_stored(notebook)
        seconds = time.perf_counter() - started
        if problems:
            failed += 1
            print(f"{path.relative_to(ROOT)}: NOT written, {'; '.join(problems)}", file=sys.stderr)
            continue
        path.write_text(nbformat.writes(notebook) + "\n")
        print(f"{path.relative_to(ROOT)}: outputs stored ({seconds:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
