"""Figures of *Checkerboard artifacts* and the lab: scores with their spread over seeds, spectra.

Every plot shows the median and the full range over seeds, never a single
run; colours and line styles come from :mod:`upsampling_course.plotting`
(colour-blind safe, with a second cue beside colour).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from upsampling_course.plotting import series_style


def plot_score_spread(
    groups: Mapping[str, Mapping[str, np.ndarray]],
    xlabel: str,
    floor: float | None = None,
    ax=None,
    log: bool = True,
):
    """Horizontal dot-and-range plot: one row per configuration, one marker series per group.

    ``groups`` maps a series name (e.g. "all-ones kernel") to a mapping of
    configuration name -> scores over seeds. Each row shows the median as a
    marker and the smallest to largest score as a line. ``floor`` draws a
    dashed vertical line (the score of detail with no preferred phase).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.45 * max(len(g) for g in groups.values()) + 1.2))
    names = list(next(iter(groups.values())))
    rows = np.arange(len(names))[::-1]
    for index, (series, scores) in enumerate(groups.items()):
        style = series_style(index)
        offset = 0.15 * (index - (len(groups) - 1) / 2)
        for row, name in zip(rows, names, strict=True):
            values = np.asarray(scores[name], dtype=float)
            ax.plot([values.min(), values.max()], [row + offset] * 2, color=style["color"], lw=2)
            ax.plot(
                np.median(values),
                row + offset,
                marker="os^D"[index % 4],
                color=style["color"],
                linestyle="none",
                label=series if row == rows[0] else None,
            )
    if floor is not None:
        ax.axvline(floor, color="0.4", linestyle="--", lw=1, label="noise floor")
    ax.set_yticks(rows, names)
    ax.set_xlabel(xlabel)
    if log:
        ax.set_xscale("log")
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_spectrum_ratios(frequencies, curves: Mapping[str, np.ndarray], ax=None):
    """``log10`` power ratio, generated over real, per frequency ring: median line, range band.

    ``curves`` maps a generator name to a ``(seeds, rings)`` array. A line at
    0 is a generator with the real digits' spectrum; above 0 too much power
    at that frequency, below too little.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    frequencies = np.asarray(frequencies, dtype=float)
    for index, (name, curve) in enumerate(curves.items()):
        curve = np.asarray(curve, dtype=float)
        style = series_style(index)
        ax.plot(frequencies, np.median(curve, axis=0), label=name, **style)
        ax.fill_between(
            frequencies, curve.min(axis=0), curve.max(axis=0), color=style["color"], alpha=0.15
        )
    ax.axhline(0, color="0.3", lw=0.8)
    for stride_frequency in (0.25, 0.5):
        ax.axvline(stride_frequency, color="0.6", lw=0.8, linestyle=":")
    ax.set_xlabel("frequency (cycles per pixel)")
    ax.set_ylabel("log10(generated power / real power)")
    ax.legend(fontsize=8)
    return ax
