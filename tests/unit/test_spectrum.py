"""upsampling_course.spectrum: the ring-averaged power spectrum and the spectral artifact score."""

from __future__ import annotations

import numpy as np
import pytest

from upsampling_course.spectrum import (
    radial_power_spectrum,
    spectral_artifact_score,
    spectrum_log_ratio,
)


def smooth_images(count=16, size=28, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.normal(size=(count, size + 8, size + 8))
    for _ in range(3):
        images = sum(
            np.roll(images, (dy, dx), axis=(1, 2)) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
        )
    return images[:, 4:-4, 4:-4] / images.std()


def test_rings_run_from_one_step_to_the_corner_of_the_spectrum():
    frequencies, power = radial_power_spectrum(smooth_images())
    assert frequencies[0] == pytest.approx(1 / 28)
    assert frequencies[-1] == pytest.approx(round(14 * np.sqrt(2)) / 28)
    assert np.all(power > 0)


def test_a_checkerboard_puts_its_power_in_the_corner_and_stripes_at_half_the_rate():
    board = np.indices((28, 28)).sum(axis=0) % 2 * 2.0 - 1
    frequencies, power = radial_power_spectrum(board[None])
    assert frequencies[np.argmax(power)] == pytest.approx(round(14 * np.sqrt(2)) / 28)
    assert np.count_nonzero(power > 1e-9) == 1
    stripes = np.tile(np.array([1.0, -1.0]), 14)[None, None, :].repeat(28, axis=1)
    frequencies, power = radial_power_spectrum(stripes)
    assert frequencies[np.argmax(power)] == pytest.approx(0.5)
    # A period-4 stripe pattern sits at 0.25 cycles per pixel.
    stripes = np.tile(np.array([1.0, 1.0, -1.0, -1.0]), 7)[None, None, :].repeat(28, axis=1)
    frequencies, power = radial_power_spectrum(stripes)
    assert frequencies[np.argmax(power)] == pytest.approx(0.25)


def test_parseval_total_power_is_the_variance():
    images = np.random.default_rng(1).normal(size=(4, 16, 16))
    centred = images - images.mean(axis=(1, 2), keepdims=True)
    spectrum = np.abs(np.fft.fft2(centred)) ** 2 / 16**2
    assert spectrum.sum(axis=(1, 2)).mean() == pytest.approx((centred**2).sum(axis=(1, 2)).mean())


def test_score_is_zero_for_the_same_images_and_grows_with_a_faint_grid():
    real = smooth_images(seed=0)
    assert spectral_artifact_score(real, real) == 0.0
    board = (np.indices((28, 28)).sum(axis=0) % 2)[None]
    faint = spectral_artifact_score(real + 0.05 * board, real)
    strong = spectral_artifact_score(real + 0.5 * board, real)
    assert 0 < faint < strong
    # Blur is an artifact too: too little high-frequency power also scores.
    blurred = (real + np.roll(real, 1, axis=1) + np.roll(real, 1, axis=2)) / 3
    assert spectral_artifact_score(blurred, real) > 0.05
    # The score does not depend on contrast: both batches scaled alike give the same number.
    assert spectral_artifact_score(3 * blurred, 3 * real) == pytest.approx(
        spectral_artifact_score(blurred, real)
    )


def test_log_ratio_is_per_ring_and_channel_axis_is_optional():
    real = smooth_images()
    frequencies, ratio = spectrum_log_ratio(2 * real[..., None], real)
    assert len(frequencies) == len(ratio) == round(14 * np.sqrt(2))
    np.testing.assert_allclose(ratio, np.log10(4.0))


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.zeros((2, 28, 20)), "square grey images"),
        (np.zeros((28, 28)), "square grey images"),
        (np.full((2, 28, 28), np.nan), "NaN"),
    ],
)
def test_bad_input_is_a_clear_error(images, message):
    with pytest.raises(ValueError, match=message):
        radial_power_spectrum(images)
    with pytest.raises(ValueError, match="same size"):
        spectrum_log_ratio(np.zeros((2, 28, 28)), np.zeros((2, 16, 16)))
