"""Prove the grader: grade banks of known-wrong ("mutants") and known-right implementations.

A variant is a small ``.py`` file in ``validity/<assignment>/{mutants,right}/``: its code is
appended to the reference (to the notebook as a last cell, or to a handed-out module), so it
overrides just the definitions it contains. Its header says what must happen::

    # target: generate.py        where the code goes (default: notebook)
    # lose: Q6                   mutants: questions that must lose points (all others keep theirs)
    # message: beam_not_global   mutants: a message key one failing test of those questions must give
    # price: Q5b=0.5, Q3=0.25    conventions: points each question must lose, exactly (none: full marks)

``conventions/`` holds correct implementations written in one calling convention each (another
constructor order, ``one_step(x, h, c)``, batch-first...): each must get full marks, or lose exactly
the price its header declares, which is the price the assignment's README documents.

Figures: mutation score (mutants losing points exactly where declared, with the message),
false-reject rate (right implementations not at full marks), conventions accepted (graded at
full marks or exactly their price) and the public share (mutants that lose points on a declared
question in the public tests alone, what students run before handing in), per assignment.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .assignments import ASSIGNMENT_IDS, ROOT, TEMPLATE, load_assignment
from .build import build_reference
from .grade import Options, grade
from .results import Outcome, Report
from .run import process_folder

BANK = ROOT / "validity"
HEADER = re.compile(r"^#\s*(target|lose|message|why|base|price|convention):\s*(.*?)\s*$")
TARGET = re.compile(r"^#\s*target:\s*(.*?)\s*$")


class BankError(ValueError):
    """A variant file whose header is missing or inconsistent (``path: reason``)."""


@dataclass(frozen=True)
class Variant:
    assignment: str
    kind: str  # "mutant" | "right" | "convention" | "reference" | "template"
    name: str
    path: Path | None
    target: str = "notebook"  # where the code goes; a file may switch target midway (see sections)
    lose: tuple[str, ...] = ()
    message: str | None = None
    why: str = ""
    base: str = "reference"  # what the code is appended to: the reference or the untouched template
    price: tuple[
        tuple[str, float], ...
    ] = ()  # conventions: (question, points it must lose exactly)


@dataclass(frozen=True)
class Verdict:
    variant: Variant
    ok: bool
    detail: str  # what went wrong, or the points lost where
    total: float
    max_total: float
    per_question: tuple[tuple[str, float], ...]
    keys: tuple[str, ...]  # message keys of failing tests
    signature: tuple = ()  # (test, outcome, points, message) of every test: equal across identical runs
    # Mutants: do the public tests alone (what students run) take points off one of the declared
    # questions? None for other kinds.
    public_caught: bool | None = None


def load_bank(assignment_id: str, bank: Path = BANK) -> list[Variant]:
    variants = [
        Variant(assignment_id, "reference", "reference", None),
        Variant(assignment_id, "template", "template", None),
    ]
    for kind, folder in (("mutant", "mutants"), ("right", "right"), ("convention", "conventions")):
        for path in sorted((bank / assignment_id / folder).glob("*.py")):
            variants.append(_parse(assignment_id, kind, path))
    return variants


def _parse(assignment_id: str, kind: str, path: Path) -> Variant:
    fields: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        found = HEADER.match(line)
        if found:
            fields[found.group(1)] = found.group(2)
        elif line.strip() and not line.startswith("#"):
            break
    lose = tuple(q.strip() for q in fields.get("lose", "").split(",") if q.strip())
    if kind == "mutant" and (not lose or "message" not in fields):
        raise BankError(f"{path}: a mutant needs '# lose: Q..' and '# message: key' header lines")
    if kind in ("right", "convention") and lose:
        raise BankError(f"{path}: a right implementation cannot declare lost questions")
    price = _price(path, fields.get("price", "")) if kind == "convention" else ()
    if kind == "convention" and not fields.get("convention", "").strip():
        raise BankError(
            f"{path}: a convention needs a '# convention: ...' line saying which one it is"
        )
    if kind != "convention" and "price" in fields:
        raise BankError(f"{path}: only conventions declare a price")
    base = fields.get("base", "reference")
    if base not in ("reference", "template"):
        raise BankError(f"{path}: base must be 'reference' or 'template', not {base!r}")
    return Variant(
        assignment_id,
        kind,
        path.stem,
        path,
        fields.get("target", "notebook"),
        lose,
        fields.get("message"),
        fields.get("why", "") or fields.get("convention", ""),
        base,
        price,
    )


def _price(path: Path, text: str) -> tuple[tuple[str, float], ...]:
    """``Q5b=0.5, Q3=0.25`` -> (("Q5b", 0.5), ("Q3", 0.25)); empty: no price."""
    found = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        question, _, points = part.partition("=")
        try:
            found.append((question.strip(), float(points)))
        except ValueError:
            raise BankError(f"{path}: price {part!r} is not QUESTION=POINTS") from None
    return tuple(found)


def sections(text: str, default: str = "notebook") -> list[tuple[str, str]]:
    """Split a variant's code at each ``# target: X`` line: [(target, code), ...], empty ones dropped."""
    found, target, lines = [], default, []
    for line in text.splitlines(keepends=True):
        switch = TARGET.match(line)
        if switch:
            found.append((target, "".join(lines)))
            target, lines = switch.group(1), []
        else:
            lines.append(line)
    found.append((target, "".join(lines)))
    return [
        (t, code)
        for t, code in found
        if any(l.strip() and not l.lstrip().startswith("#") for l in code.splitlines())
    ]


