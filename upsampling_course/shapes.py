"""Reference formulas for the spatial size of a layer's output.

Used by the chapters *Why a generator has to upsample* and *Shape puzzles*
(``conv_transpose_output_length``) and by the tests that
check these formulas against real Keras layers. Each function works on one
spatial axis: Keras applies the same rule to height and width separately.
"""

from __future__ import annotations

from upsampling_course.checks import non_negative_int, positive_int

PADDINGS = ("valid", "same")


def _check_common(size: int, kernel_size: int, stride: int, padding: str) -> None:
    for name, value in (("size", size), ("kernel_size", kernel_size), ("stride", stride)):
        positive_int(name, value)
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
    positive_int("dilation", dilation)
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
    return positive_int("size", size) * positive_int("factor", factor)


def conv_transpose_output_length(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: str = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> int:
    """Output length of ``Conv2DTranspose`` along one axis, exactly as Keras computes it.

    Used by the chapter *Shape puzzles* and the ``shape_formulas`` assignment.
    Every case is one general formula, the length of the scatter minus what
    padding trims plus what ``output_padding`` adds back::

        out = (size - 1) * stride + k_eff - 2 * p + a

    with the dilated kernel ``k_eff = (kernel_size - 1) * dilation + 1``, a
    trim ``p`` per side and an extra ``a``. These are lengths: with
    ``"same"``, which rows are kept is TensorFlow's choice, and
    ``output_padding`` can move that window (*Padding and output_padding*).
    Keras fills in ``p`` and ``a`` as follows.

    - ``padding="valid"``: ``p = 0``; ``a = output_padding``, or when it is
      ``None``, ``a = max(stride - k_eff, 0)``, so that kernels smaller than
      the stride still give ``size * stride``. Hence
      ``out = (size - 1) * stride + max(k_eff, stride)`` by default.
    - ``padding="same"``: when ``output_padding`` is ``None`` the output is
      simply ``size * stride`` (the inverse of a 'same' convolution's
      ``ceil(n / stride)``); otherwise ``p = k_eff // 2`` and
      ``a = output_padding``, i.e. ``out = (size - 1) * stride + k_eff % 2 + a``.

    ``output_padding`` must be smaller than ``stride``, and Keras refuses
    ``stride > 1`` together with ``dilation > 1``; both raise ``ValueError``
    with the fragment of Keras's own message.

    One family is a length Keras computes but TensorFlow cannot produce:
    ``padding="same"``, ``output_padding=0``, an even ``k_eff`` and
    ``size > 1`` give ``(size - 1) * stride``, which a 'same' convolution maps
    back to ``size - 1`` rather than ``size``; calling such a layer fails.

    >>> conv_transpose_output_length(2, 1, stride=2)
    4
    >>> conv_transpose_output_length(2, 3, stride=2)
    5
    >>> conv_transpose_output_length(7, 5, stride=2, padding="same")
    14
    >>> conv_transpose_output_length(7, 3, stride=2, padding="same", output_padding=0)
    13
    """
    _check_common(size, kernel_size, stride, padding)
    positive_int("dilation", dilation)
    if output_padding is not None:
        non_negative_int("output_padding", output_padding)
    if output_padding is not None and output_padding >= stride:
        raise ValueError(
            "`output_padding` must be strictly less than `strides`: "
            f"got output_padding={output_padding} with strides={stride}"
        )
    if stride > 1 and dilation > 1:
        raise ValueError(
            "`strides > 1` not supported in conjunction with `dilation_rate > 1`: "
            f"got strides={stride} and dilation_rate={dilation}"
        )
    effective_kernel = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        extra = max(stride - effective_kernel, 0) if output_padding is None else output_padding
        return (size - 1) * stride + effective_kernel + extra
    if output_padding is None:
        return size * stride
    trim = effective_kernel // 2
    return (size - 1) * stride + effective_kernel - 2 * trim + output_padding
