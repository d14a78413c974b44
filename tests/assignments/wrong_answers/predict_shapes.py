"""Plausible wrong answers for solutions/predict_shapes: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks; ``says``
is a phrase the judge's message for that mistake must contain.
``UNUSUAL_ANSWERS`` are correct answers written unlike the solution: they
must keep every point.

Each simulated student has an id of their own, so their stacks differ:
answers read the student's numbers from ``variant`` as a notebook does, and
are wrong in the way their name says for every variant (the classifier's
sides are chosen so that pooling always has a row left over).
tests/support/predict_shapes_class.py builds its class from some of these.
"""

CONV_RULE = (
    "def conv_output_length(size, kernel_size, stride, padding):\n"
    "    if padding == 'same':\n"
    "        return {same}\n"
    "    return {valid}\n"
)
INVERSE = (
    "def input_sides(output_size, kernel_size, stride, padding):\n"
    "    o, k, s = output_size, kernel_size, stride\n"
    "    if padding == 'same':\n"
    "        return {same}\n"
    "    return {valid}\n"
)
VALID_SIDES = "list(range((o - 1) * s + k, (o - 1) * s + k + s))"
SAME_SIDES = "list(range((o - 1) * s + 1, o * s + 1))"
# The classifier, layer by layer, from the student's numbers; {pool}, {strided}, {last} vary.
CLASSIFIER = (
    "n, k, p, f = (variant.classifier_input, variant.classifier_kernel,\n"
    "              variant.classifier_pool, variant.classifier_filters)\n"
    "a = {first}\n"
    "b = {pool}\n"
    "c = {strided}\n"
    "d = {last}\n"
    "classifier_shapes = [(a, a, f), (b, b, f), (c, c, 32), (d, d, 64)]\n"
)
RIGHT_CLASSIFIER = {
    "first": "n - k + 1",
    "pool": "a // p",
    "strided": "-(-b // 2)",
    "last": "c - 2",
}
GENERATOR = (
    "s, ch, k = variant.generator_side, variant.generator_channels, "
    "variant.generator_valid_kernel\n"
    "m = {cropped}\n"
    "u = {up}\n"
    "generator_shapes = [(s * s * ch,), (s, s, ch), (2 * s, 2 * s, u * ch), (2 * s, 2 * s, 128),\n"
    "                    (4 * s, 4 * s, u * 128), (m, m, 64), (2 * m, 2 * m, u * 64),\n"
    "                    (2 * m, 2 * m, 1)]\n"
)
FEATURE = "h, c, u = variant.feature_side, variant.feature_channels, variant.dense_units\n"
BACKWARDS = "first, second, target = variant.backwards\n"


def classifier(**changes: str) -> str:
    return CLASSIFIER.format(**{**RIGHT_CLASSIFIER, **changes})


