// Shape and parameter calculator (docs/tools/calculator.md). Loaded by that page only.
// window.dlvCalculator.compute(layers) is a pure function, compared with Keras-built models
// over hundreds of configurations by tests/test_calculator.py; the rest draws the form.
(function () {
  "use strict";
  if (window.dlvCalculator) return; // Material re-injects the page's script on instant navigation

  var ACTIVATIONS = ["none", "relu", "sigmoid", "tanh", "softmax", "gelu"];
  var CONV = { filters: 16, kernel_size: 3, strides: 1, padding: "valid", dilation_rate: 1, activation: "none", use_bias: true };
  var POOL = { pool_size: 2, strides: null, padding: "valid" };
  var RNN = { units: 32, return_sequences: false };
  function pick(base, drop, extra) {
    var out = {};
    Object.keys(base).forEach(function (k) { if (drop.indexOf(k) < 0) out[k] = base[k]; });
    Object.keys(extra || {}).forEach(function (k) { out[k] = extra[k]; });
    return out;
  }
  // Each type's fields, in order (the order of the URL encoding), with their defaults; the
  // names are Keras's argument names.
  var TYPES = {
    Input: { shape: [28, 28, 1] },
    Dense: { units: 10, activation: "none", use_bias: true },
    Conv1D: CONV,
    Conv2D: CONV,
    DepthwiseConv2D: pick(CONV, ["filters", "activation", "use_bias"], { depth_multiplier: 1, activation: "none", use_bias: true }),
    SeparableConv2D: pick(CONV, ["activation", "use_bias"], { depth_multiplier: 1, activation: "none", use_bias: true }),
    Conv2DTranspose: CONV,
    MaxPooling2D: POOL,
    AveragePooling2D: POOL,
    GlobalAveragePooling2D: {},
    Flatten: {},
    Dropout: { rate: 0.5 },
    BatchNormalization: {},
    Activation: { activation: "relu" },
    Embedding: { input_dim: 1000, output_dim: 16 },
    SimpleRNN: RNN,
    LSTM: RNN,
    GRU: RNN,
    MultiHeadAttention: { num_heads: 2, key_dim: 16, value_dim: null, output_shape: null, use_bias: true },
  };
  var LABELS = {
    shape: "Shape, without the batch axis", units: "Units", filters: "Filters", kernel_size: "Kernel size",
    strides: "Strides", padding: "Padding", dilation_rate: "Dilation rate", depth_multiplier: "Depth multiplier",
    pool_size: "Pool size", rate: "Rate", activation: "Activation", use_bias: "Use bias",
    input_dim: "Vocabulary size (input_dim)", output_dim: "Vector size (output_dim)",
    return_sequences: "Return sequences", num_heads: "Heads", key_dim: "Key size (key_dim)",
    value_dim: "Value size (value_dim)", output_shape: "Output size (output_shape)",
  };

  function kind(type, key) {
    if (key === "shape") return "shape";
    if (key === "rate") return "rate";
    if (key === "padding") return type === "Conv1D" ? ["valid", "same", "causal"] : ["valid", "same"];
    if (key === "activation") return type === "Activation" ? ACTIVATIONS.slice(1) : ACTIVATIONS;
    if (key === "use_bias" || key === "return_sequences") return "bool";
    if (TYPES[type][key] === null) return "optional"; // empty: Keras's default
    return "int";
  }
  function hint(type, key) {
    if (key === "strides" && TYPES[type].strides === null) return "empty: pool size";
    if (key === "value_dim") return "empty: key size";
    if (key === "output_shape") return "empty: the input's last axis";
    if (key === "shape") return "e.g. 32, 32, 3";
    return "";
  }

  // ---- the calculation --------------------------------------------------------------

  function product(list) { return list.reduce(function (a, b) { return a * b; }, 1); }
  function isCount(v) { return typeof v === "number" && Math.floor(v) === v && v >= 1; }
  function fail(message) { throw new Error(message); }
  function fmtShape(shape) { return "(None" + shape.map(function (d) { return ", " + d; }).join("") + ")"; }
  function needRank(shape, rank, what) {
    if (shape.length !== rank) {
      fail("needs an input of " + rank + " axes besides the batch (" + what + "), but receives " + fmtShape(shape) +
           (rank === 3 && shape.length === 1 ? "; reshape it, e.g. keras.layers.Reshape((28, 28, 1))" : "") +
           (shape.length > rank && rank < 3 ? "; add Flatten, GlobalAveragePooling2D or a Reshape first" : "") + ".");
    }
  }
  function checkFields(layer) {
    Object.keys(TYPES[layer.type]).forEach(function (key) {
      var v = layer[key], k = kind(layer.type, key), label = LABELS[key];
      if (k === "int" && !isCount(v)) fail(label + " must be a whole number of at least 1.");
      if (k === "optional" && v !== null && !isCount(v)) fail(label + " must be empty or a whole number of at least 1.");
      if (k === "rate" && !(typeof v === "number" && v >= 0 && v <= 1)) fail("Rate must be a number from 0 to 1.");
      if (k === "shape" && !(Array.isArray(v) && v.length > 0 && v.every(isCount))) {
        fail("the shape must be whole numbers of at least 1, separated by commas.");
      }
      if (k === "bool" && typeof v !== "boolean") fail(label + " must be True or False.");
      if (Array.isArray(k) && k.indexOf(v) < 0) fail(label + " must be one of " + k.join(", ") + ".");
    });
  }
  // One spatial axis of a convolution or a pooling (Keras's compute_conv_output_shape).
  function slide(n, k, s, padding, d, axis) {
    var span = d * (k - 1) + 1;
    if (padding !== "valid") return Math.floor((n - 1) / s) + 1;
    var out = Math.floor((n - span) / s) + 1;
    if (out <= 0) {
      fail("a window of " + span + (d > 1 ? " (kernel " + k + " dilated by " + d + ")" : "") + " does not fit in the " +
           n + " positions of " + axis + ' with padding="valid": the output would have ' + Math.max(out, 0) +
           ' positions. Use a smaller kernel, padding="same", or check the axis order (channels last: (height, width, channels)).');
    }
    return out;
  }
  function spatial(shape, layer, size, strides, dilation) {
    var names = shape.length === 3 ? ["the height", "the width"] : ["the steps"];
    return names.map(function (name, i) { return slide(shape[i], size, strides, layer.padding, dilation, name); });
  }
  function noStrideAndDilation(layer) {
    if (layer.strides > 1 && layer.dilation_rate > 1) fail("Keras does not combine strides > 1 with dilation_rate > 1 in this layer.");
  }

  // Each layer: input shape -> [output shape, trainable, non-trainable, multiply-adds per example].
  var LAYERS = {
    Dense: function (s, l) {
      var n = s[s.length - 1], u = l.units;
      return [s.slice(0, -1).concat([u]), n * u + (l.use_bias ? u : 0), 0, product(s.slice(0, -1)) * n * u];
    },
    Conv1D: function (s, l) { return conv(s, l, 2, "steps, channels"); },
    Conv2D: function (s, l) { return conv(s, l, 3, "height, width, channels"); },
    DepthwiseConv2D: function (s, l) {
      needRank(s, 3, "height, width, channels");
      var c = s[2], m = l.depth_multiplier, out = spatial(s, l, l.kernel_size, l.strides, l.dilation_rate), k2 = l.kernel_size * l.kernel_size;
      return [out.concat([c * m]), k2 * c * m + (l.use_bias ? c * m : 0), 0, product(out) * k2 * c * m];
    },
    SeparableConv2D: function (s, l) {
      needRank(s, 3, "height, width, channels");
      var c = s[2], m = l.depth_multiplier, f = l.filters, k2 = l.kernel_size * l.kernel_size;
      var out = spatial(s, l, l.kernel_size, l.strides, l.dilation_rate);
      return [out.concat([f]), k2 * c * m + c * m * f + (l.use_bias ? f : 0), 0, product(out) * (k2 * c * m + c * m * f)];
    },
    Conv2DTranspose: function (s, l) {
      noStrideAndDilation(l);
      needRank(s, 3, "height, width, channels");
      var k = l.kernel_size, st = l.strides, span = l.dilation_rate * (k - 1) + 1, c = s[2], f = l.filters;
      var out = s.slice(0, 2).map(function (n) { return l.padding === "valid" ? (n - 1) * st + Math.max(span, st) : n * st; });
      return [out.concat([f]), k * k * c * f + (l.use_bias ? f : 0), 0, s[0] * s[1] * k * k * c * f,
        l.dilation_rate > 1 ? "TensorFlow's CPU kernels cannot run a dilated Conv2DTranspose (JAX and PyTorch can)." : null];
    },
    MaxPooling2D: pool,
    AveragePooling2D: pool,
    GlobalAveragePooling2D: function (s) { needRank(s, 3, "height, width, channels"); return [[s[2]], 0, 0, 0]; },
    Flatten: function (s) { return [[product(s)], 0, 0, 0]; },
    Dropout: function (s) { return [s, 0, 0, 0]; },
    Activation: function (s) { return [s, 0, 0, 0]; },
    BatchNormalization: function (s) { var c = s[s.length - 1]; return [s, 2 * c, 2 * c, product(s)]; },
    Embedding: function (s, l) { return [s.concat([l.output_dim]), l.input_dim * l.output_dim, 0, 0]; },
    SimpleRNN: function (s, l) { return rnn(s, l, 1, 1); },
    LSTM: function (s, l) { return rnn(s, l, 4, 1); },
    GRU: function (s, l) { return rnn(s, l, 3, 2); }, // reset_after=True: two bias vectors
    MultiHeadAttention: function (s, l) {
      // Self-attention: query = key = value = the input. Attention runs over every axis
      // but the last (the features), whose positions multiply.
      if (s.length < 2) fail("needs positions and features, at least (steps, features), but receives " + fmtShape(s) + ": its softmax runs over the positions.");
      var d = s[s.length - 1], t = product(s.slice(0, -1)), h = l.num_heads, kd = l.key_dim;
      var vd = l.value_dim || kd, o = l.output_shape || d, b = l.use_bias ? 1 : 0;
      var params = 2 * (d * h * kd + b * h * kd) + d * h * vd + b * h * vd + h * vd * o + b * o;
      var macs = t * d * h * (2 * kd + vd) + t * t * h * (kd + vd) + t * h * vd * o;
      return [s.slice(0, -1).concat([o]), params, 0, macs];
    },
  };
  function conv(s, l, rank, what) {
    noStrideAndDilation(l);
    needRank(s, rank, what);
    var c = s[rank - 1], f = l.filters, kk = Math.pow(l.kernel_size, rank - 1);
    var out = spatial(s, l, l.kernel_size, l.strides, l.dilation_rate);
    return [out.concat([f]), kk * c * f + (l.use_bias ? f : 0), 0, product(out) * kk * c * f];
  }
  function pool(s, l) {
    needRank(s, 3, "height, width, channels");
    var out = spatial(s, l, l.pool_size, l.strides === null ? l.pool_size : l.strides, 1);
    return [out.concat([s[2]]), 0, 0, 0];
  }
  function rnn(s, l, gates, biases) {
    needRank(s, 2, "steps, features");
    var n = s[1], u = l.units, t = s[0];
    return [l.return_sequences ? [t, u] : [u], gates * u * (n + u + biases), 0, t * gates * u * (n + u)];
  }

  // layers: [{type: "Input", shape: [...]}, {type: "Conv2D", filters: 16, ...}, ...]
  // -> {rows: [{type, shape, trainable, nonTrainable, macs}], totals, error: null | {index, message}}
  function compute(layers) {
    var rows = [], totals = { trainable: 0, nonTrainable: 0, params: 0, macs: 0 }, shape = null;
    for (var i = 0; i < layers.length; i++) {
      var layer = layers[i];
      try {
        if (!TYPES.hasOwnProperty(layer.type)) fail("is not a layer this calculator knows.");
        if ((layer.type === "Input") !== (i === 0)) fail(i === 0 ? "the model must start with Input." : "only the first layer is an Input.");
        checkFields(layer);
        var r = i === 0 ? [layer.shape.slice(), 0, 0, 0] : LAYERS[layer.type](shape, layer);
      } catch (error) {
        return { rows: rows, totals: totals, error: { index: i, message: error.message } };
      }
      shape = r[0];
      rows.push({ type: layer.type, shape: shape, trainable: r[1], nonTrainable: r[2], macs: r[3], note: r[4] || null });
      totals.trainable += r[1];
      totals.nonTrainable += r[2];
      totals.params += r[1] + r[2];
      totals.macs += r[3];
    }
    return { rows: rows, totals: totals, error: null };
  }

  // ---- the URL: ?model=Input-32x32x3_Conv2D-16-3-1-same_Flatten_Dense-10 -------------
  // Fields in TYPES order, separated by "-"; trailing defaults left out; an empty field is
  // Keras's default (None); booleans 1/0; a shape's axes joined by "x"; layers by "_".

  function encodeValue(v) {
    if (Array.isArray(v)) return v.join("x");
    if (typeof v === "boolean") return v ? "1" : "0";
    return v === null ? "" : String(v);
  }
  function serialise(layers) {
    return layers.map(function (layer) {
      var keys = Object.keys(TYPES[layer.type]), parts = keys.map(function (k) { return encodeValue(layer[k]); });
      while (parts.length && parts[parts.length - 1] === encodeValue(TYPES[layer.type][keys[parts.length - 1]])) parts.pop();
      return [layer.type].concat(parts).join("-");
    }).join("_");
  }
  function decodeValue(type, key, text) {
    var k = kind(type, key);
    if (k === "shape") return text.split("x").map(Number);
    if (k === "bool") return text === "1" ? true : text === "0" ? false : fail("bad boolean");
    if (Array.isArray(k)) return k.indexOf(text) >= 0 ? text : fail("bad choice");
    if (k === "optional" && text === "") return null;
    var n = Number(text);
    return text !== "" && isFinite(n) ? n : fail("bad number");
  }
  function parse(text) { // throws on anything it cannot read
    return text.split("_").map(function (part) {
      var fields = part.split("-"), type = fields[0];
      if (!TYPES.hasOwnProperty(type)) fail("unknown layer " + type);
      var layer = { type: type };
      Object.keys(TYPES[type]).forEach(function (key, i) {
        var dflt = TYPES[type][key];
        layer[key] = i + 1 < fields.length ? decodeValue(type, key, fields[i + 1]) : Array.isArray(dflt) ? dflt.slice() : dflt;
      });
      if (fields.length - 1 > Object.keys(TYPES[type]).length) fail("too many fields for " + type);
      return layer;
    });
  }
  function newLayer(type) { return parse(type)[0]; }

  // ---- the Keras code to copy -------------------------------------------------------

  var FIRST = { Dense: 1, Conv1D: 2, Conv2D: 2, DepthwiseConv2D: 1, SeparableConv2D: 2, Conv2DTranspose: 2,
    MaxPooling2D: 1, AveragePooling2D: 1, Dropout: 1, Activation: 1, Embedding: 2, SimpleRNN: 1, LSTM: 1, GRU: 1 };
  var KERAS_DEFAULTS = { strides: 1, padding: "valid", dilation_rate: 1, activation: "none", use_bias: true,
    depth_multiplier: 1, return_sequences: false, value_dim: null, output_shape: null };
  function py(v) {
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "string") return '"' + v + '"';
    return String(v);
  }
  function call(layer) {
    var keys = Object.keys(TYPES[layer.type]), positional = FIRST[layer.type] || 0, args = [];
    keys.forEach(function (key, i) {
      var v = layer[key];
      if (i < positional) args.push(py(v));
      // null is Keras's default (None); a pooling's strides default to None (the pool size), not 1.
      else if (v !== null && (KERAS_DEFAULTS[key] !== v || TYPES[layer.type][key] === null)) args.push(key + "=" + py(v));
    });
    if (layer.type === "Input") return "keras.Input(shape=(" + layer.shape.join(", ") + (layer.shape.length === 1 ? "," : "") + "))";
    return "keras.layers." + layer.type + "(" + args.join(", ") + ")";
  }
  function code(layers) {
    var lines = ["import keras", ""];
    if (layers.some(function (l) { return l.type === "MultiHeadAttention"; })) {
      // MultiHeadAttention takes a query and a value: the functional API, as self-attention.
      lines.push("inputs = " + call(layers[0]));
      layers.slice(1).forEach(function (l, i) {
        var x = i === 0 ? "inputs" : "x";
        lines.push("x = " + call(l) + (l.type === "MultiHeadAttention" ? "(" + x + ", " + x + ")  # self-attention" : "(" + x + ")"));
      });
      lines.push("model = keras.Model(inputs, " + (layers.length > 1 ? "x" : "inputs") + ")");
    } else {
      lines.push("model = keras.Sequential(", "    [");
      layers.forEach(function (l) { lines.push("        " + call(l) + ","); });
      lines.push("    ]", ")");
    }
    lines.push("model.summary()");
    return lines.join("\n") + "\n";
  }

  // ---- the form ---------------------------------------------------------------------

  var DEFAULT_MODEL = "Input-28x28x1_Conv2D-16-3-1-same-1-relu_MaxPooling2D_Flatten_Dense-10-softmax";

  function esc(text) { return String(text).replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  function number(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function short(n) {
    var units = [[1e12, " T"], [1e9, " G"], [1e6, " M"], [1e3, " k"]];
    for (var i = 0; i < units.length; i++) if (n >= units[i][0]) return (n / units[i][0]).toPrecision(3) + units[i][1];
    return String(n);
  }

  function field(layer, index, key) {
    var k = kind(layer.type, key), v = layer[key], id = "dlvc-" + index + "-" + key, control;
    var label = LABELS[key] + (hint(layer.type, key) ? ' <span class="dlvc-hint">(' + hint(layer.type, key) + ")</span>" : "");
    if (k === "bool") k = ["True", "False"], v = v ? "True" : "False";
    if (Array.isArray(k)) {
      control = '<select id="' + id + '" data-key="' + key + '">' + k.map(function (o) {
        return "<option" + (o === v ? " selected" : "") + ">" + o + "</option>";
      }).join("") + "</select>";
    } else if (k === "shape") {
      control = '<input id="' + id + '" data-key="' + key + '" type="text" inputmode="numeric" autocomplete="off" value="' + esc(v.join(", ")) + '">';
    } else {
      control = '<input id="' + id + '" data-key="' + key + '" type="number" inputmode="' + (k === "rate" ? "decimal" : "numeric") +
        '" min="' + (k === "rate" ? 0 : 1) + '"' + (k === "rate" ? ' max="1" step="0.05"' : ' step="1"') + ' value="' + (v === null ? "" : v) + '">';
    }
    return '<div class="dlvc-field"><label for="' + id + '">' + label + "</label>" + control + "</div>";
  }

  function layerCard(layer, i, count) {
    var name = (i + 1) + ". " + layer.type, n = '<span class="dlvc-sr"> layer ' + (i + 1) + "</span>";
    var buttons = i === 0 ? "" : '<div class="dlvc-actions">' +
      '<button type="button" class="md-button" data-action="up"' + (i === 1 ? " disabled" : "") + ">Move up" + n + "</button>" +
      '<button type="button" class="md-button" data-action="down"' + (i === count - 1 ? " disabled" : "") + ">Move down" + n + "</button>" +
      '<button type="button" class="md-button" data-action="remove">Remove' + n + "</button></div>";
    return '<li class="dlvc-layer" data-index="' + i + '"><fieldset><legend>' + name + "</legend>" +
      '<div class="dlvc-fields">' + Object.keys(TYPES[layer.type]).map(function (key) { return field(layer, i, key); }).join("") +
      "</div>" + buttons + "</fieldset></li>";
  }

  function mount(root) {
    var layers, loadError = "", query = new URLSearchParams(location.search).get("model");
    try { layers = parse(query || DEFAULT_MODEL); } catch (error) {
      layers = parse(DEFAULT_MODEL);
      loadError = "The model in this page's address could not be read (" + error.message + "); showing the example model. ";
    }
    root.innerHTML =
      '<h2 id="dlvc-layers-title">Layers</h2><ol class="dlvc-layers" aria-labelledby="dlvc-layers-title"></ol>' +
      '<div class="dlvc-add"><label for="dlvc-type">Layer to add</label><select id="dlvc-type">' +
      Object.keys(TYPES).slice(1).map(function (t) { return "<option>" + t + "</option>"; }).join("") +
      '</select><button type="button" class="md-button md-button--primary" data-action="add">Add layer</button></div>' +
      '<h2 id="dlvc-results-title">Output shapes, parameters and multiply-adds</h2>' +
      '<p class="dlvc-status" role="status" aria-live="polite"></p>' +
      '<div class="dlvc-table" tabindex="0" role="region" aria-labelledby="dlvc-results-title"><table><thead><tr>' +
      '<th scope="col">Layer</th><th scope="col">Output shape</th><th scope="col">Trainable</th>' +
      '<th scope="col">Non-trainable</th><th scope="col">Multiply-adds</th></tr></thead><tbody></tbody><tfoot></tfoot></table></div>' +
      '<h2 id="dlvc-code-title">Keras code</h2><div class="dlvc-code-actions">' +
      '<button type="button" class="md-button" data-action="copy">Copy code</button>' +
      '<button type="button" class="md-button" data-action="link">Copy link to this model</button>' +
      '<span class="dlvc-copied" aria-live="polite"></span></div>' +
      '<pre class="dlvc-code" tabindex="0" aria-labelledby="dlvc-code-title"><code></code></pre>';
    var list = root.querySelector(".dlvc-layers"), status = root.querySelector(".dlvc-status");
    var body = root.querySelector("tbody"), foot = root.querySelector("tfoot"), pre = root.querySelector(".dlvc-code code");
    var copied = root.querySelector(".dlvc-copied");

    function drawLayers() {
      list.innerHTML = layers.map(function (l, i) { return layerCard(l, i, layers.length); }).join("");
    }
    function link() {
      return location.origin + location.pathname + "?model=" + serialise(layers);
    }
    function update() {
      var result = compute(layers), rows = result.rows, error = result.error;
      body.innerHTML = layers.map(function (l, i) {
        var r = rows[i], cells;
        if (r) cells = [fmtShape(r.shape), number(r.trainable), number(r.nonTrainable), number(r.macs)];
        else if (error && error.index === i) return '<tr class="dlvc-bad"><th scope="row">' + (i + 1) + ". " + esc(l.type) +
          '</th><td colspan="4"><strong>Impossible:</strong> ' + esc(error.message) + "</td></tr>";
        else cells = ["—", "—", "—", "—"];
        return '<tr><th scope="row">' + (i + 1) + ". " + esc(l.type) + "</th><td>" + cells.join("</td><td>") + "</td></tr>";
      }).join("");
      var t = result.totals;
      foot.innerHTML = error ? "" : '<tr><th scope="row">Total: ' + number(t.params) + " parameters</th><td>" + fmtShape(rows[rows.length - 1].shape) +
        "</td><td>" + number(t.trainable) + "</td><td>" + number(t.nonTrainable) + "</td><td>" + number(t.macs) + "</td></tr>";
      status.textContent = loadError + (error
        ? "Impossible at layer " + (error.index + 1) + " (" + layers[error.index].type + "): " + error.message
        : "Output " + fmtShape(rows[rows.length - 1].shape) + "; " + number(t.params) + " parameters (" + number(t.trainable) +
          " trainable, " + number(t.nonTrainable) + " non-trainable); " + short(t.macs) + " multiply-adds per example." +
          rows.map(function (r, i) { return r.note ? " Note on layer " + (i + 1) + ": " + r.note : ""; }).join(""));
      status.classList.toggle("dlvc-error", !!error);
      pre.textContent = code(layers);
      if (history.replaceState) history.replaceState(history.state, "", "?model=" + serialise(layers) + location.hash);
    }
    function focusIn(index, selector) {
      var card = list.querySelector('[data-index="' + index + '"]'), target = card && card.querySelector(selector);
      if (!target || target.disabled) target = card && card.querySelector("input, select, button:not([disabled])");
      (target || root.querySelector("#dlvc-type")).focus();
    }

    function edit(event) {
      var input = event.target, key = input.getAttribute("data-key"), card = input.closest(".dlvc-layer");
      if (!key || !card) return;
      var layer = layers[Number(card.getAttribute("data-index"))], k = kind(layer.type, key), text = input.value.trim();
      if (k === "bool") layer[key] = text === "True";
      else if (Array.isArray(k)) layer[key] = text;
      else if (k === "shape") layer[key] = text.split(/[\s,x×]+/).filter(Boolean).map(Number);
      else if (k === "optional" && text === "") layer[key] = null;
      else layer[key] = text === "" ? NaN : Number(text);
      loadError = "";
      update();
    }
    root.addEventListener("input", edit);
    root.addEventListener("change", edit);
    root.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) return;
      var action = button.getAttribute("data-action"), card = button.closest(".dlvc-layer");
      var i = card ? Number(card.getAttribute("data-index")) : -1;
      if (action === "add") {
        layers.push(newLayer(root.querySelector("#dlvc-type").value));
        drawLayers(); focusIn(layers.length - 1, "input, select");
      } else if (action === "remove") {
        layers.splice(i, 1);
        drawLayers(); focusIn(Math.min(i, layers.length - 1), '[data-action="remove"]');
      } else if (action === "up" || action === "down") {
        var j = action === "up" ? i - 1 : i + 1, moved = layers.splice(i, 1)[0];
        layers.splice(j, 0, moved);
        drawLayers(); focusIn(j, '[data-action="' + action + '"]');
      } else {
        var text = action === "copy" ? code(layers) : link();
        var done = function () { copied.textContent = action === "copy" ? "Code copied." : "Link copied."; };
        if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, function () { copied.textContent = text; });
        else copied.textContent = text;
        return;
      }
      update();
    });
    drawLayers();
    update();
  }

  function start() {
    var root = document.getElementById("dlv-calculator");
    if (root && !root.hasAttribute("data-ready")) { root.setAttribute("data-ready", ""); mount(root); }
  }
  window.dlvCalculator = { compute: compute, serialise: serialise, parse: parse, code: code, types: TYPES };
  function subscribe() {
    if (window.document$ && window.document$.subscribe) window.document$.subscribe(start);
    else start();
  }
  // The page loads this script right after the calculator's element, without defer: drawn there,
  // before the page's first paint, it does not push the text below it down the screen.
  start();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", subscribe);
  else subscribe();
})();
