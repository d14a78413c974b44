"""The MNIST generator lab's variants (``CHOICES``), the statements of part 4(b), the visible checks."""

from __future__ import annotations

import numpy as np

from upsampling_course import lab_probe

CHOICES = {
    # 1: every stride-2 Conv2DTranspose of build_generator has a kernel of at least this size
    "kernel_at_least": (3, 5, 7),
    # 3 and 5: the margin of the hinge loss of make_hinge_step (and of the training run)
    "hinge_margin": (0.5, 1.0, 2.0),
    # 4(b): the order in which the four statements are shown (A, B, C, D)
    "statement_order": ("0123", "1032", "2301", "3210", "1302", "2013", "3120", "0231"),
}
PARAMETER_BUDGET = 400_000
TRAINING_STEPS = 300
# The trained generator must beat an untrained one of its architecture by these margins.
FRECHET_SHARE = 0.5  # Frechet distance at most this share of the untrained one's
CONFIDENT_GAIN = 0.05  # confident fraction at least the untrained one's plus this

#: Part 4(b)'s statements in a fixed order; each student sees them in their variant's order.
STATEMENTS = (
    "UpSampling2D(2) copies each pixel into a 2 x 2 block, so every output phase of the "
    "stride-1 Conv2D that follows sums all of its weights: equal phase gains whatever the "
    "kernel size.",
    "An odd kernel is centred by 'same' padding, which removes the uneven overlap; an even "
    "kernel after UpSampling2D would still draw a checkerboard.",
    "The nearest-neighbour copies blur the image, and the blur hides whatever checkerboard the "
    "Conv2D draws.",
    "It does need one: after UpSampling2D(2) the Conv2D's kernel must be a multiple of 2 too, "
    "or its output carries a checkerboard from the start.",
)
RIGHT_STATEMENT = 0


def show_statements(variant) -> None:
    """Print part 4(b)'s statements lettered in this student's order."""
    import textwrap

    for letter, index in zip("ABCD", variant["statement_order"], strict=True):
        text = textwrap.fill(STATEMENTS[int(index)], width=88, subsequent_indent="   ")
        print(f"{letter}. {text}")


def right_letter(variant) -> str:
    return "ABCD"[variant["statement_order"].index(str(RIGHT_STATEMENT))]


# ---------------------------------------------------------------------------
# Layer rules, shared by the visible checks and the judge (which applies them to the
# model it rebuilt outside the kernel).


def all_layers(model) -> list:
    found = []
    for layer in model.layers:
        found.append(layer)
        if hasattr(layer, "layers"):
            found.extend(all_layers(layer))
    return found


def transpose_rule_breaks(model, kernel_at_least: int) -> list[str]:
    """What breaks part 1's layer rules (empty: none)."""
    layers = all_layers(model)
    names = [type(layer).__name__ for layer in layers]
    transposed = [layer for layer in layers if type(layer).__name__ == "Conv2DTranspose"]
    breaks = []
    if "UpSampling2D" in names:
        breaks.append("it uses UpSampling2D; part 1 grows the image with Conv2DTranspose")
    if sum(tuple(layer.strides) == (2, 2) for layer in transposed) < 2:
        breaks.append("it needs at least two Conv2DTranspose layers with stride 2")
    for layer in transposed:
        kernel, stride = tuple(layer.kernel_size), tuple(layer.strides)
        if any(k % s for k, s in zip(kernel, stride, strict=True)):
            breaks.append(
                f"{layer.name} has kernel {kernel} with stride {stride}: not a multiple of the "
                "stride, so the stamps overlap unevenly (checkerboards), as in TensorFlow's "
                "DCGAN tutorial (kernel 5, stride 2)"
            )
        elif min(kernel) < kernel_at_least:
            breaks.append(
                f"{layer.name} has kernel {kernel}: your kernel_at_least is {kernel_at_least}, "
                "and the kernel must also be a multiple of the stride"
            )
    breaks += _budget_breaks(model)
    return breaks


def resize_rule_breaks(model) -> list[str]:
    """What breaks part 4's layer rules (empty: none)."""
    layers = all_layers(model)
    breaks = []
    if any(type(layer).__name__ == "Conv2DTranspose" for layer in layers):
        breaks.append("it keeps a Conv2DTranspose: grow with UpSampling2D + Conv2D only")
    upsampling = [layer for layer in layers if type(layer).__name__ == "UpSampling2D"]
    if sum(tuple(layer.size) == (2, 2) for layer in upsampling) < 2:
        breaks.append("it needs at least two UpSampling2D(2) layers")
    strided = [
        layer.name
        for layer in layers
        if type(layer).__name__ == "Conv2D" and tuple(layer.strides) != (1, 1)
    ]
    if strided:
        breaks.append(f"{strided[0]} is strided; every Conv2D here has stride 1")
    return breaks + _budget_breaks(model)


