"""LMS export: a graded folder as a CSV that Moodle's grade import accepts.

Moodle (Grades → Import → CSV file) maps one column to a user field (email address, username or
ID number) and every other column to a grade item, to a grade item's feedback, or to nothing.
We write, in this order: the identifier; one column per question (its points, decimal point);
for hand-graded questions that have TA comments, a ``<question> feedback`` column; and the total.
A roster (``--students``, CSV with a ``student`` column and an identifier column) maps the
folder names of the graded class to Moodle identifiers when they differ.

A class graded from Moodle's "download all submissions" knows each student's participant id (the
number in its folder names), which is what the assignment's own grading worksheet upload matches:
without a roster, its rows are identified as ``Participant <id>`` under ``Identifier`` (with
``Full name``) and the total goes in ``Grade``. Rows held back by grading (an entry no longer in the
submissions folder, entries sharing an id, a submission changed and not regraded) are not exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .graded import Graded, InputError, load_graded, read_csv
from .report import write_csv
from .results import Status


@dataclass(frozen=True)
class Roster:
    path: Path
    column: str  # the identifier's column name, also the export's first header
    ids: dict  # student (entry name in the graded folder) -> identifier


@dataclass(frozen=True)
class MoodleTable:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    warnings: tuple[
        str, ...
    ]  # what the instructor should know (left-out students, missing hand grades)


def read_roster(path: Path, id_column: str | None = None) -> Roster:
    """Read ``student,<identifier>`` (more columns allowed; ``id_column`` picks the identifier,
    by default the first column after ``student``)."""
    table = read_csv(path)
    header, rows, first = list(table.header), table.rows, table.header_line
    if "student" not in header:
        raise InputError(
            [f"{path}:{first}: no 'student' column (the names of the graded folder's students)"]
        )
    others = [h for h in header if h != "student"]
    column = id_column.lower() if id_column else (others[0] if others else None)
    if column is None or column not in header:
        raise InputError(
            [
                f"{path}:{first}: no identifier column "
                + (f"{id_column!r}" if id_column else "")
                + f" (columns: {', '.join(header)}); e.g. student,email"
            ]
        )
    s, c = header.index("student"), header.index(column)
    ids: dict[str, str] = {}
    lines: dict[str, int] = {}
    owners: dict[str, str] = {}
    problems = []
    for line, fields in rows:
        fields = fields + [""] * (len(header) - len(fields))
        student, identifier = fields[s], fields[c]
        if not student:
            problems.append(f"{path}:{line}: empty student")
        elif student in ids:
            problems.append(
                f"{path}:{line}: student {student!r} already listed on line {lines[student]}"
            )
        elif not identifier:
            problems.append(f"{path}:{line}: empty {column} for {student!r}")
        elif identifier in owners:
            problems.append(
                f"{path}:{line}: {column} {identifier!r} already given to {owners[identifier]!r}"
            )
        else:
            ids[student], lines[student], owners[identifier] = identifier, line, student
    if problems:
        raise InputError(problems)
    return Roster(Path(path), column, ids)


WORKSHEET_ID = "Identifier"  # Moodle's offline grading worksheet: "Participant <id>" in this column
PARTICIPANT = "Participant "


def moodle_table(
    graded: Graded,
    roster: Roster | None = None,
    *,
    id_column: str = "username",
    total_only: bool = False,
) -> MoodleTable:
    """Header and rows for Moodle; students whose grading failed on our side, and rows held back by
    grading (``hold``: entry removed, duplicate entries, not regraded), are left out with a warning."""
    questions = graded.reports[0].questions
    commented = [
        q.question
        for q in questions
        if q.manual
        and any(x.comment for r in graded.reports for x in r.questions if x.question == q.question)
    ]
    held = {
        r.student: graded.record(r.student).hold
        for r in graded.reports
        if graded.record(r.student).hold
    }
    exported = [r for r in graded.reports if r.student not in held]
    # Moodle's own layout: the participant id is the identifier its grading worksheet upload matches.
    worksheet = roster is None and any(graded.record(r.student).moodle_id for r in graded.reports)
    if worksheet:
        missing = [r.student for r in exported if not graded.record(r.student).moodle_id]
        if missing:
            raise InputError(
                [
                    f"{graded.folder}: {s!r} has no Moodle participant id (its entry was not a Moodle "
                    "folder); give a roster (--students) mapping every student"
                    for s in missing
                ]
            )
    header = [WORKSHEET_ID, "Full name"] if worksheet else [roster.column if roster else id_column]
    if not total_only:
        header += [q.question for q in questions] + [f"{q} feedback" for q in commented]
    header.append("Grade" if worksheet else f"Total {graded.assignment}")
    if roster is not None:
        missing = [r.student for r in exported if r.student not in roster.ids]
        if missing:
            raise InputError([f"{roster.path}: no row for graded student {s!r}" for s in missing])
    rows, warnings, unfinished, incomplete = [], [], [], []
    for student, hold in sorted(held.items()):
        warnings.append(f"{student}: left out, {hold}")
    for report in exported:
        if report.status is Status.GRADER_ERROR:
            warnings.append(
                f"{report.student}: left out, its grading failed on our side (status grader_error): "
                "fix and regrade before exporting it"
            )
            continue
        by_id = {q.question: q for q in report.questions}
        if (
            report.submission.incomplete
        ):  # final points, but a TA may want to hear from the student first
            incomplete.append(report.student)
        if report.status is Status.NEEDS_REVIEW or any(
            q.manual and q.points is None for q in report.questions
        ):
            unfinished.append(report.student)
        record = graded.record(report.student)
        if worksheet:
            row = [PARTICIPANT + record.moodle_id, record.display_name]
        else:
            row = [roster.ids[report.student] if roster else report.student]
        if not total_only:
            row += [
                "" if by_id[q.question].points is None else f"{by_id[q.question].points:g}"
                for q in questions
            ]
            row += [by_id[q].comment for q in commented]
        row.append(f"{report.total:g}")
        rows.append(tuple(row))
    if unfinished:
        shown = ", ".join(unfinished[:5]) + (", ..." if len(unfinished) > 5 else "")
        warnings.append(
            f"{len(unfinished)} student(s) without all hand-graded points ({shown}): their cells are "
            "empty (no grade: map to Moodle only the columns you mean to update) and their total counts "
            "only what is graded"
        )
    if incomplete:
        shown = ", ".join(incomplete[:5]) + (", ..." if len(incomplete) > 5 else "")
        warnings.append(
            f"{len(incomplete)} student(s) whose graded modules were missing or unchanged from the "
            f"handout (status incomplete; {shown}): exported with the points the handed-out stubs gave"
        )
    if roster is not None:
        absent = sorted(set(roster.ids) - {r.student for r in graded.reports})
        if absent:
            warnings.append(
                f"{len(absent)} student(s) of the roster without a submission, not exported: "
                + ", ".join(absent[:5])
                + (", ..." if len(absent) > 5 else "")
            )
    return MoodleTable(tuple(header), tuple(sorted(rows)), tuple(warnings))


def export_moodle(
    graded_folder: Path,
    out: Path | None = None,
    roster_path: Path | None = None,
    *,
    id_column: str | None = None,
    total_only: bool = False,
    delimiter: str = ",",
) -> tuple[Path, MoodleTable]:
    """Write the Moodle CSV (default ``<graded>/moodle.csv``); nothing is written on bad input."""
    graded = load_graded(graded_folder)
    roster = read_roster(roster_path, id_column) if roster_path is not None else None
    table = moodle_table(graded, roster, id_column=id_column or "username", total_only=total_only)
    path = write_csv(out or graded.folder / "moodle.csv", table.header, table.rows, delimiter)
    return path, table
