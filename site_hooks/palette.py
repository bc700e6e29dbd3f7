"""A reader's first visit is drawn in their system's colour scheme from the first paint (MkDocs hook).

The palette's first option follows the system (`media: "(prefers-color-scheme)"`, mkdocs.yml).
Material's inline script applies a palette the reader has chosen before, at once; with none
chosen, the page is drawn light until Material's JavaScript has loaded and switches a dark
system to the dark scheme. A dark reader saw a light flash; and code blocks not yet drawn
(`content-visibility: auto`, docs/assets/extra.css) kept the light colours for a script that
asked: axe did, in tests/test_browser.py, in about one dark load in seven. Here the
inline script treats "nothing chosen" as "follow the system", the same choice Material's
JavaScript then makes, so the scheme is set before the first paint.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError

FOLLOWS_THE_SYSTEM = "(prefers-color-scheme)"
MATERIAL = 'var palette=__md_get("__palette");'
FIRST_VISIT = 'var palette=__md_get("__palette")||{color:{media:"(prefers-color-scheme)"}};'


def follows_the_system(config) -> bool:
    palette = config["theme"].get("palette") or []
    first = palette[0] if isinstance(palette, list) and palette else palette
    return isinstance(first, dict) and first.get("media") == FOLLOWS_THE_SYSTEM


def on_post_page(output, page, config):
    if not follows_the_system(config):
        return output
    if MATERIAL not in output:
        raise PluginError(f"{page.file.src_uri}: Material's palette script changed, site_hooks/palette.py "
                          f"expects: {MATERIAL}")
    return output.replace(MATERIAL, FIRST_VISIT, 1)
