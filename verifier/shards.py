"""Split the pages of one backend across CI jobs (`pytest docs --shard 2/3` runs the second third),
and weigh pages so that the heaviest starts first.

Whole pages go to a shard (a page's blocks share variables and its result is recorded per
page). The split is deterministic, so the jobs of one run agree without talking to each
other: pages are weighed by their recorded run time on this backend when every page has
one (`.verification/`, restored from main in pull requests), else on another backend that
has every page (a fresh clone's `make test` runs JAX after TensorFlow has recorded its
times), otherwise by the length of their Python code; the heaviest page goes first to the
lightest shard.
"""

from __future__ import annotations

import re
from pathlib import Path

SHARD = re.compile(r"^(\d+)/(\d+)$")


def parse_shard(text: str) -> tuple[int, int]:
    """`"2/3"` -> (2, 3); a clear error for anything else."""
    m = SHARD.match(text.strip())
    if not m or not 1 <= int(m[1]) <= int(m[2]):
        raise ValueError(f"--shard takes K/N with 1 <= K <= N, for example 1/2; got {text!r}")
    return int(m[1]), int(m[2])


def split(weights: dict[str, float], count: int) -> list[list[str]]:
    """Pages into `count` shards of nearly equal weight (longest first onto the lightest shard)."""
    shards: list[list[str]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for page in heaviest_first(weights):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        shards[lightest].append(page)
        loads[lightest] += weights[page]
    return [sorted(s) for s in shards]


def weights_of(pages: list[Path], docs: Path, *recorded: dict[str, dict]) -> dict[str, float]:
    """Recorded seconds per page from the first of `recorded` (one backend's results each) that has
    every page, else the length of each page's Python code."""
    names = [p.relative_to(docs).as_posix() for p in pages]
    for results in recorded:
        if names and all(results.get(n, {}).get("seconds") for n in names):
            return {n: float(results[n]["seconds"]) for n in names}
    from .markdown import MarkdownError, parse_page

    found = {}
    for page, name in zip(pages, names):
        try:
            found[name] = float(sum(len(c.code) for c in parse_page(page))) or 1.0
        except MarkdownError:
            found[name] = 1.0  # collected anyway, to report its error
    return found


def weights_for(pages: list[Path], docs: Path, recorded: dict[str, dict], backend: str) -> dict[str, float]:
    """`weights_of` the pages with `recorded` (results by backend, `results.load`) tried in the order
    this backend's, then every other backend's (by name)."""
    others = [recorded[name] for name in sorted(recorded) if name != backend]
    return weights_of(pages, docs, recorded.get(backend, {}), *others)


def heaviest_first(weights: dict[str, float]) -> list[str]:
    """Pages in the order a run should start them: heaviest first, so that pytest-xdist's workers
    do not end the run waiting on one long page (ties by name)."""
    return sorted(weights, key=lambda p: (-weights[p], p))
