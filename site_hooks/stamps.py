"""Stamp every page that has code with the backends whose verification run passed it (MkDocs hook).

The stamp comes from `.verification/<backend>.json`, written by the test run of this
checkout (see verifier/results.py). With `DLV_REQUIRE_STAMPS=1` (the publishing build),
a page that has blocks but no passing result on every backend fails the build.
"""

from __future__ import annotations

import os
import posixpath
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from verifier import results  # noqa: E402
from verifier.markdown import count_python_fences  # noqa: E402

BACKENDS = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
_results: dict[str, dict] = {}


def on_pre_build(config):
    _results.clear()
    _results.update(results.load(ROOT))


def stamp(page_uri: str, blocks: int) -> tuple[str, list[str]]:
    """The stamp's Markdown for a page with `blocks` Python fences, and what is missing."""
    passed, problems, ran = [], [], 0
    for backend, name in BACKENDS.items():
        tally = _results.get(backend, {}).get(page_uri)
        if tally is None:
            problems.append(f"{name}: not run")
        elif tally["failed"]:
            problems.append(f"{name}: {tally['failed']} blocks failed")
        else:
            passed.append(name)
            ran = max(ran, tally["ran"])
            when = f"Keras {tally['keras']}, {tally['date']}"
    how = posixpath.relpath("index.md", posixpath.dirname(page_uri) or ".")
    if passed:
        text = (f":material-check-decagram: **Verified** on {', '.join(passed)}: "
                f"{ran} code blocks ran and every output and assertion on this page held ({when}).")
    else:
        text = ":material-alert-decagram: **Not verified in this build.**"
    if problems:
        text += " " + "; ".join(problems) + "."
    text += f" [How pages are verified]({how}#how-every-page-is-verified)"
    kind = "dlv-stamp" if not problems else "dlv-stamp dlv-stamp--partial"
    return f'<div class="{kind}" markdown>\n{text}\n</div>\n', problems


def on_page_markdown(markdown, page, config, files):
    blocks = count_python_fences(markdown)
    if not blocks:
        return markdown
    html, problems = stamp(page.file.src_uri, blocks)
    if problems and os.environ.get("DLV_REQUIRE_STAMPS") == "1":
        raise PluginError(f"{page.file.src_uri} is not verified on every backend: {'; '.join(problems)}")
    lines = markdown.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("# "):
            lines.insert(i + 1, "\n" + html + "\n")
            break
    else:
        lines.insert(0, html + "\n")
    return "".join(lines)
