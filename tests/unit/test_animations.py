"""The Conv2DTranspose animations: each step shows the right numbers, and they render."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from upsampling_course.animations import (
    animate_scatter_add,
    animate_zero_insertion,
    animation_html,
    plot_both_views,
    scatter_add_frames,
    zero_insertion_frames,
)
from upsampling_course.numpy_layers import scatter_add_full

IMAGE = np.array([[1.0, 2.0], [3.0, 4.0]])
KERNEL = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0], [3.0, 0.0, 1.0]])


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_both_views_end_at_the_layer_output(stride):
    expected = scatter_add_full(IMAGE[None, :, :, None], KERNEL[:, :, None, None], stride)[
        0, :, :, 0
    ]
    scatter = scatter_add_frames(IMAGE, KERNEL, stride)
    slide = zero_insertion_frames(IMAGE, KERNEL, stride)
    np.testing.assert_allclose(scatter[-1].output, expected)
    np.testing.assert_allclose(slide[-1].output, expected)
    assert len(scatter) == IMAGE.size + 1
    assert len(slide) == expected.size + 1


def test_scatter_steps_add_one_scaled_kernel_each():
    steps = scatter_add_frames(IMAGE, KERNEL, 2)
    assert not steps[0].output.any()
    for before, after in zip(steps[:-1], steps[1:], strict=True):
        top, left = after.corner
        difference = after.output - before.output
        np.testing.assert_allclose(
            difference[top : top + 3, left : left + 3], IMAGE[after.pixel] * KERNEL
        )
        assert difference.sum() == pytest.approx(IMAGE[after.pixel] * KERNEL.sum())
    # kernel 3 > stride 2: the middle row and column are covered by two copies, the centre by four
    assert steps[-1].copies.max() == 4


def test_tiling_when_kernel_equals_stride():
    steps = scatter_add_frames(IMAGE, np.ones((2, 2)), 2)
    assert steps[-1].copies.max() == 1


def test_slide_steps_fill_one_output_at_a_time():
    steps = zero_insertion_frames(IMAGE, KERNEL, 2)
    assert np.isnan(steps[0].output).all()
    filled = [int(np.count_nonzero(~np.isnan(step.output))) for step in steps]
    assert filled == list(range(len(steps)))


def test_animations_render_to_small_html():
    for anim in (animate_scatter_add(IMAGE, KERNEL, 2), animate_zero_insertion(IMAGE, [[1, 2]], 2)):
        markup = animation_html(anim)
        assert "<img" in markup and "data:image/png;base64" in markup
        assert len(markup) < 1_000_000
    assert plot_both_views(IMAGE, KERNEL, 2).axes


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="2-D"):
        scatter_add_frames(np.zeros((2, 2, 1)), KERNEL, 2)
    with pytest.raises(ValueError, match="stride"):
        zero_insertion_frames(IMAGE, KERNEL, 0)
