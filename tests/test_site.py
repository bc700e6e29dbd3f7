"""The site: strict build, math rendered at build time, nothing loaded from another host,
stamps from real runs, and broken links or anchors failing the build."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from site_build import ROOT, build, built_once

BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def test_build_output_is_clean(site):
    noise = [line for line in (site / ".build-log").read_text().splitlines() if not line.startswith("INFO")]
    assert noise == [], "the strict build printed warnings or banners:\n" + "\n".join(noise)


def _build_slowly(target: Path, returncode: int = 0):
    """A stand-in for mkdocs that takes a while and counts its builds in the directory above."""
    import subprocess
    import time

    with open(target.parent / "builds", "a") as count:
        count.write("x")
    time.sleep(0.5)
    target.mkdir()
    return subprocess.CompletedProcess([], returncode, stdout="", stderr="ERROR - a broken anchor\n")


def _ask_for_the_site(shared: Path, returncode: int):
    try:
        return str(built_once(shared, lambda target: _build_slowly(target, returncode)))
    except AssertionError as error:
        return f"failed: {error}"


@pytest.mark.parametrize("returncode", [0, 1])
def test_workers_share_one_build_of_the_site_and_one_failure(tmp_path, returncode):
    """Three processes asking at once (as pytest-xdist's workers do) get one build; a failed
    build is not repeated, and each process reports it with the build's log."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(3) as pool:
        answers = list(pool.map(_ask_for_the_site, [tmp_path] * 3, [returncode] * 3))
    assert (tmp_path / "builds").read_text() == "x"
    if returncode == 0:
        assert answers == [str(tmp_path / "site")] * 3
        assert (tmp_path / "site" / ".build-log").read_text() == "ERROR - a broken anchor\n"
    else:
        assert answers == ["failed: the site does not build:\nERROR - a broken anchor\n"] * 3
        assert not (tmp_path / "site").exists()


def test_every_nav_page_is_built(site):
    config = yaml.safe_load(re.sub(r"!!python/name:\S+|!ENV \[[^\]]*\]", "null", (ROOT / "mkdocs.yml").read_text()))

    def walk(entries):
        for entry in entries:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            yield from walk(value) if isinstance(value, list) else [value]

    for source in walk(config["nav"]):
        page = re.sub(r"(^|/)index$", "", re.sub(r"\.(?:md|ipynb)$", "", source))  # a lab is a notebook
        built = site / page / "index.html"
        assert built.is_file(), f"{source} is in the nav but was not built"


EXTERNAL_LOAD = re.compile(
    r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["'](?:https?:)?//"""
    r"""|<link\b[^>]*\bhref=["'](?:https?:)?//[^"']*["'][^>]*>""",
    re.IGNORECASE,
)


def test_no_page_loads_anything_from_another_host(site):
    offenders = []
    for page in pages(site):
        for match in EXTERNAL_LOAD.finditer(page.read_text()):
            tag = match.group(0)
            if tag.lower().startswith("<link") and re.search(r'rel=["\'](canonical|alternate)', tag):
                continue  # not loaded by the browser
            offenders.append(f"{page.relative_to(site)}: {tag[:120]}")
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", css.read_text()):
            offenders.append(f"{css.relative_to(site)}: {url}")
        offenders += [f"{css.relative_to(site)}: @import {u}" for u in re.findall(r"@import\s+url\(['\"]?(https?://[^)'\"]+)", css.read_text())]
    assert offenders == []


def test_math_is_rendered_at_build_time_as_mathml_with_the_shipped_font(site):
    import sys

    sys.path.insert(0, str(ROOT))
    from site_hooks import mathfont

    math_pages, needed = 0, set()
    for page in pages(site):
        html = page.read_text()
        assert not re.search(r'class="arithmatex"[^>]*>\\[(\[]', html), f"{page}: math left for the browser"
        assert "<merror" not in html, f"{page}: a formula rendered as an error"
        assert 'class="katex' not in html, f"{page}: KaTeX HTML"
        formulas = re.findall(r"<math\b.*?</math>", html, re.DOTALL)
        math_pages += bool(formulas)
        # A page with formulas asks for the font with its stylesheets (site_hooks/mathml.py); others do not.
        preload = re.search(r'<link rel="preload" href="[^"]*assets/math/latinmodern-math\.woff2" as="font" '
                            r'type="font/woff2" crossorigin>\s*<link rel="stylesheet" href="[^"]*temml\.css">', html)
        assert bool(preload) == bool(formulas), f"{page}: {len(formulas)} formulas, font preloaded: {bool(preload)}"
        needed |= {c for formula in formulas for c in mathfont.characters_needed(formula)}
    assert math_pages >= 10
    css = (site / "assets/math/temml.css").read_text()
    assert "url('latinmodern-math.woff2') format('woff2')" in css and "font-display: swap" in css
    shipped = site / "assets/math/latinmodern-math.woff2"
    assert shipped.read_bytes() == mathfont.SUBSET.read_bytes()
    assert shipped.stat().st_size < 100_000
    drawable = mathfont.covered(mathfont.SOURCE)
    assert (needed & drawable) - mathfont.covered(shipped) == set()
    assert (site / "assets/math/Temml.woff2").is_file()


def test_every_page_with_code_carries_a_stamp_from_real_runs(site):
    # Every backend unless the run says which it verified (make test-fast: TensorFlow only).
    expected = os.environ.get("DLV_EXPECT_BACKENDS", "tensorflow jax torch").split()
    assert expected, "DLV_EXPECT_BACKENDS names no backend: the stamps would not be checked"
    stamped = 0
    for page in pages(site):
        html = page.read_text()
        has_code = 'class="language-python' in html
        stamp = re.search(r'<div class="dlv-stamp[^"]*"[^>]*>(.*?)</div>', html, re.DOTALL)
        python_blocks = len(re.findall(r'<div class="language-(?:python3?|py3?) highlight', html))
        assert bool(stamp) == has_code, f"{page.relative_to(site)}: a stamp belongs exactly on pages with code"
        if stamp:
            stamped += 1
            text = re.sub(r"<[^>]+>", "", stamp.group(1)).strip()
            passed = re.search(r"Verified on ([^:]+):", text)
            for backend in expected:
                assert passed and BACKEND_NAMES[backend] in passed.group(1), \
                    f"{page.relative_to(site)}: the stamp does not show {backend} as passed: {text}"
            ran = re.search(r"(\d+) code blocks ran", text)
            assert ran and int(ran.group(1)) <= python_blocks, f"{page.relative_to(site)}: {text}"
    assert stamped >= 1


def test_every_listed_correction_links_to_a_block_on_a_page_verified_on_every_backend(site):
    expected = os.environ.get("DLV_EXPECT_BACKENDS", "tensorflow jax torch").split()
    html = (site / "corrections" / "index.html").read_text()
    count = re.search(r"<strong>(\d+) common mistakes?</strong>", html)
    proofs = re.findall(r'<strong>Proof:</strong> <a href="\.\./([^"#]+)#(mistake-\d+)">.*?</a> \(([^)]*)\)', html)
    assert count and int(count.group(1)) == len(proofs) >= 1
    for page, anchor, status in proofs:
        assert f'id="{anchor}"' in (site / page / "index.html").read_text(), f"{page}#{anchor} is missing"
        for backend in expected:
            assert BACKEND_NAMES[backend] in status, f"{page}#{anchor}: {status}"


def test_every_page_has_an_edit_link_and_the_footer_states_the_licences(site):
    html = (site / "index.html").read_text()
    assert "CC BY 4.0" in html and "MIT" in html
    for page in pages(site):
        if page.parent == site / "search":
            continue
        assert "/edit/main/docs/" in page.read_text(), f"{page.relative_to(site)} has no edit link"


# --- broken links and anchors fail the build ------------------------------------------

PLANTED = {
    "missing-anchor-same-page": "[see](#no-such-heading)",
    "missing-anchor-other-page": "[see](other.md#no-such-heading)",
    "missing-page": "[see](missing.md)",
}


def test_small_project_builds(small_project, tmp_path):
    (small_project / "docs" / "index.md").write_text("# Home\n\n[ok](other.md#a-heading)\n")
    result = build(small_project, tmp_path / "out")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("link", PLANTED.values(), ids=PLANTED.keys())
def test_broken_link_or_anchor_fails_the_build(small_project, tmp_path, link):
    (small_project / "docs" / "index.md").write_text(f"# Home\n\n{link}\n")
    result = build(small_project, tmp_path / "out")
    assert result.returncode != 0
    assert "index.md" in result.stdout + result.stderr


def test_bad_tex_fails_the_build_naming_the_page(small_project, tmp_path):
    (small_project / "docs" / "index.md").write_text("# Home\n\nBroken: $\\frac{1}{$\n")
    result = build(small_project, tmp_path / "out")
    assert result.returncode != 0
    assert "index.md: cannot render the formula" in result.stdout + result.stderr


def test_the_search_index_holds_the_prose_not_the_code_or_display_math(small_project, tmp_path):
    import json

    (small_project / "docs" / "index.md").write_text(
        "# Home\n\n## How every page is verified\n\nProse about gradients.\n\n```python\nunlikely_identifier = 1\n```\n\n"
        "$$\n\\beta + \\theta\n$$\n\nInline `inline_name` and $\\alpha$.\n")
    result = build(small_project, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    text = json.dumps(json.loads((tmp_path / "out" / "search" / "search_index.json").read_text()), ensure_ascii=False)
    assert "Prose about gradients" in text and "inline_name" in text and "\u03b1" in text
    assert "unlikely_identifier" not in text
    assert "\u03b2" not in text and "\u03b8" not in text
    page = (tmp_path / "out" / "index.html").read_text()  # the page itself keeps all of it, without the marks
    assert "unlikely_identifier" in page and "\u03b2" in page and "data-search-exclude" not in page


def test_the_indexer_is_shown_the_page_without_its_marked_elements():
    import sys

    sys.path.insert(0, str(ROOT))
    from mkdocs.exceptions import PluginError
    from site_hooks.search_scope import without_marked

    html = ('<p>a</p><div class="x" data-search-exclude><div>in</div><div><div>deep</div></div></div>'
            '<p data-search-exclude>note</p><div>b</div><span data-search-excluded>c</span>')
    assert without_marked(html) == '<p>a</p><div>b</div><span data-search-excluded>c</span>'
    with pytest.raises(PluginError, match=r"cnn/x.md: the <div> marked data-search-exclude at line 2 .* never closed"):
        without_marked("<p>a</p>\n<div data-search-exclude><div>open</div>", "cnn/x.md")


def test_a_formula_needing_a_glyph_the_font_subset_lacks_fails_the_build(small_project, tmp_path):
    # U+229B is in Latin Modern Math but no formula of the book uses it, so the subset lacks it.
    (small_project / "docs" / "index.md").write_text("# Home\n\nNew symbol: $a \\circledast b$\n")
    result = build(small_project, tmp_path / "out")
    assert result.returncode != 0
    assert "math font subset lacks characters that formulas use (index.md: \u229b)" in result.stderr
    assert "run `make mathfont`" in result.stderr


def test_the_font_subset_holds_what_a_formula_draws_italic_letters_and_radical_included(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT))
    from site_hooks import mathfont

    mathml = ('<math><msqrt><mi>x</mi></msqrt><mo>+</mo><mi>\u03b1</mi><mi mathvariant="normal">d</mi>'
              '<mi>Var</mi><mtext>in</mtext></math>')
    needed = mathfont.characters_needed(mathml)
    assert needed == set("x+\u03b1dVarin") | {"\U0001d465", "\U0001d6fc", "\u221a"}
    font = tmp_path / "cut.woff2"
    assert mathfont.write_subset(needed, font) < 20_000
    assert mathfont.covered(font) >= needed


# --- stamps say "not verified" for stale, partial or miscounted results -----------------


@pytest.fixture()
def stamps(tmp_path, monkeypatch):
    import sys

    sys.path.insert(0, str(ROOT))
    from site_hooks import stamps as hook
    from verifier.results import page_hash, tools_hash

    page = tmp_path / "p.md"
    page.write_text("# P\n\n```python\nx = 1\n```\n")
    entry = {"ran": 1, "failed": 0, "not run": 0, "other backend": 0, "blocks": 1, "complete": True,
             "hash": page_hash(page), "tools": tools_hash(ROOT), "keras": "3", "date": "2026-12-04", "seconds": 0.1,
             "run": "CI run 42 of commit abc1234"}
    monkeypatch.setattr(hook, "_results", {b: {"p.md": dict(entry)} for b in hook.BACKENDS})
    return hook, page


def test_a_current_complete_result_stamps_the_page_verified(stamps):
    hook, page = stamps
    html, problems = hook.stamp("p.md", page, rendered_blocks=1)
    assert problems == [] and "Verified</strong> on TensorFlow, JAX, PyTorch" in html
    assert "(Keras 3, 2026-12-04, CI run 42 of commit abc1234)" in html  # which run verified it


@pytest.mark.parametrize(("spoil", "message"), [
    (lambda hook, page: page.write_text(page.read_text() + "\nMore prose.\n"), "the page changed since it was run"),
    (lambda hook, page: hook._results["jax"]["p.md"].update(complete=False), "JAX: only part of the page was run"),
    (lambda hook, page: hook._results["torch"]["p.md"].update(failed=1), "PyTorch: 1 blocks failed"),
    (lambda hook, page: hook._results.pop("jax"), "JAX: not run"),
    (lambda hook, page: hook._results["jax"]["p.md"].update(tools="0"), "JAX: run with another version"),
    (lambda hook, page: hook._results["jax"]["p.md"].update(ran=0), "JAX: no block of the page ran"),
], ids=["stale", "partial", "failed", "missing", "other-verifier", "nothing-ran"])
def test_a_stale_partial_or_failed_result_is_not_verified(stamps, spoil, message):
    hook, page = stamps
    spoil(hook, page)
    html, problems = hook.stamp("p.md", page, rendered_blocks=1)
    assert message in "; ".join(problems) and "dlv-stamp--partial" in html


def test_a_python_block_the_verifier_did_not_count_is_not_verified(stamps):
    hook, page = stamps
    _, problems = hook.stamp("p.md", page, rendered_blocks=2)  # the HTML shows one more Python block
    assert "TensorFlow: 1 blocks verified, 2 Python blocks shown" in problems


def test_an_indented_code_block_is_not_shown_as_code(small_project, tmp_path):
    (small_project / "docs" / "index.md").write_text("# Home\n\nText.\n\n    import keras\n    print(1)\n")
    result = build(small_project, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "<pre" not in (tmp_path / "out" / "index.html").read_text().split('<article', 1)[1]


def test_a_toleranced_output_carries_a_note_made_from_its_marker(small_project, tmp_path):
    (small_project / "docs" / "index.md").write_text(
        "# Home\n\n## How every page is verified\n\n```python\nprint('loss 0.31')\n```\n\n<!--pytest-codeblocks:expected-output-->\n"
        "<!--pytest.mark.tolerance(abs=0.05)-->\n```text\nloss 0.31\n```\n")
    result = build(small_project, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "index.html").read_text()
    assert '<p class="dlv-tolerance">Numbers from training' in html and "up to ±0.05" in html


def test_a_figure_of_one_run_carries_a_note_under_each_of_its_images(small_project, tmp_path):
    figures = small_project / "docs" / "figures"
    figures.mkdir()
    for name in ("run.svg", "run.jax.svg", "run.torch.svg", "other.svg"):
        (figures / name).write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (small_project / "docs" / "index.md").write_text(
        '# Home\n\n## How every page is verified\n\n<!--pytest.mark.figure("figures/run.svg", per_backend=True, '
        'one_run=True)-->\n<!--pytest.mark.figure("figures/other.svg")-->\n```python\nx = 1\n```\n\n'
        '=== "TensorFlow"\n\n    ![A run](figures/run.svg)\n\n=== "JAX"\n\n    ![A run](figures/run.jax.svg)\n\n'
        '=== "PyTorch"\n\n    ![A run](figures/run.torch.svg)\n\n![Not a run](figures/other.svg)\n')
    result = build(small_project, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "index.html").read_text()
    assert html.count('<p class="dlv-tolerance">One training run: on another machine') == 3
    assert html.index('src="figures/other.svg"') > html.rindex("One training run")  # the other figure has none


# --- "Common mistakes, corrected" and the cue on continued blocks ----------------------

CORRECTED_PAGE = """# Other

Text.

!!! warning "A common mistake"

    <!--pytest.mark.correction(group="keras-api", claim="Write lr=0.1.", why="Keras 3 removed lr.", fix="Write learning_rate=0.1.")-->
    ```python
    x = 1
    ```

<!--pytest.mark.correction(group="arithmetic", claim="2 + 2 = 5.", why="Counted twice.", fix="2 + 2 = 4.")-->
```python
assert 2 + 2 == 4
```

<!--pytest-codeblocks:cont-->
```python
print(x)
```
"""


def corrections_project(small_project: Path) -> Path:
    config = (small_project / "mkdocs.yml").read_text().replace("  - other.md\n", "  - other.md\n  - corrections.md\n")
    (small_project / "mkdocs.yml").write_text(config)
    (small_project / "docs" / "index.md").write_text("# Home\n\n## How every page is verified\n")
    (small_project / "docs" / "other.md").write_text(CORRECTED_PAGE)
    intro = (ROOT / "docs" / "corrections.md").read_text()
    (small_project / "docs" / "corrections.md").write_text(intro)
    return small_project


def test_the_corrections_page_lists_every_marked_correction_with_a_working_link(small_project, tmp_path):
    result = build(corrections_project(small_project), tmp_path / "out")  # strict: a dead anchor would fail it
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "corrections" / "index.html").read_text()
    assert "<strong>2 common mistakes</strong>, in 2 groups" in html
    # groups in their fixed order, whatever the order on the page
    assert html.index("Arithmetic: shapes") < html.index("Outdated or wrong Keras API")
    assert 'href="../other/#mistake-2">the tested block in <em>Other</em>' in html
    assert "Write learning_rate=0.1." in html and "(not verified in this build)" in html
    other = (tmp_path / "out" / "other" / "index.html").read_text()
    assert other.count('class="dlv-anchor" id="mistake-') == 2
    # the anchor of a block inside an admonition stays inside the admonition
    assert other.index('id="mistake-1"') > other.index('class="admonition warning"')


def test_a_continued_block_carries_a_visible_cue_and_a_first_block_does_not(small_project, tmp_path):
    result = build(corrections_project(small_project), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    other = (tmp_path / "out" / "other" / "index.html").read_text()
    assert other.count('class="dlv-cont"') == 1
    cue = other.index('class="dlv-cont"')
    assert other.index("2</span> <span class=\"o\">==</span>") < cue < other.index('<span class="nb">print')


def test_the_corrections_page_without_its_placeholder_fails_the_build(small_project, tmp_path):
    corrections_project(small_project)
    (small_project / "docs" / "corrections.md").write_text("# Common mistakes, corrected\n")
    result = build(small_project, tmp_path / "out")
    assert result.returncode != 0 and "must contain the line" in result.stdout + result.stderr


def test_the_real_corrections_page_is_in_the_nav_with_its_placeholder():
    from site_hooks.corrections import PLACEHOLDER

    assert "\n  - Common mistakes, corrected: corrections.md\n" in (ROOT / "mkdocs.yml").read_text()
    assert PLACEHOLDER in (ROOT / "docs" / "corrections.md").read_text()


def test_the_accessibility_fixes_fail_the_build_when_materials_markup_changes():
    import sys
    from types import SimpleNamespace

    from mkdocs.exceptions import PluginError

    sys.path.insert(0, str(ROOT))
    from site_hooks import accessibility

    page = SimpleNamespace(file=SimpleNamespace(src_uri="x.md"))
    html = "<body>" + "".join(accessibility.FIXES) + "</body>"
    fixed = accessibility.on_post_page(html, page, None)
    assert 'role="dialog" aria-label="Search"' in fixed and 'aria-hidden="true"' in fixed
    with pytest.raises(PluginError, match=r"x.md: Material's markup changed.*md-progress"):
        accessibility.on_post_page(html.replace('class="md-progress"', 'class="md-progress-bar"'), page, None)


def test_a_first_visit_follows_the_system_scheme_in_materials_own_script_or_the_build_fails():
    import sys
    from types import SimpleNamespace

    from mkdocs.exceptions import PluginError

    sys.path.insert(0, str(ROOT))
    from site_hooks import palette

    page = SimpleNamespace(file=SimpleNamespace(src_uri="x.md"))
    follows = {"theme": {"palette": [{"media": "(prefers-color-scheme)"}, {"media": "(prefers-color-scheme: light)"}]}}
    html = f"<body><script>{palette.MATERIAL}if(palette&&palette.color){{}}</script></body>"
    assert palette.on_post_page(html, page, follows) == html.replace(palette.MATERIAL, palette.FIRST_VISIT)
    fixed = {"theme": {"palette": [{"media": "(prefers-color-scheme: light)", "scheme": "default"}]}}
    assert palette.on_post_page(html, page, fixed) == html  # no option follows the system: nothing to do
    with pytest.raises(PluginError, match=r"x.md: Material's palette script changed"):
        palette.on_post_page(html.replace("__palette", "__scheme"), page, follows)


def test_every_code_block_is_reachable_by_keyboard_and_has_its_height_before_it_is_drawn(site):
    html = (site / "training" / "gradient-descent" / "index.html").read_text()
    blocks = re.findall(r'<div class="language-python highlight"><pre>(?:<span></span>)?<code[^>]*>', html)
    assert len(blocks) > 10 and all('tabindex="0"' in block for block in blocks)  # before Material mounts it
    assert all("--dlv-lines: " in block for block in blocks)  # site_hooks/code_heights.py


def test_code_blocks_carry_no_span_that_changes_nothing_on_screen(site):
    # code_tokens.py unwraps names and whitespace because Material draws names in the code
    # colour itself; a theme override of that colour would make the unwrapping visible.
    assert "--md-code-hl-name-color" not in (ROOT / "docs" / "assets" / "extra.css").read_text()
    code_pages = 0
    for page in pages(site):
        html = page.read_text()
        assert '<span class="n">' not in html and '<span class="w">' not in html, page.relative_to(site)
        assert "__codelineno" not in html, f"{page.relative_to(site)}: an anchor per code line nobody can click"
        code_pages += 'class="language-python' in html
    assert code_pages >= 10


def test_unwrapping_code_tokens_keeps_the_text_and_the_coloured_tokens():
    import sys

    sys.path.insert(0, str(ROOT))
    from site_hooks.code_tokens import unwrap

    html = ('<p><span class="n">prose</span></p><pre><code><span class="kn">import</span><span class="w"> </span>'
            '<span class="nn">keras</span>\n<span class="n">x</span><span class="w"> </span><span class="o">=</span>'
            '<span class="w"> </span><span class="mi">1</span></code></pre>')
    out = unwrap(html)
    assert re.sub(r"<[^>]+>", "", out) == re.sub(r"<[^>]+>", "", html)
    assert out.count('<span class="') == 4 + 1  # kn, nn, o, mi in the code; the prose span untouched
    assert '<p><span class="n">prose</span></p>' in out and "\nx =" in out.replace('<span class="o">=</span>', "=")


def test_each_code_block_carries_its_number_of_lines_for_its_height_before_it_is_drawn():
    import sys

    from mkdocs.exceptions import PluginError

    sys.path.insert(0, str(ROOT))
    from site_hooks.code_heights import with_heights

    block = '<pre><span></span><code tabindex="0">{}</code></pre>'
    html = "<p>x</p>" + block.format("a = 1\nb = 2\n") + block.format("print(a)") + block.format("a\n\n\nb\n")
    out = with_heights(html)
    assert re.findall(r'--dlv-lines: (\d+)"', out) == ["2", "1", "4"]
    assert re.sub(r' style="[^"]*"', "", out) == html
    with pytest.raises(PluginError, match="already has a style attribute"):
        with_heights('<pre><code style="color: red">x</code></pre>')


def test_figures_are_sized_from_their_svg_and_all_but_the_first_are_fetched_when_near(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT))
    from site_hooks.figure_loading import with_loading

    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a.svg").write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
                                                'width="720pt" height="316.8pt" viewBox="0 0 720 316.8"></svg>')
    (tmp_path / "figures" / "b.svg").write_text('<svg width="300" height="200"></svg>')
    html = ('<p><img alt="A" src="../figures/a.svg" /></p><p><img alt="B" src="../figures/b.svg" /></p>'
            '<img alt="C" src="data:image/png;base64,AAAA">')
    out = with_loading(html, tmp_path / "page")
    assert out == ('<p><img alt="A" src="../figures/a.svg" width="960" height="422" /></p>'
                   '<p><img alt="B" src="../figures/b.svg" width="300" height="200" loading="lazy" decoding="async" /></p>'
                   '<img alt="C" src="data:image/png;base64,AAAA" loading="lazy" decoding="async">')
    missing = '<img alt="M" src="../figures/missing.svg" />'  # left to the link check, which names the line
    assert with_loading(missing, tmp_path / "page") == missing


def test_every_built_figure_is_sized_and_all_but_the_first_are_lazy(site):
    html = (site / "generative" / "diffusion" / "index.html").read_text()
    images = re.findall(r"<img\b[^>]*>", html)
    assert len(images) >= 4 and all(re.search(r' width="\d+" height="\d+"', image) for image in images)
    assert 'loading="lazy"' not in images[0] and all('loading="lazy"' in image for image in images[1:])


def test_the_content_between_headings_after_the_first_section_is_wrapped_with_its_estimated_heights():
    import sys

    from mkdocs.exceptions import PluginError

    sys.path.insert(0, str(ROOT))
    from site_hooks.lazy_sections import WEIGHTS, with_lazy_sections

    html = ('<h1 id="t">T</h1>\n<p>intro</p>\n<h2 id="a">A</h2>\n<p>one two</p>\n<hr>\n<ul>\n<li>x</li>\n</ul>\n'
            '<h3 id="b">B</h3>\n<div class="arithmatex" tabindex="0"><math><mi>x</mi></math></div>\n<h2 id="c">C</h2>\n')
    out = with_lazy_sections(html)
    assert re.sub(r'<div class="dlv-lazy"[^>]*>\n|\n</div>\n', "", out).replace("\n", "") == html.replace("\n", "")
    assert out.startswith('<h1 id="t">T</h1>\n<p>intro</p>\n<h2 id="a">A</h2>\n<div class="dlv-lazy"')  # first screen as it was
    assert out.count('<div class="dlv-lazy"') == 2 and '</div>\n<h3 id="b">' in out and '</div>\n<h2 id="c">' in out
    phone = [int(h) for h in re.findall(r"--dlv-estimate: (\d+)px", out)]
    assert phone == [round(8 * WEIGHTS["phone"]["chars"] + 2 * WEIGHTS["phone"]["blocks"]),  # "one two", "x"
                     round(1 * WEIGHTS["phone"]["chars"] + WEIGHTS["phone"]["math"])]
    assert len(re.findall(r"--dlv-estimate-wide: \d+px", out)) == 2
    # An element left open inside another closes with it, as in a browser.
    assert with_lazy_sections('<h2 id="a">A</h2><div><p>x</div><p>y</p>').count("</div>") == 2
    with pytest.raises(PluginError, match=r"<div> is never closed"):
        with_lazy_sections('<h2 id="a">A</h2><div><p>x</p>')
    with pytest.raises(PluginError, match=r"</div> at line 1, column 26 of the page's content closes no element"):
        with_lazy_sections('<h2 id="a">A</h2><p>x</p></div>')


def test_a_long_run_is_drawn_in_parts_of_about_a_screen_and_the_opening_screen_at_once():
    import sys

    sys.path.insert(0, str(ROOT))
    from site_hooks.lazy_sections import PART, WEIGHTS, with_lazy_sections

    paragraph = "<p>" + "word " * 99 + "word</p>\n"  # 499 characters
    per_screen = -(-PART // round(499 * WEIGHTS["phone"]["chars"] + WEIGHTS["phone"]["blocks"]))  # paragraphs a part holds
    html = '<h1 id="t">T</h1>\n' + paragraph * (2 * per_screen) + '<h2 id="a">A</h2>\n' + paragraph * (2 * per_screen + 1)
    out = with_lazy_sections(html)
    opening, section = out.split('<h2 id="a">A</h2>')
    assert not opening.split('<div class="dlv-lazy"')[0].count("<div")  # the opening's first part as it was
    assert opening.count('<div class="dlv-lazy"') == 1 and opening.count("<p>") == 2 * per_screen
    assert section.count('<div class="dlv-lazy"') == 3  # two full parts and the paragraph left over
    assert [part.count("<p>") for part in section.split('<div class="dlv-lazy"')[1:]] == [per_screen, per_screen, 1]


def test_a_long_chapter_is_drawn_in_parts_and_a_lab_at_once(site):
    chapter = (site / "training" / "gradient-descent" / "index.html").read_text()
    assert chapter.count('<div class="dlv-lazy" style="--dlv-estimate: ') > 10
    labs = sorted((site / "labs").glob("*/index.html"))
    assert labs and not any('class="dlv-lazy"' in lab.read_text() for lab in labs)


def test_a_section_estimate_counts_what_shows_before_the_reader_opens_or_switches_anything():
    import sys

    sys.path.insert(0, str(ROOT))
    from site_hooks.lazy_sections import COLUMN, WEIGHTS, top_level

    html = ('<div class="tabbed-set"><div class="tabbed-content">'
            '<div class="tabbed-block"><p><img alt="a" src="a.svg" width="760" height="400"></p></div>'
            '<div class="tabbed-block"><p><img alt="b" src="b.svg" width="760" height="400"></p><p>hidden text</p></div>'
            '</div></div><details><summary>Code</summary><pre><code>a\nb\nc\n</code></pre></details>'
            '<details open><summary>Shown</summary><pre><code>a\nb\n</code></pre></details>'
            '<table><tr><td>1</td></tr><tr><td>2</td></tr></table>')
    _, tags, contents = top_level(html)
    assert tags == ["div", "details", "details", "table"]
    tabs, closed, opened, table = contents
    assert tabs.figures == [(760.0, 400.0)] and tabs.chars == 0 and tabs.blocks == 1  # the first tab only
    assert tabs.estimate("phone") == round(WEIGHTS["phone"]["blocks"] + 400 * COLUMN["phone"] / 760)
    assert (closed.details, closed.blocks, closed.code_lines, closed.chars) == (1, 1, 0, 4)  # its summary only
    assert (opened.code_lines, opened.chars) == (2, 5)
    assert (table.rows, table.chars) == (2, 2)


def test_a_stylesheet_keeps_the_rules_that_could_match_the_page_and_only_those():
    import sys

    sys.path.insert(0, str(ROOT))
    from site_hooks.unused_css import required, without_unused_rules

    assert required("div.a > p#b:not(.c)::before") == ({"a"}, {"b"}, {"div", "p"})
    assert required('[data-x="y"] .a:is(.b, .c) SPAN') == ({"a"}, set(), {"span"})
    html = '<html><body><div class="w a" id="b"><p>x</p></div></body></html>'
    css = ('@charset "UTF-8";.w{--v:1}.w :root{--v:2}.w body{m:0}:root{--r:0}body{m:1}.w .a:hover,.zz{c:1}'
           '#b>p::after{c:2}.missing{c:3}div.a .missing{c:4}@media (min-width:1px){.a{c:5}.gone{c:6}}'
           '@media print{.gone{c:7}}@keyframes k{0%{o:0}}')
    assert without_unused_rules(css, html) == ('@charset "UTF-8";.w{--v:1}:root{--r:0}body{m:1}.w .a:hover{c:1}'
                                               '#b>p::after{c:2}@media (min-width:1px){.a{c:5}}@keyframes k{0%{o:0}}')


def test_highlighted_code_is_reused_from_the_cache_only_for_the_same_block(small_project, tmp_path):
    import json

    page = small_project / "docs" / "index.md"
    page.write_text("# Home\n\n```python\nfirst_block = 1\n```\n\n```python\nsecond_block = 2\n```\n")
    assert build(small_project, tmp_path / "one").returncode == 0
    cache_file = small_project / ".cache" / "highlight.json"
    cache = json.loads(cache_file.read_text())
    assert sum("first_block" in html for html in cache.values()) == 1
    assert build(small_project, tmp_path / "two").returncode == 0
    assert (tmp_path / "one" / "index.html").read_text() == (tmp_path / "two" / "index.html").read_text()
    # An entry is used only for the block it was made from: mark every entry, change one block.
    cache_file.write_text(json.dumps({k: v if k == "versions" else v.replace("_block", "_CACHED") for k, v in cache.items()}))
    page.write_text("# Home\n\n```python\nfirst_block = 1\n```\n\n```python\nsecond_block = 3\n```\n")
    assert build(small_project, tmp_path / "three").returncode == 0
    html = (tmp_path / "three" / "index.html").read_text()
    assert "first_CACHED" in html and "second_block" in html and "second_CACHED" not in html
    kept = json.loads(cache_file.read_text())  # a full build keeps only what it used
    assert not any("second_CACHED" in v for v in kept.values()) and len(kept) == len(cache)
    cache_file.write_text("{not json")  # an unreadable cache is rebuilt, not an error
    assert build(small_project, tmp_path / "four").returncode == 0
    assert "first_CACHED" not in (tmp_path / "four" / "index.html").read_text()


def test_a_labs_prose_is_searchable_and_its_code_cells_are_not(site):
    import json

    index = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    lab = " ".join(d["text"] + " " + d["title"] for d in index if d["location"].startswith("labs/cnn-on-digits/"))
    assert "Look at the data" in lab and "nearly balanced" in lab
    assert "train_test_split" not in lab and "figsize" not in lab
