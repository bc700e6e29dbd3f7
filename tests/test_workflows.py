"""The GitHub Actions workflows pass actionlint and zizmor with no finding."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ZIZMOR = str(Path(sys.executable).with_name("zizmor"))

BAD_WORKFLOW = """\
on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
"""


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    assert shutil.which("node"), "Node.js is required (actionlint runs as WebAssembly)"
    return subprocess.run(["node", str(ROOT / "tests" / "actionlint.mjs"), *map(str, files)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ZIZMOR, "--offline", "--no-progress", *map(str, paths)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_there_are_a_test_and_a_publish_workflow():
    assert {w.name for w in WORKFLOWS} == {"test.yml", "seeds.yml", "latest.yml", "audit.yml", "further-reading.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_actionlint_finds_nothing(workflow):
    result = actionlint(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing():
    result = zizmor(*WORKFLOWS, ROOT / ".github" / "dependabot.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_linters_do_catch_a_bad_workflow(tmp_path):
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(BAD_WORKFLOW)
    assert "potentially untrusted" in actionlint(bad).stdout
    result = zizmor(bad)
    assert result.returncode != 0
    assert "template-injection" in result.stdout and "unpinned-uses" in result.stdout


def test_actions_are_pinned_to_full_commit_shas():
    import re

    for workflow in WORKFLOWS:
        for ref in re.findall(r"uses:\s*(\S+)", workflow.read_text()):
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{workflow.name}: {ref} is not pinned to a SHA"


def test_seeds_1_to_4_and_fresh_processes_run_every_week_on_every_backend():
    seeds = yaml.safe_load((ROOT / ".github" / "workflows" / "seeds.yml").read_text())
    assert "schedule" in seeds[True]  # YAML reads the key `on` as True
    matrix = seeds["jobs"]["pages"]["strategy"]["matrix"]
    assert matrix["seed"] == [1, 2, 3, 4] and matrix["backend"] == ["tensorflow", "jax", "torch"]
    assert "make test-fresh" in seeds["jobs"]["fresh"]["steps"][-1]["run"]
    assert all("timeout-minutes" in job for job in seeds["jobs"].values())


def test_every_job_has_a_time_limit():
    for workflow in WORKFLOWS:
        for name, job in yaml.safe_load(workflow.read_text())["jobs"].items():
            assert "timeout-minutes" in job, f"{workflow.name}: job {name} could hang for six hours"
