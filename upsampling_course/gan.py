"""A small DCGAN for MNIST digits that trains in minutes on a laptop CPU.

Used by *The MNIST generator lab* (``book/mnist_lab.md``), the graded lab
notebook ``mnist_generator_lab`` and ``benchmarks/lab_speed.py``.

The lab's recipe (:data:`LAB_RECIPE`): a generator that grows a 64-number
latent vector through a 7 x 7 x 64 feature map to a 28 x 28 x 1 digit in
[-1, 1] with two stride-2 upsampling steps, either ``Conv2DTranspose`` with
kernel 4 (divisible by the stride, so every output pixel gets the same number
of kernel taps) or ``UpSampling2D`` followed by ``Conv2D``, and a last 3 x 3
convolution; a discriminator of two stride-2 convolutions (the second
batch-normalized) and a 128-unit dense layer; Adam with beta_1 0.5 and
beta_2 0.99 and learning rates 2e-3 (generator) and 1e-3 (discriminator):
small networks tolerate large steps, which matters most on a CPU; batches
of 64; one-sided label smoothing; samples drawn from a running average of
the generator's weights; and a ten-valued categorical code in the latent
vector that the discriminator learns to read back (InfoGAN), which evens out
how often each digit is drawn. :data:`PLAIN_RECIPE` is the same without the
code, the game the graded lab asks students to write. :data:`TUTORIAL_RECIPE`
is the widely copied TensorFlow DCGAN tutorial, kept for the speed
comparison.

Randomness is explicit: every batch and every latent vector comes from one
seeded NumPy generator, and :func:`make_reproducible` seeds Keras and asks
TensorFlow for deterministic kernels, so two runs with the same seed on the
same machine give the same weights.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

UPSAMPLING_METHODS = ("transpose", "resize")
# Keras's default 0.99 averages batch statistics over ~100 steps; a GAN
# generator changes faster than that, so samples drawn in inference mode would
# lag behind training. 0.9 averages over ~10 steps.
BATCH_NORM_MOMENTUM = 0.9


def _keras():
    from upsampling_course.keras_setup import import_keras_quietly

    return import_keras_quietly(seed=None)


def make_reproducible(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and switch TensorFlow to deterministic ops.

    Determinism holds run to run on one machine and TensorFlow version; other
    hardware may round differently.
    """
    keras = _keras()
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def build_generator(
    latent_dim: int = 64, upsampling: str = "transpose", width: int = 32, name: str | None = None
):
    """The lab's generator: latent vector -> 7 x 7 x (2 width) -> 14 x 14 x width -> 28 x 28 x (width / 2) -> 28 x 28 x 1.

    ``upsampling="transpose"`` grows each step with ``Conv2DTranspose(kernel
    4, stride 2)``; ``"resize"`` with ``UpSampling2D(2)`` then ``Conv2D(kernel
    3)``. A last 3 x 3 convolution at full resolution mixes the
    ``width / 2`` channels into one; its ``tanh`` keeps pixels in [-1, 1].
    That last convolution smooths the strokes the upsampling layers draw
    and improved the lab's quality score per second of training more than
    a wider generator did (``benchmarks/README.md``).
    """
    if upsampling not in UPSAMPLING_METHODS:
        raise ValueError(f"upsampling must be one of {UPSAMPLING_METHODS}, got {upsampling!r}")
    keras = _keras()
    layers = keras.layers

    def grow(filters: int) -> list:
        if upsampling == "transpose":
            return [layers.Conv2DTranspose(filters, 4, strides=2, padding="same")]
        return [layers.UpSampling2D(2), layers.Conv2D(filters, 3, padding="same")]

    def normalize() -> list:
        return [layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM), layers.ReLU()]

    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 2 * width, use_bias=False),
            *normalize(),
            layers.Reshape((7, 7, 2 * width)),
            *grow(width),
            *normalize(),
            *grow(width // 2),
            *normalize(),
            layers.Conv2D(1, 3, padding="same", activation="tanh"),
        ],
        name=name or f"generator_{upsampling}",
    )


