"""The jupyter_client classes nbgrader's Execute step uses to run a kernel in the sandbox.

``SandboxedKernelManager`` starts the kernel inside ``bwrap`` (the command is
``sandbox.bwrap_command``) and talks to it over unix sockets (the ``ipc``
transport) in a folder bound into the sandbox; ``CappedKernelClient`` keeps a
bounded amount of its output. nbgrader is pointed at them by
``sandbox.nbgrader_options``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type, Unicode

from upsampling_grader.budget import student_group
from upsampling_grader.sandbox import (
    NOT_SHIPPED,
    NOTES_FILE,
    Limits,
    bwrap_command,
    kernel_env,
    privileged,
    readable_cache,
    sandbox_uid,
)

OUTPUT_MESSAGES = {"stream", "display_data", "update_display_data", "execute_result", "error"}
# What all the judge's requests of one kernel may bring back (characters).
JUDGE_REPLY_BUDGET = 256 * 2**20
# Past the output budget, errors and results keep this much.
SHORT_LINES, SHORT_TEXT = 20, 1000
# The largest message the grader receives from a kernel on any channel (bytes): zmq drops
# a larger one before it is buffered. One judge reply may fill the judge's budget.
MESSAGE_LIMIT = JUDGE_REPLY_BUDGET + 2**20
# Messages nbclient needs to follow a cell (small, and never kept): outside the budget.
BOOKKEEPING = {"status", "execute_input"}


class CappedIOPubChannel(AsyncZMQSocketChannel):
    """Keeps the first ``budget`` characters of output; after that only what grading reads.

    nbgrader scores a test cell 0 when its outputs hold an error or a stderr
    stream, and gives partial credit for a number it returns: past the budget
    each cell still gets its error (shortened), its first stream of each name
    (as a note) and its result (shortened); everything else is dropped.
    """

    budget = 2**20
    note = "[output cut by the grader]"
    # The judge's requests (upsampling_grader.judge.channel) have a budget of their own:
    # a notebook that used up its output budget still gets its answers read.
    judge_budget = JUDGE_REPLY_BUDGET

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra = self.content_size = 0
        self.used = 0
        self.judge_used = 0
        self.cut = False
        self.noted: set[tuple[str, str]] = set()
        self.judge_requests: set[str] = set()  # msg ids of the judge's requests

    async def _recv(self, **kwargs) -> dict:
        frames = await self.socket.recv_multipart(**kwargs)
        _, message = self.session.feed_identities(frames)
        # [signature, header, parent header, metadata, content, buffers...]: what a
        # message carries beyond its content (metadata, buffers, an outsized header).
        sizes = [len(frame) for frame in message]
        self.extra = max(sizes[3] - 2, 0) + sum(sizes[5:]) + max(sum(sizes[1:3]) - 2048, 0)
        self.content_size = sizes[4]
        return self.session.deserialize(message)

    async def get_msg(self, timeout: float | None = None) -> dict:
        """The next message worth keeping: every message but nbclient's bookkeeping
        (display, update, clear_output, comm and unknown kinds, with their metadata) is
        counted, as received, against the student's budget."""
        while True:
            msg = await super().get_msg(timeout)
            kind = msg["header"]["msg_type"]
            if kind in BOOKKEEPING:
                return msg
            # An output's text as before (the budget is the notebook's printed text);
            # any other kind by its content's bytes; both with what rides beside it.
            size = self.extra + (
                _output_size(msg["content"]) if kind in OUTPUT_MESSAGES else self.content_size
            )
            if msg["parent_header"].get("msg_id") in self.judge_requests:
                self.judge_used += size
                if self.judge_used <= self.judge_budget:
                    return msg
                continue  # past the judge's budget: the judge reads "no answer"
            room = self.budget - self.used
            self.used += size
            if self.used <= self.budget:
                return msg
            self.cut = True
            kept = self._shortened(msg, kind, max(room, 0)) if kind in OUTPUT_MESSAGES else None
            if kept is not None:
                return kept

    def _shortened(self, msg: dict, kind: str, room: int) -> dict | None:
        """The message as kept past the budget (``room``: what was left of it), or None."""
        content, cell = msg["content"], msg["parent_header"].get("msg_id", "")
        if kind == "error":
            lines = content.get("traceback", [])[-SHORT_LINES:]
            content["traceback"] = [line[:SHORT_TEXT] for line in lines]
            content["evalue"] = str(content.get("evalue", ""))[:SHORT_TEXT]
            return msg
        if kind == "execute_result":
            content["data"] = {
                "text/plain": str(content["data"].get("text/plain", ""))[:SHORT_TEXT]
            }
            return msg
        if kind == "stream" and (cell, content.get("name")) not in self.noted:
            self.noted.add((cell, content.get("name")))
            content["text"] = f"{content.get('text', '')[:room]}\n{self.note}\n"
            return msg
        return None


