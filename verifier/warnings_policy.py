"""Which warnings fail a block.

A deprecation warning raised while a block runs means the page teaches an API that is
on its way out: a reader who copies it will see the warning, and later an error. Such a
block fails. The exceptions are warnings raised from inside a library about the
library's own internals, which no change to the block can avoid; each one is listed
here with its reason, and is matched on its category, the module that raised it and its
message.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

FAILING = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


@dataclass(frozen=True)
class Allowed:
    category: type[Warning]
    origin: str  # regular expression on the file that raised it
    message: str  # regular expression on the message
    reason: str


ALLOWED: tuple[Allowed, ...] = (
    Allowed(
        DeprecationWarning,
        r"keras[/\\]src[/\\]backend[/\\]",
        r"__array__ implementation doesn't accept a copy keyword",
        "Keras 3.15's variables and backend tensors define __array__ without NumPy 2's copy= keyword; "
        "NumPy warns whenever Keras itself converts one (inside fit, predict, get_weights), which no "
        "block can avoid. Remove when Keras adds the keyword.",
    ),
)


def failing(caught: list[warnings.WarningMessage]) -> list[str]:
    """The warnings that fail the block, one line each (category, message, where it was raised)."""
    found = []
    for w in caught:
        if not issubclass(w.category, FAILING):
            continue
        if any(issubclass(w.category, a.category) and re.search(a.origin, w.filename or "")
               and re.search(a.message, str(w.message)) for a in ALLOWED):
            continue
        line = f"{w.category.__name__}: {w.message} (raised at {w.filename}:{w.lineno})"
        if line not in found:
            found.append(line)
    return found


def others(caught: list[warnings.WarningMessage]) -> list[str]:
    """Warnings that do not fail the block but that a reader running it sees: listed in the report."""
    found = []
    for w in caught:
        if issubclass(w.category, FAILING):
            continue
        line = f"{w.category.__name__}: {w.message}"
        if line not in found:
            found.append(line)
    return found
