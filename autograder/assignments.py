"""The assignments, where their sources live, and their questions and points.

A lab is a folder of ``assignments/`` holding an ``assignment.toml`` (its title, where its graded
names usually live), its grading tests (``tests/``), its message catalog (``catalog.py``), its
worker procedures (``procedures.py``) and its calibration (``calibrate.py``); the engine finds them
here and names no lab itself. In a student folder the one lab shipped in the package
(``rnnkit/public_tests/<id>/``) stands in for ``assignments/``.

The notebook source (``solutions/<id>/<id>.py``, jupytext percent format) is the single source
of a question's points: its heading cell carries ``question="Q1" points=4`` (and ``manual=true``
for a written answer graded by a TA), and the heading text must say the same number.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
TEMPLATE = ROOT / "student_template"
PACKAGE = (
    "rnnkit"  # the student package inside a template folder: built, never committed (.gitignore)
)
COURSEDATA = Path(__file__).resolve().parent / "coursedata"
LAB_FILE = "assignment.toml"  # what makes a folder of assignments/ a lab
# The lab a student folder's package carries (its description, catalog, procedures, public tests).
SHIPPED_LABS = Path(__file__).resolve().parent / "public_tests"


def labs_folder() -> Path:
    """Where the labs live: ``assignments/`` in the kit, the package's own copy in a student folder."""
    return SHIPPED_LABS if SHIPPED_LABS.is_dir() else ROOT / "assignments"


def _lab_ids() -> tuple[str, ...]:
    folder = labs_folder()
    return (
        tuple(sorted(p.parent.name for p in folder.glob(f"*/{LAB_FILE}")))
        if folder.is_dir()
        else ()
    )


ASSIGNMENT_IDS = _lab_ids()


def lab_folder(assignment_id: str) -> Path:
    return labs_folder() / assignment_id


def lab_files(name: str) -> dict[str, Path]:
    """Each lab's file ``name`` (``catalog.py``, ``procedures.py``...), for the labs that have one."""
    return {i: lab_folder(i) / name for i in ASSIGNMENT_IDS if (lab_folder(i) / name).is_file()}


def lab_key(assignment_id: str) -> str:
    """The lab's id as a Python identifier (module names): ``a-b`` gives ``a_b``."""
    return re.sub(r"\W", "_", assignment_id)


def lab_description(assignment_id: str) -> dict:
    """The lab's ``assignment.toml``: ``title``, ``modules`` (where its graded names usually live, in
    lookup order), optional ``bench`` (the lab measured by default)."""
    path = lab_folder(assignment_id) / LAB_FILE
    text = path.read_text(encoding="utf-8")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11 on a student's machine: flat keys, JSON-like values
        return {
            key.strip(): json.loads(value)
            for key, _, value in (
                line.partition("=")
                for line in text.splitlines()
                if line.strip() and not line.startswith("#")
            )
        }
    return tomllib.loads(text)


def bench_default() -> str:
    """The lab measured when none is named (``bench = true`` in its assignment.toml; else the last)."""
    return next((i for i in ASSIGNMENT_IDS if lab_description(i).get("bench")), ASSIGNMENT_IDS[-1])


