"""Run a student's Jupyter kernel in a bubblewrap sandbox, and only that kernel.

nbgrader runs outside, as the grader; the kernel it starts runs inside
``bwrap`` (Debian's ``bubblewrap``) with

* its own pid, mount, network, IPC and UTS namespaces: it sees only its own
  processes, has no network, and every process it starts (a detached one in a
  new session included) ends when the kernel ends, because the namespace's
  first process exits (``--die-with-parent`` ties that to nbgrader);
* as root, a user id of its own (``SANDBOX_UID_BASE`` + a random number,
  mapped to no account); otherwise ``nobody`` in an unprivileged user
  namespace (the grader's user outside, with nothing of the grader in
  sight); no capabilities, ``no_new_privs``;
* a file system that holds only: the Python installation read-only (the
  virtual environment, its base interpreter, ``/usr``), the ``upsampling_course``
  package folder read-only (never its parent: with an editable install that
  is the repository clone, which holds ``solutions/``), never the grader
  (``upsampling_grader``: an editable install lives in the clone, which is
  not bound; an installed one is covered by an empty folder whose
  ``__init__`` refuses the import, ``not_in_a_kernel.py``), the files the
  assignment ships in the notebook's folder (read-only, notebooks excluded),
  a fresh ``/proc`` and ``/dev``, a size-bound tmpfs as ``/tmp``, ``HOME`` and
  working folder, the folder of the kernel's unix sockets, and a read-only
  copy of the grader's course cache (``upsampling_course.cache``: a judge
  classifier the grader trained that the package does not ship, so that
  grading a lab does not train it again for every student; nothing secret
  lives there);
* limits on address space, CPU time, processes and threads, file size, and
  the output the grader keeps (``CappedKernelClient``).

The kernel talks to nbgrader over jupyter_client's ``ipc`` transport (unix
sockets in a folder bound into the sandbox), which works across the network
namespace: ``sandbox_kernel`` holds the kernel manager and client, which
nbgrader uses through ``--Execute.kernel_manager_class`` (see
``nbgrader_options``). This module makes the command and says whether a
sandbox can be made here.

Not covered: the kernel can read the code of the tests it runs (nbgrader
sends it) and import the course package. The rlimits bound each process; the
sandbox as a whole gets one budget where the grader can make a cgroup (budget.py).
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from upsampling_course.cache import READ_ONLY_ENV_VAR
from upsampling_course.data import SOURCE_ENV_VAR
from upsampling_course.variants import GRADING_ID_VARIABLE
from upsampling_grader.limits import Limits

# Kernels get a user id in [SANDBOX_UID_BASE, SANDBOX_UID_BASE + 2**24): no
# account has one, and each kernel has its own, so that the per-user process
# limit counts that kernel's processes only.
SANDBOX_UID_BASE = 1_500_000_000
NOBODY = 65534
HOME = "/tmp/home"
NOTES_FILE = "sandbox-notes.txt"
WORK = "/tmp/work"
# Variables of the grader's environment that the kernel keeps, by name: the student's id
# (the judge's kernel is given it), the package's data source, the run's marker
# (scratch.RUN_MARKER), a quiet TensorFlow; never the machine's other TF_ settings.
KEPT_ENVIRONMENT = (GRADING_ID_VARIABLE, SOURCE_ENV_VAR, "UPSAMPLING_COURSE_GRADING_RUN")
KEPT_ENVIRONMENT += ("TF_CPP_MIN_LOG_LEVEL", "PYTHONHASHSEED")
# Files of the notebook's folder that are nbgrader's, not the assignment's.
NOT_SHIPPED = {"timestamp.txt", "submission_secret.txt"}
# Where the kernel sees the copy of the grader's course cache, and how much of it.
CACHE_MOUNT = "/tmp/course-cache"
CACHE_LIMIT_MB = 64
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`) and grade as root or "
    "where unprivileged user namespaces are allowed, or see the instructor guide's sandbox "
    "section for containers; only for work you trust, pass --no-sandbox"
)


def explain_error(text: str, limits: Limits) -> str | None:
    """Which sandbox limit an error message points at, in words for the CSV."""
    causes = [
        (
            "Resource temporarily unavailable",
            f"the sandbox's limit of {limits.processes} processes and threads was reached",
        ),
        ("No space left on device", f"the sandbox's {limits.disk_mb} MB of disk were filled"),
        ("File too large", f"the sandbox's {limits.disk_mb} MB of disk were filled"),
        ("name resolution", "the sandbox has no network"),
        ("Network is unreachable", "the sandbox has no network"),
        ("Connection refused", "the sandbox has no network"),
        ("MemoryError", f"the sandbox's memory limit of {limits.memory_mb} MB was reached"),
    ]
    return next((why for needle, why in causes if needle in text), None)


# ---------------------------------------------------------------------------
# Whether a sandbox can be made here


def bwrap_executable() -> str | None:
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=1)
def sandbox_problem() -> str | None:
    """Why no sandbox can be made on this machine, or None when one can."""
    bwrap = bwrap_executable()
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    comms = Path(tempfile.mkdtemp(prefix="sandbox-check-"))
    try:
        probe = [sys.executable, "-I", "-c", "import os; print(os.getuid())"]
        uid = sandbox_uid()
        command = bwrap_command(probe, comms=comms, uid=uid, limits=Limits())
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=60, env=kernel_env({})
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bwrap could not be started ({error})"
        if done.returncode != 0 or done.stdout.strip() != str(uid):
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            return f"bwrap could not make a sandbox here (exit {done.returncode}: {last})"
    finally:
        shutil.rmtree(comms, ignore_errors=True)
    return None


# ---------------------------------------------------------------------------
# The bwrap command line


def _system_mounts() -> list[str]:
    """/usr read-only, and /bin, /lib... as the host has them (links into /usr, or folders)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        path = Path(name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            args += ["--ro-bind", name, name]
    for name in ("/etc/ld.so.cache", "/etc/localtime"):
        if Path(name).exists():
            args += ["--ro-bind", name, name]
    return args


def python_folders() -> list[Path]:
    """What the kernel's Python needs, read-only: the environment, its base, the package."""
    import upsampling_course

    folders = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent]
    # Editable install: bind the package folder itself, never the clone above it.
    folders.append(Path(upsampling_course.__file__).resolve().parent)
    kept: list[Path] = []
    for folder in sorted({f.resolve() for f in folders}, key=lambda p: len(p.parts)):
        if not any(folder.is_relative_to(k) for k in kept) and not folder.is_relative_to("/usr"):
            kept.append(folder)
    return kept