def _output_size(content: dict) -> int:
    parts = [content.get("text", ""), *content.get("traceback", [])]
    parts += [v if isinstance(v, str) else json.dumps(v) for v in content.get("data", {}).values()]
    return sum(len(p) for p in parts)


class CappedKernelClient(AsyncKernelClient):
    """A kernel client whose IOPub channel keeps a bounded amount of output."""

    limits_json = Unicode("", config=True)
    iopub_channel_class = Type(CappedIOPubChannel)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Every socket of this client (its own context) refuses a message over the limit.
        self.context.setsockopt(zmq.MAXMSGSIZE, MESSAGE_LIMIT)

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        await super()._async_wait_for_ready(timeout)
        # The kernel has made its sockets: its folder is the grader's again before any
        # cell runs, so that a notebook cannot fill the grader's disk through it.
        lock_socket_folder(Path(self.connection_file).parent)

    wait_for_ready = _async_wait_for_ready

    @property
    def iopub_channel(self):
        made = self._iopub_channel is None
        channel = super().iopub_channel
        if made:
            limits = Limits.from_json(self.limits_json)
            channel.budget, channel.note = limits.output_kb * 1024, limits.cut_note()
        return channel


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel in a bwrap sandbox and talks to it over unix sockets.

    ``folder`` is the grader's folder for one run's kernels (never bound into
    a sandbox), with a subfolder per student (named as its folder in the scratch course): each kernel
    gets a folder in it for its connection file and sockets, which is bound;
    ``NOTES_FILE`` beside those collects what the grader saw (processes left
    behind). ``limits_json`` is a ``Limits`` in JSON.
    """

    folder = Unicode("", config=True, help="the grader's folder for this student's kernels")
    limits_json = Unicode("", config=True, help="the sandbox's Limits as JSON")
    package_view = Unicode("", config=True, help="the course package as the kernel sees it")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.client_class = f"{__name__}.CappedKernelClient"

    def client(self, **kwargs):
        return super().client(limits_json=self.limits_json, **kwargs)

    async def _async_pre_start_kernel(self, **kw):
        folder = Path(self.folder or tempfile.mkdtemp(prefix="sandbox-kernels-"))
        if kw.get("cwd"):
            folder = student_folder(folder, Path(kw["cwd"]))
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = str(folder)
        comms = Path(tempfile.mkdtemp(prefix="kernel-", dir=socket_parent(folder)))
        self.transport = "ipc"
        self.ip = str(comms / "k")
        self.connection_file = str(comms / "kernel.json")
        # A signal to bwrap would end the sandbox: ask ipykernel to interrupt itself.
        self.kernel_spec.interrupt_mode = "message"
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        comms = Path(self.connection_file).parent
        uid = sandbox_uid()
        if privileged():
            os.chown(comms, uid, uid)
            os.chown(self.connection_file, uid, uid)
        cwd = Path(kw.get("cwd") or os.getcwd())
        shipped = [
            p
            for p in sorted(cwd.iterdir())
            if p.is_file() and p.suffix != ".ipynb" and p.name not in NOT_SHIPPED
        ]
        limits = Limits.from_json(self.limits_json)
        cache = readable_cache(Path(self.folder))
        kw["env"] = kernel_env(kw.get("env") or dict(os.environ), cache=cache is not None)
        kw["cwd"] = str(comms)
        # What the kernel process writes on its fd 1 and 2 (not a cell's output, which
        # comes over IOPub) would reach nbgrader's log and the grading command unbounded.
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        view = Path(self.package_view) if self.package_view else None
        command = bwrap_command(
            kernel_cmd, comms=comms, uid=uid, limits=limits, shipped=shipped, cache=cache, view=view
        )
        # The whole sandbox in one budget where the machine gives a cgroup (budget.py).
        self.group = student_group(limits)
        if self.group is not None:
            command = self.group.wrap(command)
        await super()._async_launch_kernel(command, **kw)
        if self.group is not None:
            self._budget_watch = asyncio.ensure_future(self.group.watch())

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False):
        process = getattr(self.provisioner, "process", None)
        # The sandbox's first process and the kernel; anything else was left behind.
        left = len(sandbox_processes(process.pid)) - 2 if process is not None else 0
        group = getattr(self, "group", None)  # its shell exec'd bwrap: no process of its own
        notes = []
        if left > 0:
            notes.append(
                f"{left} process(es) the notebook started were still running when it "
                "ended; the sandbox ended them"
            )
        await super()._async_shutdown_kernel(now=now, restart=restart)
        if getattr(self, "_budget_watch", None) is not None:
            self._budget_watch.cancel()
            self._budget_watch = None
        if group is not None:
            notes += group.notes()
            group.remove()
            self.group = None
        if notes:
            with open(Path(self.folder) / NOTES_FILE, "a") as file:
                file.writelines(f"{note}\n" for note in notes)
        comms = Path(self.connection_file).parent
        if not restart and comms.parent != Path(self.folder):
            shutil.rmtree(comms, ignore_errors=True)  # a short socket folder of its own

    shutdown_kernel = _async_shutdown_kernel  # AsyncKernelManager binds the base one


def lock_socket_folder(comms: Path) -> None:
    """Give a kernel's socket folder and connection file back to the grader (as root): the
    kernel keeps the sockets it made and can create nothing more there."""
    if not privileged() or not comms.is_dir():
        return
    for path in (comms / "kernel.json", comms):
        with contextlib.suppress(FileNotFoundError):
            os.chown(path, 0, 0, follow_symlinks=False)
            os.chmod(path, 0o755 if path.is_dir() else 0o444)


def student_folder(folder: Path, cwd: Path) -> Path:
    """The grader's folder for the kernels of the student whose notebook runs in ``cwd``.

    nbgrader runs a notebook in <submitted>/<student>/<assignment>: one folder
    per student, so that one nbgrader run can grade several students.
    """
    return Path(folder) / Path(cwd).parent.name


# A unix socket's path must fit in sun_path (108 bytes on Linux, with its NUL);
# the sockets are named <folder>/kernel-XXXXXXXX/k-<port>.
SOCKET_PATH_LIMIT = 107
SOCKET_NAME_ROOM = len("/kernel-XXXXXXXX/k-65535")


def socket_parent(folder: Path) -> Path | None:
    """Where a kernel's socket folder goes: in ``folder``, unless its path is too long for
    a unix socket (a deep scratch folder); then in the system's temporary folder."""
    if len(str(folder)) + SOCKET_NAME_ROOM <= SOCKET_PATH_LIMIT:
        return folder
    return None


def sandbox_processes(bwrap_pid: int) -> list[int]:
    """The processes in the pid namespace of the sandbox that ``bwrap_pid`` started."""
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    namespace = None
    for pid in pids:
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{pid}/status").read_text()
            if f"\nPPid:\t{bwrap_pid}\n" in status:
                namespace = os.readlink(f"/proc/{pid}/ns/pid")
                break
    if namespace is None:
        return []
    inside = []
    for pid in pids:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/ns/pid") == namespace:
                inside.append(pid)
    return inside
