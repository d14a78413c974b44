"""Plausible wrong answers for solutions/mnist_generator_lab: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; ``may_lose`` the cells whose outcome the mistake
leaves open (whether a step in inference mode still trains the generator
past the score threshold depends on the seed); every other test cell must
keep full marks. ``UNUSUAL_ANSWERS`` are correct answers written unlike the
solution: they must keep every point.

Every wrong generator or training step also fails the training cell
(``test_trained_generator``), so several of them may be handed in by one
simulated student: ``SHARED_CELLS`` may be lost by more than one packed
answer (tests/assignments/test_assignments.py), which keeps the lab to a few graded
notebooks, each with one training run.
"""

SHARED_CELLS = {"test_trained_generator"}

TRAINED = "test_trained_generator"


def generator(
    grow: str, last: str = "layers.Conv2D(1, 3, padding='same', activation='tanh')"
) -> str:
    """A build_generator whose two growing steps are `grow` (formatted with the filters)."""
    return (
        "def build_generator(latent_dim=64):\n"
        "    model = keras.Sequential([keras.Input(shape=(latent_dim,)),\n"
        "                              layers.Dense(7 * 7 * 64, use_bias=False),\n"
        "                              layers.BatchNormalization(), layers.ReLU(),\n"
        "                              layers.Reshape((7, 7, 64))])\n"
        "    for filters in (32, 16):\n"
        f"        for layer in [{grow}, layers.BatchNormalization(), layers.ReLU()]:\n"
        "            model.add(layer)\n"
        f"    model.add({last})\n"
        "    return model\n"
    )


TRANSPOSE = "layers.Conv2DTranspose(filters, 4, strides=2, padding='same')"


def step(
    d_training: str = "training=True",
    g_training: str = "training=True",
    smoothing: str = "1.0 - label_smoothing",
    g_target: str = "tf.ones_like(fake_logits)",
    d_fake_target: str = "tf.zeros_like(fake_logits)",
    update_generator: bool = True,
    update_discriminator: bool = True,
) -> str:
    """A make_train_step with two tapes, one mistake switched on by the arguments."""
    lines = [
        "import tensorflow as tf",
        "",
        "",
        "def make_train_step(generator, discriminator, generator_optimizer,",
        "                    discriminator_optimizer, label_smoothing=0.1):",
        "    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)",
        "",
        "    @tf.function",
        "    def train_step(real_images, latent_vectors):",
        "        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:",
        f"            fakes = generator(latent_vectors, {g_training})",
        f"            real_logits = discriminator(real_images, {d_training})",
        f"            fake_logits = discriminator(fakes, {d_training})",
        f"            discriminator_loss = cross_entropy(tf.ones_like(real_logits) * ({smoothing}),",
        "                                               real_logits)",
        f"            discriminator_loss += cross_entropy({d_fake_target}, fake_logits)",
        f"            generator_loss = cross_entropy({g_target}, fake_logits)",
    ]
    if update_generator:
        lines += [
            "        g_vars = generator.trainable_variables",
            "        generator_optimizer.apply_gradients(zip(g_tape.gradient(generator_loss, g_vars), g_vars))",
        ]
    if update_discriminator:
        lines += [
            "        d_vars = discriminator.trainable_variables",
            "        discriminator_optimizer.apply_gradients(",
            "            zip(d_tape.gradient(discriminator_loss, d_vars), d_vars))",
        ]
    lines += ["        return generator_loss, discriminator_loss", "", "    return train_step", ""]
    return "\n".join(lines)


def hinge(
    real_term: str = "tf.nn.relu(1.0 - real_logits)",
    generator_loss: str = "-tf.reduce_mean(fake_logits)",
    training: str = "training=True",
    update_generator: bool = True,
) -> str:
    lines = [
        "def make_hinge_step(generator, discriminator, generator_optimizer, discriminator_optimizer):",
        "    @tf.function",
        "    def train_step(real_images, latent_vectors):",
        "        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:",
        f"            fakes = generator(latent_vectors, {training})",
        f"            real_logits = discriminator(real_images, {training})",
        f"            fake_logits = discriminator(fakes, {training})",
        f"            discriminator_loss = tf.reduce_mean({real_term})",
        "            discriminator_loss += tf.reduce_mean(tf.nn.relu(1.0 + fake_logits))",
        f"            generator_loss = {generator_loss}",
    ]
    if update_generator:
        lines += [
            "        g_vars = generator.trainable_variables",
            "        generator_optimizer.apply_gradients(zip(g_tape.gradient(generator_loss, g_vars), g_vars))",
        ]
    lines += [
        "        d_vars = discriminator.trainable_variables",
        "        discriminator_optimizer.apply_gradients(",
        "            zip(d_tape.gradient(discriminator_loss, d_vars), d_vars))",
        "        return generator_loss, discriminator_loss",
        "",
        "    return train_step",
        "",
    ]
    return "\n".join(lines)


