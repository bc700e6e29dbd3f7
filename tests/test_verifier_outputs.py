"""Shown outputs and figures on every backend and seed, tolerances, per-backend outputs, and the
holes a new user found in the verifier: each fixture here passed unchecked before it was closed."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from test_verifier import output, page, run

# --- holes: output that nobody checked -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("```python\nprint(1)\n```\n\nIt prints:\n\n```text\n1\n```\n", 7, "introduced by a sentence ending with a colon after"),
        ("```python\nprint(1)\n```\n\n```pytb\nTraceback (most recent call last):\n```\n", 5, "right after"),
        ("```python\nprint('{}')\n```\n\n```json\n{}\n```\n", 5, "right after"),
        ("```python\nprint(1)\n```\n\n```log\n1\n```\n", 5, "right after"),
        ('<!--pytest.mark.skip(reason="slow")-->\n```python\nx = 1\n```\n\n<!--pytest-codeblocks:cont-->\n'
         '<!--pytest.mark.skip(reason="slow")-->\n```python\nprint(x)\n```\n\n'
         "<!--pytest-codeblocks:expected-output-->\n```text\n1\n```\n", 13, "block its chain starts with is skipped"),
        ('<!--pytest.mark.figure("figures/a.svg")-->\n<!--pytest.mark.figure("figures/a.svg")-->\n```python\nx = 1\n```\n',
         2, "marked twice"),
        ("<!--pytest.mark.timeout(60)-->\n<!--pytest.mark.timeout(90)-->\n```python\nx = 1\n```\n", 2, "given twice"),
        ("<!--pytest.mark.fresh_process-->\n```python\nx = 1\n```\n", 1, "a chain run in a new Python says why"),
        ('```python\nx = 1\n```\n\n<!--pytest-codeblocks:cont-->\n<!--pytest.mark.fresh_process(reason="r")-->\n'
         "```python\nprint(x)\n```\n", 7, "mark the first block of the chain with fresh_process(...)"),
        ("Look:\n\n![A curve](figures/curve.svg)\n", 3, "the image figures/curve.svg is drawn by no block"),
        ("> ```python\n> x = 1\n> ```\n", 1, "inside a block quote"),
        ("```numpy\nimport numpy\n```\n", 1, "`numpy` fences are highlighted as Python but not run"),
        ("```py2\nprint 1\n```\n", 1, "`py2` fences"),
        ("```sage\nx = 1\n```\n", 1, "`sage` fences"),
        ("```cython\ncdef int x\n```\n", 1, "`cython` fences"),
        ('--8<-- "chapter-part.md"\n', 1, "snippet includes (--8<--) are not verified"),
        ('```python\n--8<-- "example.py"\n```\n', 2, "snippet includes (--8<--) are not verified"),
        ("```python\nx = 1\n````\n", 1, "unterminated code fence"),
        ("!!! note\n\n    ```python\n    x = 1\n```\n", 5, "less indented than the fence"),
        ("```python\nprint(1)\n```\n\n<!--pytest-codeblocks:expected-output-->\n```python\n1\n```\n", 5,
         "expected-output marks the output fence after a Python block, not a Python fence"),
        ("```python\nprint(1)\n```\n\n<!--pytest-codeblocks:expected-output-->\n"
         '=== "TensorFlow"\n\n    ```text\n    1\n    ```\n', 6, "missing: JAX, PyTorch"),
        ("```python\nprint(1)\n```\n\n<!--pytest-codeblocks:expected-output-->\n<!--pytest.mark.tolerance(0.1)-->\n"
         "```text\n1\n```\n", 6, "tolerance takes abs= and/or rel="),
        ('```python\nprint(1)\n```\n-8<- "out.md"\n', 4, "snippet includes (--8<--) are not verified"),
        ('```python\ntry:\n    ---8<--- "code.py"\nexcept TypeError:\n    pass\n```\n', 3, "snippet includes"),
        ("```python\nprint(1)\n```\n\n```none\n42\n```\n", 5, "no <!--pytest-codeblocks:expected-output--> marker"),
        ("```python\nprint(2)\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\n2\n```\n\n```text\n3\n```\n",
         10, "(or its output), so it reads as its output"),
        ("```pyhton\nimport keras\n```\n", 1, "looks like Python (it imports)"),
        ("```ipython3console\nIn [1]: 1 + 1\n```\n", 1, "`ipython3console` fences are highlighted as Python"),
        ('```python title="uses `keras`"\nraise SystemExit(1)\n```\n\n```text\nx\n```\n', 5, "reads as its output"),
        ('<!--pytest.mark.backend("tensorflow")-->\n```python\nprint("tf")\n```\n\n'
         '<!--pytest-codeblocks:expected-output-->\n=== "TensorFlow"\n\n    ```text\n    tf\n    ```\n\n'
         '=== "JAX"\n\n    ```text\n    never compared\n    ```\n', 13, "would never be compared"),
        ('<!--pytest.mark.skip(reason="slow")-->\n<!--pytest.mark.figure("figures/stale.svg")-->\n```python\nx = 1\n```\n',
         3, "the figure it is marked to draw would never be drawn"),
        ("![alt][curve]\n\n[curve]: figures/stale.svg\n", 3, "the image figures/stale.svg is drawn by no block"),
        ("<img src=figures/stale.svg>\n", 1, "the image figures/stale.svg is drawn by no block"),
        ('<!--pytest.mark.skip(reason="slow")-->\n```python\nx = 1\n```\n\n<!--pytest-codeblocks:cont-->\n'
         "```python\nassert False\n```\n", 7, "continues a block that is not run"),
        ("```python\nimport numpy as np\nrng = np.random.Generator(np.random.PCG64(0))\n```\n", 3,
         "is seeded where the verifier's seed runs cannot shift it"),
        ("```python\nimport numpy as np\nnp.random.RandomState(0).rand()\n```\n", 3, "cannot shift it"),
        ("<!--pytest-codeblocks:expected-output-->\n<!--pytest.mark.tolerance(abs=1e999)-->\n```text\n1\n```\n", 2,
         "a tolerance is a finite number"),
    ],
    ids=["lead-in-sentence", "pytb", "json", "log", "skipped-chain-hides-cont-output", "two-figures-same",
         "two-timeouts", "fresh-process-without-reason", "fresh-process-on-cont", "image-nobody-draws", "block-quote", "numpy", "py2", "sage", "cython", "snippet-outside",
         "snippet-inside", "longer-closing-fence", "closing-fence-other-indent", "python-as-output",
         "backend-tabs-incomplete", "tolerance-without-keyword", "snippet-one-dash", "snippet-three-dashes",
         "unknown-language-after-block", "second-fence-after-output", "typo-language-with-import", "ipython-plugin-lexer",
         "backtick-in-title", "tab-for-a-backend-never-run", "figure-of-skipped-block", "reference-image",
         "unquoted-img", "cont-onto-skipped-chain", "pcg64-seeding", "randomstate-seeding", "infinite-tolerance"],
)
def test_a_hole_is_now_an_error_naming_file_and_line(pytester, text, line, message):
    page(pytester, "# T\n\n" + text)
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert f"page.md:{line + 2}: " in output(result)
    assert message in output(result)


def test_a_fence_after_a_sentence_that_introduces_something_else_is_not_an_output(pytester):
    page(pytester, "# T\n\n```python\nprint(1)\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\n1\n```\n\n"
         "The same call from a shell looks like this.\n\n```bash\npython -c 'print(1)'\n```\n")
    run(pytester).assert_outcomes(passed=1)


def test_an_output_after_a_lead_in_sentence_is_checked(pytester):
    text = "# T\n\n```python\nprint(2 + 2)\n```\n\nIt prints:\n\n<!--pytest-codeblocks:expected-output-->\n```text\n{}\n```\n"
    page(pytester, text.format(4))
    run(pytester).assert_outcomes(passed=1)
    page(pytester, text.format(5))
    run(pytester).assert_outcomes(failed=1)


def test_a_block_may_draw_two_figures_and_both_are_checked(pytester):
    page(pytester, textwrap.dedent("""\
        # T

        <!--pytest.mark.figure("figures/a.svg")-->
        <!--pytest.mark.figure("figures/b.svg")-->
        ```python
        import matplotlib.pyplot as plt
        for name in "ab":
            fig, ax = plt.subplots(figsize=(1, 1))
            fig.savefig(f"{name}.svg")
        ```

        ![A](figures/a.svg) ![B](figures/b.svg)
        """))
    run(pytester, "--update-outputs").assert_outcomes(passed=1)
    assert (pytester.path / "figures" / "a.svg").is_file() and (pytester.path / "figures" / "b.svg").is_file()
    (pytester.path / "figures" / "b.svg").write_text("<svg/>")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "the figure figures/b.svg differs" in output(result)


# --- tolerance ------------------------------------------------------------------------

TRAINED = """\
# T

