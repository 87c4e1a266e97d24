"""Prove the grader: grade banks of known-wrong ("mutants") and known-right implementations.

A variant is a small ``.py`` file in ``validity/<assignment>/{mutants,right}/``: its code is
appended to the reference (to the notebook as a last cell, or to a handed-out module), so it
overrides just the definitions it contains. Its header says what must happen::

    # target: generate.py        where the code goes (default: notebook)
    # lose: Q6                   mutants: questions that must lose points (all others keep theirs)
    # message: beam_not_global   mutants: a message key one failing test of those questions must give

Figures: mutation score (mutants losing points exactly where declared, with the message) and
false-reject rate (right implementations not at full marks), per assignment.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .assignments import ASSIGNMENT_IDS, ROOT, TEMPLATE, load_assignment
from .build import build_reference
from .grade import Options, grade
from .results import Outcome, Report

BANK = ROOT / "validity"
HEADER = re.compile(r"^#\s*(target|lose|message|why|base):\s*(.*?)\s*$")
TARGET = re.compile(r"^#\s*target:\s*(.*?)\s*$")


class BankError(ValueError):
    """A variant file whose header is missing or inconsistent (``path: reason``)."""


@dataclass(frozen=True)
class Variant:
    assignment: str
    kind: str  # "mutant" | "right" | "reference" | "template"
    name: str
    path: Path | None
    target: str = "notebook"  # where the code goes; a file may switch target midway (see sections)
    lose: tuple[str, ...] = ()
    message: str | None = None
    why: str = ""
    base: str = "reference"  # what the code is appended to: the reference or the untouched template


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


def load_bank(assignment_id: str, bank: Path = BANK) -> list[Variant]:
    variants = [Variant(assignment_id, "reference", "reference", None), Variant(assignment_id, "template", "template", None)]
    for kind, folder in (("mutant", "mutants"), ("right", "right")):
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
    if kind == "right" and lose:
        raise BankError(f"{path}: a right implementation cannot declare lost questions")
    base = fields.get("base", "reference")
    if base not in ("reference", "template"):
        raise BankError(f"{path}: base must be 'reference' or 'template', not {base!r}")
    return Variant(assignment_id, kind, path.stem, path, fields.get("target", "notebook"), lose,
                   fields.get("message"), fields.get("why", ""), base)


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
    return [(t, code) for t, code in found if any(l.strip() and not l.lstrip().startswith("#") for l in code.splitlines())]


def load_variant(assignment_id: str, path: Path, kind: str = "right") -> Variant:
    """A single variant file (demo submissions use the same format)."""
    return _parse(assignment_id, kind, path)


def materialise(variant: Variant, dest: Path) -> Path:
    """Write the submission a variant stands for into ``dest`` (a folder) and return it."""
    import shutil

    import nbformat

    assignment = load_assignment(variant.assignment)
    if variant.kind == "template" or variant.base == "template":
        shutil.copytree(TEMPLATE / variant.assignment, dest, ignore=shutil.ignore_patterns("rnnkit"))
    else:
        build_reference(assignment, dest)
        (dest / assignment.notebook.name).unlink()  # the .py script copy: students hand in the notebook
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
        module.write_text(module.read_text(encoding="utf-8") + "\n\n# --- variant ---\n" + code, encoding="utf-8")
    return dest


def judge(variant: Variant, report: Report) -> Verdict:
    """Is the report what the variant declares?"""
    auto = [q for q in report.questions if not q.manual]
    per_question = tuple((q.question, q.points or 0.0) for q in auto)
    keys = tuple(t.message.key for t in report.tests if t.outcome is not Outcome.PASSED and t.message)
    lost = {q.question for q in auto if (q.points or 0.0) < q.max_points}
    errors = [t.test for t in report.tests if t.outcome is Outcome.GRADER_ERROR]
    problems: list[str] = []
    if errors:
        problems.append(f"grader errors in {', '.join(errors)}")
    if variant.kind in ("reference", "right") and lost:
        problems.append(f"lost points on {', '.join(sorted(lost))}: "
                        + "; ".join(f"{t.test}={t.outcome.value}:{t.message.key if t.message else ''}"
                                    for t in report.tests if t.outcome is not Outcome.PASSED))
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
        declared = {t.message.key for t in report.tests
                    if t.question in variant.lose and t.outcome is not Outcome.PASSED and t.message}
        if variant.message not in declared:
            problems.append(f"message {variant.message!r} not given (got {sorted(declared)})")
    detail = "; ".join(problems) or ("lost " + ", ".join(sorted(lost)) if lost else "full marks")
    signature = tuple((t.test, t.outcome.value, t.points, t.message) for t in report.tests)
    return Verdict(variant, not problems, detail, report.total, report.auto_max, per_question, keys, signature)


def check_variant(variant: Variant) -> Verdict:
    with tempfile.TemporaryDirectory(prefix="rnnkit-variant-") as tmp:
        folder = materialise(variant, Path(tmp) / variant.name)
        report = grade(folder, load_assignment(variant.assignment), Options(), student=variant.name)
    return judge(variant, report)


def run_bank(assignment_id: str, jobs: int | None = None, names: tuple[str, ...] | None = None) -> list[Verdict]:
    variants = [v for v in load_bank(assignment_id) if names is None or v.name in names]
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1, initializer=_one_thread) as pool:
        return list(pool.map(check_variant, variants))


def determinism(verdicts: list[Verdict], jobs: int | None = None, sample: int = 3) -> list[str]:
    """Grade a few variants again (the reference and the first mutants): names of those that changed."""
    again = [v for v in verdicts if v.variant.kind == "reference"] + [v for v in verdicts if v.variant.kind == "mutant"]
    again = again[:sample]
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1, initializer=_one_thread) as pool:
        second = list(pool.map(check_variant, [v.variant for v in again]))
    return [a.variant.name for a, b in zip(again, second) if a.signature != b.signature]


def figures(verdicts: list[Verdict]) -> dict:
    mutants = [v for v in verdicts if v.variant.kind == "mutant"]
    rights = [v for v in verdicts if v.variant.kind in ("right", "reference")]
    return {
        "mutants": len(mutants), "mutants_caught": sum(v.ok for v in mutants),
        "mutation_score": (sum(v.ok for v in mutants) / len(mutants)) if mutants else None,
        "right": len(rights), "false_rejects": sum(not v.ok for v in rights),
        "false_reject_rate": (sum(not v.ok for v in rights) / len(rights)) if rights else None,
        "template_ok": all(v.ok for v in verdicts if v.variant.kind == "template"),
    }


def _one_thread() -> None:
    import torch

    torch.set_num_threads(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.validity")
    parser.add_argument("assignment", nargs="?", default="all", choices=("all",) + ASSIGNMENT_IDS)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--json", type=Path, help="also write the verdicts here")
    args = parser.parse_args(argv)
    ids = ASSIGNMENT_IDS if args.assignment == "all" else (args.assignment,)
    all_ok, dump = True, {}
    for assignment_id in ids:
        verdicts = run_bank(assignment_id, args.jobs)
        for v in verdicts:
            mark = "ok  " if v.ok else "FAIL"
            print(f"{mark} {assignment_id:10} {v.variant.kind:9} {v.variant.name:32} {v.total:g}/{v.max_total:g}  {v.detail}")
        f = figures(verdicts)
        changed = determinism(verdicts, args.jobs)
        f["deterministic"] = not changed
        score = "n/a" if f["mutation_score"] is None else f"{100 * f['mutation_score']:.0f}%"
        rate = "n/a" if f["false_reject_rate"] is None else f"{100 * f['false_reject_rate']:.0f}%"
        print(f"== {assignment_id}: mutation score {score} ({f['mutants_caught']}/{f['mutants']} mutants), "
              f"false-reject rate {rate} ({f['false_rejects']}/{f['right']} right implementations), "
              f"template at zero: {'yes' if f['template_ok'] else 'NO'}, "
              f"deterministic: {'yes' if not changed else 'NO (' + ', '.join(changed) + ')'}")
        all_ok &= all(v.ok for v in verdicts) and not changed
        dump[assignment_id] = {"figures": f, "verdicts": [{"name": v.variant.name, "kind": v.variant.kind, "ok": v.ok,
                                                           "detail": v.detail} for v in verdicts]}
    if args.json:
        args.json.write_text(json.dumps(dump, indent=1))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
