"""pytest plugin: run every Python block of the book's Markdown pages.

Each chain of blocks (a block plus the blocks continuing it with
`<!--pytest-codeblocks:cont-->`) is one test item, named after the Markdown file and
the line of its first fence. Parsing is in `markdown.py`, running a block in
`execute.py`, comparing outputs in `compare.py` and figures in `figures.py`, what a run
leaves for the stamps in `results.py`. See CONTRIBUTING.md for the authoring format.
"""

from __future__ import annotations

import builtins
import hashlib
import re
import json
import os
import shutil
import tempfile
import time
from contextlib import chdir
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import compare, results, shards, state, warnings_policy
from .execute import BlockFailure, alarm_repeated_until_done, run_cell, run_chain_in_fresh_process
from .figures import code_stamp, labels, largest_deviation, same_figure, stamp_of, stamped
from .markdown import FENCE, Cell, MarkdownError, parse_page, split_lines
from .markers import Figure, Tolerance, figure_file

DEFAULT_TIMEOUT = 30  # seconds per block; raise it with <!--pytest.mark.timeout(N)-->
BUDGET = 10  # seconds a block may take on 2 CPU cores (CONTRIBUTING.md); longer ones are reported
REFERENCE_BACKEND = "tensorflow"  # shared outputs and figures are written from this backend, seed 0
ANY_NUMBER = Tolerance(abs=float("inf"), counts=10**18)


def pytest_addoption(parser):
    group = parser.getgroup("verifier", "Deep Learning, Verified: Markdown blocks")
    group.addoption(
        "--update-outputs",
        action="store_true",
        help="rewrite shown outputs and figures in the Markdown pages from real runs (seed 0 only: "
        "shared outputs and figures on TensorFlow, per-backend outputs on their own backend)",
    )
    group.addoption(
        "--skip-verified",
        action="store_true",
        help="skip pages whose recorded result passed for this very page, figures, verifier and pins "
        "(what a pull request needs; main and the schedule run everything)",
    )
    group.addoption(
        "--fresh-process",
        action="store_true",
        help="run each chain of blocks in a new Python process, as a reader pastes it (slow: one import each)",
    )
    group.addoption(
        "--shard",
        metavar="K/N",
        default=None,
        help="run only the K-th of N shares of the pages under docs/ (whole pages, split by recorded "
        "time or code length; see verifier.shards), for CI jobs that split one backend",
    )
    group.addoption(
        "--record-outputs",
        metavar="DIR",
        default=None,
        help="also save what every block printed and drew into DIR/<backend>-<seed>/ (see verifier.spread)",
    )


def _tally() -> dict[str, int]:
    return {"ran": 0, "failed": 0, "not run": 0, "other backend": 0}


@dataclass
class Report:
    """What the verifier did in this session, for the summary and the stamps."""

    blocks: dict[str, int] = field(default_factory=_tally)
    per_page: dict[Path, dict] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    over_budget: list[tuple[float, str]] = field(default_factory=list)
    rewrites: dict[Path, list[tuple[int, int, str]]] = field(default_factory=dict)
    updated_figures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    other_warnings: list[str] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)  # skipped: verified before, exactly as they are now


REPORT = pytest.StashKey[Report]()


# Before any block (or test module) imports Keras, TensorFlow or matplotlib.
for _name, _value in state.ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)
os.environ["COLUMNS"] = state.ENVIRONMENT["COLUMNS"]


def pytest_configure(config):
    config.stash[REPORT] = Report()
    config.addinivalue_line("markers", "backend(*names): run this Markdown block only under these Keras backends")
    config.addinivalue_line("markers", "figure(path): the block draws this figure, kept next to the page")
    if config.getoption("fresh_process") and (state.base_seed() != 0 or config.getoption("update_outputs")):
        raise pytest.UsageError("--fresh-process runs the blocks exactly as pasted: seed 0, no update")
    _configure_shard(config)
    if config.getoption("record_outputs"):  # blocks run in a directory of their own: fix it to where pytest started
        config.option.record_outputs = str(config.invocation_params.dir / config.getoption("record_outputs"))
    if config.getoption("update_outputs") and state.base_seed() != 0:
        raise pytest.UsageError(f"--update-outputs writes what seed 0 prints; unset {state.SEED_VARIABLE} "
                                f"(it is {state.base_seed()})")


