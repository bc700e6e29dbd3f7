"""The hashed lock files agree with the top-level pins they were generated from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
LOCKED = ["tensorflow", "jax", "torch", "tools"]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s\\;]+)")


def pins(file: Path) -> dict[str, str]:
    """name -> version of every `name==version` line, following `-r other.txt`."""
    found = {}
    for line in file.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found |= pins(file.parent / line[3:].strip())
        elif m := PIN.match(line):
            found[m[1].lower().replace("_", "-")] = m[2]
    return found


def locked(file: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a lock file."""
    entries, text = {}, file.read_text()
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        if m := PIN.match(block):
            entries[m[1].lower().replace("_", "-")] = (m[2], block.count("--hash=sha256:"))
    return entries


def stale(name: str, folder: Path = REQUIREMENTS) -> list[str]:
    lock = locked(folder / f"{name}.lock")
    problems = []
    for package, version in pins(folder / f"{name}.txt").items():
        got = lock.get(package, (None, 0))[0]
        if got is None or got.split("+")[0] != version.split("+")[0]:
            problems.append(f"{package}=={version} is pinned but the lock has {got}")
    problems += [f"{package} has no hash" for package, (_, hashes) in lock.items() if not hashes]
    return problems


@pytest.mark.parametrize("name", LOCKED)
def test_every_pin_is_locked_at_its_version_with_hashes(name):
    problems = stale(name)
    assert problems == [], f"requirements/{name}.lock is stale: run `make lock`.\n" + "\n".join(problems)


def test_a_moved_pin_is_reported_as_a_stale_lock(tmp_path):
    (tmp_path / "base.txt").write_text("keras==9.9.9\n")
    (tmp_path / "x.txt").write_text("-r base.txt\nnumpy==2.4.6\n")
    (tmp_path / "x.lock").write_text("keras==3.15.1 \\\n    --hash=sha256:ab\nnumpy==2.4.6\n")
    assert stale("x", tmp_path) == ["keras==9.9.9 is pinned but the lock has 3.15.1", "numpy has no hash"]


def test_the_zizmor_of_the_tests_is_the_zizmor_of_the_weekly_audit():
    assert pins(REQUIREMENTS / "base.txt")["zizmor"] == pins(REQUIREMENTS / "tools.txt")["zizmor"]


def test_pytorch_is_locked_to_its_cpu_build():
    version, _ = locked(REQUIREMENTS / "torch.lock")["torch"]
    assert version.endswith("+cpu"), f"torch {version}: PyPI's build pulls several GB of CUDA libraries"
    assert not any(p.startswith("nvidia-") for p in locked(REQUIREMENTS / "torch.lock"))


def test_the_home_page_names_the_pinned_versions_a_reader_installs():
    text = (ROOT / "docs" / "index.md").read_text()
    shown = dict(re.findall(r"\b([a-z][a-z0-9-]*)==([\w.+]+)", text))
    assert {"keras", "numpy", "scikit-learn", "matplotlib", "tensorflow-cpu", "jax", "torch"} <= set(shown)
    pinned = {**pins(REQUIREMENTS / "tensorflow.txt"), **pins(REQUIREMENTS / "jax.txt"), **pins(REQUIREMENTS / "torch.txt")}
    assert {name: pinned.get(name) for name in shown} == shown, "docs/index.md names other versions than requirements/"
