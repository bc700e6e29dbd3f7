"""Write the page "Common mistakes, corrected" from the chapters' correction markers (MkDocs hook).

Each entry comes from a `<!--pytest.mark.correction(group=..., claim=..., why=..., fix=...)-->`
marker above a block that runs and proves the correction (verifier/markers.py), so no
correction can be listed without a test. Entries follow the nav's reading order, grouped
as `CORRECTION_GROUPS` orders them, and link to the block's anchor (site_hooks/blocks.py);
each says whether that page was verified in this build.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from site_hooks.blocks import correction_anchor, correction_cells  # noqa: E402
from verifier.markdown import MarkdownError, parse_page  # noqa: E402
from verifier.markers import CORRECTION_GROUPS  # noqa: E402

PAGE = "corrections.md"
PLACEHOLDER = "<!-- the list of corrections is generated here by site_hooks/corrections.py -->"


def nav_pages(nav) -> list[str]:
    """The Markdown files of the nav, in reading order."""
    found = []
    for item in nav or []:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            found += nav_pages(value)
        elif isinstance(value, str) and value.endswith(".md"):
            found.append(value)
    return found


def title_of(source: Path) -> str:
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return source.stem


def collect(docs: Path, pages: list[str]) -> list[dict]:
    """Every correction of the pages, in reading order; a page that does not parse is skipped
    here (the verifier fails on it with its line)."""
    entries = []
    for uri in pages:
        try:
            cells = parse_page(docs / uri)
        except (MarkdownError, OSError):
            continue
        for ordinal, cell in enumerate(correction_cells(cells), start=1):
            (correction,) = cell.marks["correction"]
            entries.append({"page": uri, "title": title_of(docs / uri), "anchor": correction_anchor(ordinal),
                            "line": cell.fence_line, "correction": correction})
    return entries


def render(entries: list[dict], status=lambda uri: "") -> str:
    """The Markdown of the list: a count, then one section per group."""
    if not entries:
        return "No chapter marks a correction yet."
    groups = [g for g in CORRECTION_GROUPS if any(e["correction"].group == g for e in entries)]
    mistakes = f"{len(entries)} common mistake{'s' if len(entries) != 1 else ''}"
    out = [f"The chapters correct **{mistakes}**, in {len(groups)} group{'s' if len(groups) != 1 else ''}. "
           "Each entry links to the block on its chapter page that proves the correct statement; "
           "the tests run that block on every backend.\n"]
    for group in groups:
        out.append(f"\n## {CORRECTION_GROUPS[group]}\n")
        for entry in (e for e in entries if e["correction"].group == group):
            c = entry["correction"]
            link = f"{entry['page']}#{entry['anchor']}"
            out.append(f"\n**Mistake:** {c.claim}\n\n"
                       f":   **Why it is wrong:** {c.why}\n\n"
                       f"    **Correct:** {c.fix}\n\n"
                       f"    **Proof:** [the tested block in *{entry['title']}*]({link}){status(entry['page'])}\n")
    return "".join(out)


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != PAGE:
        return markdown
    if PLACEHOLDER not in markdown:
        raise ValueError(f"{PAGE} must contain the line {PLACEHOLDER!r}, where the list is written")
    # MkDocs loads each hook as its own module, so the stamps hook's loaded results are not
    # visible from here: read them again.
    from site_hooks.stamps import problems_for
    from verifier import results

    recorded = results.load(ROOT)

    @functools.cache  # one hash of each page, however many corrections it holds
    def status(uri: str) -> str:
        passed, _, _ = problems_for(uri, Path(config["docs_dir"]) / uri, None, recorded)
        return f" (verified on {', '.join(passed)} in this build)" if passed else " (not verified in this build)"

    docs = Path(config["docs_dir"])
    entries = collect(docs, nav_pages(config["nav"]))  # links are relative: this page sits at the top of docs/
    return markdown.replace(PLACEHOLDER, render(entries, status))
