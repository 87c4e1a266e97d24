"""Load untrusted student code inside the worker: notebook cells and ``.py`` modules, defensively.

Notebook code cells run in order in one namespace; cells tagged ``skip-grading`` are skipped,
IPython magics and shell escapes are neutralised, and each cell has a time budget. A ``.py``
module runs only its imports, definitions and assignments (never its ``__main__`` block, loops
or bare calls, which is where training lives), one top-level statement at a time, so a module
that fails half-way or does not even parse still yields its finished definitions.

This module is copied into the worker's folder: standard library only.
"""

from __future__ import annotations

import _thread
import ast
import importlib.abc
import importlib.util
import json
import os
import re
import signal
import sys
import threading
import traceback
import types
from dataclasses import asdict, dataclass, field
from pathlib import Path

SKIP_TAG = "skip-grading"
# A percent-format cell marker (jupytext, VS Code, Spyder): a notebook saved as a script keeps its tags there.
CELL_MARKER = re.compile(r"^#\s?%%")
MAGIC = re.compile(r"^(\s*)([!%].*)$")
# Statements worth running at a module's top level: they define things, they do not train.
DEFINING = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
)


class BudgetExceeded(BaseException):
    """Raised in student code when a cell or statement runs past its budget.

    A BaseException, so that a student's ``except Exception`` does not swallow it.
    """


@dataclass
class Step:
    """What happened to one cell or top-level statement."""

    where: str  # "cell 4" or "model.py:12"
    first_line: str
    status: str  # ok | raised | timeout | skipped | syntax
    error: str = ""


@dataclass
class LoadReport:
    steps: list[Step] = field(default_factory=list)
    modules: list[list[str]] = field(
        default_factory=list
    )  # [module name, file]: any name can cross
    # Steps the grader stopped from outside once (they ignored their budget): not run again.
    skip: frozenset = frozenset()
    # Called with each step's place before it runs: the grader times every step from outside.
    announce: object = None

    def as_dict(self) -> dict:
        return {"steps": [asdict(s) for s in self.steps], "modules": self.modules}

    def begin(self, where: str, first: str) -> bool:
        """Whether the step at ``where`` may run (the grader is told it starts)."""
        if where in self.skip:
            self.steps.append(
                Step(where, first, "timeout", "stopped by the grader: it ran past its budget")
            )
            return False
        if callable(self.announce):
            self.announce(where)
        return True


def time_budget(seconds: float):
    """Context manager raising BudgetExceeded in this (main) thread after ``seconds``.

    With POSIX signals: an interval timer. Without them (Windows) or in the portable worker, a timer
    thread interrupts the main thread; either way the grader's own deadline kills a worker stuck
    where neither can reach it (inside one long C call)."""
    if (
        hasattr(signal, "setitimer")
        and hasattr(signal, "SIGALRM")
        and not os.environ.get("RNNKIT_PORTABLE")
    ):
        return _Budget(seconds)
    return _ThreadBudget(seconds)


class _Budget:
    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self):
        def expire(signum, frame):
            raise BudgetExceeded(f"exceeded its {self.seconds:g} s budget")

        self.previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)
        return False


class _ThreadBudget:
    """The portable budget: ``_thread.interrupt_main`` raises KeyboardInterrupt in the main thread,
    turned here into BudgetExceeded."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.lock = threading.Lock()
        self.fired = self.done = False

    def _expire(self):
        with self.lock:
            if not self.done:
                self.fired = True
                _thread.interrupt_main()

    def __enter__(self):
        self.timer = threading.Timer(self.seconds, self._expire)
        self.timer.daemon = True
        self.timer.start()
        return self

    def __exit__(self, kind, value, trace):
        with self.lock:
            self.done = True
        self.timer.cancel()
        if self.fired and (kind is None or issubclass(kind, KeyboardInterrupt)):
            raise BudgetExceeded(f"exceeded its {self.seconds:g} s budget") from None
        return False


def cell_labels(cells: list) -> list[str | None]:
    """How the student sees each code cell: ``In [12]`` when the saved notebook has distinct execution
    counts, otherwise ``code cell 7`` (7th code cell); None for other cells."""
    code = [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
    counts = [c.get("execution_count") for c in code]
    numbered = [n for n in counts if isinstance(n, int) and not isinstance(n, bool)]
    distinct = len(numbered) == len(set(numbered))
    labels, k = [], 0
    for cell in cells:
        if not (isinstance(cell, dict) and cell.get("cell_type") == "code"):
            labels.append(None)
            continue
        k += 1
        n = cell.get("execution_count")
        labels.append(
            f"In [{n}]"
            if distinct and isinstance(n, int) and not isinstance(n, bool)
            else f"code cell {k}"
        )
    return labels


def is_cell_file(filename: str) -> bool:
    """Whether a code object's file name is one of a notebook's cells (see ``run_notebook``)."""
    return filename.startswith(("<In [", "<code cell "))


def neutralise_magics(source: str) -> str:
    """Replace IPython magics and shell escapes by ``pass`` (same line count, so line numbers hold)."""
    if source.lstrip().startswith("%%"):
        return "\n".join("pass" if i == 0 else "" for i, _ in enumerate(source.splitlines()))
    return "\n".join(
        MAGIC.sub(lambda m: f"{m.group(1)}pass  # {m.group(2)[:40]}", line)
        for line in source.splitlines()
    )


class SubmissionFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import the submission's own modules (``import textloader``) through the safe loader."""

    def __init__(self, files: dict[str, Path], report: LoadReport, budget: float):
        self.files, self.report, self.budget = files, report, budget

    def find_spec(self, name, path=None, target=None):
        if name in self.files:
            return importlib.util.spec_from_loader(name, self, origin=str(self.files[name]))
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        path = self.files[module.__name__]
        module.__file__ = str(path)
        self.report.modules.append([module.__name__, path.name])
        run_module_definitions(path, module.__dict__, self.report, self.budget)


