"""Decide whether a figure a block draws now is the figure kept next to the page.

A figure drawn from a training run can move by a millionth of a pixel between two runs
of the same code (floating-point sums in a different order), which no reader can see.
SVG figures therefore count as the same when their text is identical apart from numbers,
and every number is within `TOLERANCE` of the kept one; anything else (another label,
another number of points, a number off by more) is a real change. Matplotlib names clip
paths and markers after a hash of their coordinates (`p38f8bf11f4`), so those names are
compared by order of appearance. Other formats must be byte-identical.
"""

from __future__ import annotations

import re
from pathlib import Path

TOLERANCE = 0.01  # in SVG user units (points): far below one screen pixel
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_HASHED_ID = re.compile(rb"\b[mp][0-9a-f]{10}\b")


def same_figure(kept: Path, drawn: Path) -> bool:
    old, new = kept.read_bytes(), drawn.read_bytes()
    if old == new:
        return True
    if kept.suffix != ".svg":
        return False
    return _same_apart_from_tiny_numbers(old, new)


def _same_apart_from_tiny_numbers(old: bytes, new: bytes) -> bool:
    old, new = _number_hashed_ids(old), _number_hashed_ids(new)
    if _NUMBER.split(old) != _NUMBER.split(new):
        return False
    old_numbers, new_numbers = _NUMBER.findall(old), _NUMBER.findall(new)
    return len(old_numbers) == len(new_numbers) and all(
        abs(float(a) - float(b)) <= TOLERANCE for a, b in zip(old_numbers, new_numbers)
    )


def _number_hashed_ids(svg: bytes) -> bytes:
    """Replace each hash-named id by `id` and its order of first appearance."""
    order: dict[bytes, bytes] = {}
    return _HASHED_ID.sub(lambda m: order.setdefault(m.group(), b"id%d" % len(order)), svg)
