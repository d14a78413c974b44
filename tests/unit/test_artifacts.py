"""Unit tests of upsampling_course.artifacts: overlap counts against real Keras layers,
and the checkerboard score on images with and without a periodic pattern."""

from __future__ import annotations

import numpy as np
import pytest

from upsampling_course import import_keras_quietly
from upsampling_course.artifacts import (
    checkerboard_score,
    layer_artifact_score,
    overlap_count_1d,
    overlap_count_map,
    phase_means,
    phase_score,
)

keras = import_keras_quietly(seed=0)
layers = keras.layers


def _ones_response(layer, input_size: int) -> np.ndarray:
    """What ``layer`` outputs for an all-ones input with all-ones kernels and zero biases."""
    inputs = np.ones((1, input_size, input_size, 1), dtype="float32")
    layer(inputs)  # build
    for weight in layer.weights:
        weight.assign(np.ones(weight.shape) if "kernel" in weight.path else np.zeros(weight.shape))
    return keras.ops.convert_to_numpy(layer(inputs))[0, :, :, 0]


@pytest.mark.parametrize(("kernel", "stride"), [(1, 1), (3, 2), (4, 2), (5, 2), (3, 3), (7, 3)])
def test_transpose_overlap_map_is_keras_output_for_ones(kernel, stride):
    layer = layers.Conv2DTranspose(1, kernel, strides=stride, padding="valid")
    np.testing.assert_array_equal(
        overlap_count_map(kernel, stride, input_size=5), _ones_response(layer, 5)
    )


@pytest.mark.parametrize(("kernel", "factor"), [(1, 2), (3, 2), (4, 2), (5, 3)])
def test_resize_overlap_map_is_keras_output_for_ones(kernel, factor):
    layer = keras.Sequential(
        [layers.UpSampling2D(factor), layers.Conv2D(1, kernel, padding="same")]
    )
    expected = _ones_response(layer, 4)
    np.testing.assert_array_equal(
        overlap_count_map(kernel, factor, input_size=4, method="resize"), expected
    )


def test_overlap_is_even_exactly_when_stride_divides_kernel():
    for kernel in range(1, 9):
        for stride in range(1, 5):
            interior = overlap_count_1d(12, kernel, stride)[kernel:-kernel]
            assert (len(set(interior.tolist())) == 1) == (kernel % stride == 0), (kernel, stride)


def test_overlap_rejects_bad_arguments():
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        overlap_count_map(3, 0)
    with pytest.raises(ValueError, match="method must be one of"):
        overlap_count_map(3, 2, method="bilinear")


def test_phase_means_and_phase_score():
    pattern = np.array([[4.0, 2.0], [2.0, 1.0]])
    tiled = np.tile(pattern, (3, 3))
    np.testing.assert_allclose(phase_means(tiled, 2), pattern)
    assert phase_score(np.ones((6, 6)), 2) == 0.0
    assert phase_score(np.zeros((6, 6)), 2) == 0.0
    expected = np.var(pattern) / np.mean(pattern**2)
    assert phase_score(tiled, 2) == pytest.approx(expected)
    # At most 1, reached when the phases are constant and cancel on average.
    board = np.indices((6, 6)).sum(axis=0) % 2 * 2 - 1.0
    assert phase_score(board, 2) == pytest.approx(1.0)
    one_bright = np.zeros((6, 6))
    one_bright[::2, ::2] = 1
    assert phase_score(one_bright, 2) == pytest.approx(0.75)
    rng = np.random.default_rng(0)
    assert max(phase_score(rng.normal(size=(6, 6)) + rng.normal(), 2) for _ in range(200)) <= 1
    with pytest.raises(ValueError, match="no whole 4 x 4 period"):
        phase_means(np.ones((3, 8)), 4)


def test_layer_artifact_score_is_zero_only_for_resize_convolution():
    assert layer_artifact_score(3, 2, "resize", seeds=[0, 1]) == 0.0
    assert layer_artifact_score(4, 2, "transpose", seeds=[0, 1]) > 0.01
    assert layer_artifact_score(5, 2, "transpose", seeds=[0, 1]) > 0.01


