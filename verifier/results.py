"""Per-page verification results, kept for the site's verification stamps.

Each run merges what it verified into `.verification/<backend>.json` (git-ignored): the
site build reads these files to stamp every page with the backends that passed it, so a
stamp always comes from a real run of this checkout.
"""

from __future__ import annotations

import datetime
import json
from importlib import metadata
from pathlib import Path

DIRECTORY = ".verification"


def path_for(root: Path, backend: str) -> Path:
    return root / DIRECTORY / f"{backend}.json"


def record(root: Path, backend: str, seed: int, per_page: dict[Path, dict[str, float]]) -> None:
    """Merge this run's per-page counts and seconds (pages under docs/ only, reference seed only)."""
    docs = root / "docs"
    pages = {p: t for p, t in per_page.items() if p.is_relative_to(docs)}
    if not pages or seed != 0:
        return
    target = path_for(root, backend)
    data = json.loads(target.read_text()) if target.is_file() else {"backend": backend, "pages": {}}
    try:
        keras_version = metadata.version("keras")
    except metadata.PackageNotFoundError:
        keras_version = "unknown"
    today = datetime.date.today().isoformat()
    for page, tally in pages.items():
        data["pages"][page.relative_to(docs).as_posix()] = {**tally, "keras": keras_version, "date": today}
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def load(root: Path) -> dict[str, dict]:
    """backend -> {page: tally} for every backend that has results."""
    found = {}
    for file in sorted((root / DIRECTORY).glob("*.json")):
        data = json.loads(file.read_text())
        found[data["backend"]] = data["pages"]
    return found
