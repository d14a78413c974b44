"""The judge's one way into a student's kernel: ask, wait a bounded time, read plain data.

After the notebook has run, the judge sends the kernel requests (JSON, answered
by ``upsampling_course.answers`` inside the sandbox) and reads the replies off
the kernel's messages: only the ``display_data`` of ``ANSWER_MIME`` whose parent
is the request just sent counts, its size is bounded, and its content is read
by :mod:`upsampling_grader.judge.plain`. A reply that is missing, late,
malformed or not plain makes an :class:`Answer` with a ``problem`` and no value:
the tasks score it as a wrong answer and say why.
"""

from __future__ import annotations

import asyncio
import json
import queue
import time
from collections.abc import Sequence
from dataclasses import dataclass

from upsampling_course.answers import ANSWER_MIME
from upsampling_grader.judge import plain

REQUEST_CODE = "__import__('upsampling_course.answers', fromlist=['answer']).answer({text})"
# A reply is JSON inside a Jupyter message: this bounds the characters the judge reads.
MAX_REPLY_CHARS = 64 * 2**20
# After this many requests in a row went unanswered, the kernel is taken for gone.
GIVE_UP_AFTER = 2


@dataclass(frozen=True)
class Answer:
    """One answer of the kernel: a plain ``value``, or the ``problem`` that stands for it."""

    value: object = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def no_answer(problem: str) -> Answer:
    return Answer(problem=problem)


class KernelChannel:
    """Requests to one running kernel through ``client`` (an async jupyter_client client).

    ``interrupt`` (a coroutine function, or None) is called when a request runs
    past its time, so that the kernel can take the next one.
    """

    def __init__(self, client, interrupt=None, timeout: float = 60.0):
        self.client = client
        self.interrupt = interrupt
        self.timeout = timeout
        self.unanswered = 0  # requests in a row without a reply
        self.log: list[str] = []  # what went wrong, for the grader's record

    @property
    def gone(self) -> bool:
        return self.unanswered >= GIVE_UP_AFTER

    async def request(self, request: dict, timeout: float | None = None) -> dict | str:
        """The kernel's reply to ``request`` (a dict), or a string saying why there is none."""
        if self.gone:
            return "the kernel had stopped answering the judge"
        text = json.dumps(json.dumps(request))
        msg_id = self.client.execute(
            REQUEST_CODE.format(text=text),
            silent=False,
            store_history=False,
            allow_stdin=False,
            stop_on_error=False,
        )
        # A sandboxed kernel's channel gives the judge's replies a budget of their own.
        getattr(self.client.iopub_channel, "judge_requests", set()).add(msg_id)
        deadline = time.monotonic() + (timeout or self.timeout)
        reply, why, late = await self._collect(msg_id, deadline)
        if why is not None:
            self.unanswered += 1
            self.log.append(f"{request.get('op')} {request.get('name', '')}: {why}")
            if late and self.interrupt is not None:
                await self._interrupt()
            return why
        self.unanswered = 0
        return reply

    async def _interrupt(self) -> None:
        try:
            await asyncio.wait_for(self.interrupt(), 10)
        except Exception as error:  # a kernel that cannot be interrupted is reported as gone
            self.log.append(f"interrupt failed: {error}")
            self.unanswered = GIVE_UP_AFTER

    async def _collect(self, msg_id: str, deadline: float) -> tuple[dict | None, str | None, bool]:
        """The reply, or why there is none, and whether the request ran past its time."""
        reply: dict | None = None
        seen_chars = 0
        idle = False
        while not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                return None, f"the kernel did not answer within {self.timeout:.0f} s", True
            try:
                msg = await self.client.get_iopub_msg(timeout=left)
            except (TimeoutError, queue.Empty):  # jupyter_client's async clients raise queue.Empty
                continue
            except Exception as error:  # the channel broke (kernel died)
                return None, f"the kernel's channel broke ({type(error).__name__})", False
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
            elif kind == "display_data" and reply is None:
                data = msg["content"].get("data", {})
                if ANSWER_MIME in data:
                    payload = data[ANSWER_MIME]
                    seen_chars += (
                        len(json.dumps(payload)) if not isinstance(payload, str) else len(payload)
                    )
                    if seen_chars > MAX_REPLY_CHARS:
                        return None, "the kernel's reply was too large", False
                    if isinstance(payload, dict):
                        reply = payload
        await self._drain_shell(msg_id, deadline)
        if reply is None:
            return None, "the kernel ran the request but sent no answer", False
        return reply, None, False

    async def _drain_shell(self, msg_id: str, deadline: float) -> None:
        """Read the request's execute_reply, so the shell channel stays in step."""
        while time.monotonic() < deadline:
            try:
                msg = await self.client.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.1))
            except Exception:
                return
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return


