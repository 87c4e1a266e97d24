"""Intake: turn whatever a student handed in (notebook, .py files, folder, zip) into a Submission.

Only code and small text files are kept, copied into a fresh folder: checkpoints and pickles
are never loaded, and an archive cannot write outside its folder.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import posixpath
import re
import shutil
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from .results import Message, Submission

IGNORED_PARTS = {
    "__pycache__",
    ".ipynb_checkpoints",
    ".git",
    "__MACOSX",
    ".venv",
    "venv",
    "runs",
    "node_modules",
    "rnnkit",
}  # rnnkit: the engine shipped beside the notebook, never student code
# Handed out with the notebook and imported by it, but not the student's code: copied, never graded.
KIT_PACKAGES = {"coursedata"}
NEVER_LOAD = {
    ".pt",
    ".pth",
    ".pch",
    ".pkl",
    ".pickle",
    ".ckpt",
    ".bin",
    ".npy",
    ".npz",
    ".safetensors",
}
MAX_FILE = 5 * 2**20  # a bigger file is left out (and named in a note)
MAX_ARCHIVE = 200 * 2**20  # uncompressed bytes
MAX_MEMBERS = 5000


def intake(
    path: Path,
    workdir: Path,
    *,
    assignment_id: str,
    module_order: tuple[str, ...] = (),
    student: str | None = None,
    handouts: Path | None = None,
    notebook: str | None = None,
) -> Submission:
    """Copy the gradable files of ``path`` into ``workdir`` and say which will be graded.

    ``notebook`` (a name or a path inside the hand-in) forces the graded notebook, for a caller that
    knows it (the student's ``check(notebook=...)``); otherwise ``_choose_notebook`` picks one.
    ``handouts`` (the student template) fills in the modules not handed in, and tells which of the
    graded modules are missing or untouched (``Submission.missing_modules``, ``unchanged_modules``).
    """
    path = Path(path)
    student = student or (path.stem if path.is_file() else path.name)
    workdir.mkdir(parents=True, exist_ok=True)
    notes: list[Message] = []
    if not path.exists():
        return Submission(
            student,
            workdir,
            None,
            (),
            problem=Message.of("no_code", detail=f"{path.name} not found"),
        )
    if path.is_file() and path.suffix.lower() == ".zip":
        problem = _unzip(path, workdir)
        if problem:
            return Submission(student, workdir, None, (), problem=problem)
    elif path.is_file():
        if path.suffix.lower() not in (".py", ".ipynb"):
            return Submission(
                student, workdir, None, (), problem=Message.of("no_code", detail=_text(path.name))
            )
        _store(path, workdir / _text(path.name), notes)
    else:
        _copy_tree(path, workdir, notes)
    handed_out = _add_handouts(handouts, workdir)
    submission = _describe(
        student, workdir, assignment_id, module_order, notes, handed_out, notebook
    )
    if submission.problem is not None or handouts is None:
        return submission
    missing, unchanged = stub_modules(submission, handouts, handed_out, assignment_id)
    return replace(submission, missing_modules=missing, unchanged_modules=unchanged)


def _add_handouts(handouts: Path | None, workdir: Path) -> set[Path]:
    """A notebook handed in alone still imports the lab's given files (utils.py, coursedata/...):
    copy those the student did not hand in; they are imported, never graded as the student's."""
    added: set[Path] = set()
    if handouts is None or not handouts.is_dir():
        return added
    for item in sorted(handouts.rglob("*")):
        relative = item.relative_to(handouts)
        if not item.is_file() or IGNORED_PARTS & set(relative.parts) or item.suffix == ".ipynb":
            continue
        if (
            relative.suffix == ".py"
            and len(relative.parts) == 1
            and any(workdir.rglob(relative.name))
        ):
            continue  # the student's own version of a handed-out module wins, wherever it sits
        target = workdir / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, target)
            added.add(relative)
    return added


