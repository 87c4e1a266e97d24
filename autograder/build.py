"""Build an assignment's folder from its single source: the student template or the reference.

Both are assembled the same way (notebook + handed-out modules + the ``coursedata`` package);
only the transformation of the text differs: the template strips solution regions, the
reference keeps them and drops the marker lines.
"""

from __future__ import annotations

import contextlib
import filecmp
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import jupytext
import nbformat

from .assignments import (
    ASSIGNMENT_IDS,
    COURSEDATA,
    LAB_FILE,
    PACKAGE,
    TEMPLATE,
    Assignment,
    load_assignment,
)
from .markers import check_python, has_solution, solution_lines_removed, strip_solutions

# The coursedata files that students get; tests and caches stay in the kit.
COURSEDATA_GLOBS = ("*.py", "samples/*.txt", "samples/*.md")
KIT = Path(__file__).resolve().parent
# What a student folder's `rnnkit/` holds: what `check()` and `submit()` need for that lab and nothing
# else (no staff command, no other lab's messages or procedures, never an answer). The modules are the
# import closure of the student's entry points (`import_closure`), so a new engine module the check
# path needs ships by itself; the engine names no lab, and of `assignments/` only the lab's own
# `LAB_SHIPPED` files go, into `rnnkit/public_tests/<id>/` (where the package's `assignments.py` finds them).
STUDENT_ENTRIES = ("__init__.py", "checking.py", "check_server.py", "student_cli.py", "grade.py")
LAB_SHIPPED = (LAB_FILE, "catalog.py", "procedures.py")
# Imported inside functions for staff work only: the reference (hidden tests' fixture, which needs the
# solutions) and the data generators (stand-ins for the course's files; a student has the real ones).
STAFF_LAZY = ("build.py", "reference.py", "coursedata")
ENGINE_DATA = ("grading.ini",)
PUBLIC_TESTS = "test_public.py"
CHECK_CELL = (
    "# Tests publics de cette question, sur le notebook enregistré (Ctrl-S d'abord).\n"
    "from rnnkit import check\n"
    "check({question!r})"
)
# Importing the package starts the checking process in the background: the first check() then finds it warm.
START_CELL = (
    "# Démarre en arrière-plan le vérificateur des cellules check() (quelques secondes, une seule fois).\n"
    "from rnnkit import check, submit"
)
SUBMIT_CELL = (
    "# Dernière cellule : enregistrez le notebook (Ctrl-S), puis exécutez-la. Elle construit l'archive\n"
    "# à rendre et relance tous les tests publics.\n"
    "from rnnkit import submit\n"
    "submit()"
)
# The student package's dependencies beyond the lab's own (torch, numpy, matplotlib, tqdm), pinned as the kit's.
STUDENT_REQUIREMENTS = (
    "torch",
    "numpy",
    "matplotlib",
    "tqdm",
    "pytest",
    "jinja2",
    "markdown-it-py",
    "nbformat",
)


def build_template(assignment: Assignment, dest: Path) -> list[Path]:
    """Write the student skeleton of ``assignment`` into ``dest``; return the files written."""

    def transform(text: str, path: Path, notebook: bool) -> str:
        template, _ = strip_solutions(text, _rel(path), notebook=notebook)
        return template

    written = _assemble(assignment, dest, transform, check=True)
    written += _ship_engine(assignment, dest / "rnnkit")
    written += _ship_handout(dest, dest / "rnnkit" / "handout")
    return written + [_requirements(dest / "requirements.txt")]


def student_modules(assignment_id: str) -> list[Path]:
    """The engine files a student folder of ``assignment_id`` ships (paths under the engine); the lab's
    own files (``LAB_SHIPPED``) go beside its public tests (``_ship_engine``)."""
    closure = import_closure([KIT / name for name in STUDENT_ENTRIES])
    closure |= set(
        (KIT / "sandbox").glob("*.py")
    )  # the worker's runtime, copied whole into each worker
    return sorted(p for p in closure if p.is_file())


def import_closure(entries: list[Path]) -> set[Path]:
    """The engine modules ``entries`` import (relative imports anywhere in a file), transitively,
    except the staff-only ones that engine code imports lazily on purpose (``STAFF_LAZY``)."""
    import ast

    todo, seen = list(entries), set()
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file() or path.relative_to(KIT).parts[0] in STAFF_LAZY:
            continue
        seen.add(path)
        package = path.parent
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package
                for _ in range(node.level - 1):
                    base = base.parent
                parts = node.module.split(".") if node.module else []
                target = base.joinpath(*parts)
                todo += [target.with_suffix(".py"), target / "__init__.py"]
                todo += [target / f"{alias.name}.py" for alias in node.names]
    return {p for p in seen if KIT in p.parents}


