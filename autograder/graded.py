"""A graded folder (what ``make grade`` writes), read back for the stages that come after grading:
hand-graded points (``manual.py``) and the LMS export (``export.py``)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .report_json import Record, record_from_dict, report_from_dict
from .results import Report


class InputError(ValueError):
    """Bad input: every problem found, one ``file:line: reason`` per line; nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Graded:
    """The reports of one graded folder, one per student, all of the same assignment."""

    folder: Path
    assignment: str
    reports: tuple[Report, ...]  # sorted by student
    records: dict = field(default_factory=dict, compare=False)  # student -> Record (report.Record)

    def by_student(self) -> dict[str, Report]:
        return {r.student: r for r in self.reports}

    def record(self, student: str) -> Record:
        return self.records.get(student, Record())


def load_graded(folder: Path) -> Graded:
    """Read every ``<student>/report.json`` of ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([f"{folder}: no such folder (expected what `make grade` writes)"])
    paths = sorted(folder.glob("*/report.json"))
    if not paths:
        nested = sorted(p.parent.name for p in folder.glob("*/gradebook.csv"))
        hint = (
            f"; it holds graded assignments, pass one of: {', '.join(str(folder / n) for n in nested)}"
            if nested
            else ""
        )
        raise InputError([f"{folder}: no <student>/report.json here{hint}"])
    reports, records, problems = [], {}, []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            reports.append(report_from_dict(data))
            records[reports[-1].student] = record_from_dict(data)
        except (OSError, ValueError, KeyError, TypeError) as err:
            problems.append(f"{path}: unreadable report ({type(err).__name__}: {err})")
    assignments = sorted({r.assignment for r in reports})
    if len(assignments) > 1:
        problems.append(
            f"{folder}: reports of several assignments ({', '.join(assignments)}); grade them apart"
        )
    if problems:
        raise InputError(problems)
    return Graded(folder, assignments[0], tuple(sorted(reports, key=lambda r: r.student)), records)


@dataclass(frozen=True)
class Table:
    """A CSV read by ``read_csv``: lower-cased header, and the non-empty rows with their line."""

    path: Path
    header_line: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, list[str]], ...]


def _unescaped(cell: str) -> str:
    """Undo ``report.spreadsheet_safe``: the kit's own CSVs read back as they were meant."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@") else cell


def read_csv(path: Path) -> Table:
    """A CSV made by hand or by a spreadsheet: UTF-8 (with or without BOM), comma, semicolon or tab."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            [f"{path}: not UTF-8 text ({err.reason} at byte {err.start}); save it as CSV UTF-8"]
        ) from None
    except OSError as err:
        raise InputError([f"{path}: {err.strerror or err}"]) from None
    first = text.split("\n", 1)[0]
    # French spreadsheets write semicolons (the comma is their decimal mark).
    delimiter = max((";", ",", "\t"), key=first.count) if first.strip() else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, line = [], 1
    for fields in reader:
        if any(f.strip() for f in fields):
            rows.append((line, [_unescaped(f.strip()) for f in fields]))
        line = reader.line_num + 1
    if not rows:
        raise InputError([f"{path}:1: empty file (expected a header line)"])
    header_line, header = rows[0]
    return Table(path, header_line, tuple(h.lower() for h in header), tuple(rows[1:]))
