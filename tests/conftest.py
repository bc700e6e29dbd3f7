"""Shared set-up for the machinery's tests."""

# The verifier's tests run pytest in-process (pytester), which forgets modules first
# imported inside each inner run; NumPy, Keras and matplotlib cannot be imported twice
# in one process, so they are imported once here, before any inner run.
import keras  # noqa: F401
import matplotlib  # noqa: F401
import numpy  # noqa: F401
