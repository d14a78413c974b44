"""The loss definitions the graded lab's checks compare a student's step with.

The checks themselves run students' steps in TensorFlow; they are exercised
end to end by the lab's wrong- and unusual-answer corpus
(tests/assignments/wrong_answers/mnist_generator_lab.py, graded in tests/assignments/test_assignments.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from upsampling_course.lab_grading import LOGIT_OFFSET, loss_definitions


def test_binary_cross_entropy_with_label_smoothing_matches_the_formula():
    d_loss, g_loss = loss_definitions("bce")
    real, fake = np.array([1.0, 2.0]), np.array([0.5, -1.0])

    def bce(target, logit):
        probability = 1 / (1 + math.exp(-logit))
        return -(target * math.log(probability) + (1 - target) * math.log(1 - probability))

    expected_d = np.mean([bce(0.9, x) for x in real]) + np.mean([bce(0.0, x) for x in fake])
    assert d_loss(real, fake, 0.1) == pytest.approx(expected_d)
    assert g_loss(fake) == pytest.approx(np.mean([bce(1.0, x) for x in fake]))


def test_label_smoothing_is_visible_at_the_test_discriminators_offset():
    d_loss, _ = loss_definitions("bce")
    logits = np.full(8, LOGIT_OFFSET["bce"])
    # At logits near 0 every target gives log 2; the offset makes a missing smoothing show.
    assert abs(d_loss(logits, logits, 0.1) - d_loss(logits, logits, 0.0)) > 0.05


def test_hinge_losses_match_their_definitions():
    d_loss, g_loss = loss_definitions("hinge")
    real, fake = np.array([0.5, 2.0]), np.array([0.5, -2.0])
    assert d_loss(real, fake) == pytest.approx(np.mean([0.5, 0.0]) + np.mean([1.5, 0.0]))
    assert g_loss(fake) == pytest.approx(0.75)
    with pytest.raises(ValueError):
        loss_definitions("wasserstein")