def _ship_engine(assignment: Assignment, dest: Path) -> list[Path]:
    written = []
    for source in student_modules(assignment.id):
        relative = source.relative_to(KIT)
        target = dest / ("__main__.py" if relative == Path("student_cli.py") else relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    for name in ENGINE_DATA:
        shutil.copyfile(KIT / name, dest / name)
        written.append(dest / name)
    lab = KIT.parent / "assignments" / assignment.id
    for relative in (
        *LAB_SHIPPED,
        f"tests/{PUBLIC_TESTS}",
    ):  # the package's lab folder: never a hidden test
        if (lab / relative).is_file():
            target = dest / "public_tests" / assignment.id / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(lab / relative, target)
            written.append(target)
    return written


def _ship_handout(folder: Path, dest: Path) -> list[Path]:
    """A copy of what was handed out (notebook and modules), so that ``check`` tells the student's
    work from the stubs exactly as the final grading does."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted([*folder.glob("*.ipynb"), *folder.glob("*.py")]):
        shutil.copyfile(source, dest / source.name)
        written.append(dest / source.name)
    return written


def _requirements(target: Path) -> Path:
    pins = {}
    for line in (KIT.parent / "requirements.txt").read_text(encoding="utf-8").splitlines():
        name, _, version = line.partition("==")
        if version:
            pins[name.strip().lower()] = version.strip()
    lines = [
        "# Ce qu'il faut pour ce TP et pour check() / submit() : pip install -r requirements.txt"
    ]
    lines += [f"{name}=={pins[name]}" if name in pins else name for name in STUDENT_REQUIREMENTS]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def graded_module_names(assignment: Assignment) -> list[str]:
    """The handed-out modules the student edits (those holding a solution region)."""
    return [m.name for m in assignment.modules if has_solution(m.read_text(encoding="utf-8"))]


def build_reference(assignment: Assignment, dest: Path) -> list[Path]:
    """Write the runnable reference of ``assignment`` into ``dest`` (solutions kept)."""

    def transform(text: str, path: Path, notebook: bool) -> str:
        strip_solutions(text, _rel(path), notebook=notebook)  # same marker checks as the template
        return solution_lines_removed(text)

    files = _assemble(assignment, dest, transform, check=False)
    # The notebook source itself is a runnable script (percent format is plain Python).
    script = dest / assignment.notebook.name
    script.write_text(
        transform(assignment.notebook.read_text(encoding="utf-8"), assignment.notebook, True),
        encoding="utf-8",
    )
    return files + [script]


def sync_templates(root: Path = TEMPLATE, ids: tuple[str, ...] = ASSIGNMENT_IDS) -> list[Path]:
    """Regenerate ``student_template/<id>/`` for each assignment (what ``make student`` runs): the
    committed notebook and modules, and the package that goes out with them."""
    written: list[Path] = []
    for assignment_id in ids:
        dest = root / assignment_id
        if dest.exists():
            shutil.rmtree(dest)
        written += build_template(load_assignment(assignment_id), dest)
    return written


def template_drift(root: Path = TEMPLATE, ids: tuple[str, ...] = ASSIGNMENT_IDS) -> list[str]:
    """Committed files that differ from a fresh build (empty when in sync); the package is not compared:
    it is built from the engine each time and never committed."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        sync_templates(fresh, ids)
        return sorted(_tree_diff(fresh, root, ids))


@contextlib.contextmanager
def built_template(assignment_id: str):
    """A freshly built student folder of ``assignment_id`` (package included), for the pipelines that
    hand it out; removed on exit."""
    with tempfile.TemporaryDirectory(prefix="rnnkit-template-") as tmp:
        folder = Path(tmp) / assignment_id
        build_template(load_assignment(assignment_id), folder)
        yield folder


def _assemble(
    assignment: Assignment, dest: Path, transform: Callable[[str, Path, bool], str], *, check: bool
) -> list[Path]:
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
        nb.cells = with_handin(assignment, _with_check_cells(nb.cells))
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"{assignment.id}-{index:03d}"  # stable ids keep the generated file diff-free
        if check and cell.cell_type == "code":
            check_python(cell.source, f"{_rel(source)} (cell {index})")
    nbformat.validate(nb)
    target = dest / f"{assignment.id}.ipynb"
    target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return target


def with_handin(assignment: Assignment, cells: list) -> list:
    """The hand-in contract at the end of the first cell (which everyone reads) and a last cell that
    builds the hand-in (``submit()``). Not in the otter and nbgrader notebooks: there, the hand-in is
    theirs."""
    cells = [nbformat.from_dict(dict(c)) for c in cells]
    if cells and cells[0].cell_type == "markdown":
        cells[0].source = cells[0].source.rstrip() + "\n\n" + handin_text(assignment)
    else:
        cells.insert(0, nbformat.v4.new_markdown_cell(handin_text(assignment)))
    start, submit = nbformat.v4.new_code_cell(START_CELL), nbformat.v4.new_code_cell(SUBMIT_CELL)
    start.metadata["tags"] = submit.metadata["tags"] = ["skip-grading"]
    return cells[:1] + [start] + cells[1:] + [submit]


def without_handin(assignment: Assignment, cells: list) -> list:
    """The template's cells as otter and nbgrader show them: ``with_handin`` undone."""
    cells = [nbformat.from_dict(dict(c)) for c in cells]
    text = "\n\n" + handin_text(assignment)
    if cells and cells[0].cell_type == "markdown" and cells[0].source.endswith(text):
        cells[0].source = cells[0].source[: -len(text)]
    elif cells and cells[0].source == handin_text(assignment):
        cells = cells[1:]
    return [
        c for c in cells if not (c.cell_type == "code" and c.source in (START_CELL, SUBMIT_CELL))
    ]


def handin_text(assignment: Assignment) -> str:
    """The end of the notebook's first cell: what to hand in, how to install, what a check is (and is not)."""
    modules = graded_module_names(assignment)
    files = " et ".join(f"`{m}`" for m in modules)
    handed = (
        f"ce notebook et {files}. Vos réponses dans {'ces fichiers' if len(modules) > 1 else 'ce fichier'} "
        f"sont notées : un notebook rendu sans {'eux' if len(modules) > 1 else 'lui'} est corrigé avec les "
        "versions distribuées, où tout reste à faire."
        if modules
        else "ce notebook."
    )
    return "\n".join(
        [
            "## Avant de commencer : rendu et vérifications",
            "",
            f"**Ce qu'il faut rendre.** L'archive `{assignment.id}-rendu.zip`, construite par la dernière cellule "
            f"du notebook (`submit()`). Elle contient {handed}",
            "",
            "**Installation.** `pip install -r requirements.txt` dans ce dossier : PyTorch, numpy, matplotlib et "
            "tqdm pour le TP ; pytest, jinja2, markdown-it-py et nbformat pour les vérifications.",
            "",
            '**Vérifier une question.** Après chaque question, la cellule `check("Qn")` lance ses tests '
            "publics sur le notebook *enregistré* (Ctrl-S d'abord) et les fichiers du dossier, dans un processus "
            "à part, comme la correction finale. Ce n'est pas la note : la correction ajoute d'autres tests. "
            "Le premier appel prend quelques secondes, les suivants environ une seconde.",
            "",
            "**Où.** Linux, macOS, Windows (ou WSL) et Colab. Sur Colab, copiez tout le dossier du TP (avec "
            "`rnnkit/`) et placez-vous dedans (`%cd`) avant d'exécuter les cellules. Sous Windows et Colab, votre "
            "code est vérifié sans bac à sable, ce qui ne change rien aux résultats.",
        ]
    )


def _with_check_cells(cells: list) -> list:
    """After each auto-graded question's section, a cell running its public tests (never graded)."""
    out, pending, level = [], None, 0
    for cell in cells:
        heading = _heading_level(cell)
        if pending and heading and (heading <= level or "points" in cell.metadata):
            out.append(_check_cell(pending))
            pending = None
        if (
            cell.cell_type == "markdown"
            and "points" in cell.metadata
            and not cell.metadata.get("manual")
        ):
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
        new = {p.relative_to(fresh) for p in a.rglob("*") if p.is_file() and PACKAGE not in p.parts}
        old = (
            {
                p.relative_to(committed)
                for p in b.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and PACKAGE not in p.parts
            }
            if b.exists()
            else set()
        )
        problems += [f"{p}: missing from the committed template" for p in new - old]
        problems += [f"{p}: not produced by the build (stale)" for p in old - new]
        problems += [
            f"{p}: differs from a fresh build"
            for p in new & old
            if not filecmp.cmp(fresh / p, committed / p, shallow=False)
        ]
    return problems


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