def build_discriminator(
    width: int = 32,
    dense_units: int = 128,
    dropout: float = 0.0,
    batch_norm: bool = True,
    code_classes: int = 0,
    name: str = "discriminator",
):
    """The lab's discriminator: two stride-2 convolutions, a dense layer and one logit (real vs fake).

    The dense layer lets the discriminator judge a digit's whole shape, not
    only its strokes, and batch normalization after the second convolution
    keeps the generator from collapsing onto a few digits; together they
    raised the lab's quality score more than any other change to the
    networks we measured (``benchmarks/README.md``). ``dropout`` (0 by default) adds a dropout
    layer before the logit. ``batch_norm=False`` makes the discriminator
    treat every image on its own, which the graded lab's tests use so that
    a step that runs real and fake images through it as one batch is graded
    like one that runs them separately.

    ``code_classes > 0`` adds a second head on the same dense features: one
    logit per value of the generator's categorical code, the discriminator's
    guess of which code drew an image (:func:`make_code_train_step`). The
    model then returns ``(realness_logit, code_logits)``.
    """
    keras = _keras()
    layers = keras.layers
    body = [
        layers.Conv2D(width, 4, strides=2, padding="same"),
        layers.LeakyReLU(0.2),
        layers.Conv2D(2 * width, 4, strides=2, padding="same"),
        *([layers.BatchNormalization()] if batch_norm else []),
        layers.LeakyReLU(0.2),
        layers.Flatten(),
        layers.Dense(dense_units),
        layers.LeakyReLU(0.2),
        *([layers.Dropout(dropout)] if dropout else []),
    ]
    if not code_classes:
        return keras.Sequential([keras.Input(shape=(28, 28, 1)), *body, layers.Dense(1)], name=name)
    images = keras.Input(shape=(28, 28, 1))
    features = images
    for layer in body:
        features = layer(features)
    realness = layers.Dense(1, name="realness")(features)
    code_guess = layers.Dense(code_classes, name="code_guess")(features)
    return keras.Model(images, [realness, code_guess], name=name)


def build_tutorial_generator(latent_dim: int = 100):
    """The TensorFlow DCGAN tutorial's generator (kernel 5, stride 2: uneven overlap)."""
    keras = _keras()
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(
                1, 5, strides=2, padding="same", use_bias=False, activation="tanh"
            ),
        ],
        name="tutorial_generator",
    )


def build_tutorial_discriminator():
    """The TensorFlow DCGAN tutorial's discriminator."""
    keras = _keras()
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(64, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Conv2D(128, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(1),
        ],
        name="tutorial_discriminator",
    )


@dataclass(frozen=True)
class Recipe:
    """Everything that defines a GAN training run apart from the data and the seed."""

    name: str
    build_generator: Callable
    build_discriminator: Callable
    latent_dim: int
    batch_size: int
    generator_learning_rate: float
    discriminator_learning_rate: float
    beta_1: float
    label_smoothing: float
    beta_2: float = 0.999
    # Decay of the running average of the generator's weights that samples are
    # drawn from (0: sample from the generator being trained).
    weight_averaging: float = 0.0
    # The last ``code_classes`` numbers of each latent vector are a one-hot
    # categorical code instead of normal noise; the discriminator guesses the
    # code and both networks are trained to make that guess right, weighted
    # by ``code_weight`` (InfoGAN; :func:`make_code_train_step`). 0: no code.
    code_classes: int = 0
    code_weight: float = 0.0


# The lab's recipe without the categorical code: the plain adversarial game,
# the one the graded lab asks students to write.
PLAIN_RECIPE = Recipe(
    name="plain",
    build_generator=lambda: build_generator(64, "transpose", width=32),
    build_discriminator=lambda: build_discriminator(width=32),
    latent_dim=64,
    batch_size=64,
    generator_learning_rate=2e-3,
    discriminator_learning_rate=1e-3,
    beta_1=0.5,
    label_smoothing=0.1,
    beta_2=0.99,
    weight_averaging=0.995,
)

# A ten-valued code brings the generator's digits close to the real class
# balance, which lowered the five-minute Frechet ratio more than any
# architecture or optimizer change we measured (benchmarks/README.md).
LAB_RECIPE = dataclasses.replace(
    PLAIN_RECIPE,
    name="lab",
    build_discriminator=lambda: build_discriminator(width=32, code_classes=10),
    code_classes=10,
    code_weight=0.3,
)

TUTORIAL_RECIPE = Recipe(
    name="tutorial",
    build_generator=build_tutorial_generator,
    build_discriminator=build_tutorial_discriminator,
    latent_dim=100,
    batch_size=256,
    generator_learning_rate=1e-4,
    discriminator_learning_rate=1e-4,
    beta_1=0.9,
    label_smoothing=0.0,
)


