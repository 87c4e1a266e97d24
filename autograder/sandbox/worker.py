"""The worker: the only process that runs student code. It answers the grader's requests.

Started by the grader with the submission copied into its working folder and this package
copied beside it (never the kit, the reference or the tests). It reads requests and writes
replies on two inherited pipe descriptors in the ``codec`` format; whatever student code prints
goes to a bounded log file, never to the channel.
"""

from __future__ import annotations

import ctypes
import io
import os
import random
import sys
import traceback
from pathlib import Path

import torch

from . import codec, procedures
from .loader import (
    BudgetExceeded,
    LoadReport,
    SubmissionFinder,
    is_cell_file,
    new_module,
    run_notebook,
    time_budget,
)

RUNTIME = str(Path(__file__).resolve().parent)
MAX_PRINTED = 64 * 1024  # characters of student output kept per worker
PR_SET_DUMPABLE = 4


class BoundedText(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and drops the rest."""

    def __init__(self, target, limit: int):
        self.target, self.left = target, limit

    def writable(self):
        return True

    def write(self, text):
        if self.left > 0:
            kept = text[: self.left]
            self.left -= len(kept)
            self.target.write(kept)
            self.target.flush()
        return len(text)


class Worker:
    def __init__(self):
        self.objects: dict[int, object] = {}
        self.next_id = 1
        self.namespaces: list[dict] = []  # notebook first, then modules, for name lookup

    # -- requests -------------------------------------------------------------------------
    def handle(self, request: dict):
        op = request.get("op")
        if op == "load":
            return self.load(request)
        if op == "call":
            return self.call(request)
        if op == "release":
            for h in request.get("handles", []):
                self.objects.pop(h.id, None)
            return None
        if op == "ping":
            return "pong"
        raise ValueError(f"unknown request {op!r}")

    def load(self, request: dict) -> dict:
        folder = self._enter(request.get("cwd") or "")
        budget = float(request.get("budget", 10))
        report = LoadReport(
            skip=frozenset(request.get("skip", [])), announce=self._announcer(request)
        )
        files = {Path(name).stem: folder / name for name in request.get("modules", [])}
        sys.meta_path.insert(0, SubmissionFinder(files, report, budget))
        if request.get("cuda_to_cpu") and not torch.cuda.is_available():
            procedures.map_cuda_to_cpu()
        notebook = request.get("notebook")
        if notebook:
            module = new_module("__submission__")
            module.__dict__["get_ipython"] = procedures.NoIPython
            run_notebook(folder / notebook, module.__dict__, report, budget)
            self.namespaces.append(module.__dict__)
        for name in files:  # modules not imported by the notebook are loaded now
            try:
                with time_budget(budget * 4):
                    module = __import__(name)
                self.namespaces.append(module.__dict__)
            except BaseException as err:  # the module's own problems are already in the report
                report.steps.append(procedures.step_for_import_error(name, err))
        names = sorted({k for ns in self.namespaces for k in ns if not k.startswith("_")})
        return {"report": report.as_dict(), "names": names}

    @staticmethod
    def _enter(cwd: str) -> Path:
        """Run in ``cwd``, a folder of this worker's own copy (the submission's files, below a root that
        holds the course's stand-in files): relative paths such as ``../data`` then stay inside the copy."""
        before = os.getcwd()
        root = Path(before).resolve()
        folder = (root / cwd).resolve()
        if folder != root:
            if root not in folder.parents or not folder.is_dir():
                raise ValueError(f"the working folder {cwd!r} is not inside the submission's copy")
            os.chdir(folder)
            sys.path[:] = [str(folder) if p in (before, str(root)) else p for p in sys.path]
        return folder

    def _announcer(self, request: dict):
        replies = getattr(self, "replies", None)
        if replies is None:
            return None
        return lambda where: codec.write_message(
            replies, {"progress": where, "id": request.get("id")}
        )

    def call(self, request: dict):
        target = self.resolve(request["target"])
        if request.get("get"):
            return self.wrap(target, keep=True)
        args = [self.unwrap(a) for a in request.get("args", [])]
        kwargs = {k: self.unwrap(v) for k, v in request.get("kwargs", {}).items()}
        seed = int(request.get("seed", 0))
        torch.manual_seed(seed)
        random.seed(seed)
        with time_budget(float(request.get("timeout", 10))):
            value = target(*args, **kwargs)
        return self.wrap(value, keep=bool(request.get("keep")))

    # -- values ----------------------------------------------------------------------------
    def resolve(self, target):
        """A name in the submission, a built-in procedure, or an attribute of a kept object."""
        if isinstance(target, str):
            if target.startswith("@"):
                return procedures.PROCEDURES[target[1:]]
            for namespace in self.namespaces:
                if target in namespace:
                    return namespace[target]
            raise LookupError(f"{target} is not defined by the submission")
        if isinstance(target, dict) and isinstance(target.get("handle"), codec.Handle):
            obj = self.objects[target["handle"].id]
            return getattr(obj, target["attr"]) if target.get("attr") else obj
        raise ValueError(f"bad call target {target!r}")

    def unwrap(self, value):
        if isinstance(value, codec.Handle):
            return self.objects[value.id]
        if isinstance(value, list):
            return [self.unwrap(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.unwrap(v) for v in value)
        if isinstance(value, dict):
            return {k: self.unwrap(v) for k, v in value.items()}
        return value

    def wrap(self, value, keep: bool):
        if not keep:
            try:
                codec.encode(value)
                return value
            except (codec.CodecError, TypeError, ValueError, OverflowError):
                pass
        handle = codec.Handle(self.next_id, type(value).__name__)
        self.objects[handle.id] = value
        self.next_id += 1
        return handle


def describe_error(err: BaseException) -> dict:
    """Classify a failure and keep the traceback without the worker's own frames."""
    if isinstance(err, BudgetExceeded):
        kind = "timeout"
    elif isinstance(
        err, KeyboardInterrupt
    ):  # the portable budget's interrupt, arriving a moment late
        kind = "timeout"
    elif isinstance(err, NotImplementedError):
        kind = "not_implemented"
    elif isinstance(err, MemoryError):
        kind = "memory"
    else:
        kind = "raised"
    frames = [
        f for f in traceback.extract_tb(err.__traceback__) if not f.filename.startswith(RUNTIME)
    ]
    # Point the student at their own line (a notebook cell or a file of theirs), not inside torch.
    own = [f for f in frames if is_cell_file(f.filename) or f.filename.startswith(os.getcwd())]
    last = (own or frames)[-1] if frames else None
    where = f"{_place(last.filename)}:{last.lineno}" if last else ""
    function = _qualname(err.__traceback__, last)
    if function:
        where = f"{function}, {where}"
    trace = "".join(traceback.format_list(frames)) + "".join(
        traceback.format_exception_only(type(err), err)
    )
    return {
        "kind": kind,
        "type": type(err).__name__,
        "message": str(err)[:2000],
        "where": where,
        "trace": trace[-20000:],
    }


def _place(filename: str) -> str:
    """``In [12]`` / ``code cell 7`` for a notebook cell, the file's name for a module."""
    return filename.strip("<>") if is_cell_file(filename) else Path(filename).name


def _qualname(trace, frame_summary) -> str:
    """The student's function (``RNN.forward``) that the reported line belongs to, if it is one."""
    if frame_summary is None or frame_summary.name == "<module>":
        return ""
    while trace is not None:
        code = trace.tb_frame.f_code
        if code.co_filename == frame_summary.filename and trace.tb_lineno == frame_summary.lineno:
            return getattr(code, "co_qualname", code.co_name)
        trace = trace.tb_next
    return frame_summary.name


def not_traceable() -> None:
    """Workers share one user: without this, one student's code could trace (read, rewrite)
    another's worker, or the zygote and so every later worker."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (
        OSError,
        AttributeError,
        TypeError,
    ):  # not Linux (Windows: no CDLL(None)): nothing to do
        pass


def serve(read_fd: int, write_fd: int, log_fd: int) -> None:
    """Answer requests until the grader closes the channel (in a fork of the zygote).

    ``log_fd`` is a file the grader opened: the worker never names a path the grader will read.
    """
    not_traceable()
    requests = os.fdopen(read_fd, "rb")
    replies = os.fdopen(write_fd, "wb")
    log = os.fdopen(log_fd, "w", encoding="utf-8", errors="replace")
    # Student output goes to the bounded log: it can neither flood the disk nor reach the channel.
    sys.stdout = sys.stderr = BoundedText(log, MAX_PRINTED)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.path[:] = [p for p in sys.path if p != RUNTIME and p != str(Path(RUNTIME).parent)]
    sys.path.insert(0, os.getcwd())
    worker = Worker()
    worker.replies = replies
    while True:
        try:
            request = codec.read_message(requests)
        except EOFError:
            return
        try:
            reply = {"ok": worker.handle(request), "id": request.get("id")}
        except BaseException as err:  # anything student code raises, SystemExit included
            reply = {"error": describe_error(err), "id": request.get("id")}
        try:
            codec.write_message(replies, reply)
        except codec.CodecError as err:
            codec.write_message(
                replies,
                {
                    "error": {
                        "kind": "raised",
                        "type": "CodecError",
                        "message": str(err),
                        "where": "",
                        "trace": "",
                    },
                    "id": request.get("id"),
                },
            )


def main() -> None:
    """The portable worker (``channel.Sandbox._launch_portable``): requests on stdin, replies on
    stdout, student output to stderr (a log file the grader opened)."""
    requests, replies, log = os.dup(0), os.dup(1), os.dup(2)
    quiet = os.open(os.devnull, os.O_RDONLY)
    os.dup2(quiet, 0)  # student code reading input() must not eat the grader's requests
    os.close(quiet)
    serve(requests, replies, log)
