"""One call of a student's training step on given networks, and the lab's loss definitions.

The graded lab (``solutions/mnist_generator_lab``) scores a training step by
what one call of it does. :func:`probe_step` runs in the student's kernel: it
rebuilds the two networks it is sent (Keras configurations and weights),
hands them to the student's ``make_*`` function with two SGD optimizers,
calls the step once on the batch it is sent, and returns plain data: the two
losses, the ``training`` flags each network was called with, and every
weight afterwards. The grader's judge sends the networks and batch, and
checks what comes back against values it computes itself
(``upsampling_grader.judge.tasks.mnist_generator_lab``); the notebook's
visible checks use the same probe on public networks. Whatever the probe
returns is the student's answer, never a score.

:func:`loss_pair` defines the three games of the lab in NumPy: the judge,
the visible checks and the notebook's text agree on them.
"""

from __future__ import annotations

import numpy as np

GAMES = ("bce", "hinge")
LATENT_DIM = 64
BATCH = 64
# One SGD step this small lowers a loss whose gradient is not zero (first order), even on
# discriminators whose logits were spread wide.
UPDATE_RATE = 0.02


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _bce(target: float, logits: np.ndarray) -> float:
    """Binary cross-entropy from logits, averaged over the batch."""
    return float(np.mean(_softplus(logits) - target * logits))


def loss_pair(game: str, real: np.ndarray, fake: np.ndarray, setting: float):
    """``(generator_loss, discriminator_loss)`` of ``game`` for these logits (NumPy floats).

    ``setting`` is the label smoothing of "bce" and the margin of "hinge".
    """
    real = np.asarray(real, dtype="float64").ravel()
    fake = np.asarray(fake, dtype="float64").ravel()
    if game == "bce":
        return _bce(1.0, fake), _bce(1.0 - setting, real) + _bce(0.0, fake)
    if game == "hinge":
        margin = setting
        discriminator = np.mean(np.maximum(0.0, margin - real)) + np.mean(
            np.maximum(0.0, margin + fake)
        )
        return float(-np.mean(fake)), float(discriminator)
    raise ValueError(f"game must be one of {GAMES}, got {game!r}")


def _keras():
    from upsampling_course.keras_setup import keras_module

    return keras_module()


def recording(model):
    """``model`` wrapped so that the ``training`` flag of every call is recorded."""
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


def rebuilt(config: str, weights: list) -> object:
    """A network from the configuration and weights the judge sent."""
    keras = _keras()
    model = keras.models.model_from_json(config)
    model.set_weights([np.asarray(w, dtype="float32") for w in weights])
    return model


def _flag(value: object) -> object:
    return value if value is None or type(value) is bool else repr(value)[:40]


def _losses(returned: object) -> list | str:
    if type(returned) not in (tuple, list) or len(returned) != 2:
        return "the step must return (generator_loss, discriminator_loss)"
    values = []
    for name, loss in zip(("generator_loss", "discriminator_loss"), returned, strict=True):
        array = np.asarray(_keras().ops.convert_to_numpy(loss), dtype="float64")
        if array.size != 1:
            return f"{name} must be one number (the batch mean), not shape {array.shape}"
        values.append(float(array.reshape(())))
    return values


def _weights(models: dict) -> dict:
    return {
        name: [np.asarray(w, dtype="float32") for w in model.inner.get_weights()]
        for name, model in models.items()
    }


def _called(step, models: dict, real: np.ndarray, latents: np.ndarray) -> dict:
    """One call of the student's step: its losses or its error, and every weight afterwards."""
    report: dict = {"losses": None, "error": None}
    try:
        losses = _losses(step(real, latents))
        if isinstance(losses, str):
            report["error"] = losses
        else:
            report["losses"] = losses
    except Exception as error:  # the student's error is the answer: reported, not raised
        report["error"] = _error_text(error)
    return {**report, **_weights(models)}


def _error_text(error: Exception) -> str:
    return f"{type(error).__name__}: {error}".strip().splitlines()[-1][:500]


def probe_step(
    namespace: dict,
    maker: str,
    networks: dict,
    real: np.ndarray,
    latents: np.ndarray,
    learning_rate: float,
    extra_args: list,
    later: list = (),
) -> dict:
    """One step of ``namespace[maker]`` on the ``networks`` sent (see the module docstring).

    ``networks`` maps "generator" and "discriminator" to ``{"config", "weights"}``.
    The flags are recorded before the step can fail, so that a step that
    crashes after calling the networks still tells how it called them.
    ``later`` asks for more calls of the same step on the same batch, each
    ``{"weights": {network: weights}, "learning_rate"}``: new weights and
    rate, no new trace of a ``tf.function`` (tracing costs more than the
    call); their reports come back in order under "later".
    """
    keras = _keras()
    models = {
        name: recording(rebuilt(spec["config"], spec["weights"])) for name, spec in networks.items()
    }
    optimizers = [keras.optimizers.SGD(learning_rate) for _ in range(2)]
    real, latents = np.asarray(real, "float32"), np.asarray(latents, "float32")
    try:
        step = namespace[maker](
            models["generator"], models["discriminator"], *optimizers, *extra_args
        )
    except Exception as error:  # making the step failed: the student's error is the answer
        step, report = None, {"losses": None, "error": _error_text(error), **_weights(models)}
    if step is not None:
        report = _called(step, models, real, latents)
    report["flags"] = {n: [_flag(f) for f in m.training_flags][:20] for n, m in models.items()}
    report["later"] = []
    for call in later if report["error"] is None else ():
        for name, weights in call["weights"].items():
            models[name].inner.set_weights([np.asarray(w, "float32") for w in weights])
        for optimizer in optimizers:
            optimizer.learning_rate = float(call["learning_rate"])
        report["later"].append(_called(step, models, real, latents))
    return report


