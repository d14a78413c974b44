"""Figures the chapters draw with their own code (no third-party images).

Used by *Why a generator has to upsample* and later chapters.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from cycler import cycler
from matplotlib.patches import Rectangle

# The Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008): eight
# colours that stay distinct with each common kind of colour blindness.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
# The order plots take them in: the darkest first; yellow is too faint for
# lines on white, so it is left out.
SERIES_COLORS = tuple(
    OKABE_ITO[name]
    for name in ("blue", "vermillion", "bluish green", "orange", "reddish purple", "sky blue")
)
# A second cue beside colour, for readers who see none of it (or a grey printout).
SERIES_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 3)))
SERIES_HATCHES = ("", "//", "..", "xx", "\\\\", "oo")


def series_style(index: int) -> dict:
    """Colour and line style of the ``index``-th curve: ``ax.plot(x, y, **series_style(i))``."""
    return {
        "color": SERIES_COLORS[index % len(SERIES_COLORS)],
        "linestyle": SERIES_LINESTYLES[index % len(SERIES_LINESTYLES)],
    }


def bar_style(index: int) -> dict:
    """Colour and hatching of the ``index``-th group of bars: ``ax.bar(..., **bar_style(i))``."""
    return {
        "color": SERIES_COLORS[index % len(SERIES_COLORS)],
        "hatch": SERIES_HATCHES[index % len(SERIES_HATCHES)],
        "edgecolor": "white",
    }


def use_course_style() -> None:
    """Make every later plot cycle through the course's colours and line styles."""
    plt.rcParams["axes.prop_cycle"] = cycler(color=SERIES_COLORS) + cycler(
        linestyle=SERIES_LINESTYLES
    )


def _describe(shape: Sequence[int]) -> str:
    return " × ".join(str(d) for d in shape)


def plot_feature_map_sizes(
    stages: Sequence[tuple[str, Sequence[int]]],
    title: str,
    ax: plt.Axes | None = None,
    color: str = SERIES_COLORS[0],
) -> plt.Axes:
    """Draw each stage of a network as a square whose side is its spatial size.

    ``stages`` holds ``(label, shape)`` pairs, ``shape`` without the batch axis:
    ``(height, width, channels)`` for feature maps or ``(units,)`` for vectors,
    which are drawn as a thin bar. The squares share one scale, so a shrinking
    classifier and a growing generator can be compared at a glance.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * len(stages), 3.2))
    sides = [shape[0] if len(shape) == 3 else 1 for _, shape in stages]
    tallest = max(max(sides), 1)
    gap = 0.35 * tallest
    x = 0.0
    for (label, shape), side in zip(stages, sides, strict=True):
        is_vector = len(shape) != 3
        width = 0.12 * tallest if is_vector else side
        height = tallest * 0.9 if is_vector else side
        ax.add_patch(
            Rectangle(
                (x, (tallest - height) / 2),
                width,
                height,
                facecolor=color,
                alpha=0.25 if is_vector else 0.55,
                edgecolor="black",
            )
        )
        ax.text(x + width / 2, -0.08 * tallest, _describe(shape), ha="center", va="top", fontsize=8)
        ax.text(x + width / 2, 1.05 * tallest, label, ha="center", va="bottom", fontsize=8)
        x += width + gap
    ax.set_xlim(-0.2 * gap, x - 0.8 * gap)
    ax.set_ylim(-0.3 * tallest, 1.3 * tallest)
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.axis("off")
    return ax
