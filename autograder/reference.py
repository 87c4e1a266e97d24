"""Run an assignment's reference solution end to end, as a student would run the notebook."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .assignments import ROOT, load_assignment
from .build import build_reference

QUICK_ENV = "RNNKIT_QUICK"  # "1": the notebooks shrink data and epochs to a smoke run


@dataclass(frozen=True)
class ReferenceRun:
    assignment: str
    quick: bool
    returncode: int
    seconds: float
    folder: Path


def run_reference(
    assignment_id: str, *, quick: bool, build_root: Path = ROOT / "build" / "reference"
) -> ReferenceRun:
    """Assemble ``build/reference/<id>/`` and execute its notebook script there (output streamed)."""
    assignment = load_assignment(assignment_id)
    folder = build_root / assignment_id
    build_reference(assignment, folder)
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    env[QUICK_ENV] = "1" if quick else "0"
    if "RNNKIT_DATA" not in env and (ROOT / "data").is_dir():
        env["RNNKIT_DATA"] = str(ROOT / "data")  # instructors drop the real course files there
    start = time.perf_counter()
    done = subprocess.run([sys.executable, assignment.notebook.name], cwd=folder, env=env)
    return ReferenceRun(assignment_id, quick, done.returncode, time.perf_counter() - start, folder)


def reference_namespace(assignment_id: str, folder: Path) -> dict:
    """Build the reference into ``folder`` and run its gradable cells; return their namespace.

    Only cells without the skip tag run (definitions, constants), exactly the cells the grader
    runs for a student; ``folder`` goes first on ``sys.path`` so the notebook's own imports
    (``utils``, ``textloader``, ``generate``, ``coursedata``) resolve to the reference modules.
    """
    import jupytext

    from .assignments import SKIP_TAG

    assignment = load_assignment(assignment_id)
    build_reference(assignment, folder)
    nb = jupytext.read(folder / assignment.notebook.name, fmt="py:percent")
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    namespace: dict = {"__name__": f"reference_{assignment_id.replace('-', '_')}"}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and SKIP_TAG not in cell.metadata.get("tags", []):
            exec(compile(cell.source, f"{assignment.notebook.name}:cell{index}", "exec"), namespace)
    return namespace
