"""Check every link of a built site, with its anchor, offline (lychee).

MkDocs's strict build already fails on a Markdown link to a missing page or heading. What it
cannot see is the HTML the build writes around the Markdown: links made by the hooks (stamps,
corrections), raw HTML, the theme. lychee reads the built pages as a browser would and checks
each local link and its `#fragment` against the files and ids that exist. A broken link is
reported with the built page, its line and column, and the Markdown file the page comes from.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from site_hooks import lychee  # noqa: E402

# The 404 page links with absolute URLs under site_url's path, which exist only once deployed.
SKIPPED_PAGES = ("404.html",)


@dataclass(frozen=True)
class BrokenLink:
    page: str          # the built page, relative to the site
    line: int
    column: int
    url: str           # as lychee resolved it, relative to the site
    reason: str
    source: str        # the Markdown file the page was built from ("" when there is none)
    source_lines: tuple[int, ...]  # lines of the Markdown where the link's target is written

    def __str__(self) -> str:
        where = f"{self.page}:{self.line}:{self.column}"
        if self.source:
            lines = ",".join(map(str, self.source_lines)) if self.source_lines else "?"
            where += f" (from {self.source}:{lines})"
        return f"{where}: {self.url}: {self.reason}"


def broken_links(site: Path, docs: Path = ROOT / "docs") -> list[BrokenLink]:
    """Every local link of the built `site` that does not resolve, or whose fragment is missing."""
    site = site.resolve()
    command = [lychee.executable(), "--offline", "--include-fragments", "--index-files", "index.html",
               "--root-dir", str(site), "--no-progress", "--format", "json",
               *[arg for page in SKIPPED_PAGES for arg in ("--exclude-path", page)], "**/*.html"]
    done = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=300)
    if done.returncode not in (0, 2):  # 2: links failed; anything else: lychee itself failed
        raise RuntimeError(f"lychee failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    if report["total"] == 0:
        raise RuntimeError(f"lychee found no link in {site}: is it a built site?")
    found = []
    for page, errors in sorted(report["error_map"].items()):
        source = source_of(page, docs)
        for error in errors:
            url = relative_url(error["url"], site)
            span = error.get("span") or {}
            found.append(BrokenLink(page, span.get("line", 0), span.get("column", 0), url,
                                    error["status"].get("details") or error["status"]["text"],
                                    str(source.relative_to(docs.parent)) if source else "",
                                    lines_naming(source, url) if source else ()))
    return found


def source_of(page: str, docs: Path) -> Path | None:
    """docs/a/b.md for the built a/b/index.html (or docs/a/index.md, docs/index.md)."""
    path = Path(page)
    if path.name != "index.html":
        return None
    candidates = [docs / path.parent.with_suffix(".md")] if path.parent != Path(".") else []
    candidates.append(docs / path.parent / "index.md")
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def relative_url(url: str, site: Path) -> str:
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return url
    path = Path(unquote(parsed.path))
    shown = str(path.relative_to(site)) if path.is_relative_to(site) else str(path)
    return shown + (f"#{parsed.fragment}" if parsed.fragment else "")


def lines_naming(source: Path, url: str) -> tuple[int, ...]:
    """The lines of the Markdown that write the link's fragment, or else its last path segment."""
    path, _, fragment = url.partition("#")
    needle = f"#{fragment}" if fragment else Path(path).name
    if not needle:
        return ()
    return tuple(number for number, line in enumerate(source.read_text().splitlines(), 1) if needle in line)