def make_train_step(
    generator,
    discriminator,
    generator_optimizer,
    discriminator_optimizer,
    label_smoothing: float = 0.1,
):
    """One adversarial update of both networks, compiled with ``tf.function``.

    The returned function takes a batch of real images and a batch of latent
    vectors and returns the two losses. Both networks see the same fake
    batch: the discriminator learns to call real images real (target ``1 -
    label_smoothing``) and fakes fake (target 0); the generator learns to make
    the discriminator call its fakes real (target 1).
    """
    keras = _keras()
    import tensorflow as tf

    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def train_step(real_images, latent_vectors):
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            fake_images = generator(latent_vectors, training=True)
            real_logits = discriminator(real_images, training=True)
            fake_logits = discriminator(fake_images, training=True)
            discriminator_loss = cross_entropy(
                tf.ones_like(real_logits) * (1.0 - label_smoothing), real_logits
            ) + cross_entropy(tf.zeros_like(fake_logits), fake_logits)
            generator_loss = cross_entropy(tf.ones_like(fake_logits), fake_logits)
        generator_gradients = generator_tape.gradient(generator_loss, generator.trainable_variables)
        discriminator_gradients = discriminator_tape.gradient(
            discriminator_loss, discriminator.trainable_variables
        )
        generator_optimizer.apply_gradients(
            zip(generator_gradients, generator.trainable_variables, strict=True)
        )
        discriminator_optimizer.apply_gradients(
            zip(discriminator_gradients, discriminator.trainable_variables, strict=True)
        )
        return generator_loss, discriminator_loss

    return train_step


def make_code_train_step(
    generator,
    discriminator,
    generator_optimizer,
    discriminator_optimizer,
    label_smoothing: float = 0.1,
    code_classes: int = 10,
    code_weight: float = 0.3,
):
    """:func:`make_train_step` plus a categorical code that both networks learn to make readable.

    The last ``code_classes`` numbers of every latent vector are a one-hot
    code. The discriminator (built with ``code_classes``) answers twice: a
    logit for "real" and a guess of the code behind each fake. Both networks
    add ``code_weight`` times the cross-entropy of that guess to their loss,
    so the generator is rewarded for drawing something different for each
    code value. Nobody tells it what to draw; on MNIST the ten values tend
    to become ten digits, drawn equally often because the codes are. This is
    InfoGAN's categorical code (Chen et al., 2016).
    """
    keras = _keras()
    import tensorflow as tf

    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    code_cross_entropy = keras.losses.CategoricalCrossentropy(from_logits=True)

    @tf.function
    def train_step(real_images, latent_vectors):
        codes = latent_vectors[:, -code_classes:]
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            fake_images = generator(latent_vectors, training=True)
            real_logits, _ = discriminator(real_images, training=True)
            fake_logits, code_guesses = discriminator(fake_images, training=True)
            code_loss = code_weight * code_cross_entropy(codes, code_guesses)
            discriminator_loss = (
                cross_entropy(tf.ones_like(real_logits) * (1.0 - label_smoothing), real_logits)
                + cross_entropy(tf.zeros_like(fake_logits), fake_logits)
                + code_loss
            )
            generator_loss = cross_entropy(tf.ones_like(fake_logits), fake_logits) + code_loss
        generator_gradients = generator_tape.gradient(generator_loss, generator.trainable_variables)
        discriminator_gradients = discriminator_tape.gradient(
            discriminator_loss, discriminator.trainable_variables
        )
        generator_optimizer.apply_gradients(
            zip(generator_gradients, generator.trainable_variables, strict=True)
        )
        discriminator_optimizer.apply_gradients(
            zip(discriminator_gradients, discriminator.trainable_variables, strict=True)
        )
        return generator_loss, discriminator_loss

    return train_step


def sample_latents(
    rng: np.random.Generator, count: int, latent_dim: int, code_classes: int = 0, codes=None
) -> np.ndarray:
    """``count`` latent vectors: standard normal noise, ending in a one-hot code if ``code_classes``.

    The code values are drawn uniformly from ``rng`` unless ``codes`` (one
    integer per vector) chooses them.
    """
    latents = rng.standard_normal((count, latent_dim)).astype(np.float32)
    if code_classes:
        if codes is None:
            codes = rng.integers(0, code_classes, count)
        latents[:, latent_dim - code_classes :] = np.eye(code_classes, dtype=np.float32)[codes]
    return latents


