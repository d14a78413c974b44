"""The graded lab's checks of a student's generator and training steps, by their properties.

The lab (solutions/mnist_generator_lab) grades a training step by what it
does, not by comparing it with the course's own step, so that every correct
update order gets full marks (both networks updated from one forward pass,
or the discriminator first and then the generator, or the other way round;
the same or fresh latent vectors for the generator's update) while each
mistake fails its own check:

- `check_training_mode`: both networks are called with `training=True`
  (the discriminator here has batch normalization and dropout, so
  `training=False` changes what it computes);
- `check_losses`: with optimizers whose learning rate is 0, the returned
  losses equal the loss definitions (label smoothing included);
- `check_generator_update` / `check_discriminator_update`: after one small
  SGD step each network's own loss, measured against a frozen copy of the
  other network, went down (a skipped update or a wrong sign goes up or
  stays put);
- `check_tanh_output`, `check_generator_layers`: the generator's
  specification.

Expected values are computed inside these functions from the loss
definitions, never stored where an answer could read them. Used by the
lab's visible and hidden tests; tested through tests/assignments/wrong_answers/mnist_generator_lab.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from upsampling_course import grading_checks as checks

LATENT_DIM = 64
BATCH = 64
#: The logits' offset of the test discriminator: with logits near 0 every
#: binary cross-entropy target gives log 2, which would hide label smoothing.
LOGIT_OFFSET = {"bce": 1.0, "hinge": 0.5}


def _keras():
    from upsampling_course.gan.networks import keras_module

    return keras_module()


def _recording(model):
    """`model` wrapped so that the `training` flag of every call is recorded."""
    keras = _keras()

    class Recording(keras.Model):
        def __init__(self, inner):
            super().__init__(name=f"recorded_{inner.name}")
            self.inner = inner
            self.training_flags: list = []

        def call(self, inputs, training=None):
            self.training_flags.append(training)
            return self.inner(inputs, training=training)

    return Recording(model)


def test_discriminator(kind: str = "bce", batch_norm: bool = False, dropout: float = 0.0, seed=0):
    """A small discriminator whose logits start near LOGIT_OFFSET[kind]."""
    from upsampling_course.gan import build_discriminator, make_reproducible

    make_reproducible(seed)
    discriminator = build_discriminator(
        width=16, dense_units=32, batch_norm=batch_norm, dropout=dropout
    )
    bias = discriminator.layers[-1].bias
    bias.assign(np.full(bias.shape, LOGIT_OFFSET[kind], dtype="float32"))
    return discriminator


def test_generator():
    """The generator the step checks train: the course's, small, so a wrong generator answer
    cannot change how a training step is graded."""
    from upsampling_course.gan import build_generator

    return build_generator(LATENT_DIM, width=8)


def _copy(discriminator, kind: str, batch_norm: bool):
    twin = test_discriminator(kind, batch_norm=batch_norm)
    twin.set_weights(discriminator.get_weights())
    return twin


def loss_definitions(kind: str) -> tuple[Callable, Callable]:
    """(discriminator_loss(real_logits, fake_logits), generator_loss(fake_logits)) as numpy."""

    def softplus(x):
        return np.logaddexp(0.0, x)

    def bce(target, logits):  # binary cross-entropy from logits, averaged over the batch
        return float(np.mean(softplus(logits) - target * logits))

    if kind == "bce":
        return (
            lambda real, fake, smoothing=0.1: bce(1.0 - smoothing, real) + bce(0.0, fake),
            lambda fake: bce(1.0, fake),
        )
    if kind == "hinge":
        return (
            lambda real, fake, smoothing=None: float(
                np.mean(np.maximum(0.0, 1.0 - real)) + np.mean(np.maximum(0.0, 1.0 + fake))
            ),
            lambda fake: float(-np.mean(fake)),
        )
    raise ValueError(f"kind must be 'bce' or 'hinge', got {kind!r}")


@dataclass
class StepRun:
    generator: object
    discriminator: object
    losses: tuple[float, float]
    real: np.ndarray
    latents: np.ndarray


def _batch(images: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    real = images[rng.choice(len(images), BATCH, replace=False)].astype("float32")
    latents = rng.standard_normal((BATCH, LATENT_DIM)).astype("float32")
    return real, latents


def _as_losses(returned: object, what: str) -> tuple[float, float]:
    keras = _keras()
    if type(returned) not in (tuple, list) or len(returned) != 2:
        raise checks.GradingError(f"{what} must return (generator_loss, discriminator_loss)")
    values = []
    for name, loss in zip(("generator_loss", "discriminator_loss"), returned, strict=True):
        array = np.asarray(keras.ops.convert_to_numpy(loss))
        array = checks.assert_finite_array(array, name)
        if array.size != 1:
            raise checks.GradingError(
                f"{name} must be one number (the batch mean), got shape {array.shape}"
            )
        values.append(float(array.reshape(())))
    return values[0], values[1]


def run_step(
    make_step: Callable,
    images: np.ndarray,
    kind: str,
    discriminator,
    learning_rate: float,
    seed: int = 0,
    what: str = "train_step",
    build_generator: Callable = test_generator,
) -> StepRun:
    """One call of the step that `make_step` makes, with SGD optimizers at `learning_rate`."""
    from upsampling_course.gan import make_reproducible

    keras = _keras()
    make_reproducible(seed)
    generator = build_generator()
    optimizers = keras.optimizers.SGD(learning_rate), keras.optimizers.SGD(learning_rate)
    extra = (0.1,) if kind == "bce" else ()
    step = make_step(generator, discriminator, *optimizers, *extra)
    real, latents = _batch(images, seed)
    losses = _as_losses(step(real, latents), what)
    return StepRun(generator, discriminator, losses, real, latents)


def check_training_mode(make_step, images, kind="bce", what="train_step") -> None:
    """Fail unless the step calls both networks, each with training=True."""
    from upsampling_course.gan import make_reproducible

    make_reproducible(0)
    discriminator = _recording(test_discriminator(kind, batch_norm=True, dropout=0.3))
    recorded = {}

    def build_recorded():
        recorded["generator"] = _recording(test_generator())
        return recorded["generator"]

    run_step(
        make_step, images, kind, discriminator, 1e-3, what=what, build_generator=build_recorded
    )
    for name, model in (("generator", recorded["generator"]), ("discriminator", discriminator)):
        flags = model.training_flags
        if not flags:
            raise checks.GradingError(f"{what} never calls the {name}")
        if any(flag is not True for flag in flags):
            raise checks.GradingError(
                f"{what} calls the {name} with training={[f for f in flags if f is not True][0]}: "
                "call both networks with training=True, or batch normalization and dropout "
                "behave as at inference time while the networks learn"
            )


def check_losses(make_step, images, kind="bce", what="train_step", rtol=0.01) -> None:
    """Fail unless the returned losses match the definitions (learning rate 0: nothing moves)."""
    discriminator = test_discriminator(kind)
    run = run_step(make_step, images, kind, discriminator, 0.0, what=what)
    fakes = run.generator(run.latents, training=True)
    real_logits = np.asarray(discriminator(run.real, training=True)).ravel()
    fake_logits = np.asarray(discriminator(fakes, training=True)).ravel()
    d_loss, g_loss = loss_definitions(kind)
    expected = {
        "generator_loss": g_loss(fake_logits),
        "discriminator_loss": d_loss(real_logits, fake_logits),
    }
    for (name, want), got in zip(expected.items(), run.losses, strict=True):
        if not abs(got - want) <= rtol * abs(want) + 1e-4:
            raise checks.GradingError(
                f"{what} returned {name} = {got:.4f} on a test batch where the definition gives "
                f"a different value: check its targets"
                + (
                    " and the label smoothing"
                    if kind == "bce" and name == "discriminator_loss"
                    else ""
                )
                + " and that it is averaged over the batch"
            )


_UPDATED: dict = {}


def _updated(make_step, images, kind, what, seed=3, learning_rate=0.02):
    """One small SGD step, run once per step function and shared by the two update checks."""
    key = (id(make_step), kind)
    if key not in _UPDATED:
        _UPDATED.clear()  # keep one: the objects stay referenced, so their ids stay unique
        _UPDATED[key] = (
            make_step,
            *_one_update(make_step, images, kind, what, seed, learning_rate),
        )
    return _UPDATED[key][1:]


def _one_update(make_step, images, kind, what, seed, learning_rate):
    discriminator = test_discriminator(kind, seed=seed)
    frozen = _copy(discriminator, kind, batch_norm=False)
    from upsampling_course.gan import make_reproducible

    make_reproducible(seed)
    generator_before = test_generator()
    real, latents = _batch(images, seed)
    fakes_before = np.asarray(generator_before(latents, training=True))
    run = run_step(make_step, images, kind, discriminator, learning_rate, seed, what)
    return run, frozen, fakes_before


def check_generator_update(make_step, images, kind="bce", what="train_step") -> None:
    """Fail unless one step lowered the generator's loss against the discriminator it started from."""
    run, frozen, fakes_before = _updated(make_step, images, kind, what)
    _, g_loss = loss_definitions(kind)
    before = g_loss(np.asarray(frozen(fakes_before, training=True)).ravel())
    fakes_after = run.generator(run.latents, training=True)
    after = g_loss(np.asarray(frozen(fakes_after, training=True)).ravel())
    if not after < before - 1e-4 * abs(before):
        raise checks.GradingError(
            f"after one step of {what} the generator's loss did not go down ({before:.4f} -> "
            f"{after:.4f}): check that the generator's gradients are taken of the generator's "
            "loss, with respect to the generator's variables, and applied by its optimizer"
        )


