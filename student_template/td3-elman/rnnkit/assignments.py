"""The three assignments, where their sources live, and their questions and points.

The notebook source (``solutions/<id>/<id>.py``, jupytext percent format) is the single source
of a question's points: its heading cell carries ``question="Q1" points=4`` (and ``manual=true``
for a written answer graded by a TA), and the heading text must say the same number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
TEMPLATE = ROOT / "student_template"
COURSEDATA = Path(__file__).resolve().parent / "coursedata"

ASSIGNMENT_IDS = ("tp3-rnn", "tp4-lstm", "td3-elman")

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
        raise AssignmentError(f"unknown assignment {assignment_id!r}; expected one of {', '.join(ASSIGNMENT_IDS)}")
    source_dir = solutions / assignment_id
    notebook = source_dir / f"{assignment_id}.py"
    if not notebook.is_file():
        shipped = handouts(assignment_id) / f"{assignment_id}.ipynb"
        if shipped.is_file():  # the package inside a student folder: questions from the handed-out notebook
            return Assignment(assignment_id, shipped.parent, shipped, (), _questions(shipped))
        raise AssignmentError(f"{notebook}: notebook source missing")
    modules = tuple(sorted(p for p in source_dir.glob("*.py") if p != notebook))
    return Assignment(assignment_id, source_dir, notebook, modules, _questions(notebook))


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
            raise AssignmentError(f"{notebook}: a cell with points must be a heading cell with question=\"...\" ({heading!r})")
        stated = POINTS_IN_HEADING.search(heading)
        if not stated or float(stated.group("n").replace(",", ".")) != float(meta["points"]):
            raise AssignmentError(f"{notebook}: heading of {qid} must state '({meta['points']} points)': {heading!r}")
        if any(q.id == qid for q in found):
            raise AssignmentError(f"{notebook}: question {qid} declared twice")
        found.append(Question(qid, heading.lstrip("#").strip(), float(meta["points"]), bool(meta.get("manual", False))))
    if not found:
        raise AssignmentError(f"{notebook}: no question heading (markdown cell with question=... points=...)")
    return tuple(found)