WRONG_ANSWERS = {
    "valid_treated_as_same": {
        "answer": "classifier_shapes_answer",
        "source": classifier(first="n", last="c"),
        "loses": ["test_classifier_shapes"],
        "says": "'valid' treated as 'same'",
    },
    "pooling_rounds_up": {
        "answer": "classifier_shapes_answer",
        "source": classifier(pool="-(-a // p)"),
        "loses": ["test_classifier_shapes"],
        "says": "pooling rounding up",
    },
    "same_read_as_same_size": {
        "answer": "classifier_shapes_answer",
        "source": classifier(strided="b"),
        "loses": ["test_classifier_shapes"],
        "says": "'same' read as the same size",
    },
    "classifier_shapes_as_floats": {
        "answer": "classifier_shapes_answer",
        "source": classifier()
        + "classifier_shapes = [tuple(float(v) for v in shape) for shape in classifier_shapes]\n",
        "loses": ["test_classifier_shapes"],
        "says": "not an int",
    },
    "valid_ignores_stride": {
        "answer": "conv_output_length_answer",
        "source": CONV_RULE.format(same="-(-size // stride)", valid="size - kernel_size + 1"),
        "loses": ["test_conv_output_length"],
        "says": "the stride forgotten",
    },
    "valid_divides_before_subtracting": {
        "answer": "conv_output_length_answer",
        "source": CONV_RULE.format(
            same="-(-size // stride)", valid="size // stride - kernel_size + 1"
        ),
        "loses": ["test_conv_output_length"],
        "says": "dividing before subtracting",
    },
    "same_padding_rounds_down": {
        "answer": "conv_output_length_answer",
        "source": CONV_RULE.format(
            same="size // stride", valid="(size - kernel_size) // stride + 1"
        ),
        "loses": ["test_conv_output_length_same"],
        "says": "rounding down",
    },
    "same_keeps_the_size": {
        # "same" read as "same size", whatever the stride (the chapter's pitfall box).
        "answer": "conv_output_length_answer",
        "source": CONV_RULE.format(same="size", valid="(size - kernel_size) // stride + 1"),
        "loses": ["test_conv_output_length_same"],
        "says": "'same' read as the same size",
    },
    "square_upsampling_only": {
        "answer": "upsampling_output_shape_answer",
        "source": (
            "def upsampling_output_shape(input_shape, size):\n"
            "    factor = size if isinstance(size, int) else size[0]\n"
            "    height, width, channels = input_shape\n"
            "    return (height * factor, width * factor, channels)\n"
        ),
        "loses": ["test_upsampling_output_shape"],
        "says": "size[0] used for both axes",
    },
    "upsampling_axes_swapped": {
        "answer": "upsampling_output_shape_answer",
        "source": (
            "def upsampling_output_shape(input_shape, size):\n"
            "    rows, cols = (size, size) if isinstance(size, int) else size\n"
            "    height, width, channels = input_shape\n"
            "    return (height * cols, width * rows, channels)\n"
        ),
        "loses": ["test_upsampling_output_shape"],
        "says": "the axes swapped",
    },
    "upsampling_returns_a_list": {
        "answer": "upsampling_output_shape_answer",
        "source": (
            "def upsampling_output_shape(input_shape, size):\n"
            "    rows, cols = (size, size) if isinstance(size, int) else size\n"
            "    return [input_shape[0] * rows, input_shape[1] * cols, input_shape[2]]\n"
        ),
        "loses": ["test_upsampling_output_shape"],
        "says": "is not a tuple",
    },
    "valid_conv_forgotten_in_generator": {
        "answer": "generator_shapes_answer",
        "source": GENERATOR.format(cropped="4 * s", up="1"),
        "loses": ["test_generator_shapes"],
        "says": "'valid' treated as 'same'",
    },
    "upsampling_changes_channels": {
        "answer": "generator_shapes_answer",
        "source": GENERATOR.format(cropped="4 * s - k + 1", up="2"),
        "loses": ["test_generator_shapes"],
        "says": "the channels scaled too",
    },
    "inverse_valid_smallest_only": {
        "answer": "input_sides_answer",
        "source": INVERSE.format(same=SAME_SIDES, valid="[(o - 1) * s + k]"),
        "loses": ["test_input_sides_valid"],
        "says": "only the smallest side",
    },
    "inverse_valid_one_too_many": {
        "answer": "input_sides_answer",
        "source": INVERSE.format(
            same=SAME_SIDES, valid="list(range((o - 1) * s + k, o * s + k + 1))"
        ),
        "loses": ["test_input_sides_valid"],
        "says": "one side too many",
    },
    "inverse_same_largest_only": {
        "answer": "input_sides_answer",
        "source": INVERSE.format(same="[o * s]", valid=VALID_SIDES),
        "loses": ["test_input_sides_same"],
        "says": "only the largest side",
    },
    "inverse_same_with_the_valid_rule": {
        "answer": "input_sides_answer",
        "source": INVERSE.format(same=VALID_SIDES, valid=VALID_SIDES),
        "loses": ["test_input_sides_same"],
        "says": "the 'valid' rule's sides",
    },
    "parameters_without_bias": {
        "answer": "parameter_counts_answer",
        "source": FEATURE + "dense_parameters = c * u\n",
        "loses": ["test_dense_parameters"],
        "says": "the bias forgotten",
    },
    "dense_on_the_flattened_map": {
        "answer": "parameter_counts_answer",
        "source": FEATURE + "dense_parameters = h * h * c * u + u\n",
        "loses": ["test_dense_parameters"],
        "says": "the feature map flattened first",
    },
    "dense_per_position": {
        "answer": "parameter_counts_answer",
        "source": FEATURE + "dense_parameters = h * h * (c * u + u)\n",
        "loses": ["test_dense_parameters"],
        "says": "one Dense layer per position",
    },
    "start_side_without_the_valid_convolutions": {
        "answer": "backwards_answer",
        "source": BACKWARDS + "start_side = target // 4\n",
        "loses": ["test_start_side"],
        "says": "the 'valid' convolutions forgotten",
    },
    "valid_convolutions_undone_after_upsampling": {
        "answer": "backwards_answer",
        "source": BACKWARDS + "start_side = (target // 2 + second - 1) // 2 + first - 1\n",
        "loses": ["test_start_side"],
        "says": "undone after its upsampling",
    },
}

