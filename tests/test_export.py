"""Hand-graded points (``manual``) and the Moodle export, on a tiny graded folder."""

import csv
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from autograder.__main__ import main
from autograder.cli_grade import _with_manual_grades
from autograder.export import export_moodle
from autograder.graded import InputError, load_graded
from autograder.manual import SAVED, merge_manual_grades
from autograder.pipelines.gradescope import SCHEMA
from autograder.report import write_gradebook, write_submission
from autograder.results import (
    LoadResult,
    Message,
    Outcome,
    QuestionScore,
    Report,
    Status,
    Submission,
    TestResult,
)

QUESTIONS = (("Q1", 3.0, False), ("Q2", 2.0, True), ("Q3", 1.0, True))


def make_report(student: str, earned: float, status: Status = Status.GRADED) -> Report:
    tests = (
        TestResult(
            "test_q1",
            "Q1",
            earned,
            3.0,
            Outcome.PASSED if earned == 3 else Outcome.WRONG,
            "hidden",
            None if earned == 3 else Message.of("missing", name="f"),
        ),
    )
    questions = tuple(
        QuestionScore(q, f"{q} — titre", None if manual else earned, points, manual)
        for q, points, manual in QUESTIONS
    )
    problem = Message.of("no_code", detail="") if status is Status.UNLOADABLE else None
    return Report(
        "td3-elman",
        student,
        status,
        tests if problem is None else (),
        questions,
        LoadResult((), ()),
        Submission(student, None, None, ()),
        1.0,
        problem=problem,
    )


@pytest.fixture
def graded(tmp_path) -> Path:
    out = tmp_path / "graded"
    reports = [
        make_report("alice", 3.0),
        make_report("bob", 1.5),
        make_report("carol", 0.0, Status.UNLOADABLE),
        make_report("dave", 0.0, Status.GRADER_ERROR),
    ]
    for report in reports:
        write_submission(report, out)
    write_gradebook(reports, out)
    return out


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def gradebook(folder: Path) -> dict:
    return {
        row["student"]: row
        for row in csv.DictReader((folder / "gradebook.csv").open(encoding="utf-8"))
    }


