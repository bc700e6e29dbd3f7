"""Highlight a code block once, not on every build (MkDocs hook).

Pygments turns each of the book's thousand code blocks into HTML, a third of a build, and
almost none of them changed since the last build. The HTML of each block is kept in
`.cache/highlight.json`, keyed by a hash of everything that decides it: the code, the
lexer and formatter with all their options (line anchors, highlighted lines, title), and
the versions of Pygments and pymdownx. A block whose key is not there is highlighted as
before. A full build keeps only the entries it used; `mkdocs serve --dirty`, which
rebuilds only the edited pages, adds to them.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pygments
import pymdownx.highlight
from pymdownx.__meta__ import __version__ as pymdownx_version

CACHE_FILE = Path(".cache") / "highlight.json"
VERSIONS = f"pygments {pygments.__version__}, pymdownx {pymdownx_version}, format 1"

_original = getattr(pymdownx.highlight.highlight, "dlv_original", pymdownx.highlight.highlight)
_state = {"kept": {}, "used": {}, "dirty": False}


def cache_key(src: str, lexer, formatter) -> str | None:
    """The hash of what decides the HTML; None when an option has no stable text (never cached)."""
    described = repr((
        type(lexer).__module__, type(lexer).__qualname__, sorted(lexer.options.items()),
        type(formatter).__module__, type(formatter).__qualname__, sorted(formatter.options.items()),
    ))
    if " at 0x" in described:
        return None
    return hashlib.sha256(f"{VERSIONS}\0{described}\0{src}".encode()).hexdigest()


def highlight(src, lexer, formatter):
    """`pygments.highlight`, answered from the cache when the same block was highlighted before."""
    key = cache_key(src, lexer, formatter)
    if key is None:
        return _original(src, lexer, formatter)
    html = _state["kept"].get(key)
    if html is None:
        html = _original(src, lexer, formatter)
    _state["used"][key] = html
    return html


highlight.dlv_original = _original


def on_startup(command, dirty):
    _state["dirty"] = dirty


def on_config(config):
    path = Path(config.config_file_path).parent / CACHE_FILE
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        _state["kept"] = kept if isinstance(kept, dict) and kept.get("versions") == VERSIONS else {}
    except (OSError, ValueError):
        _state["kept"] = {}  # no cache yet, or an unreadable one: highlight everything
    _state["kept"].pop("versions", None)
    _state["used"] = {}
    pymdownx.highlight.highlight = highlight
    return config


def on_post_build(config):
    entries = {**_state["kept"], **_state["used"]} if _state["dirty"] else _state["used"]
    if entries == _state["kept"]:
        return
    path = Path(config.config_file_path).parent / CACHE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".highlight-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"versions": VERSIONS, **entries}, out)
    os.replace(temporary, path)  # a build running beside this one reads the old file or the new, never half
    _state["kept"] = entries