def course_package_folder() -> Path:
    import upsampling_course

    return Path(upsampling_course.__file__).resolve().parent


def grader_folders(bound: list[Path]) -> list[Path]:
    """The grader's own package folder where one of the ``bound`` folders would show it
    (an installed grader, in the environment's site-packages): to be covered."""
    import upsampling_grader

    grader = Path(upsampling_grader.__file__).resolve().parent
    return [grader] if any(grader.is_relative_to(folder) for folder in bound) else []


def _hide(folder: Path) -> list[str]:
    """Cover ``folder`` with an empty tmpfs holding only an ``__init__.py`` that refuses the
    import: ``import upsampling_grader`` fails in the kernel, as it does with an editable
    install (an empty folder alone would import as a namespace package)."""
    refusal = Path(__file__).with_name("not_in_a_kernel.py")
    return ["--tmpfs", str(folder), "--ro-bind", str(refusal), str(folder / "__init__.py")]


def _parents(path: Path) -> list[str]:
    """bwrap makes missing mount points 0700: make every folder above a bind readable."""
    args = []
    for parent in reversed(path.parents):
        if parent != Path("/"):
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def bwrap_command(
    kernel_cmd: list[str],
    *,
    comms: Path,
    uid: int,
    limits: Limits,
    shipped: list[Path] = (),
    cache: Path | None = None,
    view: Path | None = None,
) -> list[str]:
    """The command that runs ``kernel_cmd`` in a sandbox (see the module docstring);
    ``cache``: a folder shown read-only at ``CACHE_MOUNT`` (see ``readable_cache``);
    ``view``: a folder shown in place of the course package (the modules an assignment's
    notebook may import, ``upsampling_grader.judge.package_view``)."""
    disk = str(limits.disk_mb * 2**20)
    args = [
        bwrap_executable() or "bwrap",
        "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--hostname", "sandbox",
        # ipykernel would take the sandbox's pid 1 as a sign that its parent died;
        # --die-with-parent does that job.
        "--unsetenv", "JPY_PARENT_PID",
        *_user_args(),
        "--proc", "/proc", "--dev", "/dev",
        "--perms", "1777", "--size", disk, "--tmpfs", "/tmp",
        "--size", disk, "--tmpfs", "/dev/shm",
        *_system_mounts(),
    ]  # fmt: skip
    bound = python_folders()
    for folder in bound:
        args += [*_parents(folder), "--ro-bind", str(folder), str(folder)]
    for folder in grader_folders(bound):
        args += _hide(folder)
    if view is not None:
        args += ["--ro-bind", str(view), str(course_package_folder())]
    args += [*_parents(comms), "--bind", str(comms), str(comms)]
    # Only the kernel's user lives in the sandbox: its folders may be open to all.
    args += ["--perms", "1777", "--dir", HOME, "--perms", "1777", "--dir", WORK]
    for path in shipped:
        args += ["--ro-bind", str(path), f"{WORK}/{path.name}"]
    if cache is not None:
        args += ["--ro-bind", str(cache), CACHE_MOUNT]
    args += [
        "--chdir", WORK, "--",
        *_drop_to(uid),
        shutil.which("prlimit") or "prlimit",
        f"--as={limits.memory_mb * 2**20}", f"--cpu={limits.cpu_seconds}",
        f"--nproc={limits.processes}", f"--fsize={disk}", "--core=0", "--",
        *kernel_cmd,
    ]  # fmt: skip
    return args


