"""Preflight: before a class run, start one worker and check that it runs and what holds.

A worker that cannot start would make every submission fail with a message about the student's
code; the run stops here instead, with the cause and the remedy, and writes no student result.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import isolation
from .channel import GraderFault, Limits, Sandbox, StudentError, WorkerLost


@dataclass(frozen=True)
class Preflight:
    isolation: isolation.Isolation
    facts: dict  # what the worker saw of itself (uid, pid, internet socket)
    problem: str | None  # one paragraph for the TA when workers cannot run


def preflight(limits: Limits = Limits()) -> Preflight:
    """Start a worker on an empty submission and ask it what it can see and do."""
    level = isolation.detect()
    with tempfile.TemporaryDirectory(prefix="rnnkit-preflight-") as tmp:
        (Path(tmp) / "preflight.py").write_text("")
        sandbox = Sandbox(Path(tmp), limits)
        try:
            sandbox.start()
            facts = sandbox.call("@isolation_facts")
        except (GraderFault, WorkerLost, StudentError, OSError) as err:
            return Preflight(level, {}, _paragraph(level, str(err)))
        finally:
            sandbox.close()
    broken = _broken_promises(level, facts)
    return Preflight(level, facts, _paragraph(level, broken) if broken else None)


def _broken_promises(level: isolation.Isolation, facts: dict) -> str:
    if facts.get("inet_socket"):
        return "the worker could open an internet socket"
    if level.level != "basic" and facts.get("pid") != 1:
        return "the worker is not alone in its PID namespace"
    if os.geteuid() == 0 and facts.get("uid") == 0:
        return "the worker runs as root"
    return ""


def _paragraph(level: isolation.Isolation, cause: str) -> str:
    if level.level == "basic" and os.geteuid() == 0:
        remedy = (
            "Install bubblewrap (`apt-get install bubblewrap`; `make grade` does it as root) so that workers get a "
            "view of their own, or put the kit and its Python where the user nobody can read them."
        )
    elif level.level == "basic":
        remedy = (
            "Check that this user can run the kit's Python (`.venv/bin/python -c 'import torch'`)."
        )
    else:
        remedy = (
            "bubblewrap is installed but the worker did not come up inside it: check that namespaces are "
            "allowed here (`bwrap --unshare-all --ro-bind / / true`)."
        )
    return (
        f"Grading cannot start: a test worker failed before any student code ran ({cause}). "
        f"Isolation level: {level.level}. {remedy} No submission was graded and nothing was written."
    )
