"""The past-year bank: whole hand-ins in past students' styles, graded by a TA first, and whether
the grader agrees with the TA within the tolerances.

Public entry: ``run_past()``; ``past_figures()`` sums up its verdicts.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .assignments import load_assignment
from .grade import Options, grade
from .results import Outcome, Report
from .validity_bank import BANK, BankError
from .validity_run import SLACK, one_thread

# ``validity/<assignment>/past/<name>/`` holds exactly what a student handed in (a folder of .py files
# and/or a notebook), ``validity/<assignment>/past/grades.toml`` the grade a fair TA gave it, written
# before the grader was run on it:
#
#     [name]
#     why = "the style, in one line"
#     Q1 = { points = 5, reason = "one clause per deduction" }   # every automatic question
#     known_disagreement = "..."   # optional: the grader is believed wrong here; reported, not checked
#
# The grader agrees with the TA when every question is within PAST_QUESTION_TOLERANCE and the total
# within PAST_TOTAL_TOLERANCE. A TA grades in half points and does not know how a question's points are
# split between its tests (0.25 to 1.5 points each): half a point per question is the finest agreement
# one can ask of a hand grade; one point on the total (of 20, as few as 14 of them automatic) keeps small
# differences from piling up across questions.
PAST_QUESTION_TOLERANCE = 0.5
PAST_TOTAL_TOLERANCE = 1.0


@dataclass(frozen=True)
class PastSubmission:
    assignment: str
    name: str
    path: Path  # the folder handed in
    why: str
    ta: tuple[tuple[str, float], ...]  # (question, points) for every automatic question
    reasons: tuple[tuple[str, str], ...]  # (question, why points were taken off)
    known_disagreement: str = ""


@dataclass(frozen=True)
class PastVerdict:
    submission: PastSubmission
    within: bool  # every question and the total within the tolerances, no grader error
    ok: bool  # within, or outside with a declared known disagreement
    detail: str
    status: str  # the report's status (graded, partial...)
    ta_total: float
    grader_total: float
    max_total: float
    per_question: tuple[
        tuple[str, float, float, float], ...
    ]  # (question, TA, grader, max) of the questions checked
    # Questions the grader holds for a TA (needs_review: names missing with related code found, or a rule
    # that fired on something doubtful): left out of the tolerance check, reported with what was found.
    review: tuple[
        tuple[str, float, float, str], ...
    ] = ()  # (question, TA, grader so far, what was found)

    @property
    def differences(self) -> tuple[tuple[str, float, float], ...]:
        """(question, TA, grader) of the questions where the two differ at all."""
        return tuple((q, ta, got) for q, ta, got, _ in self.per_question if abs(ta - got) > SLACK)


def past_problems(assignment_id: str, bank: Path = BANK) -> list[str]:
    """What is wrong with ``validity/<id>/past/`` (``grades.toml`` against the assignment and the folders)."""
    import tomllib

    folder = bank / assignment_id / "past"
    toml = folder / "grades.toml"
    if not folder.is_dir():
        return []
    if not toml.is_file():
        return [f"{folder}: no grades.toml"]
    try:
        entries = tomllib.loads(toml.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        return [f"{toml}: {err}"]
    questions = {q.id: q.points for q in load_assignment(assignment_id).questions if not q.manual}
    problems = []
    handed_in = {
        p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))
    }
    problems += [
        f"{folder / name}: no entry in grades.toml" for name in sorted(handed_in - set(entries))
    ]
    for name, entry in entries.items():
        where = f"{toml} [{name}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: not a table")
            continue
        if name not in handed_in:
            problems.append(f"{where}: no folder {folder / name}")
        elif not any(p.suffix in (".py", ".ipynb") for p in (folder / name).rglob("*")):
            problems.append(f"{where}: the folder holds no .py file or notebook")
        if not str(entry.get("why", "")).strip():
            problems.append(f"{where}: 'why' (the style, in one line) is missing")
        if "known_disagreement" in entry and not str(entry["known_disagreement"]).strip():
            problems.append(f"{where}: known_disagreement is empty")
        unknown = set(entry) - set(questions) - {"why", "known_disagreement"}
        if unknown:
            problems.append(
                f"{where}: unknown keys {', '.join(sorted(unknown))} (manual questions are not recorded)"
            )
        for question, maximum in questions.items():
            grade = entry.get(question)
            if (
                not isinstance(grade, dict)
                or not isinstance(grade.get("points"), (int, float))
                or isinstance(grade.get("points"), bool)
            ):
                problems.append(f"{where}: {question} needs {{ points = ..., reason = ... }}")
                continue
            points = float(grade["points"])
            if not 0 <= points <= maximum:
                problems.append(f"{where}: {question} points {points:g} outside 0..{maximum:g}")
            if points < maximum and not str(grade.get("reason", "")).strip():
                problems.append(
                    f"{where}: {question} loses {maximum - points:g} point(s) without a reason"
                )
            if set(grade) - {"points", "reason"}:
                problems.append(f"{where}: {question} has keys other than points and reason")
    return problems


def load_past(assignment_id: str, bank: Path = BANK) -> list[PastSubmission]:
    """The past-year submissions of an assignment with their TA grades (none without a past/ folder)."""
    import tomllib

    problems = past_problems(assignment_id, bank)
    if problems:
        raise BankError("\n".join(problems))
    folder = bank / assignment_id / "past"
    if not folder.is_dir():
        return []
    entries = tomllib.loads((folder / "grades.toml").read_text(encoding="utf-8"))
    auto = [q.id for q in load_assignment(assignment_id).questions if not q.manual]
    return [
        PastSubmission(
            assignment_id,
            name,
            folder / name,
            entry["why"],
            tuple((q, float(entry[q]["points"])) for q in auto),
            tuple((q, entry[q]["reason"]) for q in auto if entry[q].get("reason")),
            entry.get("known_disagreement", ""),
        )
        for name, entry in sorted(entries.items())
    ]


def judge_past(submission: PastSubmission, report: Report) -> PastVerdict:
    """Is the grader's report within the tolerances of the TA's grade?

    Questions the grader holds for review are a TA's to grade: they are left out of the check (of the
    questions and of both totals) and reported with what the grader found; the TA's grades stay
    authoritative for the rest.
    """
    got = {q.question: (q.points or 0.0, q.max_points) for q in report.questions if not q.manual}
    held = {q.question: q for q in report.questions if not q.manual and getattr(q, "review", "")}
    ta_points = dict(submission.ta)
    review = tuple(
        (
            q,
            ta_points.get(q, 0.0),
            got[q][0],
            getattr(held[q], "found", "") or f"tests held: {held[q].review}",
        )
        for q in held
    )
    per_question = tuple(
        (q, ta, got.get(q, (0.0, 0.0))[0], got.get(q, (0.0, 0.0))[1])
        for q, ta in submission.ta
        if q not in held
    )
    ta_total = sum(ta for _, ta, _, _ in per_question)
    grader_total = sum(points for q, (points, _) in got.items() if q not in held)
    problems = []
    errors = [t.test for t in report.tests if t.outcome is Outcome.GRADER_ERROR]
    if errors:
        problems.append(f"grader errors in {', '.join(errors)}")
    missing = set(got) ^ set(ta_points)
    if missing:
        problems.append(
            f"questions not in both the grades and the report: {', '.join(sorted(missing))}"
        )
    problems += [
        f"{q}: TA {ta:g}, grader {points:g} ({points - ta:+g})"
        for q, ta, points, _ in per_question
        if abs(points - ta) > PAST_QUESTION_TOLERANCE + SLACK
    ]
    if abs(grader_total - ta_total) > PAST_TOTAL_TOLERANCE + SLACK:
        problems.append(
            f"total: TA {ta_total:g}, grader {grader_total:g} ({grader_total - ta_total:+g})"
        )
    within = not problems
    known = submission.known_disagreement
    if within and known:
        detail = "known disagreement no longer seen (grader now within tolerance): remove the known_disagreement entry"
        ok = False
    elif within:
        detail = "within tolerance" + (
            ""
            if not any(abs(ta - p) > SLACK for _, ta, p, _ in per_question)
            else ": "
            + "; ".join(
                f"{q} TA {ta:g} grader {p:g}" for q, ta, p, _ in per_question if abs(ta - p) > SLACK
            )
        )
        ok = True
    else:
        detail = "; ".join(problems)
        ok = bool(known) and not errors
        if known:
            detail = f"known disagreement: {detail}"
    if review:
        detail += "; REVIEW " + ", ".join(q for q, *_ in review) + " (left out of the check)"
    return PastVerdict(
        submission,
        within,
        ok,
        detail,
        report.status.value,
        ta_total,
        grader_total,
        sum(m for q, (_, m) in got.items() if q not in held),
        per_question,
        review,
    )


def check_past(submission: PastSubmission) -> PastVerdict:
    report = grade(
        submission.path, load_assignment(submission.assignment), Options(), student=submission.name
    )
    return judge_past(submission, report)


def run_past(assignment_ids: tuple[str, ...], jobs: int | None = None) -> list[PastVerdict]:
    """Grade the past-year submissions of these assignments, in parallel within each assignment.

    One pool per assignment: the engine's pytest run (--import-mode=importlib) reuses a grading-test
    module already in sys.modules under the same file name, and test_public.py and test_generation.py
    exist in several assignments, so a process that graded one lab would run its modules for the next.
    """
    verdicts: list[PastVerdict] = []
    for assignment_id in assignment_ids:
        submissions = load_past(assignment_id)
        if not submissions:
            continue
        workers = min(jobs or os.cpu_count() or 1, len(submissions))
        with ProcessPoolExecutor(max_workers=workers, initializer=one_thread) as pool:
            verdicts += pool.map(check_past, submissions)
    return verdicts


def past_figures(verdicts: list[PastVerdict]) -> dict:
    checked = [v for v in verdicts if not v.submission.known_disagreement]
    return {
        "past": len(verdicts),
        "past_checked": len(checked),
        "past_within": sum(v.within for v in checked),
        "past_exact": sum(v.within and not v.differences for v in checked),
        "past_known_disagreements": sum(bool(v.submission.known_disagreement) for v in verdicts),
        "past_review_questions": sum(len(v.review) for v in verdicts),
        "past_ok": all(v.ok for v in verdicts),
        "question_tolerance": PAST_QUESTION_TOLERANCE,
        "total_tolerance": PAST_TOTAL_TOLERANCE,
    }