def _describe(
    student,
    workdir: Path,
    assignment_id: str,
    module_order,
    notes: list[Message],
    handed_out: set[Path] = frozenset(),
    forced: str | None = None,
) -> Submission:
    files = sorted(
        p.relative_to(workdir)
        for p in workdir.rglob("*")
        if p.is_file() and p.relative_to(workdir) not in handed_out
    )
    notebooks = [p for p in files if p.suffix.lower() == ".ipynb"]
    modules = _order_modules(
        [
            p
            for p in files
            if p.suffix == ".py"
            and not KIT_PACKAGES & set(p.parts)
            and not (p.stem.startswith("__") and p.stem.endswith("__"))
        ],
        module_order,
        notes,
    )
    if forced is not None:
        notebook = _forced_notebook(notebooks, forced, notes)
        if notebook is None:
            found = ", ".join(str(n) for n in notebooks)
            problem = (
                Message.of("notebook_not_found", name=forced, found=found)
                if found
                else Message.of("notebook_not_found_none", name=forced)
            )
            return Submission(
                student, workdir, None, (), tuple(notes), problem, fingerprint(workdir, files)
            )
    else:
        notebook = _choose_notebook([workdir / n for n in notebooks], assignment_id, notes)
        notebook = notebook.relative_to(workdir) if notebook is not None else None
    if notebook is not None:
        problem = _check_notebook(workdir / notebook)
        if problem is not None:
            notes.append(problem)
            if not modules:
                return Submission(
                    student, workdir, None, (), tuple(notes), problem, fingerprint(workdir, files)
                )
            notebook = None
    if notebook is None and not modules:
        return Submission(
            student,
            workdir,
            None,
            (),
            tuple(notes),
            Message.of("no_code", detail=""),
            fingerprint(workdir, files),
        )
    return Submission(
        student,
        workdir,
        str(notebook) if notebook else None,
        tuple(str(m) for m in modules),
        tuple(notes),
        None,
        fingerprint(workdir, files),
    )


def _choose_notebook(
    notebooks: list[Path], assignment_id: str, notes: list[Message]
) -> Path | None:
    """The notebook holding the student's work: one whose code differs from the handed-out template's
    (a renamed copy beside an untouched original), then the assignment's name, shallower, bigger."""
    if not notebooks:
        return None
    short = assignment_id.split("-")[
        0
    ]  # "lab2" of "lab2-gru": matches lab2.ipynb, LAB2_gru.ipynb...
    template = _code_cells(_template_notebook(assignment_id))
    work = {p: _holds_work(p, template) for p in notebooks}

    def rank(p: Path):
        name = p.stem.lower()
        return (
            not work[p],
            name != assignment_id,
            short not in name,
            len(p.parts),
            -(p.stat().st_size if p.exists() else 0),
            str(p),
        )

    chosen = sorted(notebooks, key=rank)[0]
    if len(notebooks) > 1:
        others = [p for p in notebooks if p != chosen]
        with_work = [p for p in others if work[p] and _code_cells(p) != _code_cells(chosen)]
        notes.append(
            Message.of(
                "several_notebooks_with_work" if with_work else "several_notebooks",
                chosen=chosen.name,
                ignored=", ".join(p.name for p in others),
            )
        )
    return chosen


def _forced_notebook(notebooks: list[Path], forced: str, notes: list[Message]) -> Path | None:
    """The notebook the caller asked for: its path inside the hand-in, or else its name (the shallowest
    of that name); None when there is none."""
    wanted = PurePosixPath(forced.replace("\\", "/"))
    exact = [p for p in notebooks if PurePosixPath(p.as_posix()) == wanted]
    named = sorted(
        (p for p in notebooks if p.name == wanted.name), key=lambda p: (len(p.parts), str(p))
    )
    chosen = (exact or named or [None])[0]
    if chosen is not None and len(notebooks) > 1:
        notes.append(
            Message.of(
                "notebook_forced",
                chosen=str(chosen),
                ignored=", ".join(str(p) for p in notebooks if p != chosen),
            )
        )
    return chosen


