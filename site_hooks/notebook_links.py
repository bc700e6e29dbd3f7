"""Under each chapter's stamp: "Download notebook" and "Open in Colab" (MkDocs hook).

The notebooks are generated from the chapters and committed under docs/notebooks/
(site_hooks/notebook.py); MkDocs copies them into the site, and Colab opens them from the
repository. A chapter whose notebook is missing gets no links; the tests fail on it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from site_hooks.notebook import DOCS, REPOSITORY, notebook_path  # noqa: E402
from site_hooks.stamps import STAMP  # noqa: E402


def links(page_src_uri: str, home: str) -> str | None:
    """The links' HTML for a chapter, or None when it has no notebook."""
    target = notebook_path(DOCS / page_src_uri)
    if not target.is_file():
        return None
    in_site = target.relative_to(DOCS).as_posix()
    in_repository = target.relative_to(ROOT).as_posix()
    colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/{in_repository}"
    return (f'<p class="dlv-notebook" data-search-exclude><a href="{home}{in_site}" download>Download notebook</a> · '
            f'<a href="{colab}">Open in Colab</a> <small>(every block of this page as a Jupyter '
            f'notebook, on TensorFlow)</small></p>')


def on_page_content(html, page, config, files):
    found = links(page.file.src_uri, "../" * page.url.count("/"))
    if found is None or not STAMP.search(html):
        return html
    return STAMP.sub(lambda m: m.group(0) + found, html, count=1)
