"""The animation player as a screen reader meets it (upsampling_course.animations.label_player)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from upsampling_course.animations import animate_scatter_add, animation_html, label_player


def test_the_player_gets_alt_text_a_named_slider_and_a_named_radio_group():
    markup = animation_html(
        animate_scatter_add(np.ones((2, 2)), np.ones((2, 2)), 2),
        alt='Four copies of a "2 × 2" kernel\n add up',
    )
    (frame,) = re.findall(r"<img id=\"_anim_img\w+\"[^>]*>", markup)
    assert 'alt="Four copies of a &quot;2 × 2&quot; kernel add up"' in frame
    assert re.search(r'type="range" aria-label="Animation frame"', markup)
    (group,) = re.findall(r"<form [^>]*>", markup)
    assert 'role="radiogroup"' in group
    assert 'aria-label="Repetition mode of: Four copies of a &quot;2 × 2&quot; kernel' in group


def test_markup_that_is_no_player_is_a_clear_error():
    with pytest.raises(ValueError, match="not a matplotlib"):
        label_player("<div>no player</div>", "alt")
