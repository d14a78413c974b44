"""The lab judge's training-step checks: the judge's networks, one probed step, its verdicts.

For each check the judge builds small networks of its own (weights and the
spread of the discriminator's logits drawn for this grading run), sends them
with a batch to ``upsampling_course.lab_probe.probe_step`` in the kernel, and
reads back the losses and the weights after one SGD step. Expected losses
come from the judge's copies of the same networks and the loss definitions
(``lab_probe.loss_pair``); a loss that is off is compared with known wrong
versions of the game, and the message names the one it matches.
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np

from upsampling_course import lab_probe
from upsampling_grader.judge.answers import Wrong, value_of
from upsampling_grader.judge.tasks._lab_mistakes import MISTAKES
from upsampling_grader.judge.verdicts import Verdict, failed, passed, share

PROBE = "upsampling_course.lab_probe.probe_step"
NAMES = ("generator_loss", "discriminator_loss")
UPDATE_RATE = lab_probe.UPDATE_RATE
GAMES = {"bce": "the cross-entropy game", "hinge": "the hinge loss with your margin"}


@dataclass
class Setup:
    generator: object
    discriminator: object
    real: np.ndarray
    latents: np.ndarray
    setting: float  # the label smoothing (cross-entropy) or the margin (hinge)
    extra: list
    seen: np.ndarray  # the images the discriminator's logits were set on (real and fakes)
    width: float  # the spread its logits get when widened


_DIGITS: list = []
# What a task derived from one student's kernel, for the other tasks of that kernel: held as
# long as its Asker lives, so never handed to the next student's tasks.
_PER_KERNEL: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def remembered(ask, key, compute):
    """``compute()`` (or the Wrong it raised) the first time a task of this kernel asks for
    ``key``; the same result afterwards."""
    memo = _PER_KERNEL.setdefault(ask, {})
    if key not in memo:
        try:
            memo[key] = compute()
        except Wrong as why:
            memo[key] = why
    found = memo[key]
    if isinstance(found, Wrong):
        raise found
    return found


def _digits() -> np.ndarray:
    if not _DIGITS:
        from upsampling_course.data import load_digits

        _DIGITS.append(load_digits(verbose=False).images)
    return _DIGITS[0]


def setup(case, task: str, game: str, batch_norm: bool, spread: bool = True) -> Setup:
    """The judge's networks and batch for one check (drawn fresh per run, student and task)."""
    from upsampling_course.gan.networks import build_discriminator, build_generator
    from upsampling_course.keras_setup import keras_module

    rng = case.rng(task)
    keras_module().utils.set_random_seed(int(rng.integers(2**31)))
    generator = build_generator(lab_probe.LATENT_DIM, width=8)
    discriminator = build_discriminator(width=16, dense_units=32, batch_norm=batch_norm)
    images = _digits()
    real = images[rng.choice(len(images), lab_probe.BATCH, replace=False)].astype("float32")
    latents = rng.standard_normal((lab_probe.BATCH, lab_probe.LATENT_DIM)).astype("float32")
    seen = np.concatenate([real, np.asarray(generator(latents, training=True))])
    offset, width = float(rng.uniform(0.6, 1.4)), float(rng.uniform(1.5, 2.5))
    lab_probe.spread_logits(discriminator, seen, offset, width if spread else None)
    if game == "bce":  # a label smoothing the student has not seen
        setting = round(float(rng.uniform(0.1, 0.3)), 3)
        extra = [setting]
    else:
        setting, extra = case.variant["hinge_margin"], []
    return Setup(generator, discriminator, real, latents, setting, extra, seen, width)


def widened(s: Setup) -> Setup:
    """``s`` with a copy of its discriminator whose logits are spread wide (same mean)."""
    discriminator = lab_probe.with_weights(s.discriminator, s.discriminator.get_weights())
    offset = float(np.mean(np.asarray(discriminator(s.seen, training=True))))
    lab_probe.spread_logits(discriminator, s.seen, offset, s.width)
    return replace(s, discriminator=discriminator)


def probe(ask, maker: str, s: Setup, learning_rate: float, later: tuple = ()) -> dict:
    """One step of the student's ``maker`` on the judge's setup, read and checked (or Wrong).

    ``later``: (setup, learning rate) pairs of more calls of the same step (one trace), on
    networks of the same architecture and the same batch; their raw reports are in "later",
    for :func:`checked`.
    """
    networks = {
        "generator": lab_probe.network_spec(s.generator),
        "discriminator": lab_probe.network_spec(s.discriminator),
    }
    calls = [
        {
            "weights": {
                "generator": t.generator.get_weights(),
                "discriminator": t.discriminator.get_weights(),
            },
            "learning_rate": rate,
        }
        for t, rate in later
    ]
    answer = ask.helper(PROBE, maker, networks, s.real, s.latents, learning_rate, s.extra, calls)
    report = value_of(answer, f"one step of {maker}")
    if type(report) is not dict or not {"losses", "error", "flags", "later"} <= set(report):
        raise Wrong(f"one step of {maker} could not be run (the kernel's reply was malformed)")
    return checked(report, maker, s)


