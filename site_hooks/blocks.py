"""Mark rendered Python blocks for the reader (MkDocs hook).

- A block that continues the one above (`<!--pytest-codeblocks:cont-->`) gets a visible cue:
  pasted alone it would fail, so the reader must see that it needs the blocks before it.
- A block that proves a correction (`<!--pytest.mark.correction(...)-->`) gets the anchor
  that the page "Common mistakes, corrected" links to. The anchor is written into the
  Markdown (an empty `<div id=... markdown>`, which md_in_html turns into an element), so
  that MkDocs' own link validation sees it.

The n-th Python block of the HTML is the n-th block the verifier's parser finds; when the
two counts differ (the stamp then reports it), the page is left as it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from site_hooks.stamps import PYTHON_BLOCK  # noqa: E402
from verifier.markdown import COMMENT, Cell, MarkdownError, parse_page, split_lines  # noqa: E402

CONT_CUE = ('<p class="dlv-cont"><span aria-hidden="true">↳</span> Continues the block above: '
            "run the blocks before it first.</p>")


def correction_anchor(ordinal: int) -> str:
    """The id of the `ordinal`-th (1-based) correction block of a page."""
    return f"mistake-{ordinal}"


def correction_cells(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if "correction" in c.marks]


def add_correction_anchors(markdown: str, path: Path) -> str:
    """The page's Markdown with an anchor above each correction block (above its markers)."""
    try:
        cells = parse_page(path, markdown)
    except MarkdownError:
        return markdown  # the verifier reports it with its line
    lines = split_lines(markdown)
    for ordinal, cell in reversed(list(enumerate(correction_cells(cells), start=1))):
        top = cell.fence_line - 1  # 0-based index of the fence
        while top > 0 and COMMENT.match(lines[top - 1]):
            top -= 1
        anchor = f'{cell.indent}<div class="dlv-anchor" id="{correction_anchor(ordinal)}" markdown></div>'
        lines[top:top] = [anchor, ""]
    return "\n".join(lines) + "\n"


def add_continuation_cues(html: str, cells: list[Cell]) -> str:
    """The page's HTML with a cue above each block that continues the one before it."""
    starts = [m.start() for m in PYTHON_BLOCK.finditer(html)]
    if len(starts) != len(cells):
        return html
    pieces, last = [], 0
    for start, cell in zip(starts, cells):
        pieces.append(html[last:start])
        if cell.cont:
            pieces.append(CONT_CUE)
        last = start
    pieces.append(html[last:])
    return "".join(pieces)


def on_page_markdown(markdown, page, config, files):
    if "pytest.mark.correction" not in markdown:
        return markdown
    return add_correction_anchors(markdown, Path(config["docs_dir"]) / page.file.src_uri)


def on_page_content(html, page, config, files):
    source = Path(config["docs_dir"]) / page.file.src_uri
    if not PYTHON_BLOCK.search(html) or not source.is_file():
        return html
    try:
        cells = parse_page(source)
    except MarkdownError:
        return html  # the verifier reports it with its line
    return add_continuation_cues(html, cells)
