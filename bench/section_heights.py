"""Fit the weights that site_hooks/lazy_sections.py estimates a section's height with.

    .venv/bin/python bench/section_heights.py SITE     # a site built by `mkdocs build`

Every section (`div.dlv-lazy`) of every page is drawn at a phone's width (412 px) and at a
desktop's (1280 px) and measured; its contents are counted as the hook counts them. The script
prints the weights that fit the drawn heights best (least squares, none negative), to copy into
the hook's WEIGHTS, and how far the hook's current estimates are from the drawn heights.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "site_hooks")]
import lighthouse  # noqa: E402  (this folder's server and page list)
from lazy_sections import COLUMN, WEIGHTS, Contents, top_level  # noqa: E402

WIDTHS = {"phone": {"width": 412, "height": 823}, "wide": {"width": 1280, "height": 720}}
FEATURES = [counted.name for counted in fields(Contents) if counted.name != "figures"]  # figures: their drawn size
DRAWN = """() => [...document.querySelectorAll('.dlv-lazy')].map(section => {
    section.style.contentVisibility = 'visible';
    return section.getBoundingClientRect().height;
})"""


def sections_of(html: str) -> list[Contents]:
    """What each section of a built page holds, counted as the hook counts it."""
    start = html.index('<article class="md-content__inner md-typeset">') + len('<article class="md-content__inner md-typeset">')
    article = html[start: html.rindex("</article>")]
    offsets, tags, contents = top_level(article)
    found = []
    for offset, content in zip(offsets, contents):
        if article.startswith('<div class="dlv-lazy"', offset):
            found.append(content)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    site = parser.parse_args().site
    from playwright.sync_api import sync_playwright

    httpd, base = lighthouse.serve(site)
    rows = []  # (width, page, Contents, drawn height)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
        for width, viewport in WIDTHS.items():
            page = browser.new_page(viewport=viewport)
            for path in lighthouse.pages_of(site):
                html = (site / path.strip("/") / "index.html").read_text(encoding="utf-8")
                if 'class="dlv-lazy"' not in html:
                    continue
                page.goto(base + path)
                page.evaluate("document.fonts.ready")
                heights = page.evaluate(DRAWN)
                contents = sections_of(html)
                assert len(heights) == len(contents), (path, len(heights), len(contents))
                rows += [(width, path, c, h) for c, h in zip(contents, heights)]
            page.close()
        browser.close()
    httpd.shutdown()
    for width in WIDTHS:
        mine = [(c, h) for w, _, c, h in rows if w == width]
        paths = [path for w, path, _, _ in rows if w == width]
        figures = np.array([sum(fh * min(1.0, COLUMN[width] / fw) for fw, fh in c.figures if fw > 0) for c, _ in mine])
        x = np.array([[getattr(c, name) for name in FEATURES] + [1.0] for c, _ in mine])
        y = np.array([h for _, h in mine]) - figures
        weights, _ = nnls(x, y)
        fitted = {name: round(float(w), 2) for name, w in zip(FEATURES + ["base"], weights)}
        now = [(c.estimate(width), h) for c, h in mine]
        print(f"{width}: {len(mine)} sections; fitted weights {fitted}")
        worst = sorted(((abs(e - h) / h, path, e, round(h)) for (e, h), path in zip(now, paths)), reverse=True)[:5]
        print(f"  worst sections (error, page, estimate, drawn): {[(f'{err:.0%}', p, e, h) for err, p, e, h in worst]}")
        print(f"  current estimates: median error {statistics.median(abs(e - h) / h for e, h in now):.0%}, "
              f"pages' totals off by at most {max_total_error(rows, width):.0%}")


def max_total_error(rows, width) -> float:
    pages = {}
    for w, path, c, h in rows:
        if w == width:
            estimate, drawn = pages.get(path, (0, 0))
            pages[path] = (estimate + c.estimate(width), drawn + h)
    worst = max(pages, key=lambda path: abs(pages[path][0] - pages[path][1]) / pages[path][1])
    print(f"  page whose total is furthest off: {worst}, estimated {pages[worst][0]} px, drawn {round(pages[worst][1])} px")
    return max(abs(e - d) / d for e, d in pages.values())


if __name__ == "__main__":
    main()
