"""The judge of conv2d_transpose_numpy: Conv2DTranspose by scatter-add, its weights and gradients.

Every expected array comes from Keras's ``Conv2DTranspose`` (and
``tf.GradientTape`` through it) on layers drawn here for each grading run;
the hand-set weights are loaded into the judge's own Keras layer. The known
wrong versions that the feedback names are in
:mod:`.conv2d_transpose_numpy_mistakes`.
"""

from __future__ import annotations

import numpy as np

from upsampling_grader.judge.answers import Wrong, int_tuple, value_of
from upsampling_grader.judge.named_mistakes import Mistake, judge, read_all, read_array
from upsampling_grader.judge.registry import Case, Tasks
from upsampling_grader.judge.tasks.conv2d_transpose_numpy_mistakes import (
    CONV2D_LAYOUT,
    forward_mistakes,
    input_gradient_mistakes,
    kernel_gradient_mistakes,
)
from upsampling_grader.judge.tasks.conv2d_transpose_numpy_truths import (
    Layer,
    checked_kernel_shapes,
    draw_layer,
    keras_forward,
    layer_of,
    tape_gradients,
    transpose_kernel_shape,
)
from upsampling_grader.judge.verdicts import Verdict, failed, passed

NOTEBOOK = "conv2d_transpose_numpy"
KERNEL_MODULES = ("assignments/__init__", "assignments/conv2d_transpose_numpy")
TASKS = Tasks()


def _describe(layer: Layer) -> str:
    return (
        f"an input of shape {layer.images.shape}, kernel {layer.kernel.shape}, "
        f"strides {layer.strides}"
    )


# --- 1: the forward pass -------------------------------------------------------------


@TASKS(
    "test_forward",
    kind="shown",
    asks="Conv2DTranspose's forward pass by scatter-add (valid padding), against Keras",
)
def forward(ask, case: Case) -> Verdict:
    rng = case.rng("forward")
    layers = [draw_layer(rng) for _ in range(20)]
    # A kernel smaller than the stride, and one that overlaps: the two cases students miss.
    layers += [
        layer_of(rng, (1, 2, 3, 2), (1, 2, 3, 2), (3, 3)),
        layer_of(rng, (2, 3, 2, 1), (3, 3, 1, 1), (2, 2)),
    ]
    cases = [(c.images, c.kernel, c.bias, c.strides) for c in layers]
    expected = [keras_forward(*c) for c in cases]

    def describe(layer):
        return f"conv_transpose_forward on {_describe(layer)}"

    got = read_all(ask.calls("conv_transpose_forward", cases), layers, describe)
    return judge(
        got,
        layers,
        expected,
        forward_mistakes(),
        describe,
        ok=f"conv_transpose_forward agrees with Keras on {len(layers)} layers",
    )


# --- 2: the kernel's shape -----------------------------------------------------------


@TASKS(
    "test_kernel_shape",
    kind="shown",
    asks="the kernel shape of a Conv2DTranspose, for layers too large to build",
)
def kernel_shape(ask, case: Case) -> Verdict:
    rng = case.rng("kernel_shape")
    checked_kernel_shapes(rng)
    cases = [(32, 16, (4, 2)), (1, 3, (5, 5))]
    cases += [
        (int(rng.integers(1000, 90_000)), int(rng.integers(1000, 90_000)), (3, 5))
        for _ in range(10)
    ]
    for args, answer in zip(cases, ask.calls("transpose_kernel_shape", cases), strict=True):
        what = f"transpose_kernel_shape{args}"
        want = transpose_kernel_shape(*args)
        try:
            got = int_tuple(value_of(answer, what), what, 4)
        except Wrong as why:
            return failed(str(why))
        if got == want:
            continue
        if got == (*want[:2], want[3], want[2]):
            return failed(f"{what} returned {got}: this is {CONV2D_LAYOUT[0]}. {CONV2D_LAYOUT[1]}")
        return failed(f"{what} returned {got}, Keras builds {want}")
    return passed(f"the right shape for {len(cases)} layers, most far too large to build")


# --- 3 and 4: weights set by hand --------------------------------------------------------


def _weights(ask, names: tuple[str, str], shapes) -> tuple[np.ndarray, np.ndarray]:
    answers = ask.values(names)
    kernel, bias = (read_array(answers[n], n).astype("float32") for n in names)
    for name, array, shape in zip(names, (kernel, bias), shapes, strict=True):
        if array.shape != shape:
            layout = ""
            if name.endswith("kernel") and array.shape == (*shape[:2], shape[3], shape[2]):
                layout = f": this is {CONV2D_LAYOUT[0]}. {CONV2D_LAYOUT[1]}"
            raise Wrong(f"{name} has shape {array.shape}, this layer's is {shape}{layout}")
    return kernel, bias


def _layer_outputs(kernel, bias, strides, inputs) -> list[np.ndarray]:
    return [keras_forward(x, kernel, bias, strides) for x in inputs]


def _spread(x: np.ndarray, factor: int) -> np.ndarray:
    """Each pixel at (i * factor, j * factor), zeros between (a 1 x 1 kernel of one, stride factor)."""
    n, h, w, c = x.shape
    out = np.zeros((n, h * factor, w * factor, c))
    out[:, ::factor, ::factor] = x
    return out


