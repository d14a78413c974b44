"""upsampling_course.lab_plots: sample grids, digit shares and the training animation."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from upsampling_course import lab_plots
from upsampling_course.animations import animation_html


def test_tile_images_places_each_image_in_its_cell():
    images = np.stack([np.full((2, 3, 1), value) for value in (-1.0, 0.0, 1.0)])
    canvas = lab_plots.tile_images(images, columns=2, gap=1)
    assert canvas.shape == (2 * 2 + 1, 2 * 3 + 1)
    assert np.all(canvas[:2, :3] == 0.0)  # -1 is black
    assert np.all(canvas[:2, 4:] == 0.5)
    assert np.all(canvas[3:, :3] == 1.0)
    assert np.all(canvas[2, :] == 1.0)  # the gap is white


def test_digit_shares_are_the_fractions_of_each_digit():
    predicted = {"even": np.array([0, 0, 2, 4]), "sevens": np.full(5, 7)}
    ax = lab_plots.plot_digit_shares(predicted)
    heights = [bar.get_height() for bar in ax.patches]
    assert heights[:10] == pytest.approx([0.5, 0, 0.25, 0, 0.25, 0, 0, 0, 0, 0])
    assert heights[10:] == pytest.approx([0] * 7 + [1.0] + [0] * 2)
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["even", "sevens"]


def test_snapshots_animate_one_frame_per_snapshot_in_the_pausable_player():
    snapshots = [np.full((4, 28, 28, 1), value, np.float32) for value in (-1.0, 0.0, 1.0)]
    anim = lab_plots.animate_snapshots(snapshots, [0, 10, 20])
    markup = animation_html(anim, alt="digits over training")
    # One frame per snapshot; the player's Pause button; never a looping GIF.
    assert markup.count("data:image/png;base64") == 3
    assert "Pause" in markup and "image/gif" not in markup
    with pytest.raises(ValueError, match="2 steps for 3 snapshots"):
        lab_plots.animate_snapshots(snapshots, [0, 10])


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"\(N, H, W, 1\)"):
        lab_plots.tile_images(np.zeros((28, 28)))
    with pytest.raises(ValueError, match="at least one batch"):
        lab_plots.plot_digit_shares({})
    with pytest.raises(ValueError, match="one step number per snapshot"):
        lab_plots.show_snapshots([np.zeros((4, 28, 28, 1))], [0, 1])


def test_recorded_run_plot_shows_the_samples_and_both_losses():
    import matplotlib.pyplot as plt

    # The fields of a results.TrainingRun the plot reads.
    record = SimpleNamespace(
        recipe="frozen discriminator",
        loss_block=10,
        generator_loss=[1.0, 2.0, 3.0],
        discriminator_loss=[0.5, 0.4, 0.3],
    )
    samples = np.zeros((4, 28, 28), np.uint8)
    samples[0] = 255
    fig, axes = plt.subplots(1, 2)
    lab_plots.plot_recorded_run(record, samples, axes)
    shown = axes[0].images[0].get_array()
    assert shown[:28, :28].min() == 1.0 and shown[:28, 30:58].max() == 0.0  # white, then black
    lines = axes[1].get_lines()
    assert [list(line.get_xdata()) for line in lines] == [[10, 20, 30]] * 2
    assert list(lines[1].get_ydata()) == [0.5, 0.4, 0.3]
    with pytest.raises(ValueError, match="uint8 samples"):
        lab_plots.plot_recorded_run(record, samples.astype(float), axes)
    plt.close(fig)


def test_score_spread_and_spectrum_plots_draw_median_and_range():
    import matplotlib.pyplot as plt

    from upsampling_course.artifact_plots import plot_score_spread, plot_spectrum_ratios

    ax = plot_score_spread({"a": {"x": [1.0, 2.0, 4.0], "y": [3.0, 3.0, 3.0]}}, "score", floor=0.5)
    ranges = [line.get_xdata() for line in ax.get_lines() if len(line.get_xdata()) == 2]
    # Two range lines, then the floor's vertical line at 0.5.
    assert [list(r) for r in ranges] == [[1.0, 4.0], [3.0, 3.0], [0.5, 0.5]]
    medians = [line.get_xdata()[0] for line in ax.get_lines() if line.get_marker() == "o"]
    assert medians == [2.0, 3.0]
    plt.close(ax.figure)
    curves = {"g": np.array([[0.0, 1.0], [0.2, 3.0], [0.1, 2.0]])}
    ax = plot_spectrum_ratios([0.25, 0.5], curves)
    assert list(ax.get_lines()[0].get_ydata()) == [0.1, 2.0]
    plt.close(ax.figure)


def test_time_to_targets_plot_marks_the_seeds_past_the_cap():
    from upsampling_course.lab_results import Ablations

    def run(recipe, steps, last):
        last_scoring = SimpleNamespace(steps=last)
        return SimpleNamespace(recipe=recipe, steps_to_targets=steps, checkpoints=[last_scoring])

    runs = [run("lab", 1400, 1400), run("lab", None, 3000), run("k3", 900, 900)]
    times = Ablations(runs + [run("k3", None, 3000), run("k3", None, 3000)], {}, {})
    ax = lab_plots.plot_time_to_targets(times, ["lab", "k3"])
    filled = [line for line in ax.lines if line.get_marker() == "o" and line.get_mfc() != "none"]
    open_ = [line for line in ax.lines if line.get_marker() == "o" and line.get_mfc() == "none"]
    assert sorted(x for line in filled for x in line.get_xdata()) == [900, 1400]
    # Each missed seed gets its own circle, side by side, so two missed seeds show as two.
    missed_x = sorted(x for line in open_ for x in line.get_xdata())
    assert missed_x == [
        pytest.approx(3000 * 1.04),
        pytest.approx(3000 * 1.04),
        pytest.approx(3000 * 1.07),
    ]
    assert "not met within 3,000 steps" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["lab", "k3"]
    with pytest.raises(ValueError, match="at least one recipe"):
        lab_plots.plot_time_to_targets(times, [])
