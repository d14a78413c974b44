"""Plausible wrong answers for solutions/mnist_generator_lab: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks.

A broken training step must lose both the step's points and the training
result's points: a generator trained with it does not beat an untrained one.
The margin (Frechet distance at most 0.5 x the untrained generator's,
confident fraction at least 0.05 higher) was checked on five seeds with
benchmarks/lab_margin.py: the solution reaches 0.18-0.21 and +0.51-0.60, the
broken step 0.91 and +0.00 (figures in benchmarks/README.md).

An entry whose ``loses`` is empty is a *correct* answer written differently
from the solution: it must keep full marks everywhere.
"""

_GENERATOR_HEAD = (
    "def build_generator(latent_dim=64):\n"
    "    return keras.Sequential(\n"
    "        [\n"
    "            keras.Input(shape=(latent_dim,)),\n"
    "            layers.Dense(7 * 7 * 64, use_bias=False),\n"
    "            layers.BatchNormalization(),\n"
    "            layers.ReLU(),\n"
    "            layers.Reshape((7, 7, 64)),\n"
)

_STEP_HEAD = (
    "import tensorflow as tf\n"
    "\n"
    "\n"
    "def make_train_step(\n"
    "    generator, discriminator, generator_optimizer, discriminator_optimizer, label_smoothing=0.1\n"
    "):\n"
    "    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)\n"
    "\n"
    "    @tf.function\n"
    "    def train_step(real_images, latent_vectors):\n"
    "        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:\n"
    "            fake_images = generator(latent_vectors, training=True)\n"
    "            real_logits = discriminator(real_images, training=True)\n"
    "            fake_logits = discriminator(fake_images, training=True)\n"
    "            discriminator_loss = cross_entropy(\n"
    "                tf.ones_like(real_logits) * (1.0 - label_smoothing), real_logits\n"
    "            ) + cross_entropy(tf.zeros_like(fake_logits), fake_logits)\n"
)

_STEP_TAIL = (
    "        discriminator_gradients = discriminator_tape.gradient(\n"
    "            discriminator_loss, discriminator.trainable_variables\n"
    "        )\n"
    "        discriminator_optimizer.apply_gradients(\n"
    "            zip(discriminator_gradients, discriminator.trainable_variables)\n"
    "        )\n"
)

WRONG_ANSWERS = {
    "kernel_3_with_stride_2": {
        "answer": "generator_answer",
        "source": _GENERATOR_HEAD
        + (
            "            layers.Conv2DTranspose(32, 3, strides=2, padding='same'),\n"
            "            layers.BatchNormalization(),\n"
            "            layers.ReLU(),\n"
            "            layers.Conv2DTranspose(1, 3, strides=2, padding='same', activation='tanh'),\n"
            "        ]\n"
            "    )\n"
        ),
        "loses": ["test_generator_spec"],
    },
    "generator_helps_the_discriminator": {
        # The generator's target is 0 (fake) instead of 1: it learns to look fake.
        "answer": "train_step_answer",
        "source": _STEP_HEAD
        + "            generator_loss = cross_entropy(tf.zeros_like(fake_logits), fake_logits)\n"
        + "        generator_gradients = generator_tape.gradient(generator_loss, generator.trainable_variables)\n"
        + "        generator_optimizer.apply_gradients(zip(generator_gradients, generator.trainable_variables))\n"
        + _STEP_TAIL
        + "        return generator_loss, discriminator_loss\n"
        + "\n    return train_step\n",
        "loses": ["test_train_step", "test_trained_generator"],
    },
    "generator_never_updated": {
        # Computes the generator's loss but only applies the discriminator's gradients.
        "answer": "train_step_answer",
        "source": _STEP_HEAD
        + "            generator_loss = cross_entropy(tf.ones_like(fake_logits), fake_logits)\n"
        + _STEP_TAIL
        + "        return generator_loss, discriminator_loss\n"
        + "\n    return train_step\n",
        "loses": ["test_train_step", "test_trained_generator"],
    },
    "real_and_fake_as_one_batch": {
        # Correct, but runs the discriminator once on real and fake images
        # together; the lab's discriminator has batch normalization, so the
        # step test must not depend on how the images are batched.
        "answer": "train_step_answer",
        "source": _STEP_HEAD.replace(
            "            real_logits = discriminator(real_images, training=True)\n"
            "            fake_logits = discriminator(fake_images, training=True)\n",
            "            both = discriminator(tf.concat([real_images, fake_images], 0), training=True)\n"
            "            real_logits, fake_logits = tf.split(both, 2)\n",
        )
        + "            generator_loss = cross_entropy(tf.ones_like(fake_logits), fake_logits)\n"
        + "        generator_gradients = generator_tape.gradient(generator_loss, generator.trainable_variables)\n"
        + "        generator_optimizer.apply_gradients(zip(generator_gradients, generator.trainable_variables))\n"
        + _STEP_TAIL
        + "        return generator_loss, discriminator_loss\n"
        + "\n    return train_step\n",
        "loses": [],
    },
    "barely_trained": {
        "answer": "train_answer",
        "source": (
            "make_reproducible(0)\n"
            "generator = build_generator(64)\n"
            "trainer = GanTrainer(\n"
            "    generator, build_discriminator(), digits.images, PLAIN_RECIPE, seed=0,\n"
            "    make_step=make_train_step,\n"
            ")\n"
            "trainer.train(steps=5)\n"
        ),
        "loses": ["test_trained_generator"],
    },
}
