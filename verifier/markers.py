"""The HTML-comment markers a page puts above a fence, and what each one means.

| marker | above | meaning |
|---|---|---|
| `<!--pytest-codeblocks:cont-->` | a Python fence | continues the block above (same variables) |
| `<!--pytest-codeblocks:expected-output-->` | an output fence | what the block above prints |
| `<!--pytest.mark.tolerance(abs=0.03, counts=2)-->` | an output fence | numbers in it come from training and may move this much (whole numbers by `counts`; `draws=True`: they are draws of the page's seed, free under another seed) |
| `<!--pytest.mark.figure("figures/x.svg")-->` | a Python fence | the block draws this figure (`tolerance=` in pt; `per_backend=True`: one file per backend; `one_run=True`: it draws one training run, whose curves move from machine to machine as from seed to seed, so only its labels and the code that drew it are compared) |
| `<!--pytest.mark.timeout(60)-->` | a Python fence | more than the default 30 s |
| `<!--pytest.mark.backend("jax")-->` | a Python fence | runs only under these backends |
| `<!--pytest.mark.skip(reason="...")-->` | a Python fence | shown, not run; the reason is reported |
| `<!--pytest.mark.fresh_process(reason="...")-->` | a Python fence | its chain runs in a new Python, as pasted (for code that must run before the backend starts, such as choosing the number of devices) |
| `<!--pytest.mark.correction(group="arithmetic", claim="...", why="...", fix="...")-->` | a Python fence | the block proves a correction of a common mistake; the page "Common mistakes, corrected" lists it |
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

BACKENDS = ("tensorflow", "jax", "torch")
# Content-tab titles of an output shown per backend, as the stamps and the backend tabs name them.
BACKEND_TABS = {"TensorFlow": "tensorflow", "JAX": "jax", "PyTorch": "torch"}
KNOWN = ("pytest-codeblocks:cont, pytest-codeblocks:expected-output or "
         "pytest.mark.skip/timeout/backend/figure/tolerance/correction/fresh_process")


@dataclass(frozen=True)
class Tolerance:
    """How far a number of a shown output may move.

    A decimal number: |real - shown| <= max(abs, rel * |shown|). A whole number (a count of
    epochs, an index) stays a whole number, exact unless `counts` allows it to move by that many.
    """

    abs: float = 0.0
    rel: float = 0.0
    counts: int = 0
    # True: the numbers are draws of the page's seed (a random search, sampled data); under
    # another seed they are other draws, and only the text around them is compared.
    draws: bool = False

    def allows(self, shown: str, real: str) -> bool:
        if self.abs == math.inf:
            return True
        if _is_count(shown) or _is_count(real):
            return _is_count(shown) and _is_count(real) and abs(int(real) - int(shown)) <= self.counts
        x, y = float(shown), float(real)
        if not (math.isfinite(x) and math.isfinite(y)):
            return shown == real  # nan and inf only match themselves
        return abs(y - x) <= max(self.abs, self.rel * abs(x)) + 1e-12

    def describe(self) -> str:
        if self.abs == float("inf"):
            return "any number, since another seed draws other data"
        parts = []
        if self.abs:
            parts.append(f"±{self.abs:g}")
        if self.rel:
            parts.append(f"±{self.rel * 100:g}%")
        text = " or ".join(parts) + (", whichever is larger" if len(parts) == 2 else "")
        if self.counts:
            text += f"{', ' if text else ''}whole numbers by ±{self.counts}"
        return text or "nothing"


def _is_count(number: str) -> bool:
    return number.lstrip("+-").isdigit()


def _error(path: Path, line: int, message: str) -> Exception:
    from .markdown import MarkdownError

    return MarkdownError(path, line, message)


def parse_marker(path: Path, line: int, body: str) -> tuple[str, tuple] | None:
    """A marker comment as (name, args); None for an ordinary comment."""
    text = body.strip().strip("-").strip()
    if not text.lower().startswith("pytest"):
        return None
    if text.startswith("pytest-codeblocks:"):
        keyword = text.split(":", 1)[1].strip()
        if keyword in ("cont", "expected-output"):
            return keyword, ()
        hints = {
            "skip": 'write <!--pytest.mark.skip(reason="why it is not run")-->',
            "skipfile": "every page is verified; mark single blocks with pytest.mark.skip(reason=...)",
            "expect-exception": "show the exception inside the block (try/except and print it)",
            "expect-error": "show the exception inside the block (try/except and print it)",
        }
        hint = next((h for k, h in hints.items() if keyword.startswith(k)), None)
        raise _error(path, line, f"unknown marker `{text}`: {hint or 'known: cont, expected-output'}")
    try:  # backslashes are TeX in a marker, never escapes: "$\\frac{1}{2}$" keeps its "\\f"
        call = ast.parse(text.replace("\\", "\\\\"), mode="eval").body
    except SyntaxError:
        call = None
    func = call.func if isinstance(call, ast.Call) else call
    if not isinstance(func, ast.Attribute) or not ast.unparse(func).startswith("pytest.mark."):
        raise _error(path, line, f"unknown marker `{text}`: markers are {KNOWN}")
    name = ast.unparse(func).removeprefix("pytest.mark.")
    try:
        args = tuple(ast.literal_eval(a) for a in call.args) if isinstance(call, ast.Call) else ()
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords} if isinstance(call, ast.Call) else {}
    except ValueError:
        raise _error(path, line, f"marker `{text}`: arguments must be literals") from None
    parse = _PARSERS.get(name)
    if parse is None:
        raise _error(path, line, f"unknown marker `pytest.mark.{name}`: known are {', '.join(_PARSERS)}")
    return name, parse(path, line, args, kwargs)


def _skip(path, line, args, kwargs):
    reason = kwargs.get("reason") or (args[0] if args else "")
    if not str(reason).strip():
        raise _error(path, line, 'a block that is not run needs a reason: pytest.mark.skip(reason="...")')
    return (str(reason),)


def _fresh_process(path, line, args, kwargs):
    reason = kwargs.get("reason", "")
    if args or set(kwargs) - {"reason"} or not str(reason).strip():
        raise _error(path, line, 'a chain run in a new Python says why: pytest.mark.fresh_process(reason="...")')
    return (str(reason),)


def _timeout(path, line, args, kwargs):
    if kwargs or len(args) != 1 or not isinstance(args[0], (int, float)) or args[0] <= 0:
        raise _error(path, line, "pytest.mark.timeout takes one number of seconds, e.g. timeout(60)")
    return args


def _backend(path, line, args, kwargs):
    bad = [a for a in args if a not in BACKENDS]
    if kwargs or not args or bad:
        raise _error(path, line, f"pytest.mark.backend takes names among {', '.join(BACKENDS)}; got {args}")
    return args


class Figure(NamedTuple):
    """A figure a block draws, as its marker declares it."""

    path: str  # next to the page, e.g. figures/relu.svg
    tolerance: float  # in points: how far any coordinate may move
    per_backend: bool  # one file per backend (figures/relu.jax.svg ...)
    # One training run: on another machine its curves move as under another seed, so only its
    # labels and the code that drew it are compared (verifier.figures.same_labels, code_stamp).
    one_run: bool = False


def _figure(path, line, args, kwargs):
    unknown = set(kwargs) - {"tolerance", "per_backend", "one_run"}
    tolerance = kwargs.get("tolerance", 0.01)
    if len(args) != 1 or not str(args[0]).endswith((".svg", ".png")) or unknown:
        raise _error(path, line, 'pytest.mark.figure takes the figure\'s path, e.g. figure("figures/relu.svg"), '
                     "and optionally tolerance=POINTS, per_backend=True and one_run=True")
    if not isinstance(tolerance, (int, float)) or tolerance < 0 or (tolerance > 0.01 and args[0].endswith(".png")):
        raise _error(path, line, "figure tolerance is a number of points (SVG figures only)")
    for flag in ("per_backend", "one_run"):
        if kwargs.get(flag, False) is not True and flag in kwargs:
            raise _error(path, line, f"{flag}=True or nothing")
    if kwargs.get("one_run") and ("tolerance" in kwargs or not args[0].endswith(".svg")):
        raise _error(path, line, "a figure of one run (one_run=True) is an SVG compared by its labels, "
                     "with no tolerance: its coordinates are free")
    return Figure(args[0], float(tolerance), bool(kwargs.get("per_backend")), bool(kwargs.get("one_run")))


def figure_file(figure: str, backend: str, per_backend: bool) -> str:
    """The file kept for `backend`: `figures/x.svg` is TensorFlow's; per backend, `figures/x.jax.svg` and so on."""
    if not per_backend or backend == BACKENDS[0]:
        return figure
    stem, dot, suffix = figure.rpartition(".")
    return f"{stem}.{backend}{dot}{suffix}"


