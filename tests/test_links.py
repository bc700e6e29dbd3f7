"""The links of the built site, hooks, raw HTML and theme included (lychee, offline).

Markdown links to a missing page or heading already fail the strict build (test_site.py);
these tests cover what only the rendered HTML shows.
"""

from __future__ import annotations

import pytest
from links import broken_links
from site_build import build


def test_every_link_and_anchor_of_the_built_site_resolves(site):
    broken = broken_links(site)
    assert not broken, "broken links in the built site:\n" + "\n".join(map(str, broken))


@pytest.fixture()
def built(small_project, tmp_path):
    """Build the small project with `index.md` as given and return the broken links lychee finds."""
    def build_with(index: str):
        (small_project / "docs" / "index.md").write_text(index)
        out = tmp_path / "out"
        result = build(small_project, out)
        assert result.returncode == 0, result.stderr  # raw HTML is not checked by the build itself
        return broken_links(out, docs=small_project / "docs")
    return build_with


def test_a_sound_small_site_has_no_broken_link(built):
    assert built('# Home\n\n[ok](other.md#a-heading) and <a href="other/#a-heading">raw ok</a>\n') == []


@pytest.mark.parametrize(("html", "url", "reason"), [
    ('<a href="other/#no-such-heading">see</a>', "other/#no-such-heading", "fragment"),
    ('<a href="missing/">see</a>', "missing", "not found"),
    ('<img src="figures/missing.svg" alt="a missing figure">', "figures/missing.svg", "not found"),
])
def test_a_broken_raw_html_link_is_reported_with_the_page_line_and_markdown_source(built, html, url, reason):
    broken = built(f"# Home\n\nSome text.\n\n{html}\n")
    assert len(broken) == 1, broken
    link = broken[0]
    assert link.page == "index.html" and link.line > 0 and link.column > 0
    assert link.url.rstrip("/").startswith(url.split("#")[0].rstrip("/")) and reason in link.reason.lower()
    assert link.source == "docs/index.md" and link.source_lines == (5,)
    assert str(link).startswith(f"index.html:{link.line}:{link.column} (from docs/index.md:5): ")


def test_a_directory_that_is_not_a_built_site_is_an_error_not_a_pass(tmp_path):
    with pytest.raises(RuntimeError, match="found no link"):
        broken_links(tmp_path)
