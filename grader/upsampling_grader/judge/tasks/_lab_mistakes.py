"""The known wrong versions of the lab's two games, which the lab judge names when a loss is off.

Each takes the discriminator's logits on the real and the fake images and the
setting (the label smoothing of the cross-entropy game, the student's margin of
the hinge game) and gives (generator_loss, discriminator_loss) as a student
with that mistake computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LossMistake:
    says: str
    losses: object  # (real, fake, smoothing) -> (generator_loss, discriminator_loss)


def _bce(target, logits):
    return float(np.mean(np.logaddexp(0.0, logits) - target * logits))


def _relu(x):
    return np.maximum(0.0, x)


MISTAKES = {
    "bce": (
        LossMistake("no label smoothing", lambda r, f, s: (_bce(1, f), _bce(1, r) + _bce(0, f))),
        LossMistake(
            "label smoothing of the fakes' target as well",
            lambda r, f, s: (_bce(1, f), _bce(1 - s, r) + _bce(s, f)),
        ),
        LossMistake(
            "the generator's target 0 (the discriminator's target for fakes)",
            lambda r, f, s: (_bce(0, f), _bce(1 - s, r) + _bce(0, f)),
        ),
        LossMistake(
            "the saturating minimax loss, minus the fakes' cross-entropy against 0",
            lambda r, f, s: (-_bce(0, f), _bce(1 - s, r) + _bce(0, f)),
        ),
    ),
    # s is the margin of the student's variant
    "hinge": (
        LossMistake(
            "the hinge without its relu",
            lambda r, f, s: (-np.mean(f), np.mean(s - r) + np.mean(s + f)),
        ),
        LossMistake(
            "the margin 1 of SAGAN and BigGAN instead of your hinge_margin",
            lambda r, f, s: (-np.mean(f), np.mean(_relu(1 - r)) + np.mean(_relu(1 + f))),
        ),
        LossMistake(
            "relu(margin + real_logits), the fakes' sign on the real term",
            lambda r, f, s: (-np.mean(f), np.mean(_relu(s + r)) + np.mean(_relu(s + f))),
        ),
        LossMistake(
            "generator_loss = mean(fake_logits), the sign flipped",
            lambda r, f, s: (np.mean(f), np.mean(_relu(s - r)) + np.mean(_relu(s + f))),
        ),
        LossMistake(
            "the discriminator's loss negated (it minimises the hinge loss; the game's value is "
            "what it maximises)",
            lambda r, f, s: (-np.mean(f), -np.mean(_relu(s - r)) - np.mean(_relu(s + f))),
        ),
        LossMistake(
            "a hinge in the generator's loss, mean(relu(margin - fake_logits))",
            lambda r, f, s: (np.mean(_relu(s - f)), np.mean(_relu(s - r)) + np.mean(_relu(s + f))),
        ),
    ),
}
