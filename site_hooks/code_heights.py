"""Each code block's height, known before it is drawn (MkDocs hook).

Code blocks below the fold are not styled or laid out until they scroll near the view
(`content-visibility: auto`, docs/assets/extra.css): most of a long chapter's DOM is code, and
a phone then draws the first screen much sooner. Until a block is drawn it takes the height
that `contain-intrinsic-block-size` gives it; a guessed height made the page grow and shrink
as blocks were drawn, and the footer moved under the reader (and under Lighthouse's contrast
audit). Code lines do not wrap (a long line scrolls), so a block's height is its number of
lines times its line height: this hook writes the number of lines on each block's `<code>`
(`--dlv-lines`), and the stylesheet multiplies it by `1lh`.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

# A highlighted block: <pre><span></span><code tabindex="0">...</code> (pymdownx.highlight).
BLOCK = re.compile(r"(<pre[^>]*>(?:<span></span>)?<code)([^>]*)(>)(.*?)(</code>)", re.DOTALL)


def line_count(code: str) -> int:
    """Lines of a block's highlighted HTML (a block ends with a newline, or not)."""
    return code.count("\n") + (0 if code.endswith("\n") else 1)


def with_heights(html: str) -> str:
    def mark(m: re.Match) -> str:
        if "style=" in m.group(2):
            raise PluginError(f"code_heights.py: a code block already has a style attribute, "
                              f"which this hook would overwrite: {m.group(1) + m.group(2)}>")
        lines = line_count(m.group(4))
        return f'{m.group(1)}{m.group(2)} style="--dlv-lines: {lines}"{m.group(3)}{m.group(4)}{m.group(5)}'

    return BLOCK.sub(mark, html)


def on_page_content(html, page, config, files):
    return with_heights(html)
