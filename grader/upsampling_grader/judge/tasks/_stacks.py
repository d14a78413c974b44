"""Predicted shapes of a stack of Keras layers, judged layer by layer against Keras.

A stack is a list of plain layer specs (name, positional arguments, keyword
arguments), built here as Keras layers. Each layer is judged from the shape
the student predicted before it, so that a slip costs one layer, not every
layer after it; a wrong layer is compared with the shapes that known
mistakes give, and the message names the one it matches.
"""

from __future__ import annotations

from upsampling_course.keras_setup import keras_module
from upsampling_grader.judge.answers import Wrong, exact_int
from upsampling_grader.judge.verdicts import Verdict, failed, share


def _layer(spec):
    name, args, kwargs = spec
    return getattr(keras_module().layers, name)(*args, **kwargs)


def output_shape(spec, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The layer's output shape (no batch axis) for an input of ``shape``, from Keras."""
    out = _layer(spec).compute_output_shape((1, *shape))
    result = tuple(int(v) for v in out[1:])
    if any(v < 1 for v in result):
        raise ValueError(f"no output for {shape}")
    return result


def _shape_mistakes(spec, shape: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    """What the known mistakes predict for one layer on ``shape``."""
    name, args, kwargs = spec
    if name not in ("Conv2D", "MaxPooling2D", "UpSampling2D") or len(shape) != 3:
        return []
    h, w, c = shape
    if name == "UpSampling2D":  # the questions' UpSampling2D layers all use the default size 2
        return [("the channels scaled too", (2 * h, 2 * w, 2 * c))]
    if name == "MaxPooling2D":
        p = args[0]
        return [("pooling rounding up", (-(-h // p), -(-w // p), c))]
    filters, k = args
    s = kwargs.get("strides", 1)
    if kwargs.get("padding") == "same":
        return [
            ("'same' rounding down", (h // s, w // s, filters)),
            ("'same' read as the same size", (h, w, filters)),
            ("the input's channels kept", (-(-h // s), -(-w // s), c)),
        ]
    return [
        ("'valid' treated as 'same'", (-(-h // s), -(-w // s), filters)),
        ("the stride forgotten", (h - k + 1, w - k + 1, filters)),
        ("the input's channels kept", ((h - k) // s + 1, (w - k) // s + 1, c)),
    ]


def _described(spec) -> str:
    name, args, kwargs = spec
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def judge_stack(value: object, what: str, input_shape, layers) -> Verdict:
    """Equal shares per layer; a layer is right when it follows Keras from the student's own
    previous shape (or from the true one, where that one cannot be built on)."""
    if type(value) not in (list, tuple) or len(value) != len(layers):
        return failed(f"{what} must be a list of {len(layers)} shapes, one per layer")
    checks, before, truth = [], input_shape, input_shape
    for position, (spec, shape) in enumerate(zip(layers, value, strict=True), start=1):
        truth = output_shape(spec, truth)
        try:
            want = output_shape(spec, before)
        except Exception:  # the student's previous shape cannot go through this layer
            want = truth
        label = f"layer {position}, {_described(spec)}"
        try:
            if type(shape) not in (tuple, list):
                raise Wrong(f"{label}: give the shape as a tuple of ints, not {shape!r}")
            got = tuple(exact_int(v, f"{label}: each size") for v in shape)
        except Wrong as why:
            checks.append((False, str(why)))
            before = truth
            continue
        if got == want:
            checks.append((True, ""))
        else:
            named = [says for says, wrong in _shape_mistakes(spec, before) if wrong == got]
            why = f"this is {named[0]}" if named else "it matches none of the mistakes known"
            checks.append(
                (False, f"{label}: from {before} you predicted {got}, Keras gives {want}: {why}")
            )
        before = got
    return share(checks, ok=f"every layer of {what} is right")
