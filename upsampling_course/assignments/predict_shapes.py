"""The predict_shapes assignment's variants (``CHOICES``), the stacks it asks about, and its
visible checks.

The stacks are plain data (layer name, positional arguments, keyword
arguments) built from a variant: the notebook prints them as Keras code, the
judge builds them as Keras layers. Nothing here computes a shape.
"""

from __future__ import annotations

CHOICES = {
    # 1: the classifier's input side, first kernel and filters, and pooling window; every
    # side - kernel + 1 here is divisible by neither pooling window, so rounding matters
    "classifier_input": (21, 27, 33, 39, 45),
    "classifier_kernel": (3, 5),
    "classifier_filters": (16, 24),
    "classifier_pool": (2, 3),
    # 4: the generator's latent size, starting map and its one 'valid' kernel
    "generator_latent": (64, 100, 128),
    "generator_side": (3, 4, 5),
    "generator_channels": (128, 256),
    "generator_valid_kernel": (3, 5),
    # 6: a Dense layer applied to a feature map of feature_side x feature_side x feature_channels
    "feature_side": (7, 8, 14),
    "feature_channels": (64, 128, 256),
    "dense_units": (10, 32, 100),
    # 7: (first 'valid' kernel, second 'valid' kernel, target side): a start side exists for each
    "backwards": ((3, 5, 28), (5, 5, 28), (4, 3, 28), (3, 3, 30), (5, 7, 30), (4, 7, 32)),
}

Layer = tuple[str, tuple, dict]


def classifier_stack(variant) -> tuple[tuple[int, ...], list[Layer]]:
    """Question 1's input shape and layers."""
    side = variant["classifier_input"]
    return (side, side, 3), [
        ("Conv2D", (variant["classifier_filters"], variant["classifier_kernel"]), {}),
        ("MaxPooling2D", (variant["classifier_pool"],), {}),
        ("Conv2D", (32, 3), {"strides": 2, "padding": "same"}),
        ("Conv2D", (64, 3), {}),
    ]


def generator_stack(variant) -> tuple[tuple[int, ...], list[Layer]]:
    """Question 4's input shape and layers."""
    side, channels = variant["generator_side"], variant["generator_channels"]
    return (variant["generator_latent"],), [
        ("Dense", (side * side * channels,), {}),
        ("Reshape", ((side, side, channels),), {}),
        ("UpSampling2D", (), {}),
        ("Conv2D", (128, 3), {"padding": "same"}),
        ("UpSampling2D", (), {}),
        ("Conv2D", (64, variant["generator_valid_kernel"]), {}),
        ("UpSampling2D", (), {}),
        ("Conv2D", (1, 3), {"padding": "same"}),
    ]


def backwards_stack(variant, start_side: int | str = "start_side") -> list[Layer]:
    """Question 7's layers after the Dense, for a start side (a name where it is unknown)."""
    first, second, _ = variant["backwards"]
    side = start_side
    return [
        ("Reshape", ((side, side, 128),), {}),
        ("UpSampling2D", (), {}),
        ("Conv2D", (64, first), {}),
        ("UpSampling2D", (), {}),
        ("Conv2D", (1, second), {}),
    ]


def _call(layer: Layer) -> str:
    name, args, kwargs = layer
    text = [str(a) if not isinstance(a, tuple) else _tuple(a) for a in args]
    text += [f'{k}="{v}"' if isinstance(v, str) else f"{k}={v}" for k, v in kwargs.items()]
    return f"layers.{name}({', '.join(text)})"


def _tuple(values: tuple) -> str:
    return "(" + ", ".join(str(v) for v in values) + ("," if len(values) == 1 else "") + ")"


def stack_code(input_shape: tuple | None, layers: list[Layer]) -> str:
    """The stack as the Keras code a student reads (``# padding="valid"`` where it is the default)."""
    lines = ["keras.Sequential(["]
    if input_shape is not None:
        lines.append(f"    keras.Input(shape={_tuple(input_shape)}),")
    for layer in layers:
        call = f"    {_call(layer)},"
        if layer[0] == "Conv2D" and "padding" not in layer[2]:
            call = f'{call:<48}  # padding="valid"'
        lines.append(call)
    lines.append("])")
    return "\n".join(lines)


def show_stack(which: str, variant) -> None:
    """Print question ``which``'s stack ("classifier", "generator" or "backwards") with this
    student's numbers."""
    if which == "backwards":
        print(stack_code(None, backwards_stack(variant)))
        print(f"# target: {variant['backwards'][2]} x {variant['backwards'][2]} x 1")
        return
    stacks = {"classifier": classifier_stack, "generator": generator_stack}
    print(stack_code(*stacks[which](variant)))


# ---------------------------------------------------------------------------
# The visible checks (upsampling_course.selfcheck): public cases and the
# mistakes each test's comment names; the judge tries many more cases.


def _shapes(value, name: str, count: int) -> list[tuple]:
    assert isinstance(value, (list, tuple)) and len(value) == count, (
        f"{name} must be a list of {count} shapes, one per layer (the Input is not a layer)"
    )
    shapes = [tuple(shape) for shape in value]
    assert all(type(v) is int for shape in shapes for v in shape), (
        f"{name}: every size is a Python int"
    )
    return shapes


