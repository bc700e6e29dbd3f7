"""Give every block the same starting point, although all blocks share one process.

Blocks run in one interpreter so that the Keras import is paid once. What one block
leaves behind (auto-generated layer names such as `dense_1`, the image data format,
random state, open matplotlib figures) is reset here before the next block starts.
"""

from __future__ import annotations

import gc
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


def arithmetic() -> str:
    """How this run sums floats, said in the run's header: `make test` runs every backend with
    settings other than those `make update` wrote the page with (Makefile, other_machine)."""
    cores = len(os.sched_getaffinity(0))
    backend = current_backend()
    if backend == "torch":
        import torch

        threads = torch.get_num_threads()
    elif backend == "tensorflow":
        threads = os.environ.get("TF_NUM_INTRAOP_THREADS", cores)
    else:
        threads = os.environ.get("OMP_NUM_THREADS", cores)
    said = f"{threads} thread(s) per process, {cores} core(s)"
    if backend == "tensorflow":
        said += ", oneDNN " + ("off" if os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0" else "on")
    elif backend == "jax":
        said += f", XLA_FLAGS={os.environ.get('XLA_FLAGS') or '(none)'}"
    return said


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


try:  # NumPy's global options as a fresh interpreter has them, before any block changes them
    import numpy as _np

    _NUMPY_PRINT_DEFAULTS = _np.get_printoptions()
    _NUMPY_ERR_DEFAULTS = _np.geterr()
except ImportError:  # pragma: no cover
    _NUMPY_PRINT_DEFAULTS, _NUMPY_ERR_DEFAULTS = {}, {}


def _shift_default_rng(np, offset: int) -> None:
    """Make `np.random.default_rng(s)` with an integer `s` seed with `s + offset`.

    Pages draw their synthetic data from `np.random.default_rng(0)`; the seed shift must
    reach that data too, or a claim could hold only for one lucky data set.
    """
    random = np.random
    original = getattr(random.default_rng, "__wrapped_original__", random.default_rng)

    def default_rng(seed=None):
        if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            seed = int(seed) + offset
        elif isinstance(seed, (list, tuple)) and seed and isinstance(seed[0], (int, np.integer)):
            seed = [int(seed[0]) + offset, *seed[1:]]
        return original(seed)

    default_rng.__wrapped_original__ = original
    default_rng.__doc__ = original.__doc__
    random.default_rng = default_rng


def warm_up(code: str) -> None:
    """Import what the blocks will use, so that no block is timed with a 3-second import. What is
    alive then (modules, classes, functions: about 250,000-420,000 objects with Keras, its backend
    and matplotlib) lives until the process ends, and is set aside from Python's garbage collector
    (`gc.freeze`): `reset` collects garbage before every block (Keras's `clear_session`), and each
    full collection walked all of it, 130-170 ms per block, about a fifth of the pages' time."""
    if "keras" in code:
        import keras  # noqa: F401
    if "matplotlib" in code:
        import matplotlib.pyplot  # noqa: F401
    gc.collect()
    gc.freeze()


def reset(seed_offset: int, code: str) -> None:
    """Reset everything a previous block may have changed; `code` is the block about to run."""
    random.seed(seed_offset)
    try:
        import numpy as np

        np.random.seed(seed_offset)
        _shift_default_rng(np, seed_offset)
        np.set_printoptions(**_NUMPY_PRINT_DEFAULTS)
        np.seterr(**_NUMPY_ERR_DEFAULTS)
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
