"""Artifacts in the spectrum: the azimuthally averaged power spectrum of images, and a score from it.

An upsampling layer with stride 2 that draws a period-2 pattern puts power
at half the sampling rate (0.5 cycles per pixel); the first of the lab's two
upsampling steps, at 14 x 14, does so at 0.25 cycles per pixel of the final
28 x 28 image. Detectors of generated images look for such peaks (Durall,
Keuper and Keuper, CVPR 2020; Frank et al., ICML 2020). Averaging the 2-D
power spectrum over rings of equal frequency gives one curve per batch of
images that can be drawn next to the real digits' curve.

Used by *Checkerboard artifacts* (``book/checkerboard_artifacts.md``) and
``benchmarks/lab_ablations.py``.
"""

from __future__ import annotations

import numpy as np

# Rings at or above this frequency (cycles per pixel) hold the stride
# frequencies of both of the lab's upsampling steps (0.25 and 0.5).
HIGH_FREQUENCY = 0.25


def _check_batch(images) -> np.ndarray:
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1] != images.shape[2] or images.shape[1] < 4:
        raise ValueError(
            f"expected a batch of square grey images (N, H, H) or (N, H, H, 1), got {images.shape}"
        )
    if not np.all(np.isfinite(images)):
        raise ValueError("images contain NaN or infinite values")
    return images


def radial_power_spectrum(images) -> tuple[np.ndarray, np.ndarray]:
    """``(frequencies, power)``: the mean power of the images' 2-D spectrum on rings of equal frequency.

    Each image has its mean removed (the zero frequency would dwarf the
    rest), is Fourier transformed, and its squared magnitude is averaged
    over the batch. Ring ``r`` holds the frequencies whose distance from
    zero, in units of ``1 / H`` cycles per pixel, rounds to ``r``; the rings
    run from 1 to the corner of the spectrum. Ring ``H / 2`` (0.5 cycles per
    pixel) holds stripes of period 2 along one axis; a checkerboard, period 2
    along both axes, lies in the corner ring near ``0.5 * sqrt(2)``. The rings
    beyond ``H / 2`` are only partly inside the spectrum; each is the mean
    of the frequencies it has.
    """
    return radial_average(power_spectrum_2d(images))


def power_spectrum_2d(images) -> np.ndarray:
    """The batch's mean 2-D power spectrum (H, H), unshifted, each image's mean removed first."""
    images = _check_batch(images)
    size = images.shape[1]
    centred = images - images.mean(axis=(1, 2), keepdims=True)
    return np.mean(np.abs(np.fft.fft2(centred)) ** 2, axis=0) / size**2


def radial_average(power: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(frequencies, ring means)`` of an unshifted square 2-D power spectrum (see above)."""
    power = np.asarray(power, dtype=np.float64)
    size = power.shape[0]
    frequency = np.fft.fftfreq(size) * size
    ring = np.rint(np.hypot(*np.meshgrid(frequency, frequency, indexing="ij"))).astype(int)
    rings = np.arange(1, ring.max() + 1)
    mean_power = np.array([power[ring == r].mean() for r in rings])
    return rings / size, mean_power


def spectrum_log_ratio(generated, real) -> tuple[np.ndarray, np.ndarray]:
    """``(frequencies, log10(generated power / real power))`` per ring: 0 where they agree."""
    frequencies, generated_power = radial_power_spectrum(generated)
    _, real_power = radial_power_spectrum(real)
    if len(generated_power) != len(real_power):
        raise ValueError("generated and real images must have the same size")
    tiny = np.finfo(np.float64).tiny
    return frequencies, np.log10((generated_power + tiny) / (real_power + tiny))


def spectral_artifact_score(generated, real, high_frequency: float = HIGH_FREQUENCY) -> float:
    """Mean absolute ``log10`` power ratio, generated against real, over rings at or above ``high_frequency``.

    0 when the generated digits have the real digits' high-frequency
    spectrum; 1 means a factor of ten too much (grid-like detail) or too
    little (blur) on average. It says nothing about the digits' shapes:
    the quality score judges those.
    """
    frequencies, ratio = spectrum_log_ratio(generated, real)
    chosen = frequencies >= high_frequency
    return float(np.mean(np.abs(ratio[chosen])))
