"""Intake: turn whatever a student handed in (notebook, .py files, folder, zip) into a Submission.

Only code and small text files are kept, copied into a fresh folder: checkpoints and pickles
are never loaded, and an archive cannot write outside its folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from .results import Message, Submission

IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".git", "__MACOSX", ".venv", "venv", "runs", "node_modules",
                 "rnnkit"}  # rnnkit: the engine shipped beside the notebook, never student code
# Handed out with the notebook and imported by it, but not the student's code: copied, never graded.
KIT_PACKAGES = {"coursedata"}
NEVER_LOAD = {".pt", ".pth", ".pch", ".pkl", ".pickle", ".ckpt", ".bin", ".npy", ".npz", ".safetensors"}
MAX_FILE = 5 * 2**20  # a bigger file is left out (and named in a note)
MAX_ARCHIVE = 200 * 2**20  # uncompressed bytes
MAX_MEMBERS = 5000


def intake(path: Path, workdir: Path, *, assignment_id: str, module_order: tuple[str, ...] = (),
           student: str | None = None, handouts: Path | None = None) -> Submission:
    """Copy the gradable files of ``path`` into ``workdir`` and say which will be graded."""
    path = Path(path)
    student = student or (path.stem if path.is_file() else path.name)
    workdir.mkdir(parents=True, exist_ok=True)
    notes: list[Message] = []
    if not path.exists():
        return Submission(student, workdir, None, (), problem=Message.of("no_code", detail=f"{path.name} not found"))
    if path.is_file() and path.suffix.lower() == ".zip":
        problem = _unzip(path, workdir)
        if problem:
            return Submission(student, workdir, None, (), problem=problem)
    elif path.is_file():
        if path.suffix.lower() not in (".py", ".ipynb"):
            return Submission(student, workdir, None, (), problem=Message.of("no_code", detail=_text(path.name)))
        _store(path, workdir / _text(path.name), notes)
    else:
        _copy_tree(path, workdir, notes)
    handed_out = _add_handouts(handouts, workdir)
    return _describe(student, workdir, assignment_id, module_order, notes, handed_out)


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
        if relative.suffix == ".py" and len(relative.parts) == 1 and any(workdir.rglob(relative.name)):
            continue  # the student's own version of a handed-out module wins, wherever it sits
        target = workdir / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, target)
            added.add(relative)
    return added


def _describe(student, workdir: Path, assignment_id: str, module_order, notes: list[Message],
              handed_out: set[Path] = frozenset()) -> Submission:
    files = sorted(p.relative_to(workdir) for p in workdir.rglob("*") if p.is_file() and p.relative_to(workdir) not in handed_out)
    notebooks = [p for p in files if p.suffix.lower() == ".ipynb"]
    modules = _order_modules([p for p in files if p.suffix == ".py" and not KIT_PACKAGES & set(p.parts)
                              and not (p.stem.startswith("__") and p.stem.endswith("__"))], module_order, notes)
    notebook = _choose_notebook(notebooks, assignment_id, notes)
    if notebook is not None:
        problem = _check_notebook(workdir / notebook)
        if problem is not None:
            notes.append(problem)
            if not modules:
                return Submission(student, workdir, None, (), tuple(notes), problem, fingerprint(workdir, files))
            notebook = None
    if notebook is None and not modules:
        return Submission(student, workdir, None, (), tuple(notes), Message.of("no_code", detail=""),
                          fingerprint(workdir, files))
    return Submission(student, workdir, str(notebook) if notebook else None, tuple(str(m) for m in modules),
                      tuple(notes), None, fingerprint(workdir, files))


def _choose_notebook(notebooks: list[Path], assignment_id: str, notes: list[Message]) -> Path | None:
    if not notebooks:
        return None
    short = assignment_id.split("-")[0]  # "tp4": matches tp4.ipynb, TP4_lstm.ipynb...

    def rank(p: Path):
        name = p.stem.lower()
        return (name != assignment_id, short not in name, len(p.parts), -(p.stat().st_size if p.exists() else 0), str(p))

    chosen = sorted(notebooks, key=rank)[0]
    if len(notebooks) > 1:
        notes.append(Message.of("several_notebooks", chosen=str(chosen),
                                ignored=", ".join(str(p) for p in notebooks if p != chosen)))
    return chosen


def _order_modules(modules: list[Path], module_order: tuple[str, ...], notes: list[Message]) -> list[Path]:
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
        has_code = any(isinstance(c, dict) and c.get("cell_type") == "code" and _source(c).strip() for c in cells)
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
        notes.append(Message.of("file_too_large", name=target.name, limit=f"{MAX_FILE // 2**20} MiB"))
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
            notes.append(Message.of("file_too_large", name=_text(str(relative)), limit=f"{MAX_FILE // 2**20} MiB"))
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
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError, NotImplementedError) as err:
        return Message.of("bad_archive", detail=str(err)[:200])
    return None


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
