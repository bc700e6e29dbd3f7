"""Lighthouse (mobile) over the built site, served with gzip as GitHub Pages serves it.

    make lighthouse                      # every page, median of 3 runs
    make lighthouse PAGES="/ /training/gradient-descent/" RUNS=5

Prints per page the four category scores, the bytes transferred, the DOM size, Largest
Contentful Paint and Total Blocking Time (medians). A benchmark, not a test: scores move
4-7 points run to run on a loaded machine. The test command checks what must hold on every
run instead (tests/test_browser.py: axe-core finds no violation, the transfer budget).

It also writes screenshots of the heaviest page (the most elements) in the light and the dark
scheme, at desktop and phone width, for a person to look at (`--screenshots`, default
bench/screenshots/, not committed).
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


# (name, viewport, mobile) of each screenshot; the phone is Lighthouse's mobile viewport.
SHOTS = (("desktop", {"width": 1280, "height": 900}, False), ("phone", {"width": 412, "height": 823}, True))


def heaviest(site: Path) -> str:
    """The page with the most elements (what costs a phone most, more than bytes)."""
    largest = max(site.rglob("index.html"), key=lambda html: html.read_text().count("<"))
    relative = largest.parent.relative_to(site).as_posix()
    return "/" if relative == "." else f"/{relative}/"


def screenshots(base: str, page: str, target: Path) -> list[Path]:
    """The top of `page` in each scheme and width, as PNG files in `target`."""
    from playwright.sync_api import sync_playwright

    target.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                             args=CHROME_FLAGS.replace("--headless=new", "--headless").split())
        for scheme in ("light", "dark"):
            for name, viewport, mobile in SHOTS:
                context = browser.new_context(color_scheme=scheme, viewport=viewport, is_mobile=mobile)
                tab = context.new_page()
                tab.goto(base + page, wait_until="networkidle")
                path = target / f"{page.strip('/').replace('/', '-') or 'home'}-{scheme}-{name}.png"
                tab.screenshot(path=str(path))
                written.append(path)
                context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build)")
    parser.add_argument("--pages", nargs="*", help="paths such as /training/gradient-descent/ (default: all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--screenshots", type=Path, default=HERE / "screenshots",
                        help="where the heaviest page's screenshots go")
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
        page = heaviest(args.site)
        for path in screenshots(base, page, args.screenshots):
            print(f"screenshot of the heaviest page, {page}: {path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path}")
    finally:
        httpd.shutdown()


if __name__ == "__main__":
    main()
