"""The grader's side of the trust boundary: start a sandboxed worker and talk to it.

Every worker is forked by a fork server (``Zygote``) started at the isolation level this machine
allows (``isolation.py``): its own copy of the submission and of ``autograder/sandbox`` (nothing
else of the kit), a minimal environment, resource limits, no network and no privilege. Replies are
decoded with ``sandbox.codec`` (data only), checked against the request they answer, and every
wait has a deadline, the submission's whole-life deadline included.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing.util
import os
import queue
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import isolation
from .assignments import lab_files, lab_key
from .isolation import UNPRIVILEGED
from .sandbox import codec
from .sandbox.codec import Handle

try:
    import resource
except ImportError:  # Windows: the portable path sets no POSIX limit (isolation.portable)
    resource = None

SANDBOX = Path(__file__).resolve().parent / "sandbox"
GRACE = 3.0  # seconds the grader waits beyond a call's own budget before killing the worker


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


class StudentError(Exception):
    """Student code failed in the worker: kind is raised, not_implemented, timeout, memory."""

    def __init__(self, info: dict):
        self.kind = info.get("kind", "raised")
        self.type = info.get("type", "")
        self.message = info.get("message", "")
        self.where = info.get("where", "")
        self.trace = info.get("trace", "")
        super().__init__(
            f"{self.type}: {self.message}" + (f" ({self.where})" if self.where else "")
        )


class WorkerLost(Exception):
    """The worker died or stopped answering (``timeout`` tells which); it must be restarted."""

    def __init__(self, message: str, timeout: bool):
        super().__init__(message)
        self.timeout = timeout


class Tampered(WorkerLost):
    """The reply channel carried something the worker's server did not send: student code wrote on it."""

    def __init__(self, detail: str):
        super().__init__(
            f"the grader's channel received data it did not send ({detail})", timeout=False
        )


class GraderFault(Exception):
    """The worker could not start or answer before any student code ran: our side, not the student's."""