def _template_notebook(assignment_id: str) -> Path:
    from .assignments import (
        handouts,  # the handed-out notebook (`make student`; rnnkit/handout in a student folder)
    )

    return handouts(assignment_id) / f"{assignment_id}.ipynb"


def _code_cells(path: Path) -> frozenset[str] | None:
    """The stripped sources of a notebook's code cells, or None when it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        return frozenset(
            _source(c).strip()
            for c in data["cells"]
            if isinstance(c, dict) and c.get("cell_type") == "code" and _source(c).strip()
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, MemoryError):
        return None


def _holds_work(path: Path, template: frozenset[str] | None) -> bool:
    """Some code cell that the template does not have (without a template, every notebook counts)."""
    cells = _code_cells(path)
    if cells is None:
        return False
    return template is None or bool(cells - template)


# --- graded modules left as handed out -----------------------------------------------------------------


def stub_modules(
    submission: Submission,
    handouts: Path,
    handed_out: set[Path] = frozenset(),
    assignment_id: str = "",
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The graded modules (``graded_modules``) a hand-in showing work left as they were handed out:
    (not handed in, handed in unchanged in code), by file name. Their questions are graded on the stubs.

    A hand-in shows work when its notebook's code differs from the template's, or when it holds a module
    the course did not hand out; the untouched template shows none (zero work, not an incomplete
    hand-in). A module whose stubs are all defined elsewhere in the hand-in (the notebook, a module of
    the student's own) is not listed: those definitions are what the tests find.
    """
    graded = dict(graded_modules(assignment_id, handouts))
    if not graded or submission.problem is not None:
        return (), ()
    folder = Path(submission.folder)
    given = {p.name for p in handouts.glob("*.py")}
    template = _code_cells(handouts / f"{assignment_id}.ipynb")
    work = (
        submission.notebook is not None and _holds_work(folder / submission.notebook, template)
    ) or any(Path(m).name not in given for m in submission.modules)
    if not work:
        return (), ()
    from .source import (
        read_source,  # the notebook's cells and the modules, as the grader reads them
    )

    parts = read_source(submission).parts
    mine = {Path(m).name: m for m in submission.modules}
    missing, unchanged = [], []
    for name, stub in graded.items():
        path = mine.get(name)
        if path is not None:
            try:
                text = (folder / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if not same_code(text, stub):
                continue
        # The notebook's cells and the student's own modules; not another handed-out module, whose
        # names the notebook's `from textloader import *` would shadow anyway.
        elsewhere = {
            n
            for label, code in parts
            if label != path and Path(label).name not in given
            for n in _defined_names(code)
        }
        stubs = _stub_names(stub)
        if stubs and stubs <= elsewhere:
            continue  # every stub rewritten in the notebook (or another module), which the tests reach first
        (missing if path is None else unchanged).append(name)
    return tuple(missing), tuple(unchanged)


@functools.cache
def graded_modules(assignment_id: str, handouts: Path) -> tuple[tuple[str, str], ...]:
    """(file name, handed-out text) of the template's modules that hold the student's work: those whose
    reference has a solution region. Where the reference is not shipped, those with a stub (what
    ``make student`` writes in place of each region)."""
    from .assignments import SOLUTIONS
    from .markers import has_solution

    solutions = SOLUTIONS / assignment_id
    found = []
    for module in sorted(Path(handouts).glob("*.py")):
        text = module.read_text(encoding="utf-8", errors="replace")
        reference = solutions / module.name
        if solutions.is_dir():
            marked = reference.is_file() and has_solution(
                reference.read_text(encoding="utf-8", errors="replace")
            )
        else:
            marked = bool(_stub_names(text))
        if marked:
            found.append((module.name, text))
    return tuple(found)


def same_code(text: str, stub: str) -> bool:
    """Byte-identical, or the same code once comments, docstrings, blank lines and layout are set aside."""
    if text == stub:
        return True
    try:
        return _code_only(text) == _code_only(stub)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False  # the stub parses: a file that does not was edited


def _code_only(text: str) -> str:
    tree = ast.parse(text)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]  # a docstring says, it does not do
    return ast.dump(tree)


