"""Keep the search index to the prose (MkDocs hook).

Material's search indexes every word of a page, and every page fetches the index when it
opens. Code blocks, their outputs, display formulas (MathML, whose letters read as noise)
and the verification stamps were more than half of it. This hook marks them with
Material's `data-search-exclude`, so the index holds the text a reader searches: prose,
headings, inline code and inline math.
"""

from __future__ import annotations

import re

EXCLUDED = re.compile(r'<div class="(?:language-[\w-]+ highlight|arithmatex|dlv-stamp[^"]*)"')


def on_page_content(html, page, config, files):
    return EXCLUDED.sub(lambda match: match.group(0) + " data-search-exclude", html)
