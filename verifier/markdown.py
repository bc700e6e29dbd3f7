"""Find the Python blocks of a Markdown page, with their markers and shown outputs.

The authoring format is pytest-codeblocks': plain fences plus HTML-comment markers
on the lines just above a fence. This scanner reads it the way Material renders it
(fences indented inside admonitions and content tabs, info strings with attributes,
backtick and tilde fences, SuperFences' closing rule) and refuses, with the file and
line, anything that would otherwise show a reader code or output that nobody runs.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from .markers import BACKEND_TABS, BACKENDS, Figure, Tolerance, figure_file, parse_marker

# Info-string languages that are run as Python.
PYTHON_LANGS = {"python", "py", "python3", "py3"}
# Tracebacks: allowed as a shown output, like text.
TRACEBACK_LANGS = {"pytb", "py3tb", "py2tb"}
# Fences that may show a block's output: with the expected-output marker they are
# checked; without it, right after a Python block, they are refused.
OUTPUT_LANGS = {"", "text", "txt", "output", "plain", "plaintext", "console", "shell-session", "log",
                "json", "csv", "stdout", "stderr"} | TRACEBACK_LANGS


def _refused_python_langs() -> set[str]:
    """Every other name of a lexer that highlights Python: sessions, Python 2, NumPy, Cython, templates...

    Read from every installed Pygments lexer, plugins (IPython's) included.
    """
    names = {"pycon", "python-console", "ipython", "ipython3", "ipythonconsole", "ipython3console",
             "python-repl", "pyi", "python2", "py2", "numpy", "sage", "cython", "pyx", "pyrex", "bazel", "starlark"}
    try:
        from pygments.lexers import get_all_lexers

        for name, aliases, _, _ in get_all_lexers(plugins=True):
            if any(word in name.lower() for word in ("python", "cython", "numpy", "sage", "starlark")):
                names.update(a.lower() for a in aliases)
    except ImportError:  # pragma: no cover - pytest itself depends on Pygments
        pass
    return names - PYTHON_LANGS - TRACEBACK_LANGS


REFUSED_PYTHON_LANGS = _refused_python_langs()

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
try:  # what SuperFences itself accepts as the opening line of a fence
    from pymdownx.superfences import RE_NESTED_FENCE_START
except ImportError:  # pragma: no cover - pymdown-extensions is pinned in requirements/base.txt
    RE_NESTED_FENCE_START = None
QUOTED_FENCE = re.compile(r"^[ \t]*>[ \t>]*(`{3,}|~{3,})")
COMMENT = re.compile(r"^\s*<!--(?P<body>.*?)-->\s*$")
# Seeding the seed runs cannot reach (state.py shifts keras.utils.set_random_seed and np.random.default_rng).
UNSHIFTED_SEEDING = re.compile(r"\b(?:RandomState|PCG64|PCG64DXSM|MT19937|Philox|SFC64|SeedSequence)\s*\(|"
                               r"\bnp\.random\.seed\s*\(|\brandom\.seed\s*\(|\btorch\.manual_seed\s*\(|"
                               r"\btf\.random\.set_seed\s*\(|\bjax\.random\.(?:PRNGKey|key)\s*\(\s*\d")
LOOKS_LIKE_IMPORT = re.compile(r"^\s*(import \w|from [\w.]+ import )")
SNIPPET_INCLUDE = re.compile(r"^\s*;*-+8<-+")  # pymdownx.snippets accepts any number of dashes
TAB = re.compile(r'^(?P<indent>[ \t]*)===\+?[ \t]+"(?P<title>[^"]*)"')
IMAGE = re.compile(r"!\[[^\]]*\]\((?P<src>[^)\s]+)"  # ![alt](figures/x.svg)
                   r"|<img\b[^>]*\bsrc=[\"']?(?P<html>[^\"'\s>]+)"  # <img src=...>, quoted or not
                   r"|^\s{0,3}\[[^\]]+\]:\s*<?(?P<ref>[^>\s]+)")  # [label]: figures/x.svg


class MarkdownError(Exception):
    """A page the verifier refuses to run, pointing at the offending line."""

    def __init__(self, path: Path | str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class Output:
    """A fenced block that shows a Python block's printed output."""

    text: str
    open_line: int  # line of the opening fence
    close_line: int  # line of the closing fence
    indent: str


@dataclass
class Cell:
    """One Python fence as the reader sees it."""

    path: Path
    fence_line: int  # line of the opening fence (1-based)
    code: str  # dedented source
    indent: str
    info: str
    cont: bool = False
    marks: dict[str, tuple] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    # What the block prints: under "*" when every backend must print it, else per backend.
    outputs: dict[str, Output] = field(default_factory=dict)
    tolerance: Tolerance | None = None

    @property
    def code_line(self) -> int:
        """Line of the first line of code."""
        return self.fence_line + 1

    @property
    def where(self) -> str:
        return f"{self.path}:{self.fence_line}"

    def output_for(self, backend: str) -> Output | None:
        return self.outputs.get("*") or self.outputs.get(backend)


@dataclass
class Fence:
    line: int
    indent: str
    info: str
    lang: str
    body: list[str]
    close_line: int


def fence_language(info: str) -> str:
    """The language of an info string: `python title="a.py"`, `{.python hl_lines="1"}`, `py`."""
    info = info.strip()
    if not info:
        return ""
    if info.startswith("{"):
        m = re.search(r"\.([\w+-]+)", info)
        return m.group(1).lower() if m else ""
    return re.split(r"[\s{]", info, maxsplit=1)[0].lstrip(".").lower()


def _is_closing(line: str, indent: str, mark: str) -> bool:
    """SuperFences' rule: the same fence (character and length) at the same indentation."""
    return line.startswith(indent) and line[len(indent):].rstrip(" \t") == mark


def _opens_fence(m: re.Match) -> bool:
    """Does SuperFences open a fence on this line?"""
    if RE_NESTED_FENCE_START is None:
        return not (m["fence"][0] == "`" and "`" in m["info"])
    start = RE_NESTED_FENCE_START.match(m["fence"] + m["info"])
    return bool(start) and not start.group("unrecognized")


def split_lines(text: str) -> list[str]:
    """Lines as Python-Markdown sees them: split on line feeds only (not on \\x85 or U+2028)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def read_page(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise MarkdownError(path, line, f"the page is not valid UTF-8 ({error.reason} at byte {error.start})") from None


def find_fences(path: Path, lines: list[str]) -> list[Fence]:
    """All fences of a page, in order; an unterminated fence is an error."""
    fences, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not _opens_fence(m):
            i += 1
            continue
        indent, mark, info = m["indent"], m["fence"], m["info"]
        start, body = i, []
        i += 1
        while True:
            if i >= len(lines):
                raise MarkdownError(
                    path, start + 1, f"unterminated code fence `{mark}{info.strip()}`: no closing `{mark}` "
                    f"at the same indentation ({len(indent)} spaces) before the end of the file"
                )
            line = lines[i]
            if _is_closing(line, indent, mark):
                break
            if line.strip() and not line.startswith(indent):
                raise MarkdownError(
                    path, i + 1, f"this line is less indented than the fence it belongs to (line {start + 1}); "
                    "Material would not show the fence as code"
                )
            body.append(line[len(indent):] if line.strip() else "")
            i += 1
        fences.append(Fence(start + 1, indent, info.strip(), fence_language(info), body, i + 1))
        i += 1
    return fences


@dataclass
class _Scan:
    """Where the scan stands: what came last, so that outputs and `cont` find their block."""

    cells: list[Cell] = field(default_factory=list)
    pending: list[tuple[int, str, tuple]] = field(default_factory=list)  # markers waiting for their fence
    last_fence: str | None = None  # "python", "output" or "other"
    after_python: str | None = None  # "adjacent" or "lead-in" while an output may still follow a block
    lead_in: list[str] = field(default_factory=list)  # prose lines since the last Python block
    lead_in_closed: bool = False  # a blank line ended that paragraph
    chain_skipped: bool = False  # the chain the last cell belongs to is not run


def parse_page(path: Path | str, text: str | None = None) -> list[Cell]:
    """The Python cells of a page; raises MarkdownError for anything it will not run.

    The same text of the same page is parsed once per process: a site build asks for each
    page's cells from several hooks (stamps, anchors, corrections, page hash)."""
    path = Path(path)
    return list(_parse_text(path, read_page(path) if text is None else text))


@functools.lru_cache(maxsize=256)
def _parse_text(path: Path, text: str) -> tuple[Cell, ...]:
    lines = split_lines(text)
    fences = find_fences(path, lines)
    by_line = {f.line: f for f in fences}
    scan = _Scan()
    n = 0
    while n < len(lines):
        lineno, line = n + 1, lines[n]
        if lineno in by_line:
            n = _take_fence(path, scan, by_line[lineno], by_line, lines)
            continue
        if QUOTED_FENCE.match(line):
            raise MarkdownError(path, lineno, "a code fence inside a block quote is not run: "
                                "use an admonition (!!! note) for a block set apart")
        if SNIPPET_INCLUDE.match(line):
            raise MarkdownError(path, lineno, "snippet includes (--8<--) are not verified: "
                                "write the content on the page so that its blocks are run")
        m = COMMENT.match(line)
        marker = parse_marker(path, lineno, m["body"]) if m else None
        if marker:
            scan.pending.append((lineno, *marker))
            n += 1
            continue
        tab = TAB.match(line)
        if tab and any(name == "expected-output" for _, name, _ in scan.pending):
            n = _take_backend_outputs(path, scan, lines, n, by_line)
            continue
        if line.strip():
            if scan.pending:
                raise MarkdownError(path, scan.pending[0][0], f"marker `{scan.pending[0][1]}` is not directly "
                                    "followed by a code fence")
            if "<!--" in line and "pytest" in line:
                raise MarkdownError(path, lineno, "a marker must be alone on its line: <!--pytest...-->")
            if scan.after_python and not scan.lead_in_closed and scan.last_fence == "python":
                scan.lead_in.append(line.strip())
                scan.after_python = "lead-in"
            else:
                scan.after_python = None  # a second paragraph: what follows is no longer next to the block
        elif scan.lead_in:
            scan.lead_in_closed = True
        n += 1
    if scan.pending:
        raise MarkdownError(path, scan.pending[0][0], f"marker `{scan.pending[0][1]}` is not followed by a code fence")
    _check_figures_shown(path, lines, scan.cells)
    return tuple(scan.cells)


def _take_fence(path: Path, scan: _Scan, f: Fence, by_line: dict[int, Fence], lines: list[str]) -> int:
    """Handle one fence and the markers above it; returns the index of the line after it."""
    names = [p[1] for p in scan.pending]
    if f.lang in REFUSED_PYTHON_LANGS:
        raise MarkdownError(path, f.line, f"`{f.lang}` fences are highlighted as Python but not run: write a "
                            "`python` fence (and show what it prints in an expected-output block)")
    if f.lang in PYTHON_LANGS:
        _take_python(path, scan, f)
    elif "expected-output" in names:
        _take_output(path, scan, f, "*")
    else:
        if scan.pending:
            raise MarkdownError(path, scan.pending[0][0], f"marker `{scan.pending[0][1]}` precedes a "
                                f"`{f.lang or 'plain'}` fence; markers apply to Python blocks and their outputs")
        lead_in = scan.after_python == "lead-in" and scan.lead_in and scan.lead_in[-1].endswith(":")
        if scan.after_python == "adjacent" or lead_in:
            where = "introduced by a sentence ending with a colon after" if lead_in else "right after"
            raise MarkdownError(path, f.line, f"this `{f.lang or 'plain'}` fence stands {where} the Python block "
                                f"at line {scan.cells[-1].fence_line} (or its output), so it reads as its output, "
                                "but it has no <!--pytest-codeblocks:expected-output--> marker: nobody would "
                                "check it. If it is something else, say so in a sentence that introduces it")
        if any(LOOKS_LIKE_IMPORT.match(b) for b in f.body):
            raise MarkdownError(path, f.line, "this fence looks like Python (it imports) but is not labelled "
                                "`python`: label it so it runs (with pytest.mark.skip(reason=...) above it if it "
                                "must not run)")
        scan.last_fence, scan.after_python = "other", None
    for offset, body_line in enumerate(f.body, start=1):
        if SNIPPET_INCLUDE.match(body_line) and f.lang in PYTHON_LANGS:
            raise MarkdownError(path, f.line + offset, "snippet includes (--8<--) are not verified: "
                                "write the code in the block")
    scan.pending, scan.lead_in, scan.lead_in_closed = [], [], False
    return f.close_line


def _take_python(path: Path, scan: _Scan, f: Fence) -> None:
    if "expected-output" in (p[1] for p in scan.pending):
        line = next(p[0] for p in scan.pending if p[1] == "expected-output")
        raise MarkdownError(path, line, "expected-output marks the output fence after a Python block, not a Python fence")
    cell = Cell(path, f.line, "\n".join(f.body) + ("\n" if f.body else ""), f.indent, f.info)
    for mline, name, args in scan.pending:
        if name == "cont":
            if scan.last_fence not in ("python", "output") or not scan.cells:
                raise MarkdownError(path, mline, "cont continues the Python block above it, "
                                    "but the previous fence is not a Python block or its output")
            cell.cont = True
        elif name == "figure":
            if any(figure.path == args.path for figure in cell.figures):
                raise MarkdownError(path, mline, f"figure {args[0]!r} is marked twice on this block")
            cell.figures.append(args)
        elif name == "tolerance":
            raise MarkdownError(path, mline, "tolerance belongs above the output fence, next to expected-output")
        elif name in cell.marks:
            raise MarkdownError(path, mline, f"marker `{name}` is given twice on this block: "
                                "one would silently overwrite the other")
        else:
            cell.marks[name] = args
    if "correction" in cell.marks and ("skip" in cell.marks or (cell.cont and scan.chain_skipped)):
        raise MarkdownError(path, f.line, "a correction must be proved by a block that runs; this one is not run")
    if cell.figures and ("skip" in cell.marks or (cell.cont and scan.chain_skipped)):
        raise MarkdownError(path, f.line, "this block is not run, so the figure it is marked to draw would never "
                            "be drawn or compared")
    if cell.cont:
        if "skip" in cell.marks and not scan.chain_skipped:
            raise MarkdownError(path, f.line, "a continued block cannot be skipped alone")
        if scan.chain_skipped and "skip" not in cell.marks:
            raise MarkdownError(path, f.line, "this block continues a block that is not run, so it is not run "
                                "either: mark it skip(reason=...) too, or start a new chain")
        for name in ("backend", "fresh_process"):
            if name in cell.marks:
                raise MarkdownError(path, f.line, "a continued block runs with the block above it: "
                                    f"mark the first block of the chain with {name}(...)")
    else:
        scan.chain_skipped = "skip" in cell.marks
    scan.cells.append(cell)
    scan.last_fence, scan.after_python = "python", "adjacent"
    if any(figure.per_backend for figure in cell.figures) and len(_chain_backends(scan)) < len(BACKENDS):
        raise MarkdownError(path, f.line, "a figure kept per backend needs a block that runs on every backend")
    for offset, code_line in enumerate(f.body, start=1):
        seeding = UNSHIFTED_SEEDING.search(code_line)
        if seeding:
            raise MarkdownError(path, f.line + offset, f"`{seeding.group(0)}` is seeded where the verifier's seed "
                                "runs cannot shift it, so claims about its draws are checked for one seed only: "
                                "draw from np.random.default_rng(N) and seed Keras with keras.utils.set_random_seed(N)")


def _take_output(path: Path, scan: _Scan, f: Fence, backend: str) -> None:
    names = [p[1] for p in scan.pending]
    where = scan.pending[names.index("expected-output")][0] if "expected-output" in names else f.line
    if scan.last_fence != "python" or not scan.after_python:
        raise MarkdownError(path, f.line, "expected-output must follow a Python block: right after it, or "
                            "after one lead-in sentence ending with a colon")
    if scan.after_python == "lead-in" and not scan.lead_in[-1].endswith(":"):
        raise MarkdownError(path, f.line, "expected-output must follow a Python block: right after it, or "
                            "after one lead-in sentence ending with a colon")
    if f.lang in PYTHON_LANGS or f.lang not in OUTPUT_LANGS:
        raise MarkdownError(path, f.line, f"an output fence is text, not `{f.lang}`: "
                            f"use one of {', '.join(sorted(x for x in OUTPUT_LANGS if x))}")
    cell = scan.cells[-1]
    if scan.chain_skipped:
        raise MarkdownError(path, f.line, "this output belongs to a block that is not run (itself or the "
                            "block its chain starts with is skipped): nobody would check it")
    for mline, name, args in scan.pending:
        if name == "tolerance":
            if cell.tolerance is not None:
                raise MarkdownError(path, mline, "marker `tolerance` is given twice for this output")
            cell.tolerance = args[0]
        elif name != "expected-output":
            raise MarkdownError(path, mline, "an output fence takes no marker other than expected-output "
                                "and tolerance(...)")
    if backend in cell.outputs:
        raise MarkdownError(path, where, "this block already has an output fence")
    body = "\n".join(f.body) + ("\n" if f.body else "")
    cell.outputs[backend] = Output(body, f.line, f.close_line, f.indent)
    if backend == "*":
        scan.last_fence, scan.after_python = "output", "adjacent"


def _take_backend_outputs(path: Path, scan: _Scan, lines: list[str], n: int, by_line: dict[int, Fence]) -> int:
    """An output shown per backend, in content tabs titled TensorFlow, JAX and PyTorch."""
    first = TAB.match(lines[n])
    indent, start = first["indent"], n + 1
    pending = scan.pending
    seen: list[str] = []
    while n < len(lines):
        tab = TAB.match(lines[n])
        if not tab or tab["indent"] != indent:
            break
        backend = BACKEND_TABS.get(tab["title"])
        runs_on = _chain_backends(scan)
        if backend is not None and backend not in runs_on:
            raise MarkdownError(path, n + 1, f'the block runs only on {", ".join(runs_on)}: a "{tab["title"]}" tab '
                                "would never be compared")
        if backend is None:
            raise MarkdownError(path, n + 1, f'an output per backend has one tab for each of '
                                f'{", ".join(BACKEND_TABS)}; not "{tab["title"]}"')
        if backend in seen:
            raise MarkdownError(path, n + 1, f'the tab "{tab["title"]}" is given twice')
        n += 1
        while n < len(lines) and not lines[n].strip():
            n += 1
        fence = by_line.get(n + 1)
        if fence is None or len(fence.indent) <= len(indent):
            raise MarkdownError(path, n + 1, f'the tab "{tab["title"]}" must hold one output fence')
        scan.pending = pending
        _take_output(path, scan, fence, backend)
        pending = [p for p in pending if p[1] != "tolerance"]  # one tolerance for the whole tab group
        seen.append(backend)
        n = fence.close_line
        while n < len(lines) and not lines[n].strip():
            n += 1
    missing = [title for title, b in BACKEND_TABS.items() if b not in seen and b in _chain_backends(scan)]
    if missing:
        raise MarkdownError(path, start, f"an output per backend needs a tab for every backend; missing: "
                            f"{', '.join(missing)}")
    scan.pending, scan.lead_in = [], []
    scan.last_fence, scan.after_python = "output", "adjacent"
    return n


def _chain_backends(scan: _Scan) -> tuple[str, ...]:
    """The backends the chain of the last cell runs on."""
    head = next(c for c in reversed(scan.cells) if not c.cont)
    return head.marks.get("backend", BACKENDS)


def _check_figures_shown(path: Path, lines: list[str], cells: list[Cell]) -> None:
    """Every image from a `figures/` folder on the page is drawn by a block of the page."""
    drawn = {figure_file(figure.path, backend, figure.per_backend) for cell in cells for figure in cell.figures
             for backend in BACKENDS}
    fences = {n for f in find_fences(path, lines) for n in range(f.line, f.close_line + 1)}
    for number, line in enumerate(lines, start=1):
        if number in fences:
            continue
        for m in IMAGE.finditer(line):
            src = (m["src"] or m["html"] or m["ref"]).split("#")[0]
            if "figures/" in src and "://" not in src and src not in drawn:
                raise MarkdownError(path, number, f"the image {src} is drawn by no block on this page: mark "
                                    f'the block that draws it <!--pytest.mark.figure("{src}")-->')


def count_python_fences(text: str) -> int:
    """The fences of a page that Material highlights as Python (for the stamps)."""
    lines = split_lines(text)
    return sum(f.lang in PYTHON_LANGS for f in find_fences(Path("page.md"), lines))
