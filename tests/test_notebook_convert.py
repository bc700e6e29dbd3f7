"""A chapter becomes a notebook that runs on TensorFlow: what is kept, left out and rewritten."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from site_hooks import notebook, notebook_links  # noqa: E402

PAGE = '''# A page

Intro with [a link](../foundations/neuron.md#the-bias) and [this page](#a-section).

```python
x = 1
print(x)
```

<!--pytest-codeblocks:expected-output-->
```text
1
```

<!--pytest-codeblocks:cont-->
```python
y = x + 1
```

## A section

!!! warning "Pitfalls"

    **A trap.** Explained.

    ```python
    assert y == 2
    ```

=== "TensorFlow"

    <!--pytest.mark.backend("tensorflow")-->
    ```python
    z = "tf"
    ```

=== "JAX"

    <!--pytest.mark.backend("jax")-->
    ```python
    z = "jax"
    ```

<!--pytest.mark.skip(reason="downloads weights")-->
```python
download()
```

<!--pytest.mark.figure("figures/p.svg")-->
```python
import matplotlib.pyplot as plt

plt.plot([1, 2])
plt.savefig("p.svg")
```

![A line.](figures/p.svg)
'''


@pytest.fixture()
def converted(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    (docs / "part").mkdir(parents=True)
    page = docs / "part" / "page.md"
    page.write_text(PAGE)
    monkeypatch.setattr(notebook, "DOCS", docs)
    monkeypatch.setattr(notebook, "NOTEBOOKS", docs / "notebooks")
    return notebook.notebook_for(page)


def test_the_blocks_that_run_on_tensorflow_become_code_cells_in_page_order(converted):
    code = [cell.source for cell in converted.cells if cell.cell_type == "code"]
    assert "keras==" in code[0] and "pip" in code[0]  # the install cell comes first
    assert code[1:] == ["x = 1\nprint(x)", "y = x + 1", "assert y == 2", 'z = "tf"',
                        'import matplotlib.pyplot as plt\n\nplt.plot([1, 2])\nplt.savefig("p.svg")']


def test_outputs_markers_other_backends_and_figure_images_are_left_out(converted):
    prose = "\n".join(cell.source for cell in converted.cells[1:] if cell.cell_type == "markdown")
    for absent in ("<!--", "```text", '"jax"', "JAX", "figures/p.svg", '=== "'):
        assert absent not in prose, absent
    assert "# A page" not in prose and converted.cells[0].source.startswith("# A page\n")  # once, in the title cell


def test_a_block_the_page_does_not_run_is_shown_with_its_reason_not_run(converted):
    prose = "\n".join(cell.source for cell in converted.cells if cell.cell_type == "markdown")
    assert "*Not run on the page: downloads weights.*\n\n```python\ndownload()\n```" in prose
    assert all("download()" not in cell.source for cell in converted.cells if cell.cell_type == "code")


def test_admonitions_are_unwrapped_and_links_point_at_the_published_site(converted):
    prose = "\n".join(cell.source for cell in converted.cells if cell.cell_type == "markdown")
    assert "**Pitfalls**\n\n**A trap.** Explained." in prose  # dedented, or Jupyter shows it as code
    assert f"[a link]({notebook.SITE_URL}foundations/neuron/#the-bias)" in prose
    assert f"[this page]({notebook.SITE_URL}part/page/#a-section)" in prose


def test_a_chapter_page_links_its_notebook_and_colab(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    (docs / "notebooks" / "part").mkdir(parents=True)
    monkeypatch.setattr(notebook_links, "DOCS", docs)
    monkeypatch.setattr(notebook_links, "ROOT", tmp_path)
    monkeypatch.setattr(notebook_links, "notebook_path", lambda page: docs / "notebooks" / "part" / "page.ipynb")
    assert notebook_links.links("part/page.md", "../../") is None  # no notebook, no links
    (docs / "notebooks" / "part" / "page.ipynb").write_text("{}")
    html = notebook_links.links("part/page.md", "../../")
    assert 'href="../../notebooks/part/page.ipynb" download' in html
    assert f"colab.research.google.com/github/{notebook.REPOSITORY}/blob/main/docs/notebooks/part/page.ipynb" in html


def test_the_committed_notebooks_are_written_with_stable_cell_ids():
    page = notebook.chapters()[0]
    first, second = notebook.serialise(notebook.notebook_for(page)), notebook.serialise(notebook.notebook_for(page))
    assert first == second and '"id": "cell-0"' in first