@dataclass
class TrainingHistory:
    """What a training run recorded: losses per step and snapshots of a fixed latent batch."""

    generator_loss: list[float] = field(default_factory=list)
    discriminator_loss: list[float] = field(default_factory=list)
    snapshot_steps: list[int] = field(default_factory=list)
    snapshots: list[np.ndarray] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def steps(self) -> int:
        return len(self.generator_loss)


def with_weight_averaging(train_step: Callable, generator, averaged_generator, decay: float):
    """``train_step`` followed by one update of a running average of the generator's weights.

    A GAN generator's weights keep circling around a good solution as the two
    networks chase each other; their exponential moving average sits nearer
    the middle and draws cleaner digits (Yazici et al., 2019, "The unusual
    effectiveness of averaging in GAN training"). ``averaged_generator`` must
    have the generator's architecture. The average starts with a short
    window, ``(1 + t) / (10 + t)`` after ``t`` steps, and settles at
    ``decay``, so the random initial weights fade out of it quickly.
    """
    import tensorflow as tf

    pairs = [
        (average, weight)
        for average, weight in zip(averaged_generator.weights, generator.weights, strict=True)
        if np.dtype(weight.dtype).kind == "f"  # skip integer state such as seed counters
    ]
    steps_done = tf.Variable(0.0, trainable=False)

    @tf.function
    def train_step_and_average(real_images, latent_vectors):
        losses = train_step(real_images, latent_vectors)
        steps_done.assign_add(1.0)
        rate = tf.minimum(decay, (1.0 + steps_done) / (10.0 + steps_done))
        for average, weight in pairs:
            average.assign(rate * average + (1.0 - rate) * weight)
        return losses

    return train_step_and_average


