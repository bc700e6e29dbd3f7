"""Render the pages' math to MathML at build time with Temml (MkDocs hook).

`pymdownx.arithmatex` (generic mode) leaves `\\(...\\)` and `\\[...\\]` in the page. This
hook replaces them with MathML once, when the site is built: browsers draw MathML
themselves, so a reader's browser runs no math script, and a formula costs a few elements
instead of KaTeX's hundreds of spans. Only Temml's stylesheet and a subset of Latin Modern
Math (site_hooks/mathfont.py) are shipped. A TeX error fails the build and names the page,
and so does a formula that needs a character the font subset lacks.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from site_hooks import mathfont  # noqa: E402

TEMML_DIST = ROOT / "node_modules" / "temml" / "dist"
RENDERER = Path(__file__).with_name("temml-render.mjs")
MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\])</(?P=tag)>',
    re.DOTALL,
)
STYLESHEET = "assets/math/temml.css"
# `make mathfont` sets this: write the font subset for the characters this build needs.
WRITE_FONT = os.environ.get("DLV_WRITE_MATHFONT") == "1"

_renderer: subprocess.Popen | None = None
_needed: dict[str, set[str]] = {}  # page -> characters its formulas draw


def _start() -> subprocess.Popen:
    global _renderer
    if _renderer is None or _renderer.poll() is not None:
        if not (TEMML_DIST / "temml.mjs").is_file():
            raise PluginError("Temml is not installed: run `npm ci` (make does it for you)")
        _renderer = subprocess.Popen(
            ["node", str(RENDERER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
    return _renderer


def render(tex: str, display: bool) -> str:
    """Temml's MathML for one formula; raises ValueError with Temml's message on bad TeX."""
    process = _start()
    process.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
    process.stdin.flush()
    answer = json.loads(process.stdout.readline())
    if "error" in answer:
        raise ValueError(answer["error"])
    return answer["mathml"]


def on_config(config):
    _needed.clear()
    if STYLESHEET not in config.extra_css:
        config.extra_css.insert(0, STYLESHEET)
    return config


def on_page_content(content, page, config, files):
    needed = _needed.setdefault(page.file.src_uri, set())

    def replace(match: re.Match) -> str:
        display = match["display"] is not None
        tex = html.unescape(match["display"] if display else match["inline"]).strip()
        try:
            mathml = render(tex, display)
        except ValueError as error:
            raise PluginError(f"{page.file.src_uri}: cannot render the formula `{tex}`: {error}") from None
        needed.update(mathfont.characters_needed(mathml))
        # A display formula keeps its wrapper, which scrolls sideways on a narrow screen.
        return f'<div class="arithmatex">{mathml}</div>' if display else mathml

    return MATH.sub(replace, content)


STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="(?P<folder>[^"]*)temml\.css">')


def on_post_page(output, page, config):
    """A page with formulas asks for the math font with its stylesheets, before the browser has
    laid out a formula: found later, through temml.css, the font arrived after the first layout
    and its taller glyphs moved the text below (layout shift 0.139 on the activations page)."""
    if "<math" not in output:
        return output
    link = STYLESHEET_LINK.search(output)
    if link is None:
        raise PluginError(f"{page.file.src_uri}: no link to {STYLESHEET} for the math font to go with")
    preload = (f'<link rel="preload" href="{link["folder"]}{mathfont.SUBSET.name}" as="font" '
               'type="font/woff2" crossorigin>')
    return output[:link.start()] + preload + output[link.start():]


def on_post_build(config):
    needed = set().union(*_needed.values())
    if WRITE_FONT:
        size = mathfont.write_subset(needed)
        print(f"math font: {len(needed)} characters, {size:,} bytes in {mathfont.SUBSET.relative_to(ROOT)}")
    # Characters Latin Modern Math lacks altogether fall back to another font; nothing to mend.
    in_font, drawable = mathfont.covered(), mathfont.covered(mathfont.SOURCE)
    missing = {page: (chars & drawable) - in_font for page, chars in _needed.items()}
    missing = {page: chars for page, chars in missing.items() if chars}
    if missing:
        listed = "; ".join(f"{page}: {' '.join(sorted(chars))}" for page, chars in sorted(missing.items()))
        raise PluginError(f"the math font subset lacks characters that formulas use ({listed}): run `make mathfont`")
    target = Path(config.site_dir) / "assets" / "math"
    target.mkdir(parents=True, exist_ok=True)
    css = (TEMML_DIST / "Temml-Latin-Modern.css").read_text()
    css = css.replace("src: url('./latinmodernmath.woff2');", f"src: url('{mathfont.SUBSET.name}') format('woff2');\n  font-display: swap;")
    if mathfont.SUBSET.name not in css:
        raise PluginError("Temml's stylesheet no longer names its Latin Modern font as this hook expects")
    (target / "temml.css").write_text(css)
    shutil.copyfile(TEMML_DIST / "Temml.woff2", target / "Temml.woff2")
    shutil.copyfile(mathfont.SUBSET, target / mathfont.SUBSET.name)


def on_shutdown():
    global _renderer
    if _renderer is not None:
        _renderer.stdin.close()
        _renderer.wait(timeout=10)
        _renderer = None
