"""The fork server: an isolated process that has paid for ``import torch`` once and forks workers.

Importing torch and the grading procedures takes about two seconds, more than half of what
grading a small submission costs. The grader starts this process once, with the same isolation
as a worker (copy of this package only, ``python -I``, no network and ``nobody`` as root), before
any student code exists; it never runs student code itself. For each submission it receives,
on a Unix socket, the two pipe descriptors of a worker's channel and the worker's folder, and
forks (``jail.py``): with namespaces, a monitor that gives the submission its own namespaces and
files, whose child is the worker; without, the worker itself. Replies are one JSON object per
datagram. ``python ... zygote FD cold`` skips the preloading: a one-submission server (the cold
path, as on Gradescope) that still imports torch before any student code exists.
``--become=UID:NPROC`` (the basic level as root): the server drops to that user, with that limit
on its processes, once its imports are done, so that a Python installation that user cannot reach
is still loaded.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys

from . import jail

# What coursework notebooks import at the top besides torch (about 1.7 s more per worker);
# importing a library before student code runs changes nothing for it but the time.
PRELOAD = (
    "numpy",
    "matplotlib.pyplot",
    "tqdm",
    "tqdm.auto",
    "torch.utils.data",
    "torch.utils.tensorboard",
)


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    preload = sys.argv[2:3] != ["cold"]
    become = [a.split("=", 1)[1].split(":") for a in sys.argv[3:] if a.startswith("--become=")]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    import importlib

    import torch  # noqa: F401  (the point of this process)

    from . import worker  # and the procedures it imports

    worker.not_traceable()  # inherited by every fork

    for name in PRELOAD if preload else ():
        try:
            importlib.import_module(name)
        except Exception:  # an optional library missing or broken: the student's import will say so
            pass

    if become:  # for good, before any fork: every worker inherits the user and its process limit
        uid, nproc = become[0]
        jail.drop_privileges(int(uid), int(nproc))
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
    finished: dict[int, int] = {}
    control.send(json.dumps({"ready": True, "threads": threads}).encode())
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 16, 3)
        except OSError:
            return
        if not message:
            return  # the grader is gone
        request = json.loads(message)
        _reap(finished)
        if request["op"] == "spawn":
            try:
                reply = _spawn(request, fds, control)
            finally:
                for fd in fds:
                    os.close(fd)
        elif request["op"] == "kill":
            reply = {"killed": _kill(int(request["pid"]), bool(request.get("group")))}
        elif request["op"] == "status":
            reply = {"status": _status(int(request["pid"]), finished, bool(request.get("wait")))}
        else:
            reply = {"error": f"unknown request {request['op']!r}"}
        control.send(json.dumps(reply).encode())


def _spawn(request: dict, fds: list[int], control: socket.socket) -> dict:
    """Fork the submission's worker; returns its pid and the pid to wait for (its monitor)."""
    if len(fds) != 3:
        return {"error": f"spawn needs 3 descriptors, got {len(fds)}"}
    request["fds"] = fds
    if not request.get("namespaces"):
        pid = os.fork()
        if pid == 0:
            control.close()
            jail.worker(request, namespaced=False)
        return {"pid": pid, "monitor": pid}
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:
        control.close()
        os.close(readable)

        def report(worker_pid: int) -> None:
            os.write(writable, f"{worker_pid}\n".encode())
            os.close(writable)

        jail.monitor(request, report)
    os.close(writable)
    try:
        line = b""
        if select.select([readable], [], [], 30)[0]:
            line = os.read(readable, 64)
    finally:
        os.close(readable)
    worker = int(line.strip() or -1)
    if worker < 0:
        _kill(pid, group=False)
        return {"error": "the submission's namespaces could not be set up"}
    return {"pid": worker, "monitor": pid}


def _kill(pid: int, group: bool) -> bool:
    """SIGKILL the worker: with a PID namespace of its own, that ends everything it started."""
    killed = False
    for kill in (os.killpg, os.kill) if group else (os.kill,):
        try:
            kill(pid, signal.SIGKILL)
            killed = True
        except (ProcessLookupError, PermissionError):
            pass
    return killed


def _reap(finished: dict[int, int]) -> None:
    """Collect exited children so they do not linger as zombies; keep their status for the grader."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        finished[pid] = status


def _status(pid: int, finished: dict[int, int], wait: bool) -> int | None:
    """Like ``Popen.returncode``: None while running, -N when killed by signal N."""
    if pid not in finished:
        try:
            got, status = os.waitpid(pid, 0 if wait else os.WNOHANG)
        except ChildProcessError:
            return None if not wait else 0
        if got == 0:
            return None
        finished[pid] = status
    status = finished.pop(pid)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