def _smooth_images(rng, count=6, size=28):
    """Smooth random fields: white noise blurred by repeated 3 x 3 box filters."""
    images = rng.normal(size=(count, size + 12, size + 12))
    for _ in range(6):
        images = (
            sum(
                np.roll(np.roll(images, dy, axis=1), dx, axis=2)
                for dy in (-1, 0, 1)
                for dx in (-1, 0, 1)
            )
            / 9
        )
    return images[:, 6:-6, 6:-6, None]


def _checkerboard(size=28, period=2):
    phase = np.indices((size, size)) % period
    return ((phase[0] + phase[1]) % period == 0).astype(float)[None, :, :, None]


def test_checkerboard_score_separates_smooth_images_from_checkerboards():
    rng = np.random.default_rng(0)
    smooth = _smooth_images(rng)
    assert checkerboard_score(smooth) < 0.01
    assert checkerboard_score(_checkerboard()) == pytest.approx(1.0)
    noise = rng.normal(size=(6, 28, 28, 1))
    assert checkerboard_score(noise) < 0.02
    # A faint checkerboard on a smooth image already scores clearly higher.
    faint = smooth + 0.2 * smooth.std() * _checkerboard()
    assert checkerboard_score(faint) > 5 * checkerboard_score(smooth)


def test_checkerboard_score_ignores_contrast_and_brightness():
    rng = np.random.default_rng(1)
    images = _smooth_images(rng, count=3) + 0.1 * _checkerboard()
    assert checkerboard_score(40 * images - 3) == pytest.approx(checkerboard_score(images))
    assert checkerboard_score(images.astype("float32")) == pytest.approx(
        checkerboard_score(images), rel=1e-4
    )


def test_checkerboard_score_pools_channels_unless_asked_per_channel():
    board = 2 * _checkerboard() - 1
    opposite = np.concatenate([board, -board], axis=-1)  # a board and its negative
    assert checkerboard_score(opposite) == pytest.approx(0.0, abs=1e-12)
    assert checkerboard_score(opposite, per_channel=True) == pytest.approx(1.0)
    # One channel scored per channel is the same score; per channel = mean over the channels.
    rng = np.random.default_rng(2)
    images = _smooth_images(rng, count=2) + 0.1 * _checkerboard()
    assert checkerboard_score(images, per_channel=True) == pytest.approx(checkerboard_score(images))
    mixed = np.concatenate([images, 10 * images[::-1]], axis=-1)
    each = [checkerboard_score(mixed[..., c : c + 1]) for c in range(2)]
    assert checkerboard_score(mixed, per_channel=True) == pytest.approx(np.mean(each))


def test_checkerboard_score_sees_only_its_own_period():
    period_three = _checkerboard(size=30, period=3)
    assert checkerboard_score(period_three, stride=3) == pytest.approx(1.0)
    assert checkerboard_score(period_three, stride=2) < 0.1


def test_checkerboard_score_of_flat_and_linear_images_is_zero():
    assert checkerboard_score(np.full((2, 8, 8, 3), 7.0)) == 0.0
    ramp = np.add.outer(np.arange(16.0), 2 * np.arange(16.0))[None, :, :, None]
    assert checkerboard_score(ramp) == pytest.approx(0.0, abs=1e-12)


def test_checkerboard_score_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        checkerboard_score(np.zeros((28, 28)))
    with pytest.raises(ValueError, match="NaN"):
        checkerboard_score(np.full((1, 8, 8, 1), np.nan))
    with pytest.raises(ValueError, match="too small"):
        checkerboard_score(np.zeros((1, 3, 3, 1)))
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        checkerboard_score(np.zeros((1, 8, 8, 1)), stride=0)
    with pytest.raises(ValueError, match="no image"):
        checkerboard_score(np.zeros((0, 8, 8, 1)))
