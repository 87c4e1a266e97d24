"""The validity banks' files: a bank of variants and the submission each stands for.

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

Public entry: ``load_bank()``; ``materialise()`` writes the submission a variant stands for.
"""

from __future__ import annotations

import functools
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .assignments import ROOT, TEMPLATE, load_assignment
from .build import build_reference
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