```python
print("loss {value}, after 10 epochs")
```

<!--pytest-codeblocks:expected-output-->
<!--pytest.mark.tolerance(abs=0.05)-->
```text
loss 0.50, after 10 epochs
```
"""


@pytest.mark.parametrize(("value", "passes"), [("0.50", True), ("0.53", True), ("0.45", True), ("0.56", False)])
def test_numbers_of_a_toleranced_output_may_move_within_the_tolerance(pytester, value, passes):
    page(pytester, TRAINED.format(value=value))
    result = run(pytester)
    result.assert_outcomes(passed=int(passes), failed=int(not passes))
    if not passes:
        assert "line 1: 0.56 is not within ±0.05 of the shown 0.50" in output(result)


def test_a_toleranced_output_still_needs_the_same_text_and_integers(pytester):
    page(pytester, TRAINED.format(value="0.50").replace('print("loss', 'print("cost'))
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "the text around the numbers differs" in output(result)
    page(pytester, TRAINED.format(value="0.50").replace("after 10", "after 11", 1))
    run(pytester).assert_outcomes(failed=1)


@pytest.mark.parametrize(("epochs", "passes"), [("12", True), ("8", True), ("13", False)])
def test_whole_numbers_move_only_by_the_declared_counts(pytester, epochs, passes):
    page(pytester, TRAINED.format(value="0.50").replace("after 10", f"after {epochs}", 1)
         .replace("tolerance(abs=0.05)", "tolerance(abs=0.05, counts=2)"))
    run(pytester).assert_outcomes(passed=int(passes), failed=int(not passes))


def test_an_output_without_tolerance_is_exact(pytester):
    page(pytester, TRAINED.format(value="0.51").replace("<!--pytest.mark.tolerance(abs=0.05)-->\n", ""))
    run(pytester).assert_outcomes(failed=1)


# --- every backend and seed ------------------------------------------------------------

PER_BACKEND = """\
# T

