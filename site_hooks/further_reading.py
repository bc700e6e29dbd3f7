"""Write each chapter's "Further reading" section from data/further-reading.yml (MkDocs hook).

The data file lists the videos, courses and articles the book recommends, each with the one
or two chapters it supports. On every chapter that has items, the hook writes a section
`## Further reading {#further-reading}` just before the chapter's "Where next" (at the end
of a page that has none): one list entry per item, with its link, kind, creator and one
line on what the reader gets from it. The links are plain links: nothing is loaded from
another host.

A data file that names a chapter the book does not have, or an item that lacks a field or
holds a malformed one, fails the build with the file, line and item. The file is read once
per build; `make serve` watches it. Whether the URLs still answer is checked online, weekly,
by site_hooks/further_reading_online.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

try:  # a PluginError stops `mkdocs build` with its message and no traceback
    from mkdocs.exceptions import PluginError as _Error
except ImportError:  # the online check runs without MkDocs
    _Error = Exception

ROOT = Path(__file__).resolve().parent.parent
DATA = Path("data") / "further-reading.yml"  # relative to the directory of mkdocs.yml
FIELDS = ("title", "creator", "kind", "url", "chapters", "about")
NULLABLE = {"creator", "url"}  # present, but ~ when the notes give none
KINDS = ("video", "course", "article", "book", "paper", "slides")
HEADING = "## Further reading {#further-reading}"
INTRO = "Outside this book, and not checked by its tests:"
WHERE_NEXT = re.compile(r"^## Where next\s*$")
FENCE = re.compile(r"^(`{3,}|~{3,})")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # LibYAML's when installed: 10 times faster


class FurtherReadingError(_Error):
    """A data file the hook cannot render; the message names the file, line and item."""


@dataclass(frozen=True)
class Item:
    title: str
    creator: str | None
    kind: str
    url: str | None
    chapters: tuple[str, ...]
    about: str
    line: int  # of the item in the data file, for messages


def url_problem(url: str) -> str | None:
    """Why `url` is not a well-formed https address, or None when it is."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "is not a URL"
    if parts.scheme != "https":
        return "is not an https:// address"
    if "." not in host:
        return "has no proper host name"
    if parts.username or parts.password:
        return "carries a user name or password"
    if re.search(r"[\s<>()\[\]\"'`\\]", url):
        return "contains a space or a character that breaks a Markdown link"
    return None


