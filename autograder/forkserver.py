"""The grader's side of the process plumbing: the fork server that starts workers, and how.

A ``Zygote`` is the grader's handle on a fork server (``sandbox/zygote.py``) started at the
isolation level this machine allows (``isolation.py``), before any student code exists: it forks
each worker with its own copy of the submission, a minimal environment (``environment``), resource
limits (``Limits``) and, where the level has them, namespaces, a user and a cgroup of its own. Its
runtime is a copy of ``autograder/sandbox`` and of every lab's ``procedures.py``
(``python_command``), nothing else of the kit. One server per grading process and ``Limits``
(``shared_zygote``), closed when the process ends.

Public entry: ``shared_zygote()`` (a ``Zygote(limits, preload=False)`` for the cold path).
"""

from __future__ import annotations

import atexit
import json
import multiprocessing.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from . import isolation
from .assignments import lab_files, lab_key
from .isolation import UNPRIVILEGED

try:
    import resource
except ImportError:  # Windows: the portable path sets no POSIX limit (isolation.portable)
    resource = None

SANDBOX = Path(__file__).resolve().parent / "sandbox"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one worker (the whole life of the process, all its calls)."""

    cpu_seconds: int = 900
    memory_bytes: int = 6 * 2**30  # address space; torch alone maps about 1 GiB
    file_bytes: int = 64 * 2**20
    threads: int = 1  # torch intra-op threads; parallel workers share the cores
    start_timeout: float = 60.0
    warm_start: bool = (
        True  # fork workers from a zygote that imported torch once (see sandbox/zygote.py)
    )
    submission_seconds: float = (
        900.0  # wall clock for everything one submission runs, restarts included
    )
    scratch_bytes: int = 1 * 2**30  # its /work and /tmp together (a tmpfs, counted in its memory)
    processes: int = (
        256  # processes and threads of one submission (where it has a user or cgroup of its own)
    )


def python_command(root: Path, module: str, *args: str) -> list[str]:
    """The command that runs ``rnnkit_sandbox.<module>.main`` from a copy of ``sandbox/`` and of every
    lab's ``procedures.py`` under ``root`` (the process's whole runtime: nothing else of the kit, no
    grading test), isolated from the environment (-I)."""
    runtime = root / "runtime" / "rnnkit_sandbox"
    runtime.mkdir(parents=True, exist_ok=True)
    for source in SANDBOX.glob("*.py"):
        shutil.copyfile(source, runtime / source.name)
    for assignment_id, source in lab_files(
        "procedures.py"
    ).items():  # every lab's, beside the runtime's own
        shutil.copyfile(
            source, runtime / f"lab_{lab_key(assignment_id)}.py"
        )  # sandbox.procedures.LAB_PREFIX
    boot = (
        f"import sys; sys.path.insert(0, {str(runtime.parent)!r}); "
        f"from rnnkit_sandbox.{module} import main; main()"
    )
    return [isolation.worker_python(), "-I", "-B", "-c", boot, *args]


def environment(work: Path, limits: Limits) -> dict:
    threads = str(limits.threads)
    # OPENBLAS_NUM_THREADS: numpy's BLAS otherwise starts a thread at import, and a zygote must
    # have only one thread when it forks. CUDA_VISIBLE_DEVICES: student code always runs on the CPU
    # (code written for CUDA is mapped to it), so a grade never depends on the grading machine.
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "CUDA_VISIBLE_DEVICES": "",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(work / ".matplotlib"),
        "TQDM_DISABLE": "1",
    }


def portable_environment(work: Path, limits: Limits) -> dict:
    """The portable worker keeps the user's environment (Windows needs SYSTEMROOT and the like to
    start Python), with the kit's thread counts and ``RNNKIT_PORTABLE`` (its timers: ``loader.py``)."""
    return {
        **os.environ,
        **{k: v for k, v in environment(work, limits).items() if k not in ("PATH", "HOME")},
        "RNNKIT_PORTABLE": "1",
    }


