"""Pictures of a GAN training run: sample grids, loss curves and the snapshots animated.

Used by *The MNIST generator lab* (``book/mnist_lab.md``) and the graded lab
notebook ``mnist_generator_lab``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation

from upsampling_course.plotting import OKABE_ITO


def tile_images(images: np.ndarray, columns: int | None = None, gap: int = 2) -> np.ndarray:
    """Arrange ``(N, H, W, 1)`` images in [-1, 1] into one 2D array in [0, 1] with white gaps."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"expected images shaped (N, H, W, 1) or (N, H, W), got {images.shape}")
    count, height, width = images.shape
    columns = columns or int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    canvas = np.ones((rows * (height + gap) - gap, columns * (width + gap) - gap), np.float32)
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        top, left = row * (height + gap), column * (width + gap)
        canvas[top : top + height, left : left + width] = (np.clip(image, -1, 1) + 1) / 2
    return canvas


def show_image_grid(
    images: np.ndarray, title: str = "", columns: int | None = None, ax: plt.Axes | None = None
) -> plt.Axes:
    """Draw generated or real digits as one grid (black background digits, as in MNIST)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.2))
    ax.imshow(tile_images(images, columns), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_title(title, fontsize=10)
    ax.axis("off")
    return ax


def show_snapshots(
    snapshots: Sequence[np.ndarray], steps: Sequence[int], count: int = 16, columns: int = 4
) -> plt.Figure:
    """Side by side: the fixed latent batch's digits at several points of training."""
    if len(snapshots) != len(steps) or not snapshots:
        raise ValueError("need one step number per snapshot, and at least one snapshot")
    fig, axes = plt.subplots(1, len(snapshots), figsize=(2.3 * len(snapshots), 2.6))
    for ax, images, step in zip(np.atleast_1d(axes), snapshots, steps, strict=True):
        show_image_grid(images[:count], f"step {step}", columns, ax)
    fig.tight_layout()
    return fig