def _budget_breaks(model) -> list[str]:
    count = int(model.count_params())
    if count > PARAMETER_BUDGET:
        return [f"it has {count:,} parameters, the budget is {PARAMETER_BUDGET:,}"]
    return []


def range_breaks(images: np.ndarray) -> list[str]:
    """What breaks the range rule on images drawn from very large latent vectors."""
    low, high = float(np.min(images)), float(np.max(images))
    if low < -1 or high > 1:
        return [f"for large latent vectors pixels reach {low:.2f} .. {high:.2f}: end with tanh"]
    if low > -0.9 or high < 0.9:
        return [
            f"for large latent vectors the pixels only span {low:.2f} .. {high:.2f}; real digits "
            "span -1 .. 1: end with tanh, not sigmoid or ReLU"
        ]
    return []


# ---------------------------------------------------------------------------
# The visible checks (upsampling_course.selfcheck): public networks and batches;
# the judge draws its own networks, batches and settings.


def _model(ns: dict, name: str, latent_dim: int = 64):
    model = ns[name](latent_dim)
    assert hasattr(model, "predict") and hasattr(model, "layers"), f"{name} returns a Keras model"
    return model


def _generator_shape(ns: dict) -> str:
    images = np.asarray(_model(ns, "build_generator")(np.zeros((3, 64), "float32")))
    assert images.shape == (3, 28, 28, 1), (
        f"3 latent vectors gave shape {images.shape}: a 'valid' Conv2DTranspose overhangs "
        "(30 or 31 pixels); use 'same' with stride 2"
    )
    return "one 28 x 28 x 1 image per latent vector"


def _huge_latents() -> np.ndarray:
    return (np.random.default_rng(5).standard_normal((16, 64)) * 1000).astype("float32")


def _generator_range(ns: dict, name: str = "build_generator") -> str:
    breaks = range_breaks(np.asarray(_model(ns, name)(_huge_latents())))
    assert not breaks, breaks[0]
    return "pixels in [-1, 1], reaching both ends"


def _generator_layers(ns: dict) -> str:
    breaks = transpose_rule_breaks(_model(ns, "build_generator"), ns["variant"]["kernel_at_least"])
    assert not breaks, breaks[0]
    return "the layer rules and your kernel_at_least"


def _probe(ns: dict, maker: str, game: str, learning_rate: float, extra=(), batch_norm=False):
    generator, discriminator = lab_probe.public_networks(batch_norm)
    real, latents = lab_probe.public_batch(ns["digits"].images)
    spread = 2.0 if learning_rate == 0 else None  # wide logits for the losses only
    lab_probe.spread_logits(discriminator, real, 1.0, spread)
    networks = {
        "generator": lab_probe.network_spec(generator),
        "discriminator": lab_probe.network_spec(discriminator),
    }
    report = lab_probe.probe_step(ns, maker, networks, real, latents, learning_rate, list(extra))
    assert report["error"] is None, f"{maker}'s step failed: {report['error']}"
    return report, generator, discriminator, real, latents


def _setting(ns: dict, game: str) -> float:
    return 0.1 if game == "bce" else ns["variant"]["hinge_margin"]


def _extra(game: str) -> tuple:
    return (0.1,) if game == "bce" else ()


def _losses(ns: dict, maker: str, game: str) -> str:
    report, generator, discriminator, real, latents = _probe(ns, maker, game, 0.0, _extra(game))
    logits = lab_probe.logits_of(generator, discriminator, real, latents)
    want = lab_probe.loss_pair(game, *logits, _setting(ns, game))
    for name, got, expected in zip(("generator_loss", "discriminator_loss"), report["losses"],
                                   want, strict=True):  # fmt: skip
        assert abs(got - expected) <= 1e-3 * abs(expected) + 1e-4, (
            f"{name} = {got:.4f} where the definition gives {expected:.4f} (public batch, "
            "learning rate 0)"
        )
    return "both losses equal their definitions on a public batch"


