"""The lab recipe, one choice changed at a time, and three failures, over several seeds.

Trains every recipe of ``upsampling_course.gan.recipes.ABLATIONS`` (the lab
recipe; without the categorical code; without weight averaging; learning
rates / 4; Conv2DTranspose kernel 5 and 3; resize-convolution; sub-pixel
with ICNR) for the same number of steps on each seed, and the
``FAILURES`` recipes (frozen discriminator, discriminator wins, learning
rate too high) for fewer. Records per run the quality score every
``--score-every`` steps, the steps to the lab's targets, the checkerboard
and spectral artifact scores, the spectrum's log ratio to real digits,
the loss curves and 16 samples. Step budgets, not time budgets, so the
figures do not depend on the machine's speed or load; the wall-clock time
and load average of each run are recorded anyway.

``--until-targets`` measures the time to the targets instead: each
ablation trains until its first scoring that meets all three targets
(``--steps`` is then a cap) and the record keeps the steps and training
seconds to that hit; the lab page reads ``lab_time_to_targets*.json``.
Seconds depend on the machine: run each process on a core of its own
(``taskset -c N``) on an otherwise idle machine, and the records say so.

Writes ``upsampling_course/results/lab_ablations.json`` (a
``upsampling_course.results.ResultsFile``: the command, date, machine,
versions, the targets and classifier the runs were judged by, the settings
and the runs) and ``lab_ablations_samples.npz`` after every run, so an
interrupted run leaves what it finished. The package ships them: the lab
page and the artifacts chapter read them from there. ``--seed-list 2 --name
lab_ablations_seed2`` runs one seed into files of its own, to share the
work between processes; ``upsampling_course.lab_results`` reads every
``lab_ablations*.json`` together.

    .venv/bin/python benchmarks/lab_ablations.py --steps 600 --failure-steps 300 --score-every 200
    .venv/bin/python benchmarks/lab_ablations.py --seeds 1 --steps 40 --failure-steps 20 \\
        --out /tmp/smoke                                             # a smoke run
    taskset -c 0 .venv/bin/python benchmarks/lab_ablations.py --until-targets --steps 3000 \\
        --score-every 100 --recipes lab "no code" "learning rates / 4" "transposed k=5" \\
        --name lab_time_to_targets_a                   # and _b on core 1 with the other four
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The package's results, which it ships and the chapters read (upsampling_course.results).
RESULTS = ROOT / "upsampling_course" / "results"


NUM_IMAGES = 1000  # generated digits per scoring


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0 .. N-1 (default: 3)")
    parser.add_argument(
        "--seed-list", type=int, nargs="+", help="these seeds instead (to split the work)"
    )
    parser.add_argument(
        "--name", default="lab_ablations", help="results file stem (default: lab_ablations)"
    )
    parser.add_argument("--steps", type=int, default=600, help="steps per ablation run")
    parser.add_argument("--failure-steps", type=int, default=300, help="steps per failure run")
    parser.add_argument("--failure-seeds", type=int, default=1, help="seeds of the failures")
    parser.add_argument("--score-every", type=int, default=200, help="steps between scorings")
    parser.add_argument("--recipes", nargs="*", help="only these recipe names")
    parser.add_argument(
        "--until-targets",
        action="store_true",
        help="train the ablations until they meet the targets (--steps caps them); no failures",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="default: the package's")
    args = parser.parse_args(argv)

    from upsampling_course.keras_setup import import_keras_quietly

    import_keras_quietly(seed=None)
    from upsampling_course.gan.experiments import (
        machine_record,
        recorded_run,
        significant,
        versions_record,
    )
    from upsampling_course.gan.recipes import ABLATIONS, FAILURES
    from upsampling_course.quality import load_scorer
    from upsampling_course.results import AblationSettings, Judge, RealSpectrum, ResultsFile
    from upsampling_course.spectrum import power_spectrum_2d, radial_power_spectrum

    scorer = load_scorer(verbose=False)
    frequencies, real_power = radial_power_spectrum(scorer.test.images)
    seeds = args.seed_list or list(range(args.seeds))
    header = ResultsFile(
        benchmark="lab_ablations",
        command=shlex.join([".venv/bin/python", "benchmarks/lab_ablations.py", *sys.argv[1:]]),
        date=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        machine=machine_record(),
        versions=versions_record(),
        judge=Judge.of(scorer, NUM_IMAGES),
        settings=AblationSettings(
            steps=args.steps,
            failure_steps=args.failure_steps,
            seeds=seeds,
            failure_seeds=args.failure_seeds,
            score_every=args.score_every,
            until_targets=args.until_targets,
            recipes=args.recipes,
        ),
        runs=[],
        real_spectrum=RealSpectrum(
            frequencies=frequencies.tolist(),
            power=real_power.tolist(),
            power_spectrum_2d=significant(power_spectrum_2d(scorer.test.images)),
        ),
    )
    runs, samples = [], {}
    plan = [(name, recipe, args.steps) for name, recipe in ABLATIONS.items()]
    if not args.until_targets:
        plan += [(name, recipe, args.failure_steps) for name, recipe in FAILURES.items()]
    if args.recipes:
        plan = [entry for entry in plan if entry[0] in args.recipes]
    # Seed-major order: an interrupted run still has every recipe on the first seeds.
    for seed in seeds:
        for name, recipe, steps in plan:
            if name in FAILURES and seed >= args.failure_seeds:
                continue
            record, images = recorded_run(
                recipe,
                scorer,
                steps,
                args.score_every,
                seed,
                num_images=NUM_IMAGES,
                stop_at_targets=args.until_targets,
                failure=name in FAILURES,
            )
            runs.append(record)
            samples[f"{name}|{seed}"] = images
            last = record.checkpoints[-1]
            print(
                f"{name:<24} seed {seed}: {last.steps} steps in {record.wall_seconds:.0f} s "
                f"(load {record.load_average_before:.1f}), confident "
                f"{last.scores.confident_fraction:.3f}, coverage {last.scores.coverage:.3f}, "
                f"Frechet x {last.scores.frechet_ratio:.2f}, "
                f"spectral {record.spectral_artifact_score:.3f}",
                flush=True,
            )
            dataclasses.replace(header, runs=runs).write(args.out, args.name, samples)


if __name__ == "__main__":
    main()
