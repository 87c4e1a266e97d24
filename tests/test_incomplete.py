"""Hand-ins whose graded modules are missing or untouched (status ``incomplete``), and hand-ins with
several notebooks (which one is graded, when a TA must check, forcing one).

tp4-lstm grades ``pad_collate_fn`` (Q1) in ``textloader.py``: graded on Q1 only, each grade is quick.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from autograder.assignments import TEMPLATE, load_assignment
from autograder.feedback import feedback_markdown
from autograder.grade import Options, grade
from autograder.intake import intake, same_code
from autograder.report import write_gradebook, write_submission
from autograder.report_json import report_from_dict, report_to_dict
from autograder.results import (
    LoadResult,
    LoadStep,
    Message,
    Outcome,
    Status,
    Submission,
    TestResult,
)
from autograder.score import score
from autograder.summary import staff_note, summary_table

ASSIGNMENT = "tp4-lstm"
MODULES = ("generate.py", "textloader.py")
Q1 = Options(questions=("Q1",))


@pytest.fixture(scope="module")
def tp4():
    return load_assignment(ASSIGNMENT)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The reference as a student hands it in: the notebook and the completed modules."""
    from autograder.build import build_reference

    built = tmp_path_factory.mktemp("built")
    build_reference(load_assignment(ASSIGNMENT), built)
    folder = tmp_path_factory.mktemp("reference") / "reference"
    folder.mkdir()
    for name in (f"{ASSIGNMENT}.ipynb", *MODULES):
        shutil.copy(built / name, folder / name)
    return folder


def _hand_in(
    tmp_path: Path, reference: Path, *, modules: str, notebook: str = f"{ASSIGNMENT}.ipynb"
) -> Path:
    """The reference's notebook (named ``notebook``) with the modules ``reference``, ``template`` or ``none``."""
    folder = tmp_path / "alice"
    folder.mkdir()
    shutil.copy(reference / f"{ASSIGNMENT}.ipynb", folder / notebook)
    for name in MODULES if modules != "none" else ():
        shutil.copy(
            (reference if modules == "reference" else TEMPLATE / ASSIGNMENT) / name, folder / name
        )
    return folder


def _intake(path: Path, tmp_path: Path, **kwargs) -> Submission:
    return intake(
        path, tmp_path / "work", assignment_id=ASSIGNMENT, handouts=TEMPLATE / ASSIGNMENT, **kwargs
    )


def _gradebook_row(report, tmp_path: Path) -> dict:
    rows = list(
        csv.DictReader(io.StringIO(write_gradebook([report], tmp_path).read_text(encoding="utf-8")))
    )
    return rows[0]


def _summary(reports) -> str:
    from rich.console import Console

    console = Console(width=400, record=True, file=io.StringIO())
    console.print(summary_table(reports))
    return console.export_text()


def _work_notebook(path: Path, code: str) -> Path:
    """The handed-out notebook with one more code cell: work, as far as intake can tell."""
    data = json.loads((TEMPLATE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))
    data["cells"].append(
        {
            "cell_type": "code",
            "source": code,
            "metadata": {},
            "outputs": [],
            "execution_count": None,
        }
    )
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --- the status incomplete, end to end -------------------------------------------------------------------