def _apply_limits(limits: Limits) -> None:
    """In the fork server before exec; its forks set their own CPU, file and process limits."""
    os.setsid()  # its own process group: killing the group also ends what it spawned
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing


class Zygote:
    """The grader's handle on a fork server (``sandbox/zygote.py``): one per grading process
    (``preload=False``: a one-submission server, the cold path).

    It is started at the isolation level of ``isolation.detect()`` before any student code exists,
    and only ever forks. At the namespaces levels it sees the submissions through its spool
    (``new_slot``), each child copies its own into a private tmpfs and becomes a user of its own.
    """

    def __init__(self, limits: Limits, preload: bool = True):
        self.limits, self.owner = limits, os.getpid()
        self.isolation = isolation.detect()
        self.level = self.isolation.level
        self.root = Path(tempfile.mkdtemp(prefix="rnnkit-zygote-"))
        self.spool = self.root / "spool"
        self.spool.mkdir(mode=0o700)
        self.counter = 0
        self.cgroups = isolation.Cgroups()
        namespaced = self.level != "basic"
        if namespaced:
            home = Path("/tmp")  # the server's own tmpfs in its view
        else:
            home = (
                self.root / "home"
            )  # the libraries it preloads may write caches (matplotlib's fonts)
            home.mkdir()
            if os.geteuid() == 0:
                # The runtime stays the grader's (readable, not writable): workers share this process's user.
                os.chown(home, UNPRIVILEGED, UNPRIVILEGED)
                os.chmod(self.root, 0o755)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        python = python_command(
            self.root, "zygote", str(theirs.fileno()), "preload" if preload else "cold"
        )
        try:
            command = isolation.zygote_command(
                self.root / "runtime",
                self.spool if namespaced else None,
                self.cgroups.roots,
                python,
            )
            self.process = subprocess.Popen(
                command,
                cwd=self.root if namespaced else home,
                env=environment(home, limits),
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=lambda: _apply_limits(limits),
                close_fds=True,
            )
        except BaseException:
            theirs.close()
            ours.close()
            self.cgroups.close()
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        theirs.close()
        self.socket = ours
        self.socket.settimeout(limits.start_timeout)
        try:
            ready = self._receive()
            if ready.get("threads", 1) != 1:  # forking a threaded process can deadlock its children
                raise OSError(f"the zygote runs {ready['threads']} threads")
        except BaseException:
            self.close()
            raise

    def new_slot(self) -> tuple[str, Path]:
        """A fresh folder for one submission's copy: in the spool (namespaces), or its own (basic)."""
        self.counter += 1
        name = str(self.counter)
        if self.level == "basic":
            folder = self.root / f"work-{name}"
            folder.mkdir(mode=0o700)
            if os.geteuid() == 0:
                os.chown(folder, UNPRIVILEGED, UNPRIVILEGED)
        else:
            folder = self.spool / name
            folder.mkdir(mode=0o700)
        return name, folder

    def release(self, slot: str) -> None:
        shutil.rmtree(
            self.spool / slot if self.level != "basic" else self.root / f"work-{slot}",
            ignore_errors=True,
        )
        self.cgroups.remove(slot)

    def spawn(
        self, slot: str, folder: Path, limits: Limits, fds: tuple[int, int, int]
    ) -> ForkedWorker:
        namespaced = self.level != "basic"
        work = isolation.WORK if namespaced else str(folder)
        env = {
            "HOME": work,
            "MPLCONFIGDIR": f"{work}/.matplotlib",
            "USER": "student",
            "LOGNAME": "student",
        }
        if namespaced:
            env["TMPDIR"] = "/tmp"
        privileged = os.geteuid() == 0
        request = {
            "op": "spawn",
            "slot": slot,
            "work": work,
            "namespaces": namespaced,
            "uid": isolation.new_uid(),
            "scratch_bytes": limits.scratch_bytes,
            "under_tmp": isolation.under_tmp() if namespaced else [],
            "cgroups": self.cgroups.create(slot, limits.memory_bytes, limits.processes),
            "cpu_seconds": limits.cpu_seconds,
            "file_bytes": limits.file_bytes,
            # At the basic level the fork server is nobody already, with its own limit. Without
            # root (user namespaces) every worker is the grading user: its tasks now, plus the budget.
            "nproc": limits.processes
            if self.level == "namespaces" and privileged
            else isolation.user_tasks() + limits.processes
            if namespaced and not privileged
            else 0,
            "env": env,
        }
        socket.send_fds(self.socket, [json.dumps(request).encode()], list(fds))
        reply = self._receive()
        if "error" in reply:
            raise OSError(reply["error"])
        return ForkedWorker(self, int(reply["pid"]), int(reply["monitor"]))

    def status(self, pid: int, wait: bool) -> int | None:
        self.socket.send(json.dumps({"op": "status", "pid": pid, "wait": wait}).encode())
        return self._receive()["status"]

    def kill(self, pid: int) -> None:
        self.socket.send(
            json.dumps({"op": "kill", "pid": pid, "group": self.level == "basic"}).encode()
        )
        self._receive()

    def alive(self) -> bool:
        return self.process.poll() is None and os.getpid() == self.owner

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.socket.close()
        self.cgroups.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _receive(self) -> dict:
        message = self.socket.recv(1 << 16)
        if not message:
            raise OSError("the zygote stopped")
        return json.loads(message)