def _stub_names(text: str) -> frozenset[str]:
    """Top-level functions and classes of a handed-out module that raise NotImplementedError somewhere."""
    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    return frozenset(
        node.name
        for node in body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and any(
            isinstance(n, ast.Raise) and "NotImplementedError" in ast.dump(n)
            for n in ast.walk(node)
        )
    )


def _defined_names(text: str) -> set[str]:
    """Names a piece of code defines at its top level (functions, classes, assignments), imports aside:
    ``from textloader import pad_collate_fn`` brings the stub itself."""
    from .source import _top_level

    names: set[str] = set()
    for node in _top_level(text):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def _order_modules(
    modules: list[Path], module_order: tuple[str, ...], notes: list[Message]
) -> list[Path]:
    """Course names first (in the assignment's order), shallower first; one file per module name."""

    def rank(p: Path):
        known = module_order.index(p.stem) if p.stem in module_order else len(module_order)
        return (known, len(p.parts), str(p))

    chosen: dict[str, Path] = {}
    for p in sorted(modules, key=rank):
        if p.stem in chosen:
            notes.append(Message.of("duplicate_module", chosen=str(chosen[p.stem]), ignored=str(p)))
            continue
        chosen[p.stem] = p
    return list(chosen.values())


def _check_notebook(path: Path) -> Message | None:
    """Any failure to read the notebook (bad JSON, nesting too deep, wrong types) makes it invalid."""
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        cells = data["cells"]
        if not isinstance(cells, list):
            raise TypeError("'cells' is not a list")
        has_code = any(
            isinstance(c, dict) and c.get("cell_type") == "code" and _source(c).strip()
            for c in cells
        )
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, MemoryError) as err:
        detail = "nested too deeply" if isinstance(err, RecursionError) else str(err)[:200]
        return Message.of("invalid_notebook", name=path.name, detail=detail)
    if not has_code:
        return Message.of("empty_notebook", name=path.name)
    return None


