"""Does a short real training run clear the graded lab's quality margin on every seed?

The graded lab (solutions/mnist_generator_lab) trains the student's generator
for ``TRAINING_STEPS`` steps and requires, against an untrained generator of
the same architecture, scored on 500 digits:

- Frechet distance at most 0.5 x the untrained one's, and
- confident fraction at least 0.05 higher.

This script trains the reference solution (the lab's generator and the
reference training step) on several seeds, and a broken step whose generator
aims at "fake" (target 0), and prints both ratios for each run. Figures
only, no assertions.

    .venv/bin/python benchmarks/lab_margin.py --seeds 5 --steps 300
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds (default: 5)")
    parser.add_argument("--steps", type=int, default=300, help="training steps (default: 300)")
    args = parser.parse_args(argv)

    from upsampling_course.gan import (
        PLAIN_RECIPE,
        GanTrainer,
        build_discriminator,
        build_generator,
        make_reproducible,
        make_train_step,
    )
    from upsampling_course.quality import load_scorer

    # The plausible student bug: the generator aims its fakes at "fake".
    generator_aims_at_fake = functools.partial(make_train_step, generator_target=0.0)

    scorer = load_scorer()
    make_reproducible(123)
    untrained = build_generator(64)
    latents = np.random.default_rng(7).standard_normal((500, 64)).astype("float32")
    untrained_score = scorer.score(untrained.predict(latents, verbose=0))
    print(f"untrained: {untrained_score}")
    runs = [("broken step", generator_aims_at_fake, 0)]
    runs += [("solution", make_train_step, seed) for seed in range(args.seeds)]
    print(
        f"{'run':<12}{'seed':>5}{'seconds':>9}{'FD / untrained':>16}{'confident gain':>16}  clears"
    )
    for name, make_step, seed in runs:
        make_reproducible(seed)
        trainer = GanTrainer(
            build_generator(64),
            build_discriminator(),
            scorer.train.images,
            PLAIN_RECIPE,
            seed=seed,
            make_step=make_step,
        )
        started = time.perf_counter()
        trainer.train(steps=args.steps, progress=False)
        seconds = time.perf_counter() - started
        score = scorer.score(trainer.generate(500, seed=7))
        ratio = score.frechet_distance / untrained_score.frechet_distance
        gain = score.confident_fraction - untrained_score.confident_fraction
        clears = ratio <= 0.5 and gain >= 0.05
        print(
            f"{name:<12}{seed:>5}{seconds:>9.0f}{ratio:>16.3f}{gain:>16.3f}  {clears}", flush=True
        )


if __name__ == "__main__":
    main()