def check_discriminator_update(make_step, images, kind="bce", what="train_step") -> None:
    """Fail unless one step lowered the discriminator's loss on the fakes it started from."""
    run, frozen, fakes_before = _updated(make_step, images, kind, what)
    d_loss, _ = loss_definitions(kind)

    def loss(network):
        real = np.asarray(network(run.real, training=True)).ravel()
        return d_loss(real, np.asarray(network(fakes_before, training=True)).ravel())

    before, after = loss(frozen), loss(run.discriminator)
    if not after < before - 1e-4 * abs(before):
        raise checks.GradingError(
            f"after one step of {what} the discriminator's loss did not go down ({before:.4f} -> "
            f"{after:.4f}): check that its gradients are taken of the discriminator's loss, "
            "with respect to the discriminator's variables, and applied by its optimizer"
        )


def generator_output(
    build_generator, latent_dim: int, latents: np.ndarray, what: str
) -> np.ndarray:
    """The generator's images for `latents`, checked: a finite float array of N x 28 x 28 x 1."""
    keras = _keras()
    model = build_generator(latent_dim)
    if not isinstance(model, keras.Model):
        raise checks.GradingError(f"{what} must return a Keras model, got {type(model).__name__}")
    images = np.asarray(keras.ops.convert_to_numpy(model(latents, training=False)))
    return checks.assert_finite_array(
        images, f"the images of {what}", shape=(len(latents), 28, 28, 1), dtype="float"
    )


