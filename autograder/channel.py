"""The grader's side of the trust boundary: start a sandboxed worker and talk to it.

``Sandbox`` is one worker serving one submission: it starts it (forked by the fork server,
``forkserver.py``, or as a plain child process on the portable path), loads the submission in it,
calls student code there, restarts it after a crash and kills it when a budget runs out. What
crosses the channel and how replies are read and checked is ``wire.py``; what a call can end in
(``StudentError``, ``WorkerLost``, ``Tampered``, ``GraderFault``) and the ``Remote`` proxy of an
object living in the worker are ``calls.py``. Every wait has a deadline, the submission's
whole-life deadline included.

Public entry: ``Sandbox``. The names callers catch or configure it with (``Limits``, the exceptions,
``Remote``) are importable from here too; grading tests import ``StudentError`` from here.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import forkserver, isolation, wire
from .calls import (
    GraderFault,
    Remote,
    StudentError,
    Tampered,
    WorkerLost,
    proxy,
    target_key,
    unproxy,
)
from .forkserver import Limits, Zygote
from .isolation import UNPRIVILEGED
from .sandbox import codec

__all__ = [
    "GraderFault",
    "Limits",
    "Remote",
    "Sandbox",
    "StudentError",
    "Tampered",
    "WorkerLost",
]

GRACE = 3.0  # seconds the grader waits beyond a call's own budget before killing the worker


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
            forkserver.shared_zygote(self.limits)
            if self.limits.warm_start and not isolation.portable()
            else None
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
                    forkserver.forget_zygote(zygote)
                    zygote = None
            if zygote is None and not isolation.portable():
                self.own_zygote = forkserver.Zygote(self.limits, preload=False)
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
                forkserver.python_command(self.root, "worker"),
                cwd=work,
                env=forkserver.portable_environment(work, self.limits),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        self._send, self._receive = self.process.stdin, wire.PipeReader(self.process.stdout)

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
        key = target_key(target, args)
        if key in self.timed_out:
            raise StudentError(self.timed_out[key])
        payload = {
            "op": "call",
            "target": target,
            "args": [unproxy(a) for a in args],
            "kwargs": {k: unproxy(v) for k, v in kwargs.items()},
            "seed": seed,
            "timeout": timeout,
            "keep": keep,
        }
        try:
            return proxy(self, self.request(payload, timeout))
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
        return proxy(
            self, self.request({"op": "call", "target": name, "get": True, "keep": True}, 10.0)
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
            wire.send(self._send, payload)
            reply = wire.read_reply(self._receive, deadline)
            while step and wire.is_progress(reply, self.sequence):
                # Each load step gets its own budget, timed here: a step cannot stretch it.
                self.progress = reply["progress"]
                deadline = min(time.monotonic() + step + GRACE, overall)
                reply = wire.read_reply(self._receive, deadline)
            reply = wire.checked(reply, self.sequence)
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
        wire.close_ends(getattr(self, "_send", None), getattr(self, "_receive", None))
        self._send = self._receive = None