def privileged() -> bool:
    """Root makes the sandbox and gives the kernel a user of its own; others use a user namespace."""
    return os.geteuid() == 0


def sandbox_uid() -> int:
    """The kernel's user id: a fresh one as root; inside a user namespace, 'nobody'."""
    return SANDBOX_UID_BASE + secrets.randbelow(2**24) if privileged() else NOBODY


def _user_args() -> list[str]:
    if privileged():
        # Only what setpriv needs to become the kernel's user; it then drops them all.
        return ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    # An unprivileged user namespace: the kernel is 'nobody' inside, the grader's user
    # outside (which it cannot reach: no process or file of the grader is visible).
    return ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY), "--disable-userns"]


def _drop_to(uid: int) -> list[str]:
    if not privileged():
        return []
    setpriv = shutil.which("setpriv") or "setpriv"
    return [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups"] + [
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
    ]


def readable_cache(folder: Path) -> Path | None:
    """A copy of the grader's course cache in ``folder`` that any user may read, or None
    when there is nothing to show (no cache, or more than ``CACHE_LIMIT_MB``).

    A copy, because the grader's own files may be readable by the grader only,
    and the kernel runs as another user.
    """
    from upsampling_course.cache import cache_dir

    source = cache_dir()
    files = sorted(p for p in source.iterdir() if p.is_file()) if source.is_dir() else []
    if not files or sum(p.stat().st_size for p in files) > CACHE_LIMIT_MB * 2**20:
        return None
    copy = Path(folder) / "course-cache"
    if not copy.is_dir():
        building = Path(tempfile.mkdtemp(prefix="course-cache-", dir=folder))
        for path in files:
            shutil.copyfile(path, building / path.name)
            os.chmod(building / path.name, 0o444)
        os.chmod(building, 0o755)
        os.replace(building, copy)
    return copy


