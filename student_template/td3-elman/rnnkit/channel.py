"""The grader's side of the trust boundary: start a sandboxed worker and talk to it.

The worker gets a copy of the submission and of ``autograder/sandbox`` (nothing else of the
kit), a minimal environment, resource limits (CPU time, address space, file size, processes),
no network and, when the grader runs as root, an unprivileged user that cannot read the kit.
Replies are decoded with ``sandbox.codec`` (data only) and every wait has a deadline.
"""
from __future__ import annotations

import os
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .sandbox import codec
from .sandbox.codec import Handle

SANDBOX = Path(__file__).resolve().parent / "sandbox"
UNPRIVILEGED = 65534  # nobody / nogroup
GRACE = 3.0  # seconds the grader waits beyond a call's own budget before killing the worker


@dataclass(frozen=True)
class Limits:
    """Resource limits of one worker (the whole life of the process, all its calls)."""

    cpu_seconds: int = 900
    memory_bytes: int = 6 * 2**30  # address space; torch alone maps about 1 GiB
    file_bytes: int = 64 * 2**20
    threads: int = 1  # torch intra-op threads; parallel workers share the cores
    start_timeout: float = 60.0


class StudentError(Exception):
    """Student code failed in the worker: kind is raised, not_implemented, timeout, memory."""

    def __init__(self, info: dict):
        self.kind = info.get("kind", "raised")
        self.type = info.get("type", "")
        self.message = info.get("message", "")
        self.where = info.get("where", "")
        self.trace = info.get("trace", "")
        super().__init__(f"{self.type}: {self.message}" + (f" ({self.where})" if self.where else ""))


class WorkerLost(Exception):
    """The worker died or stopped answering (``timeout`` tells which); it must be restarted."""

    def __init__(self, message: str, timeout: bool):
        super().__init__(message)
        self.timeout = timeout


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

    def start(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="rnnkit-"))
        runtime = self.root / "runtime" / "rnnkit_sandbox"
        runtime.mkdir(parents=True)
        for source in SANDBOX.glob("*.py"):  # the worker's whole runtime: nothing else of the kit
            shutil.copyfile(source, runtime / source.name)
        work = self.root / "work"
        shutil.copytree(self.source, work, symlinks=False, ignore_dangling_symlinks=True)
        log = self.root / "worker.log"
        log.touch()
        privileged = os.geteuid() == 0
        if privileged:
            for path in [self.root, work, log, *work.rglob("*")]:
                os.chown(path, UNPRIVILEGED, UNPRIVILEGED)
            os.chmod(self.root, 0o700)
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        boot = (f"import sys; sys.path.insert(0, {str(runtime.parent)!r}); "
                "from rnnkit_sandbox.worker import main; main()")
        command = [sys.executable, "-I", "-B", "-c", boot, str(to_worker_r), str(from_worker_w), str(log)]
        if privileged:
            command = _isolate(command)
        self.process = subprocess.Popen(
            command, cwd=work, env=_environment(work, self.limits), pass_fds=(to_worker_r, from_worker_w),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=lambda: _apply_limits(self.limits, privileged), close_fds=True)
        os.close(to_worker_r)
        os.close(from_worker_w)
        self._send, self._receive = os.fdopen(to_worker_w, "wb"), from_worker_r
        self.request({"op": "ping"}, self.limits.start_timeout)
        if self.load_request is not None:  # a restart reloads the submission the same way
            self.request(self.load_request, self.load_request["total_budget"])

    def load(self, notebook: str | None, modules: list[str], budget: float, cuda_to_cpu: bool) -> dict:
        """Run the submission's gradable code in the worker; returns the loader's report."""
        total = budget * (20 + 4 * len(modules))
        self.load_request = {"op": "load", "notebook": notebook, "modules": modules, "budget": budget,
                             "cuda_to_cpu": cuda_to_cpu, "total_budget": total}
        return self.request(self.load_request, total)

    def call(self, target, *args, timeout: float = 10.0, seed: int = 0, keep: bool = False, **kwargs) -> Any:
        """Call a name of the submission (or ``"@procedure"``, or a Remote's method) in the worker."""
        if isinstance(target, Remote):
            target = {"handle": target.handle}
        key = _target_key(target, args)
        if key in self.timed_out:
            raise StudentError(self.timed_out[key])
        payload = {"op": "call", "target": target, "args": [_unproxy(a) for a in args],
                   "kwargs": {k: _unproxy(v) for k, v in kwargs.items()}, "seed": seed, "timeout": timeout, "keep": keep}
        try:
            return self._proxy(self.request(payload, timeout))
        except StudentError as err:
            if err.kind == "timeout":
                self.timed_out[key] = {"kind": "timeout", "type": err.type, "message": err.message, "where": err.where,
                                       "trace": "(not run again: this call already ran out of time)\n" + err.trace}
            raise
        except WorkerLost as err:
            if err.timeout:
                self.timed_out[key] = {"kind": "timeout", "type": "Timeout", "message": str(err), "where": "",
                                       "trace": "(not run again: this call already stopped responding)"}
            raise

    def get(self, name: str) -> "Remote":
        """A handle on the submission's object called ``name`` (not called)."""
        return self._proxy(self.request({"op": "call", "target": name, "get": True, "keep": True}, 10.0))

    def request(self, payload: dict, timeout: float) -> Any:
        if self.process is None:
            self.start()
        try:
            codec.write_message(self._send, payload)
            reply = self._read_reply(time.monotonic() + timeout + GRACE)
        except (BrokenPipeError, EOFError) as err:
            self._kill()
            raise WorkerLost(f"the worker stopped ({self._exit_reason()})", timeout=False) from err
        except TimeoutError as err:
            self._kill()
            raise WorkerLost(f"no answer within {timeout:g} s", timeout=True) from err
        if "error" in reply:
            raise StudentError(reply["error"])
        return reply["ok"]

    def restart(self) -> None:
        self._kill()
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
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- internals -----------------------------------------------------------------------
    def _read_reply(self, deadline: float) -> Any:
        (size,) = struct.unpack(">Q", self._read_exactly(8, deadline))
        if size > codec.MAX_MESSAGE:
            raise EOFError(f"reply of {size} bytes refused")
        return codec.decode(self._read_exactly(size, deadline))

    def _read_exactly(self, size: int, deadline: float) -> bytes:
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
            hint = {"SIGXCPU": "CPU time limit", "SIGKILL": "killed, probably out of memory"}.get(name, name)
            return hint
        return f"exit status {code}"

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
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
                os.close(self._receive)
            except OSError:
                pass
            self._receive = None


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
            return sandbox.call({"handle": handle, "attr": name}, *args, timeout=timeout, seed=seed, keep=keep, **kwargs)

        return method

    def __call__(self, *args, timeout: float = 10.0, seed: int = 0, keep: bool = False, **kwargs):
        return self.sandbox.call({"handle": self.handle}, *args, timeout=timeout, seed=seed, keep=keep, **kwargs)


