"""Grade a validity bank and judge every report against what its variant declares.

Each variant is graded in its own process (a pool, one torch thread each) and judged: mutants must
lose points exactly on the questions their header names, with the message it names; right
implementations and the reference keep full marks; conventions lose exactly their price; the
template scores zero. ``figures`` sums the verdicts up: mutation score (mutants losing points
exactly where declared, with the message), false-reject rate (right implementations not at full
marks), conventions accepted (graded at full marks or exactly their price) and the public share
(mutants that lose points on a declared question in the public tests alone, what students run
before handing in). ``determinism`` grades a few variants again.

Public entry: ``run_bank()``; ``figures()`` sums up its verdicts.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .assignments import load_assignment
from .grade import Options, grade
from .results import Outcome, Report
from .validity_bank import Variant, load_bank, materialise

SLACK = 1e-9  # float sums of quarter points
# The share of each bank's mutants the public tests alone must catch (tests/test_banks.py).
PUBLIC_SHARE_FLOOR = 0.5


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
            if abs(loss - owed.get(question, 0.0)) > SLACK:
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
        t.visibility == "public" and t.question in variant.lose and t.points < t.max_points - SLACK
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
        max_workers=jobs or os.cpu_count() or 1, initializer=one_thread
    ) as pool:
        return list(pool.map(check_variant, variants))


def determinism(verdicts: list[Verdict], jobs: int | None = None, sample: int = 3) -> list[str]:
    """Grade a few variants again (the reference and the first mutants): names of those that changed."""
    again = [v for v in verdicts if v.variant.kind == "reference"] + [
        v for v in verdicts if v.variant.kind == "mutant"
    ]
    again = again[:sample]
    with ProcessPoolExecutor(
        max_workers=jobs or os.cpu_count() or 1, initializer=one_thread
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


def one_thread() -> None:
    import torch

    torch.set_num_threads(1)
