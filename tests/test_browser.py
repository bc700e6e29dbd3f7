"""The built site in a real browser (Debian's Chromium driven by Playwright): it loads
nothing from another host, math is drawn with its font, axe-core finds no accessibility
violation on any page in either colour scheme, and search, copy buttons and the palette
toggle work."""

from __future__ import annotations

from pathlib import Path

import pytest


def urls(site: Path) -> list[str]:
    found = []
    for html in sorted(site.rglob("index.html")):
        relative = html.parent.relative_to(site).as_posix()
        found.append("/" if relative == "." else f"/{relative}/")
    return found


def test_no_page_requests_another_host_or_logs_an_error(page, server, site):
    for path in urls(site):
        page.goto(server + path, wait_until="networkidle")
    foreign = [url for url in page.requests if not url.startswith((server, "data:", "blob:"))]
    assert foreign == []
    assert page.errors == []


# What a reader's phone downloads to open one page, figures aside, compressed as GitHub Pages
# serves it. Set from the measurements of December 2026 (the heaviest chapter: 351 KB, of
# which the search index 145 KB and the math font 85 KB); KaTeX's HTML put a long chapter
# near 530 KB. With 31 chapters the index reached 210 KB and every chapter passed the
# budget; since then it loads only when the reader opens search (site_hooks/lazy_search.py).
TRANSFER_BUDGET = 400_000
ALREADY_COMPRESSED = {".woff2", ".png", ".jpg", ".webp"}


def transfer_size(site: Path, urls_loaded: list[str], server: str) -> dict[str, int]:
    """Bytes per file the page loaded (gzip level 6 for text), figures excluded."""
    import gzip
    from urllib.parse import urlparse

    sizes = {}
    for url in urls_loaded:
        if not url.startswith(server):
            continue
        path = urlparse(url).path
        file = site / path.lstrip("/")
        file = file / "index.html" if file.is_dir() else file
        if "/figures/" in path or not file.is_file():
            continue
        data = file.read_bytes()
        sizes[path] = len(data) if file.suffix in ALREADY_COMPRESSED else len(gzip.compress(data, 6))
    return sizes


def test_every_page_downloads_less_than_its_budget(page, server, site):
    heavy = []
    for path in urls(site):
        page.requests.clear()
        page.goto(server + path, wait_until="networkidle")
        sizes = transfer_size(site, page.requests, server)
        assert any(name.endswith((".css",)) for name in sizes) and any(name.endswith(".js") for name in sizes)
        if sum(sizes.values()) > TRANSFER_BUDGET:
            largest = ", ".join(f"{name} {size / 1000:.0f} KB" for name, size in sorted(sizes.items(), key=lambda item: -item[1])[:4])
            heavy.append(f"{path}: {sum(sizes.values()) / 1000:.0f} KB (largest: {largest})")
    assert heavy == [], f"pages over the {TRANSFER_BUDGET / 1000:.0f} KB budget:\n" + "\n".join(heavy)


def test_math_is_drawn_as_mathml_with_the_shipped_math_font(page, server, site):
    math_pages = [p for p in urls(site) if "<mfrac" in (site / p.strip("/") / "index.html").read_text()]
    assert math_pages, "no page has a fraction"
    page.goto(server + math_pages[0], wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px \"Latin Modern Math\"')")
    assert page.evaluate("[...document.fonts].some(f => f.family === 'Latin Modern Math' && f.status === 'loaded')")
    assert page.locator("math").first.evaluate("m => getComputedStyle(m).fontFamily").startswith('"Latin Modern Math"')
    # MathML laid out by the browser: a fraction is taller than a line of its text
    fraction = page.locator("math mfrac >> visible=true").first.bounding_box()
    assert fraction and fraction["width"] > 5 and fraction["height"] > 20


def test_axe_finds_no_accessibility_violation_on_any_page_in_either_scheme(browser, server, site):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    # The palette follows the system's scheme. Only colours change with it, so the dark
    # scheme needs the contrast rule alone. Collecting only violations makes axe 2x faster.
    only_violations = {"resultTypes": ["violations"]}
    for scheme, options in (("light", only_violations), ("dark", {**only_violations, "runOnly": ["color-contrast"]})):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        for path in urls(site):
            page.goto(server + path, wait_until="networkidle")
            for violation in axe.run(page, options=options).response["violations"]:
                node = violation["nodes"][0]
                problems.append(f"{path} ({scheme}): {violation['id']} on {len(violation['nodes'])} element(s), "
                                f"{violation['help']}; first {node['target']}: {node['failureSummary']}")
        context.close()
    assert problems == [], "\n".join(problems)


def index_requests(page) -> list[str]:
    return [url for url in page.requests if "search_index.json" in url]


def test_search_index_loads_only_when_the_reader_opens_search_and_search_then_works(page, server):
    page.goto(server + "/foundations/neuron/", wait_until="networkidle")
    page.wait_for_timeout(500)
    assert index_requests(page) == [], "the search index was fetched before anyone searched"
    page.keyboard.press("/")
    page.locator("input.md-search__input").press_sequentially("neuron", delay=50)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10_000)
    assert results.count() > 0 and len(index_requests(page)) == 1


def test_a_shared_search_link_loads_the_index_at_once(page, server):
    page.goto(server + "/?q=gradient", wait_until="networkidle")
    assert len(index_requests(page)) == 1
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10_000)
    assert results.count() > 0


def test_code_blocks_have_copy_buttons(page, server, site):
    chapter = next(p for p in urls(site) if "language-python" in (site / p.strip("/") / "index.html").read_text())
    page.goto(server + chapter, wait_until="networkidle")
    assert page.locator('button[title="Copy to clipboard"]').count() > 0


def test_palette_choice_persists_across_pages(page, server):
    page.emulate_media(color_scheme="light")
    page.goto(server + "/", wait_until="networkidle")
    for _ in range(3):  # automatic -> light -> dark
        if page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate":
            break
        page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    page.goto(server + "/glossary/", wait_until="networkidle")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
