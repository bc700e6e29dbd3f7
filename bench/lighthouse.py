"""Lighthouse (mobile) over the built site, served with gzip as GitHub Pages serves it.

    make lighthouse                      # every page, median of 3 runs
    make lighthouse PAGES="/ /training/gradient-descent/" RUNS=5

Prints per page the four category scores, the bytes transferred, the DOM size, Largest
Contentful Paint and Total Blocking Time (medians). A benchmark, not a test: scores move
4-7 points run to run on a loaded machine. The test command checks what must hold on every
run instead (tests/test_browser.py: axe-core finds no violation, the transfer budget).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import statistics
import subprocess
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
# Keep Chromium off the network (it otherwise calls Google's hosts at start).
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map"}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text compressed with gzip when the browser accepts it."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in COMPRESSIBLE or "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *args) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def audit(url: str) -> dict[str, float]:
    """One Lighthouse run: the category scores (0-100) and the measures we report."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROMIUM", "/usr/bin/chromium")}
    result = subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
         f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {result.stderr.strip()[-500:]}")
    report = json.loads(result.stdout)
    audits = report["audits"]
    found = {name: round(100 * report["categories"][name]["score"]) for name in CATEGORIES}
    found["KB"] = audits["total-byte-weight"]["numericValue"] / 1000
    found["DOM"] = audits["dom-size"]["numericValue"]
    found["LCP s"] = audits["largest-contentful-paint"]["numericValue"] / 1000
    found["TBT s"] = audits["total-blocking-time"]["numericValue"] / 1000
    return found


def pages_of(site: Path) -> list[str]:
    found = []
    for html in sorted(site.rglob("index.html")):
        relative = html.parent.relative_to(site).as_posix()
        found.append("/" if relative == "." else f"/{relative}/")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build)")
    parser.add_argument("--pages", nargs="*", help="paths such as /training/gradient-descent/ (default: all)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `npm ci --prefix bench` (make lighthouse does)")
    httpd, base = serve(args.site)
    columns = [*CATEGORIES, "KB", "DOM", "LCP s", "TBT s"]
    print(f"{'page':40s} " + " ".join(f"{c[:14]:>14s}" if c in CATEGORIES else f"{c:>7s}" for c in columns))
    try:
        for page in args.pages or pages_of(args.site):
            runs = [audit(base + page) for _ in range(args.runs)]
            medians = {c: statistics.median(r[c] for r in runs) for c in columns}
            spread = {c: (min(r[c] for r in runs), max(r[c] for r in runs)) for c in CATEGORIES}
            cells = [f"{medians[c]:.0f} ({spread[c][0]:.0f}-{spread[c][1]:.0f})".rjust(14) if c in CATEGORIES
                     else f"{medians[c]:7.0f}" if c in ("KB", "DOM") else f"{medians[c]:7.2f}" for c in columns]
            print(f"{page:40s} " + " ".join(cells), flush=True)
    finally:
        httpd.shutdown()


if __name__ == "__main__":
    main()
