"""The lab's networks and the TensorFlow DCGAN tutorial's, for MNIST digits (28 x 28 x 1 in [-1, 1]).

Which networks a training run uses, and with which sizes, is a recipe's
choice (:mod:`upsampling_course.gan.recipes`); this module only builds them.
"""

from __future__ import annotations

import numpy as np

from upsampling_course.keras_setup import keras_module

UPSAMPLING_METHODS = ("transpose", "resize", "subpixel")
# Keras's default 0.99 averages batch statistics over ~100 steps; a GAN
# generator changes faster than that, so samples drawn in inference mode would
# lag behind training. 0.9 averages over ~10 steps.
BATCH_NORM_MOMENTUM = 0.9


def make_reproducible(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and switch TensorFlow to deterministic ops.

    Determinism holds run to run on one machine and TensorFlow version; other
    hardware may round differently.
    """
    keras = keras_module()
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def depth_to_space_layer(block_size: int = 2):
    """A layer that moves each pixel's ``block_size ** 2`` channel groups into a block of pixels.

    ``keras.ops.depth_to_space`` as a layer, so that a sub-pixel generator
    can be cloned (the running weight average clones the generator).
    """
    keras = keras_module()

    class DepthToSpace(keras.layers.Layer):
        def __init__(self, block_size: int = 2, **kwargs):
            super().__init__(**kwargs)
            self.block_size = block_size

        def call(self, inputs):
            return keras.ops.depth_to_space(inputs, self.block_size)

        def compute_output_shape(self, input_shape):
            batch, height, width, channels = input_shape
            scale = self.block_size

            def grow(size):
                return None if size is None else size * scale

            return (batch, grow(height), grow(width), channels // scale**2)

        def get_config(self):
            return {**super().get_config(), "block_size": self.block_size}

    return DepthToSpace(block_size)


def build_generator(
    latent_dim: int = 64,
    upsampling: str = "transpose",
    width: int = 32,
    name: str | None = None,
    kernel_size: int = 4,
):
    """The lab's generator: latent vector -> 7 x 7 x (2 width) -> 14 x 14 x width -> 28 x 28 x (width / 2) -> 28 x 28 x 1.

    Each of the two stride-2 upsampling steps is, by ``upsampling``:

    - ``"transpose"``: ``Conv2DTranspose(kernel_size, stride 2)`` (kernel 4 by
      default: divisible by the stride, so every output pixel gets the same
      number of kernel taps);
    - ``"resize"``: ``UpSampling2D(2)`` then ``Conv2D(kernel_size - 1 if even
      else kernel_size)``, a resize-convolution (kernel 3 by default);
    - ``"subpixel"``: ``Conv2D(4 x filters, kernel 3)`` then
      ``depth_to_space(2)``, initialized with ICNR
      (:func:`upsampling_course.operators.icnr_kernel`) so that it starts
      as a convolution followed by nearest-neighbour upsampling, with equal
      phase gains.

    A last 3 x 3 convolution at full resolution mixes the ``width / 2``
    channels into one; its ``tanh`` keeps pixels in [-1, 1]. That last
    convolution smooths the strokes the upsampling layers draw and improved
    the lab's quality score per second of training more than a wider
    generator did (``benchmarks/README.md``).
    """
    if upsampling not in UPSAMPLING_METHODS:
        raise ValueError(f"upsampling must be one of {UPSAMPLING_METHODS}, got {upsampling!r}")
    keras = keras_module()
    layers = keras.layers
    # A stride-1 convolution needs an odd kernel to stay centred.
    stride_one_kernel = kernel_size if kernel_size % 2 else kernel_size - 1

    def grow(filters: int) -> list:
        if upsampling == "transpose":
            return [layers.Conv2DTranspose(filters, kernel_size, strides=2, padding="same")]
        if upsampling == "resize":
            return [
                layers.UpSampling2D(2),
                layers.Conv2D(filters, stride_one_kernel, padding="same"),
            ]
        subpixel = layers.Conv2D(4 * filters, stride_one_kernel, padding="same")
        return [subpixel, depth_to_space_layer(2)]

    def normalize() -> list:
        return [layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM), layers.ReLU()]

    generator = keras.Sequential(
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
    if upsampling == "subpixel":
        apply_icnr(generator)
    return generator


def apply_icnr(model, scale: int = 2) -> None:
    """Give every convolution that feeds a depth-to-space layer its ICNR initial kernel."""
    from upsampling_course.operators import icnr_kernel

    for before, after in zip(model.layers, model.layers[1:], strict=False):
        if type(after).__name__ == "DepthToSpace":
            kernel, bias = before.get_weights()
            base = kernel[..., : kernel.shape[-1] // scale**2]
            before.set_weights(
                [icnr_kernel(base, scale), np.tile(bias[: len(bias) // scale**2], scale**2)]
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
    guess of which code drew an image
    (:func:`upsampling_course.gan.steps.make_code_train_step`). The model
    then returns ``(realness_logit, code_logits)``.
    """
    keras = keras_module()
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


def build_tutorial_generator(
    latent_dim: int = 100, upsampling: str = "transpose", kernel_size: int = 5
):
    """The TensorFlow DCGAN tutorial's generator (kernel 5, stride 2: uneven overlap).

    ``upsampling="resize"`` replaces each stride-2 ``Conv2DTranspose`` by
    ``UpSampling2D(2)`` and a stride-1 ``Conv2D`` of the same kernel size;
    ``kernel_size`` changes every layer's kernel. The defaults are the tutorial's.
    """
    if upsampling not in UPSAMPLING_METHODS:
        raise ValueError(f"upsampling must be one of {UPSAMPLING_METHODS}, got {upsampling!r}")
    keras = keras_module()
    layers = keras.layers

    def upsample(filters: int, stride: int, activation=None) -> list:
        options = {"padding": "same", "use_bias": False, "activation": activation}
        if upsampling == "transpose" or stride == 1:
            return [layers.Conv2DTranspose(filters, kernel_size, strides=stride, **options)]
        return [layers.UpSampling2D(stride), layers.Conv2D(filters, kernel_size, **options)]

    def normalize() -> list:
        return [layers.BatchNormalization(), layers.LeakyReLU()]

    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            *normalize(),
            layers.Reshape((7, 7, 256)),
            *upsample(128, 1),
            *normalize(),
            *upsample(64, 2),
            *normalize(),
            *upsample(1, 2, activation="tanh"),
        ],
        name="tutorial_generator",
    )


def build_tutorial_discriminator():
    """The TensorFlow DCGAN tutorial's discriminator."""
    keras = keras_module()
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
