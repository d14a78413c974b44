"""upsampling_course.artifact_sources: phase gains, the condition the checkerboard chapter teaches.

A stride-s upsampling layer gives a flat output on a flat input exactly when
its output phases have equal gains (sums of their sub-kernels). These tests
pin the facts the chapter states: the tent kernel meets the condition with
kernel 3, a resize-convolution meets it whatever its weights although its
sub-kernels differ, ICNR meets it at the start, random weights do not, and
kernel 3 cannot copy a target that needs two taps in every phase.
"""

from __future__ import annotations

import numpy as np
import pytest

from upsampling_course.artifact_sources import (
    best_copy_error,
    constant_input_scores,
    impulse_response,
    noise_floor,
    phase_gains,
    source_scores,
    sub_kernels,
    trained_copy,
    trained_to_resize,
    upsampling_stack,
)
from upsampling_course.artifacts import step_unevenness
from upsampling_course.keras_setup import keras_module

SEEDS = range(3)
BLUR = np.array([1, 3, 3, 1]) / 4  # nearest x2, then [1, 2, 1] / 4, along one axis
TENT = np.array([0.5, 1.0, 0.5])  # linear interpolation at stride 2


def test_the_tent_kernel_gives_kernel_3_equal_gains_and_a_flat_output():
    keras_module().utils.set_random_seed(0)
    response = impulse_response(upsampling_stack(3, 2, channels=1, kernel="bilinear"))
    gains = phase_gains(response)
    assert np.ptp(gains) < 1e-6 * np.abs(gains).max()
    assert constant_input_scores(3, kernel="bilinear", seeds=SEEDS).max() < 1e-9


def test_a_resize_convolution_has_different_sub_kernels_with_equal_sums():
    for seed in SEEDS:
        keras_module().utils.set_random_seed(seed)
        model = upsampling_stack(3, 2, method="resize", channels=1)
        response = impulse_response(model)
        subs = sub_kernels(response)
        assert sorted(subs) == [(0, 0), (0, 1), (1, 0), (1, 1)]
        assert all(taps.shape == (2, 2) for taps in subs.values())
        first, *others = subs.values()
        assert all(not np.allclose(first, other) for other in others)
        total = model.get_weights()[0].sum()
        assert np.allclose(phase_gains(response), total, atol=1e-5)


def test_random_weights_never_start_with_equal_gains_but_resize_and_icnr_always_do():
    for size, method in [(3, "transpose"), (4, "transpose"), (3, "subpixel")]:
        assert constant_input_scores(size, method=method, seeds=SEEDS).min() > 0.1
    assert constant_input_scores(3, method="resize", seeds=SEEDS).max() < 1e-9
    assert constant_input_scores(3, method="subpixel", kernel="icnr", seeds=SEEDS).max() < 1e-9


def test_a_sub_pixel_stack_doubles_the_size():
    model = upsampling_stack(3, 2, depth=2, method="subpixel", channels=2)
    assert tuple(model(np.ones((1, 5, 5, 2), "float32")).shape) == (1, 20, 20, 2)


def test_kernel_3_cannot_copy_the_blur_but_can_copy_linear_interpolation():
    assert best_copy_error(3, BLUR) > 0.1
    assert best_copy_error(4, BLUR) < 1e-9
    assert best_copy_error(3, TENT) < 1e-9
    assert best_copy_error(2, TENT) > 0.1


def test_training_kernel_3_towards_linear_interpolation_removes_the_pattern():
    assert trained_to_resize(3, seed=0, steps=300, target="linear") < 0.003
    assert trained_to_resize(3, seed=0, steps=300, target="blur") > 0.03


def test_kernel_4_learns_the_blur_exactly_and_scores_what_the_target_scores():
    # The chapter's reading of the training table: kernel 4's score is the target's own,
    # not a pattern; kernel 3 keeps unequal gains and scores several times the target.
    even = trained_copy(4, seed=0, steps=300)
    assert even["relative_error"] < 1e-4 and even["gain_spread"] < 1e-4
    assert even["score"] == pytest.approx(even["target_score"], rel=1e-3)
    uneven = trained_copy(3, seed=0, steps=300)
    assert uneven["gain_spread"] > 0.1 and uneven["score"] > 5 * uneven["target_score"]


def test_the_noise_floor_depends_on_the_size_scored():
    small = np.median(noise_floor(8, channels=1, images=16, seeds=SEEDS))
    large = np.median(noise_floor(32, channels=1, images=16, seeds=SEEDS))
    assert small > 10 * large


def test_each_channel_of_a_random_transposed_layer_is_scored_on_its_own():
    # Pooled over channels, patterns of opposite sign cancel; per channel they do not.
    pooled = source_scores(3, seeds=SEEDS, per_channel=False)
    each = source_scores(3, seeds=SEEDS)
    assert np.median(each) > 2 * np.median(pooled)
    assert source_scores(3, method="resize", seeds=SEEDS).max() < np.median(
        noise_floor(16, seeds=SEEDS)
    )


def test_step_unevenness_tells_a_ramp_from_a_staircase():
    ramp = np.arange(10.0)[None, :, None, None] * np.ones((1, 1, 3, 2))
    assert np.allclose(step_unevenness(ramp), 0)
    staircase = np.repeat(np.arange(5.0), 2)[None, :, None, None] * np.ones((1, 1, 3, 2))
    assert np.allclose(step_unevenness(staircase), 1)
    assert step_unevenness(np.ones((2, 6, 4, 3)), axis=2).shape == (2, 3)
    flat_steps = np.cumsum(np.tile([1.0, 3.0], 5))[None, None, :, None]
    assert step_unevenness(flat_steps, axis=2)[0, 0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="axis"):
        step_unevenness(ramp, axis=3)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="transposed convolution only"):
        upsampling_stack(3, method="resize", kernel="bilinear")
    with pytest.raises(ValueError, match="sub-pixel convolution only"):
        upsampling_stack(3, method="transpose", kernel="icnr")
    with pytest.raises(ValueError, match="zero everywhere"):
        sub_kernels(np.zeros((6, 6)))
    with pytest.raises(ValueError, match="target must be"):
        trained_to_resize(3, steps=1, target="bicubic")
    with pytest.raises(ValueError, match="seeds must name"):
        constant_input_scores(3, seeds=[])
