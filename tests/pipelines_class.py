"""The class graded through otter and nbgrader in the pipeline tests, and the engine's grades of it.

The demo class of an assignment as notebooks (both platforms take notebooks): the reference (the
nbgrader source notebook: solutions and cell metadata), the template (the same notebook with the
template's cells, i.e. nbgrader's release), each demo ``.py`` appended to the template as a last
cell, the demo notebooks as they are, and a cheater that does the demo's partial work and tries
the documented attacks on both platforms (see LEFT_OUT for what is left out). Built and graded by
the engine once per test session.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tempfile
from pathlib import Path

import nbformat

from autograder.assignments import ROOT, TEMPLATE, load_assignment
from autograder.build import without_handin
from autograder.cli_grade import demo_submissions
from autograder.grade import grade
from autograder.pipelines.nbgrader import source_notebook

PIPELINES_BIN = ROOT / ".venv-pipelines" / "bin"
# The fastest assignment to grade (about 5 s per submission); RNNKIT_PIPELINES_LAB=<id> runs the otter and
# nbgrader tests on another lab (its demo class, reference and template), as when adding one.
ASSIGNMENT = os.environ.get("RNNKIT_PIPELINES_LAB", "td3-elman")
# Left out to keep `make test` short: hangs costs 30 s per engine run (its forward never returns; the
# engine's own tests cover it), and partial's code is graded anyway, inside the cheater.
LEFT_OUT = {"hangs", "partial"}
MARKER_ENV = "RNNKIT_OUTSIDE_SANDBOX_MARKER"

CHEAT = """# Tentatives de triche : aucune ne doit changer la note.
import pickle
import sys

if any(name in sys.modules for name in ("ipykernel", "otter", "nbgrader")):
    # Only reachable if this code runs in the platform's kernel instead of the kit's sandbox.
    with open({marker!r}, "w") as handle:
        handle.write("code étudiant exécuté hors du bac à sable")

_dump = pickle.dump


def _forged_dump(obj, file, *args, **kwargs):  # otter: mark every test case passed before pickling
    for test_file in getattr(obj, "results", {{}}).values():
        for case in getattr(test_file, "test_case_results", []):
            case.passed = True
    return _dump(obj, file, *args, **kwargs)


pickle.dump = _forged_dump
try:  # nbgrader: blank every later cell that looks like a test
    get_ipython().input_transformers_cleanup.append(
        lambda lines: [] if any(word in line for line in lines for word in ("check", "assert", "rnnkit")) else lines)
except NameError:
    pass
import torch

torch.allclose = lambda *args, **kwargs: True
"""


def available() -> bool:
    return (PIPELINES_BIN / "otter").is_file() and (PIPELINES_BIN / "nbgrader").is_file()


def pipeline_env() -> dict:
    """Environment for otter/nbgrader commands: the pipelines venv first on PATH (nbgrader runs alembic)."""
    return dict(os.environ, PATH=f"{PIPELINES_BIN}{os.pathsep}{os.environ.get('PATH', '')}")


@functools.cache
def demo_class() -> tuple[Path, Path, dict[str, dict[str, float | None]]]:
    """(folder of ``<student>.ipynb``, marker path, engine's per-question points for each student)."""
    root = Path(tempfile.mkdtemp(prefix="rnnkit-pipelines-class-"))
    atexit.register(shutil.rmtree, root, True)
    folder = root / "class"
    folder.mkdir()
    marker = root / "outside-sandbox.txt"
    source = source_notebook(ASSIGNMENT)
    template = nbformat.read(TEMPLATE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    template.cells = without_handin(
        load_assignment(ASSIGNMENT), template.cells
    )  # the pipelines' own hand-in
    release = _with_sources(source, template)
    nbformat.write(source, folder / "reference.ipynb")
    nbformat.write(release, folder / "template.ipynb")
    demos = demo_submissions(ASSIGNMENT, root / "demo")
    partial = ""
    for entry in sorted(demos.iterdir()):
        if entry.stem == "partial" and entry.is_file():
            partial = entry.read_text(encoding="utf-8")
        if entry.name in ("reference", "template") or entry.stem in LEFT_OUT:
            continue
        if entry.is_dir():  # overrides of the template, materialised as the template + code cells
            notebook = nbformat.read(next(entry.glob("*.ipynb")), as_version=4)
            extra = without_handin(load_assignment(ASSIGNMENT), notebook.cells)[
                len(release.cells) :
            ]
            nbformat.write(
                _appended(release, *(c.source for c in extra)), folder / f"{entry.name}.ipynb"
            )
        elif entry.suffix == ".ipynb":
            shutil.copyfile(entry, folder / entry.name)
        elif entry.suffix == ".py":
            nbformat.write(
                _appended(release, entry.read_text(encoding="utf-8")),
                folder / f"{entry.stem}.ipynb",
            )
    nbformat.write(
        _appended(release, partial, CHEAT.format(marker=str(marker))), folder / "cheater.ipynb"
    )
    assignment = load_assignment(ASSIGNMENT)
    engine = {}
    for notebook in sorted(folder.glob("*.ipynb")):
        report = grade(notebook, assignment, student=notebook.stem)
        engine[notebook.stem] = {q.question: q.points for q in report.questions}
    (root / "engine.json").write_text(
        json.dumps(engine, indent=1)
    )  # for a human looking at a failure
    return folder, marker, engine


def _with_sources(
    source: nbformat.NotebookNode, template: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """The source notebook (nbgrader metadata) with the template's text in every cell."""
    assert [c.cell_type for c in source.cells] == [c.cell_type for c in template.cells]
    release = nbformat.from_dict(json.loads(nbformat.writes(source)))
    for cell, text in zip(release.cells, template.cells):
        cell.source = text.source
    return release


def _appended(base: nbformat.NotebookNode, *codes: str) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(json.loads(nbformat.writes(base)))
    for number, code in enumerate(c for c in codes if c):
        cell = nbformat.v4.new_code_cell(code)
        cell["id"] = f"student-{number}"
        nb.cells.append(cell)
    return nb


def auto_questions(engine: dict[str, float | None]) -> dict[str, float]:
    """The automatically graded questions of an engine result (manual ones are the TAs')."""
    return {q: p for q, p in engine.items() if p is not None}
