"""The verifier on small Markdown pages: each bad input fails with a message naming the file and line."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from verifier.markdown import MarkdownError, count_python_fences, fence_language, parse_page

ROOT = Path(__file__).resolve().parent.parent


def page(pytester, text: str, name: str = "page") -> None:
    pytester.makefile(".md", **{name: textwrap.dedent(text)})


def run(pytester, *args: str):
    return pytester.runpytest("-p", "verifier.plugin", "-p", "no:cacheprovider", *args)


def output(result) -> str:
    return "\n".join(result.outlines + result.errlines)


# --- collection errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("# T\n\n```python\nx = 1\n", 3, "unterminated code fence"),
        ("# T\n\n<!--pytest-codeblocks:conts-->\n```python\nx = 1\n```\n", 3, "unknown marker `pytest-codeblocks:conts`"),
        ("# T\n\n<!--pytest.mark.slow-->\n```python\nx = 1\n```\n", 3, "unknown marker `pytest.mark.slow`"),
        ("# T\n\n<!--pytest-codeblocks:skip-->\n```python\nx = 1\n```\n", 3, 'pytest.mark.skip(reason="why'),
        ("# T\n\n<!--pytest.mark.skip-->\n```python\nx = 1\n```\n", 3, "needs a reason"),
        ("# T\n\n```bash\nls\n```\n\n<!--pytest-codeblocks:cont-->\n```python\nx = 1\n```\n", 7,
         "the previous fence is not a Python block"),
        ("# T\n\n```python\nprint(1)\n```\n\n```text\n1\n```\n", 7, "has no <!--pytest-codeblocks:expected-output--> marker"),
        ("# T\n\n```python\nprint(1)\n```\n\n```\n1\n```\n", 7, "nobody would check it"),
        ("# T\n\n```text\nimport keras\n```\n", 3, "looks like Python"),
        ("# T\n\n```pycon\n>>> 1 + 1\n2\n```\n", 3, "`pycon` fences are highlighted as Python but not run"),
        ("# T\n\n<!--pytest.mark.skip(reason='slow')-->\n```python\nprint(1)\n```\n\n"
         "<!--pytest-codeblocks:expected-output-->\n```text\n1\n```\n", 9, "belongs to a block that is not run"),
        ("# T\n\n<!--pytest-codeblocks:cont-->\n\nSome prose.\n\n```python\nx = 1\n```\n", 3,
         "is not directly followed by a code fence"),
        ("# T\n\n<!--pytest.mark.timeout(60)-->\n```text\nhello\n```\n", 3, "markers apply to Python blocks"),
        ("# T\n\nprose\n\n<!--pytest-codeblocks:expected-output-->\n```text\n1\n```\n", 6,
         "expected-output must follow a Python block"),
        ('# T\n\n<!--pytest.mark.backend("theano")-->\n```python\nx = 1\n```\n', 3, "pytest.mark.backend takes names"),
    ],
    ids=[
        "unterminated-fence", "unknown-codeblocks-keyword", "unknown-mark", "deprecated-skip", "skip-without-reason",
        "cont-after-non-python", "text-output-without-marker", "plain-output-without-marker", "unlabelled-python",
        "pycon", "output-of-skipped-block", "marker-before-prose", "marker-before-text-fence",
        "expected-output-after-prose", "unknown-backend",
    ],
)
def test_bad_page_fails_collection_with_file_and_line(pytester, text, line, message):
    page(pytester, text)
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert f"page.md:{line}: " in output(result)
    assert message in output(result)


def test_parser_reports_the_line_of_an_unterminated_fence_inside_an_admonition(tmp_path):
    text = "# T\n\n!!! note\n\n    ```python\n    x = 1\n"
    with pytest.raises(MarkdownError) as error:
        parse_page(tmp_path / "p.md", text)
    assert error.value.line == 5


# --- every fence variant runs ----------------------------------------------------------

VARIANTS = {
    "plain": "```python\n{code}\n```",
    "title": '```python title="example.py"\n{code}\n```',
    "hl_lines": '```python hl_lines="1"\n{code}\n```',
    "linenums": '```python linenums="1"\n{code}\n```',
    "py": "```py\n{code}\n```",
    "python3": "```python3\n{code}\n```",
    "braces": '```{{.python title="x.py"}}\n{code}\n```',
    "braces-py": "``` {{ .py }}\n{code}\n```",
    "tilde": "~~~python\n{code}\n~~~",
    "four-backticks": "````python\n{code}\n````",
    "admonition": '!!! note\n\n    ```python\n    {code}\n    ```',
    "collapsible": '??? example "Example"\n\n    ```python\n    {code}\n    ```',
    "tab": '=== "Tab"\n\n    ```python\n    {code}\n    ```',
    "nested": '??? example\n\n    === "Tab"\n\n        ```python\n        {code}\n        ```',
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_fence_variant_material_renders_is_run(pytester, variant):
    page(pytester, "# T\n\n" + VARIANTS[variant].format(code="raise ValueError('ran')") + "\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "raised ValueError: ran" in output(result)


def test_fence_language_reads_attributes():
    assert fence_language('python title="a.py" hl_lines="2"') == "python"
    assert fence_language("{.py linenums='1'}") == "py"
    assert fence_language("") == ""
    assert count_python_fences("```python\n```\n````markdown\n```python\n```\n````\n~~~py\n~~~\n") == 2


# --- honest failures ------------------------------------------------------------------


def test_exception_shows_type_message_and_markdown_line(pytester):
    page(pytester, "# T\n\nText.\n\n```python\nx = 1\ny = 0\nprint('before')\nx / y\n```\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    text = output(result)
    assert "page.md:9: the block starting at line 5 raised ZeroDivisionError: division by zero" in text
    assert 'File "page.md", line 9, in <module>' in text
    assert "It printed before failing:\nbefore" in text


def test_bare_assert_gets_pytest_explanation(pytester):
    page(pytester, "# T\n\n```python\ncount = (3 + 1) * 4\nassert count == 17\n```\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "page.md:5: the block starting at line 3 raised AssertionError: assert 16 == 17" in output(result)


def test_block_runs_as_main(pytester):
    page(pytester, '# T\n\n```python\nassert __name__ == "__main__"\n```\n')
    run(pytester).assert_outcomes(passed=1)


def test_syntax_error_names_the_line(pytester):
    page(pytester, "# T\n\n```python\nx = 1\ny = (\n```\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "page.md:5: syntax error in the block" in output(result)


def test_hanging_block_times_out_and_names_the_block(pytester):
    page(pytester, "# T\n\n<!--pytest.mark.timeout(1)-->\n```python\nwhile True:\n    pass\n```\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "page.md:4: the block did not finish within its time limit" in output(result)


def test_a_time_limit_that_runs_out_inside_a_finaliser_still_stops_the_block(pytester, monkeypatch):
    """The alarm rings again each second: the first ring lands in a finaliser, where Python
    ignores the timeout it raises (as in Keras's garbage collection); the next stops the loop.
    In a new process, so that a block that runs on fails this test instead of hanging it."""
    page(pytester, """\
        # T

        <!--pytest.mark.timeout(1)-->
        ```python
        import time

        class Slow:
            def __del__(self):  # still running when the limit of 1 second is up
                started = time.perf_counter()
                while time.perf_counter() - started < 1.5:
                    pass

        slow = Slow()
        del slow
        while True:
            pass
        ```
        """)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    result = pytester.runpytest_subprocess("-p", "verifier.plugin", "-p", "no:cacheprovider", timeout=60)
    result.assert_outcomes(failed=1)
    assert "page.md:4: the block did not finish within its time limit" in output(result)
    assert "Exception ignored in" in output(result)  # the first ring was lost, as described


def test_default_timeout_is_30_seconds_and_a_marker_overrides_it(pytester):
    page(pytester, "# T\n\n```python\nx = 1\n```\n\n<!--pytest.mark.timeout(90)-->\n```python\nx = 2\n```\n")
    items, _ = pytester.inline_genitems("-p", "verifier.plugin")
    assert [item.get_closest_marker("timeout").args[0] for item in items] == [30, 90]


# --- shown outputs --------------------------------------------------------------------

MISMATCH = """\
# T

```python
print("loss falls")
print(448)
```

<!--pytest-codeblocks:expected-output-->
```text
loss falls
449
```
"""


def test_output_mismatch_shows_a_unified_diff_headed_by_file_and_line(pytester):
    page(pytester, MISMATCH)
    result = run(pytester)
    result.assert_outcomes(failed=1)
    text = output(result)
    assert "page.md:10: the output shown on the page is not what the block at line 3 prints on tensorflow" in text
    assert "--- page.md:10 (shown for every backend)" in text
    assert "-449" in text and "+448" in text


def test_output_comparison_ignores_only_trailing_space(pytester):
    page(pytester, '# T\n\n```python\nprint("a  ")\nprint()\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\na\n```\n')
    run(pytester).assert_outcomes(passed=1)


def test_update_rewrites_outputs_in_place_keeping_indentation(pytester):
    text = textwrap.dedent("""\
        # T

        ```python
        print(2 + 2)
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        5
        ```

        ??? success "Solution"

            ```python
            for i in range(2):
                print(i)
            ```

            <!--pytest-codeblocks:expected-output-->
            ```text
            ```

        Text after.
        """)
    page(pytester, text)
    original = (pytester.path / "page.md").read_text()
    run(pytester, "--update-outputs").assert_outcomes(passed=2)
    updated = (pytester.path / "page.md").read_text()
    assert updated == original.replace("```text\n5\n", "```text\n4\n").replace(
        "    ```text\n    ```", "    ```text\n    0\n    1\n    ```"
    )
    run(pytester).assert_outcomes(passed=2)


def test_outputs_follow_each_continued_cell(pytester):
    page(pytester, textwrap.dedent("""\
        # T

        ```python
        x = 20
        print(x)
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        20
        ```

        <!--pytest-codeblocks:cont-->
        ```python
        print(x + 1)
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        21
        ```
        """))
    run(pytester).assert_outcomes(passed=1)


# --- isolation ------------------------------------------------------------------------


def test_block_runs_in_a_fresh_temporary_directory(pytester):
    page(pytester, textwrap.dedent("""\
        # T

        ```python
        import os
        from pathlib import Path
        assert os.listdir(".") == []
        Path("model.keras").write_text("weights")
        ```

        ```python
        import os
        assert os.listdir(".") == []
        ```
        """))
    run(pytester).assert_outcomes(passed=2)
    assert not (pytester.path / "model.keras").exists()


def test_keras_state_is_reset_between_blocks(pytester):
    # Each block reads the state the previous one changed: layer names, image data format,
    # float type and the random stream must all be back at their defaults.
    block = textwrap.dedent("""\
        ```python
        import os
        import keras
        layer = keras.layers.Dense(2)
        print(layer.name, keras.config.image_data_format(), keras.config.floatx())
        draw = repr(float(keras.random.uniform(())))
        assert os.environ.setdefault("DLV_TEST_FIRST_DRAW", draw) == draw, "the random stream was not reset"
        keras.config.set_image_data_format("channels_first")
        keras.config.set_floatx("float16")
        keras.random.uniform(())
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        dense channels_last float32
        ```
        """)
    page(pytester, "# T\n\n" + block + "\n" + block)
    run(pytester).assert_outcomes(passed=2)


def test_a_test_of_the_reset_fails_when_the_state_leaks(pytester, monkeypatch):
    import verifier.state

    monkeypatch.setattr(verifier.state, "reset", lambda seed, code: None)  # a verifier that forgets to reset
    block = "```python\nimport keras\nkeras.config.set_image_data_format('channels_first')\n" \
            "print(keras.config.image_data_format())\n```\n\n" \
            "<!--pytest-codeblocks:expected-output-->\n```text\nchannels_first\n```\n\n" \
            "```python\nimport keras\nprint(keras.config.image_data_format())\n```\n\n" \
            "<!--pytest-codeblocks:expected-output-->\n```text\nchannels_last\n```\n"
    page(pytester, "# T\n\n" + block)
    run(pytester).assert_outcomes(passed=1, failed=1)


def test_what_was_imported_before_the_first_block_is_set_aside_and_a_blocks_garbage_is_still_collected():
    # Every reset collects garbage (Keras's clear_session); walking the imported modules each
    # time was about a fifth of the pages' time. What a block leaves in a cycle must still go.
    import gc
    import weakref

    from verifier import state

    gc.unfreeze()  # an earlier test's inner run may have set them aside already
    alive = len(gc.get_objects())
    state.warm_up("import keras")
    try:
        walked = len(gc.get_objects())
        assert alive > 100_000 and walked < alive / 100, f"a collection still walks {walked} of {alive} objects"

        class Node:
            pass

        node = Node()
        node.itself = node
        left_by_a_block = weakref.ref(node)
        del node
        state.reset(0, "import keras")
        assert left_by_a_block() is None, "a block's garbage outlived the reset"
    finally:
        gc.unfreeze()


def test_seed_offset_shifts_set_random_seed_and_numpy_generators(pytester, monkeypatch):
    page(pytester, textwrap.dedent("""\
        # T

        ```python
        import keras
        import numpy as np
        keras.utils.set_random_seed(0)
        legacy, generator = np.random.randint(1000), np.random.default_rng(0).integers(1000)
        print("legacy", "as seeded on the page" if legacy == 684 else "shifted")
        print("generator", "as seeded on the page" if generator == 850 else "shifted")
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        legacy as seeded on the page
        generator as seeded on the page
        ```
        """))
    run(pytester).assert_outcomes(passed=1)
    monkeypatch.setenv("DLV_SEED", "1")
    result = run(pytester)
    result.assert_outcomes(failed=1)  # outputs are compared under every seed, and both generators moved
    text = output(result)
    assert "seed offset 1" in text
    assert "+legacy shifted" in text and "+generator shifted" in text


# --- not-run blocks, backends and the fence count --------------------------------------


def test_skipped_blocks_are_counted_and_listed_with_their_reason(pytester):
    page(pytester, textwrap.dedent("""\
        # T

        <!--pytest.mark.skip(reason="downloads ImageNet weights")-->
        ```python
        raise RuntimeError("must not run")
        ```

        <!--pytest.mark.backend("jax")-->
        ```python
        import jax
        ```

        ```python
        x = 1
        ```
        """))
    result = run(pytester, "-rs")
    result.assert_outcomes(passed=1, skipped=2)
    text = output(result)
    assert "3 Python fences on 1 pages (backend tensorflow, seed offset 0): 1 ran, 0 failed, " \
           "1 not run by marker, 1 only for other backends" in text
    assert "not run: page.md:4: downloads ImageNet weights" in text


# --- figures --------------------------------------------------------------------------

FIGURE = """\
# T

<!--pytest.mark.figure("figures/line.svg")-->
```python
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(2, 2))
ax.plot([0, 1], [0, {top}])
fig.savefig("line.svg")
```
"""


def test_figure_is_written_by_update_and_then_checked(pytester):
    page(pytester, FIGURE.format(top=1))
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "page.md:4: the figure figures/line.svg is missing; draw it: make update" in output(result)
    run(pytester, "--update-outputs").assert_outcomes(passed=1)
    assert (pytester.path / "figures" / "line.svg").read_text().startswith("<?xml")
    run(pytester).assert_outcomes(passed=1)
    page(pytester, FIGURE.format(top=2))
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "differs from what the block draws on tensorflow, seed offset 0" in output(result)


def test_figures_that_differ_only_far_below_a_pixel_count_as_the_same(tmp_path):
    from verifier.figures import same_figure

    kept, drawn = tmp_path / "kept.svg", tmp_path / "drawn.svg"
    kept.write_text('<path d="M 55.882344 134.102982 L 250.7 134.102982"/><text>loss 0.25</text>')
    drawn.write_text('<path d="M 55.882344 134.102868 L 250.7 134.102868"/><text>loss 0.25</text>')
    assert same_figure(kept, drawn)  # moved by a ten-thousandth of a point
    drawn.write_text('<path d="M 55.882344 134.2 L 250.7 134.102982"/><text>loss 0.25</text>')
    assert not same_figure(kept, drawn)  # a tenth of a point is a real change
    drawn.write_text('<path d="M 55.882344 134.102982 L 250.7 134.102982"/><text>loss 0.35</text>')
    assert not same_figure(kept, drawn)  # so is a changed label
    drawn.write_text('<path d="M 55.882344 134.102982 L 250.7 134.102982 L 3 4"/><text>loss 0.25</text>')
    assert not same_figure(kept, drawn)  # and an extra point
    kept.write_text('<clipPath id="pbe70defd8a"/><g clip-path="url(#pbe70defd8a)"/>')
    drawn.write_text('<clipPath id="p38f8bf11f4"/><g clip-path="url(#p38f8bf11f4)"/>')
    assert same_figure(kept, drawn)  # matplotlib's coordinate-hash names
    drawn.write_text('<clipPath id="p38f8bf11f4"/><g clip-path="url(#pbe70defd8a)"/>')
    assert not same_figure(kept, drawn)  # but a reference to another clip path is a change
    kept_png, drawn_png = tmp_path / "kept.png", tmp_path / "drawn.png"
    kept_png.write_bytes(b"\x89PNG 1.000001")
    drawn_png.write_bytes(b"\x89PNG 1.000002")
    assert not same_figure(kept_png, drawn_png)  # other formats must be byte-identical


# --- results for the stamps ------------------------------------------------------------


def test_reference_run_records_per_page_counts_and_seconds_for_the_stamps(pytester, monkeypatch):
    import json

    (pytester.path / "docs").mkdir()
    (pytester.path / "docs" / "page.md").write_text(textwrap.dedent("""\
        # T

        ```python
        import time
        time.sleep(0.3)
        ```

        <!--pytest.mark.skip(reason="shown only")-->
        ```python
        x = 1
        ```
        """))
    (pytester.path / "outside.md").write_text("# T\n\n```python\nx = 1\n```\n")
    run(pytester, "docs", "outside.md").assert_outcomes(passed=2, skipped=1)
    recorded = json.loads((pytester.path / ".verification" / "tensorflow.json").read_text())
    assert list(recorded["pages"]) == ["page.md"]  # only pages of the site are recorded
    tally = recorded["pages"]["page.md"]
    assert (tally["ran"], tally["failed"], tally["not run"]) == (1, 0, 1)
    assert 0.3 <= tally["seconds"] < 5
    monkeypatch.setenv("DLV_SEED", "1")  # another seed: nothing recorded over the reference
    (pytester.path / "docs" / "page.md").write_text("# T\n\n```python\nassert False\n```\n")
    run(pytester, "docs").assert_outcomes(failed=1)
    assert json.loads((pytester.path / ".verification" / "tensorflow.json").read_text()) == recorded


# --- corrections of common mistakes ----------------------------------------------------

CORRECTION = '<!--pytest.mark.correction(group="arithmetic", claim="c", why="w", fix="f")-->'


def test_correction_marker_is_kept_on_its_block(tmp_path):
    cells = parse_page(tmp_path / "p.md", f"# T\n\n{CORRECTION}\n```python\nassert 1 + 1 == 2\n```\n")
    (correction,) = cells[0].marks["correction"]
    assert (correction.group, correction.claim, correction.why, correction.fix) == ("arithmetic", "c", "w", "f")


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('<!--pytest.mark.correction(group="arithmetic", claim="c", why="w")-->', "(missing: fix)"),
        ('<!--pytest.mark.correction(group="arithmetic", claim="c", why="w", fix=" ")-->', "(missing: fix)"),
        ('<!--pytest.mark.correction(group="maths", claim="c", why="w", fix="f")-->', "'maths' is not one of"),
        ('<!--pytest.mark.correction("c", group="arithmetic", claim="c", why="w", fix="f")-->', "takes group="),
    ],
    ids=["missing-field", "blank-field", "unknown-group", "positional"],
)
def test_bad_correction_marker_names_its_line(tmp_path, marker, message):
    with pytest.raises(MarkdownError) as error:
        parse_page(tmp_path / "p.md", f"# T\n\n{marker}\n```python\nx = 1\n```\n")
    assert error.value.line == 3 and message in error.value.message


def test_correction_on_a_block_that_is_not_run_is_refused(tmp_path):
    text = f'# T\n\n<!--pytest.mark.skip(reason="slow")-->\n{CORRECTION}\n```python\nx = 1\n```\n'
    with pytest.raises(MarkdownError, match="must be proved by a block that runs") as error:
        parse_page(tmp_path / "p.md", text)
    assert error.value.line == 5


def test_backslashes_in_a_marker_are_kept_as_written_for_tex(tmp_path, recwarn):
    marker = (r'<!--pytest.mark.correction(group="arithmetic", claim="$\frac{1}{2}\eta\nabla$", '
              r'why="w", fix="f")-->')
    cells = parse_page(tmp_path / "p.md", f"# T\n\n{marker}\n```python\nx = 1\n```\n")
    assert cells[0].marks["correction"][0].claim == r"$\frac{1}{2}\eta\nabla$"
    assert not [w for w in recwarn if "escape" in str(w.message)]


# --- another machine's arithmetic ------------------------------------------------------------


def test_make_test_sums_floats_as_another_machine_and_make_update_with_each_backends_own_settings():
    import subprocess

    def commands(target: str) -> str:
        done = subprocess.run(["make", "-n", "--no-print-directory", target, "PAGE=docs/index.md"],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        return done.stdout

    tests, update = commands("test-pages"), commands("update")
    for setting in ("TF_ENABLE_ONEDNN_OPTS=1 TF_NUM_INTRAOP_THREADS=1", "XLA_FLAGS=--xla_backend_optimization_level=0 --xla_cpu_use_fusion_emitters=false",
                    "OMP_NUM_THREADS=1 MKL_NUM_THREADS=1"):
        assert setting in tests and setting not in update
    assert '"${arithmetic[@]}"' in commands("page") and '"${arithmetic[@]}"' in tests
    # The notebooks' and labs' kernels: one thread in the tests, every core where the labs are written.
    assert "TF_NUM_INTRAOP_THREADS=1" in commands("test-notebooks") and "TF_NUM_INTRAOP_THREADS" not in commands("labs")


@pytest.mark.parametrize(("onednn", "said"), [("0", "oneDNN off"), ("1", "oneDNN on")])
def test_the_run_says_how_it_sums_floats(pytester, monkeypatch, onednn, said):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", onednn)
    page(pytester, "# T\n\n```python\nx = 1\n```\n")
    result = run(pytester)
    assert re.search(r"pages on tensorflow, seed offset 0: \d+ thread\(s\) per process, \d+ core\(s\), " + said,
                     output(result))
