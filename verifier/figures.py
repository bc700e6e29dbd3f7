"""Decide whether a figure a block draws now is the figure kept next to the page.

A figure drawn from a training run moves between machines, backends and seeds, as its
numbers do. SVG figures therefore count as the same when their text is identical apart
from numbers (the same labels and number of points: the same structure) and every
number is within the figure's tolerance of the kept one: `TOLERANCE`, far below a
pixel, unless the block's marker declares more (`figure("figures/x.svg", tolerance=4)`,
in points, measured from the spread across backends and seeds). Anything else is a
real change. Matplotlib names clip
paths and markers after a hash of their coordinates (`p38f8bf11f4`), so those names are
compared by order of appearance. Unlabelled (minor) tick marks are left out: they follow
the data's range (a log axis gains one when a curve crosses a decade). Other formats must
be byte-identical.

Some training runs amplify the last bit: another machine's sums (another CPU, thread count
or kernel library) send a GAN or a two-number code somewhere else, as another seed does, and
no tolerance short of "anything" would hold. Such a figure is declared one run
(`one_run=True`) and is compared as another seed's would be, plus two checks that hold on
every machine: it has the same labels (titles, axis labels, legend; tick values are free),
and the code that drew it is the code on the page, by a stamp `make update` writes into it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

TOLERANCE = 0.01  # in SVG user units (points): far below one screen pixel
# A coordinate: not part of a colour (#1f77b4), an id (DejaVuSans-30) or a name.
_NUMBER = re.compile(rb"(?<![\w#.-])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")
_COMMENT = re.compile(rb"<!--(.*?)-->", re.DOTALL)  # matplotlib writes each text's characters here
_HASHED_ID = re.compile(rb"\b[mp][0-9a-f]{10}\b")


def same_figure(kept: Path, drawn: Path, tolerance: float = TOLERANCE) -> bool:
    old, new = kept.read_bytes(), drawn.read_bytes()
    if old == new:
        return True
    if kept.suffix != ".svg":
        return False
    deviation = largest_deviation(old, new)
    return deviation is not None and deviation <= tolerance


def largest_deviation(old: bytes, new: bytes) -> float | None:
    """The largest move of any number between two SVGs; None when their structure differs."""
    old, new = _number_hashed_ids(_without_ticks(old)), _number_hashed_ids(_without_ticks(new))
    if _COMMENT.findall(old) != _COMMENT.findall(new):
        return None  # a label, a tick or a title reads differently
    old, new = _COMMENT.sub(b"<!---->", old), _COMMENT.sub(b"<!---->", new)
    if _NUMBER.split(old) != _NUMBER.split(new):
        return None
    old_numbers, new_numbers = _NUMBER.findall(old), _NUMBER.findall(new)
    if len(old_numbers) != len(new_numbers):
        return None
    return max((abs(float(a) - float(b)) for a, b in zip(old_numbers, new_numbers)), default=0.0)


# Minor ticks follow the data's range: near the edge of a decade, a log axis of the same curves
# gains or loses an unlabelled tick (and every later serial id shifts). Labelled ticks carry the
# scale, and are compared with the curves.
_TICK = re.compile(rb'^( *)<g id="[xy]tick_\d+">\n.*?^\1</g>\n', re.MULTILINE | re.DOTALL)
_SERIAL_ID = re.compile(rb'(id="[A-Za-z][\w.]*?_)\d+"')


def _without_ticks(svg: bytes) -> bytes:
    """The figure without its unlabelled tick marks, its serial ids (`line2d_36`) unnumbered."""
    unlabelled = _TICK.sub(lambda tick: tick.group() if b"<!--" in tick.group() else b"", svg)
    return _SERIAL_ID.sub(rb'\1#"', unlabelled)


def _number_hashed_ids(svg: bytes) -> bytes:
    """Replace each hash-named id by `id` and its order of first appearance."""
    order: dict[bytes, bytes] = {}
    return _HASHED_ID.sub(lambda m: order.setdefault(m.group(), b"id%d" % len(order)), svg)


# --- figures of one run ---------------------------------------------------------------------
_STAMP_TEXT = b"<!-- drawn by the page's code, sha256 %s -->"
_STAMP = re.compile(rb"\n" + re.escape(_STAMP_TEXT).replace(rb"%s", rb"([0-9a-f]{16})") + rb"\n?\Z")
_DIGITS = re.compile(rb"\d+(?:\.\d+)?")
# What a tick value is made of: blanked digits, signs (U+2212 minus, U+00D7 times in UTF-8), math markup.
_NOT_A_LABEL = re.compile(rb"[\s#.,+\-$^{}()]|\\mathdefault|\\times|\xe2\x88\x92|\xc3\x97")


def code_stamp(code: str) -> str:
    """What identifies the code that drew a figure: the chain of blocks up to the one that saves it."""
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def stamped(svg: bytes, stamp: str) -> bytes:
    """The figure with the stamp of the code that drew it, as a comment after the root element."""
    return _STAMP.sub(b"", svg).rstrip(b"\n") + b"\n" + _STAMP_TEXT % stamp.encode() + b"\n"


def stamp_of(svg: bytes) -> str | None:
    match = _STAMP.search(svg)
    return match.group(1).decode() if match else None


def labels(svg: bytes) -> set[bytes]:
    """The texts a figure writes apart from tick values, numbers blanked ("t = 50" reads "t = #")."""
    texts = (_DIGITS.sub(b"#", text.strip()) for text in _COMMENT.findall(_STAMP.sub(b"", svg)))
    return {text for text in texts if _NOT_A_LABEL.sub(b"", text)}