@dataclass
class ForkedWorker:
    """What ``Sandbox`` needs of a worker forked by the zygote (the part of ``Popen`` it uses).

    ``pid`` is the worker's pid as the fork server sees it, ``monitor`` the process it waits for.
    """

    zygote: Zygote
    pid: int
    monitor: int
    returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._ask(wait=False)
        return self.returncode

    def wait(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._ask(wait=True)
        return self.returncode

    def kill(self) -> None:
        try:
            self.zygote.kill(self.pid)
        except (OSError, ValueError, KeyError):
            pass
        if self.zygote.level == "basic":
            # No PID namespace: the pid is the host's, and the fork server (which student code of the
            # same user can kill) may be gone; the group takes what the worker spawned.
            for kill in (os.killpg, os.kill):
                try:
                    kill(self.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def _ask(self, wait: bool) -> int | None:
        try:
            return self.zygote.status(self.monitor, wait)
        except (OSError, ValueError, KeyError):
            # The zygote is gone (student code can kill it): its orphan may still run, so it counts
            # as alive until the grader has killed it.
            return -signal.SIGKILL if wait else None


_ZYGOTES: dict[Limits, Zygote] = {}
_ZYGOTES_LOCK = (
    threading.Lock()
)  # the checking process starts its zygote from a thread (check_server.py)


def shared_zygote(limits: Limits) -> Zygote | None:
    """This process's zygote for these limits, started on first use; None if it cannot start
    (workers then start cold, as their own processes)."""
    with _ZYGOTES_LOCK:
        return _zygote_locked(limits)


def _zygote_locked(limits: Limits) -> Zygote | None:
    zygote = _ZYGOTES.get(limits)
    if zygote is not None and zygote.alive():
        return zygote
    if zygote is not None and os.getpid() == zygote.owner:
        zygote.close()
    try:
        zygote = _ZYGOTES[limits] = Zygote(limits)
    except (OSError, ValueError, subprocess.SubprocessError, RuntimeError):
        _ZYGOTES.pop(limits, None)
        return None
    if len(_ZYGOTES) == 1:
        atexit.register(close_zygotes)
        # A process pool's workers leave through os._exit, skipping atexit; they run these.
        multiprocessing.util.Finalize(None, close_zygotes, exitpriority=10)
    return zygote


def forget_zygote(zygote: Zygote) -> None:
    for limits, known in list(_ZYGOTES.items()):
        if known is zygote:
            del _ZYGOTES[limits]
    if os.getpid() == zygote.owner:
        zygote.close()


def close_zygotes() -> None:
    for zygote in list(_ZYGOTES.values()):
        if os.getpid() == zygote.owner:
            zygote.close()
    _ZYGOTES.clear()