def _updates(ns: dict, maker: str, game: str, names) -> str:
    report, generator, discriminator, real, latents = _probe(
        ns, maker, game, lab_probe.UPDATE_RATE, _extra(game)
    )
    effect = lab_probe.update_effect(
        game, generator, discriminator, report, real, latents, _setting(ns, game)
    )
    for name in names:
        before, after, changed = effect[name]
        assert changed, f"one step left the {name}'s weights unchanged: is it updated at all?"
        assert after < before, (
            f"one step raised the {name}'s own loss ({before:.4f} -> {after:.4f}): check the "
            "sign of its loss and its targets"
        )
    return f"one step lowers the loss of the {' and the '.join(names)}"


def _training_mode(ns: dict) -> str:
    report = _probe(ns, "make_hinge_step", "hinge", 1e-3, batch_norm=True)[0]
    for name, flags in report["flags"].items():
        assert flags, f"the step never calls the {name}"
        assert all(flag is True for flag in flags), (
            f"the step calls the {name} with training={flags}: use training=True, or batch "
            "normalization behaves as at inference time while the networks learn"
        )
    return "both networks called with training=True"


def _resize_output(ns: dict) -> str:
    images = np.asarray(_model(ns, "build_resize_generator")(np.zeros((2, 64), "float32")))
    assert images.shape == (2, 28, 28, 1), f"2 latent vectors gave shape {images.shape}"
    return _generator_range(ns, "build_resize_generator")


def _resize_layers(ns: dict) -> str:
    breaks = resize_rule_breaks(_model(ns, "build_resize_generator"))
    assert not breaks, breaks[0]
    return "the resize-convolution layer rules"


def _why_resize(ns: dict) -> str:
    letter = ns["why_resize"]
    assert isinstance(letter, str) and letter.strip().upper() in tuple("ABCD"), (
        "answer with one letter, A to D"
    )
    return "the letter's format"


def trained_report(scorer, images: np.ndarray, untrained_images: np.ndarray) -> tuple[bool, str]:
    """Whether trained digits beat untrained ones, with the scores beside the thresholds."""
    score, baseline = scorer.score(images), scorer.score(untrained_images)
    frechet_limit = FRECHET_SHARE * baseline.frechet_distance
    confident_floor = baseline.confident_fraction + CONFIDENT_GAIN
    ok = score.frechet_distance <= frechet_limit and score.confident_fraction >= confident_floor
    text = (
        f"Frechet distance {score.frechet_distance:.1f} (needs at most {frechet_limit:.1f}: "
        f"{FRECHET_SHARE} x the untrained generator's {baseline.frechet_distance:.1f}); confident "
        f"fraction {score.confident_fraction:.2f} (needs at least {confident_floor:.2f}: the "
        f"untrained generator's {baseline.confident_fraction:.2f} + {CONFIDENT_GAIN})"
    )
    return ok, text


def _trained_generator(ns: dict) -> str:
    trainer = ns["trainer"]
    steps = trainer.history.steps
    assert 0 < steps <= TRAINING_STEPS, f"train for 1 to {TRAINING_STEPS} steps, not {steps}"
    latents = np.random.default_rng(7).standard_normal((500, 64)).astype("float32")
    untrained = ns["keras"].models.clone_model(trainer.generator)  # fresh initial weights
    ok, text = trained_report(
        ns["scorer"],
        np.asarray(trainer.sampling_generator.predict(latents, verbose=0)),
        np.asarray(untrained.predict(latents, verbose=0)),
    )
    assert ok, f"not yet: {text}"
    return text


CHECKS = {
    "test_generator_shape": _generator_shape,
    "test_generator_range": _generator_range,
    "test_generator_layers": _generator_layers,
    "test_step_losses": lambda ns: _losses(ns, "make_train_step", "bce"),
    "test_step_updates": lambda ns: _updates(
        ns, "make_train_step", "bce", ("generator", "discriminator")
    ),
    "test_hinge_training_mode": _training_mode,
    "test_hinge_losses": lambda ns: _losses(ns, "make_hinge_step", "hinge"),
    "test_hinge_updates_generator": lambda ns: _updates(
        ns, "make_hinge_step", "hinge", ("generator",)
    ),
    "test_hinge_updates_discriminator": lambda ns: _updates(
        ns, "make_hinge_step", "hinge", ("discriminator",)
    ),
    "test_resize_output": _resize_output,
    "test_resize_layers": _resize_layers,
    "test_why_resize": _why_resize,
    "test_trained_generator": _trained_generator,
}
