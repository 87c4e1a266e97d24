"""nbgrader: a course whose autograded test cells report the kit's grade.

``build`` writes an nbgrader course, by default ``dist/nbgrader/``::

    nbgrader_config.py         puts the kit on sys.path and plugs in the two classes below
    source/<id>/<id>.ipynb     the reference with nbgrader metadata (schema 3), plus the handouts

In the notebook, code cells with ``# BEGIN SOLUTION`` regions are autograded answers, written
answers are manually graded answers worth their question's points, and after each automatically
graded question a locked test cell worth its points runs the public tests for the student
(``check("Q2")``). ``nbgrader generate_assignment`` turns the regions into the template's stubs
(``TemplateStubs``), so the release notebook is the kit's student template.

Trust. nbgrader normally runs the whole submitted notebook, test cells included, in one kernel
and grades a test cell by its output: student code in an earlier cell can blank or rewrite the
tests (an IPython input transformer) or patch what they call. Here ``nbgrader autograde`` runs no
kernel at all: ``EngineGrades`` replaces nbgrader's ``Execute`` preprocessor, grades the sanitized
notebook (and the student's other files) with the engine — student code runs only in its sandboxed
worker — and writes each test cell's output itself: the engine's feedback for the question and its
points as the cell's result, which nbgrader reads as partial credit.

``QuestionCsvExport`` is an ``nbgrader export`` plugin: one column per graded cell (question).
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat

from ..assignments import ASSIGNMENT_IDS, ROOT, AssignmentError, load_assignment
from ..build import CHECK_CELL, _with_check_cells, built_template
from ..markers import BEGIN, MarkerError, strip_solutions
from .bridge import copy_item, grade_submission, question_summary, template_source

try:  # only in the pipelines environment (.venv-pipelines)
    from nbgrader.plugins import ExportPlugin
    from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor
except ImportError:  # the lean grading venv: building the course still works
    ClearSolutions = NbGraderPreprocessor = ExportPlugin = object

SCHEMA = 3
TEST_PREFIX = "test-"  # grade_id of a question's test cell: "test-Q2"
CHECK = re.compile(r"check\((?P<q>'[^']*'|\"[^\"]*\")\)")


# -- the source notebook -----------------------------------------------------------------------
def source_notebook(assignment_id: str) -> nbformat.NotebookNode:
    """The reference notebook of an assignment with nbgrader cell metadata, from its single source."""
    assignment = load_assignment(assignment_id)
    text = assignment.notebook.read_text(encoding="utf-8")
    strip_solutions(
        text, str(assignment.notebook), notebook=True
    )  # marker errors first, with path:line
    questions = {q.id: q for q in assignment.questions}
    cells = _with_check_cells(jupytext.reads(text, fmt="py:percent").cells)
    answered: set[str] = set()
    for index, cell in enumerate(cells):
        checked = _checked_question(cell)
        if (
            checked in questions
        ):  # the template's public-check cell: the question's locked test cell
            meta = _meta(
                TEST_PREFIX + checked, grade=True, locked=True, points=questions[checked].points
            )
        elif cell.cell_type == "markdown" and _has_region(cell):  # a written answer, graded by hand
            question = cell.metadata.get("question", "")
            first = question in questions and question not in answered
            answered.add(question)
            grade_id = question if first else f"{question or 'reponse'}-{index:03d}"
            meta = _meta(
                grade_id,
                grade=True,
                solution=True,
                points=questions[question].points if first else 0.0,
            )
        elif cell.cell_type == "code" and _has_region(cell):
            meta = _meta(f"code-{index:03d}", solution=True)
        else:
            continue
        cell.metadata["nbgrader"] = meta
    nb = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "rnnkit": {"assignment": assignment_id},
        },
    )
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"{assignment_id}-{index:03d}"  # the template's ids
    nbformat.validate(nb)
    return nb


def _meta(
    grade_id: str,
    *,
    grade: bool = False,
    solution: bool = False,
    locked: bool = False,
    points: float | None = None,
) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA,
        "solution": solution,
    }
    if grade:
        meta["points"] = points
    return meta


def _checked_question(cell) -> str | None:
    if cell.cell_type != "code":
        return None
    for question in re.findall(CHECK, cell.source):
        if cell.source == CHECK_CELL.format(question=question[1:-1]):
            return question[1:-1]
    return None


def _has_region(cell) -> bool:
    prefix = (
        "# " if cell.cell_type == "markdown" else ""
    )  # jupytext drops the '# ' of Markdown lines
    return any(BEGIN.match(prefix + line) for line in cell.source.splitlines())


# -- the course ---------------------------------------------------------------------------------
CONFIG = '''"""nbgrader configuration written by `make nbgrader` (rnnkit): edit KIT if the kit moves."""
import os
import sys

KIT = {kit!r}  # the folder holding autograder/, solutions/ and assignments/
sys.path.insert(0, KIT)

from autograder.pipelines.nbgrader import autograde_preprocessors, generate_preprocessors  # noqa: E402

c = get_config()  # noqa: F821 (provided by nbgrader)
c.CourseDirectory.course_id = "rnnkit"
# A gradebook of our own: should this file ever fail to load (the kit moved), nbgrader would use its
# default gradebook.db, find no assignment there and stop, instead of grading the nbgrader way.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(os.path.dirname(os.path.abspath(__file__)), "rnnkit-gradebook.db")
# The release notebook gets the kit's stubs ("# TODO : à compléter." + NotImplementedError("name")).
c.GenerateAssignment.preprocessors = generate_preprocessors()
# Autograding runs no kernel: the kit's engine grades the submission in its sandbox, and writes the
# test cells' outputs (feedback, points).
c.Autograde.autograde_preprocessors = autograde_preprocessors()
# Students hand in their own versions of these modules: never replace them with the release's.
c.Autograde.exclude_overwriting = {exclude!r}
'''


def build(assignment_ids: tuple[str, ...], course: Path, kit: Path = ROOT) -> list[Path]:
    """Write (or refresh) ``course/source/<id>/`` for each assignment, and ``course/nbgrader_config.py``."""
    course.mkdir(parents=True, exist_ok=True)
    written = []
    for assignment_id in assignment_ids:
        folder = course / "source" / assignment_id
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        with built_template(
            assignment_id
        ) as handout:  # modules, coursedata/, rnnkit/ (built, not committed)
            for item in sorted(handout.iterdir()):
                if item.name != f"{assignment_id}.ipynb" and item.name != "__pycache__":
                    copy_item(item, folder / item.name)
        target = folder / f"{assignment_id}.ipynb"
        target.write_text(nbformat.writes(source_notebook(assignment_id)) + "\n", encoding="utf-8")
        written.append(target)
    exclude = {i: [m.name for m in load_assignment(i).modules] for i in ASSIGNMENT_IDS}
    config = course / "nbgrader_config.py"
    config.write_text(
        CONFIG.format(kit=str(Path(kit).resolve()), exclude=exclude), encoding="utf-8"
    )
    return written + [config]


def generate_preprocessors() -> list:
    """nbgrader's ``generate_assignment`` list, with ``TemplateStubs`` in place of ``ClearSolutions``."""
    from nbgrader.converters import GenerateAssignment

    return [
        TemplateStubs if p is ClearSolutions else p
        for p in GenerateAssignment.class_traits()["preprocessors"].default()
    ]