def load_module(path: Path, name: str) -> ModuleType:
    """Import the file ``path`` once as module ``name`` (cached in ``sys.modules``)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return sys.modules[name]


def lab_procedures(assignment_id: str) -> ModuleType:
    """The lab's worker procedures as a module of the grader's ``sandbox`` package (as the worker runs
    them, their relative imports reach the runtime's own modules), registered in its ``PROCEDURES``."""
    from .sandbox import procedures

    return procedures.add_lab(lab_key(assignment_id), lab_files("procedures.py")[assignment_id])


# Cell tags understood by the kit (cell metadata "tags").
SKIP_TAG = "skip-grading"  # long training, plots: never run by the grader
ANSWER_TAG = "answer"  # a written answer (Markdown) graded by hand

POINTS_IN_HEADING = re.compile(r"\((?P<n>\d+(?:[.,]\d+)?)\s*points?\)")


class AssignmentError(ValueError):
    """An assignment source breaks a kit convention; ``str()`` reads ``path: reason``."""


@dataclass(frozen=True)
class Question:
    id: str  # "Q1", "Ex2-Q1", ...
    title: str  # the heading text, without its leading #'s
    points: float
    manual: bool  # graded by a TA from a written answer


@dataclass(frozen=True)
class Assignment:
    id: str
    source_dir: Path  # solutions/<id>/
    notebook: Path  # solutions/<id>/<id>.py (percent format)
    modules: tuple[Path, ...]  # the .py files handed out beside the notebook
    questions: tuple[Question, ...]
    title: str = ""  # assignment.toml's
    module_order: tuple[
        str, ...
    ] = ()  # where the graded names usually live (assignment.toml's `modules`)

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)


def handouts(assignment_id: str) -> Path:
    """What students were handed: ``student_template/<id>`` in the kit; in a student folder, the copy
    shipped inside the package (``rnnkit/handout``), so that ``check`` reads a hand-in as the grader does."""
    shipped = Path(__file__).resolve().parent / "handout"
    return shipped if shipped.is_dir() else TEMPLATE / assignment_id


def load_assignment(assignment_id: str, solutions: Path = SOLUTIONS) -> Assignment:
    """Read an assignment's layout and questions; raise AssignmentError on a broken convention."""
    if assignment_id not in ASSIGNMENT_IDS:
        raise AssignmentError(
            f"unknown assignment {assignment_id!r}; expected one of {', '.join(ASSIGNMENT_IDS)}"
        )
    description = lab_description(assignment_id)
    about = {
        "title": str(description.get("title", "")),
        "module_order": tuple(description.get("modules", ())),
    }
    source_dir = solutions / assignment_id
    notebook = source_dir / f"{assignment_id}.py"
    if not notebook.is_file():
        shipped = handouts(assignment_id) / f"{assignment_id}.ipynb"
        if (
            shipped.is_file()
        ):  # the package inside a student folder: questions from the handed-out notebook
            return Assignment(
                assignment_id, shipped.parent, shipped, (), _questions(shipped), **about
            )
        raise AssignmentError(f"{notebook}: notebook source missing")
    modules = tuple(sorted(p for p in source_dir.glob("*.py") if p != notebook))
    return Assignment(assignment_id, source_dir, notebook, modules, _questions(notebook), **about)


def _questions(notebook: Path) -> tuple[Question, ...]:
    if notebook.suffix == ".py":
        import jupytext  # staff side only: a student folder's package reads its .ipynb with nbformat

        nb = jupytext.read(notebook, fmt="py:percent")
    else:
        import nbformat

        nb = nbformat.read(notebook, as_version=4)
    found: list[Question] = []
    for cell in nb.cells:
        meta = cell.metadata
        if cell.cell_type != "markdown" or "points" not in meta:
            continue
        qid = meta.get("question")
        heading = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        if not qid or not heading.startswith("#"):
            raise AssignmentError(
                f'{notebook}: a cell with points must be a heading cell with question="..." ({heading!r})'
            )
        stated = POINTS_IN_HEADING.search(heading)
        if not stated or float(stated.group("n").replace(",", ".")) != float(meta["points"]):
            raise AssignmentError(
                f"{notebook}: heading of {qid} must state '({meta['points']} points)': {heading!r}"
            )
        if any(q.id == qid for q in found):
            raise AssignmentError(f"{notebook}: question {qid} declared twice")
        found.append(
            Question(
                qid,
                heading.lstrip("#").strip(),
                float(meta["points"]),
                bool(meta.get("manual", False)),
            )
        )
    if not found:
        raise AssignmentError(
            f"{notebook}: no question heading (markdown cell with question=... points=...)"
        )
    return tuple(found)
