"""Shared set-up for the machinery's tests."""

# The verifier's tests run pytest in-process (pytester), which forgets modules first
# imported inside each inner run; NumPy, Keras and matplotlib cannot be imported twice
# in one process, so they are imported once here, before any inner run.
import functools
import http.server
import os
import threading
from pathlib import Path

import keras  # noqa: F401
import matplotlib  # noqa: F401
import numpy  # noqa: F401
import pytest
from site_build import ROOT, build, built_once  # noqa: F401



@pytest.fixture(scope="session")
def site(tmp_path_factory, worker_id) -> Path:
    """The real site, built with --strict once for all of this run's workers; its build log is
    kept in it (`.build-log`)."""
    run = tmp_path_factory.getbasetemp()
    shared = run if worker_id == "master" else run.parent  # under pytest-xdist: this run's, not another's
    return built_once(shared, lambda target: build(ROOT, target))


@pytest.fixture()
def small_project(tmp_path) -> Path:
    """The real configuration and hooks with two tiny pages."""
    for name in ("site_hooks", "verifier", "node_modules", "snippets"):
        (tmp_path / name).symlink_to(ROOT / name)
    config = (ROOT / "mkdocs.yml").read_text()
    config = config[: config.index("\nnav:")] + "\nnav:\n  - index.md\n  - other.md\n"
    (tmp_path / "mkdocs.yml").write_text(config)
    (tmp_path / "docs" / "assets").mkdir(parents=True)
    for asset in (ROOT / "docs" / "assets").iterdir():
        (tmp_path / "docs" / "assets" / asset.name).symlink_to(asset)
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n## A heading\n\nMath: $a^2 + b^2 = c^2$.\n")
    return tmp_path


# --- the built site in Debian's Chromium (test_browser.py, test_calculator.py) -------------

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Keep Chromium off the network: it otherwise calls Google's hosts at start.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "the browser tests need Debian's Chromium: apt-get install chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, server):
    """A fresh browser tab that records the URLs it requests and the errors it logs."""
    context = browser.new_context()
    page = context.new_page()
    page.requests, page.errors = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
