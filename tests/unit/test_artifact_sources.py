"""upsampling_course.artifact_sources: the two sources of checkerboard artifacts, on random inputs."""

from __future__ import annotations

import numpy as np
import pytest

from upsampling_course.artifact_sources import (
    interior,
    noise_floor,
    source_scores,
    trained_to_resize,
    upsampling_stack,
)

SEEDS = range(3)


def test_ones_kernel_separates_uneven_from_even_overlap():
    # Structure alone: kernel 3 (uneven) draws a strong pattern, kernel 4 and resize do not.
    uneven = source_scores(3, kernel="ones", seeds=SEEDS)
    even = source_scores(4, kernel="ones", seeds=SEEDS)
    resize = source_scores(3, method="resize", kernel="ones", seeds=SEEDS)
    assert uneven.min() > 0.5
    assert even.max() < 0.05 and resize.max() < 0.05


def test_random_sub_kernels_draw_a_pattern_even_when_kernel_equals_stride():
    floor = np.median(noise_floor(12 * 2 - 2 * 2, seeds=SEEDS))
    scores = source_scores(2, kernel="random", seeds=SEEDS)
    assert np.median(scores) > 5 * floor
    # One kernel for every output pixel: no pattern beyond the floor.
    assert np.median(source_scores(3, method="resize", seeds=SEEDS)) < 2 * floor


def test_a_stack_is_scored_at_its_period_and_keeps_the_structural_pattern():
    stack = upsampling_stack(3, depth=2, kernel="ones")
    assert tuple(stack(np.ones((1, 5, 5, 4), "float32")).shape) == (1, 20, 20, 4)
    assert source_scores(3, kernel="ones", depth=2, seeds=range(2)).min() > 0.5
    assert source_scores(4, kernel="ones", depth=2, seeds=range(2)).max() < 0.05


def test_training_can_equalize_even_sub_kernels_but_not_uneven_ones():
    even = trained_to_resize(4, seed=0, steps=300)
    uneven = trained_to_resize(3, seed=0, steps=300)
    assert uneven > 2 * even


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="method must be one of"):
        upsampling_stack(3, method="bilinear")
    with pytest.raises(ValueError, match="kernel must be one of"):
        upsampling_stack(3, kernel="zeros")
    with pytest.raises(ValueError, match="depth must be a positive integer"):
        upsampling_stack(3, depth=0)
    with pytest.raises(ValueError, match="seeds must name"):
        source_scores(3, seeds=[])
    with pytest.raises(ValueError, match="leaves nothing"):
        interior(np.zeros((1, 6, 6, 1)), 3)
