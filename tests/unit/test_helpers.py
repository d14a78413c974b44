"""Unit tests of the helper package, the shape rules checked against real Keras."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import numpy as np
import pytest

from upsampling_course import (
    conv_output_length,
    import_keras_quietly,
    pool_output_length,
    upsampling_output_length,
)
from upsampling_course.summaries import layer_table, output_shapes

keras = import_keras_quietly(seed=0)
layers = keras.layers


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_output_length_matches_keras(padding):
    for size, kernel, stride, dilation in itertools.product(
        range(1, 13), range(1, 6), range(1, 4), range(1, 3)
    ):
        if padding == "valid" and (kernel - 1) * dilation + 1 > size:
            continue
        if stride > 1 and dilation > 1:
            continue  # Keras forbids strides > 1 together with dilation > 1
        layer = layers.Conv2D(1, kernel, strides=stride, padding=padding, dilation_rate=dilation)
        expected = layer.compute_output_shape((1, size, size, 1))[1]
        assert conv_output_length(size, kernel, stride, padding, dilation) == expected, (
            size,
            kernel,
            stride,
            dilation,
        )


def test_pool_output_length_matches_keras():
    for size, pool, padding in itertools.product(range(2, 16), range(1, 4), ["valid", "same"]):
        if pool > size:
            continue
        expected = layers.MaxPooling2D(pool, padding=padding).compute_output_shape(
            (1, size, size, 1)
        )
        assert pool_output_length(size, pool, padding=padding) == expected[1]


def test_upsampling_output_length_matches_keras():
    for size, factor in itertools.product(range(1, 9), range(1, 4)):
        expected = layers.UpSampling2D(factor).compute_output_shape((1, size, size, 1))[1]
        assert upsampling_output_length(size, factor) == expected


@pytest.mark.parametrize(
    "call",
    [
        lambda: conv_output_length(0, 3),
        lambda: conv_output_length(5, 3, padding="full"),
        lambda: conv_output_length(2, 3),
        lambda: conv_output_length(5, 3, stride=1.5),
        lambda: upsampling_output_length(4, 0),
    ],
)
def test_bad_arguments_raise_clear_errors(call):
    with pytest.raises(ValueError, match="must|needs"):
        call()


def test_layer_table_lists_every_layer_with_its_parameters():
    model = keras.Sequential(
        [
            keras.Input((100,)),
            layers.Dense(3200),
            layers.Reshape((5, 5, 128)),
            layers.UpSampling2D(),
        ]
    )
    table = layer_table(model)
    assert list(table["type"]) == ["Dense", "Reshape", "UpSampling2D"]
    assert list(table["output shape"]) == ["3200", "5 × 5 × 128", "10 × 10 × 128"]
    assert table["parameters"].sum() == model.count_params() == 100 * 3200 + 3200
    assert output_shapes(model) == [(3200,), (5, 5, 128), (10, 10, 128)]


def test_silenced_stderr_fd_hides_writes_from_c_level(tmp_path):
    script = (
        "import os\n"
        "from upsampling_course import silenced_stderr_fd\n"
        "with silenced_stderr_fd():\n"
        "    os.write(2, b'hidden\\n')\n"
        "os.write(2, b'shown\\n')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stderr == "shown\n"


@pytest.mark.slow
def test_import_keras_quietly_prints_nothing_and_seeds():
    script = (
        "from upsampling_course import import_keras_quietly\n"
        "keras = import_keras_quietly(seed=3)\n"
        "print(float(keras.random.uniform(()) ))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
        for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    assert runs[0].stderr == "", f"TensorFlow start-up noise leaked: {runs[0].stderr[:300]}"
    assert runs[0].stdout == runs[1].stdout, "the same seed must give the same numbers"
    assert np.isfinite(float(runs[0].stdout))