def load_variant(assignment_id: str, path: Path, kind: str = "right") -> Variant:
    """A single variant file (demo submissions use the same format)."""
    return _parse(assignment_id, kind, path)


def materialise(variant: Variant, dest: Path) -> Path:
    """Write the submission a variant stands for into ``dest`` (a folder) and return it."""
    import nbformat

    if variant.kind == "template" or variant.base == "template":
        shutil.copytree(
            TEMPLATE / variant.assignment, dest, ignore=shutil.ignore_patterns("rnnkit")
        )
    else:
        shutil.copytree(_built_reference(variant.assignment), dest)
    if variant.path is None:
        return dest
    notebook = dest / f"{variant.assignment}.ipynb"
    for target, code in sections(variant.path.read_text(encoding="utf-8"), variant.target):
        if target == "notebook":
            nb = nbformat.read(notebook, as_version=4)
            cell = nbformat.v4.new_code_cell(code)
            cell["id"] = f"variant-{len(nb.cells)}"
            nb.cells.append(cell)
            nbformat.write(nb, notebook)
            continue
        module = dest / target
        if not module.is_file():
            raise BankError(f"{variant.path}: target {target} is not a file of the assignment")
        module.write_text(
            module.read_text(encoding="utf-8") + "\n\n# --- variant ---\n" + code, encoding="utf-8"
        )
    return dest


@functools.cache
def _built_reference(assignment_id: str) -> Path:
    """The reference as students hand it in, built once per process (jupytext costs 0.6 s a build)."""
    dest = process_folder(f"rnnkit-bank-{assignment_id}-") / "reference"
    assignment = load_assignment(assignment_id)
    build_reference(assignment, dest)
    (dest / assignment.notebook.name).unlink()  # the .py script copy: students hand in the notebook
    return dest


