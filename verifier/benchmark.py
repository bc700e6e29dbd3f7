"""Time the verification (a benchmark, not a test): `make bench`.

    python -m verifier.benchmark [tensorflow jax torch]

For each backend it runs every page with `make test-pages` (pytest-xdist workers, one
page per worker, another machine's arithmetic) and prints the wall time; the lower bound, one Keras import plus the blocks' own run times
shared evenly by the cores; their ratio; and the ten slowest blocks. Then the seconds per page on each backend (from the results the runs
record), the strict site build, the check of its links, and a rebuild as `make serve` does
it after an edit (without the search index, only the edited page).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from verifier import results

ROOT = Path(__file__).resolve().parent.parent
VENVS = {"tensorflow": ".venv", "jax": ".venv-jax", "torch": ".venv-torch"}
CORES = os.cpu_count() or 1


def python_of(backend: str) -> Path:
    python = ROOT / VENVS[backend] / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{python.relative_to(ROOT)} is missing: run `make test-pages BACKENDS={backend}` once")
    return python


def import_seconds(backend: str) -> float:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    start = time.perf_counter()
    subprocess.run([str(python_of(backend)), "-c", "import keras"], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def run_pages(backend: str) -> tuple[float, str]:
    """Run the pages of `backend` with `make test-pages`, as `make test` and CI run them (workers and arithmetic)."""
    python_of(backend)
    start = time.perf_counter()
    done = subprocess.run(["make", "--no-print-directory", "test-pages", f"BACKENDS={backend}",
                           "PYTEST_ARGS=--durations=10 --durations-min=0"], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stdout[-3000:], file=sys.stderr)
        raise SystemExit(f"the pages fail on {backend}")
    return elapsed, done.stdout


def build_seconds(search_index: bool) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SEARCH_INDEX": "true" if search_index else "false"}
    start = time.perf_counter()
    subprocess.run([str(python_of("tensorflow")), "-m", "mkdocs", "build", "--strict", "--site-dir", "/tmp/dlv-bench-site"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def link_check_seconds() -> float:
    sys.path.insert(0, str(ROOT))
    from tests.links import broken_links

    start = time.perf_counter()
    broken_links(Path("/tmp/dlv-bench-site"))
    return time.perf_counter() - start


def serve_rebuild_seconds(page: str = "training/gradient-descent.md") -> float:
    """Start `mkdocs serve` as `make serve` does, on a copy of the project, edit one line of a
    page and return the rebuild time that MkDocs reports."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for item in ("mkdocs.yml", "site_hooks", "verifier", "snippets", "node_modules", ".verification"):
            if (ROOT / item).exists():
                (project / item).symlink_to(ROOT / item)
        shutil.copytree(ROOT / "docs", project / "docs")
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SEARCH_INDEX": "false"}
        log = project / "serve.log"
        with log.open("w") as out:
            server = subprocess.Popen([str(python_of("tensorflow")), "-m", "mkdocs", "serve", "--dirty", "--no-strict",
                                       "--dev-addr", "127.0.0.1:8765"], cwd=project, env=env, stdout=out, stderr=out)
            try:
                builds = _wait_for_builds(log, 1, 180)
                with (project / "docs" / page).open("a") as edited:
                    edited.write("\nOne more line.\n")
                return _wait_for_builds(log, builds + 1, 60)
            finally:
                server.terminate()
                server.wait(10)


def _wait_for_builds(log: Path, count: int, timeout: float) -> float | int:
    """Wait until MkDocs has logged `count` builds; the seconds of the last one (the count for the first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        times = re.findall(r"Documentation built in ([\d.]+) seconds", log.read_text())
        if len(times) >= count:
            return float(times[-1]) if count > 1 else len(times)
        time.sleep(0.2)
    raise SystemExit(f"mkdocs serve did not finish build {count} in {timeout:g} s:\n{log.read_text()[-2000:]}")


def main(backends: list[str]) -> None:
    for backend in backends:
        elapsed, out = run_pages(backend)
        recorded = results.load(ROOT).get(backend, {})
        blocks = sum(entry.get("seconds", 0) for entry in recorded.values())
        workers = re.search(r"(\d+) workers", out).group(1)
        bound = import_seconds(backend) + blocks / min(int(workers), CORES)
        print(f"\n{backend}: pages {elapsed:.0f} s with {workers} workers on {CORES} cores; lower bound {bound:.0f} s "
              f"(a Keras import + {blocks:.0f} s of blocks shared by the cores); ratio {elapsed / bound:.2f}")
        for seconds, name in re.findall(r"^([\d.]+)s call\s+(.+)$", out, re.MULTILINE)[:10]:
            print(f"  {float(seconds):6.1f} s  {name.removeprefix('docs/')}")
    print_per_page(backends)
    print(f"\nstrict build, as published: {build_seconds(True):.1f} s")
    print(f"links and anchors of the built site (lychee): {link_check_seconds():.1f} s")
    print(f"full build as `make serve` starts it (no search index): {build_seconds(False):.1f} s")
    print(f"`make serve` rebuild after a one-line edit of a chapter: {serve_rebuild_seconds():.2f} s")


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
