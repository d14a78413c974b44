"""An independent check of the lab's judge: a pixel classifier of a different kind.

The quality score (:mod:`upsampling_course.quality`) trusts one small
convolutional network to read generated digits. If its verdicts are sound, a
classifier built in a different way, here scikit-learn's multinomial
logistic regression on raw pixels, should read the same digits in most of
the images the judge is confident about. Agreement on held-out real digits
says how often the two agree when the digits are genuine; agreement on
generated digits says whether the generator's digits are digits to both,
not just to the network it was scored by.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _pixels(images) -> np.ndarray:
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(f"expected digits shaped (N, 28, 28, 1), got {images.shape}")
    return images.reshape(len(images), -1)


def train_pixel_classifier(images, labels, max_iter: int = 30, seed: int = 0):
    """A logistic regression on the 784 pixels of ``images`` (N, 28, 28, 1) in [-1, 1].

    30 iterations of L-BFGS stop short of convergence on purpose: on the
    offline digits they take seconds and reach about 91% held-out accuracy,
    and twice as many add less than a point (measured while writing this).
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    model = LogisticRegression(max_iter=max_iter, C=0.05, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(_pixels(images), labels)


@dataclass(frozen=True)
class Agreement:
    """How often the pixel classifier reads the judge's digit, among the judge's confident images."""

    confident: int  # images the judge reads with probability >= its confidence threshold
    agreed: int  # of those, images the pixel classifier reads as the same digit

    @property
    def rate(self) -> float:
        return self.agreed / self.confident if self.confident else float("nan")


def agreement(scorer, pixel_classifier, images, threshold: float | None = None) -> Agreement:
    """Compare the judge's confident readings of ``images`` with the pixel classifier's.

    ``threshold`` defaults to the quality score's own confidence threshold.
    """
    from upsampling_course.quality import CONFIDENCE_THRESHOLD

    threshold = CONFIDENCE_THRESHOLD if threshold is None else threshold
    _, probabilities = scorer.features_and_probabilities(images)
    confident = probabilities.max(axis=1) >= threshold
    judge_digits = probabilities.argmax(axis=1)
    pixel_digits = pixel_classifier.predict(_pixels(images))
    agreed = int(np.sum(confident & (pixel_digits == judge_digits)))
    return Agreement(int(confident.sum()), agreed)