def _tolerance(path, line, args, kwargs):
    unknown = set(kwargs) - {"abs", "rel", "counts", "draws"}
    values = [kwargs.get("abs", 0), kwargs.get("rel", 0), kwargs.get("counts", 0)]
    if kwargs.get("draws", False) not in (True, False):
        raise _error(path, line, "draws=True or nothing")
    if args or unknown or not kwargs or not all(isinstance(v, (int, float)) and v >= 0 for v in values):
        raise _error(path, line, "pytest.mark.tolerance takes abs= and/or rel= (decimal numbers) and counts= "
                     "(whole numbers), non-negative, e.g. tolerance(abs=0.03)")
    if kwargs.get("rel", 0) >= 1:
        raise _error(path, line, "a relative tolerance of 100% or more would accept any number")
    if not all(math.isfinite(v) for v in values):
        raise _error(path, line, "a tolerance is a finite number")
    if not isinstance(values[2], int):
        raise _error(path, line, "counts= is a whole number")
    return (Tolerance(float(values[0]), float(values[1]), values[2], kwargs.get("draws", False)),)


# The groups of the page "Common mistakes, corrected", in its order, with their headings.
CORRECTION_GROUPS = {
    "arithmetic": "Arithmetic: shapes, counts and formulas",
    "keras-api": "Outdated or wrong Keras API",
    "definitions": "Definitions and concepts",
    "training": "Training advice",
}


@dataclass(frozen=True)
class Correction:
    """A common mistake that the marked block proves wrong."""

    group: str
    claim: str  # the mistake as it usually appears, paraphrased
    why: str  # why it is wrong
    fix: str  # the correct statement


def _correction(path, line, args, kwargs):
    fields = ("group", "claim", "why", "fix")
    missing = [f for f in fields if not str(kwargs.get(f, "")).strip()]
    if args or set(kwargs) - set(fields) or missing:
        raise _error(path, line, 'pytest.mark.correction takes group=, claim=, why= and fix=, each a non-empty '
                     f'string{" (missing: " + ", ".join(missing) + ")" if missing else ""}')
    if kwargs["group"] not in CORRECTION_GROUPS:
        raise _error(path, line, f"correction group {kwargs['group']!r} is not one of {', '.join(CORRECTION_GROUPS)}")
    return (Correction(**{f: str(kwargs[f]).strip() for f in fields}),)


_PARSERS = {"correction": _correction, "skip": _skip, "fresh_process": _fresh_process, "timeout": _timeout, "backend": _backend, "figure": _figure, "tolerance": _tolerance}
