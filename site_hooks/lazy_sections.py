"""A chapter's sections are drawn when the reader comes near them (MkDocs hook).

A long chapter is 5,000-8,000 elements, and Material restyles the whole page five or six
times while it sets itself up (its palette, its links, its tables); on a phone that was most of
the page's blocking time (Lighthouse mobile, gradient descent: Total Blocking Time 0.44 s).
This hook cuts the content between two headings into parts of about a phone's screen, and wraps
each part, all but the chapter's opening screen, in `<div class="dlv-lazy">`, which the
stylesheet gives `content-visibility: auto`: the browser styles and lays out only the parts near
the screen. Headings stay outside the wrappers, so the table of contents measures them without
drawing what lies between. (Whole sections, before they were cut into parts: gradient descent's
Total Blocking Time 0.44 -> 0.12 s; the parts took the chapters that were still at 91-94 to 95-98.)

Until a section is drawn it takes a height, which this hook estimates from what the section
holds (`--dlv-estimate` at a phone's width, `--dlv-estimate-wide` at a desktop's): characters of
text, blocks of text, lines of code, display formulas, table rows, figures at their drawn
size, and collapsed `<details>` (only the summary counts), with the first tab of each set of
content tabs. The weights were fitted to the sections' drawn heights (bench/section_heights.py);
tests/test_browser.py checks that the estimates stay close. Once drawn, a section keeps its
real height (`contain-intrinsic-block-size: auto`), and docs/assets/lazy_sections.js brings it
back when the reader returns, so the page comes back to where the reader was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from html.parser import HTMLParser

from mkdocs.exceptions import PluginError

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = {"p", "li", "dt", "dd", "h4", "h5", "h6", "summary", "blockquote"}

# A run of elements between two headings is drawn in parts of at least this estimated height at
# a phone's width (a phone's screen is about 700-900 px).
PART = 900
# Width (CSS px) of a paragraph of the article on a 412 px phone and on a 1280 px desktop.
COLUMN = {"phone": 344, "wide": 652}
# px per unit of each feature, fitted by bench/section_heights.py to the drawn heights.
WEIGHTS = {
    "phone": {"chars": 0.57, "blocks": 22.6, "code_lines": 18.5, "math": 67.5, "rows": 58.1, "details": 29.3},
    "wide": {"chars": 0.31, "blocks": 23.1, "code_lines": 19.5, "math": 68.8, "rows": 45.9, "details": 32.3},
}




@dataclass
class Contents:
    """What a run of HTML shows before the reader opens or switches anything."""

    chars: int = 0
    blocks: int = 0
    code_lines: int = 0
    code_blocks: int = 0  # counted for bench/section_heights.py, which fits it a weight of 0
    math: int = 0
    rows: int = 0
    details: int = 0
    admonitions: int = 0  # likewise
    figures: list[tuple[float, float]] = field(default_factory=list)  # (width, height) in px

    def add(self, other: Contents) -> None:
        for counted in fields(self):
            setattr(self, counted.name, getattr(self, counted.name) + getattr(other, counted.name))

    def estimate(self, width: str) -> int:
        weights = WEIGHTS[width]
        height = sum(weight * getattr(self, name) for name, weight in weights.items())
        height += sum(h * min(1.0, COLUMN[width] / w) for w, h in self.figures if w > 0)
        return round(height)


class _Reader(HTMLParser):
    """Counts what each top-level element of a page's HTML shows, and where each one starts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        # One entry per open element: its tag, whether it is hidden, and for a set of content
        # tabs, how many tabs it has opened so far.
        self.stack: list[list] = []
        self.tops: list[tuple[tuple[int, int], str]] = []
        self.counts: list[Contents] = []  # one per top-level element

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def inside(self, tag: str) -> bool:
        return any(entry[0] == tag for entry in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if not self.stack:
            self.tops.append((self.getpos(), tag))
            self.counts.append(Contents())
        hidden = self.hidden
        if self.stack and self.stack[-1][0] == "details" and tag != "summary":
            hidden = True  # a closed <details> shows its summary only
        if "tabbed-block" in classes:
            tab_set = next((entry for entry in reversed(self.stack) if entry[2] is not None), None)
            if tab_set is not None:
                tab_set[2] += 1
                hidden = hidden or tab_set[2] > 1  # the first tab is the one shown
        if not hidden:
            self._count(tag, attributes, classes)
        if tag not in VOID:
            name = "details (open)" if tag == "details" and "open" in attributes else tag
            self.stack.append([name, hidden, 0 if "tabbed-set" in classes else None])

    def _count(self, tag, attributes, classes):
        here = self.counts[-1]
        if tag in BLOCKS:
            here.blocks += 1
        elif tag == "pre":
            here.code_blocks += 1
        elif tag == "tr":
            here.rows += 1
        elif tag == "details":
            here.details += 1
        elif tag == "div" and "arithmatex" in classes:
            here.math += 1
        elif tag == "div" and "admonition" in classes:
            here.admonitions += 1
        elif tag == "img":
            try:
                here.figures.append((float(attributes.get("width") or 0), float(attributes.get("height") or 0)))
            except ValueError:
                pass

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        names = [entry[0].split(" ")[0] for entry in self.stack]
        if tag not in names:
            line, column = self.getpos()
            raise PluginError(f"lazy_sections.py: </{tag}> at line {line}, column {column + 1} of the page's "
                              "content closes no element")
        del self.stack[len(names) - 1 - names[::-1].index(tag):]  # with any element left open inside it

    def handle_data(self, data):
        if not self.counts or self.hidden:
            return
        if self.inside("pre"):
            self.counts[-1].code_lines += data.count("\n")
        elif self.inside("math"):
            self.counts[-1].chars += len(data.strip())
        else:
            self.counts[-1].chars += len(" ".join(data.split()))


def top_level(html: str) -> tuple[list[int], list[str], list[Contents]]:
    """The offset where each top-level element of `html` starts, its tag, and what it shows."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    if reader.stack:
        raise PluginError(f"lazy_sections.py: <{reader.stack[-1][0]}> is never closed in the page's content")
    line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
    offsets = [line_starts[line - 1] + column for (line, column), _ in reader.tops]
    return offsets, [tag for _, tag in reader.tops], reader.counts


def parts(run: list[int], contents: list[Contents]) -> list[list[int]]:
    """A run of elements cut into parts of about a phone's screen or more (an element is not cut):
    a long section is drawn part by part as the reader comes near each."""
    found, current, height = [], [], 0
    for i in run:
        current.append(i)
        height += contents[i].estimate("phone")
        if height >= PART:
            found.append(current)
            current, height = [], 0
    return found + [current] if current else found


def wrapped(runs_html: str, contents: list[Contents]) -> str:
    total = Contents()
    for part in contents:
        total.add(part)
    return (f'<div class="dlv-lazy" style="--dlv-estimate: {total.estimate("phone")}px; '
            f'--dlv-estimate-wide: {total.estimate("wide")}px">\n{runs_html.strip()}\n</div>\n')


def with_lazy_sections(html: str) -> str:
    """`html` (a page's content) with each run of elements between two headings cut into parts,
    each wrapped in a `div.dlv-lazy` that carries its estimated heights, except the first part
    before the first `<h2>`."""
    offsets, tags, contents = top_level(html)
    ends = offsets[1:] + [len(html)]
    out = [html[: offsets[0]] if offsets else html]
    run: list[int] = []  # indices of the top-level elements in the current run
    after_first_section = False  # before the first <h2>, the first part is left as it is

    def close_run():
        for n, part in enumerate(parts(run, contents)):
            body = html[offsets[part[0]]: ends[part[-1]]]
            # The first part of the chapter's opening, on the first screen, is drawn at once anyway.
            out.append(wrapped(body, [contents[i] for i in part]) if after_first_section or n else body)
        run.clear()

    for i, tag in enumerate(tags):
        if tag in HEADINGS:
            close_run()
            after_first_section = after_first_section or tag == "h2"
            out.append(html[offsets[i]: ends[i]])
        else:
            run.append(i)
    close_run()
    return "".join(out)


def on_page_content(html, page, config, files):
    # A lab (a notebook, site_hooks/labs.py) is 1,300 elements; its outputs' images have no size
    # in the HTML, so estimated parts all came near the screen at once and were drawn one after
    # another (Lighthouse mobile, cnn-on-digits: Total Blocking Time 0.42 s, 0.00-0.08 s without).
    if page.file.src_uri.endswith(".ipynb"):
        return html
    try:
        return with_lazy_sections(html)
    except PluginError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None
