"""What the otter and nbgrader pipelines share: the grading tests' list, and one engine run per submission.

Both platforms only *report* what the kit's engine decided: ``grade_submission`` grades a folder
with ``autograder.grade.grade`` (student code in the sandboxed worker, comparisons in this
process) and returns plain data — per-test outcome and French message, per-question points and
the feedback — that a platform can show or embed as JSON. Nothing is pickled, nothing of the
student's is imported here.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from ..assignments import load_assignment
from ..feedback import OUTCOME_LABEL, feedback_markdown, incomplete_messages, stub_questions
from ..grade import Options, grade
from ..intake import entry_fingerprint
from ..markers import strip_solutions
from ..messages import render
from ..results import Outcome, Report
from ..run import ASSIGNMENTS, PYTEST_INI, tests_folder

LANGUAGE = "fr"  # student-facing text of the course


@dataclass(frozen=True)
class TestSpec:
    """One grading test as declared by its ``@grade`` marker (known without grading anything)."""

    __test__ = False  # not a pytest class

    name: str  # pytest item name, e.g. "test_forward_shape" or "test_masked_loss[0.5]"
    question: str
    points: float
    visibility: str  # "public" | "hidden"

    @property
    def identifier(self) -> str:
        """The name as a Python identifier (parametrised tests carry brackets)."""
        return re.sub(r"\W", "_", self.name).strip("_") or "test"


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False

    name: str
    question: str
    points: float
    max_points: float
    passed: bool
    outcome: str  # an ``Outcome`` value
    message: str  # French, safe to show the student (hidden tests without expected values)


@dataclass(frozen=True)
class EngineResult:
    """The engine's verdict on one submission, as plain data."""

    assignment: str
    student: str
    status: str
    questions: dict[str, float | None]  # question id -> points (None: graded by hand)
    max_points: dict[str, float]
    tests: dict[str, TestOutcome]
    feedback: str  # the student's feedback.md
    problem: str  # why nothing could be graded ("" when graded)
    # Status incomplete: graded modules missing or unchanged (French message) and the questions their stubs stopped.
    incomplete: str = ""
    incomplete_questions: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        return sum(p or 0.0 for p in self.questions.values())

    def as_json(self) -> dict:
        return asdict(self)


def collect_tests(assignment_id: str, tests_root: Path = ASSIGNMENTS) -> tuple[TestSpec, ...]:
    """The grading tests of an assignment, in collection order (pytest ``--collect-only``)."""
    import pytest

    class Collector:
        def __init__(self):
            self.specs: list[TestSpec] = []
            self.errors: list[str] = []

        def pytest_collection_modifyitems(self, items):
            for item in items:
                marker = item.get_closest_marker("grade")
                if marker is None:
                    self.errors.append(f"{item.nodeid}: grading test without @grade(...)")
                    continue
                spec = marker.kwargs
                self.specs.append(
                    TestSpec(item.name, spec["question"], float(spec["points"]), spec["visibility"])
                )

    folder = tests_folder(assignment_id, tests_root)
    collector = Collector()
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        # rootdir above the assignments' folders, as the engine does: modules are named
        # "<id>.tests.test_x", so collecting two assignments in one process never mixes them.
        code = pytest.main(
            [
                str(folder),
                "-c",
                str(PYTEST_INI),
                f"--rootdir={tests_root}",
                "-p",
                "no:cacheprovider",
                "-q",
                "--collect-only",
                "--import-mode=importlib",
            ],
            plugins=[collector],
        )
    if code != pytest.ExitCode.OK or collector.errors:
        raise RuntimeError(
            f"cannot list the grading tests of {assignment_id} ({folder}):\n"
            + ("\n".join(collector.errors) or quiet.getvalue()[-3000:])
        )
    return tuple(collector.specs)


_CACHE: dict[tuple[str, str], EngineResult] = {}


def grade_submission(path: Path, assignment_id: str, student: str | None = None) -> EngineResult:
    """Grade ``path`` (notebook, .py, folder or zip) with the engine; one run per distinct content."""
    key = (assignment_id, entry_fingerprint(Path(path)))
    if key not in _CACHE:
        report = grade(
            Path(path), load_assignment(assignment_id), Options(language=LANGUAGE), student=student
        )
        _CACHE[key] = from_report(report)
    return _CACHE[key]


def from_report(report: Report) -> EngineResult:
    tests = {}
    for t in report.tests:
        text = render(t.message, LANGUAGE, hidden=t.visibility == "hidden") if t.message else ""
        label = OUTCOME_LABEL[LANGUAGE][t.outcome.value]
        tests[t.test] = TestOutcome(
            t.test,
            t.question,
            t.points,
            t.max_points,
            t.outcome is Outcome.PASSED,
            t.outcome.value,
            f"{t.test} : {label}" + (f" — {text}" if text else ""),
        )
    return EngineResult(
        assignment=report.assignment,
        student=report.student,
        status=report.status.value,
        questions={q.question: q.points for q in report.questions},
        max_points={q.question: q.max_points for q in report.questions},
        tests=tests,
        feedback=feedback_markdown(report, LANGUAGE),
        problem=render(report.problem, LANGUAGE) if report.problem else "",
        incomplete=" ".join(render(m, LANGUAGE) for m in incomplete_messages(report))
        if not report.problem
        else "",
        incomplete_questions=tuple(stub_questions(report, report.submission.incomplete)),
    )


def question_summary(result: EngineResult, question: str) -> str:
    """A few French lines for one question: its points, then each of its tests."""
    points = result.questions.get(question)
    lines = [
        f"{question} : {points or 0:g} / {result.max_points.get(question, 0):g} point(s) (correcteur rnnkit)"
    ]
    if result.problem:
        lines.append(f"Rendu non corrigeable : {result.problem}")
    if result.incomplete and question in result.incomplete_questions:
        lines.append(f"Rendu incomplet : {result.incomplete}")
    lines += [f"- {t.message}" for t in result.tests.values() if t.question == question]
    return "\n".join(lines)


def region_names(source: str, question: str | None, path: str) -> list[str]:
    """Names of a code cell's solution regions (``Class.method`` or the question), as the template's stubs say."""
    header = "# %%" + (f' question="{question}"' if question else "") + "\n"
    return [r.name for r in strip_solutions(header + source + "\n", path, notebook=True)[1]]


def template_source(cell, path: str) -> str:
    """A notebook cell's source as ``make student`` writes it: ``strip_solutions`` on the cell alone,
    in the percent format it was written in (Markdown lines carry ``# ``)."""
    markdown = cell.cell_type == "markdown"
    question = cell.metadata.get("question")
    header = (
        "# %%"
        + (" [markdown]" if markdown else "")
        + (f' question="{question}"' if question else "")
        + "\n"
    )
    lines = cell.source.split("\n")
    body = "".join(("# " if markdown else "") + line + "\n" for line in lines)
    stripped = strip_solutions(header + body, path, notebook=True)[0][len(header) :]
    return "\n".join(line[2:] if markdown else line for line in stripped.split("\n")[:-1])


def copy_item(source: Path, target: Path) -> None:
    """Copy a file or a folder (without caches or links), e.g. a handout next to a notebook."""
    if source.is_dir():
        shutil.copytree(
            source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), symlinks=False
        )
    else:
        shutil.copyfile(source, target)
