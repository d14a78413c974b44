"""The judge's parts that need no kernel: reading what a kernel sends, and naming mistakes.

Whatever a student's kernel sends may have been written to fool the reader,
so the decoder is tried here with replies no honest kernel sends; the
mistake-namer is tried with answers that are right, that match one known
mistake, and that match none.
"""

from __future__ import annotations

import numpy as np
import pytest

from upsampling_course.answers import encode
from upsampling_grader.judge import plain
from upsampling_grader.judge.answers import Wrong
from upsampling_grader.judge.channel import Answer
from upsampling_grader.judge.named_mistakes import Mistake, judge, read_all


@pytest.mark.parametrize(
    "value",
    [
        3,
        -2.5,
        "same",
        None,
        (1, (2, 3)),
        [1, "a", None],
        {"stride": 2, "padding": "valid"},
        np.arange(6, dtype="float32").reshape(2, 3),
        np.int64(7),
        float("nan"),
        2**80,
    ],
    ids=repr,
)
def test_plain_values_survive_the_round_trip_with_their_types(value):
    back = plain.read(encode(value))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)
    elif value != value:  # nan
        assert back != back
    else:
        assert back == value


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        ({"__ndarray__": ["|O", [1], "AA=="]}, "not allowed"),
        ({"__ndarray__": ["<f8", [10**9, 10**9], ""]}, "too many elements"),
        ({"__ndarray__": ["<f8", [2], "AAAA"]}, "does not fit"),
        ({"__pickle__": "gASV"}, "unknown tag"),
        ({"__tuple__": [1], "__dict__": []}, "unexpected dict"),
        ({"__dict__": [[1, 2]]}, "not a [key, value] pair"),
        ({"__npscalar__": ["|i1", 1000]}, "out of its dtype's range"),
        ({"__bigint__": "9" * 500}, "unknown tag"),
        (2**64, "out of range"),
        ([[[[[[[[[[1]]]]]]]]]], "nested too deeply"),
        (["x" * 600_000, "y" * 600_000], "too many text"),
    ],
)
def test_replies_no_honest_kernel_sends_are_refused_with_a_reason(reply, says):
    with pytest.raises(plain.Malformed, match=says.replace("[", r"\[").replace("]", r"\]")):
        plain.read(reply)


def _double(case: int) -> np.ndarray:
    return np.full(3, 2.0 * case)


MISTAKES = [
    Mistake("the input itself", "Multiply it by two.", lambda case: np.full(3, float(case))),
    Mistake("an integer halving", "Not divide.", lambda case: np.full(3, float(case // 2))),
]
CASES = [1, 3]


def _verdict(answers: list[object]):
    got = read_all([Answer(value=a) for a in answers], CASES, describe=lambda c: f"input {c}")
    return judge(
        got, CASES, [_double(c) for c in CASES], MISTAKES, lambda c: f"input {c}", ok="doubled"
    )


def test_a_right_answer_passes():
    assert _verdict([np.full(3, 2.0), np.full(3, 6.0)]).passed


def test_an_answer_equal_to_a_known_mistake_is_named_with_its_advice():
    verdict = _verdict([np.full(3, 1.0), np.full(3, 3.0)])
    assert not verdict.passed
    assert "the input itself" in verdict.lines[0] and "Multiply it by two." in verdict.lines[0]


def test_a_mistake_is_named_only_when_it_explains_every_failing_case():
    verdict = _verdict([np.full(3, 1.0), np.full(3, 1.0)])
    assert "matches none of the mistakes" in verdict.lines[0]
    assert "input 1" in verdict.lines[0] or "input 3" in verdict.lines[0]


def test_an_unreadable_answer_says_why_and_a_wrong_shape_says_which():
    unreadable = _verdict(["two", np.full(3, 6.0)])
    assert "not a NumPy array" in unreadable.lines[0]
    wrong_shape = _verdict([np.full(4, 2.0), np.full(3, 6.0)])
    assert "has shape (4,)" in wrong_shape.lines[0]


def test_non_finite_answers_are_wrong_before_any_comparison():
    with pytest.raises(Wrong, match="NaN or infinite"):
        from upsampling_grader.judge.named_mistakes import read_array

        read_array(Answer(value=np.array([np.nan])), "the output")


def test_lab_judge_remembers_an_answer_per_kernel_only():
    """A task's finding is reused by the other tasks of the same kernel (one probe per step),
    a Wrong too, and never handed to the next student's kernel, even at the same address."""
    from upsampling_grader.judge.tasks._lab_steps import remembered

    class Asker:  # stands for upsampling_grader.judge.channel.Asker
        pass

    first, calls = Asker(), []
    assert remembered(first, "model", lambda: calls.append(1) or "first's") == "first's"
    assert remembered(first, "model", lambda: "asked again") == "first's"
    assert calls == [1]

    def wrong():
        raise Wrong("no generator")

    for compute in (wrong, lambda: "fine the second time"):
        with pytest.raises(Wrong, match="no generator"):
            remembered(first, "broken", compute)
    del first
    assert remembered(Asker(), "model", lambda: "second's") == "second's"


class _SilentKernel:
    """A client whose kernel never answers: each wait ends as jupyter_client's does."""

    def __init__(self):
        self.iopub_channel = object()
        self.sent = 0

    def execute(self, code, **_):
        self.sent += 1
        return f"request-{self.sent}"

    async def get_iopub_msg(self, timeout):
        import asyncio
        import queue

        await asyncio.sleep(min(timeout, 0.05))
        raise queue.Empty

    async def get_shell_msg(self, timeout):
        import queue

        raise queue.Empty


def test_a_request_past_its_time_interrupts_the_kernel_and_the_judge_asks_again():
    import asyncio

    from upsampling_grader.judge.channel import KernelChannel

    interrupts = []

    async def interrupt():
        interrupts.append(True)

    channel = KernelChannel(_SilentKernel(), interrupt=interrupt, timeout=0.2)
    why = asyncio.run(channel.request({"op": "call", "name": "f"}))
    assert "did not answer" in why
    assert interrupts == [True]  # a late request is interrupted, not taken for a broken channel
    assert not channel.gone  # one late answer does not end the judge's questions


def test_each_answer_gets_a_cells_time_at_most_the_request_limit():
    from upsampling_grader.judge.execute import JudgedExecute
    from upsampling_grader.limits import REQUEST_TIMEOUT

    assert JudgedExecute(timeout=30).answer_seconds == 30
    assert JudgedExecute(timeout=REQUEST_TIMEOUT * 3).answer_seconds == REQUEST_TIMEOUT
    assert JudgedExecute(timeout=None).answer_seconds == REQUEST_TIMEOUT
