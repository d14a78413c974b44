"""The build's kernels talk to it over Unix sockets in a private folder, not over TCP.

myst-nb executes each chapter through jupyter-cache and nbclient, whose
kernel manager opens five TCP ports on 127.0.0.1 per kernel. Any local user
can connect to those ports, and ipykernel says so on every start ("Kernel is
running over TCP without encryption", eleven lines in a book build's log).
Neither myst-nb nor jupyter-cache passes options through to nbclient, so this
extension gives nbclient a kernel manager whose default transport is IPC: the
sockets are files in a folder only this user can open (mode 0700), which is
removed when the build ends. Nothing else about execution changes.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from jupyter_client import AsyncKernelManager
from nbclient import NotebookClient
from traitlets import default


def private_socket_manager(folder: Path) -> type[AsyncKernelManager]:
    """A kernel manager class whose kernels listen on Unix sockets under ``folder``."""

    class PrivateSocketKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            # For IPC, "ip" is the sockets' path prefix (jupyter_client adds -1 ... -5).
            return str(folder / f"kernel-{uuid.uuid4().hex[:12]}")

    return PrivateSocketKernelManager


def use_private_sockets(app, config) -> None:
    folder = Path(tempfile.mkdtemp(prefix="book-kernels-"))  # mkdtemp makes it 0700
    manager = private_socket_manager(folder)
    # traitlets reads a dynamic default from the class's `_<name>_default`:
    # nbclient's own one returns AsyncKernelManager.
    NotebookClient._kernel_manager_class_default = lambda self: manager
    app.connect("build-finished", lambda app, error: shutil.rmtree(folder, ignore_errors=True))


def setup(app):
    app.connect("config-inited", use_private_sockets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