def autograde_preprocessors() -> list:
    """nbgrader's autograde list, with ``EngineGrades`` in place of ``Execute`` (no kernel)."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    return [
        EngineGrades if p is Execute else p
        for p in Autograde.class_traits()["autograde_preprocessors"].default()
    ]


class TemplateStubs(ClearSolutions):
    """Regions become the kit template's stubs, with the function's name, instead of nbgrader's."""

    def _replace_solution_region(self, cell, language):
        if not _has_region(cell):
            return False
        cell.source = template_source(cell, "cell")
        return True


class EngineGrades(NbGraderPreprocessor):
    """Grade the submission with the kit's engine; each test cell's output becomes its verdict."""

    def preprocess(self, nb, resources):
        assignment_id = resources["nbgrader"][
            "assignment"
        ]  # the course's name, never the student's metadata
        student = resources["nbgrader"]["student"]
        folder = Path(resources["metadata"]["path"])
        with tempfile.TemporaryDirectory(prefix="rnnkit-nbgrader-") as tmp:
            files = Path(tmp) / student
            shutil.copytree(
                folder,
                files,
                symlinks=True,
                ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"),
            )
            for link in [p for p in files.rglob("*") if p.is_symlink()]:
                link.unlink()  # a link could point anywhere on the grading machine
            nbformat.write(nb, files / f"{resources['nbgrader']['notebook']}.ipynb")
            start = time.perf_counter()
            result = grade_submission(files, assignment_id, student=student)
        self.log.info(
            "rnnkit: %s graded in %.1f s: %s (%g points)",
            student,
            time.perf_counter() - start,
            result.status,
            result.total,
        )
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            grade_id = meta.get("grade_id", "")
            question = grade_id[len(TEST_PREFIX) :] if grade_id.startswith(TEST_PREFIX) else None
            points = result.questions.get(question) if question else None
            # Fail closed: a graded cell the engine knows nothing about is worth nothing.
            text = (
                question_summary(result, question)
                if points is not None
                else f"{grade_id} : non noté par rnnkit"
            )
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=text + "\n"),
                nbformat.v4.new_output(
                    "execute_result",
                    data={"text/plain": f"{points or 0.0:g}"},
                    execution_count=None,
                ),
            ]
            cell.execution_count = None
        return nb, resources


