"""Hand-graded questions: the points (and comments) TAs enter for written answers.

TAs fill a CSV ``student,question,points,comment`` (comment optional; comma, semicolon or tab;
``1,5`` or ``1.5``; a line with no points is not graded yet and is skipped, as in the ``manual/ta.csv``
the class report pre-fills). ``python -m autograder manual GRADES.csv --graded OUT`` checks every line
against the graded folder (known student, known hand-graded question, a number between 0 and the
question's points), then merges the points into each report, feedback and gradebook. The merged
set lives in ``OUT/manual_grades.csv``: a later file adds to it (and corrects what it repeats),
and ``make grade`` applies it again after regrading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from .graded import Graded, InputError, load_graded, read_csv
from .report import write_csv, write_gradebook, write_submission
from .results import Report, Status
from .score import submission_status

COLUMNS = ("student", "question", "points", "comment")
SAVED = "manual_grades.csv"


@dataclass(frozen=True)
class ManualGrade:
    student: str
    question: str
    points: float
    comment: str = ""
    where: str = ""  # "file:line", for messages


def read_manual_grades(path: Path, graded: Graded) -> tuple[ManualGrade, ...]:
    """Parse and check a TA's CSV against ``graded``; raise InputError listing every bad line."""
    table = read_csv(path)
    header, rows = list(table.header), table.rows
    problems = []
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in COLUMNS[:3] if c not in header]
    if unknown or missing:
        raise InputError(
            [
                f"{path}:{table.header_line}: the header must name the columns {', '.join(COLUMNS)} (comment is optional)"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            ]
        )
    reports = graded.by_student()
    questions = {q.question: q for q in graded.reports[0].questions}
    hand_graded = [q for q, s in questions.items() if s.manual]
    seen: dict[tuple[str, str], int] = {}
    grades = []
    for line, fields in rows:
        where = f"{path}:{line}"
        if len(fields) > len(header):
            problems.append(
                f"{where}: {len(fields)} fields for {len(header)} columns (a comment with a comma or "
                "semicolon needs double quotes)"
            )
            continue
        row = dict(zip(header, fields + [""] * (len(header) - len(fields))))
        student, question, text = row["student"], row["question"], row["points"]
        if student not in reports:
            known = ", ".join(sorted(reports)[:8]) + (", ..." if len(reports) > 8 else "")
            problems.append(
                f"{where}: unknown student {student!r} (graded in {graded.folder}: {known})"
            )
            continue
        if question not in questions:
            problems.append(
                f"{where}: unknown question {question!r} ({graded.assignment} has {', '.join(questions)})"
            )
            continue
        in_review = {q.question for q in reports[student].questions if q.review}
        if not questions[question].manual and question not in in_review:
            problems.append(
                f"{where}: {question} is graded automatically; points can be entered for the "
                f"hand-graded questions ({', '.join(hand_graded) or 'none'}) and for the questions "
                f"in review ({', '.join(sorted(in_review)) or f'none for {student}'})"
            )
            continue
        if not text:
            continue  # not graded yet: the pre-filled ta.csv (class_report) lists every line to grade
        points = _number(text)
        maximum = questions[question].max_points
        if points is None:
            problems.append(f"{where}: points {text!r} is not a number")
            continue
        if not 0 <= points <= maximum:
            problems.append(
                f"{where}: {text} points is outside 0..{maximum:g}, the points of {question}"
            )
            continue
        if (student, question) in seen:
            problems.append(
                f"{where}: {question} of {student} already given on line {seen[student, question]}"
            )
            continue
        seen[student, question] = line
        grades.append(ManualGrade(student, question, points, row.get("comment", ""), where))
    if problems:
        raise InputError(problems)
    return tuple(grades)


def apply_manual_grades(report: Report, grades: tuple[ManualGrade, ...]) -> Report:
    """The report with these points (and comments) on its hand-graded questions."""
    mine = {g.question: g for g in grades if g.student == report.student}
    questions = tuple(
        replace(q, points=mine[q.question].points, comment=mine[q.question].comment)
        if q.question in mine
        else q
        for q in report.questions
    )
    status = report.status
    # Every doubt decided by a TA: the status the hand-in has without them (two notebooks holding
    # different work stay in review: they are settled by regrading with the one meant, not by points).
    if status is Status.NEEDS_REVIEW and all(q.question in mine for q in questions if q.review):
        problem = report.submission.problem or report.load.problem
        status = submission_status(report.load, problem, report.tests, False, report.submission)
    return replace(report, questions=questions, status=status)


def merge_manual_grades(
    graded_folder: Path, new: Path | None, language: str = "fr"
) -> tuple[Graded, int]:
    """Check ``new`` (and the grades already saved), then rewrite reports, feedback and gradebook.

    Returns the updated folder and how many grades it now holds. Nothing is written when a line
    is bad: InputError lists them all.
    """
    graded = load_graded(graded_folder)
    saved_path = Path(graded_folder) / SAVED
    saved = read_manual_grades(saved_path, graded) if saved_path.exists() else ()
    fresh = read_manual_grades(new, graded) if new is not None else ()
    merged = {(g.student, g.question): g for g in saved}
    merged.update(
        {(g.student, g.question): g for g in fresh}
    )  # a later file corrects an earlier one
    grades = tuple(merged[k] for k in sorted(merged))
    reports = [apply_manual_grades(r, grades) for r in graded.reports]
    for report in reports:
        write_submission(report, graded.folder, language)
    write_gradebook(reports, graded.folder)
    write_csv(
        saved_path, COLUMNS, [(g.student, g.question, f"{g.points:g}", g.comment) for g in grades]
    )
    return Graded(graded.folder, graded.assignment, tuple(reports)), len(grades)


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".") if "." not in text else text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
