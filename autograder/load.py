"""Load: start the sandboxed worker for a submission and run its gradable code there."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .channel import GraderFault, Limits, Sandbox, StudentError, WorkerLost
from .results import LoadResult, LoadStep, Message, Submission

CELL_BUDGET = 10.0  # seconds per notebook cell or module statement


def load(
    submission: Submission, limits: Limits = Limits(), budget: float = CELL_BUDGET
) -> tuple[Sandbox, LoadResult]:
    """Start a worker on the submission's files and load them; the caller closes the sandbox."""
    # The worker's copy is the folder's root: the submission and, beside it, the course's stand-in files.
    root = Path(submission.folder)
    for _ in PurePosixPath(submission.cwd).parts:
        root = root.parent
    sandbox = Sandbox(root, limits)
    try:
        sandbox.start()
    except GraderFault as err:  # before any student code ran: the grading failed on our side
        return sandbox, LoadResult(
            (), (), Message.of("worker_fault", detail=str(err)[:300]), ours=True
        )
    try:
        reply = sandbox.load(
            submission.notebook,
            list(submission.modules),
            budget,
            _mentions_cuda(submission),
            cwd=submission.cwd,
        )
    except (WorkerLost, StudentError, OSError) as err:
        return sandbox, LoadResult((), (), Message.of("worker_start", detail=str(err)[:300]))
    steps = tuple(
        LoadStep(s["where"], s["first_line"][:80], s["status"], s["error"])
        for s in reply["report"]["steps"]
        if s["status"] not in ("ok", "skipped")
    )
    return sandbox, LoadResult(steps, tuple(reply["names"]))


def _mentions_cuda(submission: Submission) -> bool:
    """Map CUDA to the CPU only for code that asks for it: the mapping slows every torch call."""
    files = ([submission.notebook] if submission.notebook else []) + list(submission.modules)
    return any(
        "cuda" in (submission.folder / f).read_text(encoding="utf-8", errors="replace")
        for f in files
    )
