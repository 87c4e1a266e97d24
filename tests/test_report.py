"""Report: the files written for students and staff, and the class gradebook."""

import csv
import json

from autograder.feedback import gradescope_results
from autograder.report import write_gradebook, write_submission
from autograder.results import (
    LoadResult,
    LoadStep,
    Message,
    Outcome,
    QuestionScore,
    Report,
    Status,
    Submission,
    TestResult,
)


def make_report(student="alice", status=Status.PARTIAL):
    tests = (
        TestResult("test_shape", "Q1", 1.0, 1.0, Outcome.PASSED, "public", None),
        TestResult(
            "test_values",
            "Q1",
            0.0,
            2.0,
            Outcome.WRONG,
            "hidden",
            Message.of(
                "values",
                function="RNN.forward",
                what="sortie",
                worst="0.5",
                index=(1, 2),
                atol="1e-06",
                rtol="1e-05",
                expected="0.25",
                got="0.75",
                legend="(L, B, H)",
            ),
            trace="Traceback (most recent call last): secret grader line",
        ),
    )
    questions = (
        QuestionScore("Q1", "Q1 — RNN (3 points)", 1.0, 3.0, False),
        QuestionScore("Q2", "Q2 — réponse (2 points)", None, 2.0, True),
    )
    load = LoadResult(
        (LoadStep("cell 4", "train(model)", "raised", "FileNotFoundError: hzdataset.pch"),),
        ("RNN",),
    )
    return Report(
        "tp3-rnn",
        student,
        status,
        tests,
        questions,
        load,
        Submission(student, None, "tp3-rnn.ipynb", ()),
        2.5,
        printed="epoch 1",
    )


def test_student_feedback_has_no_trace_and_hides_hidden_expected_values(tmp_path):
    folder = write_submission(make_report(), tmp_path)
    feedback = (folder / "feedback.md").read_text()
    assert "1 / 3" in feedback and "à noter à la main" in feedback
    assert "cell 4" in feedback and "train(model)" in feedback
    assert "0.5" in feedback and "0.25" not in feedback and "secret grader line" not in feedback
    html = (folder / "feedback.html").read_text()
    assert html.startswith("<!doctype html>") and "<table>" in html
    staff = json.loads((folder / "report.json").read_text())
    assert "secret grader line" in staff["tests"][1]["trace"] and staff["printed"] == "epoch 1"


def test_gradescope_results_follow_its_format():
    results = gradescope_results(make_report())
    assert results["score"] == 1.0 and results["execution_time"] == 2.5
    first, second = results["tests"]
    assert (first["visibility"], first["status"], first["max_score"]) == ("visible", "passed", 1.0)
    assert (second["visibility"], second["status"], second["score"]) == (
        "after_published",
        "failed",
        0.0,
    )
    assert second["output_format"] == "md" and "0.25" not in second["output"]


def test_gradebook_has_one_row_per_student_and_one_column_per_question(tmp_path):
    path = write_gradebook([make_report("bob"), make_report("alice", Status.GRADED)], tmp_path)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["student", "status", "total", "max", "Q1", "Q2", "problem"]
    assert rows[1] == [
        "alice",
        "graded",
        "1",
        "5",
        "1",
        "",
        "",
    ]  # max: the assignment's total, Q2 (by hand) included
    assert rows[2][:2] == ["bob", "partial"]


def test_check_output_lists_the_tests_run_not_a_grade():
    from autograder.feedback import check_markdown

    text = check_markdown(make_report(), "en")
    assert text.startswith("Public tests: 1/2 passed (1/3 points).")
    assert "test_values" in text and "Automatic grade" not in text


