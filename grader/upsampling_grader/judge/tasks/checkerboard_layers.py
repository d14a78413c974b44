"""What Keras says about the layers of the checkerboard assignment: the judge's truths.

Outputs on constant inputs of layers built here, outside the student's
kernel: the phase gains of a kernel, how far an output is from flat, and for
question 3 whether any weights make a layer flat (``flatness_letter``).
"""

from __future__ import annotations

import numpy as np

from upsampling_course.assignments.checkerboard import LAYERS
from upsampling_course.keras_setup import keras_module


def transposed_output(kernel: np.ndarray, stride: int, inputs: np.ndarray) -> np.ndarray:
    """What Conv2DTranspose(F, k, strides=stride, padding='valid', use_bias=False) holding
    ``kernel`` (k, k, F, C) outputs for ``inputs`` (N, H, W, C)."""
    keras = keras_module()
    size, _, filters, channels = kernel.shape
    layer = keras.layers.Conv2DTranspose(filters, size, strides=stride, use_bias=False)
    layer.build((None, None, None, channels))
    layer.set_weights([kernel.astype("float32")])
    return keras.ops.convert_to_numpy(layer(inputs.astype("float32")))


def on_ones(kernel: np.ndarray, stride: int, lit: np.ndarray | None = None) -> np.ndarray:
    """Output channel 0 of that layer on a constant input (``lit``: its value per channel,
    ones by default), on the rows and columns every kernel copy reaches; row r is phase
    (r - k + 1) % s."""
    size, channels = kernel.shape[0], kernel.shape[-1]
    side = size + 2
    constant = np.ones((1, side, side, channels)) * (np.ones(channels) if lit is None else lit)
    out = transposed_output(kernel, stride, constant)[0, :, :, 0]
    end = (side - 1) * stride + 1
    return out[size - 1 : end, size - 1 : end]


def keras_gains(kernel: np.ndarray, stride: int) -> np.ndarray:
    """(s, s): what each phase of a one-channel layer outputs for an input of ones, from Keras."""
    inside = on_ones(kernel[:, :, None, None], stride)
    shift = kernel.shape[0] - 1
    rows = [(p - shift) % stride for p in range(stride)]
    return inside[np.ix_(rows, rows)].astype("float64")


def spread(values: np.ndarray) -> float:
    """How far from flat: the range over the largest absolute value (0 for all zeros)."""
    top = float(np.abs(values).max())
    return float(np.ptp(values)) / top if top > 0 else 0.0


def _layer(kind: str, size: int, stride: int):
    """(the layer that holds the weights, the function the stack computes), one channel."""
    keras = keras_module()
    layers, ops = keras.layers, keras.ops
    if kind == "transpose":
        conv = layers.Conv2DTranspose(1, size, strides=stride, use_bias=False)
        run = conv
    elif kind == "subpixel":
        conv = layers.Conv2D(stride * stride, size, padding="same", use_bias=False)
        run = lambda x: ops.depth_to_space(conv(x), stride)  # noqa: E731
    else:
        conv = layers.Conv2D(1, size, padding="same", use_bias=False)
        mode = "bilinear" if kind == "bilinear" else "nearest"
        up = layers.UpSampling2D(stride, interpolation=mode)
        run = (lambda x: up(conv(x))) if kind == "conv_first" else (lambda x: conv(up(x)))  # noqa: E731
    conv.build((None, None, None, 1))
    return conv, run


def flatness_letter(key: str) -> str:
    """A, B or C for layer ``key``, from the gains Keras gives for each single weight.

    The gains are linear in the weights: column j of G holds the s * s phase
    gains when weight j is 1 and the others 0. A: G's rows are equal (every
    weight reaches every phase alike); B: some weights give gains all equal to 1
    (G w = 1 has a solution); C: no weights give equal gains other than 0.
    """
    kind, size, stride = LAYERS[key]
    conv, run = _layer(kind, size, stride)
    shape = tuple(conv.kernel.shape)
    side, start = 2 * size + 6, stride * (size + 2)
    ones = np.ones((1, side, side, 1), "float32")
    columns = []
    for index in range(int(np.prod(shape))):
        weights = np.zeros(int(np.prod(shape)), "float32")
        weights[index] = 1.0
        conv.set_weights([weights.reshape(shape)])
        out = keras_module().ops.convert_to_numpy(run(ones))[0, :, :, 0]
        columns.append(out[start : start + stride, start : start + stride].ravel())
    gains = np.array(columns).T
    if np.abs(gains - gains[0]).max() < 1e-6:
        return "A"
    solution, *_ = np.linalg.lstsq(gains, np.ones(len(gains)), rcond=None)
    return "B" if np.abs(gains @ solution - 1).max() < 1e-6 else "C"
