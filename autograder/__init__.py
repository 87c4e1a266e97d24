"""rnnkit: an autograding kit for recurrent-network coursework in PyTorch.

In a student folder this package is shipped as ``rnnkit`` and gives ``check("Q2")``.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def check(question: str | None = None, notebook: str | None = None) -> int:
    """Run the public tests on the SAVED notebook (or ``.py``/folder) and print the feedback.

    Runs in a fresh process, exactly as the final grading does, so what the notebook's kernel
    holds in memory does not count: save the notebook first.
    """
    path = Path(notebook) if notebook else _find_notebook()
    assignment = _assignment_of(path)
    # The folder, not the notebook alone: the lab's given modules (utils.py...) sit beside it.
    command = [sys.executable, "-m", __name__, "check", assignment, str(path.resolve().parent)]
    if question:
        command += ["--question", question]
    return subprocess.run(command).returncode


def _find_notebook() -> Path:
    here = Path.cwd()
    for candidate in sorted(here.glob("*.ipynb")):
        if _assignment_of(candidate, quiet=True):
            return candidate
    raise FileNotFoundError(f"no course notebook in {here}; pass check(notebook='...')")


def _assignment_of(path: Path, quiet: bool = False) -> str:
    import json

    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        return meta["rnnkit"]["assignment"]
    except (OSError, ValueError, KeyError, TypeError):
        if quiet:
            return ""
        raise ValueError(f"{path} is not a course notebook (no rnnkit metadata)") from None
