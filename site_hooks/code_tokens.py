"""Fewer elements per line of code (MkDocs hook).

Pygments wraps every token of a code block in a span, and the long chapters carry
thousands of them: most of a page's DOM, and most of the style and layout work a phone
does when it opens the page. Two kinds of span change nothing on screen, because Material
gives them no colour of their own: names (`.n`, drawn in `--md-code-hl-name-color`, which
Material sets to the code colour itself) and whitespace (`.w`). This hook unwraps them; the
text, and what the copy button copies, stay the same.
"""

from __future__ import annotations

import re

# A span of one of these classes with plain text inside (no nested markup).
UNSTYLED = re.compile(r'<span class="(?:n|w)">([^<]*)</span>')
CODE = re.compile(r"(<code[^>]*>)(.*?)(</code>)", re.DOTALL)
# The code cells of a lab (a notebook rendered by mkdocs-jupyter, site_hooks/labs.py): no <code>.
LAB_CODE = re.compile(r'(<div class="highlight-ipynb[^"]*"><pre>)(.*?)(</pre>)', re.DOTALL)


def unwrap(html: str) -> str:
    for pattern in (CODE, LAB_CODE):
        html = pattern.sub(lambda m: m.group(1) + UNSTYLED.sub(r"\1", m.group(2)) + m.group(3), html)
    return html


def on_page_content(html, page, config, files):
    return unwrap(html)