def _source(cell: dict) -> str:
    """A cell's source as text, whatever a broken editor wrote there (a list, a string, null)."""
    source = cell.get("source")
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def _text(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 become U+FFFD (the file is kept)."""
    return os.fsencode(name).decode("utf-8", "replace")


def _store(source: Path | bytes, target: Path, notes: list[Message]) -> None:
    """Copy one handed-in file; a notebook over the size cap is kept without its outputs (which the
    grader never reads) when its code alone fits."""
    data = source if isinstance(source, bytes) else source.read_bytes()
    if len(data) > MAX_FILE and target.suffix.lower() == ".ipynb":
        data = _without_outputs(data)
    if data is None or len(data) > MAX_FILE:
        notes.append(
            Message.of("file_too_large", name=target.name, limit=f"{MAX_FILE // 2**20} MiB")
        )
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _without_outputs(data: bytes) -> bytes | None:
    try:
        notebook = json.loads(data.decode("utf-8", errors="replace"))
        for cell in notebook.get("cells", []):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                cell["outputs"], cell["execution_count"] = [], None
                if isinstance(cell.get("attachments"), dict):
                    cell["attachments"] = {}
            elif isinstance(cell, dict):
                cell.pop("attachments", None)
        return json.dumps(notebook, ensure_ascii=False).encode("utf-8")
    except (ValueError, TypeError, AttributeError, RecursionError, MemoryError):
        return data  # left for _check_notebook to name


def _copy_tree(source: Path, workdir: Path, notes: list[Message]) -> None:
    for item in sorted(source.rglob("*")):
        relative = item.relative_to(source)
        if item.is_symlink() or not item.is_file() or IGNORED_PARTS & set(relative.parts):
            continue
        if item.suffix.lower() in NEVER_LOAD:
            continue
        if item.stat().st_size > MAX_FILE and item.suffix.lower() not in (".ipynb",):
            notes.append(
                Message.of(
                    "file_too_large", name=_text(str(relative)), limit=f"{MAX_FILE // 2**20} MiB"
                )
            )
            continue
        _store(item, workdir / _text(str(relative)), notes)


def _unzip(archive: Path, workdir: Path) -> Message | None:
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_ARCHIVE:
                return Message.of("bad_archive", detail="too large")
            for member in members:
                name = PurePosixPath(member.filename)
                if member.is_dir() or IGNORED_PARTS & set(name.parts):
                    continue
                if name.is_absolute() or ".." in name.parts:
                    return Message.of("bad_archive", detail=f"unsafe path {member.filename}")
                if name.suffix.lower() in NEVER_LOAD:
                    continue
                if member.file_size > MAX_FILE and name.suffix.lower() != ".ipynb":
                    continue
                with zf.open(member) as src:
                    data = src.read(MAX_ARCHIVE + 1)
                _store(data, workdir.joinpath(*name.parts), [])
    except (
        zipfile.BadZipFile,
        OSError,
        RuntimeError,
        ValueError,
        EOFError,
        NotImplementedError,
    ) as err:
        return Message.of("bad_archive", detail=str(err)[:200])
    return None


# --- the course's data files, where students' code opens them ----------------------------------------
#
# Hand-ins load the course's files at their top level (``torch.load(open(PATH + "hzdataset.pch", "rb"))``
# with ``PATH = "data/"``, ``"../data/"`` or ``"./"``; ``open("trump_full_speech.txt")``). The grader never
# has the real files: it puts stand-ins under the course's names in the worker's own copy of the
# submission. So that ``../data`` stays inside that copy, the submission's files sit one folder (or more)
# below the copy's root, and the worker runs there: ``<root>/submission/`` with ``<root>/data/`` beside it.
COURSE_FILES = ("hzdataset.pch", "trump_full_speech.txt")
SUBMISSION_FOLDER = "submission"  # the worker's working folder, inside its copy
NEST_FOLDER = "up"  # extra levels above it when the code names ../../data
MAX_UP = (
    3  # deepest ``../`` provided; a path going higher stays unresolved (FileNotFoundError, named)
)
MAX_FOLDERS = 12  # folders named by the code that get the stand-ins (beyond the three defaults)
# Stand-in metro tensor: the course's slots, stations and channels (73, 80, 2) over fewer days than the
# real 18 + 7, so that a training loop run at top level costs less of its cell's budget.
STANDIN_DAYS = (4, 2)
DEFAULT_FOLDERS = (".", "data", "../data")
# A top-level constant naming a folder: PATH, DATA_PATH, data_dir, ROOT, dossier...
_PATH_NAME = re.compile(r"(?i)(path|dir|folder|root|data|dossier|rep)")
_CONSTANT = re.compile(
    r"""^(?P<name>[A-Za-z_]\w*)\s*(?::[^=\n]*)?=\s*(?:(?:pathlib\.)?Path\(\s*)?[rRuU]?"""
    r"""(?P<q>['"])(?P<value>[^'"\n]{0,300})(?P=q)""",
    re.MULTILINE,
)
_FILES = "|".join(re.escape(f) for f in COURSE_FILES)
_FILE_LITERAL = re.compile(
    r"""(?P<q>['"])(?P<folder>[^'"\n{}]{0,300}?)(?P<file>""" + _FILES + r""")(?P=q)"""
)


@functools.lru_cache(maxsize=1)
def course_standins() -> tuple[tuple[str, bytes], ...]:
    """(course file name, bytes) of each stand-in, made once per grading process (about 70 ms).

    Empty where the data layer is not there (the engine's copy shipped to students as ``rnnkit/``).
    """
    try:
        from .coursedata import generate_metro, sample_corpus, write_metro
    except ImportError:
        return ()
    with tempfile.TemporaryDirectory(prefix="rnnkit-standins-") as tmp:
        # Saved by the data layer's own writer: the course's format, a tuple of two float32 tensors.
        metro = write_metro(
            Path(tmp) / COURSE_FILES[0],
            *generate_metro(n_train_days=STANDIN_DAYS[0], n_test_days=STANDIN_DAYS[1]),
        ).read_bytes()
    return ((COURSE_FILES[0], metro), (COURSE_FILES[1], sample_corpus().text.encode("utf-8")))


def data_folders(texts) -> list[str]:
    """Folders, relative to the worker's folder, where the code may look for the course's files: the
    defaults, the folder part of literals ending with a course file name, and top-level constants with
    a path-like name (``PATH = "../data/"``). Absolute paths and ``~`` are left out: they point outside
    the worker's copy, which it must not see."""
    found = list(DEFAULT_FOLDERS)
    for text in texts:
        candidates = [m.group("folder") for m in _FILE_LITERAL.finditer(text)]
        candidates += [
            m.group("value")
            for m in _CONSTANT.finditer(text)
            if _PATH_NAME.search(m.group("name"))
            and (
                "/" in m.group("value")
                or m.group("value").startswith(".")
                or "data" in m.group("value").lower()
            )
        ]
        for value in candidates:
            folder = _folder_of(value)
            if (
                folder is not None
                and folder not in found
                and len(found) < len(DEFAULT_FOLDERS) + MAX_FOLDERS
            ):
                found.append(folder)
    return found


def _folder_of(value: str) -> str | None:
    value = value.strip().replace("\\", "/")
    if value.endswith(COURSE_FILES):
        value = value[: value.rfind("/") + 1] if "/" in value else ""
    if not value or value in (".", "./"):
        return "."
    if value.startswith(("/", "~")) or ":" in value or "{" in value or "%" in value:
        return None  # absolute, a home folder, a URL or a Windows drive, a format: outside the copy
    if posixpath.splitext(value.rstrip("/"))[1] and not value.endswith("/"):
        return None  # names a file (model.pt), not a folder
    normal = posixpath.normpath(value)
    parts = normal.split("/")
    ups = len(parts) - len([p for p in parts if p != ".."])
    if ".." in parts[ups:] or ups > MAX_UP:
        return None
    return normal


def provide_course_files(submission: Submission, root: Path, texts=None) -> Submission:
    """Lay the submission out for its worker with stand-ins of the course's files beside it.

    The submission's folder moves to ``root/[up/...]submission``; every folder of ``data_folders``
    (``.``, ``data``, ``../data`` and those the code names) gets the stand-ins under the course's
    names, unless the student handed in a file of that name there. Everything stays under ``root``,
    which is what the worker's copy holds. Returns the submission with its new folder and ``cwd``
    (its place under ``root``, where the worker runs).
    """
    standins = course_standins()
    if submission.problem is not None or not standins:
        return submission
    if texts is None:
        from .source import read_source

        texts = [text for _, text in read_source(submission).parts]
    folders = data_folders(texts)
    ups = max(1, max(f.split("/").count("..") for f in folders))
    work = root.joinpath(*([NEST_FOLDER] * (ups - 1)), SUBMISSION_FOLDER)
    work.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(submission.folder), str(work))
    for folder in folders:
        target = Path(posixpath.normpath(str(work / folder)))
        if not target.is_relative_to(root):  # never, by data_folders; kept as the rule's statement
            continue
        for name, data in standins:
            path = target / name
            if (
                path.exists()
                or path.is_symlink()
                or any(p.is_file() for p in path.parents if p.is_relative_to(root))
            ):
                continue  # the student's own file, or a file where a folder should be
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return replace(submission, folder=work, cwd=work.relative_to(root).as_posix())


def fingerprint(root: Path, files: list[Path]) -> str:
    """SHA-256 of files given relative to ``root``: their names and contents, in this order."""
    digest = hashlib.sha256()
    for relative in files:
        digest.update(os.fsencode(str(relative)) + b"\0" + (root / relative).read_bytes() + b"\0")
    return digest.hexdigest()


def entry_fingerprint(entry: Path) -> str:
    """Fingerprint of a class entry as handed in (a file, or a folder and everything in it)."""
    files = [entry] if entry.is_file() else sorted(p for p in entry.rglob("*") if p.is_file())
    return fingerprint(entry.parent, [p.relative_to(entry.parent) for p in files])