def check_tanh_output(build_generator, what="build_generator") -> None:
    """Fail unless pixels stay in [-1, 1] and reach both ends for large latents (tanh-shaped)."""
    rng = np.random.default_rng(5)
    huge = (rng.standard_normal((16, LATENT_DIM)) * 1000).astype("float32")
    images = generator_output(build_generator, LATENT_DIM, huge, what)
    if images.min() < -1 or images.max() > 1:
        raise checks.GradingError(
            f"{what}: for large latent values pixels leave [-1, 1]: end with tanh"
        )
    if images.min() > -0.9 or images.max() < 0.9:
        raise checks.GradingError(
            f"{what}: for large latent values the pixels only span [{images.min():.2f}, "
            f"{images.max():.2f}]; real digits span [-1, 1]: end with tanh, not sigmoid or ReLU"
        )


def all_layers(model) -> list:
    found = []
    for layer in model.layers:
        found.append(layer)
        if hasattr(layer, "layers"):
            found.extend(all_layers(layer))
    return found


def check_generator_layers(
    build_generator, grower: str, what="build_generator", budget=400_000
) -> None:
    """The layer rules: >= 2 stride-2 steps of `grower` ("transpose" or "resize"), kernels, budget."""
    model = build_generator(LATENT_DIM)
    names = [type(layer).__name__ for layer in all_layers(model)]
    transposed = [layer for layer in all_layers(model) if type(layer).__name__ == "Conv2DTranspose"]
    if grower == "transpose":
        if "UpSampling2D" in names:
            raise checks.GradingError(
                f"{what}: the specification asks for Conv2DTranspose, not UpSampling2D"
            )
        if sum(tuple(layer.strides) == (2, 2) for layer in transposed) < 2:
            raise checks.GradingError(
                f"{what}: use at least two Conv2DTranspose layers with stride 2"
            )
        for layer in transposed:
            for kernel, stride in zip(layer.kernel_size, layer.strides, strict=True):
                if int(kernel) % int(stride):
                    raise checks.GradingError(
                        f"{what}: {layer.name} has kernel {tuple(layer.kernel_size)}, not a multiple "
                        f"of its stride {tuple(layer.strides)}: that overlaps unevenly (checkerboards)"
                    )
    else:
        if transposed:
            raise checks.GradingError(
                f"{what}: grow the image with UpSampling2D + Conv2D, no Conv2DTranspose"
            )
        upsampling = [
            layer for layer in all_layers(model) if type(layer).__name__ == "UpSampling2D"
        ]
        if sum(tuple(layer.size) == (2, 2) for layer in upsampling) < 2:
            raise checks.GradingError(f"{what}: use at least two UpSampling2D(2) layers")
        strided = [
            layer
            for layer in all_layers(model)
            if type(layer).__name__ == "Conv2D" and tuple(layer.strides) != (1, 1)
        ]
        if strided:
            raise checks.GradingError(
                f"{what}: {strided[0].name} is strided; every Conv2D here has stride 1"
            )
    count = int(model.count_params())
    if count > budget:
        raise checks.GradingError(f"{what}: {count:,} parameters, the budget is {budget:,}")
