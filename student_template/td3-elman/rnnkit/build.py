"""Build an assignment's folder from its single source: the student template or the reference.

Both are assembled the same way (notebook + handed-out modules + the ``coursedata`` package);
only the transformation of the text differs: the template strips solution regions, the
reference keeps them and drops the marker lines.
"""
from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import jupytext
import nbformat

from .assignments import TEMPLATE, COURSEDATA, Assignment, load_assignment, ASSIGNMENT_IDS
from .markers import check_python, solution_lines_removed, strip_solutions

# The coursedata files that students get; tests and caches stay in the kit.
COURSEDATA_GLOBS = ("*.py", "samples/*.txt", "samples/*.md")
KIT = Path(__file__).resolve().parent
# The engine ships with the template as `rnnkit/` so students run the public tests (`check("Q2")`);
# it holds no answer: the reference and the hidden tests live outside this package.
ENGINE_GLOBS = ("*.py", "grading.ini", "sandbox/*.py")
# Staff tools, of no use in a student folder (only `check` runs there).
STAFF_ONLY = ("calibrate_", "bench.py", "validity.py", "export.py", "manual.py")
PUBLIC_TESTS = "test_public.py"
CHECK_CELL = ("# Vérifiez cette question avec les tests publics (enregistrez d'abord le notebook).\n"
              "from rnnkit import check\n"
              "check({question!r})")


def build_template(assignment: Assignment, dest: Path) -> list[Path]:
    """Write the student skeleton of ``assignment`` into ``dest``; return the files written."""

    def transform(text: str, path: Path, notebook: bool) -> str:
        template, _ = strip_solutions(text, _rel(path), notebook=notebook)
        return template

    return _assemble(assignment, dest, transform, check=True) + _ship_engine(assignment, dest / "rnnkit")


def _ship_engine(assignment: Assignment, dest: Path) -> list[Path]:
    written = []
    for pattern in ENGINE_GLOBS:
        for source in sorted(KIT.glob(pattern)):
            if source.name.startswith(STAFF_ONLY):
                continue
            target = dest / source.relative_to(KIT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written.append(target)
    public = KIT.parent / "assignments" / assignment.id / "tests" / PUBLIC_TESTS
    if public.is_file():
        target = dest / "public_tests" / assignment.id / "tests" / PUBLIC_TESTS
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(public, target)
        written.append(target)
    return written


def build_reference(assignment: Assignment, dest: Path) -> list[Path]:
    """Write the runnable reference of ``assignment`` into ``dest`` (solutions kept)."""

    def transform(text: str, path: Path, notebook: bool) -> str:
        strip_solutions(text, _rel(path), notebook=notebook)  # same marker checks as the template
        return solution_lines_removed(text)

    files = _assemble(assignment, dest, transform, check=False)
    # The notebook source itself is a runnable script (percent format is plain Python).
    script = dest / assignment.notebook.name
    script.write_text(transform(assignment.notebook.read_text(encoding="utf-8"), assignment.notebook, True), encoding="utf-8")
    return files + [script]


def sync_templates(root: Path = TEMPLATE, ids: tuple[str, ...] = ASSIGNMENT_IDS) -> list[Path]:
    """Regenerate ``student_template/<id>/`` for each assignment (what ``make student`` runs)."""
    written: list[Path] = []
    for assignment_id in ids:
        dest = root / assignment_id
        if dest.exists():
            shutil.rmtree(dest)
        written += build_template(load_assignment(assignment_id), dest)
    return written


def template_drift(root: Path = TEMPLATE, ids: tuple[str, ...] = ASSIGNMENT_IDS) -> list[str]:
    """Files that differ between the committed template and a fresh build (empty when in sync)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        sync_templates(fresh, ids)
        return sorted(_tree_diff(fresh, root, ids))


def _assemble(assignment: Assignment, dest: Path, transform: Callable[[str, Path, bool], str], *, check: bool) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    written = [_write_notebook(assignment, dest, transform, check)]
    for module in assignment.modules:
        text = transform(module.read_text(encoding="utf-8"), module, False)
        if check:
            check_python(text, _rel(module))
        target = dest / module.name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    for pattern in COURSEDATA_GLOBS:
        for source in sorted(COURSEDATA.glob(pattern)):
            target = dest / "coursedata" / source.relative_to(COURSEDATA)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written.append(target)
    return written


def _write_notebook(assignment: Assignment, dest: Path, transform, check: bool) -> Path:
    source = assignment.notebook
    text = transform(source.read_text(encoding="utf-8"), source, True)
    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "rnnkit": {"assignment": assignment.id},
    }
    if check:
        nb.cells = _with_check_cells(nb.cells)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"{assignment.id}-{index:03d}"  # stable ids keep the generated file diff-free
        if check and cell.cell_type == "code":
            check_python(cell.source, f"{_rel(source)} (cell {index})")
    nbformat.validate(nb)
    target = dest / f"{assignment.id}.ipynb"
    target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return target


def _with_check_cells(cells: list) -> list:
    """After each auto-graded question's section, a cell running its public tests (never graded)."""
    out, pending, level = [], None, 0
    for cell in cells:
        heading = _heading_level(cell)
        if pending and heading and (heading <= level or "points" in cell.metadata):
            out.append(_check_cell(pending))
            pending = None
        if cell.cell_type == "markdown" and "points" in cell.metadata and not cell.metadata.get("manual"):
            pending, level = cell.metadata["question"], heading
        out.append(cell)
    if pending:
        out.append(_check_cell(pending))
    return out


def _heading_level(cell) -> int:
    first = cell.source.lstrip().split("\n", 1)[0] if cell.cell_type == "markdown" else ""
    return len(first) - len(first.lstrip("#")) if first.startswith("#") else 0


def _check_cell(question: str):
    cell = nbformat.v4.new_code_cell(CHECK_CELL.format(question=question))
    cell.metadata["tags"] = ["skip-grading"]
    return cell


def _tree_diff(fresh: Path, committed: Path, ids: tuple[str, ...]) -> list[str]:
    problems: list[str] = []
    for assignment_id in ids:
        a, b = fresh / assignment_id, committed / assignment_id
        new = {p.relative_to(fresh) for p in a.rglob("*") if p.is_file()}
        old = {p.relative_to(committed) for p in b.rglob("*") if p.is_file() and "__pycache__" not in p.parts} if b.exists() else set()
        problems += [f"{p}: missing from the committed template" for p in new - old]
        problems += [f"{p}: not produced by the build (stale)" for p in old - new]
        problems += [f"{p}: differs from a fresh build" for p in new & old
                     if not filecmp.cmp(fresh / p, committed / p, shallow=False)]
    return problems


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