@dataclass
class Sandbox:
    """One worker process serving one submission. Not thread-safe; one request at a time."""

    source: Path  # folder holding the submission's files
    limits: Limits = field(default_factory=Limits)
    process: subprocess.Popen | None = None
    root: Path | None = None
    load_request: dict | None = None
    restarts: int = 0
    # Calls that ran out of time once fail at once afterwards: a hanging function must not
    # cost its full budget in every test that uses it.
    timed_out: dict = field(default_factory=dict)
    deadline: float | None = None  # monotonic time at which the submission's wall clock runs out
    zygote: Zygote | None = None
    own_zygote: Zygote | None = (
        None  # the cold path's one-submission server, closed with the sandbox
    )
    slot: str | None = None
    sequence: int = 0
    progress: str | None = None  # the load step running now, as the worker announced it
    loaded: bool = False  # a restart reloads the submission only once a load has succeeded

    def start(self) -> None:
        if self.deadline is None:
            self.deadline = time.monotonic() + self.limits.submission_seconds
        self.root = Path(tempfile.mkdtemp(prefix="rnnkit-"))  # the grader's own: the worker's log
        zygote = (
            _zygote(self.limits) if self.limits.warm_start and not isolation.portable() else None
        )
        try:
            if isolation.portable():
                self._launch_portable()
            elif zygote is not None:
                try:
                    self._launch(zygote)
                except (
                    OSError,
                    ValueError,
                    KeyError,
                ):  # the zygote died under us: forget it, start cold
                    _forget(zygote)
                    zygote = None
            if zygote is None and not isolation.portable():
                self.own_zygote = Zygote(self.limits, preload=False)
                self._launch(self.own_zygote)
            self.request({"op": "ping"}, self.limits.start_timeout)
        except (
            OSError,
            ValueError,
            KeyError,
            subprocess.SubprocessError,
            RuntimeError,
            WorkerLost,
        ) as err:
            # No student code has run yet: whatever stopped the worker is the environment's fault.
            self._kill()
            raise GraderFault(f"the grading worker could not start: {err}") from err
        if self.loaded:  # a restart reloads the submission the same way
            self.request(self.load_request, self.load_request["total_budget"])

    def _launch(self, zygote: Zygote) -> None:
        """Have ``zygote`` fork a worker on a fresh copy of the submission, and open its channel."""
        self.zygote = zygote
        self.slot, work = zygote.new_slot()
        shutil.copytree(
            self.source, work, symlinks=False, ignore_dangling_symlinks=True, dirs_exist_ok=True
        )
        if zygote.level == "basic" and os.geteuid() == 0:
            for path in [work, *work.rglob("*")]:
                os.chown(path, UNPRIVILEGED, UNPRIVILEGED)
        log = os.open(self.root / "worker.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        try:
            self.process = zygote.spawn(
                self.slot, work, self.limits, (to_worker_r, from_worker_w, log)
            )
        except BaseException:
            for fd in (to_worker_r, to_worker_w, from_worker_r, from_worker_w, log):
                os.close(fd)
            raise
        for fd in (to_worker_r, from_worker_w, log):
            os.close(fd)
        self._send, self._receive = os.fdopen(to_worker_w, "wb"), from_worker_r

    def _launch_portable(self) -> None:
        """A worker as a plain child process on pipes (no fork server, no POSIX limits): the way
        ``check()`` runs on Windows. The grader's deadlines still stop it (``request`` kills it)."""
        work = self.root / "work"
        shutil.copytree(self.source, work, symlinks=False, ignore_dangling_symlinks=True)
        with open(
            self.root / "worker.log", "wb"
        ) as log:  # the worker's stderr, where its output goes
            self.process = subprocess.Popen(
                _python(self.root, "worker"),
                cwd=work,
                env=_portable_environment(work, self.limits),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        self._send, self._receive = self.process.stdin, _PipeReader(self.process.stdout)

    def load(
        self,
        notebook: str | None,
        modules: list[str],
        budget: float,
        cuda_to_cpu: bool,
        cwd: str = "",
    ) -> dict:
        """Run the submission's gradable code in the worker; returns the loader's report.

        ``cwd``: the folder of the copy the worker runs in (and where ``notebook`` and ``modules`` are),
        relative to the copy's root; "" for the root itself."""
        total = budget * (20 + 4 * len(modules))
        self.load_request = {
            "op": "load",
            "notebook": notebook,
            "modules": modules,
            "budget": budget,
            "cuda_to_cpu": cuda_to_cpu,
            "total_budget": total,
            "skip": [],
            "cwd": cwd,
        }
        for attempt in range(4):
            self.progress = None
            try:
                reply = self.request(self.load_request, total)
                self.loaded = True
                return reply
            except WorkerLost as err:
                # A step that overran its budget from outside (it ignored the worker's own alarm):
                # load again without it, so that it costs only itself.
                if not (err.timeout and self.progress) or attempt == 3:
                    raise
                self.load_request["skip"].append(self.progress)
                self._release()
                self.process = None
        raise AssertionError("unreachable")

    def call(
        self, target, *args, timeout: float = 10.0, seed: int = 0, keep: bool = False, **kwargs
    ) -> Any:
        """Call a name of the submission (or ``"@procedure"``, or a Remote's method) in the worker."""
        if isinstance(target, Remote):
            target = {"handle": target.handle}
        key = _target_key(target, args)
        if key in self.timed_out:
            raise StudentError(self.timed_out[key])
        payload = {
            "op": "call",
            "target": target,
            "args": [_unproxy(a) for a in args],
            "kwargs": {k: _unproxy(v) for k, v in kwargs.items()},
            "seed": seed,
            "timeout": timeout,
            "keep": keep,
        }
        try:
            return self._proxy(self.request(payload, timeout))
        except StudentError as err:
            if err.kind == "timeout":
                self.timed_out[key] = {
                    "kind": "timeout",
                    "type": err.type,
                    "message": err.message,
                    "where": err.where,
                    "trace": "(not run again: this call already ran out of time)\n" + err.trace,
                }
            raise
        except WorkerLost as err:
            if err.timeout:
                self.timed_out[key] = {
                    "kind": "timeout",
                    "type": "Timeout",
                    "message": str(err),
                    "where": "",
                    "trace": "(not run again: this call already stopped responding)",
                }
            raise

    def get(self, name: str) -> Remote:
        """A handle on the submission's object called ``name`` (not called)."""
        return self._proxy(
            self.request({"op": "call", "target": name, "get": True, "keep": True}, 10.0)
        )

    def request(self, payload: dict, timeout: float) -> Any:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self._kill()
            raise WorkerLost(
                f"the submission used all of its {self.limits.submission_seconds:g} s", timeout=True
            )
        if self.process is None:
            self.start()
        self.sequence += 1
        payload = {**payload, "id": self.sequence}
        deadline = overall = min(time.monotonic() + timeout, self.deadline) + GRACE
        step = payload.get("budget") if payload.get("op") == "load" else None
        try:
            codec.write_message(self._send, payload)
            reply = self._read_reply(deadline)
            while step and _is_progress(reply, self.sequence):
                # Each load step gets its own budget, timed here: a step cannot stretch it.
                self.progress = reply["progress"]
                deadline = min(time.monotonic() + step + GRACE, overall)
                reply = self._read_reply(deadline)
            reply = _checked(reply, self.sequence)
        except (BrokenPipeError, EOFError) as err:
            self._kill()
            raise WorkerLost(f"the worker stopped ({self._exit_reason()})", timeout=False) from err
        except TimeoutError as err:
            self._kill()
            spent = (
                "the submission's whole time"
                if time.monotonic() >= self.deadline
                else f"{timeout:g} s"
            )
            raise WorkerLost(f"no answer within {spent}", timeout=True) from err
        except (codec.CodecError, Tampered) as err:
            self._kill()
            raise err if isinstance(err, Tampered) else Tampered(str(err)[:200]) from err
        if "error" in reply:
            raise StudentError(reply["error"])
        return reply["ok"]

    def restart(self) -> None:
        self._kill()
        self._release()  # start() copies the submission afresh
        self.restarts += 1
        self.start()

    def printed(self, limit: int = 20000) -> str:
        """What student code printed (first ``limit`` characters), for staff."""
        try:
            return (self.root / "worker.log").read_text(encoding="utf-8", errors="replace")[:limit]
        except (OSError, TypeError):
            return ""

    def close(self) -> None:
        self._kill()
        self._release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- internals -----------------------------------------------------------------------
    def _release(self) -> None:
        if self.zygote is not None and self.slot is not None:
            self.zygote.release(self.slot)
            self.slot = None
        if self.own_zygote is not None:
            self.own_zygote.close()
            self.own_zygote = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def _read_reply(self, deadline: float) -> Any:
        (size,) = struct.unpack(">Q", self._read_exactly(8, deadline))
        if size > codec.MAX_MESSAGE:
            raise Tampered(f"a reply announcing {size} bytes")
        return codec.decode(self._read_exactly(size, deadline))

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        if isinstance(self._receive, _PipeReader):
            return self._receive.read(size, deadline)
        chunks, missing = [], size
        while missing:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._receive], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(self._receive, min(missing, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _proxy(self, value):
        if isinstance(value, Handle):
            return Remote(self, value)
        if isinstance(value, list):
            return [self._proxy(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self._proxy(v) for v in value)
        if isinstance(value, dict):
            return {k: self._proxy(v) for k, v in value.items()}
        return value

    def _exit_reason(self) -> str:
        if self.process is None or self.process.poll() is None:
            return "channel closed"
        code = self.process.returncode
        if code < 0:
            name = signal.Signals(-code).name
            hint = {"SIGXCPU": "CPU time limit", "SIGKILL": "killed, probably out of memory"}.get(
                name, name
            )
            return hint
        return f"exit status {code}"

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        send = getattr(self, "_send", None)
        if send is not None:
            try:
                send.close()
            except OSError:  # the worker is gone: the pipe may refuse the final flush
                pass
            self._send = None
        if getattr(self, "_receive", None) is not None:
            try:
                self._receive.close() if isinstance(self._receive, _PipeReader) else os.close(
                    self._receive
                )
            except OSError:
                pass
            self._receive = None


class _PipeReader:
    """Reads a pipe in a thread, so that waits have deadlines where ``select`` cannot wait on a pipe
    (Windows)."""

    def __init__(self, stream):
        self.stream, self.chunks, self.buffer = stream, queue.Queue(), b""
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        try:
            while True:
                chunk = (
                    self.stream.read1(1 << 20)
                    if hasattr(self.stream, "read1")
                    else self.stream.read(1 << 16)
                )
                self.chunks.put(chunk)
                if not chunk:
                    return
        except (OSError, ValueError):
            self.chunks.put(b"")

    def read(self, size: int, deadline: float) -> bytes:
        while len(self.buffer) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            try:
                chunk = self.chunks.get(timeout=left)
            except queue.Empty:
                raise TimeoutError from None
            if not chunk:
                raise EOFError
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def close(self) -> None:
        self.stream.close()


@dataclass(frozen=True, repr=False)
class Remote:
    """An object living in the worker; attribute access gives callable methods."""

    sandbox: Sandbox
    handle: Handle

    def __repr__(self) -> str:
        return f"<remote {self.handle.type_name} #{self.handle.id}>"

    @property
    def type_name(self) -> str:
        return self.handle.type_name

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        sandbox, handle = self.sandbox, self.handle

        def method(*args, timeout: float = 10.0, seed: int = 0, keep: bool = False, **kwargs):
            return sandbox.call(
                {"handle": handle, "attr": name},
                *args,
                timeout=timeout,
                seed=seed,
                keep=keep,
                **kwargs,
            )

        return method

    def __call__(self, *args, timeout: float = 10.0, seed: int = 0, keep: bool = False, **kwargs):
        return self.sandbox.call(
            {"handle": self.handle}, *args, timeout=timeout, seed=seed, keep=keep, **kwargs
        )


def _target_key(target, args) -> str:
    """What a timeout is blamed on: ``generate``, ``RNN.one_step`` (the handle's class, then the method),
    or a procedure with the classes of the objects it was given (``@forward_backward(RNN)``)."""
    if isinstance(target, dict) and isinstance(target.get("handle"), Handle):
        return f"{target['handle'].type_name}.{target.get('attr') or '__call__'}"
    if isinstance(target, str) and target.startswith("@"):
        kinds = [
            a.handle.type_name if isinstance(a, Remote) else a.type_name
            for a in args
            if isinstance(a, (Remote, Handle))
        ]
        return f"{target}({','.join(kinds)})"
    return str(target)


def _unproxy(value):
    if isinstance(value, Remote):
        return value.handle
    if isinstance(value, list):
        return [_unproxy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_unproxy(v) for v in value)
    if isinstance(value, dict):
        return {k: _unproxy(v) for k, v in value.items()}
    return value


def _is_progress(reply: Any, sequence: int) -> bool:
    return (
        isinstance(reply, dict)
        and len(reply) == 2
        and reply.get("id") == sequence
        and isinstance(reply.get("progress"), str)
    )


def _checked(reply: Any, sequence: int) -> dict:
    """A reply as the worker's server writes it, to the request just sent; anything else was forged."""
    if not isinstance(reply, dict) or reply.get("id") != sequence or len(reply) != 2:
        raise Tampered("a reply that answers no request")
    if "ok" in reply:
        return reply
    error = reply.get("error")
    if not isinstance(error, dict) or not all(
        isinstance(error.get(k, ""), str) for k in ("kind", "type", "message", "where", "trace")
    ):
        raise Tampered("a malformed error reply")
    if error.get("kind", "raised") not in ("raised", "not_implemented", "timeout", "memory"):
        raise Tampered("an error reply of an unknown kind")
    return reply


def _python(root: Path, module: str, *args: str) -> list[str]:
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


def _environment(work: Path, limits: Limits) -> dict:
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


def _portable_environment(work: Path, limits: Limits) -> dict:
    """The portable worker keeps the user's environment (Windows needs SYSTEMROOT and the like to
    start Python), with the kit's thread counts and ``RNNKIT_PORTABLE`` (its timers: ``loader.py``)."""
    return {
        **os.environ,
        **{k: v for k, v in _environment(work, limits).items() if k not in ("PATH", "HOME")},
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
        python = _python(
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
                env=_environment(home, limits),
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


def _zygote(limits: Limits) -> Zygote | None:
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
        atexit.register(_close_zygotes)
        # A process pool's workers leave through os._exit, skipping atexit; they run these.
        multiprocessing.util.Finalize(None, _close_zygotes, exitpriority=10)
    return zygote


def _forget(zygote: Zygote) -> None:
    for limits, known in list(_ZYGOTES.items()):
        if known is zygote:
            del _ZYGOTES[limits]
    if os.getpid() == zygote.owner:
        zygote.close()


def _close_zygotes() -> None:
    for zygote in list(_ZYGOTES.values()):
        if os.getpid() == zygote.owner:
            zygote.close()
    _ZYGOTES.clear()
