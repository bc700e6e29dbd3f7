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