def judge(variant: Variant, report: Report) -> Verdict:
    """Is the report what the variant declares?"""
    auto = [q for q in report.questions if not q.manual]
    per_question = tuple((q.question, q.points or 0.0) for q in auto)
    keys = tuple(
        t.message.key for t in report.tests if t.outcome is not Outcome.PASSED and t.message
    )
    lost = {q.question for q in auto if (q.points or 0.0) < q.max_points}
    errors = [t.test for t in report.tests if t.outcome is Outcome.GRADER_ERROR]
    problems: list[str] = []
    if errors:
        problems.append(f"grader errors in {', '.join(errors)}")
    if variant.kind in ("reference", "right") and lost:
        problems.append(
            f"lost points on {', '.join(sorted(lost))}: "
            + "; ".join(
                f"{t.test}={t.outcome.value}:{t.message.key if t.message else ''}"
                for t in report.tests
                if t.outcome is not Outcome.PASSED
            )
        )
    if variant.kind == "convention":
        maxima = {q.question: q.max_points for q in auto}
        owed = dict(variant.price)
        unknown = set(owed) - set(maxima)
        if unknown:
            problems.append(f"price names unknown questions {', '.join(sorted(unknown))}")
        for question, points in per_question:
            loss = maxima[question] - points
            if abs(loss - owed.get(question, 0.0)) > _SLACK:
                problems.append(
                    f"{question} lost {loss:g}, price {owed.get(question, 0.0):g}: "
                    + "; ".join(
                        f"{t.test}={t.outcome.value}:{t.message.key if t.message else ''}"
                        for t in report.tests
                        if t.question == question and t.outcome is not Outcome.PASSED
                    )
                )
    if variant.kind == "template":
        if report.total != 0:
            problems.append(f"template scored {report.total:g}")
        if report.status.value not in ("graded", "partial"):
            problems.append(f"template status {report.status.value}")
    if variant.kind == "mutant":
        missing = set(variant.lose) - lost
        extra = lost - set(variant.lose)
        if missing:
            problems.append(f"kept full points on {', '.join(sorted(missing))}")
        if extra:
            problems.append(f"also lost points on {', '.join(sorted(extra))}")
        declared = {
            t.message.key
            for t in report.tests
            if t.question in variant.lose and t.outcome is not Outcome.PASSED and t.message
        }
        if variant.message not in declared:
            problems.append(f"message {variant.message!r} not given (got {sorted(declared)})")
    detail = "; ".join(problems) or ("lost " + ", ".join(sorted(lost)) if lost else "full marks")
    signature = tuple((t.test, t.outcome.value, t.points, t.message) for t in report.tests)
    return Verdict(
        variant,
        not problems,
        detail,
        report.total,
        report.auto_max,
        per_question,
        keys,
        signature,
        public_caught(variant, report),
    )


def public_caught(variant: Variant, report: Report) -> bool | None:
    """Would a student running only the public tests see this mutant lose points on a declared question?

    Read off the full grading: each test is seeded on its own, so a public test gives the same result
    with or without the hidden ones beside it (``public_only_caught`` grades with public tests only).
    The reference earns every public test's points, so any public test below its maximum is a loss.
    """
    if variant.kind != "mutant":
        return None
    return any(
        t.visibility == "public" and t.question in variant.lose and t.points < t.max_points - _SLACK
        for t in report.tests
    )


def check_variant(variant: Variant) -> Verdict:
    with tempfile.TemporaryDirectory(prefix="rnnkit-variant-") as tmp:
        folder = materialise(variant, Path(tmp) / variant.name)
        report = grade(folder, load_assignment(variant.assignment), Options(), student=variant.name)
    return judge(variant, report)


def public_only_caught(variant: Variant) -> bool | None:
    """``public_caught`` measured the slow-but-literal way: grade the mutant with the public tests only."""
    with tempfile.TemporaryDirectory(prefix="rnnkit-variant-") as tmp:
        folder = materialise(variant, Path(tmp) / variant.name)
        report = grade(
            folder,
            load_assignment(variant.assignment),
            Options(visibility=("public",)),
            student=variant.name,
        )
    return public_caught(variant, report)


def run_bank(
    assignment_id: str, jobs: int | None = None, names: tuple[str, ...] | None = None
) -> list[Verdict]:
    variants = [v for v in load_bank(assignment_id) if names is None or v.name in names]
    with ProcessPoolExecutor(
        max_workers=jobs or os.cpu_count() or 1, initializer=_one_thread
    ) as pool:
        return list(pool.map(check_variant, variants))


def determinism(verdicts: list[Verdict], jobs: int | None = None, sample: int = 3) -> list[str]:
    """Grade a few variants again (the reference and the first mutants): names of those that changed."""
    again = [v for v in verdicts if v.variant.kind == "reference"] + [
        v for v in verdicts if v.variant.kind == "mutant"
    ]
    again = again[:sample]
    with ProcessPoolExecutor(
        max_workers=jobs or os.cpu_count() or 1, initializer=_one_thread
    ) as pool:
        second = list(pool.map(check_variant, [v.variant for v in again]))
    return [a.variant.name for a, b in zip(again, second) if a.signature != b.signature]