def kernel_env(grader_env: dict[str, str], cache: bool = False) -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": HOME,
        "TMPDIR": "/tmp",
        "USER": "student",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": f"{HOME}/.matplotlib",
    }
    env.update({k: v for k, v in grader_env.items() if k in KEPT_ENVIRONMENT})
    env.pop(READ_ONLY_ENV_VAR, None)  # the grader's own folder is not in the sandbox
    if cache:
        env[READ_ONLY_ENV_VAR] = CACHE_MOUNT
    return env


def sandbox_notes(folder: Path, outputs: dict[str, object], limits: Limits) -> list[str]:
    """What the sandbox did to a student's run, for the CSV's student row."""
    notes_file = Path(folder) / NOTES_FILE
    notes = notes_file.read_text().splitlines() if notes_file.exists() else []
    cut = [
        name
        for name, nb in outputs.items()
        if any(
            limits.cut_note() in str(o.get("text", ""))
            for c in nb.cells
            for o in c.get("outputs", [])
        )
    ]
    if cut:
        notes.append(f"{', '.join(cut)}: the output was cut at {limits.output_kb} kB")
    return list(dict.fromkeys(notes))


# ---------------------------------------------------------------------------
# What the grading command uses

KERNELS = "kernels"  # in each scratch course: the grader's folder for the student's kernels
NO_SANDBOX_WARNING = (
    "warning: --no-sandbox: student code runs as you, beside your files and processes; "
    "use it only for work you trust"
)
NO_FEEDBACK_FOR_GLOB_NAMES = (
    "no feedback: nbgrader cannot make feedback for a folder whose name holds [, * or ? "
    "(the grades are recorded); rename the folder and run nbgrader generate_feedback"
)
NO_SANDBOX_SUMMARY = "graded WITHOUT a sandbox (--no-sandbox): student code ran as the grader"


def require_sandbox() -> None:
    """Refuse to grade (GradingError) where no sandbox can be made, saying why."""
    from upsampling_grader.assignment import GradingError

    problem = sandbox_problem()
    if problem is not None:
        raise GradingError(f"no sandbox can be made here: {problem}; {INSTALL_HINT}")


def autograde_options(scratch_root: Path, run, judge=None) -> list[str]:
    """Options for one student's `nbgrader autograde` (none when grading without a sandbox);
    ``judge``: the scratch course's judge folders, whose package view the kernels get."""
    if not run.sandbox:
        return []
    view = judge.view if judge is not None else None
    return nbgrader_options(Path(scratch_root) / KERNELS, run.limits, view)


def run_notes(scratch_root: Path, outputs: dict[str, object], run, alias: str) -> list[str]:
    """What the sandbox did to one student's notebooks (``alias`` in the scratch course)."""
    if not run.sandbox:
        return []
    return sandbox_notes(Path(scratch_root) / KERNELS / alias, outputs, run.limits)


def explained(error: str, run) -> str:
    """An error from the CSV with the sandbox limit it hit, if any."""
    why = explain_error(error, run.limits) if run.sandbox else None
    return f"{error} ({why})" if why else error


def nbgrader_options(folder: Path, limits: Limits, view: Path | None = None) -> list[str]:
    """Options for `nbgrader autograde` that run each kernel in a sandbox (``view``: the
    course package as the kernels see it, see ``upsampling_grader.judge.package_view``)."""
    manager = "upsampling_grader.sandbox_kernel.SandboxedKernelManager"
    options = [
        f"--Execute.kernel_manager_class={manager}",
        f"--SandboxedKernelManager.folder={folder}",
        f"--SandboxedKernelManager.limits_json={limits.to_json()}",
    ]
    if view is not None:
        options.append(f"--SandboxedKernelManager.package_view={view}")
    return options
