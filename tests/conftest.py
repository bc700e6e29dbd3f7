"""Shared set-up for the machinery's tests."""

# The verifier's tests run pytest in-process (pytester), which forgets modules first
# imported inside each inner run; NumPy, Keras and matplotlib cannot be imported twice
# in one process, so they are imported once here, before any inner run.
from pathlib import Path

import keras  # noqa: F401
import matplotlib  # noqa: F401
import numpy  # noqa: F401
import pytest
from site_build import ROOT, build  # noqa: F401



@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real site, built once with --strict; its build log is kept beside it."""
    target = tmp_path_factory.mktemp("site") / "site"
    result = build(ROOT, target)
    assert result.returncode == 0, result.stdout + result.stderr
    (target / ".build-log").write_text(result.stderr)
    return target


@pytest.fixture()
def small_project(tmp_path) -> Path:
    """The real configuration and hooks with two tiny pages."""
    for name in ("site_hooks", "verifier", "node_modules", "snippets"):
        (tmp_path / name).symlink_to(ROOT / name)
    config = (ROOT / "mkdocs.yml").read_text()
    config = config[: config.index("\nnav:")] + "\nnav:\n  - index.md\n  - other.md\n"
    (tmp_path / "mkdocs.yml").write_text(config)
    (tmp_path / "docs" / "assets").mkdir(parents=True)
    for asset in (ROOT / "docs" / "assets").iterdir():
        (tmp_path / "docs" / "assets" / asset.name).symlink_to(asset)
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n## A heading\n\nMath: $a^2 + b^2 = c^2$.\n")
    return tmp_path