def network_spec(model) -> dict:
    """A network as the probe takes it: its configuration and weights."""
    return {"config": model.to_json(), "weights": [np.asarray(w) for w in model.get_weights()]}


def spread_logits(discriminator, images: np.ndarray, offset: float, spread: float | None) -> None:
    """Rescale the last Dense layer so the logits on ``images`` have this mean and spread
    (``spread`` None: only shift them; a wide spread makes one SGD step overshoot).

    Logits spread well past +-1 make every clipping and target of a loss
    count: a hinge without its relu, or a missing label smoothing, changes
    the loss (near 0 they would hide).
    """
    last = discriminator.layers[-1]
    kernel, bias = last.get_weights()
    logits = np.asarray(discriminator(images, training=True)).ravel() - bias[0]
    scale = 1.0 if spread is None else spread / max(float(logits.std()), 1e-6)
    last.set_weights([kernel * scale, np.array([offset - scale * logits.mean()], "float32")])


def public_networks(batch_norm: bool, seed: int = 0) -> tuple[object, object]:
    """Small test networks for the visible checks (the judge draws its own)."""
    from upsampling_course.gan.networks import (
        build_discriminator,
        build_generator,
        make_reproducible,
    )

    make_reproducible(seed)
    generator = build_generator(LATENT_DIM, width=8)
    discriminator = build_discriminator(width=16, dense_units=32, batch_norm=batch_norm)
    return generator, discriminator


def public_batch(images: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    real = images[rng.choice(len(images), BATCH, replace=False)].astype("float32")
    return real, rng.standard_normal((BATCH, LATENT_DIM)).astype("float32")


def logits_of(generator, discriminator, real, latents, generator_training: bool = True):
    """(real logits, fake logits) of the discriminator in training mode, as float64 arrays."""
    fakes = generator(np.asarray(latents, "float32"), training=generator_training)
    real_logits = np.asarray(discriminator(np.asarray(real, "float32"), training=True))
    return real_logits.astype("float64").ravel(), np.asarray(
        discriminator(fakes, training=True)
    ).astype("float64").ravel()


def with_weights(model, weights: list):
    """A copy of ``model`` (same configuration) holding ``weights``."""
    twin = _keras().models.model_from_json(model.to_json())
    twin.set_weights([np.asarray(w, "float32") for w in weights])
    return twin


def update_effect(game, generator, discriminator, report, real, latents, setting) -> dict:
    """Each network's own loss before and after the probed step, the other network frozen.

    The generator's loss is measured against the discriminator it started
    from; the discriminator's on the fakes the starting generator drew. So a
    step gets credit for each update it made in the right direction, whatever
    the order of its updates. Returns ``{name: (before, after, changed)}``.
    """
    after = {
        "generator": with_weights(generator, report["generator"]),
        "discriminator": with_weights(discriminator, report["discriminator"]),
    }
    fakes = generator(np.asarray(latents, "float32"), training=True)
    real_before, fake_before = logits_of(generator, discriminator, real, latents)
    g_before, d_before = loss_pair(game, real_before, fake_before, setting)
    _, fake_after_g = logits_of(after["generator"], discriminator, real, latents)
    g_after = loss_pair(game, real_before, fake_after_g, setting)[0]
    new_d = after["discriminator"]
    real_after = np.asarray(new_d(np.asarray(real, "float32"), training=True)).ravel()
    d_after = loss_pair(game, real_after, np.asarray(new_d(fakes, training=True)).ravel(), setting)
    # Only trainable weights count: batch normalization's running statistics move with every
    # call in training mode, updated or not.
    changed = {
        name: any(
            variable.trainable and not np.array_equal(np.asarray(a), np.asarray(b))
            for variable, a, b in zip(model.weights, model.get_weights(), report[name], strict=True)
        )
        for name, model in (("generator", generator), ("discriminator", discriminator))
    }
    return {
        "generator": (g_before, g_after, changed["generator"]),
        "discriminator": (d_before, d_after[1], changed["discriminator"]),
    }
