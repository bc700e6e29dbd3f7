"""Find the Python blocks of a Markdown page, with their markers and shown outputs.

The authoring format is pytest-codeblocks': plain fences plus HTML-comment markers
on the lines just above a fence. This scanner reads it the way Material renders it
(fences indented inside admonitions and content tabs, info strings with attributes,
backtick and tilde fences) and refuses, with the file and line, anything that would
otherwise show a reader code or output that nobody runs.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

# Info-string languages that Material highlights as Python.
PYTHON_LANGS = {"python", "py", "python3", "py3"}
# Python-looking languages we do not run: say so rather than skip them.
UNSUPPORTED_PYTHON_LANGS = {"pycon", "ipython", "ipython3", "python-repl", "pyi"}
# Fences that show a block's output.
OUTPUT_LANGS = {"", "text", "txt", "output", "console", "plain", "plaintext"}
BACKENDS = ("tensorflow", "jax", "torch")

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
COMMENT = re.compile(r"^\s*<!--(?P<body>.*?)-->\s*$")
LOOKS_LIKE_IMPORT = re.compile(r"^\s*(import \w|from [\w.]+ import )")


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
    output: Output | None = None

    @property
    def code_line(self) -> int:
        """Line of the first line of code."""
        return self.fence_line + 1

    @property
    def where(self) -> str:
        return f"{self.path}:{self.fence_line}"


@dataclass
class _Fence:
    line: int
    indent: str
    info: str
    lang: str
    body: list[str]
    close_line: int


def fence_language(info: str) -> str:
    """The language of an info string: `python title="a.py"`, `{.py hl_lines="1"}`, `py`."""
    info = info.strip()
    if not info:
        return ""
    if info.startswith("{"):
        m = re.search(r"\.([\w+-]+)", info)
        return m.group(1).lower() if m else ""
    return re.split(r"[\s{]", info, maxsplit=1)[0].lstrip(".").lower()


def _fences(path: Path, lines: list[str]) -> list[_Fence]:
    """All fences of a page, in order; an unterminated fence is an error."""
    fences, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or (m["fence"][0] == "`" and "`" in m["info"]):
            i += 1
            continue
        indent, mark, info = m["indent"], m["fence"], m["info"]
        start, body = i, []
        i += 1
        while True:
            if i >= len(lines):
                raise MarkdownError(
                    path, start + 1, f"unterminated code fence `{mark}{info.strip()}`: "
                    f"no closing `{mark}` before the end of the file"
                )
            stripped = lines[i].lstrip()
            if stripped.startswith(mark[0] * len(mark)) and not stripped.strip(mark[0]).strip():
                break
            line = lines[i]
            cut = min(len(indent), len(line) - len(line.lstrip()))
            body.append(line[cut:])
            i += 1
        fences.append(_Fence(start + 1, indent, info.strip(), fence_language(info), body, i + 1))
        i += 1
    return fences


def _parse_marker(path: Path, line: int, body: str) -> tuple[str, tuple] | None:
    """A marker comment as (name, args); None for an ordinary comment."""
    text = body.strip().strip("-").strip()
    if not text.lower().startswith("pytest"):
        return None
    if text.startswith("pytest-codeblocks:"):
        keyword = text.split(":", 1)[1].strip()
        if keyword in ("cont", "expected-output"):
            return keyword, ()
        hints = {
            "skip": 'write <!--pytest.mark.skip(reason="why it is not run")-->',
            "skipfile": "every page is verified; mark single blocks with pytest.mark.skip(reason=...)",
            "expect-exception": "show the exception inside the block (try/except and print it)",
            "expect-error": "show the exception inside the block (try/except and print it)",
        }
        hint = next((h for k, h in hints.items() if keyword.startswith(k)), None)
        hint = hint or "known: cont, expected-output"
        raise MarkdownError(path, line, f"unknown marker `{text}`: {hint}")
    try:
        call = ast.parse(text, mode="eval").body
    except SyntaxError:
        call = None
    is_mark = (
        isinstance(call, (ast.Call, ast.Attribute))
        and ast.unparse(call.func if isinstance(call, ast.Call) else call).startswith("pytest.mark.")
    )
    if not is_mark:
        raise MarkdownError(
            path, line, f"unknown marker `{text}`: markers are pytest-codeblocks:cont, "
            "pytest-codeblocks:expected-output or pytest.mark.skip/timeout/backend/figure(...)"
        )
    func = call.func if isinstance(call, ast.Call) else call
    name = ast.unparse(func).removeprefix("pytest.mark.")
    try:
        args = tuple(ast.literal_eval(a) for a in call.args) if isinstance(call, ast.Call) else ()
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords} if isinstance(call, ast.Call) else {}
    except ValueError:
        raise MarkdownError(path, line, f"marker `{text}`: arguments must be literals") from None
    if name == "skip":
        reason = kwargs.get("reason") or (args[0] if args else "")
        if not str(reason).strip():
            raise MarkdownError(path, line, 'a block that is not run needs a reason: pytest.mark.skip(reason="...")')
        return "skip", (str(reason),)
    if name == "timeout":
        if len(args) != 1 or not isinstance(args[0], (int, float)) or args[0] <= 0:
            raise MarkdownError(path, line, "pytest.mark.timeout takes one number of seconds, e.g. timeout(60)")
        return "timeout", args
    if name == "backend":
        bad = [a for a in args if a not in BACKENDS]
        if not args or bad:
            raise MarkdownError(path, line, f"pytest.mark.backend takes names among {', '.join(BACKENDS)}; got {args}")
        return "backend", args
    if name == "figure":
        if len(args) != 1 or not str(args[0]).endswith((".svg", ".png")):
            raise MarkdownError(path, line, 'pytest.mark.figure takes the figure\'s path, e.g. figure("figures/relu.svg")')
        return "figure", args
    raise MarkdownError(path, line, f"unknown marker `pytest.mark.{name}`: known are skip, timeout, backend, figure")


def parse_page(path: Path | str, text: str | None = None) -> list[Cell]:
    """The Python cells of a page; raises MarkdownError for anything it will not run."""
    path = Path(path)
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    fences = _fences(path, lines)
    by_line = {f.line: f for f in fences}
    inside = {n for f in fences for n in range(f.line, f.close_line + 1)}

    cells: list[Cell] = []
    pending: list[tuple[int, str, tuple]] = []
    last_fence_kind = None  # "python", "output" or "other"; None at start or after prose
    last_python_end = None  # close line of the last Python fence, while only blank lines follow
    n = 0
    while n < len(lines):
        lineno = n + 1
        line = lines[n]
        if lineno in by_line:
            f = by_line[lineno]
            names = [p[1] for p in pending]
            if f.lang in UNSUPPORTED_PYTHON_LANGS:
                raise MarkdownError(path, lineno, f"`{f.lang}` fences are not run: write a `python` fence "
                                    "and show what it prints in an expected-output block")
            if f.lang in PYTHON_LANGS:
                if "expected-output" in names:
                    raise MarkdownError(path, pending[names.index("expected-output")][0],
                                        "expected-output marks the output fence after a Python block, not a Python fence")
                cell = Cell(path, lineno, "\n".join(f.body) + ("\n" if f.body else ""), f.indent, f.info)
                for mline, name, args in pending:
                    if name == "cont":
                        if last_fence_kind not in ("python", "output") or not cells:
                            raise MarkdownError(path, mline, "cont continues the Python block just above it, "
                                                "but the previous fence is not a Python block")
                        cell.cont = True
                    else:
                        cell.marks[name] = args
                if cell.cont and "skip" in cell.marks and "skip" not in cells[-1].marks:
                    raise MarkdownError(path, lineno, "a continued block cannot be skipped alone")
                cells.append(cell)
                last_fence_kind, last_python_end = "python", f.close_line
            elif "expected-output" in names:
                if last_fence_kind != "python" or last_python_end is None:
                    raise MarkdownError(path, lineno, "expected-output must directly follow a Python block "
                                        "(only blank lines between)")
                if len(names) > 1:
                    raise MarkdownError(path, lineno, "an output fence takes no marker other than expected-output")
                if "skip" in cells[-1].marks:
                    raise MarkdownError(path, lineno, "this output belongs to a block that is not run: "
                                        "nobody would check it")
                body = "\n".join(f.body) + ("\n" if f.body else "")
                cells[-1].output = Output(body, lineno, f.close_line, f.indent)
                last_fence_kind, last_python_end = "output", None
            else:
                if pending:
                    raise MarkdownError(path, pending[0][0], f"marker `{pending[0][1]}` precedes a "
                                        f"`{f.lang or 'plain'}` fence; markers apply to Python blocks")
                if f.lang in OUTPUT_LANGS and last_fence_kind == "python" and last_python_end is not None:
                    raise MarkdownError(path, lineno, f"this fence shows output of the Python block at line "
                                        f"{cells[-1].fence_line} but has no <!--pytest-codeblocks:expected-output--> "
                                        "marker: nobody would check it")
                if f.lang in OUTPUT_LANGS and any(LOOKS_LIKE_IMPORT.match(b) for b in f.body):
                    raise MarkdownError(path, lineno, "this fence looks like Python (it imports) but is not "
                                        "labelled `python`: label it so it runs, or mark it not-run with a reason")
                last_fence_kind, last_python_end = "other", None
            pending = []
            n = f.close_line
            continue
        if lineno in inside:
            n += 1
            continue
        m = COMMENT.match(line)
        marker = _parse_marker(path, lineno, m["body"]) if m else None
        if marker:
            pending.append((lineno, *marker))
        elif line.strip():
            if pending:
                raise MarkdownError(path, pending[0][0], f"marker `{pending[0][1]}` is not directly "
                                    "followed by a code fence")
            if "<!--" in line and "pytest" in line:
                raise MarkdownError(path, lineno, "a marker must be alone on its line: <!--pytest...-->")
            last_fence_kind, last_python_end = None, None
        n += 1
    if pending:
        raise MarkdownError(path, pending[0][0], f"marker `{pending[0][1]}` is not followed by a code fence")
    return cells


def count_python_fences(text: str) -> int:
    """An independent count of the fences a reader sees as Python (for the no-silent-skip check)."""
    count, fence = 0, None
    for line in text.splitlines():
        m = FENCE.match(line)
        if fence is None and m and not (m["fence"][0] == "`" and "`" in m["info"]):
            fence = m["fence"]
            count += fence_language(m["info"]) in PYTHON_LANGS
        elif fence is not None and line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            fence = None
    return count
