"""Every chapter as a notebook: current with its page, and running top to bottom on a fresh kernel.

`make test-notebooks` runs this file (three kernels at a time); the rest of `tests/` does not.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from site_hooks import notebook  # noqa: E402
from verifier import results, shards  # noqa: E402


def heaviest_first(pages: list[Path]) -> list[Path]:
    """The chapters by the seconds their page took on TensorFlow (the notebooks' backend) in the
    last run, heaviest first, so that the run does not end on one long notebook."""
    weights = shards.weights_for(pages, notebook.DOCS, results.load(ROOT), "tensorflow")
    return [notebook.DOCS / name for name in shards.heaviest_first(weights)]


CHAPTERS = heaviest_first(notebook.chapters())


def test_every_chapter_with_code_has_its_current_notebook():
    stale = notebook.stale()
    assert not stale, "stale or missing notebooks (run `make notebooks` and commit them): " + \
        ", ".join(str(p.relative_to(ROOT)) for p in stale)


@pytest.mark.parametrize("page", CHAPTERS, ids=[str(p.relative_to(notebook.DOCS)) for p in CHAPTERS])
def test_the_notebook_runs_top_to_bottom_on_a_fresh_kernel(page, tmp_path):
    from nbclient.exceptions import CellExecutionError
    from site_hooks.notebook_kernel import execute

    nb = nbformat.reads(notebook.notebook_path(page).read_text(), as_version=4)
    try:
        execute(nb, tmp_path, timeout=180)
    except CellExecutionError as error:
        pytest.fail(f"{notebook.notebook_path(page).relative_to(ROOT)} fails on a fresh kernel "
                    f"(its page: {page.relative_to(ROOT)}):\n{str(error)[-3000:]}", pytrace=False)
    assert not any(path.suffix == ".ipynb" for path in tmp_path.iterdir())
