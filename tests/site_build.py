"""Building the site from the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]


def build(project: Path, site: Path, **env: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of a project into `site`."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run(
        [*MKDOCS, "--config-file", str(project / "mkdocs.yml"), "--site-dir", str(site)],
        capture_output=True, text=True, env=environment, cwd=project, timeout=300,
    )