def figures(verdicts: list[Verdict]) -> dict:
    mutants = [v for v in verdicts if v.variant.kind == "mutant"]
    rights = [v for v in verdicts if v.variant.kind in ("right", "reference")]
    return {
        "mutants": len(mutants),
        "mutants_caught": sum(v.ok for v in mutants),
        "mutation_score": (sum(v.ok for v in mutants) / len(mutants)) if mutants else None,
        "right": len(rights),
        "false_rejects": sum(not v.ok for v in rights),
        "false_reject_rate": (sum(not v.ok for v in rights) / len(rights)) if rights else None,
        "template_ok": all(v.ok for v in verdicts if v.variant.kind == "template"),
        "conventions": sum(v.variant.kind == "convention" for v in verdicts),
        "conventions_accepted": sum(v.ok for v in verdicts if v.variant.kind == "convention"),
        # the share of mutants a student running only the public tests would see lose points
        "public_caught": sum(bool(v.public_caught) for v in mutants),
        "public_share": (sum(bool(v.public_caught) for v in mutants) / len(mutants))
        if mutants
        else None,
    }


def _one_thread() -> None:
    import torch

    torch.set_num_threads(1)


# --- Past-year conventions: whole hand-ins in past students' styles, graded by a TA first ----------------
#
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
_SLACK = 1e-9  # float sums of quarter points
# The share of each bank's mutants the public tests alone must catch (tests/test_validity_<id>.py).
PUBLIC_SHARE_FLOOR = 0.5


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
        return tuple((q, ta, got) for q, ta, got, _ in self.per_question if abs(ta - got) > _SLACK)


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
        if abs(points - ta) > PAST_QUESTION_TOLERANCE + _SLACK
    ]
    if abs(grader_total - ta_total) > PAST_TOTAL_TOLERANCE + _SLACK:
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
            if not any(abs(ta - p) > _SLACK for _, ta, p, _ in per_question)
            else ": "
            + "; ".join(
                f"{q} TA {ta:g} grader {p:g}"
                for q, ta, p, _ in per_question
                if abs(ta - p) > _SLACK
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
        with ProcessPoolExecutor(max_workers=workers, initializer=_one_thread) as pool:
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


def report_past(assignment_id: str, jobs: int | None = None) -> tuple[bool, dict]:
    """Grade and print the past bank of one assignment: (all as expected, the JSON part)."""
    verdicts = run_past((assignment_id,), jobs)
    for v in verdicts:
        mark = "KNOWN" if v.ok and not v.within else ("ok  " if v.ok else "FAIL")
        print(
            f"{mark} {assignment_id:10} {'past':9} {v.submission.name:32} {v.grader_total:g}/{v.max_total:g} "
            f"(TA {v.ta_total:g})  {v.detail}"
        )
        if not v.within:
            for question, ta, got in v.differences:
                print(f"       {question:8} TA {ta:g}  grader {got:g}  ({got - ta:+g})")
        for question, ta, got, found in v.review:
            print(
                f"REVIEW {question:8} TA {ta:g}  grader {got:g} so far, held for a TA; found: {found}"
            )
        if v.submission.known_disagreement:
            print(f"       known disagreement: {v.submission.known_disagreement}")
    f = past_figures(verdicts)
    if verdicts:
        print(
            f"== {assignment_id}: {f['past_within']}/{f['past_checked']} past submissions match the TA grade "
            f"(each question within {PAST_QUESTION_TOLERANCE:g} point, total within {PAST_TOTAL_TOLERANCE:g}; "
            f"{f['past_exact']} exactly), {f['past_known_disagreements']} known disagreement(s), "
            f"{f['past_review_questions']} question(s) held for review and left out"
        )
    dump = {
        "figures": f,
        "verdicts": [
            {
                "name": v.submission.name,
                "why": v.submission.why,
                "ok": v.ok,
                "within": v.within,
                "status": v.status,
                "known_disagreement": v.submission.known_disagreement,
                "detail": v.detail,
                "ta_total": v.ta_total,
                "grader_total": v.grader_total,
                "max_total": v.max_total,
                "questions": {
                    q: {"ta": ta, "grader": got, "max": m} for q, ta, got, m in v.per_question
                },
                "review": {
                    q: {"ta": ta, "grader": got, "found": found} for q, ta, got, found in v.review
                },
            }
            for v in verdicts
        ],
    }
    return f["past_ok"], dump


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.validity")
    parser.add_argument("assignment", nargs="?", default="all", choices=("all",) + ASSIGNMENT_IDS)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--json", type=Path, help="also write the verdicts here")
    parser.add_argument(
        "--past-only",
        action="store_true",
        help="grade only the past-year submissions (validity/<id>/past/)",
    )
    parser.add_argument(
        "--only", default=None, help="comma-separated variant names: grade just these (no figures)"
    )
    args = parser.parse_args(argv)
    ids = ASSIGNMENT_IDS if args.assignment == "all" else (args.assignment,)
    if args.past_only:
        return _main_past(ids, args.jobs, args.json)
    all_ok, dump = True, {}
    if args.only:
        names = tuple(n.strip() for n in args.only.split(",") if n.strip())
        for assignment_id in ids:
            for v in run_bank(assignment_id, args.jobs, names):
                all_ok &= v.ok
                print(
                    f"{'ok  ' if v.ok else 'FAIL'} {assignment_id:10} {v.variant.kind:10} {v.variant.name:32} "
                    f"{v.total:g}/{v.max_total:g}  {v.detail}{_public_mark(v)}"
                )
        return 0 if all_ok else 1
    for assignment_id in ids:
        verdicts = run_bank(assignment_id, args.jobs)
        for v in verdicts:
            mark = "ok  " if v.ok else "FAIL"
            print(
                f"{mark} {assignment_id:10} {v.variant.kind:9} {v.variant.name:32} {v.total:g}/{v.max_total:g}  "
                f"{v.detail}{_public_mark(v)}"
            )
        f = figures(verdicts)
        changed = determinism(verdicts, args.jobs)
        f["deterministic"] = not changed
        score = "n/a" if f["mutation_score"] is None else f"{100 * f['mutation_score']:.0f}%"
        rate = "n/a" if f["false_reject_rate"] is None else f"{100 * f['false_reject_rate']:.0f}%"
        share = "n/a" if f["public_share"] is None else f"{100 * f['public_share']:.0f}%"
        print(
            f"== {assignment_id}: mutation score {score} ({f['mutants_caught']}/{f['mutants']} mutants), "
            f"false-reject rate {rate} ({f['false_rejects']}/{f['right']} right implementations), "
            f"conventions accepted {f['conventions_accepted']}/{f['conventions']}, "
            f"template at zero: {'yes' if f['template_ok'] else 'NO'}, "
            f"caught by the public tests {share} ({f['public_caught']}/{f['mutants']} mutants), "
            f"deterministic: {'yes' if not changed else 'NO (' + ', '.join(changed) + ')'}"
        )
        all_ok &= all(v.ok for v in verdicts) and not changed
        dump[assignment_id] = {
            "figures": f,
            "verdicts": [
                {
                    "name": v.variant.name,
                    "kind": v.variant.kind,
                    "ok": v.ok,
                    "detail": v.detail,
                    "public_caught": v.public_caught,
                }
                for v in verdicts
            ],
        }
        past_ok, dump[assignment_id]["past"] = report_past(assignment_id, args.jobs)
        all_ok &= past_ok
    if args.json:
        args.json.write_text(json.dumps(dump, indent=1))
    return 0 if all_ok else 1


def _public_mark(verdict: Verdict) -> str:
    return {True: "  [public: caught]", False: "  [public: missed]", None: ""}[
        verdict.public_caught
    ]


def _main_past(ids: tuple[str, ...], jobs: int | None, json_path: Path | None) -> int:
    all_ok, dump = True, {}
    for assignment_id in ids:
        past_ok, dump[assignment_id] = report_past(assignment_id, jobs)
        all_ok &= past_ok
    if json_path:
        json_path.write_text(json.dumps({a: {"past": d} for a, d in dump.items()}, indent=1))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