def _classifier_shapes(ns: dict) -> str:
    shapes, side = (
        _shapes(ns["classifier_shapes"], "classifier_shapes", 4),
        ns["variant"]["classifier_input"],
    )
    assert all(len(shape) == 3 for shape in shapes), (
        "each shape is (height, width, channels), without the batch axis"
    )
    assert shapes[0][0] != side, (
        f"a 'valid' convolution cannot keep all {side} rows: it only places its kernel where "
        "it fits"
    )
    return "the format, and the first layer against 'valid' read as 'same'"


def _conv_output_length(ns: dict) -> str:
    f = ns["conv_output_length"]
    assert type(f(28, 3, 1, "valid")) is int, "return a Python int"
    assert f(27, 3, 2, "valid") != 25, (
        "27 - 3 + 1 ignores the stride: the kernel moves 2 pixels at a time"
    )
    assert f(28, 3, 1, "valid") == 26, "a 3-wide 'valid' kernel on 28 pixels fits 26 times"
    assert f(27, 3, 2, "valid") == 13, "with stride 2: (27 - 3) // 2 + 1 positions"
    return "two public 'valid' cases"


def _conv_output_length_same(ns: dict) -> str:
    f = ns["conv_output_length"]
    assert f(27, 3, 2, "same") != 13, "'same' rounds up, so that every input pixel is covered"
    assert f(28, 3, 2, "same") == 14, "'same' with stride 2 halves an even size"
    assert f(27, 3, 2, "same") == 14, "ceil(27 / 2)"
    return "two public 'same' cases"


def _upsampling_output_shape(ns: dict) -> str:
    f = ns["upsampling_output_shape"]
    assert tuple(f((7, 7, 64), 2)) == (14, 14, 64), "size=2 doubles height and width"
    assert tuple(f((2, 6, 3), (2, 3))) != (4, 12, 3), (
        "size[0] scales the height, size[1] the width: not size[0] for both"
    )
    assert tuple(f((2, 6, 3), (2, 3))) == (4, 18, 3), "rows twice, columns three times"
    return "two public cases"


def _generator_shapes(ns: dict) -> str:
    shapes, variant = _shapes(ns["generator_shapes"], "generator_shapes", 8), ns["variant"]
    side = variant["generator_side"]
    assert len(shapes[0]) == 1, "a Dense layer's output is a 1-tuple such as (10,)"
    assert shapes[-1][:2] != (8 * side, 8 * side), (
        "the 'valid' convolution loses pixels: the generator does not end at 8 * generator_side"
    )
    return "the format, and the 'valid' convolution against 'same'"


def _input_sides_valid(ns: dict) -> str:
    f = ns["input_sides"]
    sides = f(3, 3, 2, "valid")
    assert isinstance(sides, list) and all(type(s) is int for s in sides), (
        "return a list of Python ints"
    )
    assert sides != [7], "7 gives 3, but is it the only side that does? Try 8"
    assert sides == [7, 8], "with kernel 3 and stride 2, both 7 and 8 pixels give 3"
    assert f(5, 2, 1, "valid") == [6], "with stride 1 only one side fits"
    return "two public 'valid' cases"


def _input_sides_same(ns: dict) -> str:
    f = ns["input_sides"]
    assert f(4, 3, 2, "same") != [8], "8 gives 4, but so does another side: 'same' rounds up"
    assert f(4, 3, 2, "same") == [7, 8], "ceil(7 / 2) and ceil(8 / 2) are both 4"
    assert f(4, 5, 1, "same") == [4], "with stride 1, 'same' keeps the size"
    return "two public 'same' cases"


def _dense_parameters(ns: dict) -> str:
    count, v = ns["dense_parameters"], ns["variant"]
    assert type(count) is int and count > 0, "dense_parameters is a positive int"
    side, channels, units = v["feature_side"], v["feature_channels"], v["dense_units"]
    assert count != side * side * channels * units + units, (
        "Keras does not flatten the feature map: a Dense layer acts on the last axis only, "
        "the same weights at every position"
    )
    return "the format, and against a flattened input"


def _start_side(ns: dict) -> str:
    side, target = ns["start_side"], ns["variant"]["backwards"][2]
    assert type(side) is int and side > 0, "start_side is a positive int"
    assert side != target // 4, (
        f"{target} // 4 only undoes the two upsamplings: the two 'valid' convolutions lose pixels"
    )
    return "the format, and against the upsampling alone"


CHECKS = {
    "test_classifier_shapes": _classifier_shapes,
    "test_conv_output_length": _conv_output_length,
    "test_conv_output_length_same": _conv_output_length_same,
    "test_upsampling_output_shape": _upsampling_output_shape,
    "test_generator_shapes": _generator_shapes,
    "test_input_sides_valid": _input_sides_valid,
    "test_input_sides_same": _input_sides_same,
    "test_dense_parameters": _dense_parameters,
    "test_start_side": _start_side,
}
