"""Run one block's code in the verifier's process: capture what it prints and warns, explain what it raises."""

from __future__ import annotations

import ast
import io
import signal
import threading
import time
import traceback
import warnings
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass

import pytest

from .markdown import Cell


class BlockFailure(Exception):
    """A block raised, printed something else than the page shows, warned, or timed out."""


@dataclass
class Ran:
    printed: str
    warnings: list[warnings.WarningMessage]


@contextmanager
def alarm_repeated_until_done(every: float = 1.0):
    """Make pytest-timeout's alarm (SIGALRM, armed before the test) ring again `every` second after
    its time is up, until the `with` body ends; then leave it as it was.

    It rings once. When it lands in a finaliser (Keras and TensorFlow run many, for example in the
    garbage collection of `clear_session`), Python prints the timeout as "Exception ignored" and
    goes on: the block ran on forever (seen on a loaded machine with a 1-second limit)."""
    remaining, interval = signal.getitimer(signal.ITIMER_REAL)
    if remaining <= 0 or interval or threading.current_thread() is not threading.main_thread():
        yield
        return
    deadline = time.monotonic() + remaining
    signal.setitimer(signal.ITIMER_REAL, remaining, every)
    try:
        yield
    finally:
        left = deadline - time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, max(left, 0), 0)  # 0: off once the time was up


def run_cell(cell: Cell, namespace: dict, config) -> Ran:
    """Execute `cell` in `namespace`; a failure is a BlockFailure naming the Markdown file and line."""
    # Pad with blank lines so that tracebacks carry the Markdown file's own line numbers.
    source = "\n" * (cell.code_line - 1) + cell.code
    filename = str(cell.path)
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as error:
        raise BlockFailure(f"{cell.path}:{error.lineno}: syntax error in the block: {error.msg}") from None
    with warnings.catch_warnings(record=True) as rewriting:
        warnings.simplefilter("always")
        _rewrite_asserts(tree, source, filename, config)
    for w in rewriting:  # for example an assert on a tuple, which is always true
        raise BlockFailure(f"{cell.path}:{w.lineno}: {w.message}")
    compiled = compile(tree, filename, "exec")
    buffer = io.StringIO()
    try:
        with redirect_stdout(buffer), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            filters = list(warnings.filters)
            exec(compiled, namespace)
            changed = warnings.filters != filters
        if changed:
            raise BlockFailure(f"{cell.where}: the block changes the warning filters (warnings.simplefilter or "
                               "filterwarnings), which would hide its warnings from the verifier and from the "
                               "blocks after it; show a warning inside `with warnings.catch_warnings(record=True):`")
    except pytest.fail.Exception as error:  # pytest-timeout raises this from its signal handler
        if "Timeout" in str(error):
            raise BlockFailure(
                f"{cell.where}: the block did not finish within its time limit ({error}); "
                "if it is meant to take longer, mark it <!--pytest.mark.timeout(SECONDS)-->"
            ) from None
        raise
    except BlockFailure:
        raise
    except BaseException as error:  # noqa: BLE001 - every exception of a block is its failure
        if isinstance(error, KeyboardInterrupt):
            raise
        raise BlockFailure(describe_exception(cell, error, buffer.getvalue())) from None
    return Ran(buffer.getvalue(), list(caught))


def _rewrite_asserts(tree: ast.Module, source: str, filename: str, config) -> None:
    """Give a failing `assert` in a block pytest's explanation (`assert 449 == 448`)."""
    from _pytest.assertion.rewrite import rewrite_asserts

    rewrite_asserts(tree, source.encode(), filename, config)


def describe_exception(cell: Cell, error: BaseException, printed: str) -> str:
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


SEPARATOR = "\x1e-- end of block --\x1e"  # printed between blocks by the fresh-process driver
_DRIVER = """\
import json, sys
cells, seed_offset, root = json.load(open(sys.argv[1], encoding="utf-8"))
if seed_offset:  # the verifier's seed shift (state.py); importing Keras starts no backend
    import keras, numpy
    sys.path.insert(0, root)
    from verifier.state import _shift_default_rng, _shift_seed_setter
    sys.path.pop(0)
    _shift_seed_setter(keras, seed_offset)
    _shift_default_rng(numpy, seed_offset)
if any("matplotlib" in source for _, source in cells):
    import matplotlib
    matplotlib.rcParams["svg.hashsalt"] = "deep-learning-verified"
namespace = {"__name__": "__main__"}
for filename, source in cells:
    exec(compile(source, filename, "exec"), namespace)
    print(%r, flush=True)
""" % SEPARATOR


def run_chain_in_fresh_process(chain: list[Cell], workdir: str, timeout: float, seed_offset: int = 0) -> list[str]:
    """Run a chain as a reader would paste it: one new Python, nothing set up, blocks in order.

    Under a seed offset, `keras.utils.set_random_seed(s)` and `np.random.default_rng(s)` are
    shifted as in the verifier's own process (state.py), and nothing else is set up.

    Returns what each block printed. A failure names the block and shows the traceback,
    whose line numbers are the Markdown file's own.
    """
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    cells = [[str(c.path), "\n" * (c.code_line - 1) + c.code] for c in chain]
    script = Path(workdir) / ".dlv-chain.json"
    root = str(Path(__file__).resolve().parent.parent)
    script.write_text(json.dumps([cells, seed_offset, root]), encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "DLV_SEED"}
    try:
        done = subprocess.run([sys.executable, "-c", _DRIVER, str(script)], cwd=workdir, env=environment,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BlockFailure(f"{chain[0].where}: in a fresh Python the block did not finish within "
                           f"{timeout:g} s") from None
    finally:
        script.unlink(missing_ok=True)
    printed = done.stdout.split(SEPARATOR + "\n")
    if done.returncode != 0:
        failed = chain[min(len(printed) - 1, len(chain) - 1)]
        raise BlockFailure(f"{failed.where}: pasted into a fresh Python (after the blocks it continues), "
                           f"the block fails:\n{done.stderr[-3000:]}")
    return printed[: len(chain)]