# -- manual grades -----------------------------------------------------------------------------
def test_manual_points_reach_report_feedback_gradebook_and_are_kept(graded, tmp_path):
    before = load_graded(graded).by_student()
    ta = write(
        tmp_path / "ta.csv",
        'student,question,points,comment\nalice,Q2,1.5,"Bonne intuition, justifiez."\nbob,Q2,0,\n',
    )
    merge_manual_grades(graded, ta)
    after = load_graded(graded).by_student()
    assert {q.question: q.points for q in after["alice"].questions} == {
        "Q1": 3.0,
        "Q2": 1.5,
        "Q3": None,
    }
    assert (
        after["alice"].total == before["alice"].total + 1.5
        and after["bob"].total == before["bob"].total
    )
    rows = gradebook(graded)
    assert (rows["alice"]["Q2"], rows["alice"]["total"], rows["alice"]["max"]) == (
        "1.5",
        "4.5",
        "6",
    )
    # max is the assignment's total on every row, hand-graded questions entered or not
    assert rows["carol"]["Q2"] == "" and {row["max"] for row in rows.values()} == {"6"}
    feedback = (graded / "alice" / "feedback.md").read_text(encoding="utf-8")
    assert (
        "Questions notées à la main : 1.5 / 2" in feedback
        and "Bonne intuition, justifiez." in feedback
    )
    assert "Note finale" not in feedback  # Q3 still open
    assert "Bonne intuition, justifiez." in (graded / "alice" / "feedback.html").read_text(
        encoding="utf-8"
    )
    gradescope = json.loads((graded / "alice" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(gradescope, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert (
        gradescope["score"] == before["alice"].auto_total
    )  # Gradescope grades written answers itself
    # A second file adds Q3 and corrects Q2: both files' grades are kept, the later one wins.
    merge_manual_grades(
        graded, write(tmp_path / "ta2.csv", "student,question,points\nalice,Q3,1\nalice,Q2,2\n")
    )
    alice = load_graded(graded).by_student()["alice"]
    assert {q.question: q.points for q in alice.questions} == {"Q1": 3.0, "Q2": 2.0, "Q3": 1.0}
    assert alice.questions[1].comment == ""  # the correction came without a comment
    assert (
        f"Note finale : {alice.total:g} / {alice.max_total:g}"
        in (graded / "alice" / "feedback.md").read_text()
    )
    saved = list(csv.DictReader((graded / SAVED).open(encoding="utf-8")))
    assert {(r["student"], r["question"], r["points"]) for r in saved} == {
        ("alice", "Q2", "2"),
        ("alice", "Q3", "1"),
        ("bob", "Q2", "0"),
    }


def test_a_regrade_gets_the_saved_manual_points_back(graded, tmp_path):
    merge_manual_grades(graded, write(tmp_path / "ta.csv", "student,question,points\nbob,Q3,0.5\n"))
    fresh = make_report("bob", 2.0)  # regraded: the new report knows nothing of the TA's points
    write_submission(fresh, graded)
    reports = _with_manual_grades(graded, [fresh], "fr")
    bob = next(r for r in reports if r.student == "bob")
    assert bob.questions[0].points == 2.0 and bob.questions[2].points == 0.5
    assert gradebook(graded)["bob"]["Q3"] == "0.5"


def test_spreadsheet_csv_with_semicolons_bom_and_decimal_commas(graded, tmp_path):
    ta = write(
        tmp_path / "ta.csv",
        "Student;Question;Points;Comment\nbob;Q2;1,5;Très clair\n",
        encoding="utf-8-sig",
    )
    merge_manual_grades(graded, ta)
    assert gradebook(graded)["bob"]["Q2"] == "1.5"


def test_every_bad_line_is_reported_with_file_line_and_reason_and_nothing_is_written(
    graded, tmp_path
):
    ta = write(
        tmp_path / "ta.csv",
        "\n".join(
            [
                "student,question,points,comment",
                "alice,Q2,2,ok",  # 2: fine
                "zoe,Q2,1,",  # 3: unknown student
                "alice,Q9,1,",  # 4: unknown question
                "alice,Q1,3,",  # 5: automatic question
                "bob,Q2,beaucoup,",  # 6: not a number
                "bob,Q3,1.5,",  # 7: over the question's points
                "bob,Q2,-1,",  # 8: negative
                "alice,Q2,1,",  # 9: duplicate of line 2
                "bob,Q3,1,a,b",  # 10: too many fields
                "bob,Q3,nan,",  # 11: not a finite number
            ]
        )
        + "\n",
    )
    before = snapshot(graded)
    with pytest.raises(InputError) as caught:
        merge_manual_grades(graded, ta)
    problems = caught.value.problems
    expected = {
        3: "unknown student 'zoe'",
        4: "unknown question 'Q9'",
        5: "Q1 is graded automatically",
        6: "points 'beaucoup' is not a number",
        7: "outside 0..1",
        8: "outside 0..2",
        9: "already given on line 2",
        10: "5 fields for 4 columns",
        11: "points 'nan' is not a number",
    }
    assert len(problems) == len(expected)
    for problem, (line, reason) in zip(problems, sorted(expected.items())):
        assert problem.startswith(f"{ta}:{line}: ") and reason in problem, problem
    assert snapshot(graded) == before


@pytest.mark.parametrize(
    "text, where, reason",
    [
        ("student,question,score\nalice,Q2,1\n", 1, "missing: points"),
        ("\nstudent,question,points,note\n", 2, "unknown: note"),
        ("", 1, "empty file"),
    ],
)
def test_a_bad_header_is_refused(graded, tmp_path, text, where, reason):
    with pytest.raises(InputError, match=reason) as caught:
        merge_manual_grades(graded, write(tmp_path / "ta.csv", text))
    assert caught.value.problems[0].startswith(f"{tmp_path / 'ta.csv'}:{where}: ")


def test_the_manual_command_prints_each_problem_and_exits_2(graded, tmp_path, capsys):
    ta = write(tmp_path / "ta.csv", "student,question,points\nalice,Q2,3\nzoe,Q2,1\n")
    assert main(["manual", str(ta), "--graded", str(graded)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"error: {ta}:2: ") and err[1].startswith(f"error: {ta}:3: ")
    assert err[-1] == "nothing was written"
    assert (
        main(
            [
                "manual",
                str(write(tmp_path / "ok.csv", "student,question,points\nalice,Q2,2\n")),
                "--graded",
                str(graded),
            ]
        )
        == 0
    )
    assert gradebook(graded)["alice"]["Q2"] == "2"


def test_a_folder_of_several_assignments_or_nothing_graded_is_explained(tmp_path):
    (tmp_path / "graded" / "td3-elman").mkdir(parents=True)
    (tmp_path / "graded" / "td3-elman" / "gradebook.csv").write_text("student\n")
    with pytest.raises(InputError, match="pass one of: .*td3-elman"):
        load_graded(tmp_path / "graded")


# -- Moodle export -------------------------------------------------------------------------------
def read_export(path: Path, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8", newline=""), delimiter=delimiter))


def assert_moodle_can_import(rows: list[list[str]]) -> None:
    """What Moodle's CSV import needs: a header of distinct names, one identifier per row, numbers
    with a decimal point (or empty: no grade)."""
    header, body = rows[0], rows[1:]
    assert len(set(header)) == len(header) and all(header)
    ids = [row[0] for row in body]
    assert all(ids) and len(set(ids)) == len(ids)
    for row in body:
        assert len(row) == len(header)
        for name, cell in zip(header[1:], row[1:]):
            if not name.endswith(" feedback") and cell:
                float(cell)
                assert "," not in cell


def test_moodle_export_has_one_column_per_question_and_the_total(graded, tmp_path, capsys):
    merge_manual_grades(
        graded,
        write(
            tmp_path / "ta.csv",
            "student,question,points,comment\nalice,Q2,2,Très bien\nalice,Q3,0.5,\n",
        ),
    )
    assert main(["export", "moodle", "--graded", str(graded)]) == 0
    rows = read_export(graded / "moodle.csv")
    assert_moodle_can_import(rows)
    assert rows[0] == ["username", "Q1", "Q2", "Q3", "Q2 feedback", "Total td3-elman"]
    reports = load_graded(graded).by_student()
    exported = {row[0]: row for row in rows[1:]}
    assert set(exported) == {"alice", "bob", "carol"}  # dave's grading failed on our side: left out
    for student, row in exported.items():
        report = reports[student]
        points = ["" if q.points is None else f"{q.points:g}" for q in report.questions]
        assert row[1:4] == points and float(row[-1]) == report.total
    assert exported["alice"][4] == "Très bien"
    err = capsys.readouterr().err
    assert (
        "dave: left out" in err
        and "2 student(s) without all hand-graded points (bob, carol)" in err
    )


def test_a_roster_maps_students_to_moodle_identifiers(graded, tmp_path):
    roster = write(
        tmp_path / "roster.csv",
        "student,email,name\nalice,alice@univ.fr,Alice\nbob,bob@univ.fr,Bob\n"
        "carol,carol@univ.fr,Carol\ndave,dave@univ.fr,Dave\neve,eve@univ.fr,Eve\n",
    )
    path, table = export_moodle(
        graded, tmp_path / "moodle.csv", roster, total_only=True, delimiter=";"
    )
    rows = read_export(path, ";")
    assert_moodle_can_import(rows)
    assert rows[0] == ["email", "Total td3-elman"]
    reports = load_graded(graded).by_student()
    assert {r[0]: float(r[1]) for r in rows[1:]} == {
        f"{s}@univ.fr": reports[s].total for s in ("alice", "bob", "carol")
    }
    assert any("eve" in w for w in table.warnings)  # on the roster, no submission


@pytest.mark.parametrize(
    "roster, reason",
    [
        (
            "student,email\nalice,a@u.fr\nbob,b@u.fr\ncarol,c@u.fr\n",
            "no row for graded student 'dave'",
        ),
        (
            "student,email\nalice,a@u.fr\nbob,a@u.fr\n",
            ":3: email 'a@u.fr' already given to 'alice'",
        ),
        (
            "student,email\nalice,a@u.fr\nalice,b@u.fr\n",
            ":3: student 'alice' already listed on line 2",
        ),
        ("student,email\nalice,\n", ":2: empty email for 'alice'"),
        ("name,email\nalice,a@u.fr\n", ":1: no 'student' column"),
    ],
)
def test_a_bad_roster_is_refused_and_nothing_is_written(graded, tmp_path, roster, reason):
    with pytest.raises(InputError, match=reason):
        export_moodle(graded, tmp_path / "moodle.csv", write(tmp_path / "roster.csv", roster))
    assert not (tmp_path / "moodle.csv").exists()


def test_held_rows_are_left_out_and_moodle_participants_get_the_worksheet_format(tmp_path):
    from autograder.report import set_hold
    from autograder.report_json import Record

    out = tmp_path / "graded"
    people = {"12345": "Élodie Dupont-Martin", "67890": "Jean Le Gall", "555": "Zoé Ng"}
    reports = [make_report(student, 3.0) for student in people]
    for report in reports:
        write_submission(
            report,
            out,
            record=Record(moodle_id=report.student, display_name=people[report.student]),
        )
    assert set_hold(out, "555", "removed: Zoé Ng_555_assignsubmission_file_ is no longer in dl")
    write_gradebook(reports, out)
    assert (
        gradebook(out)["555"]["problem"].startswith("removed: ")
        and gradebook(out)["12345"]["name"] == people["12345"]
    )
    path, table = export_moodle(out)
    rows = read_export(path)
    assert rows[0] == ["Identifier", "Full name", "Q1", "Q2", "Q3", "Grade"]
    assert rows[1:] == [
        ["Participant 12345", "Élodie Dupont-Martin", "3", "", "", "3"],
        ["Participant 67890", "Jean Le Gall", "3", "", "", "3"],
    ]
    assert any(w.startswith("555: left out, removed: ") for w in table.warnings)
    # A roster still wins: its identifier column, the participant ids as the students.
    roster = write(
        tmp_path / "roster.csv", "student,email\n12345,e@u.fr\n67890,j@u.fr\n555,z@u.fr\n"
    )
    _, table = export_moodle(out, tmp_path / "m.csv", roster)
    assert table.header[0] == "email" and [r[0] for r in table.rows] == ["e@u.fr", "j@u.fr"]


def test_the_console_summary_gives_an_unloadable_hand_in_the_assignments_maximum():
    """A hand-in that could not be read has no question; its row reads 0/<assignment>, not 0/0."""
    import io

    from rich.console import Console

    from autograder.summary import summary_table

    unloadable = replace(make_report("carol", 0.0, Status.UNLOADABLE), questions=())
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(summary_table([unloadable, make_report("alice", 3.0)], auto_max=3.0))
    rows = {
        line.split("│")[1].strip(): line
        for line in console.export_text().splitlines()
        if "│" in line
    }
    assert "0/3 " in rows["carol"] and "3/3 " in rows["alice"]
