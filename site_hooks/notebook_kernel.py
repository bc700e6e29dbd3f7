"""Run a notebook top to bottom on a fresh Jupyter kernel: the chapters' notebooks
(tests/test_notebooks.py) and the labs (site_hooks/labs.py, tests/test_labs.py) go through here.

The kernel runs Keras on TensorFlow with its start-up messages off, whatever the calling
process has set, and talks over Unix sockets in a directory of its own, not over TCP: kernels
started side by side (pytest-xdist) picked the same free TCP port, and one of them died at start.
The kernel is stopped when the run ends, and its connection file goes with its sockets: nbclient
leaves running a kernel whose manager it was given, and a test worker held one per notebook.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# What the kernel's environment adds to the caller's.
KERNEL_ENV = {"KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
              "PYTHONHASHSEED": "0", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
TIMEOUT = 120  # seconds per cell


def execute(notebook, workdir: Path, timeout: float = TIMEOUT):
    """Run `notebook` (in place, and return it) on a fresh python3 kernel whose working directory is
    `workdir`; a cell that raises stops the run with nbclient's CellExecutionError."""
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="dlv-kernel-") as sockets:
        kernel = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "kernel"),
                                    connection_file=str(Path(sockets) / "kernel.json"))
        client = NotebookClient(notebook, km=kernel, timeout=timeout, kernel_name="python3", allow_errors=False,
                                record_timing=False, resources={"metadata": {"path": str(workdir)}},
                                shutdown_kernel="immediate")
        client.execute(env={**os.environ, **KERNEL_ENV}, cleanup_kc=True)
    return notebook
