"""Hidden-test helpers of the shape_formulas assignment: a student's layer settings, built in Keras.

The assignment asks for `Conv2DTranspose` settings as dictionaries and for a
function that undoes a strided convolution. These helpers check the answer's
types exactly (via upsampling_course.grading_checks), build the layers the
answer describes and ask Keras for the sizes, so the expected values are
computed here, at grading time, and never stored where an answer could read
them. Tested through the assignment's grading (tests/assignments/, with its
wrong and hostile answers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from upsampling_course import grading_checks as checks
from upsampling_course.keras_setup import keras_module

SETTINGS_KEYS = ("kernel_size", "padding", "output_padding")


def transposed_layer(settings: object, name: str, stride: int, filters: int = 1):
    """The `Conv2DTranspose` that a settings dictionary describes, after exact checks."""
    from keras import layers

    checks.assert_exact_type(settings, dict, name)
    if sorted(settings) != sorted(SETTINGS_KEYS):
        raise checks.GradingError(
            f"{name} must have exactly the keys kernel_size, padding and output_padding"
        )
    kernel = checks.exact_int(settings["kernel_size"], f"{name}['kernel_size']")
    padding = settings["padding"]
    checks.assert_exact_type(padding, str, f"{name}['padding']")
    if padding not in ("valid", "same"):
        raise checks.GradingError(f"{name}['padding'] must be 'valid' or 'same'")
    extra = settings["output_padding"]
    if extra is not None:
        extra = checks.exact_int(extra, f"{name}['output_padding']")
        if not 0 <= extra < stride:
            raise checks.GradingError(
                f"{name}['output_padding'] must be None or between 0 and {stride - 1}"
            )
    if not 1 <= kernel <= 9:
        raise checks.GradingError(f"{name}['kernel_size'] must be between 1 and 9")
    return layers.Conv2DTranspose(
        filters, kernel, strides=stride, padding=padding, output_padding=extra
    )


def transposed_side(settings: object, name: str, stride: int, size: int) -> int:
    """The output side of the described layer on a `size` x `size` input."""
    layer = transposed_layer(settings, name, stride)
    return int(layer.compute_output_shape((1, size, size, 1))[1])


def transposed_stack(stack: object, name: str, start=(7, 7, 128), filters=(64, 1)):
    """A Sequential model of stride-2 layers from a list of settings dictionaries."""
    keras = keras_module()
    checks.assert_exact_type(stack, list, name)
    if len(stack) != len(filters):
        raise checks.GradingError(f"{name} must hold {len(filters)} settings dictionaries")
    built = [
        transposed_layer(settings, f"{name}[{position}]", stride=2, filters=count)
        for position, (settings, count) in enumerate(zip(stack, filters, strict=False))
    ]
    return keras.Sequential([keras.Input(start), *built])


def round_trip_padding(size: int, kernel: int, stride: int, padding: str) -> int | None:
    """The output_padding that brings Conv2D's output back to `size`, found by asking Keras."""
    from keras import layers

    shrunk = layers.Conv2D(1, kernel, strides=stride, padding=padding).compute_output_shape(
        (1, size, size, 1)
    )[1]
    for extra in range(stride):
        layer = layers.Conv2DTranspose(
            1, kernel, strides=stride, padding=padding, output_padding=extra
        )
        if layer.compute_output_shape((1, shrunk, shrunk, 1))[1] == size:
            return extra
    return None


def assert_round_trips(
    function: Callable, cases: Iterable[tuple[int, int, int]], padding: str
) -> None:
    """Fail unless `function(size, kernel, stride, padding)` matches Keras on every case."""
    for size, kernel, stride in cases:
        expected = round_trip_padding(size, kernel, stride, padding)
        got = function(size, kernel, stride, padding)
        if got is not None:
            got = checks.exact_int(got, "matching_output_padding(...)")
        if got != expected:
            want = "no output_padding works" if expected is None else "a different value works"
            raise checks.GradingError(
                f"matching_output_padding({size}, {kernel}, {stride}, {padding!r}) returned "
                f"{got}, but {want}: compute the size the Conv2D gives, then what the "
                "transposed layer gives back without output_padding, and compare with "
                f"{size}"
            )
