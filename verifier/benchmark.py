"""Time the full page suite on each Keras backend (a benchmark, not a test).

    python -m verifier.benchmark [tensorflow jax torch]

Runs every block of every page once per backend in that backend's environment, as
`make test-pages` does, and prints the wall time, the pytest-reported time, and the
slowest blocks, which show what dominates each backend's time; then, per page, the
blocks that ran and the seconds they took on each backend (from the results the run
records for the stamps).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from verifier import results

ROOT = Path(__file__).resolve().parent.parent
VENVS = {"tensorflow": ".venv", "jax": ".venv-jax", "torch": ".venv-torch"}


def run(backend: str) -> tuple[float, str]:
    python = ROOT / VENVS[backend] / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{python.relative_to(ROOT)} is missing: run `make test-pages BACKENDS={backend}` once")
    env = {**os.environ, "KERAS_BACKEND": backend}
    start = time.perf_counter()
    result = subprocess.run([str(python), "-m", "pytest", "docs", "-q", "--durations=5"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout[-3000:], file=sys.stderr)
        raise SystemExit(f"the pages fail on {backend}")
    return elapsed, result.stdout


def main(backends: list[str]) -> None:
    print(f"{'backend':<12}{'wall (s)':>10}{'pytest (s)':>12}  slowest blocks")
    for backend in backends:
        elapsed, out = run(backend)
        reported = re.search(r"in ([\d.]+)s", out.strip().splitlines()[-1])
        slow = re.findall(r"^([\d.]+)s (?:call|setup)\s+(.+)$", out, re.MULTILINE)
        slowest = ", ".join(f"{name.split('::')[0].removeprefix('docs/')}:{name.split('line ')[-1]} {float(t):.1f}s"
                            for t, name in slow[:3])
        print(f"{backend:<12}{elapsed:>10.1f}{float(reported.group(1)) if reported else float('nan'):>12.1f}  {slowest}")
    print_per_page(backends)


def print_per_page(backends: list[str]) -> None:
    recorded = results.load(ROOT)
    pages = sorted({page for backend in backends for page in recorded.get(backend, {})})
    print(f"\n{'page':<40}{'blocks':>7}" + "".join(f"{b + ' (s)':>16}" for b in backends))
    for page in pages:
        tallies = [recorded.get(b, {}).get(page, {}) for b in backends]
        ran = max(t.get("ran", 0) for t in tallies)
        print(f"{page:<40}{ran:>7}" + "".join(f"{t.get('seconds', float('nan')):>16.1f}" for t in tallies))


if __name__ == "__main__":
    main(sys.argv[1:] or list(VENVS))
