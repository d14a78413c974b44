"""Reference formulas for the spatial size of a layer's output.

Used by the chapter *Why a generator has to upsample* and by the tests that
check these formulas against real Keras layers. Each function works on one
spatial axis: Keras applies the same rule to height and width separately.
"""

from __future__ import annotations

PADDINGS = ("valid", "same")


def _check_common(size: int, kernel_size: int, stride: int, padding: str) -> None:
    for name, value in (("size", size), ("kernel_size", kernel_size), ("stride", stride)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if padding not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")


def conv_output_length(
    size: int, kernel_size: int, stride: int = 1, padding: str = "valid", dilation: int = 1
) -> int:
    """Output length of ``Conv2D`` along one axis, as Keras computes it.

    ``'valid'`` slides the (dilated) kernel only where it fits entirely, so a
    stride-1 convolution loses ``kernel_size - 1`` pixels; ``'same'`` pads so
    that only the stride shrinks the axis, rounding up: ``ceil(size / stride)``.

    >>> conv_output_length(28, 3)
    26
    >>> conv_output_length(28, 3, stride=2, padding="same")
    14
    """
    _check_common(size, kernel_size, stride, padding)
    if not isinstance(dilation, int) or dilation < 1:
        raise ValueError(f"dilation must be a positive integer, got {dilation!r}")
    effective_kernel = (kernel_size - 1) * dilation + 1
    if padding == "same":
        return -(-size // stride)
    if effective_kernel > size:
        raise ValueError(
            f"a 'valid' convolution needs the kernel ({effective_kernel}) to fit in the input ({size})"
        )
    return (size - effective_kernel) // stride + 1


def pool_output_length(
    size: int, pool_size: int = 2, stride: int | None = None, padding: str = "valid"
) -> int:
    """Output length of ``MaxPooling2D``/``AveragePooling2D`` along one axis.

    Pooling follows the same sliding-window rule as a convolution whose kernel
    is the pool window; the stride defaults to the pool size, so a 2x2 pool
    halves an axis and drops a leftover odd row (``floor``).

    >>> pool_output_length(28)
    14
    >>> pool_output_length(7)
    3
    """
    return conv_output_length(size, pool_size, stride or pool_size, padding)


def upsampling_output_length(size: int, factor: int = 2) -> int:
    """Output length of ``UpSampling2D`` along one axis: every row (or column) repeated.

    >>> upsampling_output_length(7, 2)
    14
    """
    for name, value in (("size", size), ("factor", factor)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return size * factor
