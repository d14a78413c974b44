"""The course's plot colours stay apart for colour-blind readers (upsampling_course.plotting).

Each pair of series colours is compared as seen with protanopia, deuteranopia
and tritanopia (the full-severity simulation matrices of Machado, Oliveira and
Fernandes, 2009, applied in linear RGB), by its distance in CIELAB. Two
colours closer than MIN_DELTA_E would be hard to tell apart; matplotlib's
default colours fail this (their red and green collapse under protanopia).
"""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from upsampling_course.plotting import (
    SERIES_COLORS,
    SERIES_HATCHES,
    SERIES_LINESTYLES,
    bar_style,
    series_style,
    use_course_style,
)

MIN_DELTA_E = 12.0
SIMULATIONS = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
    "typical": np.eye(3).tolist(),
}
SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
WHITE = np.array([0.95047, 1.0, 1.08883])


def linear(colour: str) -> np.ndarray:
    c = np.asarray(to_rgb(colour))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def cielab(rgb_linear: np.ndarray) -> np.ndarray:
    xyz = SRGB_TO_XYZ @ rgb_linear / WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(colours, vision: str) -> float:
    matrix = np.asarray(SIMULATIONS[vision])
    seen = [cielab(np.clip(matrix @ linear(c), 0, 1)) for c in colours]
    return min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(seen, 2))


@pytest.mark.parametrize("vision", SIMULATIONS)
def test_series_colours_stay_apart(vision):
    assert closest_pair(SERIES_COLORS, vision) >= MIN_DELTA_E


def test_the_check_rejects_matplotlibs_default_colours():
    defaults = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]
    assert closest_pair(defaults, "protanopia") < MIN_DELTA_E


def test_every_series_has_a_second_cue_besides_colour():
    n = len(SERIES_COLORS)
    assert len(set(map(str, SERIES_LINESTYLES[:n]))) == n
    assert len(set(SERIES_HATCHES[:n])) == n
    styles = [series_style(i) for i in range(n)]
    assert len({(s["color"], str(s["linestyle"])) for s in styles}) == n
    assert bar_style(1)["hatch"] != bar_style(0)["hatch"]


def test_course_style_makes_plots_cycle_through_the_palette():
    with plt.rc_context():
        use_course_style()
        fig, ax = plt.subplots()
        lines = [ax.plot([0, 1], [i, i])[0] for i in range(3)]
        assert [line.get_color() for line in lines] == list(SERIES_COLORS[:3])
        assert len({line.get_linestyle() for line in lines}) == 3
        plt.close(fig)
