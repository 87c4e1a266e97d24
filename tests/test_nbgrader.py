"""nbgrader pipeline: the real ``generate_assignment``, ``autograde`` and ``export`` give the engine's grades.

Runs only with the pipelines venv (``make test`` builds it: ``.venv-pipelines``).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pipelines_class as pc
import pytest

from autograder.assignments import ROOT, TEMPLATE, load_assignment
from autograder.build import without_handin
from autograder.pipelines.nbgrader import build

pytestmark = [
    pytest.mark.skipif(
        not pc.available(), reason="no .venv-pipelines: run `make test` (it builds it)"
    ),
    pytest.mark.pipelines,
]


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    start = time.perf_counter()
    done = subprocess.run(
        [str(pc.PIPELINES_BIN / "nbgrader"), *args],
        cwd=course,
        env=pc.pipeline_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(f"nbgrader {args[0]}: {time.perf_counter() - start:.1f} s")
    return done


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A temporary course: built, released, the demo class submitted, autograded once, exported."""
    course = tmp_path_factory.mktemp("nbgrader-course")
    build((pc.ASSIGNMENT,), course)
    released = nbgrader(course, "generate_assignment", pc.ASSIGNMENT)
    assert released.returncode == 0, released.stdout + released.stderr
    folder, _, _ = pc.demo_class()
    for notebook in sorted(folder.glob("*.ipynb")):
        target = course / "submitted" / notebook.stem / pc.ASSIGNMENT
        target.mkdir(parents=True)
        shutil.copyfile(notebook, target / f"{pc.ASSIGNMENT}.ipynb")
    graded = nbgrader(course, "autograde", pc.ASSIGNMENT)
    (course / "autograde.log").write_text(graded.stdout + graded.stderr)
    for args in (
        ("export",),
        ("export", "--exporter=autograder.pipelines.nbgrader.QuestionCsvExport"),
    ):
        exported = subprocess.run(
            [str(pc.PIPELINES_BIN / "nbgrader"), *args],
            cwd=course,
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(pc.pipeline_env(), PYTHONPATH=str(ROOT)),
        )
        assert exported.returncode == 0, exported.stdout + exported.stderr
    return course


def rows(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_release_is_the_template(course):
    ours = nbformat.read(TEMPLATE / pc.ASSIGNMENT / f"{pc.ASSIGNMENT}.ipynb", as_version=4)
    ours.cells = without_handin(
        load_assignment(pc.ASSIGNMENT), ours.cells
    )  # the hand-in is nbgrader's
    released = nbformat.read(
        course / "release" / pc.ASSIGNMENT / f"{pc.ASSIGNMENT}.ipynb", as_version=4
    )
    assert [(c.cell_type, c.source) for c in released.cells] == [
        (c.cell_type, c.source) for c in ours.cells
    ]
    tests = [
        c.metadata["nbgrader"]
        for c in released.cells
        if c.metadata.get("nbgrader", {}).get("locked")
    ]
    auto = {q.id: q.points for q in load_assignment(pc.ASSIGNMENT).questions if not q.manual}
    assert {t["grade_id"]: t["points"] for t in tests} == {f"test-{q}": p for q, p in auto.items()}


def test_autograde_runs_no_kernel_and_uses_the_engine(course):
    log = (course / "autograde.log").read_text()
    _, marker, engine = pc.demo_class()
    graded = [s for s in engine if f"rnnkit: {s} graded" in log]
    assert sorted(graded) == sorted(s for s in engine if s != "broken"), log[-3000:]
    assert "Executing notebook" not in log
    assert not marker.exists(), "student code ran outside the kit's sandbox"


def test_nbgrader_gives_the_engine_grades_question_by_question(course):
    _, _, engine = pc.demo_class()
    by_question = rows(course / "grades_by_question.csv")
    totals = rows(course / "grades.csv")
    for student, points in engine.items():
        expected = pc.auto_questions(points)
        row = by_question.get(student, {})
        got = {q: float(row[q]) if row.get(q) else 0.0 for q in expected}
        assert got == expected, f"{student}: nbgrader {got}, engine {expected}"
        # nbgrader's own CSV: written answers are 0 when untouched (nbgrader's rule), else wait for a TA
        total = float(totals[student]["raw_score"]) if student in totals else 0.0
        assert total == sum(expected.values()), (
            f"{student}: nbgrader total {total}, engine {expected}"
        )


def test_reference_full_marks_template_zero(course):
    by_question = rows(course / "grades_by_question.csv")
    auto = {q.id: q.points for q in load_assignment(pc.ASSIGNMENT).questions if not q.manual}
    assert {q: float(by_question["reference"][q]) for q in auto} == auto
    assert float(rows(course / "grades.csv")["template"]["raw_score"]) == 0.0


def test_input_transformer_cheater_gets_no_more_than_the_engine(course):
    _, _, engine = pc.demo_class()
    raw = float(rows(course / "grades.csv")["cheater"]["raw_score"])
    assert raw <= sum(pc.auto_questions(engine["cheater"]).values())