def test_a_correct_notebook_with_untouched_modules_is_incomplete_and_says_so_everywhere(
    tmp_path, tp4, reference
):
    report = grade(_hand_in(tmp_path, reference, modules="template"), tp4, Q1)
    assert report.status is Status.INCOMPLETE
    assert (
        report.submission.unchanged_modules == MODULES and report.submission.missing_modules == ()
    )
    assert {q.question: q.points for q in report.questions}[
        "Q1"
    ] == 0  # still graded: the stubs give nothing

    row = _gradebook_row(report, tmp_path)
    assert row["status"] == "incomplete"
    assert "generate.py, textloader.py handed in unchanged" in row["problem"]

    summary = _summary([report])
    assert "incomplete" in summary and "generate.py, textloader.py" in summary
    from autograder.cli_grade import attention_lines

    assert any(
        line.startswith("incomplete: 1 submission(s)") and "alice" in line
        for line in attention_lines([report])
    )

    folder = write_submission(report, tmp_path / "out")
    feedback = (folder / "feedback.md").read_text(encoding="utf-8")
    assert "**Rendu incomplet**" in feedback
    assert "generate.py, textloader.py sans aucune modification" in feedback
    assert "qui en dépendent (Q1)" in feedback  # the question its stub stopped
    assert "Rendu incomplet" in (folder / "feedback.html").read_text(encoding="utf-8")
    english = feedback_markdown(report, "en")
    assert "**Incomplete submission**" in english and "exactly as handed out" in english
    assert json.loads((folder / "report.json").read_text())["submission"][
        "unchanged_modules"
    ] == list(MODULES)


def test_a_notebook_handed_in_alone_is_incomplete_with_its_modules_missing(
    tmp_path, tp4, reference
):
    report = grade(reference / f"{ASSIGNMENT}.ipynb", tp4, Q1, student="bob")
    assert report.status is Status.INCOMPLETE
    assert (
        report.submission.missing_modules == MODULES and report.submission.unchanged_modules == ()
    )
    assert "Votre rendu ne contient pas generate.py, textloader.py" in feedback_markdown(report)
    assert "not handed in" in staff_note(report)


def test_the_reference_is_graded(tmp_path, tp4, reference):
    report = grade(reference, tp4, Q1)
    assert report.status is Status.GRADED and report.submission.incomplete == ()
    assert {q.question: q.points for q in report.questions}["Q1"] == 2
    assert "Rendu incomplet" not in feedback_markdown(report)


