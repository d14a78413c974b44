"""One training step of a GAN, compiled with ``tf.function``, and the latent vectors it consumes.

Each ``make_*`` function takes the two networks and their optimizers and
returns ``train_step(real_images, latent_vectors) -> (generator_loss,
discriminator_loss)``. The hyperparameters (label smoothing, code weight,
averaging decay) come from a :class:`~upsampling_course.gan.recipes.Recipe`.
"""

from __future__ import annotations

from upsampling_course.gan.averaging import sample_latents, with_weight_averaging
from upsampling_course.gan.networks import keras_module

__all__ = ["make_code_train_step", "make_train_step", "sample_latents", "with_weight_averaging"]


def make_train_step(
    generator,
    discriminator,
    generator_optimizer,
    discriminator_optimizer,
    label_smoothing: float = 0.1,
    generator_target: float = 1.0,
):
    """One adversarial update of both networks, compiled with ``tf.function``.

    The returned function takes a batch of real images and a batch of latent
    vectors and returns the two losses. Both networks see the same fake
    batch: the discriminator learns to call real images real (target ``1 -
    label_smoothing``) and fakes fake (target 0); the generator learns to make
    the discriminator call its fakes real (``generator_target`` 1; the
    graded lab's margin benchmark sets 0 to model a wrong student step).
    """
    keras = keras_module()
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
            generator_loss = cross_entropy(
                tf.ones_like(fake_logits) * generator_target, fake_logits
            )
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
    keras = keras_module()
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
