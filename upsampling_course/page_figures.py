"""Small helpers that keep the chapters' code cells short.

- `input_reach`: book/conv2d_transpose_padding.md (which input positions reach
  each output pixel of a 10 x 10 generator's last layer);
- `formula_2_sizes`, `highlight_disagreement`: book/shape_puzzles.md, puzzle 1
  (the four shape formulas side by side);
- `multiply_adds`: book/shape_puzzles.md, puzzle 10 (the cost of the two
  upsampling blocks, beside their parameter counts).
"""

from __future__ import annotations

import numpy as np


def input_reach(model) -> np.ndarray:
    """For each output pixel of `model`, how many input positions can change it.

    `model` maps a one-channel square map to a one-channel map. Its kernels are
    set to all ones and its biases to zero, so an output pixel is nonzero exactly
    when the one-hot input reaches it; the count over every one-hot input is the
    reach. The model's weights are overwritten.
    """
    height, width, channels = model.input_shape[1:]
    if channels != 1:
        raise ValueError(f"input_reach needs a one-channel input, got {channels} channels")
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(
                [np.ones(w.shape, dtype="float32") for w in layer.get_weights()[:1]]
                + [np.zeros(w.shape, dtype="float32") for w in layer.get_weights()[1:]]
            )
    one_hot = np.eye(height * width, dtype="float32").reshape(-1, height, width, 1)
    responses = np.asarray(model(one_hot))[..., 0]
    return (responses != 0).sum(axis=0)


def formula_2_sizes(size: int, stride: int, kernel: int) -> str:
    """Sizes formula 2 (Dumoulin and Visin) allows with p = 0: one per a in 0..s-1, as text."""
    smallest = stride * (size - 1) + kernel  # a = 0
    largest = smallest + stride - 1  # a = s - 1
    return str(smallest) if smallest == largest else f"{smallest}–{largest}"


def highlight_disagreement(row, reference: str = "Keras", colour: str = "#ffd8a8") -> list[str]:
    """pandas Styler rule: colour every entry of `row` that differs from `row[reference]`."""
    return [f"background-color: {colour}" if str(v) != str(row[reference]) else "" for v in row]


def multiply_adds(layer) -> int:
    """Multiplications one built Conv2D or Conv2DTranspose makes per image (bias excluded).

    A convolution computes every output pixel from a k_h x k_w window of every
    input channel, for every filter. A transposed convolution stamps, for every
    input pixel and filter, a k_h x k_w kernel per input channel: its work
    grows with the (small) input, not the (large) output.
    """
    kind = type(layer).__name__
    if kind == "Conv2D":
        positions = np.prod(layer.output.shape[1:3])
        in_channels = layer.kernel.shape[2]
    elif kind == "Conv2DTranspose":
        positions = np.prod(layer.input.shape[1:3])
        in_channels = layer.kernel.shape[3]
    else:
        raise TypeError(f"multiply_adds counts Conv2D and Conv2DTranspose layers, not {kind}")
    kernel_h, kernel_w = layer.kernel_size
    return int(positions * kernel_h * kernel_w * in_channels * layer.filters)
