"""Measure how far shown outputs and figures move across backends and seeds.

`make spread` runs every page on each backend with seeds 0 to 4 and `--record-outputs`;
this module then compares every recorded output and figure with what the page shows:

    python -m verifier.spread .spread [docs]

It prints, for each output or figure that moved, the largest move per backend, and
whether the page already declares enough tolerance. An output whose text (not only its
numbers) changes cannot take a tolerance: show it per backend, or print something steadier.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from pathlib import Path

from .compare import largest_deviation, normalise
from .figures import largest_deviation as figure_deviation
from .markdown import parse_page
from .markers import figure_file


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten that is at least `value`."""
    if value <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    return next(round(step * power, 12) for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
                if step * power >= value - 1e-12)


def proposal(moves: list[tuple[float, float, int]], margin: float = 1.2) -> str:
    """A tolerance marker that covers the measured moves with a margin."""
    decimals = max((m[0] for m in moves), default=0.0)
    counts = max((m[2] for m in moves), default=0)
    parts = []
    if decimals:
        parts.append(f"abs={nice_ceiling(decimals * margin):g}")
    if counts:
        parts.append(f"counts={math.ceil(counts * margin)}")
    return f"tolerance({', '.join(parts)})" if parts else "exact"


def measure(records: Path, docs: Path) -> tuple[dict, dict]:
    """(outputs, figures): key -> backend -> list of (seed, deviation); deviation None when the structure differs."""
    cells = {}
    for page in sorted(docs.rglob("*.md")):
        for cell in parse_page(page.relative_to(Path.cwd()) if page.is_absolute() else page):
            cells[(str(cell.path), cell.fence_line)] = cell
    outputs: dict = defaultdict(lambda: defaultdict(list))
    figures: dict = defaultdict(lambda: defaultdict(list))
    for run in sorted(p for p in records.iterdir() if p.is_dir()):
        backend, seed = run.name.rsplit("-", 1)
        for file in sorted(run.glob("*.json")):
            data = json.loads(file.read_text())
            page, line = data["page"], data["line"]
            cell = cells.get((page, line))
            if cell is None:
                continue
            shown = cell.output_for(backend)
            if shown is not None:
                key = f"{cell.path}:{shown.open_line}"
                same = normalise(shown.text) == normalise(data["printed"])
                moved = (0.0, 0.0, 0) if same else largest_deviation(shown.text, data["printed"])
                outputs[key][backend].append((int(seed), moved, cell.tolerance))
            for figure in cell.figures:
                drawn = file.with_name(f"{file.stem}-{Path(figure.path).name}")
                kept = Path(cell.path).parent / figure_file(figure.path, backend, figure.per_backend)
                if drawn.is_file() and kept.is_file() and not figure.one_run:  # one run's coordinates are free
                    deviation = figure_deviation(kept.read_bytes(), drawn.read_bytes())
                    figures[f"{cell.where} {figure.path}"][backend].append((int(seed), deviation, figure.tolerance))
    return outputs, figures


def report(outputs: dict, figures: dict) -> list[str]:
    lines = []
    for key, per_backend in sorted(outputs.items()):
        moved = [m for runs in per_backend.values() for _, m, _ in runs]
        if all(m is not None and not any(m) for m in moved):
            continue
        tolerance = next(t for runs in per_backend.values() for _, _, t in runs)
        parts = []
        for backend, runs in sorted(per_backend.items()):
            if any(m is None for _, m, _ in runs):
                seeds = ",".join(str(s) for s, m, _ in runs if m is None)
                parts.append(f"{backend}: text differs (seeds {seeds})")
            else:
                worst = [m for _, m, _ in runs]
                parts.append(f"{backend}: ±{max(m[0] for m in worst):.3g}"
                             + (f", counts ±{max(m[2] for m in worst)}" if any(m[2] for m in worst) else ""))
        at_seed_0 = [m for runs in per_backend.values() for s, m, _ in runs if s == 0]
        need = ""
        if not any(m is None for m in moved):
            need = f" -> {proposal(moved)} (seed 0 only: {proposal(at_seed_0)})"
        elif not any(m is None for m in at_seed_0):
            need = f" -> {proposal(at_seed_0)[:-1]}, draws=True)" if at_seed_0 and any(map(any, at_seed_0)) else ""
        declared = f" [declared {tolerance.describe()}{', draws' if tolerance.draws else ''}]" if tolerance else ""
        lines.append(f"output {key}: " + "; ".join(parts) + need + declared)
    for key, per_backend in sorted(figures.items()):
        moved = [d for runs in per_backend.values() for _, d, _ in runs]
        if all(d is not None and d <= 0.01 for d in moved):
            continue
        parts = []
        for backend, runs in sorted(per_backend.items()):
            if any(d is None for _, d, _ in runs):
                seeds = ",".join(str(s) for s, d, _ in runs if d is None)
                parts.append(f"{backend}: structure differs (seeds {seeds})")
            else:
                parts.append(f"{backend}: {max(d for _, d, _ in runs):.3g} pt")
        declared = next(iter(per_backend.values()))[0][2]
        lines.append(f"figure {key}: " + "; ".join(parts) + f" [declared {declared:g} pt; compared under seed 0 only]")
    return lines


def main(argv: list[str]) -> int:
    records = Path(argv[0]) if argv else Path(".spread")
    docs = Path(argv[1]) if len(argv) > 1 else Path("docs")
    runs = sorted(p.name for p in records.iterdir() if p.is_dir() and any(p.iterdir())) if records.is_dir() else []
    if not runs:
        print(f"{records}: no recorded run (pytest docs --record-outputs {records} writes them)", file=sys.stderr)
        return 2
    lines = report(*measure(records, docs))
    print(f"{len(lines)} outputs and figures moved across {len(runs)} runs ({', '.join(runs)}):")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
