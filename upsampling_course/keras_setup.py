"""Import Keras without TensorFlow's start-up noise, with fixed seeds.

Used at the top of every chapter and graded notebook, and by the package's
own modules through :func:`keras_module`. TensorFlow writes its
start-up messages (CUDA probing, oneDNN notices) straight to file descriptor 2
from C++, before Python logging exists, so ``TF_CPP_MIN_LOG_LEVEL`` alone
does not stop them. In a Jupyter kernel that descriptor is captured into the
cell's output: the lines then clutter the book, and nbgrader scores a graded
cell that writes to stderr as failed. Silencing the descriptor while
TensorFlow starts fixes both.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from types import ModuleType


@contextlib.contextmanager
def silenced_stderr_fd() -> Iterator[None]:
    """Send everything written to file descriptor 2 to /dev/null for a while.

    Unlike ``contextlib.redirect_stderr`` this also catches what C and C++
    code writes, which is where TensorFlow's start-up messages come from.
    """
    sys.stderr.flush()
    saved_fd = os.dup(2)
    devnull_fd = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull_fd, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        os.close(devnull_fd)


def import_keras_quietly(seed: int | None = 0) -> ModuleType:
    """Import TensorFlow and Keras silently, seed every generator, return ``keras``.

    ``seed`` fixes Python's, NumPy's and TensorFlow's random generators
    (``keras.utils.set_random_seed``) so that executed pages and graded
    notebooks give the same numbers on every run; pass ``None`` to leave them
    alone.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with silenced_stderr_fd():
        import tensorflow as tf

        # The first device query is what probes for CUDA and logs the failure.
        tf.config.list_physical_devices()
        import keras

        if seed is not None:
            keras.utils.set_random_seed(seed)
        # Materialise one tiny op so any remaining first-use messages come now.
        keras.ops.convert_to_numpy(keras.ops.zeros((1,)))
    return keras


def keras_module() -> ModuleType:
    """Keras for the helper package's own code: imported quietly, seeds left as they are.

    The one way the package gets Keras (chapters and notebooks call
    :func:`import_keras_quietly` with their seed once, at the top).
    """
    return import_keras_quietly(seed=None)