def checked(report: object, maker: str, s: Setup) -> dict:
    """One call's report, checked against the setup it ran on (Wrong with the reason)."""
    if type(report) is not dict or not {"losses", "error"} <= set(report):
        raise Wrong(f"one step of {maker} could not be run (the kernel's reply was malformed)")
    if report["error"] is not None:
        raise Wrong(f"one step of {maker} failed: {str(report['error'])[:300]}")
    losses = report["losses"]
    if type(losses) is not list or len(losses) != 2 or not all(type(v) is float for v in losses):
        raise Wrong(f"{maker}'s step must return (generator_loss, discriminator_loss)")
    if not all(np.isfinite(losses)):
        raise Wrong(f"{maker}'s step returned a NaN or infinite loss")
    for name, model in (("generator", s.generator), ("discriminator", s.discriminator)):
        weights = report.get(name)
        shapes = [w.shape for w in model.get_weights()]
        if type(weights) is not list or [getattr(w, "shape", None) for w in weights] != shapes:
            raise Wrong(f"the {name}'s weights after the step do not fit the {name}")
        if not all(np.isfinite(w).all() for w in weights):
            raise Wrong(f"one step of {maker} left NaN or infinite weights in the {name}")
    return report


def _close(got: float, want: float) -> bool:
    return abs(got - want) <= 2e-3 * abs(want) + 2e-4


@contextmanager
def _as_sent(s: Setup):
    """The judge's networks as the kernel got them afterwards: a call in training mode moves
    batch normalization's running statistics (by a tenth in the generator), and the next
    call in inference mode must use the ones the kernel used."""
    weights = [s.generator.get_weights(), s.discriminator.get_weights()]
    try:
        yield
    finally:
        s.generator.set_weights(weights[0])
        s.discriminator.set_weights(weights[1])


def _expected(s: Setup, game: str, formula, generator_training=True) -> tuple[float, float]:
    with _as_sent(s):
        real, fake = lab_probe.logits_of(
            s.generator, s.discriminator, s.real, s.latents, generator_training
        )
    return tuple(float(v) for v in formula(real, fake, s.setting))


def _steps_probe(ask, case, maker: str, game: str) -> tuple[Setup, dict, Setup, object]:
    """The losses' and the updates' probe in one (one trace of the step): a call at learning
    rate 0 on a discriminator whose logits are spread wide (every clip and target of a loss
    counts), then one SGD step of ``UPDATE_RATE`` on its twin whose logits are only shifted
    (a wide spread makes one step overshoot). Returns (setup, its checked report, the update's
    setup, its raw report)."""
    shifted = setup(case, f"steps {maker}", game, batch_norm=False, spread=False)
    wide = widened(shifted)
    report = probe(ask, maker, wide, 0.0, later=((shifted, UPDATE_RATE),))
    later = report["later"]
    update = later[0] if type(later) is list and len(later) == 1 else None
    return wide, report, shifted, update


def _named_mistakes(s: Setup, game: str, got: float, index: int, want: float) -> list[str]:
    """The known mistakes whose loss ``index`` (0 generator, 1 discriminator) is ``got``."""
    return [
        m.says
        for m in MISTAKES[game]
        for mode in (True, False)
        if _close(got, _expected(s, game, m.losses, mode)[index])
        and not _close(want, _expected(s, game, m.losses, mode)[index])
    ]


def _loss_mistake(ask, case, maker: str, game: str, name: str) -> str:
    """The known mistake the network's loss in the losses' probe matches ("" if none): why
    its update may climb."""
    s, report, _, _ = remembered(
        ask, ("steps", maker), lambda: _steps_probe(ask, case, maker, game)
    )
    index = NAMES.index(f"{name}_loss")
    want = _expected(s, game, lambda r, f, sm: lab_probe.loss_pair(game, r, f, sm))[index]
    if _close(report["losses"][index], want):
        return ""
    named = _named_mistakes(s, game, report["losses"][index], index, want)
    return f"; its loss is {named[0]}" if named else ""


