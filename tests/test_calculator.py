"""The shape and parameter calculator (docs/tools/calculator.md, docs/assets/calculator.js)
against Keras. Hundreds of seeded random stacks of layers, possible and impossible, are
built in Keras (the TensorFlow backend of this interpreter) and run on one example; the
page's own calculation, evaluated in Debian's Chromium, must give every layer's output
shape, trainable and non-trainable parameters, the totals, and the verdict: Keras raises
exactly when the page says the stack is impossible, at the same layer. The code the page
writes for a stack is run too, and the form is driven with the keyboard."""

from __future__ import annotations

import json
import random
import re

import numpy as np
import pytest

import keras

CONFIGURATIONS = 600
SEED = 20261204
ACTIVATIONS = ["none", "relu", "sigmoid", "tanh", "softmax", "gelu"]


# ---- generated stacks ----------------------------------------------------------------
# Three families (images, sequences, vectors), each mostly with the layers that fit it and
# now and then one that does not; kernels, strides and dilations drawn so that a share of
# the stacks is impossible. Sizes stay small: every stack is built and run.

def _conv(rng: random.Random, kind: str, pads=("valid", "same")) -> dict:
    spec = {"type": kind, "kernel_size": rng.randint(1, 6), "strides": rng.choice([1, 1, 1, 2, 3]),
            "padding": rng.choice(pads), "dilation_rate": rng.choice([1, 1, 1, 2, 3]),
            "activation": rng.choice(ACTIVATIONS), "use_bias": rng.random() < 0.8}
    if kind != "DepthwiseConv2D":
        spec["filters"] = rng.randint(1, 12)
    if kind in ("DepthwiseConv2D", "SeparableConv2D"):
        spec["depth_multiplier"] = rng.randint(1, 3)
    if kind == "Conv2DTranspose":
        spec["strides"] = min(spec["strides"], 2)
    return spec


def _layer(rng: random.Random, kind: str) -> dict:
    if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"):
        return _conv(rng, kind)
    if kind == "Conv1D":
        return _conv(rng, kind, ("valid", "same", "causal"))
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return {"type": kind, "pool_size": rng.randint(1, 4), "strides": rng.choice([None, None, 1, 2, 3]),
                "padding": rng.choice(["valid", "same"])}
    if kind == "Dense":
        return {"type": kind, "units": rng.randint(1, 24), "activation": rng.choice(ACTIVATIONS),
                "use_bias": rng.random() < 0.8}
    if kind == "Dropout":
        return {"type": kind, "rate": rng.choice([0.0, 0.1, 0.25, 0.5])}
    if kind == "Activation":
        return {"type": kind, "activation": rng.choice(ACTIVATIONS[1:])}
    if kind == "Embedding":
        return {"type": kind, "input_dim": rng.randint(1, 50), "output_dim": rng.randint(1, 12)}
    if kind in ("SimpleRNN", "LSTM", "GRU"):
        return {"type": kind, "units": rng.randint(1, 12), "return_sequences": rng.random() < 0.5}
    if kind == "MultiHeadAttention":
        return {"type": kind, "num_heads": rng.randint(1, 3), "key_dim": rng.randint(1, 8),
                "value_dim": rng.choice([None, rng.randint(1, 8)]), "output_shape": rng.choice([None, None, rng.randint(1, 10)]),
                "use_bias": rng.random() < 0.8}
    return {"type": kind}  # GlobalAveragePooling2D, Flatten, BatchNormalization


FAMILIES = {
    "image": (["Conv2D"] * 4 + ["DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose", "MaxPooling2D", "MaxPooling2D",
              "AveragePooling2D", "BatchNormalization", "Dropout", "Activation"],
              ["Conv1D", "LSTM", "Dense", "MultiHeadAttention", "GlobalAveragePooling2D", "Embedding"]),
    "sequence": (["Conv1D", "Conv1D", "SimpleRNN", "LSTM", "GRU", "MultiHeadAttention", "Dense", "Dropout",
                  "BatchNormalization", "Activation"],
                 ["Conv2D", "MaxPooling2D", "GlobalAveragePooling2D", "Flatten", "Embedding"]),
    "vector": (["Dense", "Dense", "BatchNormalization", "Dropout", "Activation"],
               ["Embedding", "MultiHeadAttention", "Conv1D", "Conv2D", "LSTM", "AveragePooling2D", "Flatten"]),
}