def resize_generator(
    grow: str, last: str = "layers.Conv2D(1, 3, padding='same', activation='tanh')"
) -> str:
    return generator(grow, last).replace("def build_generator", "def build_resize_generator")


RESIZE = "layers.UpSampling2D(2), layers.Conv2D(filters, 3, padding='same')"

WRONG_ANSWERS = {
    "valid_padding_overhang": {
        "answer": "generator_answer",
        "source": generator("layers.Conv2DTranspose(filters, 4, strides=2, padding='valid')"),
        "loses": ["test_generator_shape", "test_generator_range", TRAINED],
    },
    "three_channel_output": {
        "answer": "generator_answer",
        "source": generator(TRANSPOSE, "layers.Conv2D(3, 3, padding='same', activation='tanh')"),
        "loses": ["test_generator_shape", "test_generator_range", TRAINED],
    },
    "sigmoid_output": {
        "answer": "generator_answer",
        "source": generator(TRANSPOSE, "layers.Conv2D(1, 3, padding='same', activation='sigmoid')"),
        "loses": ["test_generator_range"],
        "may_lose": [TRAINED],
    },
    "kernel_5_with_stride_2": {
        "answer": "generator_answer",
        "source": generator("layers.Conv2DTranspose(filters, 5, strides=2, padding='same')"),
        "loses": ["test_generator_layers"],
        "may_lose": [TRAINED],
    },
    "upsampling_instead_of_transpose": {
        "answer": "generator_answer",
        "source": generator(RESIZE),
        "loses": ["test_generator_layers"],
        "may_lose": [TRAINED],
    },
    "discriminator_in_inference_mode": {
        "answer": "train_step_answer",
        "source": step(d_training="training=False"),
        "loses": ["test_step_training_mode"],
        "may_lose": [TRAINED],
    },
    "generator_called_without_training": {
        "answer": "train_step_answer",
        "source": step(g_training=""),
        # Batch normalization at inference also changes the fakes, hence the losses.
        "loses": ["test_step_training_mode", "test_step_losses"],
        "may_lose": ["test_step_updates_discriminator", TRAINED],
    },
    "generator_target_zero": {
        "answer": "train_step_answer",
        "source": step(g_target="tf.zeros_like(fake_logits)"),
        "loses": ["test_step_losses", "test_step_updates_generator", TRAINED],
    },
    "generator_never_updated": {
        "answer": "train_step_answer",
        "source": step(update_generator=False),
        "loses": ["test_step_updates_generator", TRAINED],
    },
    "discriminator_never_updated": {
        "answer": "train_step_answer",
        "source": step(update_discriminator=False),
        "loses": ["test_step_updates_discriminator"],
        "may_lose": [TRAINED],
    },
    "discriminator_calls_fakes_real": {
        "answer": "train_step_answer",
        "source": step(d_fake_target="tf.ones_like(fake_logits)"),
        "loses": ["test_step_losses", "test_step_updates_discriminator", TRAINED],
    },
    "hinge_generator_lowers_the_fakes": {
        "answer": "hinge_step_answer",
        "source": hinge(generator_loss="tf.reduce_mean(fake_logits)"),
        "loses": ["test_hinge_losses", "test_hinge_updates"],
    },
    "hinge_real_term_sign": {
        "answer": "hinge_step_answer",
        "source": hinge(real_term="tf.nn.relu(1.0 + real_logits)"),
        "loses": ["test_hinge_losses"],
        "may_lose": ["test_hinge_updates"],
    },
    "hinge_in_inference_mode": {
        "answer": "hinge_step_answer",
        "source": hinge(training="training=False"),
        # The generator's batch normalization at inference changes the fakes, hence the losses.
        "loses": ["test_hinge_losses", "test_hinge_updates"],
    },
    "hinge_generator_never_updated": {
        "answer": "hinge_step_answer",
        "source": hinge(update_generator=False),
        "loses": ["test_hinge_updates"],
    },
    "resize_keeps_a_transpose": {
        "answer": "resize_generator_answer",
        "source": resize_generator(
            "layers.UpSampling2D(2), layers.Conv2DTranspose(filters, 3, padding='same')"
        ),
        "loses": ["test_resize_generator"],
    },
    "resize_with_sigmoid": {
        "answer": "resize_generator_answer",
        "source": resize_generator(
            RESIZE, "layers.Conv2D(1, 3, padding='same', activation='sigmoid')"
        ),
        "loses": ["test_resize_generator"],
    },
    "barely_trained": {
        "answer": "train_answer",
        "source": (
            "generator = build_generator(64)\n"
            "trainer = GanTrainer(generator, build_discriminator(), digits.images, PLAIN_RECIPE,\n"
            "                     seed=0, make_step=make_train_step)\n"
            "trainer.train(steps=5)\n"
        ),
        "loses": [TRAINED],
    },
    "trainer_never_run": {
        "answer": "train_answer",
        "source": (
            "generator = build_generator(64)\n"
            "trainer = GanTrainer(generator, build_discriminator(), digits.images, PLAIN_RECIPE,\n"
            "                     seed=0, make_step=make_train_step)\n"
        ),
        "loses": [TRAINED],
    },
}