@TASKS(
    "test_upsample_weights",
    kind="shown",
    asks="weights that make Conv2DTranspose an UpSampling2D plus your upsample_offset",
)
def upsample_weights(ask, case: Case) -> Verdict:
    factor, plus = case.variant["upsample_factor"], case.variant["upsample_offset"]
    shapes = ((factor, factor, 1, 1), (1,))
    try:
        kernel, bias = _weights(ask, ("upsample_kernel", "upsample_bias"), shapes)
    except Wrong as why:
        return failed(str(why))
    rng = case.rng("upsample_weights")
    inputs = [rng.normal(size=(1, *rng.integers(1, 5, 2), 1)).astype("float32") for _ in range(4)]
    inputs.insert(0, np.array([[1.0, 2.0], [3.0, 4.0]], "float32").reshape(1, 2, 2, 1))
    strides = (factor, factor)
    expected = [np.repeat(np.repeat(x, factor, 1), factor, 2) + plus for x in inputs]
    top_left = np.zeros(shapes[0], "float32")
    top_left[0, 0] = 1
    mistakes = [
        Mistake(
            "only the kernel's top-left weight set, as in the chapter's 1 x 1 example",
            "Each input pixel must fill its whole block: every weight of the kernel is 1.",
            lambda x: keras_forward(x, top_left, np.float32([plus]), strides),
        ),
        Mistake(
            "the upsampling without your upsample_offset",
            "The bias is added to every output pixel: set it to your upsample_offset.",
            lambda x: keras_forward(
                x, np.ones(shapes[0], "float32"), np.zeros(1, "float32"), strides
            ),
        ),
    ]
    return judge(
        _layer_outputs(kernel, bias, strides, inputs),
        inputs,
        expected,
        mistakes,
        lambda x: f"the layer with your weights on an input of shape {x.shape}",
        truth="UpSampling2D plus your upsample_offset",
        ok=f"the layer is UpSampling2D({factor}) plus {plus} on {len(inputs)} inputs",
    )


@TASKS(
    "test_two_filter_weights",
    kind="shown",
    asks="weights for a two-filter Conv2DTranspose: the spread input, and it times second_scale",
)
def two_filter_weights(ask, case: Case) -> Verdict:
    scale = case.variant["second_scale"]
    try:
        kernel, bias = _weights(ask, ("two_filter_kernel", "two_filter_bias"), ((1, 1, 2, 1), (2,)))
    except Wrong as why:
        return failed(str(why))
    rng = case.rng("two_filter_weights")
    inputs = [rng.normal(size=(1, *rng.integers(1, 5, 2), 1)).astype("float32") for _ in range(4)]

    def wanted(first: float, second: float):
        return lambda x: np.concatenate([first * _spread(x, 2), second * _spread(x, 2)], axis=-1)

    mistakes = [
        Mistake(
            "the two filters in the other order",
            "Filter 0 (the first output channel) copies the input; filter 1 multiplies it by "
            "your second_scale: kernel[:, :, f, 0] is filter f's weight.",
            wanted(scale, 1.0),
        ),
    ]
    return judge(
        _layer_outputs(kernel, bias, (2, 2), inputs),
        inputs,
        [wanted(1.0, scale)(x) for x in inputs],
        mistakes,
        lambda x: f"the layer with your weights on an input of shape {x.shape}",
        truth="the requested output",
        ok=f"channel 0 spreads the input and channel 1 scales it by {scale}",
    )


# --- 5 and 6: the gradients --------------------------------------------------------------


def _gradient_task(ask, case: Case, task: str, which: str, draw: dict) -> Verdict:
    rng = case.rng(task)
    layers = [draw_layer(rng, **draw) for _ in range(14)]
    truths = [tape_gradients(layer) for layer in layers]
    if which == "input":
        name, mistakes, index = "conv_transpose_input_gradient", input_gradient_mistakes(), 0
        cases = [(c.upstream, c.kernel, c.strides, c.input_size) for c in layers]
    else:
        name, mistakes, index = "conv_transpose_kernel_gradient", kernel_gradient_mistakes(), 1
        cases = [(c.images, c.upstream, c.kernel_size, c.strides) for c in layers]

    def describe(layer):
        return f"{name} for {_describe(layer)}"

    got = read_all(ask.calls(name, cases), layers, describe)
    return judge(
        got,
        layers,
        [t[index] for t in truths],
        mistakes,
        describe,
        truth="tf.GradientTape",
        ok=f"{name} agrees with tf.GradientTape on {len(layers)} layers",
    )


ONE_CHANNEL = {"batch": (1, 2), "channels": (1, 2), "filters": (1, 2)}


@TASKS(
    "test_input_gradient_single",
    kind="transfer",
    asks="the input gradient of Conv2DTranspose, one image, one channel, one filter",
)
def input_gradient_single(ask, case: Case) -> Verdict:
    return _gradient_task(ask, case, "input_gradient_single", "input", ONE_CHANNEL)


@TASKS(
    "test_input_gradient_channels",
    kind="transfer",
    asks="the input gradient with several input channels and filters",
)
def input_gradient_channels(ask, case: Case) -> Verdict:
    draw = {"batch": (1, 3), "channels": (2, 5), "filters": (2, 5)}
    return _gradient_task(ask, case, "input_gradient_channels", "input", draw)


@TASKS(
    "test_kernel_gradient_single",
    kind="transfer",
    asks="the kernel gradient of Conv2DTranspose for one image",
)
def kernel_gradient_single(ask, case: Case) -> Verdict:
    draw = {"batch": (1, 2), "channels": (1, 4), "filters": (1, 4)}
    return _gradient_task(ask, case, "kernel_gradient_single", "kernel", draw)


@TASKS(
    "test_kernel_gradient_batch",
    kind="transfer",
    asks="the kernel gradient summed over a batch of images",
)
def kernel_gradient_batch(ask, case: Case) -> Verdict:
    draw = {"batch": (2, 4), "channels": (1, 4), "filters": (1, 4)}
    return _gradient_task(ask, case, "kernel_gradient_batch", "kernel", draw)