def load(path: Path, chapter_exists=None) -> list[Item]:
    """The items of the data file at `path`, checked; `chapter_exists(uri)` says whether a
    chapter is a page of the book (not checked when None)."""
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    text = path.read_text(encoding="utf-8")
    try:
        nodes = yaml.compose(text, Loader=LOADER)
        data = yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        raise FurtherReadingError(f"{shown}: not valid YAML: {error}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise FurtherReadingError(f"{shown}: must be a list of items, one per recommendation")
    items, seen_urls, seen_titles = [], {}, {}
    for number, (entry, node) in enumerate(zip(data, nodes.value), start=1):
        line = node.start_mark.line + 1
        name = entry.get("title") if isinstance(entry, dict) and isinstance(entry.get("title"), str) else None
        where = f"{shown}:{line}: item {number}" + (f" ({name!r})" if name else "")

        def fail(problem: str, where=where):
            raise FurtherReadingError(f"{where}: {problem}")

        if not isinstance(entry, dict):
            fail(f"must be a mapping with the keys {', '.join(FIELDS)}")
        missing = [key for key in FIELDS if key not in entry]
        if missing:
            fail(f"lacks the field{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                 f"(every item has {', '.join(FIELDS)}; write ~ for a creator or url the notes do not give)")
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            fail(f"has unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (the fields are "
                 f"{', '.join(FIELDS)})")
        for key in FIELDS:
            value = entry[key]
            if key == "chapters" or (value is None and key in NULLABLE):
                continue
            if not isinstance(value, str) or not value.strip():
                fail(f"field {key} must be non-empty text" + (" or ~" if key in NULLABLE else ""))
            if value != value.strip() or "\n" in value:
                fail(f"field {key} must be one line with no surrounding spaces")
        if entry["kind"] not in KINDS:
            fail(f"kind {entry['kind']!r} is not one of {', '.join(KINDS)}")
        url = entry["url"]
        if url is not None:
            problem = url_problem(url)
            if problem:
                fail(f"url {url!r} {problem}")
            if url in seen_urls:
                fail(f"url {url!r} is already given by item {seen_urls[url]}")
            seen_urls[url] = number
        key = entry["title"].casefold()
        if key in seen_titles:
            fail(f"title {entry['title']!r} is already used by item {seen_titles[key]}")
        seen_titles[key] = number
        chapters = entry["chapters"]
        if (not isinstance(chapters, list) or not 1 <= len(chapters) <= 2
                or not all(isinstance(c, str) and c for c in chapters)):
            fail("chapters must list one or two chapter files, relative to docs/ (e.g. [training/optimizers.md])")
        if len(set(chapters)) != len(chapters):
            fail("chapters names the same chapter twice")
        for chapter in chapters:
            if not chapter.endswith(".md"):
                fail(f"chapter {chapter!r} is not a Markdown file (write it as in the nav: part/chapter.md)")
            if chapter_exists is not None and not chapter_exists(chapter):
                fail(f"chapter {chapter!r} is not a page of the book (no docs/{chapter})")
        items.append(Item(entry["title"], entry["creator"], entry["kind"], url, tuple(chapters),
                          entry["about"], line))
    return items


ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}  # `$` would open math


def escape(text: str) -> str:
    """`text` as literal Markdown: no emphasis, link, code, HTML, attribute list or math."""
    text = re.sub(r"[&<>$]", lambda m: ENTITIES[m.group(0)], text)
    return re.sub(r"([\\`*_\[\]{}#])", r"\\\1", text)


def render(items: list[Item]) -> str:
    """The Markdown of one chapter's section."""
    lines = [HEADING, "", INTRO, ""]
    for item in items:
        title = escape(item.title)
        link = f"[{title}]({item.url})" if item.url else title
        who = f", {escape(item.creator)}" if item.creator else ""
        none = "" if item.url else "; no link"
        lines.append(f"- {link} ({item.kind}{who}{none}): {escape(item.about)}")
    return "\n".join(lines) + "\n"


def insert(markdown: str, section: str) -> str:
    """`markdown` with `section` before its top-level "## Where next" heading, or at its end."""
    lines = markdown.splitlines(keepends=True)
    fence = None
    for number, line in enumerate(lines):
        opened = FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None and line.rstrip() == fence:
            fence = None
        elif fence is None and WHERE_NEXT.match(line):
            return "".join(lines[:number]) + section + "\n" + "".join(lines[number:])
    return markdown.rstrip("\n") + "\n\n" + section


_by_chapter: dict[str, list[Item]] = {}


def data_path(config) -> Path:
    return Path(config["config_file_path"]).resolve().parent / DATA


def on_files(files, config):
    """Read and check the data file once per build, against the pages MkDocs builds."""
    _by_chapter.clear()
    path = data_path(config)
    if not path.is_file():  # a project without further reading (the tests' small projects)
        return files

    def exists(uri: str) -> bool:
        found = files.get_file_from_path(uri)
        return found is not None and found.is_documentation_page()

    for item in load(path, exists):
        for chapter in item.chapters:
            _by_chapter.setdefault(chapter, []).append(item)
    return files


def on_page_markdown(markdown, page, config, files):
    items = _by_chapter.get(page.file.src_uri)
    if not items:
        return markdown
    return insert(markdown, render(items))


def on_serve(server, config, builder):
    path = data_path(config)
    if path.is_file():
        server.watch(str(path))
    return server