class QuestionCsvExport(ExportPlugin):
    """``nbgrader export --exporter=autograder.pipelines.nbgrader.QuestionCsvExport``: one row per
    student and assignment, one column per graded cell (the question; empty until graded by hand)."""

    def export(self, gradebook) -> None:
        dest = self.to or "grades_by_question.csv"
        rows, columns = [], []
        for assignment in gradebook.assignments:
            if self.assignment and assignment.name not in self.assignment:
                continue
            for submission in assignment.submissions:
                if self.student and submission.student.id not in self.student:
                    continue
                row = {
                    "assignment": assignment.name,
                    "student_id": submission.student.id,
                    "score": submission.score,
                    "max_score": assignment.max_score,
                }
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        name = (
                            grade.name[len(TEST_PREFIX) :]
                            if grade.name.startswith(TEST_PREFIX)
                            else grade.name
                        )
                        if name not in columns:
                            columns.append(name)
                        row[name] = (
                            ""
                            if grade.score is None
                            or (grade.needs_manual_grade and grade.manual_score is None)
                            else f"{grade.score:g}"
                        )
                rows.append(row)
        with open(dest, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(
                handle, ["assignment", "student_id", *columns, "score", "max_score"], restval=""
            )
            writer.writeheader()
            writer.writerows(rows)
        self.log.info("rnnkit: %d rows written to %s", len(rows), dest)


# -- command line --------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.pipelines.nbgrader", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser(
        "build", help="write an nbgrader course: nbgrader_config.py and source/<id>/"
    )
    b.add_argument("--assignment", choices=("all",) + ASSIGNMENT_IDS, default="all")
    b.add_argument(
        "--course",
        type=Path,
        default=ROOT / "dist" / "nbgrader",
        help="course folder (default dist/nbgrader)",
    )
    args = parser.parse_args(argv)
    try:
        ids = ASSIGNMENT_IDS if args.assignment == "all" else (args.assignment,)
        for path in build(ids, args.course):
            print(path)
        return 0
    except (AssignmentError, MarkerError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
