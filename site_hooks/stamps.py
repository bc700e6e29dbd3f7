"""Stamp every page that has code with the backends whose verification run passed it (MkDocs hook).

The stamp comes from `.verification/<backend>.json`, written by the test run of this
checkout (see verifier/results.py). A backend counts as passed for a page only when its
run covered every block of the page (`complete`), nothing failed, the recorded hash is
the hash of the page and its figures as built now, the verifier and the pins are the
ones that checked it, at least one block ran, and the number of blocks it ran or
marked not-run equals the number of Python code blocks in the page's rendered HTML,
counted here independently of the verifier's parser. With `DLV_REQUIRE_STAMPS=1` (the
publishing build), a page that is not verified on every backend fails the build.

The hook also writes, under each output whose numbers carry a tolerance, a note that
tells the reader how far such numbers move, and under each figure of one training run
(`one_run=True`) a note that its curves are one run's; both are made from the markers, not typed.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from verifier import results  # noqa: E402
from verifier.markdown import MarkdownError, count_python_fences, parse_page  # noqa: E402
from verifier.markers import figure_file  # noqa: E402

BACKENDS = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
# A code block Material highlights as Python, in the rendered HTML.
PYTHON_BLOCK = re.compile(r'<div class="language-(?:python3?|py3?) highlight')
STAMP = re.compile(r'<div class="dlv-stamp[^"]*">.*?</div>', re.DOTALL)
_results: dict[str, dict] = {}


def on_pre_build(config):
    _results.clear()
    _results.update(results.load(ROOT))


def problems_for(page_uri: str, source: Path, rendered_blocks: int | None,
                 recorded: dict[str, dict] | None = None) -> tuple[list[str], list[str], dict]:
    """(backends passed, problems, the entry of one passing backend) for one page, judged on
    `recorded` (backend -> page -> entry; by default the results this build loaded)."""
    recorded = _results if recorded is None else recorded
    passed, problems, entry = [], [], {}
    current = results.page_hash(source) if source.is_file() else None
    tools = results.tools_hash(ROOT)
    for backend, name in BACKENDS.items():
        tally = recorded.get(backend, {}).get(page_uri)
        if tally is None:
            problems.append(f"{name}: not run")
        elif tally.get("failed"):
            problems.append(f"{name}: {tally['failed']} blocks failed")
        elif not tally.get("complete"):
            problems.append(f"{name}: only part of the page was run")
        elif tally.get("hash") != current:
            problems.append(f"{name}: the page changed since it was run")
        elif tally.get("tools") != tools:
            problems.append(f"{name}: run with another version of the verifier or the pinned packages")
        elif not tally.get("ran"):
            problems.append(f"{name}: no block of the page ran")
        elif rendered_blocks is not None and tally.get("blocks") != rendered_blocks:
            problems.append(f"{name}: {tally.get('blocks')} blocks verified, {rendered_blocks} Python blocks shown")
        else:
            passed.append(name)
            entry = tally
    return passed, problems, entry


def stamp(page_uri: str, source: Path, rendered_blocks: int | None = None, home: str = "") -> tuple[str, list[str]]:
    """The stamp's HTML for a page, and what keeps it from being verified on every backend."""
    passed, problems, entry = problems_for(page_uri, source, rendered_blocks)
    how = home
    if passed:
        text = (f"<strong>Verified</strong> on {', '.join(passed)}: {entry['ran']} code blocks ran and every "
                f"output and assertion on this page held (Keras {entry['keras']}, {entry['date']}, "
                f"{entry.get('run', 'a local run')}).")
        icon = "✔"
    else:
        text, icon = "<strong>Not verified in this build.</strong>", "!"
    if problems:
        text += " " + "; ".join(problems) + "."
    link = f'<a href="{how}#how-every-page-is-verified">How pages are verified</a>'
    kind = "dlv-stamp" if not problems else "dlv-stamp dlv-stamp--partial"
    return f'<div class="{kind}"><p><span aria-hidden="true">{icon}</span> {text} {link}</p></div>', problems


def tolerance_notes(markdown: str, cells: list) -> str:
    """Add under each toleranced output a note saying how far its numbers may move."""
    lines = markdown.splitlines(keepends=True)
    for cell in reversed(cells):
        if cell.tolerance is None or not cell.outputs:
            continue
        last = max(cell.outputs.values(), key=lambda o: o.close_line)
        indent = last.indent if "*" in cell.outputs else last.indent[:-4]
        where = ["another machine"] + (["backend"] if "*" in cell.outputs else []) + ([] if cell.tolerance.draws
                                                                                  else ["seed"])
        where = ", ".join(where[:-1]) + " or " + where[-1] if len(where) > 1 else where[0]
        seeds = " Another seed draws other numbers." if cell.tolerance.draws else ""
        note = (f"{indent}<p class=\"dlv-tolerance\">Numbers from training: on {where} they may differ from "
                f"these by up to {cell.tolerance.describe()}, the tolerance the tests allow.{seeds}</p>\n")
        lines.insert(last.close_line, f"\n{note}")
    return "".join(lines)


ONE_RUN_NOTE = ("One training run: on another machine, backend or seed its curves and points land elsewhere. "
                "The tests check that the code on this page drew it; what the text says about it, the code asserts.")


def one_run_notes(markdown: str, cells: list) -> str:
    """Add under each image of a figure declared one run (`one_run=True`) a note that says so."""
    files = {figure_file(figure.path, backend, figure.per_backend)
             for cell in cells for figure in cell.figures if figure.one_run for backend in BACKENDS}
    if not files:
        return markdown
    lines = markdown.splitlines(keepends=True)
    for number in reversed(range(len(lines))):
        line = lines[number]
        if any(f"]({name})" in line for name in files):
            indent = line[:len(line) - len(line.lstrip(" "))]
            lines.insert(number + 1, f"\n{indent}<p class=\"dlv-tolerance\">{ONE_RUN_NOTE}</p>\n")
    return "".join(lines)


def on_page_markdown(markdown, page, config, files):
    source = Path(config["docs_dir"]) / page.file.src_uri
    try:
        cells = parse_page(source, markdown)  # the markers, for both notes
    except MarkdownError:
        cells = []  # the verifier reports it; the build shows the page as written
    markdown = one_run_notes(tolerance_notes(markdown, cells), cells)
    if not count_python_fences(markdown):
        return markdown
    html = '<div class="dlv-stamp"></div>'  # filled in by on_page_content, once the blocks are rendered
    lines = markdown.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("# "):
            lines.insert(i + 1, "\n" + html + "\n\n")
            break
    else:
        lines.insert(0, html + "\n\n")
    return "".join(lines)


def on_page_content(html, page, config, files):
    """Re-stamp with the Python blocks counted in the rendered page, and enforce stamps when publishing."""
    blocks = len(PYTHON_BLOCK.findall(html))
    if not blocks and not STAMP.search(html):
        return html
    source = Path(config["docs_dir"]) / page.file.src_uri
    fresh, problems = stamp(page.file.src_uri, source, blocks, home="../" * page.url.count("/"))
    if problems and os.environ.get("DLV_REQUIRE_STAMPS") == "1":
        raise PluginError(f"{page.file.src_uri} is not verified on every backend: {'; '.join(problems)}")
    if STAMP.search(html):
        return STAMP.sub(lambda _: fresh, html, count=1)
    return fresh + html
