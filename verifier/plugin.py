"""pytest plugin: run every Python block of the book's Markdown pages.

Each chain of blocks (a block plus the blocks continuing it with
`<!--pytest-codeblocks:cont-->`) is one test item, named after the Markdown file and
the line of its first fence. See CONTRIBUTING.md for the authoring format.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import io
import os
import shutil
import sys
import tempfile
import traceback
from contextlib import chdir, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import results, state
from .figures import same_figure
from .markdown import Cell, MarkdownError, count_python_fences, parse_page

DEFAULT_TIMEOUT = 30  # seconds per block; raise it with <!--pytest.mark.timeout(N)-->
REFERENCE_BACKEND = "tensorflow"


def pytest_addoption(parser):
    group = parser.getgroup("verifier", "Deep Learning, Verified: Markdown blocks")
    group.addoption(
        "--update-outputs",
        action="store_true",
        help="rewrite shown outputs and figures in the Markdown pages from real runs",
    )


def _tally() -> dict[str, int]:
    return {"ran": 0, "failed": 0, "not run": 0, "other backend": 0}


@dataclass
class Report:
    """What the verifier did in this session, for the summary and the fence count check."""

    pages: dict[Path, int] = field(default_factory=dict)  # page -> Python fences counted independently
    blocks: dict[str, int] = field(default_factory=_tally)
    per_page: dict[Path, dict[str, int]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    relaxed: list[str] = field(default_factory=list)  # outputs that differ under a non-reference run
    rewrites: dict[Path, list[tuple[int, int, str]]] = field(default_factory=dict)
    updated_figures: list[str] = field(default_factory=list)


REPORT = pytest.StashKey[Report]()


# Before any block (or test module) imports Keras, TensorFlow or matplotlib.
for _name, _value in state.ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)
os.environ["COLUMNS"] = state.ENVIRONMENT["COLUMNS"]


def pytest_configure(config):
    config.stash[REPORT] = Report()
    config.addinivalue_line("markers", "backend(*names): run this Markdown block only under these Keras backends")
    config.addinivalue_line("markers", "figure(path): the block draws this figure, kept next to the page")


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".md":
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


def pytest_collection_finish(session):
    """Import Keras (and matplotlib) once before the first block, outside any block's time limit."""
    code = "".join(c.code for item in session.items if isinstance(item, BlockChain) for c in item.chain)
    state.warm_up(code)


def reference_run() -> bool:
    """Shown outputs and figures are compared exactly only on the run that produced them."""
    return state.current_backend() == REFERENCE_BACKEND and state.base_seed() == 0


class MarkdownPage(pytest.File):
    def collect(self):
        try:
            cells = parse_page(self._display_path())
        except MarkdownError as error:
            raise self.CollectError(str(error)) from None
        text = self.path.read_text(encoding="utf-8")
        self.config.stash[REPORT].pages[self.path] = count_python_fences(text)
        chains: list[list[Cell]] = []
        for cell in cells:
            if cell.cont:
                chains[-1].append(cell)
            else:
                chains.append([cell])
        for chain in chains:
            yield BlockChain.from_parent(self, name=f"line {chain[0].fence_line}", chain=chain)

    def _display_path(self) -> Path:
        try:
            return self.path.relative_to(Path.cwd())
        except ValueError:
            return self.path


class BlockFailure(Exception):
    """A block raised, printed something else than the page shows, or timed out."""