UNUSUAL_ANSWERS = {
    "classifier_shapes_in_a_loop_shadowing_max": {
        "answer": "classifier_shapes_answer",
        "source": (
            "max = None  # a top-level name that shadows a builtin is graded normally\n"
            "side, shapes = variant['classifier_input'], []\n"
            "for rule, channels in [\n"
            "    (lambda n: n - variant.classifier_kernel + 1, variant.classifier_filters),\n"
            "    (lambda n: n // variant.classifier_pool, variant.classifier_filters),\n"
            "    (lambda n: (n + 1) // 2, 32),\n"
            "    (lambda n: n - 2, 64),\n"
            "]:\n"
            "    side = rule(side)\n"
            "    shapes.append((side, side, channels))\n"
            "classifier_shapes = tuple(shapes)\n"
        ),
    },
    "conv_rule_with_math_ceil": {
        "answer": "conv_output_length_answer",
        "source": (
            "import math\n"
            "\n"
            "sum = 0\n"
            "\n"
            "\n"
            "def conv_output_length(size, kernel_size, stride, padding):\n"
            "    if padding == 'valid':\n"
            "        return math.floor((size - kernel_size) / stride) + 1\n"
            "    return math.ceil(size / stride)\n"
        ),
    },
    "upsampling_with_numpy": {
        "answer": "upsampling_output_shape_answer",
        "source": (
            "import numpy as np\n"
            "\n"
            "input = (1, 1, 1)\n"
            "\n"
            "\n"
            "def upsampling_output_shape(input_shape, size):\n"
            "    factors = np.broadcast_to(np.asarray(size), (2,))\n"
            "    scaled = np.asarray(input_shape[:2]) * factors\n"
            "    return (int(scaled[0]), int(scaled[1]), int(input_shape[2]))\n"
        ),
    },
    "generator_shapes_computed_in_a_loop": {
        "answer": "generator_shapes_answer",
        "source": (
            "min = 1\n"
            "s, ch = variant.generator_side, variant.generator_channels\n"
            "generator_shapes = [(s * s * ch,), (s, s, ch)]\n"
            "for kind, value in [('up', 2), ('conv', 128), ('up', 2),\n"
            "                    ('valid', 64), ('up', 2), ('conv', 1)]:\n"
            "    h, w, c = generator_shapes[-1]\n"
            "    if kind == 'up':\n"
            "        generator_shapes.append((h * value, w * value, c))\n"
            "    elif kind == 'valid':\n"
            "        cut = variant.generator_valid_kernel - min\n"
            "        generator_shapes.append((h - cut, w - cut, value))\n"
            "    else:\n"
            "        generator_shapes.append((h, w, value))\n"
        ),
    },
    "input_sides_by_search": {
        # Uses the notebook's own rule of question 2: the judge calls it in the kernel.
        "answer": "input_sides_answer",
        "source": (
            "id = 'a top-level name that shadows a builtin'\n"
            "\n"
            "\n"
            "def input_sides(output_size, kernel_size, stride, padding):\n"
            "    first = 1 if padding == 'same' else kernel_size\n"
            "    return [n for n in range(first, (output_size + 1) * stride + kernel_size)\n"
            "            if conv_output_length(n, kernel_size, stride, padding) == output_size]\n"
        ),
    },
    "parameter_count_as_a_product": {
        "answer": "parameter_counts_answer",
        "source": (
            "import numpy as np\n"
            "\n"
            "dense_parameters = int(np.prod([variant.feature_channels + 1, variant.dense_units]))\n"
        ),
    },
    "start_side_solved_by_search": {
        "answer": "backwards_answer",
        "source": (
            "first, second, target = variant.backwards\n"
            "start_side = next(\n"
            "    s for s in range(1, 65)\n"
            "    if conv_output_length(2 * conv_output_length(2 * s, first, 1, 'valid'),\n"
            "                          second, 1, 'valid') == target\n"
            ")\n"
        ),
    },
}
