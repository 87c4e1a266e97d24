"""Report: the only stage that writes files. Feedback for students, traces for staff, the gradebook.

Per student (written atomically as soon as the submission is graded):
  feedback.md / feedback.html   what the student sees (no trace, hidden tests without expected values)
  results.json                  Gradescope's results format (public tests visible, hidden after publication)
  report.json                   everything, traces and printed output included: staff only
For the class: gradebook.csv (one row per student); the class pages are ``class_report.py``'s.

What the files say is rendered elsewhere: ``feedback.py`` (the student's feedback, Gradescope's
results), ``report_json.py`` (report.json and its Record), ``summary.py`` (the staff note and the
console summary). This module writes them, atomically.

Public entry: ``write_submission()`` (one student's files); ``write_gradebook()`` for the class.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from .feedback import feedback_html, feedback_markdown, gradescope_results, number
from .report_json import Record, read_record, report_to_dict, student_folder
from .results import Report, Status
from .summary import staff_note


def write_gradescope_results(results: dict, folder: Path) -> Path:
    """Write ``results.json`` into Gradescope's results folder, replacing whatever is there.

    ``os.replace`` swaps the name itself: a symlink planted at ``results.json`` is replaced, never
    followed.
    """
    path = folder / "results.json"
    _atomic(path, json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return path


def write_submission(
    report: Report, out: Path, language: str = "fr", record: Record | None = None
) -> Path:
    """Write one student's files atomically into ``out/<student>/``; returns that folder.

    ``record`` None (a rewrite after hand grading) keeps the Record already in report.json.
    """
    folder = student_folder(out, report.student)
    if record is None:
        record = read_record(out, report.student)
    folder.mkdir(parents=True, exist_ok=True)
    markdown = feedback_markdown(report, language)
    html = feedback_html(report, language, markdown)
    _atomic(folder / "feedback.md", markdown)
    _atomic(folder / "feedback.html", html)
    _atomic(
        folder / "results.json",
        json.dumps(gradescope_results(report, language), indent=1, ensure_ascii=False),
    )
    _atomic(
        folder / "report.json",
        json.dumps(report_to_dict(report, record), indent=1, ensure_ascii=False),
    )
    return folder


def set_hold(out: Path, student: str, hold: str) -> bool:
    """Set (or clear, with "") the ``hold`` of a report.json, rewriting nothing else; True if it changed."""
    path = student_folder(out, student) / "report.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if (
        not isinstance(data, dict)
        or data.get("student") != student
        or (data.get("hold") or "") == hold
    ):
        return False
    data["hold"] = hold
    _atomic(path, json.dumps(data, indent=1, ensure_ascii=False))
    return True


def write_gradebook(reports: list[Report], out: Path) -> Path:
    """``gradebook.csv``: one row per student — status, total, max, one column per question (``review`` for
    a question held for a TA because its names are missing and related code was found).

    ``max`` is the assignment's total, the same on every row: hand-graded questions count in it before a
    TA enters them (their cells stay empty until then), so that ``total/max`` is the grade so far out of
    the grade in full. ``problem`` starts with the row's hold (entry removed, duplicate entries, not
    regraded: read from report.json). ``name`` and ``moodle_id`` come after ``student`` when the class
    was Moodle's "download all submissions".
    """
    questions = [q.question for q in reports[0].questions] if reports else []
    records = {r.student: read_record(out, r.student) for r in reports}
    moodle = any(x.moodle_id or x.display_name for x in records.values())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "student",
            *(("name", "moodle_id") if moodle else ()),
            "status",
            "total",
            "max",
            *questions,
            "problem",
        ]
    )
    for r in sorted(reports, key=lambda r: r.student):
        by_id = {q.question: q for q in r.questions}
        record = records[r.student]
        # A question held because its names are missing and related code was found reads "review", not 0.
        held = {q.question for q in r.questions if q.found and r.status is Status.NEEDS_REVIEW}
        cells = [
            "review"
            if q in held
            else ""
            if q not in by_id or by_id[q].points is None
            else number(by_id[q].points)
            for q in questions
        ]
        note = "; ".join(n for n in (record.hold, staff_note(r)) if n)
        who = (record.display_name, record.moodle_id) if moodle else ()
        writer.writerow(
            [
                spreadsheet_safe(c)
                for c in (
                    r.student,
                    *who,
                    r.status.value,
                    number(r.total),
                    number(r.max_total),
                    *cells,
                    note,
                )
            ]
        )
    path = out / "gradebook.csv"
    _atomic(path, buffer.getvalue())
    return path


def write_csv(path: Path, header, rows, delimiter: str = ",") -> Path:
    """A CSV (UTF-8, Unix newlines) written atomically: the Moodle export, the saved manual grades."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow([spreadsheet_safe(c) for c in header])
    writer.writerows([spreadsheet_safe(c) for c in row] for row in rows)
    _atomic(path, buffer.getvalue())
    return path


def spreadsheet_safe(cell):
    """A CSV cell that no spreadsheet runs as a formula: text starting with =, +, -, @ (or a tab or
    carriage return) gets a leading apostrophe; numbers are left alone."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(cell)
            return cell
        except ValueError:
            return "'" + cell
    return cell


def _atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
