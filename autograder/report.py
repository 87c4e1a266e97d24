"""Report: the only stage that writes files. Feedback for students, traces for staff, the gradebook.

Per student (written atomically as soon as the submission is graded):
  feedback.md / feedback.html   what the student sees (no trace, hidden tests without expected values)
  results.json                  Gradescope's results format (public tests visible, hidden after publication)
  report.json                   everything, traces and printed output included: staff only
For the class: gradebook.csv (one row per student) and a summary table in the terminal.

report.json also carries a ``Record`` (flat keys beside the report's own): the kit version and
commit, the grading date, the class entry it came from (Moodle's name and participant id when the
class was Moodle's "download all submissions") and ``hold``, why the row must not be exported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt

from .messages import render
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

OUTCOME_LABEL = {
    "fr": {
        "passed": "réussi",
        "wrong": "incorrect",
        "raised": "erreur",
        "not_implemented": "non implémenté",
        "timed_out": "temps dépassé",
        "skipped": "non évalué",
        "needs_review": "à relire",
        "grader_error": "erreur du correcteur",
    },
    "en": {
        "passed": "passed",
        "wrong": "wrong",
        "raised": "error",
        "not_implemented": "not implemented",
        "timed_out": "timed out",
        "skipped": "skipped",
        "needs_review": "to review",
        "grader_error": "grader error",
    },
}
WORDS = {
    "fr": {
        "title": "Retour de correction",
        "total": "Note automatique",
        "manual": "à noter à la main",
        "review": "à relire par l'équipe pédagogique",
        "loading": "Chargement de votre code",
        "question": "Question",
        "points": "Points",
        "details": "Détail des tests",
        "unloadable": "Rendu non corrigeable",
        "notes": "Remarques",
        "manual_total": "Questions notées à la main",
        "final": "Note finale",
        "held": "Questions à relire par l'équipe pédagogique",
        "incomplete": "Rendu incomplet",
        "comments": "Commentaires de l'équipe pédagogique",
    },
    "en": {
        "title": "Grading feedback",
        "total": "Automatic grade",
        "manual": "graded by hand",
        "review": "to be reviewed by the teaching staff",
        "loading": "Loading your code",
        "question": "Question",
        "points": "Points",
        "details": "Tests",
        "unloadable": "Submission could not be graded",
        "notes": "Notes",
        "manual_total": "Hand-graded questions",
        "final": "Final grade",
        "held": "Questions the teaching staff will read",
        "incomplete": "Incomplete submission",
        "comments": "Comments from the teaching staff",
    },
}
# Raw HTML off: feedback quotes student code (a cell's first line), which must show as text.
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
PAGE = jinja2.Environment(autoescape=True).from_string(
    '<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>'
    "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem}code{background:#f4f4f4}</style>"
    "</head><body>{{ body|safe }}</body></html>\n"
)


def feedback_markdown(report: Report, language: str = "fr") -> str:
    w = WORDS[language]
    lines = _heading(report, language)
    lines += [f"**{w['total']} : {_num(report.auto_total)} / {_num(report.auto_max)}**", ""]
    manual = [q for q in report.questions if q.manual]
    entered = [q for q in manual if q.points is not None]
    if entered:  # points a TA entered (``python -m autograder manual``)
        lines += [
            f"**{w['manual_total']} : {_num(sum(q.points for q in entered))} / "
            f"{_num(sum(q.max_points for q in entered))}**",
            "",
        ]
        if len(entered) == len(manual):
            lines += [f"**{w['final']} : {_num(report.total)} / {_num(report.max_total)}**", ""]
    lines += [f"| {w['question']} | {w['points']} |", "|---|---|"]
    for q in report.questions:
        points = w["manual"] if q.points is None else f"{_num(q.points)} / {_num(q.max_points)}"
        if q.review and report.status is Status.NEEDS_REVIEW:
            points += f" ({w['review']})"
        lines.append(f"| {q.question} — {q.title} | {points} |")
    lines.append("")
    commented = [q for q in report.questions if q.comment.strip()]
    if commented:
        lines += [f"## {w['comments']}", ""]
        # Continuation lines indented: a comment of several lines stays one list item.
        lines += [
            "- **" + q.question + "** : " + "\n  ".join(q.comment.strip().splitlines())
            for q in commented
        ]
        lines.append("")
    lines += _review(report, language)
    lines += _loading(report, language)
    if report.tests:
        lines += [f"## {w['details']}", ""]
        order = {q.question: i for i, q in enumerate(report.questions)}
        for t in sorted(report.tests, key=lambda t: order.get(t.question, len(order))):
            label = OUTCOME_LABEL[language][t.outcome.value]
            head = (
                f"- **{t.question}** `{t.test}` — {label} ({_num(t.points)}/{_num(t.max_points)})"
            )
            if t.message is not None:
                head += f" : {render(t.message, language, hidden=t.visibility == 'hidden')}"
            lines.append(head)
        lines.append("")
    return "\n".join(lines)


def check_markdown(report: Report, language: str = "fr") -> str:
    """What ``check`` prints: the public tests that ran, and how the code loaded — not a grade."""
    intro = {
        "fr": "Tests publics : {ok}/{n} réussis ({p:g}/{m:g} points). La note finale comporte d'autres tests.",
        "en": "Public tests: {ok}/{n} passed ({p:g}/{m:g} points). The final grade runs more tests.",
    }[language]
    passed = sum(t.outcome is Outcome.PASSED for t in report.tests)
    head = intro.format(
        ok=passed,
        n=len(report.tests),
        p=sum(t.points for t in report.tests),
        m=sum(t.max_points for t in report.tests),
    )
    body = feedback_markdown(report, language)
    sections = body.split("\n## ")[1:]
    return "\n\n".join(
        [head] + _incomplete(report, language)[:1] + ["## " + section for section in sections]
    )


def _heading(report: Report, language: str) -> list[str]:
    w = WORDS[language]
    lines = [f"# {w['title']} — {report.assignment} — {report.student}", ""]
    if report.problem is not None:
        lines += [f"**{w['unloadable']}** : {render(report.problem, language)}", ""]
    return lines + _incomplete(report, language)


def _incomplete(report: Report, language: str) -> list[str]:
    """The graded modules left as handed out, first thing the student reads (the status ``incomplete``)."""
    messages = incomplete_messages(report)
    if not messages or report.problem is not None:
        return []
    return [
        f"**{WORDS[language]['incomplete']}** : " + " ".join(render(m, language) for m in messages),
        "",
    ]


def incomplete_messages(report: Report) -> list[Message]:
    """One message for the graded modules not handed in, one for those handed in unchanged, each naming
    the questions a stub of theirs stopped."""
    sub = report.submission
    messages = []
    for key, files in (
        ("modules_missing", sub.missing_modules),
        ("modules_unchanged", sub.unchanged_modules),
    ):
        if files:
            messages.append(
                Message.of(
                    key, files=", ".join(files), detail=", ".join(stub_questions(report, files))
                )
            )
    return messages


def stub_questions(report: Report, files) -> list[str]:
    """Questions with a test stopped by NotImplementedError raised in one of ``files`` (a stub there)."""

    def in_files(test: TestResult) -> bool:
        # "pad_collate_fn, textloader.py:88": the last place named is where the error was raised
        where = test.message.as_dict().get("where", "") if test.message else ""
        return bool(where) and Path(where.split(", ")[-1].rsplit(":", 1)[0]).name in files

    hit = {t.question for t in report.tests if t.outcome is Outcome.NOT_IMPLEMENTED and in_files(t)}
    return [q.question for q in report.questions if q.question in hit]


def staff_note(report: Report) -> str:
    """The TA's one-line note on a submission (gradebook's ``problem`` column, the summary's ``note``):
    why nothing was graded, what waits for a TA, graded modules left as handed out, the notebook chosen."""
    sub = report.submission
    parts = [render(report.problem, "en")] if report.problem else []
    held = sorted(
        q.question for q in report.questions if q.found and report.status is Status.NEEDS_REVIEW
    )
    if held:
        parts.append(f"to review: {', '.join(held)} (names missing, related code found)")
    notebooks = {n.key: n.as_dict() for n in sub.notes if n.key in NOTEBOOK_NOTES}
    doubt = notebooks.pop("several_notebooks_with_work", None)
    if doubt:
        parts.append(
            f"to review: several notebooks hold different work; graded {doubt['chosen']}, "
            f"ignored {doubt['ignored']}"
        )
    if sub.missing_modules and not report.problem:
        parts.append(
            f"incomplete: {', '.join(sub.missing_modules)} not handed in (graded on the handed-out stubs)"
        )
    if sub.unchanged_modules and not report.problem:
        parts.append(
            f"incomplete: {', '.join(sub.unchanged_modules)} handed in unchanged (graded on the stubs)"
        )
    for (
        key,
        note,
    ) in notebooks.items():  # the notebook graded, when there were several: last, as a fact
        parts.append(
            f"graded {note['chosen']}"
            + (" (as asked)" if key == "notebook_forced" else "")
            + f", ignored {note['ignored']}"
        )
    return "; ".join(parts)


NOTEBOOK_NOTES = ("several_notebooks_with_work", "several_notebooks", "notebook_forced")


def _loading(report: Report, language: str) -> list[str]:
    notes = list(report.submission.notes) + step_messages(report.load.steps)
    if not notes:
        return []
    return (
        [f"## {WORDS[language]['loading']}", ""]
        + [f"- {render(m, language)}" for m in notes]
        + [""]
    )


def _review(report: Report, language: str) -> list[str]:
    """Questions held because their names are missing while related code is there: what was found, where."""
    held = [q for q in report.questions if q.found]
    if not held or report.status is not Status.NEEDS_REVIEW:
        return []
    return (
        [f"## {WORDS[language]['held']}", ""]
        + [
            "- "
            + render(
                Message.of("review_missing", question=q.question, names=q.missing, found=q.found),
                language,
            )
            for q in held
        ]
        + [""]
    )


MAX_PLACES = 6  # places named in one grouped line


def step_messages(steps: tuple[LoadStep, ...]) -> list[Message]:
    """One line per load problem; steps that raised the very same error (the same missing file in three
    modules, the same undefined name in every later cell) make one line with their count and places."""
    groups: dict[str, list[LoadStep]] = {}
    for step in steps:
        if step.status == "raised":
            groups.setdefault(step.error, []).append(step)
    messages, done = [], set()
    for step in steps:
        group = groups.get(step.error, []) if step.status == "raised" else []
        if len(group) < 2:
            messages.append(_step_message(step))
        elif step.error not in done:
            done.add(step.error)
            places = ", ".join(s.where for s in group[:MAX_PLACES]) + (
                ", …" if len(group) > MAX_PLACES else ""
            )
            messages.append(
                Message.of("steps_same_error", count=len(group), error=step.error, places=places)
            )
    return messages


GRADESCOPE_MAX_OUTPUT = 100_000  # Gradescope cuts each output there; we cut first, and say so


def gradescope_results(report: Report, language: str = "fr") -> dict:
    """Gradescope's results.json: public tests visible at once, hidden ones after publication.

    The overall output is visible at once too, so it carries no points (they would give away the
    hidden tests before publication): the heading, how the code loaded, and what comes when.
    Written answers are graded on Gradescope itself: not in this score.
    """
    position = {q.question: i for i, q in enumerate(report.questions, start=1)}
    counts: dict[int, int] = {}
    tests = []
    # Numbered "<question>.<test>" so Gradescope lists them question by question.
    for t in sorted(report.tests, key=lambda t: position.get(t.question, len(position) + 1)):
        index = position.get(t.question, len(position) + 1)
        counts[index] = counts.get(index, 0) + 1
        text = render(t.message, language, hidden=t.visibility == "hidden") if t.message else ""
        tests.append(
            {
                "name": f"{t.question} · {t.test}" if t.question else t.test,
                "number": f"{index}.{counts[index]}",
                "score": t.points,
                "max_score": t.max_points,
                "status": "passed" if t.outcome is Outcome.PASSED else "failed",
                "output": _cut(
                    f"**{OUTCOME_LABEL[language][t.outcome.value]}**"
                    + (f"\n\n{text}" if text else "")
                ),
                "output_format": "md",
                "tags": [t.question] if t.question else [],
                "visibility": "visible" if t.visibility == "public" else "after_published",
            }
        )
    lines = _heading(report, language) + _review(report, language) + _loading(report, language)
    if any(t.visibility == "hidden" for t in report.tests):
        lines += [render(Message.of("gradescope_hidden_later"), language), ""]
    manual = [q.question for q in report.questions if q.manual]
    if manual:
        lines += [
            render(Message.of("gradescope_manual", questions=", ".join(manual)), language),
            "",
        ]
    return {
        "score": report.auto_total,
        "execution_time": report.seconds,
        "output": _cut("\n".join(lines)),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"status": report.status.value, "assignment": report.assignment},
    }


def _cut(text: str) -> str:
    marker = "\n\n[…]"
    return (
        text
        if len(text) <= GRADESCOPE_MAX_OUTPUT
        else text[: GRADESCOPE_MAX_OUTPUT - len(marker)] + marker
    )


def write_gradescope_results(results: dict, folder: Path) -> Path:
    """Write ``results.json`` into Gradescope's results folder, replacing whatever is there.

    ``os.replace`` swaps the name itself: a symlink planted at ``results.json`` is replaced, never
    followed.
    """
    path = folder / "results.json"
    _atomic(path, json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return path


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
    html = PAGE.render(
        lang=language,
        title=f"{report.assignment} — {report.student}",
        body=MARKDOWN.render(markdown),
    )
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
            else _num(by_id[q].points)
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
                    _num(r.total),
                    _num(r.max_total),
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


STATUS_STYLE = {
    Status.GRADED: "green",
    Status.PARTIAL: "yellow",
    Status.INCOMPLETE: "dark_orange",
    Status.NEEDS_REVIEW: "cyan",
    Status.UNLOADABLE: "red",
    Status.GRADER_ERROR: "magenta",
}


def summary_table(reports: list[Report], holds: dict[str, str] | None = None):
    """A rich Table of the class: one row per student; ``holds`` (student -> why not exported) lead the note."""
    from rich.markup import escape as rich_escape
    from rich.table import Table

    table = Table(title=f"{reports[0].assignment if reports else ''}: {len(reports)} submissions")
    for column in ("student", "status", "total", "tests", "time (s)", "note"):
        table.add_column(column)
    for r in sorted(reports, key=lambda r: r.student):
        passed = sum(t.outcome is Outcome.PASSED for t in r.tests)
        note = "; ".join(
            n
            for n in (
                (holds or {}).get(r.student, ""),
                staff_note(r),
                f"{len(r.load.steps)} load problem(s)" if r.load.steps else "",
            )
            if n
        )
        table.add_row(
            r.student,
            f"[{STATUS_STYLE.get(r.status, 'white')}]{r.status.value}[/]",
            f"{_num(r.total)}/{_num(r.auto_max)}",
            f"{passed}/{len(r.tests)}",
            f"{r.seconds:.1f}",
            rich_escape(note[:160]),
        )
    return table


# -- serialisation of reports (staff file; lets a rerun skip unchanged submissions) ----------------
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


def _step_message(step: LoadStep) -> Message:
    return Message.of(
        f"step_{step.status}", where=step.where, first_line=step.first_line, error=step.error
    )


def _num(x: float) -> str:
    return f"{x:g}"


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