class BlockChain(pytest.Item):
    def __init__(self, *, chain: list[Cell], **kwargs):
        super().__init__(**kwargs)
        self.chain = chain
        first = chain[0]
        timeout = sum(c.marks.get("timeout", (DEFAULT_TIMEOUT,))[0] for c in chain)
        self.add_marker(pytest.mark.timeout(timeout))
        if "skip" in first.marks:
            self.add_marker(pytest.mark.skip(reason=first.marks["skip"][0]))
        elif "backend" in first.marks and state.current_backend() not in first.marks["backend"]:
            self.add_marker(pytest.mark.skip(reason=f"only for backend {', '.join(first.marks['backend'])}"))

    @property
    def report(self) -> Report:
        return self.config.stash[REPORT]

    def reportinfo(self):
        return self.path, self.chain[0].fence_line - 1, f"{self.chain[0].where} (Python block)"

    def runtest(self):
        code = "".join(c.code for c in self.chain)
        state.reset(state.base_seed(), code)
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        with tempfile.TemporaryDirectory(prefix="dlv-block-") as workdir, chdir(workdir):
            for cell in self.chain:
                printed = self._run_cell(cell, namespace)
                self._check_output(cell, printed)
                self._check_figure(cell, Path(workdir))

    def _run_cell(self, cell: Cell, namespace: dict) -> str:
        # Pad with blank lines so that tracebacks carry the Markdown file's own line numbers.
        source = "\n" * (cell.code_line - 1) + cell.code
        filename = str(cell.path)
        try:
            tree = ast.parse(source, filename=filename)
        except SyntaxError as error:
            raise BlockFailure(f"{cell.path}:{error.lineno}: syntax error in the block: {error.msg}") from None
        _rewrite_asserts(tree, source, filename, self.config)
        compiled = compile(tree, filename, "exec")
        buffer = io.StringIO()
        try:
            with redirect_stdout(buffer):
                exec(compiled, namespace)
        except pytest.fail.Exception as error:  # pytest-timeout raises this from its signal handler
            if "Timeout" in str(error):
                raise BlockFailure(
                    f"{cell.where}: the block did not finish within its time limit ({error}); "
                    "if it is meant to take longer, mark it <!--pytest.mark.timeout(SECONDS)-->"
                ) from None
            raise
        except BaseException as error:  # noqa: BLE001 - every exception of a block is its failure
            if isinstance(error, KeyboardInterrupt):
                raise
            raise BlockFailure(_describe_exception(cell, error, buffer.getvalue())) from None
        return buffer.getvalue()

    def _check_output(self, cell: Cell, printed: str) -> None:
        if cell.output is None:
            return
        shown, actual = _normalise(cell.output.text), _normalise(printed)
        if shown == actual:
            return
        if self.config.getoption("update_outputs"):
            self.report.rewrites.setdefault(self.path, []).append(
                (cell.output.open_line, cell.output.close_line, _indent(actual, cell.output.indent))
            )
            return
        if not reference_run():
            self.report.relaxed.append(f"{cell.path}:{cell.output.open_line}")
            return
        diff = "".join(
            difflib.unified_diff(
                shown.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{cell.path}:{cell.output.open_line + 1} (shown on the page)",
                tofile=f"output of the block at {cell.where} (real)",
            )
        )
        raise BlockFailure(
            f"{cell.path}:{cell.output.open_line + 1}: the output shown on the page is not what the block at "
            f"line {cell.fence_line} prints.\n{diff}\nIf the new output is right, regenerate it: make update"
        )

    def _check_figure(self, cell: Cell, workdir: Path) -> None:
        if "figure" not in cell.marks:
            return
        relative = Path(cell.marks["figure"][0])
        drawn = workdir / relative.name
        kept = self.path.parent / relative  # absolute: the block runs in a temporary directory
        shown = cell.path.parent / relative
        if not drawn.is_file():
            raise BlockFailure(f"{cell.where}: the block is marked figure({str(relative)!r}) but saved no "
                               f"file named {relative.name!r} in its working directory")
        if kept.is_file() and same_figure(kept, drawn):
            return
        if self.config.getoption("update_outputs"):
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(drawn, kept)
            self.report.updated_figures.append(str(shown))
        elif reference_run():
            problem = "is missing" if not kept.is_file() else "differs from what the block draws now"
            raise BlockFailure(f"{cell.where}: the figure {shown} {problem}; regenerate it: make update")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, BlockFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)


