"""Accessible names for two parts of Material's page that lack them, and code blocks reachable
by keyboard before Material mounts them (MkDocs hook).

axe-core (tests/test_browser.py) reports Material's search dialog and its progress bar
for instant navigation as unnamed. Each fix below names the markup it expects; if a new
Material release changes that markup, the build fails here instead of the fix silently
lapsing. Parts that Material's JavaScript creates are named by docs/assets/accessibility.js.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

FIXES = {
    '<div class="md-search" data-md-component="search" role="dialog">':
        '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">',
    # A purely visual loading bar for instant navigation; the page change itself is announced.
    '<div class="md-progress" data-md-component="progress" role="progressbar">':
        '<div class="md-progress" data-md-component="progress" role="progressbar" aria-label="Loading the page" aria-hidden="true">',
}


def on_post_page(output, page, config):
    for markup, fixed in FIXES.items():
        component = markup.split(" data-md-component=")[1].split(" ")[0]  # absent when switched off
        if markup not in output and f"data-md-component={component}" in output:
            raise PluginError(f"{page.file.src_uri}: Material's markup changed, site_hooks/accessibility.py "
                              f"expects: {markup}")
        output = output.replace(markup, fixed, 1)
    return output


# Material mounts a code block when it scrolls into view (the `content.lazy` feature, mkdocs.yml),
# and only then makes it focusable if it scrolls sideways; until then a keyboard user could not
# reach such a block, and axe says so. Every block starts focusable; Material takes the tab stop
# away from the blocks that do not scroll as it mounts them.
CODE = re.compile(r'(<div class="language-[\w-]+ highlight"[^>]*><pre>(?:<span></span>)?)<code>')


# A display formula wider than the screen scrolls sideways, and so must be reachable by keyboard.
# The screen's width is known only in the browser, where docs/assets/accessibility.js takes the
# tab stop away from the formulas that do not scroll once they are drawn; until then every
# formula has one (measuring a formula not yet drawn would make the browser draw its part).
DISPLAY_MATH = re.compile(r'<div class="arithmatex"(?=[\s>])')


def on_page_content(html, page, config, files):
    html = DISPLAY_MATH.sub(r'\g<0> tabindex="0"', html)
    return CODE.sub(r'\1<code tabindex="0">', html)
