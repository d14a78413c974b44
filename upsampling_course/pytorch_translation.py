"""Translate a Keras Conv2DTranspose's ``padding``/``output_padding`` into PyTorch's.

Used by the chapter *Conv2DTranspose* (the translation table) and checked by
``tests/unit/test_pytorch_translation.py`` against real Keras. PyTorch is not
needed: its ``ConvTranspose2d`` is described by its documented rule, which
this module implements per spatial axis:

* output length ``(size - 1) * stride - 2 * padding + dilation * (kernel_size - 1)
  + output_padding + 1``, with ``output_padding < max(stride, dilation)``;
* values: the full scatter-add result with ``padding`` positions cut from the
  start (and as many from the end), then ``output_padding`` more kept at the end.

Keras (TensorFlow backend) cuts its ``'same'`` padding unevenly when the total
is odd, the smaller half first. PyTorch's padding is symmetric, so some Keras
settings get the right *size* in PyTorch only with the image shifted by one
pixel, and a few have no PyTorch equivalent in a single layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from upsampling_course.checks import positive_int
from upsampling_course.numpy_layers import crop_to, keras_conv_transpose_crop, scatter_add_full
from upsampling_course.shapes import conv_transpose_output_length


def pytorch_output_length(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """Output length of PyTorch's ``ConvTranspose2d`` along one axis (its documented rule).

    >>> pytorch_output_length(5, 4, stride=2, padding=1)
    10
    """
    for name, value in (
        ("size", size),
        ("kernel_size", kernel_size),
        ("stride", stride),
        ("dilation", dilation),
    ):
        positive_int(name, value)
    if padding < 0 or output_padding < 0:
        raise ValueError(
            f"padding and output_padding must be >= 0, got {padding!r}, {output_padding!r}"
        )
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"PyTorch needs output_padding < max(stride, dilation) = {max(stride, dilation)}, "
            f"got {output_padding}"
        )
    length = (size - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
    if length < 1:
        raise ValueError(f"padding={padding} crops away the whole output (length {length})")
    return length


@dataclass(frozen=True)
class PyTorchSetting:
    """What to pass to ``torch.nn.ConvTranspose2d`` for one Keras setting (one axis).

    ``shift`` is how many pixels PyTorch's output starts later than Keras's:
    0 means the layers compute the same values, not just the same size.
    """

    padding: int
    output_padding: int
    shift: int

    @property
    def same_values(self) -> bool:
        return self.shift == 0


def keras_to_pytorch(
    kernel_size: int, stride: int, padding: str, output_padding: int | None = None
) -> PyTorchSetting | None:
    """PyTorch ``padding``/``output_padding`` giving the output length Keras gives, for any input.

    Prefers the setting that also gives the same values; otherwise the one
    shifted by the fewest pixels. Returns ``None`` when no single PyTorch
    layer matches the length (PyTorch accepts only ``output_padding < max(stride,
    dilation)``, and Keras layers with a stride above 1 have dilation 1, so
    ``output_padding < stride``: at stride 1 an odd crop has no match).
    """
    positive_int("kernel_size", kernel_size)
    positive_int("stride", stride)
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if output_padding is not None and not 0 <= output_padding < stride:
        raise ValueError(f"Keras needs 0 <= output_padding < stride, got {output_padding!r}")
    # Any input size works: the differences below do not depend on it.
    size = 4
    full_length = (size - 1) * stride + kernel_size
    keras_length = conv_transpose_output_length(size, kernel_size, stride, padding, output_padding)
    keras_start = keras_conv_transpose_crop(size, kernel_size, stride, padding, keras_length)
    candidates = []
    for torch_padding in range(kernel_size + 1):
        torch_output_padding = keras_length - full_length + 2 * torch_padding
        if 0 <= torch_output_padding < stride:
            shift = torch_padding - keras_start
            candidates.append(
                (abs(shift), PyTorchSetting(torch_padding, torch_output_padding, shift))
            )
    if not candidates:
        return None
    return min(candidates, key=lambda pair: pair[0])[1]


def pytorch_conv_transpose_forward(
    images: np.ndarray,
    kernel: np.ndarray,
    bias: np.ndarray | None = None,
    strides=(2, 2),
    padding=(0, 0),
    output_padding=(0, 0),
) -> np.ndarray:
    """What PyTorch's ``ConvTranspose2d`` computes, on channels-last NumPy arrays.

    ``kernel`` uses Keras's layout ``(kernel_h, kernel_w, filters, input_channels)``
    so one set of weights can be compared across the two conventions.
    """
    images = np.asarray(images)
    kernel = np.asarray(kernel)
    strides = (strides, strides) if isinstance(strides, int) else tuple(strides)
    padding = (padding, padding) if isinstance(padding, int) else tuple(padding)
    output_padding = (
        (output_padding, output_padding)
        if isinstance(output_padding, int)
        else tuple(output_padding)
    )
    lengths = tuple(
        pytorch_output_length(
            images.shape[1 + axis],
            kernel.shape[axis],
            strides[axis],
            padding[axis],
            output_padding[axis],
        )
        for axis in range(2)
    )
    out = crop_to(scatter_add_full(images, kernel, strides), padding, lengths)
    if bias is not None:
        out = out + np.asarray(bias).reshape(1, 1, 1, -1)
    return out


# The settings the chapter's table lists: (kernel_size, stride, padding, output_padding).
TABLE_SETTINGS = [
    (3, 2, "valid", None),
    (3, 2, "valid", 1),
    (1, 2, "valid", None),
    (2, 2, "same", None),
    (4, 2, "same", None),
    (3, 2, "same", None),
    (3, 2, "same", 1),
    (5, 2, "same", None),
    (5, 3, "same", None),
    (4, 3, "same", None),
    (3, 1, "same", None),
    (2, 1, "same", None),
]


def translation_table(settings=TABLE_SETTINGS):
    """A pandas DataFrame: one row per Keras setting and its PyTorch translation."""
    import pandas as pd

    rows = []
    for kernel_size, stride, padding, output_padding in settings:
        setting = keras_to_pytorch(kernel_size, stride, padding, output_padding)
        rows.append(
            {
                "kernel": kernel_size,
                "stride": stride,
                "Keras padding": padding,
                "Keras output_padding": "None" if output_padding is None else output_padding,
                "PyTorch padding": "—" if setting is None else setting.padding,
                "PyTorch output_padding": "—" if setting is None else setting.output_padding,
                "same values?": (
                    "no single layer"
                    if setting is None
                    else ("yes" if setting.same_values else f"shifted {setting.shift} px")
                ),
            }
        )
    return pd.DataFrame(rows)
