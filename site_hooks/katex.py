"""Render the pages' math to HTML at build time with KaTeX (MkDocs hook).

`pymdownx.arithmatex` (generic mode) leaves `\\(...\\)` and `\\[...\\]` in the page. This
hook replaces them with KaTeX's HTML once, when the site is built, so a reader's browser
runs no math script and fetches nothing from another host: only KaTeX's stylesheet and
fonts, copied into the site. A TeX error fails the build and names the page.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
RENDERER = Path(__file__).with_name("katex-render.mjs")
MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\])</(?P=tag)>',
    re.DOTALL,
)
STYLESHEET = "assets/katex/katex.min.css"

_renderer: subprocess.Popen | None = None


def _start() -> subprocess.Popen:
    global _renderer
    if _renderer is None or _renderer.poll() is not None:
        if not (KATEX_DIST / "katex.mjs").is_file():
            raise PluginError("KaTeX is not installed: run `npm ci` (make does it for you)")
        _renderer = subprocess.Popen(
            ["node", str(RENDERER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
    return _renderer


def render(tex: str, display: bool) -> str:
    """KaTeX's HTML for one formula; raises ValueError with KaTeX's message on bad TeX."""
    process = _start()
    process.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
    process.stdin.flush()
    answer = json.loads(process.stdout.readline())
    if "error" in answer:
        raise ValueError(answer["error"])
    return answer["html"]


def on_config(config):
    if STYLESHEET not in config.extra_css:
        config.extra_css.insert(0, STYLESHEET)
    return config


def on_page_content(content, page, config, files):
    def replace(match: re.Match) -> str:
        display = match["display"] is not None
        tex = html.unescape(match["display"] if display else match["inline"]).strip()
        try:
            rendered = render(tex, display)
        except ValueError as error:
            raise PluginError(f"{page.file.src_uri}: cannot render the formula `{tex}`: {error}") from None
        tag = "div" if display else "span"
        return f'<{tag} class="arithmatex">{rendered}</{tag}>'

    return MATH.sub(replace, content)


def on_post_build(config):
    target = Path(config.site_dir) / "assets" / "katex"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(KATEX_DIST / "katex.min.css", target / "katex.min.css")
    shutil.copytree(KATEX_DIST / "fonts", target / "fonts", dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.ttf", "*.woff"))


def on_shutdown():
    global _renderer
    if _renderer is not None:
        _renderer.stdin.close()
        _renderer.wait(timeout=10)
        _renderer = None