```python
import keras
print("backend", keras.backend.backend())
```

<!--pytest-codeblocks:expected-output-->
=== "TensorFlow"

    ```text
    backend {tf}
    ```

=== "JAX"

    ```text
    backend jax
    ```

=== "PyTorch"

    ```text
    backend torch
    ```
"""


def test_an_output_shown_per_backend_is_compared_with_its_own_tab(pytester, monkeypatch):
    page(pytester, PER_BACKEND.format(tf="tensorflow"))
    run(pytester).assert_outcomes(passed=1)
    page(pytester, PER_BACKEND.format(tf="theano"))
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "(shown for the tensorflow tab)" in output(result)


def test_update_writes_only_the_tab_of_the_backend_that_ran(pytester):
    page(pytester, PER_BACKEND.format(tf="old"))
    run(pytester, "--update-outputs").assert_outcomes(passed=1)
    assert (pytester.path / "page.md").read_text().rstrip() == PER_BACKEND.format(tf="tensorflow").rstrip()


def test_a_shared_output_is_compared_on_a_non_reference_backend(pytester, monkeypatch):
    import verifier.state

    page(pytester, "# T\n\n```python\nprint(1)\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\n2\n```\n")
    monkeypatch.setattr(verifier.state, "current_backend", lambda: "jax")
    result = run(pytester, "--update-outputs")  # JAX may not rewrite what every backend shares
    result.assert_outcomes(failed=1)
    assert "prints on jax" in output(result)


def test_under_another_seed_an_exact_outputs_numbers_are_free_but_not_its_text(pytester, monkeypatch):
    page(pytester, "# T\n\n```python\nimport numpy as np\nprint('mean', round(np.random.default_rng(0).normal(), 3))\n```\n\n"
         "<!--pytest-codeblocks:expected-output-->\n```text\nmean 0.126\n```\n")
    run(pytester).assert_outcomes(passed=1)
    monkeypatch.setenv("DLV_SEED", "3")
    run(pytester).assert_outcomes(passed=1)  # other data, another mean: not a claim of the page
    page(pytester, "# T\n\n```python\nimport numpy as np\nprint('average', round(np.random.default_rng(0).normal(), 3))\n```\n\n"
         "<!--pytest-codeblocks:expected-output-->\n```text\nmean 0.126\n```\n")
    run(pytester).assert_outcomes(failed=1)


def test_a_toleranced_output_keeps_its_tolerance_under_another_seed(pytester, monkeypatch):
    page(pytester, TRAINED.format(value="0.60"))
    monkeypatch.setenv("DLV_SEED", "3")
    run(pytester).assert_outcomes(failed=1)


def test_an_output_declared_as_draws_of_the_seed_is_free_only_under_another_seed(pytester, monkeypatch):
    page(pytester, TRAINED.format(value="0.90").replace("abs=0.05", "abs=0.05, draws=True"))
    run(pytester).assert_outcomes(failed=1)  # seed 0 is what the page shows: within ±0.05
    monkeypatch.setenv("DLV_SEED", "3")
    run(pytester).assert_outcomes(passed=1)


def test_update_is_refused_under_another_seed(pytester, monkeypatch):
    page(pytester, "# T\n\n```python\nprint(1)\n```\n")
    monkeypatch.setenv("DLV_SEED", "2")
    result = run(pytester, "--update-outputs")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--update-outputs writes what seed 0 prints" in output(result)


# --- warnings -------------------------------------------------------------------------


def test_a_deprecation_warning_inside_a_block_fails_it(pytester):
    page(pytester, "# T\n\n```python\nimport warnings\nwarnings.warn('old API', DeprecationWarning)\n"
         "warnings.warn('just so you know')\n```\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    text = output(result)
    assert "page.md:3: the block raised 1 deprecation warning(s)" in text
    failure = text.split("verifier ====")[0]
    assert "DeprecationWarning: old API" in failure and "just so you know" not in failure
    assert "1 other warnings raised by blocks" in text and "UserWarning: just so you know" in text  # listed


def test_an_allowed_library_warning_passes_and_the_allow_list_is_reasoned(pytester, monkeypatch):
    from verifier import warnings_policy

    page(pytester, "# T\n\n```python\nimport warnings\nwarnings.warn('internal detail', FutureWarning)\n```\n")
    monkeypatch.setattr(warnings_policy, "ALLOWED", (
        warnings_policy.Allowed(FutureWarning, r"page\.md$", "internal detail", "a test"),))
    run(pytester).assert_outcomes(passed=1)
    assert all(entry.reason.strip() for entry in warnings_policy.ALLOWED)


# --- budget -------------------------------------------------------------------------------


def test_blocks_over_their_time_budget_are_reported(pytester, monkeypatch):
    import verifier.plugin

    monkeypatch.setattr(verifier.plugin, "BUDGET", 0.2)
    page(pytester, "# T\n\n```python\nimport time\ntime.sleep(0.3)\n```\n\n```python\nx = 1\n```\n")
    result = run(pytester)
    result.assert_outcomes(passed=2)
    assert "1 blocks took longer than the 0.2 s budget:" in output(result)
    assert "page.md:3" in output(result)


# --- results for the stamps ------------------------------------------------------------


def test_results_hold_the_page_hash_and_say_when_a_run_was_partial(pytester):
    (pytester.path / "docs").mkdir()
    text = "# T\n\n```python\nx = 1\n```\n\n```python\nassert 2 > 1\n```\n"
    (pytester.path / "docs" / "page.md").write_text(text)
    results_file = pytester.path / ".verification" / "tensorflow.json"
    run(pytester, "docs").assert_outcomes(passed=2)
    entry = json.loads(results_file.read_text())["pages"]["page.md"]
    from verifier.results import page_hash

    assert entry["complete"] and entry["hash"] == page_hash(pytester.path / "docs" / "page.md")
    run(pytester, "docs/page.md::line 3").assert_outcomes(passed=1)
    assert not json.loads(results_file.read_text())["pages"]["page.md"]["complete"]
    assert not list((pytester.path / ".verification").glob(".*"))  # written atomically: no leftovers


# --- a block pasted into a fresh Python -----------------------------------------------


def test_fresh_process_runs_a_chain_as_pasted_and_checks_its_outputs(pytester):
    page(pytester, "# T\n\n```python\nx = 20\nprint(x)\n```\n\n<!--pytest-codeblocks:expected-output-->\n"
         "```text\n20\n```\n\n<!--pytest-codeblocks:cont-->\n```python\nprint(x + 1)\n```\n\n"
         "<!--pytest-codeblocks:expected-output-->\n```text\n21\n```\n")
    run(pytester, "--fresh-process").assert_outcomes(passed=1)


def test_fresh_process_catches_a_block_that_relies_on_the_verifiers_set_up(pytester):
    # The verifier seeds NumPy before every block; a block that forgets to seed passes in its
    # process and prints another number when pasted alone (the chance of the same 3 draws: 1e-9).
    page(pytester, "# T\n\n```python\nimport numpy as np\nprint(np.random.randint(1000, size=3))\n```\n\n"
         "<!--pytest-codeblocks:expected-output-->\n```text\n[684 559 629]\n```\n")
    run(pytester).assert_outcomes(passed=1)
    result = run(pytester, "--fresh-process")
    result.assert_outcomes(failed=1)
    assert "the output shown on the page is not what the block at line 3 prints" in output(result)


def test_fresh_process_names_the_failing_block_of_a_chain(pytester):
    page(pytester, "# T\n\n```python\nx = 1\n```\n\n<!--pytest-codeblocks:cont-->\n```python\ny = x / 0\n```\n")
    result = run(pytester, "--fresh-process")
    result.assert_outcomes(failed=1)
    assert "page.md:8: pasted into a fresh Python (after the blocks it continues), the block fails" in output(result)
    assert 'File "page.md", line 9' in output(result) and "ZeroDivisionError" in output(result)


def test_a_chain_marked_fresh_process_runs_in_a_new_python_in_an_ordinary_run(pytester):
    # The first chain leaves a mark in the verifier's process; the chain marked fresh_process
    # must not see it (it would, run in the same process), and its output is still compared.
    page(pytester, "# T\n\n```python\nimport builtins\nbuiltins.left_behind = 1\n```\n\n"
         '<!--pytest.mark.fresh_process(reason="sets up devices")-->\n'
         "```python\nimport builtins\nprint(hasattr(builtins, 'left_behind'))\n```\n\n"
         "<!--pytest-codeblocks:expected-output-->\n```text\nFalse\n```\n")
    run(pytester).assert_outcomes(passed=2)


def test_a_fresh_process_chain_draws_with_the_shifted_seed(pytester, monkeypatch):
    page(pytester, "# T\n\n"
         '<!--pytest.mark.fresh_process(reason="sets up devices")-->\n'
         "```python\nimport numpy as np\nprint(np.random.default_rng(0).integers(10**9))\n```\n")
    monkeypatch.setenv("DLV_SEED", "3")
    run(pytester, "--record-outputs", "recorded").assert_outcomes(passed=1)
    printed = json.loads(next((pytester.path / "recorded" / "tensorflow-3").glob("*.json")).read_text())["printed"]
    import numpy as np

    assert int(printed) == np.random.default_rng(3).integers(10**9) != np.random.default_rng(0).integers(10**9)


def test_outputs_are_recorded_where_pytest_started_not_where_the_block_ran(pytester):
    # Each block runs in a temporary directory of its own; a relative --record-outputs wrote there
    # and was lost, and `make spread` then reported that nothing moved.
    page(pytester, "# T\n\n```python\nprint(6 * 7)\n```\n")
    run(pytester, "--record-outputs", "recorded").assert_outcomes(passed=1)
    printed = json.loads(next((pytester.path / "recorded" / "tensorflow-0").glob("*.json")).read_text())["printed"]
    assert printed.strip() == "42"


def test_the_spread_report_refuses_a_directory_without_recorded_runs(tmp_path, capsys):
    from verifier.spread import main

    (tmp_path / "tensorflow-0").mkdir()  # created, but nothing recorded in it
    assert main([str(tmp_path), str(tmp_path)]) == 2
    assert "no recorded run (pytest docs --record-outputs" in capsys.readouterr().err


# --- pages in parallel (pytest-xdist, one page per worker) --------------------------------


def test_parallel_workers_report_and_record_every_page(pytester, monkeypatch):
    from site_build import ROOT

    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the workers are new processes
    (pytester.path / "docs").mkdir()
    for name in ("one", "two"):
        (pytester.path / "docs" / f"{name}.md").write_text(
            f"# {name}\n\n```python\nprint('{name}')\n```\n\n<!--pytest-codeblocks:expected-output-->\n"
            f"```text\n{name}\n```\n\n```python\nx = 1\n```\n")
    (pytester.path / "docs" / "two.md").write_text((pytester.path / "docs" / "two.md").read_text()
                                                   .replace("```text\ntwo", "```text\nthree"))
    result = pytester.runpytest_subprocess("-p", "verifier.plugin", "-p", "no:cacheprovider", "-n", "2",
                                           "--dist", "loadfile", "docs", "--update-outputs")
    result.assert_outcomes(passed=4)
    text = output(result)
    assert "4 Python fences on 2 pages (backend tensorflow, seed offset 0): 4 ran, 0 failed" in text
    assert "updated 1 shown outputs in docs/two.md" in text
    assert "```text\ntwo\n```" in (pytester.path / "docs" / "two.md").read_text()  # the worker wrote it
    recorded = json.loads((pytester.path / ".verification" / "tensorflow.json").read_text())["pages"]
    assert {page: (e["ran"], e["blocks"], e["complete"]) for page, e in recorded.items()} == {
        "one.md": (2, 2, True), "two.md": (2, 2, True)}


# --- holes at run time ------------------------------------------------------------------


def test_a_fresh_process_run_records_nothing_for_the_stamps(pytester, monkeypatch):
    from site_build import ROOT

    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    (pytester.path / "docs").mkdir()
    (pytester.path / "docs" / "page.md").write_text("# T\n\n```python\nx = 1\n```\n")
    run(pytester, "docs", "--fresh-process").assert_outcomes(passed=1)
    assert not (pytester.path / ".verification").exists()


def test_update_refuses_a_page_that_changed_while_it_ran(pytester):
    text = ("# T\n\n```python\nfrom pathlib import Path\nimport os\npage = Path(os.environ['DLV_TEST_PAGE'])\n"
            "page.write_text(page.read_text().replace('# T', '```python\\nprint(0)\\n```\\n\\n# T'))\n"
            "print('new A')\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\nold A\n```\n")
    page(pytester, text)
    import os

    os.environ["DLV_TEST_PAGE"] = str(pytester.path / "page.md")
    try:
        result = run(pytester, "--update-outputs")
    finally:
        del os.environ["DLV_TEST_PAGE"]
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "the page changed while it was verified; its outputs were not rewritten" in output(result)
    assert "old A" in (pytester.path / "page.md").read_text()


def test_update_writes_an_output_holding_a_fence_inside_a_longer_fence(pytester):
    page(pytester, "# T\n\n```python\nprint('```')\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\nx\n```\n")
    run(pytester, "--update-outputs").assert_outcomes(passed=1)
    assert "````text\n```\n````" in (pytester.path / "page.md").read_text()
    run(pytester).assert_outcomes(passed=1)


def test_numpy_print_options_do_not_leak_into_the_next_block(pytester):
    page(pytester, "# T\n\n```python\nimport numpy as np\nnp.set_printoptions(precision=2)\n```\n\n"
         "```python\nimport numpy as np\nprint(np.array([1 / 3]))\n```\n\n"
         "<!--pytest-codeblocks:expected-output-->\n```text\n[0.33333333]\n```\n")
    run(pytester).assert_outcomes(passed=2)


def test_a_block_may_not_hide_warnings_by_changing_the_filters(pytester):
    page(pytester, "# T\n\n```python\nimport warnings\nwarnings.simplefilter('ignore')\n"
         "warnings.warn('old', DeprecationWarning)\n```\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "the block changes the warning filters" in output(result)


def test_an_assert_that_is_always_true_fails(pytester):
    page(pytester, "# T\n\n```python\nassert (1 == 2, 'one is two')\n```\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "page.md:4: assertion is always true" in output(result)


def test_a_tolerance_is_the_larger_of_abs_and_rel_and_keeps_whole_numbers_whole():
    from verifier.markers import Tolerance

    both = Tolerance(abs=0.05, rel=0.1)
    assert both.allows("1.00", "1.10") and not both.allows("1.00", "1.14")
    assert "whichever is larger" in both.describe()
    assert not Tolerance(abs=0.05).allows("10", "10.04")  # a count stays a count
    assert not Tolerance(rel=0.01).allows("inf", "0.31") and Tolerance(rel=0.01).allows("inf", "inf")


def test_unlabelled_ticks_follow_the_data_and_are_not_compared_but_the_curves_are(tmp_path):
    from verifier.figures import same_figure

    def svg(ticks: int, last_y: str) -> str:
        tick = '    <g id="ytick_{n}">\n     <g id="line2d_{n}">\n      <use x="0" y="{y}"/>\n     </g>\n    </g>\n'
        return ('<svg>\n   <g id="matplotlib.axis_2">\n' + "".join(tick.format(n=n, y=10 * n) for n in range(ticks))
                + '   </g>\n   <g id="line2d_%d">\n    <path d="M 0 5 L 1 %s"/>\n   </g>\n</svg>\n' % (ticks, last_y))

    kept, drawn = tmp_path / "kept.svg", tmp_path / "drawn.svg"
    kept.write_text(svg(3, "7"))
    drawn.write_text(svg(4, "7.5"))  # a minor tick more (and the curve's serial id shifted)
    assert same_figure(kept, drawn, tolerance=1)
    drawn.write_text(svg(4, "9"))
    assert not same_figure(kept, drawn, tolerance=1)  # the curve moved more than its tolerance
    drawn.write_text(svg(4, "7 L 2 8"))
    assert not same_figure(kept, drawn, tolerance=1)  # a point more
    labelled = svg(3, "7").replace('<use x="0" y="20"/>', '<use x="0" y="20"/>\n      <!-- 0.1 -->')
    kept.write_text(labelled)
    drawn.write_text(labelled.replace("<!-- 0.1 -->", "<!-- 0.2 -->"))
    assert not same_figure(kept, drawn, tolerance=1)  # a labelled tick carries the scale


def test_a_figure_tolerance_moves_coordinates_only_not_colours_or_text(tmp_path):
    from verifier.figures import same_figure

    kept, drawn = tmp_path / "kept.svg", tmp_path / "drawn.svg"
    kept.write_text('<path d="M 10 20" style="stroke: #1f77b4"/><!-- test accuracy 0.93 -->')
    drawn.write_text('<path d="M 12 21" style="stroke: #1f77b4"/><!-- test accuracy 0.93 -->')
    assert same_figure(kept, drawn, tolerance=4)
    drawn.write_text('<path d="M 10 20" style="stroke: #1f77b8"/><!-- test accuracy 0.93 -->')
    assert not same_figure(kept, drawn, tolerance=4)  # another colour
    drawn.write_text('<path d="M 10 20" style="stroke: #1f77b4"/><!-- test accuracy 0.94 -->')
    assert not same_figure(kept, drawn, tolerance=4)  # another label


def test_pages_with_other_markdown_suffixes_are_collected(pytester):
    pytester.makefile(".markdown", page="# T\n\n```python\nraise ValueError('ran')\n```\n")
    run(pytester).assert_outcomes(failed=1)


def test_a_page_that_is_not_utf8_names_the_line(pytester):
    (pytester.path / "page.md").write_bytes(b"# T\n\nok\n\xff\n")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert "page.md:4: the page is not valid UTF-8" in output(result)


# --- skip what did not change ---------------------------------------------------------------


def test_skip_verified_reruns_only_the_page_that_changed_or_everything_when_the_verifier_did(pytester):
    from site_build import ROOT

    (pytester.path / "docs").mkdir()
    for name in ("one", "two"):
        (pytester.path / "docs" / f"{name}.md").write_text(f"# {name}\n\n```python\nprint('{name}')\n```\n")
    for folder in ("verifier", "requirements"):  # the tools hash covers these
        (pytester.path / folder).symlink_to(ROOT / folder)
    run(pytester, "docs").assert_outcomes(passed=2)
    unchanged = run(pytester, "docs", "--skip-verified")
    unchanged.assert_outcomes()  # nothing changed: nothing runs, and that is a success
    assert unchanged.ret == pytest.ExitCode.OK
    (pytester.path / "docs" / "two.md").write_text("# two\n\n```python\nprint('changed')\n```\n")
    result = run(pytester, "docs", "--skip-verified")
    result.assert_outcomes(passed=1)
    assert "1 pages skipped: verified before on tensorflow exactly as they are now" in output(result)
    (pytester.path / "requirements").unlink()
    (pytester.path / "requirements").mkdir()
    (pytester.path / "requirements" / "base.txt").write_text("keras==9.9.9\n")  # another pin: everything again
    run(pytester, "docs", "--skip-verified").assert_outcomes(passed=2)


def test_update_rewrites_a_figure_and_an_output_of_the_same_page(pytester):
    page(pytester, textwrap.dedent("""\
        # T

        <!--pytest.mark.figure("figures/a.svg")-->
        ```python
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(1, 1))
        fig.savefig("a.svg")
        print("drawn")
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        old
        ```

        ![A](figures/a.svg)
        """))
    run(pytester, "--update-outputs").assert_outcomes(passed=1)
    assert "```text\ndrawn\n```" in (pytester.path / "page.md").read_text()
    run(pytester).assert_outcomes(passed=1)


def test_a_result_names_the_run_that_recorded_it(monkeypatch):
    from verifier.results import which_run

    monkeypatch.delenv("GITHUB_RUN_ID", raising=False)
    assert which_run() == "a local run"
    monkeypatch.setenv("GITHUB_RUN_ID", "1234")
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef")
    assert which_run() == "CI run 1234 of commit 0123456"


# --- shards: one backend's pages split across CI jobs -----------------------------------------


def test_shards_cover_every_page_once_and_record_their_own_results(pytester):
    from site_build import ROOT
    from verifier import results

    (pytester.path / "docs").mkdir()
    for name, lines in (("a", 1), ("b", 5), ("c", 2), ("d", 3)):
        code = "\n".join(f"print('{name}{i}')" for i in range(lines))
        (pytester.path / "docs" / f"{name}.md").write_text(f"# {name}\n\n```python\n{code}\n```\n")
    for folder in ("verifier", "requirements"):
        (pytester.path / folder).symlink_to(ROOT / folder)
    ran = []
    for k in (1, 2):
        result = run(pytester, "docs", "--shard", f"{k}/2", "-v")
        ran.append(sorted(set(re.findall(r"docs/(\w)\.md::", output(result)))))
    assert sorted(ran[0] + ran[1]) == ["a", "b", "c", "d"] and ran[0] and ran[1]  # every page once
    assert ran == [["a", "b"], ["c", "d"]]  # by code length: b (5 lines) + a (1) against d (3) + c (2)
    files = sorted(p.name for p in (pytester.path / ".verification").iterdir())
    assert files == ["tensorflow.shard-1-of-2.json", "tensorflow.shard-2-of-2.json"]
    assert sorted(results.load(pytester.path)["tensorflow"]) == ["a.md", "b.md", "c.md", "d.md"]
    run(pytester, "docs").assert_outcomes(passed=4)  # a run of every page replaces the shards' files
    assert [p.name for p in (pytester.path / ".verification").iterdir()] == ["tensorflow.json"]
    assert len(json.loads((pytester.path / ".verification" / "tensorflow.json").read_text())["pages"]) == 4


@pytest.mark.parametrize("bad", ["3/2", "0/2", "1", "a/b"])
def test_a_bad_shard_is_a_usage_error(pytester, bad):
    (pytester.path / "docs").mkdir()
    result = run(pytester, "docs", "--shard", bad)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--shard takes K/N with 1 <= K <= N" in output(result)


def test_split_weighs_pages_by_recorded_seconds_when_every_page_has_them(tmp_path):
    from verifier.shards import split, weights_of

    pages = []
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.md").write_text(f"# {name}\n\n```python\nx = 1\n```\n")
        pages.append(tmp_path / f"{name}.md")
    recorded = {"a.md": {"seconds": 30.0}, "b.md": {"seconds": 10.0}, "c.md": {"seconds": 15.0}}
    assert split(weights_of(pages, tmp_path, recorded), 2) == [["a.md"], ["b.md", "c.md"]]
    del recorded["c.md"]  # one page without a time: every page is weighed by its code instead
    assert weights_of(pages, tmp_path, recorded) == {"a.md": 6.0, "b.md": 6.0, "c.md": 6.0}
    another_backend = {"a.md": {"seconds": 1.0}, "b.md": {"seconds": 2.0}, "c.md": {"seconds": 3.0}}
    assert weights_of(pages, tmp_path, recorded, another_backend) == {"a.md": 1.0, "b.md": 2.0, "c.md": 3.0}


def test_a_backend_is_weighed_by_its_own_times_first_then_by_another_backends(tmp_path):
    from verifier.shards import weights_for

    pages = []
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text(f"# {name}\n\n```python\nx = 1\n```\n")
        pages.append(tmp_path / f"{name}.md")
    recorded = {"jax": {"a.md": {"seconds": 1.0}, "b.md": {"seconds": 2.0}},
                "torch": {"a.md": {"seconds": 5.0}, "b.md": {"seconds": 3.0}}}
    assert weights_for(pages, tmp_path, recorded, "torch") == {"a.md": 5.0, "b.md": 3.0}
    assert weights_for(pages, tmp_path, recorded, "tensorflow") == {"a.md": 1.0, "b.md": 2.0}  # none: jax's
    assert weights_for(pages, tmp_path, {}, "jax") == {"a.md": 6.0, "b.md": 6.0}  # none at all: by code


def test_the_heaviest_page_runs_first_and_each_page_keeps_its_blocks_in_order(pytester):
    from site_build import ROOT

    (pytester.path / "docs").mkdir()
    for name, lines in (("a", 1), ("b", 5), ("c", 2)):
        blocks = "\n\n".join(f"```python\nprint('{name}{i}')\n```" for i in range(lines))
        (pytester.path / "docs" / f"{name}.md").write_text(f"# {name}\n\n{blocks}\n")
    for folder in ("verifier", "requirements"):
        (pytester.path / folder).symlink_to(ROOT / folder)

    def order() -> list[str]:
        return re.findall(r"docs/(\w)\.md::line (\d+)", output(run(pytester, "docs", "--collect-only", "-q")))

    by_code = order()  # no recorded times: by the length of the code, b (5 blocks), c, a
    assert [page for page, _ in by_code] == ["b"] * 5 + ["c"] * 2 + ["a"]
    assert [int(line) for page, line in by_code if page == "b"] == sorted(int(line) for page, line in by_code if page == "b")
    assert not (pytester.path / ".verification").exists()  # collecting is not verifying: no stamps
    recorded = {"backend": "jax", "pages": {"a.md": {"seconds": 9.0}, "b.md": {"seconds": 1.0}, "c.md": {"seconds": 2.0}}}
    (pytester.path / ".verification").mkdir()
    (pytester.path / ".verification" / "jax.json").write_text(json.dumps(recorded))
    assert [page for page, _ in order()] == ["a"] + ["c"] * 2 + ["b"] * 5  # no TensorFlow times: JAX's


# --- figures of one run: another machine draws another run ---------------------------------

ONE_RUN = """\
# T

