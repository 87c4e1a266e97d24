"""report.json: a Report as JSON data and back, with its ``Record`` (flat keys beside the report's
own): the kit version and commit, the grading date, the class entry it came from (Moodle's name and
participant id when the class was Moodle's "download all submissions") and ``hold``, why the row must
not be exported. Also where a student's files live (``student_folder``). Reads only; ``report.py``
writes.

Public entry: ``report_to_dict()`` / ``report_from_dict()``; ``read_record()`` reads a Record back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .results import (
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


@dataclass(frozen=True)
class Record:
    """What report.json holds beside the Report: which kit graded it and when, where it came from, and
    whether its row is held back from the LMS export. Old report.json files read as ``Record()``."""

    kit_version: str = ""
    kit_commit: str = ""
    graded_at: str = ""  # ISO date and time of the grading
    entry: str = (
        ""  # the class entry's name: "carol.zip", "Jean Dupont_12345_assignsubmission_file_"
    )
    entry_folder: str = ""  # the submissions folder that held it (absolute): tells a removed entry
    display_name: str = ""  # Moodle's full name; "" outside Moodle's layout
    moodle_id: str = ""  # Moodle's participant id (the number in its folder names)
    hold: str = ""  # why this row is not exported (entry removed, duplicate entries, not regraded)


RECORD_KEYS = tuple(f.name for f in fields(Record))


def record_from_dict(data: dict) -> Record:
    return Record(**{k: str(data.get(k) or "") for k in RECORD_KEYS})


def read_record(out: Path, student: str) -> Record:
    """The Record of ``out/<student>/report.json``; ``Record()`` when there is none."""
    try:
        data = json.loads(
            (student_folder(out, student) / "report.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return Record()
    return (
        record_from_dict(data)
        if isinstance(data, dict) and data.get("student") == student
        else Record()
    )


def report_to_dict(report: Report, record: Record | None = None) -> dict:
    """The report as JSON data, with ``record``'s keys beside its own (``report_from_dict`` ignores them)."""
    data = asdict(report)
    data["submission"]["folder"] = ""  # a temporary folder, meaningless later
    if record is not None:
        data.update(asdict(record))
    return json.loads(
        json.dumps(data, default=lambda v: v.value if hasattr(v, "value") else str(v))
    )


def report_from_dict(data: dict) -> Report:
    def message(d):
        return None if d is None else Message(d["key"], tuple(tuple(p) for p in d["params"]))

    sub = data["submission"]
    submission = Submission(
        sub["student"],
        Path(),
        sub["notebook"],
        tuple(sub["modules"]),
        tuple(message(m) for m in sub["notes"]),
        message(sub["problem"]),
        sub["fingerprint"],
        sub.get("cwd", ""),
        tuple(sub.get("missing_modules", ())),
        tuple(sub.get("unchanged_modules", ())),
    )
    load = LoadResult(
        tuple(LoadStep(**s) for s in data["load"]["steps"]),
        tuple(data["load"]["names"]),
        message(data["load"]["problem"]),
        bool(data["load"].get("ours", False)),
    )
    tests = tuple(
        TestResult(**{**t, "outcome": Outcome(t["outcome"]), "message": message(t["message"])})
        for t in data["tests"]
    )
    questions = tuple(QuestionScore(**q) for q in data["questions"])
    return Report(
        data["assignment"],
        data["student"],
        Status(data["status"]),
        tests,
        questions,
        load,
        submission,
        data["seconds"],
        data["printed"],
        message(data["problem"]),
        data.get("isolation", {}),
        tuple(tuple(a) for a in data.get("answers", ())),
    )


def student_folder(out: Path, student: str) -> Path:
    """``out/<student>``: the id itself when it is a safe folder name, else a safe form of it with a
    hash suffix, so that two ids never share a folder ("jo ann" and "jo_ann"), on every rerun."""
    safe = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_.@") else "_" for c in student
    ).lstrip(".")
    if safe != student or not safe:
        digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        safe = f"{safe[:80] or 'student'}-{digest}"
    return out / safe
