"""Building the site from the tests."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]


def build(project: Path, site: Path, **env: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of a project into `site`."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run(
        [*MKDOCS, "--config-file", str(project / "mkdocs.yml"), "--site-dir", str(site)],
        capture_output=True, text=True, env=environment, cwd=project, timeout=300,
    )


def built_once(shared: Path, make: Callable[[Path], subprocess.CompletedProcess]) -> Path:
    """`shared / "site"`, made by `make(site)` once for every test process that shares `shared`
    (pytest-xdist's workers): the first to take the lock builds, the others wait and reuse the
    site. A failed build is not retried: every process gets the same AssertionError with its log."""
    site, failure = shared / "site", shared / "site.failed"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not site.exists() and not failure.exists():
            result = make(site)
            if result.returncode == 0:
                (site / ".build-log").write_text(result.stderr)
            else:
                shutil.rmtree(site, ignore_errors=True)
                failure.write_text(result.stdout + result.stderr)
    if failure.exists():
        raise AssertionError("the site does not build:\n" + failure.read_text())
    return site
