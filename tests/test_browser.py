"""The built site in a real browser (Debian's Chromium driven by Playwright): it loads
nothing from another host, math is drawn with its font, axe-core finds no accessibility
violation on any page in either colour scheme, and search, copy buttons and the palette
toggle work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SITE_URL = next(line.split(":", 1)[1].strip() for line in (ROOT / "mkdocs.yml").read_text().splitlines()
                if line.startswith("site_url:"))


def urls(site: Path) -> list[str]:
    """Every page of the built site."""
    found = []
    for html in sorted(site.rglob("index.html")):
        relative = html.parent.relative_to(site).as_posix()
        found.append("/" if relative == "." else f"/{relative}/")
    return found


def source_urls(docs: Path = DOCS) -> list[str]:
    """Every page the build makes from `docs` (chapters and labs), known before it builds:
    each is checked by its own test, so that pytest-xdist shares them between its workers."""
    found = []
    for source in sorted([*docs.rglob("*.md"), *(docs / "labs").glob("*.ipynb")]):
        relative = source.relative_to(docs).with_suffix("").as_posix()
        relative = relative[: -len("index")].rstrip("/") if relative == "index" or relative.endswith("/index") else relative
        found.append(f"/{relative}/" if relative else "/")
    return found


PAGES = source_urls()
PHONE, DESKTOP = {"width": 412, "height": 823}, {"width": 1280, "height": 720}
# Every running animation and transition has ended (one replaced by another ends too); those
# still running after 5 s are named (one in a part of the page not yet drawn never ends).
ANIMATIONS_DONE = """Promise.race([
    Promise.all(document.getAnimations().map(animation => animation.finished.catch(() => null))).then(() => []),
    new Promise(resolve => setTimeout(() => resolve(document.getAnimations().filter(a => a.playState === "running")
        .map(a => `${a.constructor.name} ${a.transitionProperty || a.animationName || ""} on ${a.effect?.target?.outerHTML.slice(0, 80)}`)), 5000)),
])"""

# The sum of the page's layout shifts since it started loading, as the browser recorded them
# (Lighthouse's Cumulative Layout Shift).
LAYOUT_SHIFT = """() => new Promise(resolve => {
    let total = 0;
    new PerformanceObserver(list => list.getEntries().forEach(e => { if (!e.hadRecentInput) total += e.value; }))
      .observe({type: "layout-shift", buffered: true});
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(total)));
})"""


def test_every_built_page_is_one_the_browser_checks_go_through(site):
    assert set(urls(site)) == set(PAGES)


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


def budget_problem(sizes: dict[str, int]) -> str | None:
    if sum(sizes.values()) <= TRANSFER_BUDGET:
        return None
    largest = ", ".join(f"{name} {size / 1000:.0f} KB" for name, size in sorted(sizes.items(), key=lambda item: -item[1])[:4])
    return f"downloads {sum(sizes.values()) / 1000:.0f} KB, over the {TRANSFER_BUDGET / 1000:.0f} KB budget (largest: {largest})"


def axe_problems(page, scheme: str, options: dict) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    problems = []
    for violation in Axe().run(page, options=options).response["violations"]:
        node = violation["nodes"][0]
        problems.append(f"axe ({scheme}): {violation['id']} on {len(violation['nodes'])} element(s), "
                        f"{violation['help']}; first {node['target']}: {node['failureSummary']}")
    return problems


# Prose as the reader sees it, without code and formulas: a `$` left there is TeX that was not
# rendered (the book writes no dollar amounts).
PROSE_WITHOUT_CODE_OR_MATH = """() => [...document.querySelectorAll(
    "article p, article li, article td, article th, article dd, article h1, article h2, article h3")]
  .map(element => { const copy = element.cloneNode(true);
                    copy.querySelectorAll("code, pre, math, script").forEach(e => e.remove());
                    return copy.textContent; }).join("\\n")"""


def formula_problems(page, site: Path, path: str) -> list[str]:
    """Every formula of the built page is drawn by the browser, none is an error, and no TeX is
    left in the prose."""
    import re

    built = (site / path.strip("/") / "index.html").read_text()  # "/" gives the site's own index.html
    # The verifier's markers are HTML comments, and TeX in their text is rendered too: not shown.
    written = len(re.findall(r"<math\b", re.sub(r"<!--.*?-->", "", built, flags=re.DOTALL)))
    drawn = page.evaluate("[...document.querySelectorAll('math')].filter(m => m.getClientRects().length > 0"
                          " || m.closest('details:not([open]), .tabbed-block, .md-nav')).length")
    problems = [f"{written} formulas in the page, {drawn} drawn"] if drawn != written else []
    problems += [f"{n} formula(s) drawn as an error" for n in [page.locator("merror").count()] if n]
    problems += [f"TeX left in the prose: {stray!r}" for stray in re.findall(r"\$[^$]{0,40}", page.evaluate(PROSE_WITHOUT_CODE_OR_MATH))]
    return problems


def figure_problems(page) -> list[str]:
    """Every image of the page loads and has a text alternative. Figures after the first are
    fetched when the reader comes near them (site_hooks/figure_loading.py): they are asked for now."""
    images = page.evaluate("""() => Promise.all([...document.querySelectorAll("article img")].map(async img => {
        img.loading = "eager";
        let decoded = true;
        try { await img.decode(); } catch (error) { decoded = false; }
        return {src: img.getAttribute("src"), alt: (img.getAttribute("alt") || "").trim(),
                loaded: decoded && img.naturalWidth > 0};
    }))""")
    return ([f"image without alt text: {image['src']}" for image in images if not image["alt"]]
            + [f"image not loaded: {image['src']}" for image in images if not image["loaded"]])


def follow_the_system_to_dark(page) -> list[str]:
    """The system turns dark; the palette follows it (mkdocs.yml), and its colour transitions run
    out before anyone reads a colour."""
    from playwright.sync_api import TimeoutError

    page.emulate_media(color_scheme="dark")
    try:
        page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'", timeout=5_000)
    except TimeoutError:
        return ["the page did not follow the system to the dark scheme within 5 s"]
    running = page.evaluate(ANIMATIONS_DONE)
    if running:
        return [f"animations still running 5 s after the switch to the dark scheme: {running}"]
    # Code blocks not yet drawn (content-visibility) must report the dark colours to axe too: a
    # colour transition on them waits until they are drawn (extra.css turns it off).
    backgrounds = page.evaluate("[...new Set([...document.querySelectorAll('pre > code')]"
                                ".map(code => getComputedStyle(code).backgroundColor))]")
    if len(backgrounds) > 1:
        return [f"code blocks report {len(backgrounds)} backgrounds in the dark scheme: {backgrounds}"]
    return []


@pytest.mark.parametrize("path", PAGES)
def test_the_page_loads_nothing_from_another_host_fits_its_budget_and_axe_finds_no_violation(browser, server, site, path):
    """The page is opened in the light scheme on a phone's screen: nothing on it moves once drawn (a
    late font or script did: layout shift 0.14 and 0.24), no request to another host, no error in
    the console, the transfer budget. Then at a desktop's width: every formula drawn, every figure
    loaded with its alt text, and every axe-core rule. Then the system turns dark and the page
    follows it (the palette follows the system's); only colours change with it, so the dark scheme
    needs axe's contrast rule alone. (Collecting only violations makes axe 2x faster. A first
    visit in the dark scheme is drawn dark from its first paint:
    test_a_first_visit_is_in_the_systems_scheme_before_materials_script_runs.)"""
    problems = []
    only_violations = {"resultTypes": ["violations"]}
    context = browser.new_context(color_scheme="light", viewport=PHONE)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(server + path, wait_until="networkidle")
    shift = page.evaluate(LAYOUT_SHIFT)
    if shift >= 0.01:
        problems.append(f"its layout shifts add up to {shift:.3f} on a phone's screen (Lighthouse's budget: 0.1)")
    sizes = transfer_size(site, requests, server)  # what the page loads before the reader scrolls
    if not (any(name.endswith(".css") for name in sizes) and any(name.endswith(".js") for name in sizes)):
        problems.append(f"loads no stylesheet or no script: {sorted(sizes)}")
    problems += [problem for problem in [budget_problem(sizes)] if problem]
    page.set_viewport_size(DESKTOP)  # the navigation tabs appear, fading in: axe reads their colours after
    problems += [f"animations still running after 5 s: {running}" for running in [page.evaluate(ANIMATIONS_DONE)] if running]
    problems += formula_problems(page, site, path) + figure_problems(page)
    # After figure_problems, which fetched the figures that wait for the reader to come near.
    problems += [f"requests another host: {url}" for url in requests if not url.startswith((server, "data:", "blob:"))]
    problems += axe_problems(page, "light", only_violations)
    dark = follow_the_system_to_dark(page)
    problems += dark or axe_problems(page, "dark", {**only_violations, "runOnly": ["color-contrast"]})
    problems += [f"logs an error: {error}" for error in errors]
    context.close()
    assert problems == [], f"{path}:\n" + "\n".join(problems)


def test_the_dark_check_finds_a_contrast_problem_only_the_dark_scheme_has(browser, server):
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(server + "/foundations/neuron/", wait_until="networkidle")
    page.add_style_tag(content='[data-md-color-scheme="slate"] .md-typeset p { color: #303030 !important; }')
    contrast = {"resultTypes": ["violations"], "runOnly": ["color-contrast"]}
    assert axe_problems(page, "light", contrast) == []
    assert follow_the_system_to_dark(page) == []
    found = axe_problems(page, "dark", contrast)
    context.close()
    assert len(found) == 1 and found[0].startswith("axe (dark): color-contrast"), found


@pytest.mark.parametrize("path", ["/notation/", "/training/gradient-descent/"])
def test_a_code_block_has_its_drawn_height_before_it_is_drawn(browser, server, path):
    """Code blocks below the fold are drawn when they scroll near (content-visibility); until then
    they take the height their line count gives (site_hooks/code_heights.py), so the page does
    not grow or shrink under the reader as they are drawn. At a phone's width and a desktop's."""
    heights = """() => [document.documentElement.scrollHeight,
        [...document.querySelectorAll("pre > code")].map(code => code.getBoundingClientRect().height)]"""
    for viewport in (PHONE, {"width": 1350, "height": 940}):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(server + path, wait_until="networkidle")
        skipped = page.evaluate("[...document.querySelectorAll('pre > code')].filter(code => "
                                "!code.firstElementChild?.checkVisibility({contentVisibilityAuto: true})).length")
        before = page.evaluate(heights)
        page.add_style_tag(content=".md-typeset pre > code { content-visibility: visible !important; }")
        after = page.evaluate(heights)
        context.close()
        assert skipped > 0, "no code block waits to be drawn: is content-visibility still on?"
        assert before[0] == after[0], f"{path} at {viewport['width']} px: {before[0]} px tall, {after[0]} px once drawn"
        moved = [(i, b, a) for i, (b, a) in enumerate(zip(before[1], after[1])) if abs(a - b) > 0.5]
        assert not moved, f"{path}: (block, height before, height drawn): {moved[:5]}"


LONG_CHAPTERS = ["/training/gradient-descent/", "/cheatsheet/", "/foundations/losses/"]
# A reader scrolls down with the wheel, a screen at a time, to a fraction of the page.
WHEEL_TO = """async fraction => {
    while (scrollY + innerHeight < document.documentElement.scrollHeight
           && scrollY < fraction * document.documentElement.scrollHeight) {
        scrollBy(0, innerHeight * 0.7);
        await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    }
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_sections_wait_to_be_drawn_and_their_estimated_heights_are_close_to_the_drawn_ones(browser, server, viewport):
    """A long chapter's sections are drawn when the reader comes near them (site_hooks/lazy_sections.py);
    until then each takes the height estimated from what it holds. Estimates far off would make the
    page grow or shrink under the reader and the scroll bar lie."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems = []
    for path in LONG_CHAPTERS:
        page.goto(server + path, wait_until="networkidle")
        found = page.evaluate("""() => {
            const sections = [...document.querySelectorAll('article .dlv-lazy')];
            const waiting = sections.filter(s => !s.firstElementChild.checkVisibility({contentVisibilityAuto: true})).length;
            const estimated = sections.map(s => s.getBoundingClientRect().height);
            sections.forEach(s => s.style.contentVisibility = 'visible');
            return {waiting, estimated, drawn: sections.map(s => s.getBoundingClientRect().height)};
        }""")
        estimated, drawn = found["estimated"], found["drawn"]
        if found["waiting"] < len(drawn) / 2:
            problems.append(f"{path}: only {found['waiting']} of {len(drawn)} sections wait to be drawn")
        total = abs(sum(estimated) - sum(drawn)) / sum(drawn)
        if total > 0.25:
            problems.append(f"{path}: sections estimated {sum(estimated):.0f} px in all, drawn {sum(drawn):.0f} px")
        problems += [f"{path}: section {i} estimated {e:.0f} px, drawn {d:.0f} px"
                     for i, (e, d) in enumerate(zip(estimated, drawn)) if abs(e - d) > 0.6 * d + 40]
    context.close()
    assert problems == [], f"at {viewport['width']} px:\n" + "\n".join(problems)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_going_back_to_a_long_chapter_returns_to_the_paragraph_the_reader_left(browser, server, viewport):
    """Material scrolls back to the offset the reader left; sections they had drawn come back at
    their drawn heights (docs/assets/lazy_sections.js), so the offset falls where it fell. With
    estimates in their place the reader came back in another section."""
    first_in_view = """() => { const blocks = [...document.querySelectorAll('article h2, article h3, article p, article li')];
        const index = blocks.findIndex(b => b.getBoundingClientRect().top >= 80);
        return [index, Math.round(blocks[index].getBoundingClientRect().top)]; }"""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    path = LONG_CHAPTERS[0]
    page.goto(server + path, wait_until="networkidle")
    page.evaluate(WHEEL_TO, 0.6)
    page.wait_for_timeout(300)  # Material keeps the offset in the history entry 0.1 s after scrolling
    left = page.evaluate(first_in_view)
    title = "document.querySelector('article h1').textContent"
    chapter = page.evaluate(title)
    page.evaluate("document.querySelector('.md-footer__link--next').click()")  # instant navigation, no scrolling
    page.wait_for_function(f"location.pathname !== {path!r} && {title} !== {chapter!r}")
    page.go_back()
    page.wait_for_function(f"location.pathname === {path!r} && {title} === {chapter!r}")
    page.wait_for_timeout(300)
    back = page.evaluate(first_in_view)
    context.close()
    assert back[0] == left[0] and abs(back[1] - left[1]) <= 3, f"left at block {left}, came back to block {back}"


def test_a_display_formula_has_a_tab_stop_exactly_when_it_scrolls_sideways(browser, server):
    """A formula wider than a phone scrolls sideways, so a keyboard must reach it; one that fits
    must not be a tab stop. Formulas in sections not yet drawn keep the tab stop they are built
    with until they are drawn (measuring them would draw their section)."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server + "/training/gradient-descent/", wait_until="networkidle")
    formulas = "[...document.querySelectorAll('div.arithmatex')]"
    waiting = page.evaluate(f"{formulas}.filter(f => !f.checkVisibility({{contentVisibilityAuto: true}}))"
                            ".map(f => f.getAttribute('tabindex'))")
    page.evaluate(WHEEL_TO, 1.0)
    page.wait_for_timeout(200)
    drawn = page.evaluate(f"{formulas}.map(f => [f.scrollWidth > f.clientWidth, f.getAttribute('tabindex') === '0'])")
    context.close()
    assert waiting and set(waiting) == {"0"}, waiting
    assert any(wide for wide, _ in drawn) and not all(wide for wide, _ in drawn), "needs wide formulas and narrow ones"
    assert all(wide == stop for wide, stop in drawn), drawn


LAB = "/labs/few-labels-transfer/"
# Every element's computed value of each property the stylesheets set, its ::before and ::after too.
COMPUTED_STYLES = """names => [...document.querySelectorAll("body *")].flatMap(element =>
    [null, "::before", "::after"].map(pseudo => getComputedStyle(element, pseudo)).map(
        style => names.map(name => style.getPropertyValue(name)).join(";")))"""


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_a_lab_is_drawn_the_same_with_only_the_jupyter_rules_it_can_match(browser, server, site, scheme):
    """A lab's page carries only the rules of mkdocs-jupyter's stylesheets that could match it
    (site_hooks/unused_css.py): every element, its ::before and ::after included, has the same
    computed style as with the whole stylesheets, in both colour schemes."""
    import sys

    sys.path.insert(0, str(ROOT))
    import mkdocs_jupyter
    from site_hooks.unused_css import without_unused_rules

    html = (site / LAB.strip("/") / "index.html").read_text()
    assets = Path(mkdocs_jupyter.__file__).parent / "templates" / "mkdocs_html" / "assets"
    whole = [css.read_text() for css in sorted(assets.glob("*.css"))]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(server + LAB, wait_until="networkidle")
    # No colour transitions, which the scheme's switch would start and the snapshots catch midway.
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', {scheme!r})")
    styles = page.evaluate("[...document.querySelectorAll('style')].map(style => style.textContent)")
    # Each stylesheet as built, and the whole stylesheet it was cut from.
    originals = {i: next((css for css in whole if without_unused_rules(css, html) == text), None)
                 for i, text in enumerate(styles) if len(text) > 1000}
    assert originals and None not in originals.values(), "a lab's stylesheet is not one of mkdocs-jupyter's, cut"
    names = sorted({name for css in originals.values() for name in re.findall(r"[{;]\s*([a-z][a-z-]*)\s*:", css)})
    compared = page.evaluate(f"""([originals, names]) => {{
        const cut = ({COMPUTED_STYLES})(names);
        Object.entries(originals).forEach(([i, css]) => {{ document.querySelectorAll("style")[i].textContent = css; }});
        const uncut = ({COMPUTED_STYLES})(names);
        const differ = cut.map((style, i) => style !== uncut[i]);
        return [cut.length, uncut.length, differ.filter(Boolean).length,
                document.querySelectorAll("body *")[Math.floor(differ.indexOf(true) / 3)]?.outerHTML.slice(0, 120)];
    }}""", [{str(i): css for i, css in originals.items()}, names])
    context.close()
    elements, same_elements, differing, first = compared
    assert elements == same_elements > 1000
    assert differing == 0, f"{differing} element(s) drawn otherwise with the whole stylesheets, the first {first}"


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
    # Material mounts a block's buttons when it scrolls into view (content.lazy in mkdocs.yml)
    last = page.locator("div.language-python.highlight").last
    # As a link to it would (Playwright's own scrolling does not draw the section around it first).
    last.evaluate("block => block.scrollIntoView()")
    last.locator('button[title="Copy to clipboard"]').wait_for(timeout=5_000)


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


@pytest.mark.parametrize(("system", "scheme"), [("dark", "slate"), ("light", "default")])
def test_a_first_visit_is_in_the_systems_scheme_before_materials_script_runs(browser, server, system, scheme):
    """site_hooks/palette.py: the inline script sets the scheme; Material's bundle is held back here
    to see the page as it is first painted."""
    context = browser.new_context(color_scheme=system)
    page = context.new_page()
    page.route("**/assets/javascripts/bundle.*.js", lambda route: route.abort())
    page.goto(server + "/generalisation/regularisation/", wait_until="domcontentloaded")
    drawn = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    context.close()
    assert drawn == scheme


def test_a_page_over_the_budget_is_named_with_its_largest_files():
    assert budget_problem({"/a/": 100_000, "/b.js": 50_000}) is None
    assert budget_problem({"/a/": 300_000, "/b.js": 90_000, "/c.css": 20_000}) == (
        "downloads 410 KB, over the 400 KB budget (largest: /a/ 300 KB, /b.js 90 KB, /c.css 20 KB)")


def test_content_tabs_switch_with_a_click_and_with_the_arrow_keys(page, server):
    page.goto(server + "/cnn/transfer-learning/", wait_until="networkidle")
    tabs = page.locator(".tabbed-set").first
    labels, blocks = tabs.locator(".tabbed-labels > label"), tabs.locator(".tabbed-content > .tabbed-block")
    assert labels.count() == 3 and blocks.nth(0).is_visible() and not blocks.nth(1).is_visible()
    labels.nth(1).click()
    assert blocks.nth(1).is_visible() and not blocks.nth(0).is_visible()
    tabs.locator("input").nth(1).focus()
    page.keyboard.press("ArrowRight")
    assert blocks.nth(2).is_visible() and not blocks.nth(1).is_visible()


def at(path: str):
    """A URL pattern for the page `path`, with or without a #fragment."""
    import re

    return re.compile(rf"/{re.escape(path)}(#[^/]*)?$")


def test_instant_navigation_keeps_working_after_several_clicks(page, server, site):
    # Material navigates instantly to the pages its sitemap lists, by their published address: the
    # sitemap is served as the published site would serve it, with this server's address.
    sitemap = (site / "sitemap.xml").read_text().replace(SITE_URL, server + "/")
    page.route("**/sitemap.xml", lambda route: route.fulfill(body=sitemap, content_type="application/xml"))
    page.goto(server + "/", wait_until="networkidle")
    page.evaluate("window.dlvSamePage = true")  # gone if a click loads the page anew
    for target in ("foundations/neuron/", "training/gradient-descent/", "glossary/", "cnn/convolution/"):
        page.locator(f'a[href$="{target}"] >> visible=true').first.click()
        page.wait_for_url(at(target))  # navigation.tracking may add the heading in view as #anchor
        page.locator("article h1").wait_for()
        assert page.evaluate("window.dlvSamePage === true"), f"clicking {target} reloaded the page"
    page.go_back()
    page.wait_for_url(at("glossary/"))
    page.wait_for_function("document.querySelector('article h1').textContent.startsWith('Glossary')")
    assert page.evaluate("window.dlvSamePage === true")
    assert page.errors == []


def test_search_and_navigation_work_from_the_keyboard_alone(page, server):
    page.goto(server + "/foundations/neuron/", wait_until="networkidle")
    page.keyboard.press("/")  # Material's shortcut opens search
    page.keyboard.type("backpropagation", delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    page.keyboard.press("ArrowDown")  # the first result takes the focus
    assert page.evaluate("document.activeElement.closest('.md-search-result__item') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url("**/training/backpropagation/**")
    # Tab reaches the skip link first, and the skip link moves the focus past the navigation
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('md-skip')")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#backpropagation"
