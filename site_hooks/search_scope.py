"""Keep the search index to the prose, and cheap to build (MkDocs hook).

Material's search indexes every word of a page, and every page fetches the index when it
opens. Code blocks, their outputs, display formulas (MathML, whose letters read as noise),
the verification stamps and the labs' code cells with their outputs (mkdocs-jupyter) were more
than half of it. This hook marks them with
Material's `data-search-exclude`, so the index holds the text a reader searches: prose,
headings, inline code and inline math.

Material's indexer still parses a marked element, tag by tag, to skip it, and highlighted
code is most of a page's HTML: that parse was about a third of a full build. So the indexer
is shown the page without the marked elements (the index is the same) and the page keeps
its full HTML.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority

EXCLUDED = re.compile(r'<div class="(?:language-[\w-]+ highlight|arithmatex|dlv-stamp[^"]*|jp-Cell jp-CodeCell[^"]*)"')
MARKED_START = re.compile(r"<(\w+)\b[^>]*?\sdata-search-exclude(?=[\s=/>])[^>]*>")
MARK = re.compile(r"\s?data-search-\w+(?:=\"[^\"]+\")?(?=[\s/>])")


def on_page_content(html, page, config, files):
    return EXCLUDED.sub(lambda match: match.group(0) + " data-search-exclude", html)


def without_marked(html: str, where: str = "the page") -> str:
    """`html` without the elements marked `data-search-exclude` (nested elements of the same name counted)."""
    kept, position = [], 0
    while (start := MARKED_START.search(html, position)) is not None:
        kept.append(html[position:start.start()])
        tag, depth = start.group(1), 1
        for match in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start.end():]):
            depth += -1 if match.group(1) else 1
            if depth == 0:
                position = start.end() + match.end()
                break
        else:
            line = html.count("\n", 0, start.start()) + 1
            raise PluginError(f"{where}: the <{tag}> marked data-search-exclude at line {line} of its HTML is never "
                              "closed, so the search index cannot skip it")
    kept.append(html[position:])
    return "".join(kept)


@event_priority(50)  # before Material's search plugin (priority 0) indexes page.content
def _show_the_indexer_the_prose(context, page, config, nav):
    page.dlv_full_content = page.content
    page.content = without_marked(page.content, page.file.src_uri)
    return context


@event_priority(-50)  # after it: the page is rendered with its full HTML, marks removed as Material does
def _render_the_full_page(context, page, config, nav):
    page.content = MARK.sub("", page.dlv_full_content)
    del page.dlv_full_content
    return context


on_page_context = CombinedEvent(_show_the_indexer_the_prose, _render_the_full_page)
