"""Plausible wrong answers for solutions/mnist_generator_lab: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks, ``says`` a phrase the judge's message must contain;
``may_lose`` the cells whose outcome the mistake leaves open (whether a
generator or a hinge step with that mistake still trains past the threshold);
every other test cell must keep full marks. Answers read the student's
variant (``variant[...]``) where the right answer depends on it, since every
simulated student has an id, and so a variant, of its own.
``UNUSUAL_ANSWERS`` are correct answers written unlike the solution: they
must keep every point (one shadows builtins at the top level).

The training cell trains the generator of part 1 with the hinge step, so a
wrong generator or hinge step may also fail it: ``SHARED_CELLS`` may be lost
by more than one packed answer (tests/assignments/test_assignments.py),
which keeps the lab to a few graded notebooks. Training is the costly cell
(300 steps): ``FILLERS`` gives every wrong-answer student who hands in no
training answer a training cell that builds the trainer and never trains (it
loses the training cell, and the judge sees 0 steps at once), so only the
perfect submission, the unusual one and the training answers run steps.
"""

SHARED_CELLS = {"test_trained_generator"}
TRAINED = "test_trained_generator"
KERNEL = '2 * ((variant["kernel_at_least"] + 1) // 2)'


def generator(grow: str, last: str = "layers.Conv2D(1, 3, padding='same', activation='tanh')"):
    """A build_generator whose two growing steps are `grow` (formatted with the filters)."""
    return (
        "def build_generator(latent_dim=64):\n"
        f"    kernel = {KERNEL}\n"
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


TRANSPOSE = "layers.Conv2DTranspose(filters, kernel, strides=2, padding='same')"


def step(
    smoothing: str = "1.0 - label_smoothing",
    g_target: str = "tf.ones_like(fake_logits)",
    update_generator: bool = True,
    update_discriminator: bool = True,
) -> str:
    """A make_train_step with two tapes, one mistake switched on by the arguments."""
    lines = [
        "def make_train_step(generator, discriminator, generator_optimizer,",
        "                    discriminator_optimizer, label_smoothing=0.1):",
        "    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)",
        "",
        "    @tf.function",
        "    def train_step(real_images, latent_vectors):",
        "        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:",
        "            fakes = generator(latent_vectors, training=True)",
        "            real_logits = discriminator(real_images, training=True)",
        "            fake_logits = discriminator(fakes, training=True)",
        f"            discriminator_loss = cross_entropy(tf.ones_like(real_logits) * ({smoothing}),",
        "                                               real_logits)",
        "            discriminator_loss += cross_entropy(tf.zeros_like(fake_logits), fake_logits)",
        f"            generator_loss = cross_entropy({g_target}, fake_logits)",
    ]
    lines += _updates(update_generator, update_discriminator)
    return "\n".join(lines)


def _updates(update_generator: bool, update_discriminator: bool) -> list[str]:
    lines = []
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
    return lines + [
        "        return generator_loss, discriminator_loss",
        "",
        "    return train_step",
        "",
    ]


def hinge(
    real_term: str = "tf.nn.relu(m - real_logits)",
    generator_loss: str = "-tf.reduce_mean(fake_logits)",
    g_call: str = "generator(latent_vectors, training=True)",
    d_training: str = "training=True",
    update_discriminator: bool = True,
    update_generator: bool = True,
) -> str:
    lines = [
        "def make_hinge_step(generator, discriminator, generator_optimizer, discriminator_optimizer,",
        "                    label_smoothing=0.0):",
        '    m = variant["hinge_margin"]',
        "",
        "    @tf.function",
        "    def train_step(real_images, latent_vectors):",
        "        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:",
        f"            fakes = {g_call}",
        f"            real_logits = discriminator(real_images, {d_training})",
        f"            fake_logits = discriminator(fakes, {d_training})",
        f"            discriminator_loss = tf.reduce_mean({real_term})",
        "            discriminator_loss += tf.reduce_mean(tf.nn.relu(m + fake_logits))",
        f"            generator_loss = {generator_loss}",
    ]
    return "\n".join(lines + _updates(update_generator, update_discriminator))


def resize_generator(
    grow: str, last: str = "layers.Conv2D(1, 3, padding='same', activation='tanh')"
):
    return generator(grow, last).replace("def build_generator", "def build_resize_generator")


RESIZE = "layers.UpSampling2D(2), layers.Conv2D(filters, 3, padding='same')"


def letter_of(statement: int) -> str:
    return f'why_resize = "ABCD"[variant["statement_order"].index("{statement}")]\n'


def train(steps: str, run: bool = True) -> str:
    source = (
        "generator = build_generator(64)\n"
        "trainer = GanTrainer(generator, build_discriminator(), digits.images, PLAIN_RECIPE,\n"
        "                     seed=0, make_step=make_hinge_step)\n"
    )
    return source + (f"trainer.train(steps={steps})\n" if run else "")


WRONG_ANSWERS = {
    "valid_padding_overhang": {
        "answer": "generator_answer",
        "source": generator("layers.Conv2DTranspose(filters, kernel, strides=2)"),
        "loses": ["test_generator_shape"],
        "may_lose": [TRAINED],
    },
    "three_channel_output": {
        "answer": "generator_answer",
        "source": generator(TRANSPOSE, "layers.Conv2D(3, 3, padding='same', activation='tanh')"),
        "loses": ["test_generator_shape"],
        "may_lose": [TRAINED],
    },
    "sigmoid_output": {
        "answer": "generator_answer",
        "source": generator(TRANSPOSE, "layers.Conv2D(1, 3, padding='same', activation='sigmoid')"),
        "loses": ["test_generator_range"],
        "says": "not sigmoid",
        "may_lose": [TRAINED],
    },
    "linear_output": {
        "answer": "generator_answer",
        "source": generator(TRANSPOSE, "layers.Conv2D(1, 3, padding='same')"),
        "loses": ["test_generator_range"],
        "says": "end with tanh",
        "may_lose": [TRAINED],
    },
    "kernel_at_least_taken_as_the_kernel": {
        # kernel_at_least is odd: with stride 2 it overlaps unevenly.
        "answer": "generator_answer",
        "source": generator(
            "layers.Conv2DTranspose(filters, variant['kernel_at_least'], strides=2, padding='same')"
        ),
        "loses": ["test_generator_layers"],
        "says": "overlap unevenly",
    },
    "upsampling_instead_of_transpose": {
        "answer": "generator_answer",
        "source": generator(RESIZE),
        "loses": ["test_generator_layers"],
        "says": "UpSampling2D",
    },
    "no_label_smoothing": {
        "answer": "train_step_answer",
        "source": step(smoothing="1.0"),
        "loses": ["test_step_losses"],
        "says": "no label smoothing",
    },
    "generator_target_zero": {
        "answer": "train_step_answer",
        "source": step(g_target="tf.zeros_like(fake_logits)"),
        "loses": ["test_step_losses", "test_step_updates"],
        "says": "the generator's target 0",
    },
    "generator_never_updated": {
        "answer": "train_step_answer",
        "source": step(update_generator=False),
        "loses": ["test_step_updates"],
        "says": "was not updated",
    },
    "discriminator_never_updated": {
        "answer": "train_step_answer",
        "source": step(update_discriminator=False),
        "loses": ["test_step_updates"],
        "says": "was not updated",
    },
    "hinge_without_relu": {
        "answer": "hinge_step_answer",
        "source": hinge(real_term="m - real_logits").replace(
            "tf.reduce_mean(tf.nn.relu(m + fake_logits))", "tf.reduce_mean(m + fake_logits)"
        ),
        "loses": ["test_hinge_losses"],
        "says": "without its relu",
        # Its update lowers the hinge only where the logits are inside the margin.
        "may_lose": ["test_hinge_updates_discriminator", TRAINED],
    },
    "hinge_real_term_sign": {
        "answer": "hinge_step_answer",
        "source": hinge(real_term="tf.nn.relu(m + real_logits)"),
        "loses": ["test_hinge_losses"],
        "says": "the fakes' sign on the real term",
        "may_lose": ["test_hinge_updates_discriminator", TRAINED],
    },
    "hinge_generator_sign_flipped": {
        "answer": "hinge_step_answer",
        "source": hinge(generator_loss="tf.reduce_mean(fake_logits)"),
        "loses": ["test_hinge_losses", "test_hinge_updates_generator"],
        "says": "the sign flipped",
        "may_lose": [TRAINED],
    },
    "hinge_discriminator_in_inference_mode": {
        "answer": "hinge_step_answer",
        "source": hinge(d_training="training=False"),
        "loses": ["test_hinge_training_mode"],
        "says": "inference mode",
        "may_lose": [TRAINED],
    },
    "hinge_generator_called_without_training": {
        "answer": "hinge_step_answer",
        "source": hinge(g_call="generator(latent_vectors)"),
        "loses": ["test_hinge_training_mode"],
        "says": "the generator is called in inference mode",
        "may_lose": ["test_hinge_updates_generator", TRAINED],
    },
    "hinge_generator_never_updated": {
        # (A stop_gradient on the fakes leaves every gradient None: Keras 3's apply_gradients
        # raises, and the whole step fails instead.)
        "answer": "hinge_step_answer",
        "source": hinge(update_generator=False),
        "loses": ["test_hinge_updates_generator"],
        "says": "was not updated",
        "may_lose": [TRAINED],
    },
    "hinge_discriminator_maximises_its_loss": {
        # "The discriminator maximises": the value of the game, not the loss it minimises.
        "answer": "hinge_step_answer",
        "source": hinge().replace(
            "            generator_loss = -tf.reduce_mean(fake_logits)",
            "            discriminator_loss = -discriminator_loss\n"
            "            generator_loss = -tf.reduce_mean(fake_logits)",
        ),
        "loses": ["test_hinge_losses", "test_hinge_updates_discriminator"],
        "says": "negated",
        "may_lose": [TRAINED],
    },
    "hinge_discriminator_never_updated": {
        "answer": "hinge_step_answer",
        "source": hinge(update_discriminator=False),
        "loses": ["test_hinge_updates_discriminator"],
        "says": "was not updated",
        "may_lose": [TRAINED],
    },
    "resize_keeps_a_transpose": {
        "answer": "resize_generator_answer",
        "source": resize_generator(
            "layers.UpSampling2D(2), layers.Conv2DTranspose(filters, 3, padding='same')"
        ),
        "loses": ["test_resize_layers"],
        "says": "keeps a Conv2DTranspose",
    },
    "resize_with_one_upsampling_by_4": {
        "answer": "resize_generator_answer",
        "source": resize_generator("layers.Conv2D(filters, 3, padding='same')").replace(
            "layers.Reshape((7, 7, 64))])",
            "layers.Reshape((7, 7, 64)), layers.UpSampling2D(4)])",
        ),
        "loses": ["test_resize_layers"],
        "says": "two UpSampling2D(2)",
    },
    "resize_with_sigmoid": {
        "answer": "resize_generator_answer",
        "source": resize_generator(
            RESIZE, "layers.Conv2D(1, 3, padding='same', activation='sigmoid')"
        ),
        "loses": ["test_resize_output"],
        "says": "not sigmoid",
    },
    "resize_with_valid_convolutions": {
        "answer": "resize_generator_answer",
        "source": resize_generator("layers.UpSampling2D(2), layers.Conv2D(filters, 3)"),
        "loses": ["test_resize_output"],
    },
    "why_odd_kernels_are_centred": {
        "answer": "why_resize_answer",
        "source": letter_of(1),
        "loses": ["test_why_resize"],
    },
    "why_the_blur_hides_it": {
        "answer": "why_resize_answer",
        "source": letter_of(2),
        "loses": ["test_why_resize"],
    },
    "barely_trained": {
        "answer": "train_answer",
        "source": train("5"),
        "loses": [TRAINED],
    },
    "trainer_never_run": {
        "answer": "train_answer",
        "source": train("", run=False),
        "loses": [TRAINED],
    },
}

UNUSUAL_ANSWERS = {
    "generator_as_a_sequential_model_shadowing_builtins": {
        # Top-level names that shadow builtins are the student's business (issue #32 item 4).
        "answer": "generator_answer",
        "source": "max = 400_000\nmin = 2\nsum = None\nid = 'mine'\ninput = 'latent'\n"
        + generator(TRANSPOSE).replace(KERNEL, 'variant["kernel_at_least"] + 1'),
    },
    "discriminator_first_then_generator": {
        # The textbook order: the discriminator first, then the generator against the updated
        # discriminator, with keras.ops for the losses.
        "answer": "train_step_answer",
        "source": (
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
            "            discriminator_loss = bce(keras.ops.full_like(real, 1.0 - label_smoothing), real)\n"
            "            discriminator_loss += bce(keras.ops.zeros_like(fake), fake)\n"
            "        d_vars = discriminator.trainable_variables\n"
            "        discriminator_optimizer.apply_gradients(zip(tape.gradient(discriminator_loss, d_vars), d_vars))\n"
            "        with tf.GradientTape() as tape:\n"
            "            logits = discriminator(generator(latent_vectors, training=True), training=True)\n"
            "            generator_loss = bce(keras.ops.ones_like(logits), logits)\n"
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
            "def make_hinge_step(generator, discriminator, generator_optimizer, discriminator_optimizer,\n"
            "                    label_smoothing=0.0):\n"
            "    ops, m = keras.ops, variant['hinge_margin']\n"
            "\n"
            "    @tf.function\n"
            "    def train_step(real_images, latent_vectors):\n"
            "        with tf.GradientTape() as tape:\n"
            "            generator_loss = -ops.mean(discriminator(generator(latent_vectors, training=True), training=True))\n"
            "        g_vars = generator.trainable_variables\n"
            "        generator_optimizer.apply_gradients(zip(tape.gradient(generator_loss, g_vars), g_vars))\n"
            "        with tf.GradientTape() as tape:\n"
            "            fakes = generator(latent_vectors, training=True)\n"
            "            discriminator_loss = ops.mean(ops.relu(m - discriminator(real_images, training=True)))\n"
            "            discriminator_loss += ops.mean(ops.relu(m + discriminator(fakes, training=True)))\n"
            "        d_vars = discriminator.trainable_variables\n"
            "        discriminator_optimizer.apply_gradients(zip(tape.gradient(discriminator_loss, d_vars), d_vars))\n"
            "        return generator_loss, discriminator_loss\n"
            "\n"
            "    return train_step\n"
        ),
    },
    "resize_with_bilinear_and_kernel_4": {
        "answer": "resize_generator_answer",
        "source": resize_generator(
            "layers.UpSampling2D(2, interpolation='bilinear'), layers.Conv2D(filters, 4, padding='same')"
        ),
    },
    "why_in_lower_case_with_spaces": {
        "answer": "why_resize_answer",
        "source": 'why_resize = " " + "abcd"[variant["statement_order"].index("0")] + " "\n',
    },
    "training_with_keywords": {
        "answer": "train_answer",
        "source": (
            "make_reproducible(0)\n"
            "generator = build_generator(latent_dim=64)\n"
            "trainer = GanTrainer(generator=generator, discriminator=build_discriminator(),\n"
            "                     images=digits.images, recipe=PLAIN_RECIPE, seed=0,\n"
            "                     make_step=make_hinge_step)\n"
            "trainer.train(steps=TRAINING_STEPS)\n"
        ),
    },
}

FILLERS = {
    # Wrong students' training cell unless they hand in a training answer (module docstring).
    "training_left_for_later": {
        "answer": "train_answer",
        "source": train("", run=False),
        "loses": [TRAINED],
    },
}
