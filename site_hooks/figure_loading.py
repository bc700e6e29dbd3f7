"""Figures sized, and fetched when the reader comes near them (MkDocs hook).

A chapter's figures are SVG files drawn by its blocks (verifier/figures.py), some of them
hundreds of kilobytes of points, and a figure with one tab per backend ships three of them.
A phone fetched and drew every one at load, hidden tabs included. This hook gives each image
of a page:

- `width` and `height` from the SVG's own size (points, 4/3 px each), so the page keeps its
  layout while figures arrive (the stylesheet still scales them to the column);
- `loading="lazy"` and `decoding="async"`, except the page's first image, which may be in the
  first screen (a lazy image there would arrive later than it does now).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

IMAGE = re.compile(r"<img\b[^>]*>")
SOURCE = re.compile(r'\bsrc="([^"]+\.svg)"')
SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)(pt|px)?"[^>]*?\bheight="([\d.]+)(pt|px)?"')
PX_PER = {"pt": 4 / 3, "px": 1.0, None: 1.0}


def svg_size(svg: Path) -> tuple[int, int] | None:
    """The SVG's width and height in CSS pixels, from its root element (None when it has none)."""
    with svg.open(encoding="utf-8", errors="replace") as file:
        head = file.read(4096)
    m = SVG_SIZE.search(head)
    if not m:
        return None
    return round(float(m[1]) * PX_PER[m[2]]), round(float(m[3]) * PX_PER[m[4]])


def with_loading(html: str, page_dir: Path) -> str:
    """`html` (a page's content, whose relative links start at `page_dir` in docs/) with every
    image sized and, after the first, lazily fetched."""
    first = True

    def mark(m: re.Match) -> str:
        nonlocal first
        tag = m.group(0)
        extra = []
        source = SOURCE.search(tag)
        if source and " width=" not in tag and " height=" not in tag:
            svg = (page_dir / unquote(source[1])).resolve()
            # A missing figure is left to the link check (tests/links.py), which names the page's line.
            size = svg_size(svg) if svg.is_file() else None
            if size:
                extra.append(f'width="{size[0]}" height="{size[1]}"')
        if not first and " loading=" not in tag:
            extra.append('loading="lazy" decoding="async"')
        first = False
        if not extra:
            return tag
        body, closing = (tag[:-2], " />") if tag.endswith("/>") else (tag[:-1], ">")
        return f"{body.rstrip()} {' '.join(extra)}{closing}"

    return IMAGE.sub(mark, html)


def on_page_content(html, page, config, files):
    if "<img" not in html:
        return html
    # Relative links in the built page start at its own URL's folder, mirrored under docs/.
    return with_loading(html, Path(config["docs_dir"]) / page.url)