def judge_losses(ask, case, maker: str, game: str) -> Verdict:
    """One share per returned loss: equal to its definition, or the known mistake named."""
    try:
        s, report, _, _ = remembered(
            ask, ("steps", maker), lambda: _steps_probe(ask, case, maker, game)
        )
    except Wrong as why:
        return failed(str(why))
    got = report["losses"]

    def right(r, f, sm):
        return lab_probe.loss_pair(game, r, f, sm)

    # The generator's training flag has its own test: either mode counts here.
    wants = [_expected(s, game, right, mode) for mode in (True, False)]
    if any(_close(got[0], w[1]) and _close(got[1], w[0]) for w in wants):
        return failed(
            "the losses come back as (discriminator_loss, generator_loss): return "
            "(generator_loss, discriminator_loss)"
        )
    checks = []
    for index, name in enumerate(NAMES):
        if any(_close(got[index], w[index]) for w in wants):
            checks.append((True, ""))
            continue
        named = _named_mistakes(s, game, got[index], index, wants[0][index])
        where = (
            f"{name} = {got[index]:.4f} on the judge's batch, where {GAMES[game]} gives "
            f"{wants[0][index]:.4f}"
        )
        if named:
            checks.append((False, f"{where}: this is {named[0]}"))
        else:
            known = "; ".join(m.says for m in MISTAKES[game])
            checks.append((False, f"{where}. It matches none of the mistakes known ({known})"))
    return share(checks, ok=f"both losses equal {GAMES[game]}'s definitions")


def _update_effect(ask, case, maker: str, game: str) -> dict:
    _, _, s, update = remembered(
        ask, ("steps", maker), lambda: _steps_probe(ask, case, maker, game)
    )
    report = checked(update, maker, s)
    return lab_probe.update_effect(
        game, s.generator, s.discriminator, report, s.real, s.latents, s.setting
    )


def judge_updates(ask, case, maker: str, game: str, names: tuple[str, ...]) -> Verdict:
    """One share per network in ``names``: one step lowered its own loss.

    It reads the second call of the losses' probe (a probe costs a trace of the step).
    """
    try:
        effect = remembered(ask, ("updates", maker), lambda: _update_effect(ask, case, maker, game))
    except Wrong as why:
        return failed(str(why))
    checks = []
    for name in names:
        before, after, changed = effect[name]
        if not changed:
            checks.append(
                (
                    False,
                    f"the {name}'s weights did not change: it was not updated (a stop_gradient on "
                    "its path, gradients taken outside the tape, or no apply_gradients)",
                )
            )
        elif not after < before - 1e-4 * abs(before):
            checks.append(
                (
                    False,
                    f"one step raised the {name}'s own loss ({before:.4f} -> {after:.4f}): its "
                    "update climbs the loss (a flipped sign, or the other network's target)"
                    + _loss_mistake(ask, case, maker, game, name),
                )
            )
        else:
            checks.append((True, ""))
    return share(checks, ok=f"one step lowers the loss of the {' and the '.join(names)}")


def _mode_logits(s: Setup, generator_training: bool, discriminator: str):
    with _as_sent(s):
        return _logits_in_mode(s, generator_training, discriminator)


def _logits_in_mode(s: Setup, generator_training: bool, discriminator: str):
    fakes = np.asarray(s.generator(s.latents, training=generator_training))
    d = s.discriminator
    if discriminator == "together":
        both = np.asarray(d(np.concatenate([s.real, fakes]), training=True)).ravel()
        return both[: len(s.real)], both[len(s.real) :]
    training = discriminator == "separate"
    return (
        np.asarray(d(s.real, training=training)).ravel(),
        np.asarray(d(fakes, training=training)).ravel(),
    )


def judge_training_mode(ask, case, maker: str, game: str) -> Verdict:
    """Both networks in training mode, read off the losses on networks with batch normalization."""
    s = setup(case, f"mode {maker}", game, batch_norm=True)
    try:
        report = probe(ask, maker, s, 0.0)
    except Wrong as why:
        return failed(str(why))
    got = report["losses"]
    formulas = [lambda r, f, sm: lab_probe.loss_pair(game, r, f, sm)]
    formulas += [m.losses for m in MISTAKES[game]]
    for g_mode in (True, False):
        for d_mode in ("separate", "together", "inference"):
            real, fake = _mode_logits(s, g_mode, d_mode)
            if any(
                _close(got[0], want[0]) and _close(got[1], want[1])
                for want in (f(real, fake, s.setting) for f in formulas)
            ):
                off = [n for n, ok in (("generator", g_mode), ("discriminator",
                                        d_mode != "inference")) if not ok]  # fmt: skip
                if not off:
                    return passed("both networks are called with training=True")
                return failed(
                    f"the {' and the '.join(off)} is called in inference mode (training=False, "
                    "or no training argument): batch normalization then uses its running "
                    "averages instead of the batch's statistics while the network learns"
                )
    flags = report.get("flags")
    if type(flags) is dict and all(
        type(v) is list and v and all(f is True for f in v) for v in flags.values()
    ):
        return passed("both networks are called with training=True")
    return failed(
        "the judge could not find both networks in training mode: call the generator and the "
        "discriminator with training=True"
    )