def pytest_report_header(config):
    return f"pages on {state.current_backend()}, seed offset {state.base_seed()}: {state.arithmetic()}"


MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkdn", ".mkd"}  # what MkDocs renders as pages


SHARD = pytest.StashKey[tuple]()  # ((K, N), the names of the pages of shard K under docs/)


def _configure_shard(config) -> None:
    if not config.getoption("shard"):
        return
    try:
        k, n = shards.parse_shard(config.getoption("shard"))
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[SHARD] = ((k, n), set(shards.split(page_weights(config), n)[k - 1]))


def page_weights(config) -> dict[str, float]:
    """Each page under docs/ (by its name there) weighed as verifier.shards says: this backend's
    recorded seconds, else another backend's, else its code length."""
    docs = config.rootpath / "docs"
    pages = sorted(p for p in docs.rglob("*") if p.suffix in MARKDOWN_SUFFIXES)
    return shards.weights_for(pages, docs, results.load(config.rootpath), state.current_backend())


def _in_shard(config, file_path: Path) -> bool:
    (_, mine) = config.stash.get(SHARD, (None, None))
    docs = config.rootpath / "docs"
    return mine is None or not file_path.is_relative_to(docs) or file_path.relative_to(docs).as_posix() in mine


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix in MARKDOWN_SUFFIXES and _in_shard(parent.config, file_path):
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(session, config, items):
    """The heaviest page's blocks first (verifier.shards weighs them), each page's blocks in their
    order. `make test-pages` passes --no-loadscope-reorder, so that pytest-xdist hands the pages
    out in this order and its workers do not end the run waiting on one long page."""
    docs = config.rootpath / "docs"
    pages = [item for item in items if isinstance(item, BlockChain) and item.path.is_relative_to(docs)]
    if not pages:
        return
    rank = {name: i for i, name in enumerate(shards.heaviest_first(page_weights(config)))}
    last = len(rank)
    order = {id(item): (rank.get(item.path.relative_to(docs).as_posix(), last), i) for i, item in enumerate(pages)}
    others = [item for item in items if id(item) not in order]
    items[:] = sorted(pages, key=lambda item: order[id(item)]) + others


def pytest_collection_finish(session):
    """Import Keras (and matplotlib) once before the first block, outside any block's time limit."""
    code = "".join(c.code for item in session.items if isinstance(item, BlockChain) for c in item.chain)
    state.warm_up(code)


def updating(config, backend_key: str) -> bool:
    """May this run rewrite an output or figure owned by `backend_key` ("*" for shared ones)?"""
    if not config.getoption("update_outputs"):
        return False
    backend = state.current_backend()
    return backend_key == backend or (backend_key == "*" and backend == REFERENCE_BACKEND)


