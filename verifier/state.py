"""Give every block the same starting point, although all blocks share one process.

Blocks run in one interpreter so that the Keras import is paid once. What one block
leaves behind (auto-generated layer names such as `dense_1`, the image data format,
random state, open matplotlib figures) is reset here before the next block starts.
"""

from __future__ import annotations

import os
import random
import sys

# Set before Keras, TensorFlow or matplotlib are imported by any block.
ENVIRONMENT = {
    "COLUMNS": "80",  # model.summary() width
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "MPLBACKEND": "Agg",
    "SOURCE_DATE_EPOCH": "0",  # no timestamp in saved SVG figures
}
SEED_VARIABLE = "DLV_SEED"


def base_seed() -> int:
    """The seed every block's `keras.utils.set_random_seed(s)` is shifted by (default 0)."""
    value = os.environ.get(SEED_VARIABLE, "0")
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{SEED_VARIABLE} must be an integer, not {value!r}") from None


def current_backend() -> str:
    """The Keras backend of this run, without importing Keras."""
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


def _shift_seed_setter(keras, offset: int) -> None:
    """Make `keras.utils.set_random_seed(s)` seed with `s + offset`.

    Blocks show `set_random_seed(0)` so that a pasted snippet reproduces the page;
    the verifier re-runs the same blocks under other seeds to prove that the claims
    do not depend on one lucky seed.
    """
    utils = keras.utils
    original = getattr(utils.set_random_seed, "__wrapped_original__", utils.set_random_seed)

    def set_random_seed(seed):
        original(int(seed) + offset)

    set_random_seed.__wrapped_original__ = original
    set_random_seed.__doc__ = original.__doc__
    utils.set_random_seed = set_random_seed


def warm_up(code: str) -> None:
    """Import what the blocks will use, so that no block is timed with a 3-second import."""
    if "keras" in code:
        import keras  # noqa: F401
    if "matplotlib" in code:
        import matplotlib.pyplot  # noqa: F401


def reset(seed_offset: int, code: str) -> None:
    """Reset everything a previous block may have changed; `code` is the block about to run."""
    random.seed(seed_offset)
    try:
        import numpy as np

        np.random.seed(seed_offset)
    except ImportError:
        pass
    if "keras" in code or "keras" in sys.modules:
        import keras

        _shift_seed_setter(keras, seed_offset)
        keras.backend.clear_session()
        keras.config.set_image_data_format("channels_last")
        keras.config.set_floatx("float32")
        keras.config.set_epsilon(1e-7)
        keras.config.set_dtype_policy("float32")
        keras.utils.set_random_seed(0)
    if "matplotlib" in code or "matplotlib" in sys.modules:
        import matplotlib
        import matplotlib.pyplot as plt

        plt.close("all")
        matplotlib.rcdefaults()
        matplotlib.rcParams["svg.hashsalt"] = "deep-learning-verified"