<!--pytest.mark.figure("figures/run.svg", one_run=True)-->
```python
import os

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(2, 2))
ax.plot([0, 1, 2], [1, float(os.environ.get("ANOTHER_MACHINE", "0.5")), 0.2])  # where another machine's sums land
ax.set_ylabel(os.environ.get("LABEL", "loss"))
ax.set_title("after 50 steps")
fig.savefig("run.svg"){more}
```

![A loss curve of one run](figures/run.svg)
"""


def test_a_figure_of_one_run_is_compared_by_its_labels_and_by_the_code_that_drew_it(pytester, monkeypatch):
    page(pytester, ONE_RUN.format(more=""))
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert ("page.md:4: the figure figures/run.svg (one run: compared by its labels and its code) is missing; "
            "draw it: make update") in output(result)
    run(pytester, "--update-outputs").assert_outcomes(passed=1)
    kept = pytester.path / "figures" / "run.svg"
    assert re.search(r"</svg>\n<!-- drawn by the page's code, sha256 [0-9a-f]{16} -->\n\Z", kept.read_text())
    monkeypatch.setenv("ANOTHER_MACHINE", "3.7")  # the curve lands elsewhere, with other tick values
    run(pytester).assert_outcomes(passed=1)
    before = kept.read_bytes()
    run(pytester, "--update-outputs").assert_outcomes(passed=1)
    assert kept.read_bytes() == before  # the code did not change: an update on another machine leaves it
    monkeypatch.setenv("LABEL", "error")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert ("has other labels than the block draws on tensorflow (only the kept figure: 'loss'; "
            "only the drawn one: 'error')") in output(result)
    monkeypatch.delenv("LABEL")
    page(pytester, ONE_RUN.format(more="\nplt.close(fig)"))
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "was drawn by other code than the page's" in output(result)
    run(pytester, "--update-outputs").assert_outcomes(passed=1)
    run(pytester).assert_outcomes(passed=1)


def test_the_labels_of_a_figure_leave_out_tick_values_and_blank_numbers():
    from verifier.figures import labels, stamp_of, stamped

    svg = ("<svg><!-- 0.5 --><!-- \u22121.0 --><!-- $\\mathdefault{10^{-3}}$ --><!-- $\\mathdefault{2\\times10^{0}}$ -->"
           "<!-- t = 50 --><!-- with BN, lr 0.1 --><!-- epoch --></svg>").encode()
    assert labels(svg) == {b"t = #", b"with BN, lr #", b"epoch"}
    assert stamp_of(svg) is None
    assert stamp_of(stamped(stamped(svg, "0" * 16), "1" * 16)) == "1" * 16  # one stamp, the last
    assert labels(stamped(svg, "0" * 16)) == labels(svg)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('figure("figures/a.svg", one_run=True, tolerance=4)', "with no tolerance: its coordinates are free"),
        ('figure("figures/a.png", one_run=True)', "a figure of one run (one_run=True) is an SVG"),
        ('figure("figures/a.svg", one_run=False)', "one_run=True or nothing"),
    ],
)
def test_a_figure_of_one_run_is_declared_without_a_tolerance(pytester, marker, message):
    page(pytester, f"# T\n\n<!--pytest.mark.{marker}-->\n```python\nx = 1\n```\n")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert "page.md:3: " in output(result) and message in output(result)
