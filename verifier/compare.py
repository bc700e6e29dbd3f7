"""Compare what a block printed with the output its page shows.

Text must match exactly (trailing spaces and trailing blank lines aside). Numbers are
compared as numbers: exactly, unless the output declares a tolerance with
`<!--pytest.mark.tolerance(abs=..., rel=...)-->` because they come from training, whose
float sums differ between CPUs, thread counts, backends and seeds.
"""

from __future__ import annotations

import difflib
import re

from .markers import Tolerance

# A number not glued to a name before it (`dense_1`, `conv2d`) nor part of a version (`3.15.1`);
# a unit may follow it (`1.4e+06x`, `12ms`).
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\d.])|\bnan\b|[-+]?\binf\b")


def normalise(text: str) -> str:
    """Lines without trailing spaces, without trailing blank lines."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def differences(shown: str, real: str, tolerance: Tolerance | None) -> list[str]:
    """Why `real` is not `shown`, one line each; empty when they match."""
    shown, real = normalise(shown), normalise(real)
    if shown == real:
        return []
    if tolerance is None:
        return ["the text differs"]
    shown_lines, real_lines = shown.splitlines(), real.splitlines()
    if len(shown_lines) != len(real_lines):
        return [f"{len(real_lines)} lines printed, {len(shown_lines)} shown"]
    problems = []
    for number, (a, b) in enumerate(zip(shown_lines, real_lines), start=1):
        if _text(a) != _text(b):
            problems.append(f"line {number}: the text around the numbers differs")
            continue
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
            if x != y and not tolerance.allows(x, y):
                problems.append(f"line {number}: {y} is not within {tolerance.describe()} of the shown {x}")
    return problems


def largest_deviation(shown: str, real: str) -> tuple[float, float, int] | None:
    """(largest absolute, largest relative, largest whole-number) difference between matching numbers;
    None when the text around them differs."""
    shown_lines, real_lines = normalise(shown).splitlines(), normalise(real).splitlines()
    if len(shown_lines) != len(real_lines):
        return None
    worst_abs = worst_rel = 0.0
    worst_count = 0
    for a, b in zip(shown_lines, real_lines):
        if _text(a) != _text(b):
            return None
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
            if x.lstrip("+-").isdigit() and y.lstrip("+-").isdigit():
                worst_count = max(worst_count, abs(int(x) - int(y)))
                continue
            gap = abs(float(x) - float(y))
            worst_abs = max(worst_abs, gap)
            if gap:
                worst_rel = max(worst_rel, gap / abs(float(x)) if float(x) else float("inf"))
    return worst_abs, worst_rel, worst_count


def _text(line: str) -> list[str]:
    """The text around the numbers of a line, with runs of spaces as one (NumPy pads numbers to a width)."""
    return [re.sub(r"[ \t]+", " ", part).strip() for part in NUMBER.split(line)]


def unified_diff(shown: str, real: str, shown_name: str, real_name: str) -> str:
    return "".join(difflib.unified_diff(
        normalise(shown).splitlines(keepends=True), normalise(real).splitlines(keepends=True),
        fromfile=shown_name, tofile=real_name,
    ))