def test_feedback_html_shows_student_code_as_text_never_as_html(tmp_path):
    from dataclasses import replace

    step = LoadStep("cell 2", "x = '<script>alert(1)</script>'", "raised", "NameError: y")
    report = replace(make_report(), load=LoadResult((step,), ()))
    html = (write_submission(report, tmp_path) / "feedback.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_gradescope_output_visible_at_once_shows_no_points():
    results = gradescope_results(make_report())
    assert "1 / 3" not in results["output"] and "Note automatique" not in results["output"]
    assert "cell 4" in results["output"]  # how the code loaded is shown at once
    assert [t["number"] for t in results["tests"]] == ["1.1", "1.2"]


def test_gradescope_results_validate_against_our_schema_of_gradescope_s_format(tmp_path):
    import jsonschema

    from autograder.pipelines.gradescope import SCHEMA

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for status in Status:
        jsonschema.validate(gradescope_results(make_report(status=status)), schema)
    folder = write_submission(make_report(), tmp_path)
    jsonschema.validate(json.loads((folder / "results.json").read_text()), schema)


def test_load_steps_with_the_same_error_make_one_line_with_their_count():
    from autograder.feedback import step_messages
    from autograder.messages import render

    missing = (
        "FileNotFoundError: [Errno 2] No such file or directory: '/home/me/data/hzdataset.pch'"
    )
    steps = (
        LoadStep("exo2.py:20", "m = torch.load(...)", "raised", missing),
        LoadStep("cell 4", "x = 1/0", "raised", "ZeroDivisionError: division by zero"),
        LoadStep("exo3.py:20", "m = torch.load(...)", "raised", missing),
        LoadStep("cell 7", "train()", "timeout", "exceeded its 10 s budget"),
        LoadStep("cell 8", "train()", "timeout", "exceeded its 10 s budget"),
        LoadStep("exo4.py:9", "m = torch.load(...)", "raised", missing),
    )
    lines = [render(m, "en") for m in step_messages(steps)]
    assert len(lines) == 4  # the three identical errors in one line, the others as they were
    assert lines[0] == (
        "3 cells or statements raised the same error: "
        + missing
        + " (exo2.py:20, exo3.py:20, exo4.py:9). Loading went on."
    )
    assert (
        lines[1].startswith("cell 4")
        and lines[2].startswith("cell 7")
        and lines[3].startswith("cell 8")
    )


def test_a_question_held_for_missing_names_is_explained_to_the_student_and_on_gradescope():
    report = make_report(status=Status.NEEDS_REVIEW)
    q1 = QuestionScore(
        "Q1",
        "Q1 — RNN (3 points)",
        1.0,
        3.0,
        False,
        review="test_values",
        missing="forecast",
        found="def predict (exo3.py:45); top-level code in exo3.py (line 60: `for epoch in ...`)",
    )
    from dataclasses import replace

    report = replace(report, questions=(q1,) + report.questions[1:])
    results = gradescope_results(report, "en")
    assert (
        "forecast not found under these names" in results["output"]
        and "exo3.py:45" in results["output"]
    )
    from autograder.feedback import feedback_markdown

    assert "## Questions à relire par l'équipe pédagogique" in feedback_markdown(report)


def test_report_json_keeps_its_record_through_a_rewrite_and_old_files_still_read(tmp_path):
    from autograder.report import set_hold
    from autograder.report_json import Record, read_record, report_from_dict

    record = Record("0.9.0", "abc123", "2026-01-05T10:00:00+01:00", "alice.zip", "/class")
    folder = write_submission(make_report(), tmp_path, record=record)
    data = json.loads((folder / "report.json").read_text())
    assert (data["kit_version"], data["graded_at"], data["entry"]) == (
        "0.9.0",
        "2026-01-05T10:00:00+01:00",
        "alice.zip",
    )
    write_submission(
        make_report(status=Status.GRADED), tmp_path
    )  # hand grading rewrites: the record stays
    assert read_record(tmp_path, "alice") == record
    assert set_hold(tmp_path, "alice", "removed") and not set_hold(tmp_path, "alice", "removed")
    assert (
        read_record(tmp_path, "alice").hold == "removed"
        and read_record(tmp_path, "bob") == Record()
    )
    old = {k: v for k, v in data.items() if k not in Record.__dataclass_fields__}
    assert (
        report_from_dict(old) == report_from_dict(data) and report_from_dict(old).student == "alice"
    )