class MarkdownPage(pytest.File):
    def collect(self):
        try:
            cells = parse_page(self._display_path())
        except MarkdownError as error:
            raise self.CollectError(str(error)) from None
        self.cells = cells
        self.hash = results.page_hash(self.path)  # what this run verifies: the page as collected
        if self.config.getoption("skip_verified") and results.still_verified(
                self.config.rootpath, state.current_backend(), self.path, self.hash):
            self.config.stash[REPORT].unchanged.append(self.path)
            return
        tally = self.config.stash[REPORT].per_page.setdefault(self.path, _tally())
        tally["blocks"] = len(cells)
        tally["hash"] = self.hash
        tally["text"] = hashlib.sha256(self.path.read_bytes()).hexdigest()  # the page alone, for rewrites
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
        if self.config.getoption("fresh_process") or "fresh_process" in self.chain[0].marks:
            return self._run_in_fresh_process()
        with alarm_repeated_until_done():
            self._run_in_this_process()

    def _run_in_this_process(self):
        code = "".join(c.code for c in self.chain)
        state.reset(state.base_seed(), code)
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        with tempfile.TemporaryDirectory(prefix="dlv-block-") as workdir, chdir(workdir):
            for cell in self.chain:
                started = time.perf_counter()
                ran = run_cell(cell, namespace, self.config)
                seconds = time.perf_counter() - started
                if seconds > BUDGET:
                    self.report.over_budget.append((seconds, cell.where))
                self._record(cell, ran.printed, Path(workdir))
                self._check_warnings(cell, ran)
                self._check_output(cell, ran.printed)
                for figure in cell.figures:
                    self._check_figure(cell, Path(workdir), figure)

    def _run_in_fresh_process(self):
        timeout = self.get_closest_marker("timeout").args[0]
        with tempfile.TemporaryDirectory(prefix="dlv-fresh-") as workdir:
            printed = run_chain_in_fresh_process(self.chain, workdir, timeout, state.base_seed())
            for cell, text in zip(self.chain, printed):
                self._record(cell, text, Path(workdir))
                self._check_output(cell, text)
                for figure in cell.figures:
                    self._check_figure(cell, Path(workdir), figure)

    def _check_warnings(self, cell: Cell, ran) -> None:
        self.report.other_warnings += [f"{cell.where}: {w}" for w in warnings_policy.others(ran.warnings)]
        found = warnings_policy.failing(ran.warnings)
        if found:
            raise BlockFailure(
                f"{cell.where}: the block raised {len(found)} deprecation warning(s); a reader who copies it "
                "would be taught an API on its way out:\n  " + "\n  ".join(found) +
                "\nUse the current API. A warning from a library's own internals that no block can avoid "
                "goes on the allow-list in verifier/warnings_policy.py, with its reason."
            )

    def _check_output(self, cell: Cell, printed: str) -> None:
        backend = state.current_backend()
        output = cell.output_for(backend)
        if output is None:
            return
        tolerance = cell.tolerance
        if state.base_seed() != 0 and (tolerance is None or tolerance.draws):
            # The page shows seed 0. An exact output computed from seeded data, or an output
            # declared as draws of the seed, has other numbers under another seed: the text
            # around them is still the page's. A training tolerance holds under every seed.
            tolerance = ANY_NUMBER
        key = "*" if "*" in cell.outputs else backend
        if updating(self.config, key) and compare.normalise(output.text) != compare.normalise(printed):
            # Regenerate from the real run even when the old numbers were within tolerance.
            # Located again when the page is written: another update may have moved its lines.
            self.report.rewrites.setdefault(self.path, []).append(
                (self.parent.cells.index(cell), key, compare.normalise(printed))
            )
            return
        problems = compare.differences(output.text, printed, tolerance)
        if not problems:
            return
        owner = "every backend" if key == "*" else f"the {backend} tab"
        diff = compare.unified_diff(output.text, printed, f"{cell.path}:{output.open_line + 1} (shown for {owner})",
                                    f"output of the block at {cell.where} on {backend}, seed offset "
                                    f"{state.base_seed()} (real)")
        tolerance = f" (tolerance {tolerance.describe()})" if tolerance else ""
        raise BlockFailure(
            f"{cell.path}:{output.open_line + 1}: the output shown on the page is not what the block at line "
            f"{cell.fence_line} prints on {backend}{tolerance}:\n  " + "\n  ".join(problems) + f"\n{diff}\n"
            "If the new output is right, regenerate it: make update. If its numbers come from training, "
            "measure how far they move (make spread) and declare that tolerance, or show it per backend."
        )

    def _check_figure(self, cell: Cell, workdir: Path, figure: Figure) -> None:
        backend = state.current_backend()
        drawn = workdir / Path(figure.path).name
        relative = Path(figure_file(figure.path, backend, figure.per_backend))
        kept = self.path.parent / relative  # absolute: the block runs in a temporary directory
        shown = cell.path.parent / relative
        if not drawn.is_file():
            raise BlockFailure(f"{cell.where}: the block is marked figure({figure.path!r}) but saved no "
                               f"file named {drawn.name!r} in its working directory")
        if state.base_seed() != 0:
            return  # the page shows seed 0's figure; under another seed the block must draw, not match it
        if figure.one_run:
            return self._check_figure_of_one_run(cell, figure, drawn, kept, shown)
        if kept.is_file() and same_figure(kept, drawn, figure.tolerance):
            return
        if updating(self.config, backend if figure.per_backend else "*"):
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(drawn, kept)
            self.report.updated_figures.append(str(shown))
            return
        if not kept.is_file():
            raise BlockFailure(f"{cell.where}: the figure {shown} is missing; draw it: make update")
        moved = largest_deviation(kept.read_bytes(), drawn.read_bytes()) if kept.suffix == ".svg" else None
        how = ("its labels, ticks or number of points differ" if moved is None
               else f"a coordinate moved by {moved:.3g} pt, more than its tolerance of {figure.tolerance:g} pt")
        raise BlockFailure(f"{cell.where}: the figure {shown} differs from what the block draws on "
                           f"{state.current_backend()}, seed offset {state.base_seed()}: {how}. If the new figure "
                           "is right, regenerate it: make update")

    def _check_figure_of_one_run(self, cell: Cell, figure: Figure, drawn: Path, kept: Path, shown: Path) -> None:
        """A figure of one training run: its coordinates are free, its labels and the code that drew it are not."""
        stamp = code_stamp("".join(c.code for c in self.chain[:self.chain.index(cell) + 1]))
        old = kept.read_bytes() if kept.is_file() else None
        new = drawn.read_bytes()
        if old is None:
            problem = "is missing; draw it"
        elif stamp_of(old) != stamp:
            problem = ("was drawn by other code than the page's (its stamp is not the code's); draw it again with "
                       "the page's code")
        elif labels(old) != labels(new):
            lost, gained = sorted(labels(old) - labels(new)), sorted(labels(new) - labels(old))
            problem = (f"has other labels than the block draws on {state.current_backend()} (only the kept figure: "
                       f"{_texts(lost)}; only the drawn one: {_texts(gained)}); if the new figure is right, draw it")
        else:
            return
        if updating(self.config, state.current_backend() if figure.per_backend else "*"):
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_bytes(stamped(new, stamp))
            self.report.updated_figures.append(str(shown))
            return
        raise BlockFailure(f"{cell.where}: the figure {shown} (one run: compared by its labels and its code) "
                           f"{problem}: make update")

    def _record(self, cell: Cell, printed: str, workdir: Path) -> None:
        target = self.config.getoption("record_outputs")
        if not target:
            return
        folder = Path(target) / f"{state.current_backend()}-{state.base_seed()}"
        folder.mkdir(parents=True, exist_ok=True)
        key = f"{cell.path}:{cell.fence_line}".replace("/", "__")
        (folder / f"{key}.json").write_text(json.dumps({"page": str(cell.path), "line": cell.fence_line,
                                                        "printed": printed}))
        for figure in cell.figures:
            drawn = workdir / Path(figure.path).name
            if drawn.is_file():
                shutil.copyfile(drawn, folder / f"{key}-{drawn.name}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, BlockFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)


def _texts(texts: list[bytes]) -> str:
    return ", ".join(repr(t.decode(errors="replace")) for t in texts) or "none"


def _indent(text: str, indent: str) -> str:
    return "".join(indent + line if line.strip() else line for line in text.splitlines(keepends=True))


def _fenced(printed: str, output, opening: str) -> list[str]:
    """The output fence's lines holding `printed`, the fence made longer than any run of its character inside."""
    mark = FENCE.match(opening)
    char, info = mark["fence"][0], mark["info"]
    longest = max((len(run) for run in re.findall(re.escape(char) + "+", printed)), default=0)
    fence = char * max(len(mark["fence"]), longest + 1)
    body = _indent(printed, output.indent).splitlines()
    return [output.indent + fence + info, *body, output.indent + fence]


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


def _worker(config) -> bool:
    """Is this a pytest-xdist worker? Workers run whole pages (--dist loadfile); the controller reports."""
    return hasattr(config, "workerinput")


def _as_data(report: Report) -> dict:
    return {
        "blocks": report.blocks, "reasons": report.reasons, "over_budget": report.over_budget,
        "updated_figures": report.updated_figures,
        "per_page": {str(path): tally for path, tally in report.per_page.items()},
        "rewritten": {str(path): len(rewrites) for path, rewrites in report.rewrites.items()},
        "problems": report.problems, "other_warnings": report.other_warnings,
        "unchanged": [str(path) for path in report.unchanged],
    }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Merge what a pytest-xdist worker verified into the controller's report."""
    data = json.loads(node.workeroutput.get("dlv_report", "{}") or "{}")
    report = node.config.stash[REPORT]
    for outcome, count in data.get("blocks", {}).items():
        report.blocks[outcome] += count
    for path, tally in data.get("per_page", {}).items():
        merged = report.per_page.setdefault(Path(path), _tally())
        for key, value in tally.items():
            summed = isinstance(value, (int, float)) and key != "blocks"
            merged[key] = round(merged.get(key, 0) + value, 2) if summed else value
    report.reasons += data.get("reasons", [])
    report.over_budget += [tuple(x) for x in data.get("over_budget", [])]
    report.updated_figures += data.get("updated_figures", [])
    report.problems += data.get("problems", [])
    report.other_warnings += data.get("other_warnings", [])
    report.unchanged += [Path(path) for path in data.get("unchanged", [])]
    for path, count in data.get("rewritten", {}).items():
        report.rewrites.setdefault(Path(path), []).extend([None] * count)


def pytest_sessionfinish(session, exitstatus):
    report = session.config.stash.get(REPORT, None)
    if report is None:
        return
    for path, rewrites in list(report.rewrites.items()):
        if None in rewrites:
            continue  # counted from a worker, which wrote the page itself
        if hashlib.sha256(path.read_bytes()).hexdigest() != report.per_page.get(path, {}).get("text"):
            report.problems.append(f"{path}: the page changed while it was verified; its outputs were not "
                                   "rewritten (run the update again)")
            del report.rewrites[path]
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            continue
        text = path.read_text(encoding="utf-8")
        cells = parse_page(path, text)
        lines = split_lines(text)
        places = [(cells[index].outputs[key], printed) for index, key, printed in rewrites]
        for output, printed in sorted(places, key=lambda place: place[0].open_line, reverse=True):
            lines[output.open_line - 1:output.close_line] = _fenced(printed, output, lines[output.open_line - 1])
        results.write_atomically(path, "\n".join(lines) + ("\n" if text.endswith("\n") else ""))
    if _worker(session.config):
        session.config.workeroutput["dlv_report"] = json.dumps(_as_data(report))
        return
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and report.unchanged:
        session.exitstatus = pytest.ExitCode.OK  # every page was verified before, exactly as it is now
    if session.config.getoption("fresh_process") or session.config.getoption("collectonly"):
        return  # a check of how blocks paste, or of what would run: not a run the stamps come from
    results.record(session.config.rootpath, state.current_backend(), state.base_seed(),
                   {p: t for p, t in report.per_page.items() if "blocks" in t},
                   session.config.stash.get(SHARD, (None,))[0])


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    report = config.stash.get(REPORT, None)
    if not report or not (report.per_page or report.unchanged) or _worker(config):
        return
    tr = terminalreporter
    b = report.blocks
    fences = sum(t.get("blocks", 0) for t in report.per_page.values())
    tr.section("verifier")
    tr.write_line(
        f"{fences} Python fences on {len(report.per_page)} pages "
        f"(backend {state.current_backend()}, seed offset {state.base_seed()}): "
        f"{b['ran']} ran, {b['failed']} failed, {b['not run']} not run by marker, "
        f"{b['other backend']} only for other backends"
    )
    for reason in report.reasons:
        tr.write_line(f"  not run: {reason}")
    if report.unchanged:
        tr.write_line(f"{len(set(report.unchanged))} pages skipped: verified before on {state.current_backend()} "
                      "exactly as they are now (page, figures, verifier and pins)")
    if report.over_budget:
        tr.write_line(f"{len(report.over_budget)} blocks took longer than the {BUDGET} s budget:")
        for seconds, where in sorted(report.over_budget, reverse=True):
            tr.write_line(f"  {seconds:5.1f} s  {where}")
    for problem in report.problems:
        tr.write_line(problem, red=True)
    if report.other_warnings:
        tr.write_line(f"{len(report.other_warnings)} other warnings raised by blocks (shown to a reader who runs them):")
        for line in report.other_warnings:
            tr.write_line(f"  {line}")
    for path, rewrites in report.rewrites.items():
        tr.write_line(f"updated {len(rewrites)} shown outputs in {path.relative_to(config.rootpath)}")
    for figure in report.updated_figures:
        tr.write_line(f"updated figure {figure}")