def generate(rng: random.Random) -> list[dict]:
    family = rng.choice(list(FAMILIES))
    usual, unusual = FAMILIES[family]
    if family == "image":
        shape = [rng.randint(1, 24), rng.randint(1, 24), rng.randint(1, 4)]
    elif family == "sequence":
        shape = [rng.randint(1, 16), rng.randint(1, 12)]
    else:
        shape = [rng.randint(1, 48)]
    layers = [{"type": "Input", "shape": shape}]
    if family == "sequence" and rng.random() < 0.3:
        layers[0]["shape"] = shape[:1]
        layers.append(_layer(rng, "Embedding"))
    transposed = False
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(unusual if rng.random() < 0.12 else usual)
        if kind == "Conv2DTranspose":
            if transposed:
                kind = "Conv2D"
            transposed = True
        layers.append(_layer(rng, kind))
    if family == "image" and rng.random() < 0.7:
        layers.append({"type": rng.choice(["Flatten", "GlobalAveragePooling2D"])})
    if rng.random() < 0.7:
        layers.append(_layer(rng, "Dense"))
    return layers


# ---- Keras, the reference ------------------------------------------------------------

def _keras_layer(spec: dict):
    arguments = {key: value for key, value in spec.items() if key != "type"}
    if arguments.get("activation") == "none":
        arguments["activation"] = None
    return getattr(keras.layers, spec["type"])(**arguments)


def _count(weights) -> int:
    return sum(int(np.prod(w.shape)) for w in weights)


def keras_reference(layers: list[dict]) -> dict:
    """Every layer's output shape and weights, built symbolically as keras.Sequential builds
    it, and the first layer where that raised (`error`); each layer is also run on the
    output of the one before, from one example of zeros, and the first layer where running
    raised is `run_error` (the build goes on after it)."""
    rows = [{"shape": list(layers[0]["shape"]), "trainable": 0, "nonTrainable": 0}]
    x, value, run_error = keras.Input(tuple(layers[0]["shape"])), np.zeros((1, *layers[0]["shape"]), "float32"), None

    def call(layer, tensor):
        return layer(tensor, tensor) if isinstance(layer, keras.layers.MultiHeadAttention) else layer(tensor)

    def why(error):
        return f"{type(error).__name__}: " + " ".join(str(error).split())[:300]

    for index, spec in enumerate(layers[1:], start=1):
        try:
            layer = _keras_layer(spec)
            x = call(layer, x)
        except Exception as error:  # noqa: BLE001 - any refusal is the verdict
            return {"rows": rows, "error": (index, why(error)), "run_error": run_error}
        rows.append({"shape": list(x.shape[1:]), "trainable": _count(layer.trainable_weights),
                     "nonTrainable": _count(layer.non_trainable_weights)})
        if run_error is None:
            try:
                value = call(layer, value)
            except Exception as error:  # noqa: BLE001
                run_error = (index, why(error))
            else:
                assert list(value.shape[1:]) == rows[index]["shape"], (layers, index)
    return {"rows": rows, "error": None, "run_error": run_error}


# ---- the page in Chromium ------------------------------------------------------------

@pytest.fixture()
def page(page, server):
    """The calculator loaded and ready; by the end no console error and no request to another host."""
    page.goto(server + "/tools/calculator/", wait_until="networkidle")
    page.wait_for_selector("#dlv-calculator[data-ready] tbody tr")
    yield page
    assert page.errors == []
    assert [url for url in page.requests if not url.startswith((server, "data:", "blob:"))] == []


