"""The fork server: an isolated process that has paid for ``import torch`` once and forks workers.

Importing torch and the grading procedures takes about two seconds, more than half of what
grading a small submission costs. The grader starts this process once, with the same isolation
as a worker (copy of this package only, ``python -I``, no network and ``nobody`` as root), before
any student code exists; it never runs student code itself. For each submission it receives,
on a Unix socket, the two pipe descriptors of a worker's channel and the worker's folder, and
forks: the child drops into its own session, sets its own limits and serves as an ordinary
worker. Replies are one JSON object per datagram.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import socket
import sys

# What coursework notebooks import at the top besides torch (about 1.7 s more per worker);
# importing a library before student code runs changes nothing for it but the time.
PRELOAD = ("numpy", "matplotlib.pyplot", "tqdm", "tqdm.auto", "torch.utils.data", "torch.utils.tensorboard")


def _child(request: dict, read_fd: int, write_fd: int) -> None:
    """In the forked child: become a worker for one submission (never returns)."""
    try:
        os.setsid()  # its own process group: the grader kills the group
        cpu = int(request["cpu_seconds"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))  # a fresh process: its CPU time starts at 0
        resource.setrlimit(resource.RLIMIT_FSIZE, (request["file_bytes"], request["file_bytes"]))
        if request.get("nproc"):
            resource.setrlimit(resource.RLIMIT_NPROC, (request["nproc"], request["nproc"]))
        os.chdir(request["work"])
        os.environ.update(request["env"])
        from .worker import serve

        serve(read_fd, write_fd, request["log"])
    finally:
        os._exit(0)


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    import importlib

    import torch  # noqa: F401  (the point of this process)

    from . import worker  # and the procedures it imports

    worker.not_traceable()  # inherited by every fork

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # an optional library missing or broken: the student's import will say so
            pass

    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
    finished: dict[int, int] = {}
    control.send(json.dumps({"ready": True, "threads": threads}).encode())
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 16, 2)
        except OSError:
            return
        if not message:
            return  # the grader is gone
        request = json.loads(message)
        _reap(finished)
        if request["op"] == "spawn":
            pid = os.fork()
            if pid == 0:
                control.close()
                _child(request, fds[0], fds[1])
            for fd in fds:
                os.close(fd)
            reply = {"pid": pid}
        elif request["op"] == "status":
            reply = {"status": _status(int(request["pid"]), finished, bool(request.get("wait")))}
        else:
            reply = {"error": f"unknown request {request['op']!r}"}
        control.send(json.dumps(reply).encode())


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