def plot_losses(
    generator_loss: Sequence[float],
    discriminator_loss: Sequence[float],
    window: int = 25,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Both losses per step, smoothed with a moving average of ``window`` steps."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    for values, label in ((generator_loss, "generator"), (discriminator_loss, "discriminator")):
        values = np.asarray(values, dtype=float)
        size = max(1, min(window, len(values)))
        smooth = np.convolve(values, np.ones(size) / size, mode="valid")
        ax.plot(np.arange(size, len(values) + 1), smooth, label=label)
    ax.set_xlabel("training step")
    ax.set_ylabel(f"loss ({window}-step average)")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_digit_shares(
    predicted_digits: dict[str, np.ndarray], ax: plt.Axes | None = None
) -> plt.Axes:
    """Grouped bars: the share of each digit 0-9 among the predictions of each named batch."""
    if not predicted_digits:
        raise ValueError("give at least one batch of predicted digits")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 2.8))
    digits = np.arange(10)
    width = 0.8 / len(predicted_digits)
    for index, (name, predicted) in enumerate(predicted_digits.items()):
        shares = np.bincount(np.asarray(predicted, dtype=int), minlength=10)[:10] / len(predicted)
        ax.bar(
            digits + (index - (len(predicted_digits) - 1) / 2) * width, shares, width, label=name
        )
    ax.axhline(0.1, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xticks(digits)
    ax.set_xlabel("digit (as the reference classifier reads it)")
    ax.set_ylabel("share of the batch")
    ax.legend(
        fontsize=8,
        ncol=len(predicted_digits),
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        frameon=False,
    )
    return ax


def animate_snapshots(
    snapshots: Sequence[np.ndarray],
    steps: Sequence[int] | None = None,
    count: int = 36,
    interval_ms: int = 500,
) -> animation.FuncAnimation:
    """The snapshots as an animation, one frame per snapshot, titled with its step.

    Render it with ``animations.animation_html`` (the player every chapter's
    animation uses: it never starts by itself and has Pause, step and slider
    controls), not as a looping GIF, which no reader can stop.
    """
    if not snapshots:
        raise ValueError("need at least one snapshot to animate")
    if steps is not None and len(steps) != len(snapshots):
        raise ValueError(f"{len(steps)} steps for {len(snapshots)} snapshots")
    fig, ax = plt.subplots(figsize=(3.6, 3.8), dpi=72)
    ax.set_axis_off()
    picture = ax.imshow(tile_images(snapshots[0][:count]), cmap="gray", vmin=0, vmax=1)

    def show(index: int) -> list:
        picture.set_data(tile_images(snapshots[index][:count]))
        if steps is not None:
            ax.set_title(f"step {steps[index]}", fontsize=10)
        return [picture]

    show(0)
    return animation.FuncAnimation(fig, show, frames=len(snapshots), interval=interval_ms)


def plot_recorded_run(record, samples: np.ndarray, axes: Sequence[plt.Axes]) -> None:
    """One recorded run (a ``results.TrainingRun``, ``gan.experiments.recorded_run``): its
    digits and losses.

    ``axes[0]`` shows ``samples`` (uint8, 0 black to 255 white) as a grid,
    ``axes[1]`` both losses against the training step, as the record keeps
    them (means of ``record.loss_block`` steps).
    """
    samples = np.asarray(samples)
    if samples.dtype != np.uint8 or samples.ndim != 3:
        raise ValueError(
            f"expected uint8 samples shaped (N, H, W), got {samples.dtype} {samples.shape}"
        )
    show_image_grid(samples / 127.5 - 1, record.recipe, ax=axes[0])
    block = record.loss_block
    for losses, label in (
        (record.generator_loss, "generator"),
        (record.discriminator_loss, "discriminator"),
    ):
        values = np.asarray(losses, dtype=float)
        axes[1].plot(block * (np.arange(len(values)) + 1), values, label=label)
    axes[1].set_xlabel("training step")
    axes[1].set_ylabel(f"loss ({block}-step mean)")
    axes[1].legend(fontsize=8)
    axes[1].grid(alpha=0.3)


# How each series of a keep-best curve is drawn: colour, and line style and marker besides it.
STAY_STYLES = {
    "trained": {
        "label": "trained, selection batch",
        "color": OKABE_ITO["blue"],
        "linestyle": "-",
        "marker": "o",
    },
    "trained_new_batch": {
        "label": "trained, new batch",
        "color": OKABE_ITO["vermillion"],
        "linestyle": ":",
        "marker": "^",
    },
    "kept_new_batch": {
        "label": "kept copy, new batch",
        "color": OKABE_ITO["bluish green"],
        "linestyle": "--",
        "marker": "s",
    },
}


def _spread_labels(ys: Sequence[float], gap: float) -> list[float]:
    """Move sorted label heights (axes fraction) apart by at least ``gap``, keeping their order."""
    order = np.argsort(ys)
    placed = np.asarray(ys, dtype=float)[order]
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    placed -= max(0.0, placed[-1] - 0.98)
    result = np.empty_like(placed)
    result[order] = placed
    return list(result)


def plot_stay_curves(lab_speed, target: float | None = None, top: float = 4.5) -> plt.Figure:
    """Fréchet ratio against training seconds, one panel per seed, trained generator vs kept copy.

    ``lab_speed`` is what ``upsampling_course.lab_results.load_lab_speed``
    returns. Each panel draws the series of :data:`STAY_STYLES` (each
    labelled at its right end), the Fréchet target as a dashed line and the
    first hit (the first scoring that met all three targets) as a dotted
    vertical line; the target is the one the runs were judged by, unless
    given. The ratio axis stops at ``top``: the first scorings, far above the
    target, run off the top. Used by *The MNIST generator lab*.
    """
    target = lab_speed.record.judge.targets.frechet_ratio if target is None else target
    curves = lab_speed.curves
    if not curves:
        raise ValueError("no curves to plot")
    fig, axes = plt.subplots(len(curves), 1, figsize=(8.5, 2.7 * len(curves)), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, curve in zip(axes, curves, strict=True):
        ends = []
        for name, style in STAY_STYLES.items():
            ratios = curve.ratios[name]
            ax.plot(curve.seconds, ratios, markersize=4, lw=1.5, **style)
            scored = np.flatnonzero(np.isfinite(ratios))
            if scored.size:
                ends.append((curve.seconds[scored[-1]], ratios[scored[-1]], style))
        ax.axhline(target, color="0.3", linestyle="--", lw=1)
        ax.text(curve.seconds[0], target * 1.04, f"target {target:g}×", fontsize=8, va="bottom")
        first = curve.first_hit
        if first is not None:
            hit = curve.seconds[first]
            ax.axvline(hit, color="0.5", linestyle=":", lw=1.2)
            ax.text(
                hit,
                0.03,
                f" first hit, {hit:.0f} s",
                transform=ax.get_xaxis_transform(),
                fontsize=8,
                va="bottom",
            )
        ax.set_ylim(1.5, top)
        if np.nanmax(curve.ratios["trained"]) > top:
            ax.text(
                curve.seconds[0],
                top * 0.97,
                f"↑ earlier scorings above {top:g}×",
                fontsize=8,
                va="top",
            )
        ax.set_ylabel("Fréchet ×\nreal baseline")
        ax.set_title(f"{curve.recipe} recipe, seed {curve.seed}", fontsize=10, loc="left")
        ax.grid(alpha=0.3)
        # Direct labels at the right end of each line, moved apart where they would overlap.
        to_axes = ax.transAxes.inverted()
        heights = [to_axes.transform(ax.transData.transform((0, y)))[1] for _, y, _ in ends]
        for height, (x, y, style) in zip(_spread_labels(heights, 0.1), ends, strict=True):
            ax.annotate(
                style["label"],
                xy=(x, y),
                xytext=(1.03, height),
                textcoords="axes fraction",
                fontsize=8,
                va="center",
                arrowprops={"arrowstyle": "-", "color": style["color"], "lw": 0.8},
            )
    axes[-1].set_xlabel("seconds of training")
    axes[-1].set_xlim(0, curves[0].seconds.max() * 1.02)
    fig.subplots_adjust(right=0.7, hspace=0.35)
    return fig


def plot_time_to_targets(
    times, recipes: Sequence[str], key: str = "steps_to_targets", ax: plt.Axes | None = None
) -> plt.Axes:
    """One row per recipe: a filled dot per seed at its first hit, an open one per seed that missed.

    ``times`` is :class:`upsampling_course.lab_results.Ablations` of
    ``lab_ablations.py --until-targets`` runs, which stop at a cap of steps.
    ``key`` is ``"steps_to_targets"`` or ``"seconds_to_targets"``. A seed that
    never met the targets is drawn as an open circle right of the dotted line
    at the longest run (the step cap, or the longest run's seconds), the
    missed seeds of one recipe side by side, so a reader can count how many
    seeds got there and see how soon.
    """
    if not recipes:
        raise ValueError("name at least one recipe")
    cap_of = "steps" if key == "steps_to_targets" else "seconds"  # of the last checkpoint
    cap = max(getattr(r.checkpoints[-1], cap_of) for name in recipes for r in times.of(name))
    step_cap = max(r.checkpoints[-1].steps for name in recipes for r in times.of(name))
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.45 * len(recipes) + 1.3))
    rows = np.arange(len(recipes))[::-1]
    for row, name in zip(rows, recipes, strict=True):
        runs = times.of(name)
        reached = [getattr(r, key) for r in runs if getattr(r, key) is not None]
        missed = len(runs) - len(reached)
        ax.plot(reached, [row] * len(reached), "o", color=OKABE_ITO["blue"], ms=7)
        if missed:
            places = [cap * (1.04 + 0.03 * i) for i in range(missed)]
            ax.plot(places, [row] * missed, "o", mfc="none", color="0.35", ms=7)
    ax.plot([], [], "o", color=OKABE_ITO["blue"], label="first scoring that met all three targets")
    ax.plot([], [], "o", mfc="none", color="0.35", label=f"not met within {step_cap:,} steps")
    ax.axvline(cap, color="0.6", linestyle=":", lw=1)
    ax.set_yticks(rows, recipes)
    ax.set_xlabel(key.replace("_", " "))
    ax.set_xlim(0, cap * 1.16)
    # Above the axes, where no row's dots can hide under it.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncol=2, fontsize=8, frameon=False)
    return ax