def test_the_page_agrees_with_keras_on_every_generated_stack(page):
    rng = random.Random(SEED)
    configurations = [generate(rng) for _ in range(CONFIGURATIONS)]
    answers = page.evaluate(
        """configurations => configurations.map(layers => {
             const c = window.dlvCalculator, link = c.serialise(layers);
             return {result: c.compute(layers), link: link,
                     roundTrip: JSON.stringify(c.parse(link)) === JSON.stringify(layers), code: c.code(layers)};
           })""",
        # the page's parse writes the fields in its own order: hand it the same order
        [_in_page_order(page, layers) for layers in configurations],
    )
    disagreements, impossible, noted, seen = [], 0, 0, set()
    for number, (layers, answer) in enumerate(zip(configurations, answers)):
        expected, result = keras_reference(layers), answer["result"]
        where = f"configuration {number}, ?model={answer['link']}"
        got_rows = [{key: row[key] for key in ("shape", "trainable", "nonTrainable")} for row in result["rows"]]
        notes = [index for index, row in enumerate(result["rows"]) if row["note"]]
        run_error = expected["run_error"]
        # A layer the page notes as beyond TensorFlow's CPU kernels (Keras builds it) is not a
        # refusal: running fails there, and only there.
        if run_error and run_error[0] in notes:
            noted += 1
            if notes != [run_error[0]] or "TensorFlow" not in result["rows"][notes[0]]["note"]:
                disagreements.append(f"{where}: the page notes layer(s) {[i + 1 for i in notes]}; TensorFlow fails to run {run_error}")
            run_error = None
        elif notes and not (expected["error"] and expected["error"][0] <= notes[0]):
            disagreements.append(f"{where}: the page notes layer(s) {[i + 1 for i in notes]}; TensorFlow runs them")
        refusals = [e for e in (expected["error"], run_error) if e]
        if refusals:
            # Keras refuses the stack: the page must say impossible, at the first layer that fails
            impossible += 1
            index, message = min(refusals)
            when = "builds" if (index, message) == expected["error"] else "runs"
            if result["error"] is None or result["error"]["index"] != index:
                disagreements.append(f"{where}: Keras raises at layer {index + 1} as it {when} the model ({message}); "
                                     f"the page says {result['error'] or 'it is possible'}")
            expected["rows"] = expected["rows"][:index]
        elif result["error"]:
            disagreements.append(f"{where}: Keras builds and runs it; the page says impossible: {result['error']}")
        else:
            seen.update(layer["type"] for layer in layers)
            totals = result["totals"]
            trainable = sum(row["trainable"] for row in expected["rows"])
            non_trainable = sum(row["nonTrainable"] for row in expected["rows"])
            if (totals["trainable"], totals["nonTrainable"], totals["params"]) != (trainable, non_trainable, trainable + non_trainable):
                disagreements.append(f"{where}: totals {totals}, Keras {trainable} + {non_trainable}")
        if len(got_rows) != len(expected["rows"]):
            disagreements.append(f"{where}: the page gives {len(got_rows)} rows, Keras {len(expected['rows'])}")
        for index, (want, got) in enumerate(zip(expected["rows"], got_rows)):
            if want != got:
                disagreements.append(f"{where}: layer {index + 1} ({layers[index]['type']}): Keras {want}, the page {got}")
        if not answer["roundTrip"]:
            disagreements.append(f"{where}: the link does not read back as the same stack")
    print(f"{CONFIGURATIONS} stacks: {impossible} impossible, {noted} with a layer noted as beyond TensorFlow's CPU kernels")
    assert disagreements == [], f"{len(disagreements)} disagreement(s) in {CONFIGURATIONS} stacks:\n" + "\n".join(disagreements[:30])
    # both verdicts are exercised, and every layer in stacks that Keras accepts
    assert 0.15 * CONFIGURATIONS < impossible < 0.6 * CONFIGURATIONS, impossible
    assert noted > 0
    assert seen >= set(page.evaluate("Object.keys(window.dlvCalculator.types)")), set(page.evaluate("Object.keys(window.dlvCalculator.types)")) - seen

    # The code the page writes to copy builds the same model in Keras: every 15th possible stack.
    checked = 0
    for layers, answer in list(zip(configurations, answers))[::15]:
        result = answer["result"]
        if result["error"] or any(row["note"] for row in result["rows"]):
            continue
        namespace: dict = {}
        exec(answer["code"].replace("model.summary()\n", ""), namespace)  # noqa: S102 - the page's own output
        model = namespace["model"]
        assert model.count_params() == result["totals"]["params"], answer["code"]
        assert list(model.output_shape[1:]) == result["rows"][-1]["shape"], answer["code"]
        checked += 1
    assert checked >= 20


