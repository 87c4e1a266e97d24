"""Prove the grader: grade banks of known-wrong ("mutants") and known-right implementations.

A bank (``validity/<assignment>/``) holds mutants (realistic mistakes, each with the questions it
must cost), right implementations, conventions (a calling convention each, with its price) and
past hand-ins graded by a TA; ``validity_bank.py`` describes the variant files.

The banks are read by ``validity_bank.py``, graded and judged by ``validity_run.py`` (with the
figures: mutation score, false-reject rate, conventions accepted, public share), the past-year
hand-ins by ``validity_past.py``. This module is the command (``python -m autograder.validity``,
``python -m autograder validity``): it prints a line per variant and the figures of each bank, and
keeps the banks' public names importable from here.

Public entry: ``main()``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .assignments import ASSIGNMENT_IDS
from .validity_bank import (
    BANK,
    BankError,
    Variant,
    load_bank,
    load_variant,
    materialise,
    sections,
)
from .validity_past import (
    PAST_QUESTION_TOLERANCE,
    PAST_TOTAL_TOLERANCE,
    PastSubmission,
    PastVerdict,
    check_past,
    judge_past,
    load_past,
    past_figures,
    past_problems,
    run_past,
)
from .validity_run import (
    PUBLIC_SHARE_FLOOR,
    Verdict,
    check_variant,
    determinism,
    figures,
    judge,
    public_caught,
    public_only_caught,
    run_bank,
)

__all__ = [
    "BANK",
    "PAST_QUESTION_TOLERANCE",
    "PAST_TOTAL_TOLERANCE",
    "PUBLIC_SHARE_FLOOR",
    "BankError",
    "PastSubmission",
    "PastVerdict",
    "Variant",
    "Verdict",
    "check_past",
    "check_variant",
    "determinism",
    "figures",
    "judge",
    "judge_past",
    "load_bank",
    "load_past",
    "load_variant",
    "main",
    "materialise",
    "past_figures",
    "past_problems",
    "public_caught",
    "public_only_caught",
    "report_past",
    "run_bank",
    "run_past",
    "sections",
]


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
            verdicts = run_bank(assignment_id, args.jobs, names)
            for v in verdicts:
                all_ok &= v.ok
                print(
                    f"{'ok  ' if v.ok else 'FAIL'} {assignment_id:10} {v.variant.kind:10} {v.variant.name:32} "
                    f"{v.total:g}/{v.max_total:g}  {v.detail}{_public_mark(v)}"
                )
            dump[assignment_id] = {"verdicts": [_verdict_dict(v) for v in verdicts]}
        if args.json:
            args.json.write_text(json.dumps(dump, indent=1))
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
            "verdicts": [_verdict_dict(v) for v in verdicts],
        }
        past_ok, dump[assignment_id]["past"] = report_past(assignment_id, args.jobs)
        all_ok &= past_ok
    if args.json:
        args.json.write_text(json.dumps(dump, indent=1))
    return 0 if all_ok else 1


def _verdict_dict(v: Verdict) -> dict:
    return {
        "name": v.variant.name,
        "kind": v.variant.kind,
        "ok": v.ok,
        "total": v.total,
        "detail": v.detail,
        "public_caught": v.public_caught,
    }


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
