"""Per-page verification results, kept for the site's verification stamps.

Each run merges what it verified into `.verification/<backend>.json` (git-ignored). A
page's entry holds the hash of the page and of the figures its blocks draw, whether
every block of the page ran (a `-k` selection or a stopped run leaves a page partial),
how many failed, and a hash of the verifier and the pins that checked it. The site build stamps a page "Verified" only when the entry is
complete, passed, and its hash is the hash of the page being built; anything else is
stamped as not verified. Files are replaced atomically, so a stopped run never leaves
half a file.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path

DIRECTORY = ".verification"


def path_for(root: Path, backend: str, shard: tuple[int, int] | None = None) -> Path:
    """`.verification/<backend>.json`; a shard of the pages (`--shard 2/3`) writes its own file."""
    if shard:
        return root / DIRECTORY / f"{backend}.shard-{shard[0]}-of-{shard[1]}.json"
    return root / DIRECTORY / f"{backend}.json"


def page_hash(page: Path) -> str:
    """A hash of the page and of every figure file next to it that the page names."""
    from .markdown import parse_page
    from .markers import BACKENDS, figure_file

    digest = hashlib.sha256(page.read_bytes())
    try:
        figures = sorted({figure_file(figure.path, backend, figure.per_backend) for cell in parse_page(page)
                          for figure in cell.figures for backend in BACKENDS})
    except Exception:  # noqa: BLE001 - a page that does not parse has no figures to add
        figures = []
    for figure in figures:
        file = page.parent / figure
        digest.update(figure.encode() + b"\0" + (file.read_bytes() if file.is_file() else b"missing"))
    return digest.hexdigest()[:16]


def tools_hash(root: Path) -> str:
    """A hash of what verifies the pages: the verifier and the pinned packages."""
    digest = hashlib.sha256()
    for file in sorted([*(root / "verifier").glob("*.py"), *(root / "requirements").glob("*.txt"),
                        *(root / "requirements").glob("*.lock")]):
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def record(root: Path, backend: str, seed: int, per_page: dict[Path, dict],
           shard: tuple[int, int] | None = None) -> None:
    """Merge this run's per-page tallies (pages under docs/ only, reference seed only).

    A run of every page replaces the files that shards of an earlier run wrote for this backend."""
    docs = root / "docs"
    pages = {p: t for p, t in per_page.items() if p.is_relative_to(docs)}
    if not pages or seed != 0:
        return
    target = path_for(root, backend, shard)
    data = load_file(target) or {"backend": backend, "pages": {}}
    if shard is None:
        for old in sorted((root / DIRECTORY).glob(f"{backend}.shard-*.json")):
            data["pages"] = {**(load_file(old) or {}).get("pages", {}), **data["pages"]}
            old.unlink()
    try:
        keras_version = metadata.version("keras")
    except metadata.PackageNotFoundError:
        keras_version = "unknown"
    today = datetime.date.today().isoformat()
    run = which_run()
    for page, tally in pages.items():
        complete = tally["ran"] + tally["failed"] + tally["not run"] + tally["other backend"] == tally["blocks"]
        data["pages"][page.relative_to(docs).as_posix()] = {
            **{k: v for k, v in tally.items() if k != "text"}, "complete": complete, "hash": tally.get("hash") or page_hash(page), "tools": tools_hash(root),
            "keras": keras_version, "date": today, "run": run,
        }
    write_atomically(target, json.dumps(data, indent=1, sort_keys=True) + "\n")


def which_run() -> str:
    """The run that records a result, as a stamp names it: a CI run with its commit, or a local run."""
    run, commit = os.environ.get("GITHUB_RUN_ID"), os.environ.get("GITHUB_SHA", "")
    if run:
        return f"CI run {run}" + (f" of commit {commit[:7]}" if commit else "")
    return "a local run"


def still_verified(root: Path, backend: str, page: Path, current_hash: str) -> bool:
    """Did a complete, passing run on `backend` verify this very page with this very verifier and pins?"""
    try:
        entry = load(root).get(backend, {})[page.relative_to(root / "docs").as_posix()]
    except (KeyError, ValueError):
        return False
    return (entry.get("complete") and not entry.get("failed") and entry.get("ran", 0) > 0
            and entry.get("hash") == current_hash and entry.get("tools") == tools_hash(root))


def write_atomically(target: Path, text: str) -> None:
    target.parent.mkdir(exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, target)


def load_file(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def load(root: Path) -> dict[str, dict]:
    """backend -> {page: entry} for every backend that has results (the files of its shards merged)."""
    found: dict[str, dict] = {}
    for file in sorted((root / DIRECTORY).glob("*.json")):
        data = load_file(file)
        if data:
            found.setdefault(data["backend"], {}).update(data["pages"])
    return found