def _in_page_order(page, layers: list[dict]) -> list[dict]:
    if not hasattr(page, "field_order"):
        page.field_order = page.evaluate("Object.fromEntries(Object.entries(window.dlvCalculator.types).map(([t, f]) => [t, Object.keys(f)]))")
    return [{"type": layer["type"], **{key: layer[key] for key in page.field_order[layer["type"]]}} for layer in layers]


def test_impossible_configurations_say_why(page, server):
    # the channels-first mistake of docs/cnn/building-a-cnn.md
    page.goto(server + "/tools/calculator/?model=Input-3x256x256_Conv2D-32-3-1-valid-1-relu_Conv2D-32-3-1-valid-1-relu", wait_until="networkidle")
    status = page.locator("#dlv-calculator [role=status]")
    assert page.locator("#dlv-calculator tbody tr").nth(1).inner_text().split("\t")[1:3] == ["(None, 1, 254, 32)", "73,760"]
    assert re.search(r"Impossible at layer 3 \(Conv2D\): a window of 3 does not fit in the 1 positions of the height", status.inner_text())
    # Dense after a 3-D shape is what Keras does: the last axis, at every position
    page.goto(server + "/tools/calculator/?model=Input-20x20x3_Dense-16", wait_until="networkidle")
    assert "Output (None, 20, 20, 16); 64 parameters" in status.inner_text()


def test_the_form_works_with_the_keyboard_and_keeps_the_model_in_the_address(page, server):
    page.goto(server + "/tools/calculator/?model=Input-784_Dense-128-relu_Dense-64-relu_Dense-10-softmax", wait_until="networkidle")
    status = page.locator("#dlv-calculator [role=status]")
    assert "Output (None, 10); 109,386 parameters (109,386 trainable, 0 non-trainable)" in status.inner_text()

    # add a layer: choose its type in the select, Tab to the button, Enter
    page.get_by_label("Layer to add").focus()
    page.keyboard.type("Bat")
    assert page.get_by_label("Layer to add").input_value() == "BatchNormalization"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Add layer"
    page.keyboard.press("Enter")
    assert page.locator(".dlvc-layer").count() == 5
    assert "109,426 parameters (109,406 trainable, 20 non-trainable)" in status.inner_text()

    # change a field by typing: the first Dense layer's units
    page.get_by_label("Units").first.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("100")
    assert "85,654 parameters (85,634 trainable, 20 non-trainable)" in status.inner_text()

    # move the new layer up with the keyboard; the focus stays on it
    page.locator('.dlvc-layer[data-index="4"] button[data-action="up"]').focus()
    page.keyboard.press("Enter")
    assert page.locator(".dlvc-layer legend").nth(3).inner_text() == "4. BatchNormalization"
    assert page.evaluate("document.activeElement.textContent") == "Move up layer 4"
    assert "85,870 parameters (85,742 trainable, 128 non-trainable)" in status.inner_text()
    assert "keras.layers.Dense(100, activation=\"relu\")," in page.locator(".dlvc-code").inner_text()

    # the address holds the model: opening it again shows the same numbers
    assert page.url.endswith("?model=Input-784_Dense-100-relu_Dense-64-relu_BatchNormalization_Dense-10-softmax")
    before = page.locator("#dlv-calculator table").inner_text()
    page.goto(page.url, wait_until="networkidle")
    page.wait_for_selector("#dlv-calculator[data-ready]")
    assert page.locator("#dlv-calculator table").inner_text() == before

    # remove it again
    page.locator('.dlvc-layer[data-index="3"] button[data-action="remove"]').focus()
    page.keyboard.press("Enter")
    assert "85,614 parameters" in status.inner_text() and page.locator(".dlvc-layer").count() == 4


def test_the_calculator_starts_after_instant_navigation(page, server):
    page.goto(server + "/notation/", wait_until="networkidle")
    page.locator('a[href$="tools/calculator/"] >> visible=true').first.click()
    page.wait_for_selector("#dlv-calculator[data-ready] tbody tr")
    assert page.evaluate("document.querySelectorAll('.dlvc-add').length") == 1
    # and it does nothing on other pages
    page.locator('a[href$="notation/"] >> visible=true').first.click()
    page.wait_for_url("**/notation/")
    assert page.locator("#dlv-calculator").count() == 0