def test_the_untouched_template_is_not_incomplete(tmp_path, tp4):
    folder = tmp_path / "template"
    shutil.copytree(TEMPLATE / ASSIGNMENT, folder, ignore=shutil.ignore_patterns("rnnkit"))
    assert _intake(folder, tmp_path).incomplete == ()
    assert (
        _intake(TEMPLATE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", tmp_path / "alone").incomplete == ()
    )
    report = grade(folder, tp4, Q1)
    assert report.status is Status.GRADED and report.total == 0


# --- what counts as untouched ----------------------------------------------------------------------------


def test_a_stub_reformatted_or_commented_is_still_the_stub_and_an_edit_is_not(tmp_path, reference):
    stub = (TEMPLATE / ASSIGNMENT / "textloader.py").read_text(encoding="utf-8")
    assert same_code(
        "# my copy\n" + stub.replace("\ndef ", "\n\n\ndef ").replace("Character codes", "Codes"),
        stub,
    )
    assert not same_code(
        stub.replace('raise NotImplementedError("pad_collate_fn")', "return None"), stub
    )

    folder = _hand_in(tmp_path, reference, modules="template")
    (folder / "textloader.py").write_text("# relu\n" + stub, encoding="utf-8")
    generate = (TEMPLATE / ASSIGNMENT / "generate.py").read_text(encoding="utf-8")
    (folder / "generate.py").write_text(
        generate.replace('raise NotImplementedError("generate")', "return ''")
    )
    sub = _intake(folder, tmp_path)
    assert sub.unchanged_modules == ("textloader.py",) and sub.missing_modules == ()


def test_stubs_written_in_the_notebook_instead_do_not_make_it_incomplete(tmp_path):
    folder = tmp_path / "carol"
    folder.mkdir()
    _work_notebook(
        folder / f"{ASSIGNMENT}.ipynb", "def pad_collate_fn(samples):\n    return samples"
    )
    sub = _intake(folder, tmp_path)
    assert sub.missing_modules == (
        "generate.py",
    )  # textloader's one stub is in the notebook; generate's are not
    (folder / "mine.py").write_text(
        "".join(
            f"def {name}(*args):\n    return ''\n"
            for name in (
                "generate",
                "beam_search",
                "generate_beam",
                "p_nucleus",
                "generate_beam_nucleus",
            )
        )
    )
    assert (
        _intake(folder, tmp_path / "own").incomplete == ()
    )  # in a module of the student's own: found there


# --- status precedence -----------------------------------------------------------------------------------


def _scored(tmp_path, tp4, *, tests=(), steps=(), notes=(), problem=None, ours=False):
    sub = Submission(
        "dan",
        tmp_path,
        f"{ASSIGNMENT}.ipynb",
        (),
        notes,
        None,
        unchanged_modules=("textloader.py",),
    )
    return score(
        ASSIGNMENT, tp4.questions, sub, LoadResult(steps, (), problem, ours), tests, seconds=0.0
    )


def test_incomplete_comes_after_review_and_errors_and_before_partial(tmp_path, tp4):
    step = LoadStep("cell 3", "x = 1/0", "raised", "ZeroDivisionError")
    assert _scored(tmp_path, tp4).status is Status.INCOMPLETE
    assert (
        _scored(tmp_path, tp4, steps=(step,)).status is Status.INCOMPLETE
    )  # load problems: shown, but less
    doubt = Message.of("several_notebooks_with_work", chosen="a.ipynb", ignored="b.ipynb")
    assert _scored(tmp_path, tp4, notes=(doubt,)).status is Status.NEEDS_REVIEW
    held = TestResult("t", "Q2", 0.0, 1.0, Outcome.NEEDS_REVIEW, "hidden", None)
    assert _scored(tmp_path, tp4, tests=(held,)).status is Status.NEEDS_REVIEW
    broken = TestResult("t", "Q2", 0.0, 1.0, Outcome.GRADER_ERROR, "hidden", None)
    assert _scored(tmp_path, tp4, tests=(broken,)).status is Status.GRADER_ERROR
    assert (
        _scored(tmp_path, tp4, problem=Message.of("worker_start", detail="x")).status
        is Status.UNLOADABLE
    )
    assert (
        _scored(tmp_path, tp4, problem=Message.of("worker_fault"), ours=True).status
        is Status.GRADER_ERROR
    )
    # A submission in review still names its missing modules to the TA and the student.
    report = _scored(tmp_path, tp4, notes=(doubt,))
    assert "textloader.py handed in unchanged" in staff_note(
        report
    ) and "Rendu incomplet" in feedback_markdown(report)


def test_a_ta_settling_the_review_leaves_the_hand_in_incomplete(tmp_path, tp4):
    from autograder.manual import ManualGrade, apply_manual_grades

    held = TestResult("t", "Q2", 0.0, 1.0, Outcome.NEEDS_REVIEW, "hidden", None)
    report = _scored(tmp_path, tp4, tests=(held,))
    settled = apply_manual_grades(report, (ManualGrade("dan", "Q2", 1.0, ""),))
    assert report.status is Status.NEEDS_REVIEW and settled.status is Status.INCOMPLETE
    doubt = Message.of("several_notebooks_with_work", chosen="a.ipynb", ignored="b.ipynb")
    two = _scored(tmp_path, tp4, notes=(doubt,))
    written = next(q.id for q in tp4.questions if q.manual)
    assert (
        apply_manual_grades(two, (ManualGrade("dan", written, 1.0, ""),)).status
        is Status.NEEDS_REVIEW
    )


def test_the_modules_left_as_handed_out_survive_the_report_json(tmp_path, tp4):
    report = _scored(tmp_path, tp4)
    again = report_from_dict(json.loads(json.dumps(report_to_dict(report))))
    assert again.status is Status.INCOMPLETE and again.submission.unchanged_modules == (
        "textloader.py",
    )


def test_the_moodle_export_warns_about_incomplete_hand_ins(tmp_path, tp4):
    from autograder.export import moodle_table
    from autograder.graded import Graded

    report = _scored(tmp_path, tp4)
    table = moodle_table(Graded(tmp_path, ASSIGNMENT, (report,)))
    assert any("status incomplete" in w and "dan" in w for w in table.warnings)
    assert len(table.rows) == 1  # exported all the same: the points are final


# --- several notebooks -----------------------------------------------------------------------------------


def test_a_renamed_notebook_with_work_is_graded_beside_an_untouched_original(
    tmp_path, tp4, reference
):
    folder = _hand_in(tmp_path, reference, modules="reference", notebook="TP4_Dupont.ipynb")
    shutil.copy(TEMPLATE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder / f"{ASSIGNMENT}.ipynb")
    report = grade(folder, tp4, Q1)
    assert report.submission.notebook == "TP4_Dupont.ipynb"
    assert (
        report.status is Status.GRADED
        and {q.question: q.points for q in report.questions}["Q1"] == 2
    )
    assert "seul TP4_Dupont.ipynb a été corrigé" in feedback_markdown(report)
    assert (
        "graded TP4_Dupont.ipynb, ignored tp4-lstm.ipynb"
        in _gradebook_row(report, tmp_path)["problem"]
    )
    assert "graded TP4_Dupont.ipynb" in _summary([report])


def test_two_notebooks_with_different_work_are_held_for_review(tmp_path, tp4, reference):
    folder = _hand_in(tmp_path, reference, modules="reference", notebook="TP4_Dupont.ipynb")
    _work_notebook(folder / "brouillon.ipynb", "x = 1")
    report = grade(folder, tp4, Q1)
    assert report.status is Status.NEEDS_REVIEW and report.submission.notebook == "TP4_Dupont.ipynb"
    row = _gradebook_row(report, tmp_path)
    assert (
        row["status"] == "needs_review"
        and "several notebooks hold different work; graded TP4_Dupont" in row["problem"]
    )
    assert "needs_review" in _summary([report])
    assert "Un enseignant vérifiera" in feedback_markdown(report)


def test_the_notebook_asked_for_is_graded_whatever_else_the_folder_holds(tmp_path, tp4, reference):
    folder = _hand_in(tmp_path, reference, modules="reference", notebook="TP4_Dupont.ipynb")
    # The assignment's own name would win the automatic choice: a wrong pad_collate_fn in it.
    _work_notebook(
        folder / f"{ASSIGNMENT}.ipynb",
        "from textloader import *\ndef pad_collate_fn(samples):\n    return 0",
    )
    assert _intake(folder, tmp_path / "auto").notebook == f"{ASSIGNMENT}.ipynb"
    report = grade(folder, tp4, Q1, notebook="TP4_Dupont.ipynb")
    assert report.submission.notebook == "TP4_Dupont.ipynb" and report.status is Status.GRADED
    assert {q.question: q.points for q in report.questions}["Q1"] == 2
    assert [n.key for n in report.submission.notes] == ["notebook_forced"]
    assert "TP4_Dupont.ipynb a été corrigé, comme demandé" in feedback_markdown(report)
    wrong = grade(folder, tp4, Q1, notebook=f"{ASSIGNMENT}.ipynb")
    assert {q.question: q.points for q in wrong.questions}["Q1"] < 2


def test_a_notebook_asked_for_that_is_not_there_is_named(tmp_path, reference):
    folder = _hand_in(tmp_path, reference, modules="reference", notebook="TP4_Dupont.ipynb")
    sub = _intake(folder, tmp_path, notebook="TP4_Durand.ipynb")
    assert sub.problem == Message.of(
        "notebook_not_found", name="TP4_Durand.ipynb", found="TP4_Dupont.ipynb"
    )
    sub = _intake(folder / "textloader.py", tmp_path / "py", notebook="TP4_Durand.ipynb")
    assert sub.problem.key == "notebook_not_found_none"
    nested = tmp_path / "nested"
    (nested / "rendu").mkdir(parents=True)
    shutil.copy(folder / "TP4_Dupont.ipynb", nested / "rendu" / "TP4_Dupont.ipynb")
    assert (
        _intake(nested, tmp_path / "n", notebook="TP4_Dupont.ipynb").notebook
        == "rendu/TP4_Dupont.ipynb"
    )