def run_module_definitions(path: Path, namespace: dict, report: LoadReport, budget: float) -> None:
    """Run the defining top-level statements of ``path`` into ``namespace``, one at a time."""
    text = path.read_text(encoding="utf-8", errors="replace")
    skipped = skipped_cells(text)
    for chunk_start, statement_nodes, syntax_error in _parse_chunks(text):
        if syntax_error:
            report.steps.append(
                Step(f"{path.name}:{chunk_start}", _line(text, chunk_start), "syntax", syntax_error)
            )
            continue
        for node in statement_nodes:
            where = f"{path.name}:{node.lineno}"
            if not isinstance(node, DEFINING):
                continue  # loops, calls, `if __name__ == "__main__":` — the training lives there
            if any(first <= node.lineno <= last for first, last in skipped):
                report.steps.append(Step(where, _line(text, node.lineno), "skipped"))
                continue
            try:
                code = compile(ast.Module(body=[node], type_ignores=[]), str(path), "exec")
            except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as err:
                report.steps.append(
                    Step(
                        where,
                        _line(text, node.lineno),
                        "syntax",
                        f"cannot be compiled: {type(err).__name__}",
                    )
                )
                continue
            _run(code, namespace, report, where, _line(text, node.lineno), budget)


def skipped_cells(text: str) -> list[tuple[int, int]]:
    """(first line, last line) of each percent-format cell tagged ``skip-grading`` in a script,
    as in a notebook: ``# %% tags=["skip-grading"]`` up to the next cell marker."""
    cells, start = [], None
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if CELL_MARKER.match(line):
            if start is not None:
                cells.append((start, number - 1))
            start = number if SKIP_TAG in line else None
    if start is not None:
        cells.append((start, len(lines)))
    return cells


def run_notebook(path: Path, namespace: dict, report: LoadReport, budget: float) -> None:
    """Run the gradable code cells of an .ipynb file in order into ``namespace``."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError, RecursionError, MemoryError) as err:
        report.steps.append(
            Step(path.name, "", "syntax", f"not a readable notebook: {str(err)[:200]}")
        )
        return
    if not isinstance(cells, list):
        report.steps.append(
            Step(path.name, "", "syntax", "not a readable notebook: 'cells' is not a list")
        )
        return
    for cell, label in zip(cells, cell_labels(cells)):
        if label is None:
            continue
        source = cell.get("source")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        elif not isinstance(source, str):
            source = ""  # null or a number: a broken editor, nothing to run
        first = next((l.strip() for l in source.splitlines() if l.strip()), "")
        where = label
        tags = (cell.get("metadata") or {}).get("tags") or []
        if SKIP_TAG in tags:
            report.steps.append(Step(where, first, "skipped"))
            continue
        try:
            code = compile(neutralise_magics(source), f"<{where}>", "exec")
        except SyntaxError as err:
            report.steps.append(Step(where, first, "syntax", f"line {err.lineno}: {err.msg}"))
            continue
        except (
            ValueError,
            RecursionError,
            MemoryError,
            OverflowError,
        ) as err:  # null bytes, nesting too deep
            report.steps.append(
                Step(where, first, "syntax", f"cannot be compiled: {type(err).__name__}")
            )
            continue
        _run(code, namespace, report, where, first, budget)


def _run(code, namespace: dict, report: LoadReport, where: str, first: str, budget: float) -> None:
    if not report.begin(where, first):
        return
    try:
        with time_budget(budget):
            exec(code, namespace)
    except BudgetExceeded as err:
        report.steps.append(Step(where, first, "timeout", str(err)))
    except BaseException as err:  # student code may raise anything, SystemExit included
        report.steps.append(Step(where, first, "raised", _short_error(err)))
    else:
        report.steps.append(Step(where, first, "ok"))


def _parse_chunks(text: str):
    """Yield (first line, nodes, syntax error) per parsable chunk of a module.

    A whole-file parse is tried first; if it fails, the file is cut before every line that
    starts at column 0 with a new statement, and each piece is parsed alone, so one unfinished
    function (or a merge-conflict marker) costs only its own piece.
    """
    try:
        yield 1, ast.parse(text).body, ""
        return
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = text.splitlines(keepends=True)
    starts = [
        i
        for i, line in enumerate(lines)
        if line[:1] not in ("", " ", "\t", "\n", "\r", "#", ")", "]", "}")
    ]
    starts = [0] + [s for s in starts if s > 0]
    for a, b in zip(starts, starts[1:] + [len(lines)]):
        piece = "".join(lines[a:b])
        try:
            tree = ast.parse(piece)
        except SyntaxError as err:
            yield a + 1, [], f"line {a + (err.lineno or 1)}: {err.msg}"
            continue
        except (ValueError, RecursionError, MemoryError) as err:
            yield a + 1, [], f"cannot be parsed: {type(err).__name__}"
            continue
        ast.increment_lineno(tree, a)
        yield a + 1, tree.body, ""


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""


def _short_error(err: BaseException) -> str:
    last = traceback.format_exception_only(type(err), err)[-1].strip()
    return last[:500]


def new_module(name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__["__builtins__"] = __builtins__
    sys.modules[name] = module
    return module