UNUSUAL_ANSWERS = {
    "generator_as_a_sequential_model": {
        "answer": "generator_answer",
        "source": generator("layers.Conv2DTranspose(filters, 2, strides=2)"),
    },
    "alternating_step_with_fresh_latents": {
        # The textbook order: the discriminator first, then the generator against the updated
        # discriminator, on latent vectors of its own.
        "answer": "train_step_answer",
        "source": (
            "import tensorflow as tf\n"
            "\n"
            "\n"
            "def make_train_step(generator, discriminator, generator_optimizer,\n"
            "                    discriminator_optimizer, label_smoothing=0.1):\n"
            "    bce = keras.losses.BinaryCrossentropy(from_logits=True)\n"
            "\n"
            "    @tf.function\n"
            "    def train_step(real_images, latent_vectors):\n"
            "        with tf.GradientTape() as tape:\n"
            "            fakes = generator(latent_vectors, training=True)\n"
            "            real = discriminator(real_images, training=True)\n"
            "            fake = discriminator(fakes, training=True)\n"
            "            discriminator_loss = bce(tf.fill(tf.shape(real), 1.0 - label_smoothing), real)\n"
            "            discriminator_loss += bce(tf.zeros_like(fake), fake)\n"
            "        d_vars = discriminator.trainable_variables\n"
            "        discriminator_optimizer.apply_gradients(zip(tape.gradient(discriminator_loss, d_vars), d_vars))\n"
            "        fresh = tf.random.normal(tf.shape(latent_vectors))\n"
            "        with tf.GradientTape() as tape:\n"
            "            logits = discriminator(generator(fresh, training=True), training=True)\n"
            "            generator_loss = bce(tf.ones_like(logits), logits)\n"
            "        g_vars = generator.trainable_variables\n"
            "        generator_optimizer.apply_gradients(zip(tape.gradient(generator_loss, g_vars), g_vars))\n"
            "        return generator_loss, discriminator_loss\n"
            "\n"
            "    return train_step\n"
        ),
    },
    "hinge_generator_first_with_keras_ops": {
        "answer": "hinge_step_answer",
        "source": (
            "def make_hinge_step(generator, discriminator, generator_optimizer, discriminator_optimizer):\n"
            "    ops = keras.ops\n"
            "\n"
            "    @tf.function\n"
            "    def train_step(real_images, latent_vectors):\n"
            "        with tf.GradientTape() as tape:\n"
            "            generator_loss = -ops.mean(discriminator(generator(latent_vectors, training=True), training=True))\n"
            "        g_vars = generator.trainable_variables\n"
            "        generator_optimizer.apply_gradients(zip(tape.gradient(generator_loss, g_vars), g_vars))\n"
            "        with tf.GradientTape() as tape:\n"
            "            fakes = generator(latent_vectors, training=True)\n"
            "            discriminator_loss = ops.mean(ops.relu(1 - discriminator(real_images, training=True)))\n"
            "            discriminator_loss += ops.mean(ops.relu(1 + discriminator(fakes, training=True)))\n"
            "        d_vars = discriminator.trainable_variables\n"
            "        discriminator_optimizer.apply_gradients(zip(tape.gradient(discriminator_loss, d_vars), d_vars))\n"
            "        return generator_loss, discriminator_loss\n"
            "\n"
            "    return train_step\n"
        ),
    },
    "resize_with_bilinear_and_kernel_5": {
        "answer": "resize_generator_answer",
        "source": resize_generator(
            "layers.UpSampling2D(2, interpolation='bilinear'), layers.Conv2D(filters, 5, padding='same')"
        ),
    },
    "training_with_keywords": {
        "answer": "train_answer",
        "source": (
            "make_reproducible(0)\n"
            "generator = build_generator(latent_dim=64)\n"
            "trainer = GanTrainer(generator=generator, discriminator=build_discriminator(),\n"
            "                     images=digits.images, recipe=PLAIN_RECIPE, seed=0,\n"
            "                     make_step=make_train_step)\n"
            "trainer.train(steps=TRAINING_STEPS)\n"
        ),
    },
}