def _target_key(target, args) -> str:
    """What a timeout is blamed on: ``generate``, ``RNN.one_step`` (the handle's class, then the method),
    or a procedure with the classes of the objects it was given (``@forward_backward(RNN)``)."""
    if isinstance(target, dict) and isinstance(target.get("handle"), Handle):
        return f"{target['handle'].type_name}.{target.get('attr') or '__call__'}"
    if isinstance(target, str) and target.startswith("@"):
        kinds = [a.handle.type_name if isinstance(a, Remote) else a.type_name for a in args
                 if isinstance(a, (Remote, Handle))]
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


def _environment(work: Path, limits: Limits) -> dict:
    threads = str(limits.threads)
    return {"PATH": "/usr/bin:/bin", "HOME": str(work), "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads,
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(work / ".matplotlib"), "TQDM_DISABLE": "1"}


def _apply_limits(limits: Limits, privileged: bool) -> None:
    os.setsid()  # its own process group: killing the group also ends what student code spawned
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if privileged:  # per-user count: only meaningful for the dedicated unprivileged user
        resource.setrlimit(resource.RLIMIT_NPROC, (512, 512))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing


def _isolate(command: list[str]) -> list[str]:
    """As root: no network namespace, then drop to the unprivileged user before Python starts."""
    prefix = []
    if shutil.which("unshare"):
        prefix = ["unshare", "--net", "--"]
    if shutil.which("setpriv"):
        prefix += ["setpriv", f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED}", "--clear-groups", "--"]
    else:  # never run student code as root
        raise RuntimeError("running as root needs setpriv (util-linux) to drop privileges for the worker")
    return prefix + command
