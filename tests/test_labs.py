"""The labs (docs/labs/*.ipynb): each runs top to bottom on a fresh kernel and still prints
what it shows, its key outputs compared as their cells declare (site_hooks/labs.py).

`make test-notebooks` runs this file (three kernels at a time); the rest of `tests/` does not.
`make labs` re-executes the labs and stores their outputs.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from site_hooks import labs  # noqa: E402

LABS = labs.labs()


def test_there_are_labs_and_each_is_in_the_nav():
    assert len(LABS) >= 3
    config = yaml.safe_load(re.sub(r"!!python/name:\S+|!ENV \[[^\]]*\]", "null", (ROOT / "mkdocs.yml").read_text()))
    listed = str(config["nav"])
    for path in LABS:
        assert f"labs/{path.name}" in listed, f"{path.relative_to(ROOT)} is not in the nav of mkdocs.yml"


@pytest.mark.parametrize("path", LABS, ids=[p.stem for p in LABS])
def test_the_stored_lab_is_fit_to_show(path):
    notebook = labs.read(path)
    assert labs.problems_in_stored(notebook) == []
    compared = [c for c in labs.code_cells(notebook) if labs.tolerance(c) is not None]
    assert any(labs.tolerance(c) == "exact" for c in compared), "no shape or count is compared exactly"
    assert any(isinstance(labs.tolerance(c), labs.Tolerance) for c in compared), "no training result is compared"
    assert all(labs.printed(c).strip() for c in compared), "a compared cell prints nothing"
    assert sum(labs.images(c) for c in labs.code_cells(notebook)) >= 2
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "## Try this" in text, "a lab says what the reader should try, and what they should see"


@pytest.mark.parametrize("path", LABS, ids=[p.stem for p in LABS])
def test_the_lab_runs_on_a_fresh_kernel_and_matches_its_stored_outputs(path, tmp_path):
    from nbclient.exceptions import CellExecutionError

    stored = labs.read(path)
    fresh = copy.deepcopy(stored)
    try:
        labs.execute(fresh, tmp_path)
    except CellExecutionError as error:
        pytest.fail(f"{path.relative_to(ROOT)} fails on a fresh kernel:\n{str(error)[-3000:]}", pytrace=False)
    problems = labs.problems_in_stored(fresh) + labs.compare(stored, fresh)
    assert not problems, (f"{path.relative_to(ROOT)} no longer shows what it prints "
                          "(if the change is meant, run `make labs` and read the diff):\n" + "\n".join(problems))


# --- a changed output is caught, with a message that says where and how ---------------------------


def lab(*cells):
    """A small notebook as stored: (source, printed text, metadata, images) per code cell."""
    notebook = new_notebook()
    for count, (source, text, meta, images) in enumerate(cells, start=1):
        cell = new_code_cell(source, metadata={"lab": meta} if meta else {}, execution_count=count)
        cell.outputs = [new_output("stream", name="stdout", text=text)] if text else []
        cell.outputs += [new_output("display_data", data={"image/png": "iVBORw0KGgo="}) for _ in range(images)]
        notebook.cells.append(cell)
    return notebook


STORED = lab(
    ("print(model.count_params())", "params (8, 8, 16) 6,090\n", {"compare": "exact"}, 0),
    ("train()", "test accuracy 0.98\n", {"compare": {"abs": 0.02}}, 0),
    ("plot()", "", {"alt": ["curves"]}, 1),
    ("print(epoch_seconds)", "12.3 s\n", {}, 0),
)


def changed(cell: int, text: str | None = None, images: int | None = None):
    notebook = copy.deepcopy(STORED)
    target = labs.code_cells(notebook)[cell]
    if text is not None:
        target.outputs[0]["text"] = text
    if images is not None:
        target.outputs = [new_output("display_data", data={"image/png": "iVBORw0KGgo="}) for _ in range(images)]
    return notebook


def test_the_same_outputs_match():
    assert labs.compare(STORED, copy.deepcopy(STORED)) == []


@pytest.mark.parametrize(("cell", "text", "message"), [
    (0, "params (8, 8, 16) 6,091\n", "code cell 1 ('print(model.count_params())'): the text differs"),
    (0, "params (8, 8, 32) 6,090\n", "code cell 1 ('print(model.count_params())'): the text differs"),
    (1, "test accuracy 0.95\n", "code cell 2 ('train()'): line 1: 0.95 is not within ±0.02 of the shown 0.98"),
    (1, "test loss 0.98\n", "code cell 2 ('train()'): line 1: the text around the numbers differs"),
    (1, "test accuracy 0.98\nwarning\n", "code cell 2 ('train()'): 2 lines printed, 1 shown"),
], ids=["parameter-count", "shape", "metric-beyond-tolerance", "text-of-a-metric", "extra-line"])
def test_a_changed_key_output_is_caught_naming_the_cell_and_both_texts(cell, text, message):
    problems = labs.compare(STORED, changed(cell, text))
    assert len(problems) == 1 and problems[0].startswith(message), problems
    assert "stored: " in problems[0] and f"now:    {text.strip()!r}" in problems[0]


def test_a_metric_within_its_tolerance_and_an_uncompared_cell_pass():
    assert labs.compare(STORED, changed(1, "test accuracy 0.99\n")) == []
    assert labs.compare(STORED, changed(3, "14.8 s\n")) == []


def test_a_plot_that_is_no_longer_drawn_is_caught():
    assert labs.compare(STORED, changed(2, images=0)) == ["code cell 3 ('plot()'): draws 0 images, 1 stored"]


def test_changed_code_is_caught_before_any_output():
    notebook = copy.deepcopy(STORED)
    labs.code_cells(notebook)[0].source = "print(other)"
    assert labs.compare(STORED, notebook) == ["the code cells of the two notebooks differ"]


@pytest.mark.parametrize(("spoil", "message"), [
    (lambda c: c.outputs.append(new_output("stream", name="stderr", text="oneDNN custom operations are on")),
     "code cell 1 wrote to stderr: 'oneDNN custom operations are on'"),
    (lambda c: c.outputs.append(new_output("error", ename="ValueError", evalue="", traceback=[])),
     "code cell 1 stored an error: ValueError"),
    (lambda c: c.update(execution_count=None), "code cell 1 has not been run"),
    (lambda c: c.outputs.append(new_output("display_data", data={"image/png": "iVBORw0KGgo="})),
     "code cell 1 draws 1 images and gives 0 alt texts"),
], ids=["stderr", "error", "not-run", "image-without-alt"])
def test_a_stored_lab_with_stderr_an_error_or_an_image_without_alt_is_refused(spoil, message):
    notebook = copy.deepcopy(STORED)
    spoil(labs.code_cells(notebook)[0])
    assert labs.problems_in_stored(notebook) == [message]


def test_the_build_refuses_such_a_lab_and_names_it(tmp_path):
    from mkdocs.exceptions import PluginError

    notebook = copy.deepcopy(STORED)
    labs.code_cells(notebook)[0].outputs.append(new_output("stream", name="stderr", text="W0000 cuda"))
    path = tmp_path / "bad.ipynb"
    path.write_text(nbformat.writes(notebook))
    page = SimpleNamespace(file=SimpleNamespace(src_uri="labs/bad.ipynb", abs_src_path=str(path)))
    with pytest.raises(PluginError, match=r"labs/bad.ipynb: code cell 1 wrote to stderr.*run `make labs`"):
        labs.page_html("<h1>Bad</h1>", page)


def test_the_rendered_lab_gets_its_alt_texts_and_loses_the_cdn_loaders(tmp_path):
    path = tmp_path / "good.ipynb"
    path.write_text(nbformat.writes(STORED))
    page = SimpleNamespace(file=SimpleNamespace(src_uri="labs/good.ipynb", abs_src_path=str(path)))
    html = ('<h1>Good</h1><!-- Load mathjax -->\n<script src="https://cdnjs.cloudflare.com/x.js"></script>'
            '<!-- End of mathjax configuration -->'
            '<img alt="No description has been provided for this image" src="data:image/png;base64,x">')
    out = labs.page_html(html, page)
    assert "cdnjs" not in out and '<img alt="curves" src=' in out and 'href="good.ipynb" download' in out


def test_a_kernel_run_that_prints_something_else_fails_the_comparison(tmp_path):
    """End to end without Keras: a stored output, a real kernel, a different result."""
    stored = lab(('print("shape", (2, 3)); print(f"loss {0.5:.2f}")', "shape (2, 3)\nloss 0.40\n",
                  {"compare": {"abs": 0.05}}, 0))
    fresh = labs.execute(copy.deepcopy(stored), tmp_path)
    assert labs.compare(stored, fresh) == [
        """code cell 1 ('print("shape", (2, 3)); print(f"loss {0.5:.2f}")'): line 2: 0.50 is not within ±0.05 """
        "of the shown 0.40\n  stored: 'shape (2, 3)\\nloss 0.40'\n  now:    'shape (2, 3)\\nloss 0.50'"]


def test_the_kernel_runs_keras_on_tensorflow_in_its_workdir_whatever_the_caller_has_set(tmp_path, monkeypatch):
    from site_hooks.notebook_kernel import KERNEL_ENV, execute

    monkeypatch.setenv("KERAS_BACKEND", "jax")
    monkeypatch.setenv("DLV_CALLER", "kept")
    notebook = new_notebook(cells=[new_code_cell(
        'import os, pathlib; print(os.environ["KERAS_BACKEND"], os.environ["DLV_CALLER"], pathlib.Path.cwd().name)')])
    execute(notebook, tmp_path)
    assert labs.printed(notebook.cells[0]) == f"{KERNEL_ENV['KERAS_BACKEND']} kept {tmp_path.name}\n"
    assert KERNEL_ENV["KERAS_BACKEND"] == "tensorflow"


def test_the_kernel_is_stopped_and_leaves_no_file_behind(tmp_path, monkeypatch):
    """A kernel left running holds its imports (TensorFlow: hundreds of MB) until the test worker
    ends, and a connection file left in the temp folder piles up, one per notebook run."""
    import tempfile

    import psutil
    from site_hooks.notebook_kernel import execute

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    notebook = new_notebook(cells=[new_code_cell('import os; print(os.getpid())')])
    execute(notebook, tmp_path / "temp")
    kernel_pid = int(labs.printed(notebook.cells[0]))
    assert not psutil.pid_exists(kernel_pid) or psutil.Process(kernel_pid).status() == psutil.STATUS_ZOMBIE
    assert list((tmp_path / "temp").iterdir()) == []