class GanTrainer:
    """Trains a generator and a discriminator on real digits, step by step.

    ``trainer.train(steps=...)`` or ``trainer.train(seconds=...)`` can be called
    again to continue. All randomness (batches, latent vectors) comes from one
    NumPy generator seeded with ``seed``; call :func:`make_reproducible` before
    building the networks to make the weights reproducible as well.
    ``make_step`` builds the training step (default :func:`make_train_step`,
    or :func:`make_code_train_step` when the recipe has a categorical code;
    the graded lab passes the student's own) and is called as
    ``make_step(generator, discriminator, generator_optimizer,
    discriminator_optimizer, label_smoothing)``. When the recipe sets
    ``weight_averaging``, :attr:`averaged_generator` follows a running average
    of the generator's weights and :meth:`sample`, :meth:`generate` and the
    snapshots draw from it; :attr:`generator` is the network being trained.
    """

    def __init__(
        self,
        generator,
        discriminator,
        images: np.ndarray,
        recipe: Recipe = LAB_RECIPE,
        seed: int = 0,
        num_fixed_latents: int = 36,
        make_step: Callable | None = None,
    ):
        keras = _keras()
        images = np.asarray(images, dtype=np.float32)
        if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
            raise ValueError(f"expected training images shaped (N, 28, 28, 1), got {images.shape}")
        if len(images) < recipe.batch_size:
            raise ValueError(f"need at least {recipe.batch_size} images, got {len(images)}")
        self.generator = generator
        self.discriminator = discriminator
        self.images = images
        self.recipe = recipe
        self.rng = np.random.default_rng(seed)
        self.fixed_latents = self.latents(num_fixed_latents)
        self.history = TrainingHistory()

        def adam(learning_rate: float):
            return keras.optimizers.Adam(learning_rate, beta_1=recipe.beta_1, beta_2=recipe.beta_2)

        if make_step is None and recipe.code_classes:
            make_step = functools.partial(
                make_code_train_step,
                code_classes=recipe.code_classes,
                code_weight=recipe.code_weight,
            )
        self.train_step = (make_step or make_train_step)(
            generator,
            discriminator,
            adam(recipe.generator_learning_rate),
            adam(recipe.discriminator_learning_rate),
            recipe.label_smoothing,
        )
        self.averaged_generator = None
        if recipe.weight_averaging:
            self.averaged_generator = keras.models.clone_model(generator)
            self.averaged_generator.set_weights(generator.get_weights())
            self.train_step = with_weight_averaging(
                self.train_step, generator, self.averaged_generator, recipe.weight_averaging
            )
        self._order = np.empty(0, dtype=np.int64)

    @classmethod
    def from_recipe(cls, recipe: Recipe, images: np.ndarray, seed: int = 0) -> GanTrainer:
        """Seed everything, build the recipe's two networks and return their trainer."""
        make_reproducible(seed)
        return cls(recipe.build_generator(), recipe.build_discriminator(), images, recipe, seed)

    def latents(self, count: int) -> np.ndarray:
        """``count`` latent vectors from the trainer's stream (see :func:`sample_latents`)."""
        return sample_latents(self.rng, count, self.recipe.latent_dim, self.recipe.code_classes)

    def next_batch(self) -> np.ndarray:
        """The next batch of real images: epochs in a fresh random order each."""
        size = self.recipe.batch_size
        if len(self._order) < size:
            self._order = np.concatenate([self._order, self.rng.permutation(len(self.images))])
        chosen, self._order = self._order[:size], self._order[size:]
        return self.images[chosen]

    @property
    def sampling_generator(self):
        """The network samples come from: the weight average if the recipe keeps one."""
        return self.generator if self.averaged_generator is None else self.averaged_generator

    def sample(self, latents: np.ndarray | None = None) -> np.ndarray:
        """Generated digits for ``latents`` (default: the fixed snapshot batch)."""
        latents = self.fixed_latents if latents is None else latents
        return np.asarray(self.sampling_generator(latents, training=False))

    def generate(self, count: int, seed: int = 123, codes=None) -> np.ndarray:
        """``count`` digits from their own seeded latent vectors (the trainer's stream is untouched).

        ``codes`` (one integer per digit) fixes the categorical code of a
        recipe that has one; by default the codes are drawn uniformly.
        """
        rng = np.random.default_rng(seed)
        latents = sample_latents(
            rng, count, self.recipe.latent_dim, self.recipe.code_classes, codes
        )
        return np.asarray(self.sampling_generator.predict(latents, verbose=0))

    def snapshot(self) -> None:
        self.history.snapshot_steps.append(self.history.steps)
        self.history.snapshots.append(self.sample())

    def train(
        self,
        steps: int | None = None,
        seconds: float | None = None,
        snapshot_every: int | None = None,
        callback: Callable[[GanTrainer], None] | None = None,
        callback_every: int = 100,
        progress: bool = True,
    ) -> TrainingHistory:
        """Run training steps until ``steps`` more steps or ``seconds`` more seconds are done.

        ``snapshot_every``: keep the fixed latent batch's digits every so many
        steps (for the sample grids and the GIF). ``callback(trainer)`` runs
        every ``callback_every`` steps; its time is not counted as training
        time. ``progress`` shows a progress bar with the latest losses on
        stdout.
        """
        if steps is None and seconds is None:
            raise ValueError("give a budget: steps=..., seconds=..., or both")
        from tqdm import tqdm  # the text bar: it works in a terminal, a notebook and a built page

        history = self.history
        if snapshot_every and not history.snapshots:
            self.snapshot()
        total = steps if steps is not None else round(seconds)
        # Redraw every 10%: a notebook saved to a page (or a log file) keeps
        # every redraw as a line of output. An infinite maxinterval stops
        # tqdm's monitor from switching to a redraw per step after a slow start.
        redraw = {"mininterval": 0.0, "miniters": max(1, total // 10), "maxinterval": float("inf")}
        bar = tqdm(
            total=total,
            unit="step" if steps is not None else "s",
            disable=not progress,
            file=sys.stdout,  # the strict book build fails on stderr output
            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]",
            **redraw,
        )
        done = 0
        spent = 0.0
        while (steps is None or done < steps) and (seconds is None or spent < seconds):
            started = time.perf_counter()
            generator_loss, discriminator_loss = self.train_step(
                self.next_batch(), self.latents(self.recipe.batch_size)
            )
            history.generator_loss.append(float(generator_loss))
            history.discriminator_loss.append(float(discriminator_loss))
            took = time.perf_counter() - started
            spent += took
            history.seconds += took
            done += 1
            if steps is not None:
                bar.update(1)
            else:
                bar.update(min(round(spent), bar.total) - bar.n)
            if done % 20 == 0:
                bar.set_postfix(
                    g_loss=f"{np.mean(history.generator_loss[-20:]):.2f}",
                    d_loss=f"{np.mean(history.discriminator_loss[-20:]):.2f}",
                    refresh=False,
                )
            if snapshot_every and history.steps % snapshot_every == 0:
                self.snapshot()
            if callback is not None and history.steps % callback_every == 0:
                callback(self)
        bar.close()
        return history