# ---------------------------------------------------------------------------
# The questions the tasks ask, each returning Answers


def _answer(entry: object, bounds: plain.Bounds) -> Answer:
    """One reply entry ({"value"}, {"not_plain"}, {"error"}, {"missing"}) as an Answer."""
    if type(entry) is not dict or len(entry) != 1:
        return no_answer("the kernel's reply was malformed")
    ((key, body),) = entry.items()
    if key == "value":
        try:
            value = plain.read(body, bounds)
        except plain.Malformed as why:
            return no_answer(f"the kernel's reply was malformed ({why})")
        return Answer(value=value)
    if key == "not_plain" and type(body) is str:
        return Answer(value=plain.NotPlain(body[:200]))
    if key == "error" and type(body) is str:
        return no_answer(f"it raised {body[:2000]}")
    if key == "missing":
        return no_answer("it is not defined in the notebook")
    return no_answer("the kernel's reply was malformed")


class Asker:
    """The synchronous questions a task asks (``run`` runs a coroutine to completion)."""

    def __init__(self, channel: KernelChannel, run, bounds: plain.Bounds = plain.DEFAULT_BOUNDS):
        self.channel = channel
        self.run = run
        self.bounds = bounds

    def _request(self, request: dict, timeout: float | None = None) -> dict | str:
        reply = self.run(self.channel.request(request, timeout))
        if isinstance(reply, dict) and "failed" in reply:
            return f"the kernel could not answer ({str(reply['failed'])[:500]})"
        return reply

    def values(self, names: Sequence[str]) -> dict[str, Answer]:
        """The values of these names in the notebook (``name.attr`` allowed)."""
        reply = self._request({"op": "values", "names": list(names)})
        if isinstance(reply, str):
            return {n: no_answer(reply) for n in names}
        entries = reply.get("values") if isinstance(reply.get("values"), dict) else {}
        return {n: _answer(entries.get(n), self.bounds) for n in names}

    def value(self, name: str) -> Answer:
        return self.values([name])[name]

    def calls(
        self,
        name: str,
        calls: Sequence[tuple],
        kwargs: Sequence[dict] | None = None,
        timeout: float | None = None,
    ) -> list[Answer]:
        """``name(*args, **kw)`` for each args tuple (and kwargs dict), answered in one request."""
        kwargs = list(kwargs) if kwargs is not None else [{} for _ in calls]
        encoded = [
            {"args": plain.encode_input(list(a)), "kwargs": plain.encode_input(k)}
            for a, k in zip(calls, kwargs, strict=True)
        ]
        reply = self._request({"op": "calls", "name": name, "calls": encoded}, timeout)
        if isinstance(reply, str):
            return [no_answer(reply)] * len(calls)
        if reply.get("missing"):
            return [no_answer(f"`{name}` is not defined in the notebook")] * len(calls)
        if "not_callable" in reply:
            return [no_answer(f"`{name}` is not a function")] * len(calls)
        results = reply.get("results")
        if type(results) is not list or len(results) != len(calls):
            return [no_answer("the kernel's reply was malformed")] * len(calls)
        return [_answer(r, self.bounds) for r in results]

    def call(self, name: str, *args, timeout: float | None = None, **kwargs) -> Answer:
        return self.calls(name, [args], [kwargs], timeout=timeout)[0]

    def model(self, name: str, *args, timeout: float | None = None) -> Answer:
        """The Keras model ``name`` (a variable), or ``name(*args)`` (a builder), as plain data."""
        request = {"op": "model", "name": name}
        if args:
            request["args"] = plain.encode_input(list(args))
        reply = self._request(request, timeout)
        if isinstance(reply, str):
            return no_answer(reply)
        if reply.get("missing"):
            return no_answer(f"`{name}` is not defined in the notebook")
        return _answer(reply, self.bounds)

    def helper(self, helper: str, *args, timeout: float | None = None) -> Answer:
        """A course helper (``module.function``) applied in the kernel to its namespace and args."""
        request = {"op": "run", "helper": helper, "args": plain.encode_input(list(args))}
        reply = self._request(request, timeout)
        if isinstance(reply, str):
            return no_answer(reply)
        return _answer(reply, self.bounds)