def _rewrite_asserts(tree: ast.Module, source: str, filename: str, config) -> None:
    """Give a failing `assert` in a block pytest's explanation (`assert 449 == 448`)."""
    from _pytest.assertion.rewrite import rewrite_asserts

    rewrite_asserts(tree, source.encode(), filename, config)


def _describe_exception(cell: Cell, error: BaseException, printed: str) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    in_page = [f for f in frames if f.filename == str(cell.path)]
    line = in_page[-1].lineno if in_page else cell.code_line
    # Keep the frames from the block on: the verifier's own frames are noise.
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != str(cell.path):
        tb = tb.tb_next
    details = "".join(traceback.format_exception(type(error), error, tb or error.__traceback__))
    message = f"{cell.path}:{line}: the block starting at line {cell.fence_line} raised {type(error).__name__}"
    text = str(error)
    message += f": {text}" if text else ""
    if printed:
        message += "\n\nIt printed before failing:\n" + printed
    return f"{message}\n\n{details}"


def _normalise(text: str) -> str:
    """Compare outputs line by line, ignoring trailing spaces and trailing blank lines."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def _indent(text: str, indent: str) -> str:
    return "".join(indent + line if line.strip() else line for line in text.splitlines(keepends=True))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if isinstance(item, BlockChain) and (report.when == "call" or report.skipped):
        count = len(item.chain)
        if report.skipped:
            reason = item.chain[0].marks.get("skip", ("",))[0]
            outcome = "not run" if reason else "other backend"
            if reason:
                item.report.reasons.append(f"{item.chain[0].where}: {reason}")
        else:
            outcome = "ran" if report.passed else "failed"
        item.report.blocks[outcome] += count
        page = item.report.per_page.setdefault(item.path, _tally())
        page[outcome] += count
        page["seconds"] = round(page.get("seconds", 0) + (report.duration if report.when == "call" else 0), 2)
    return report


def pytest_sessionfinish(session, exitstatus):
    report = session.config.stash.get(REPORT, None)
    if report is None:
        return
    for path, rewrites in report.rewrites.items():
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for open_line, close_line, body in sorted(rewrites, reverse=True):
            lines[open_line:close_line - 1] = [body]
        path.write_text("".join(lines), encoding="utf-8")
    option = session.config.option
    selected = option.keyword or option.markexpr or option.maxfail or any("::" in a for a in session.config.args)

    results.record(session.config.rootpath, state.current_backend(), state.base_seed(), report.per_page)
    counted = sum(report.pages.values())
    accounted = sum(report.blocks.values())
    if report.pages and not selected and counted != accounted:
        report.problems.append(
            f"FENCE COUNT MISMATCH: the pages hold {counted} Python fences, the verifier accounted for {accounted}"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    report = config.stash.get(REPORT, None)
    if not report or not report.pages:
        return
    tr = terminalreporter
    b = report.blocks
    tr.section("verifier")
    tr.write_line(
        f"{sum(report.pages.values())} Python fences on {len(report.pages)} pages "
        f"(backend {state.current_backend()}, seed offset {state.base_seed()}): "
        f"{b['ran']} ran, {b['failed']} failed, {b['not run']} not run by marker, "
        f"{b['other backend']} only for other backends"
    )
    for reason in report.reasons:
        tr.write_line(f"  not run: {reason}")
    for problem in report.problems:
        tr.write_line(problem, red=True)
    if report.relaxed:
        tr.write_line(f"{len(report.relaxed)} shown outputs differ on this non-reference run "
                      f"(checked exactly only on {REFERENCE_BACKEND} with seed offset 0): "
                      + ", ".join(report.relaxed))
    for path, rewrites in report.rewrites.items():
        tr.write_line(f"updated {len(rewrites)} shown outputs in {path.relative_to(config.rootpath)}")
    for figure in report.updated_figures:
        tr.write_line(f"updated figure {figure}")
