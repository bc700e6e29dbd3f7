"""Changing any shown output or asserted count of the first chapter fails, naming the file and line.

Each case copies the chapter with one digit changed (in a shown output, or in the number an
`assert ... == N` checks), runs the one block it belongs to, and expects a failure that
points at the changed line.
"""

from __future__ import annotations

import re
import shutil

import pytest
from site_build import ROOT

from verifier.markdown import parse_page

CHAPTER = ROOT / "docs" / "foundations" / "neuron.md"
EQUALITY = re.compile(r"^(?P<head>\s*assert\b.*?==\s*)(?P<number>\d+)\b")


def mutations() -> list[tuple[int, str, int]]:
    """(line to change, kind, first line of its block): every output line with a digit,
    every `assert ... == N` line."""
    lines = CHAPTER.read_text().splitlines()
    cells = parse_page(CHAPTER)
    found = []
    for index, cell in enumerate(cells):
        chain_start = next(c.fence_line for c in reversed(cells[: index + 1]) if not c.cont)
        if "skip" in cell.marks or "backend" in cell.marks:
            continue
        for n in range(cell.code_line, cell.code_line + cell.code.count("\n")):
            if EQUALITY.match(lines[n - 1]):
                found.append((n, "assert", chain_start))
        if cell.tolerance is None:  # a digit within a declared tolerance may legitimately move
            for n in (n for output in cell.outputs.values() for n in range(output.open_line + 1, output.close_line)):
                if re.search(r"\d", lines[n - 1]):
                    found.append((n, "output", chain_start))
    return found


def mutate(line: str, kind: str) -> str:
    if kind == "assert":
        match = EQUALITY.match(line)
        number = match["number"]
        changed = number[:-1] + str((int(number[-1]) + 1) % 10)
        return line[: match.start("number")] + changed + line[match.end("number"):]
    position = re.search(r"\d", line).start()
    return line[:position] + str((int(line[position]) + 1) % 10) + line[position + 1:]


@pytest.fixture()
def chapter_copy(pytester):
    shutil.copytree(CHAPTER.parent / "figures", pytester.path / "figures")
    return pytester.path / "neuron.md"


def run_block(pytester, block_line: int):
    return pytester.runpytest("-p", "verifier.plugin", f"neuron.md::line {block_line}")


CASES = mutations()
_baseline_passed: set[int] = set()  # blocks already seen passing unchanged


def test_the_chapter_has_things_to_mutate():
    kinds = {kind for _, kind, _ in CASES}
    assert kinds == {"assert", "output"} and len(CASES) >= 10


@pytest.mark.parametrize(("line", "kind", "block"), CASES, ids=[f"{k}-line-{n}" for n, k, _ in CASES])
def test_a_changed_digit_fails_naming_the_file_and_line(pytester, chapter_copy, line, kind, block):
    lines = CHAPTER.read_text().splitlines(keepends=True)
    if block not in _baseline_passed:  # the unchanged block passes
        chapter_copy.write_text("".join(lines))
        run_block(pytester, block).assert_outcomes(passed=1)
        _baseline_passed.add(block)

    lines[line - 1] = mutate(lines[line - 1], kind)
    chapter_copy.write_text("".join(lines))
    result = run_block(pytester, block)
    result.assert_outcomes(failed=1)
    text = "\n".join(result.outlines)
    if kind == "assert":
        assert f"neuron.md:{line}: the block starting at line" in text and "AssertionError" in text
    else:
        shown = re.search(r"neuron\.md:(\d+): the output shown on the page is not what", text)
        assert shown, text
        output = next(o for c in parse_page(chapter_copy) for o in c.outputs.values() if o.open_line < line < o.close_line)
        assert int(shown.group(1)) == output.open_line + 1
        assert "-" + lines[line - 1][len(output.indent):].rstrip() in text
