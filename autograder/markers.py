"""Turn reference code into student skeletons: replace every BEGIN/END SOLUTION region.

Works on the text of a Python module or of a jupytext "percent" notebook source, line by
line, so that every error can name ``path:line``. In a code region the replacement is a
TODO comment and ``raise NotImplementedError("<function>")`` at the region's indentation,
so the untouched template still imports; in a Markdown cell it is an answer placeholder.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

BEGIN = re.compile(r"^(?P<indent>[ \t]*)#+\s*BEGIN SOLUTION\s*$")
END = re.compile(r"^[ \t]*#+\s*END SOLUTION\s*$")
# Anything that looks like a marker but is not exactly one (typo, trailing text, "###").
SUSPECT = re.compile(r"(BEGIN|END)\s*_?SOLUTIONS?", re.IGNORECASE)
CELL = re.compile(r"^# %%(?P<rest>.*)$")
DEF = re.compile(r"^(?P<indent>[ \t]*)(?:async\s+)?(?P<kind>def|class)\s+(?P<name>\w+)")
QUESTION = re.compile(r'question="(?P<q>[^"]+)"')

ANSWER_PLACEHOLDER = "# *Votre réponse ici.*"
TODO_COMMENT = "# TODO : à compléter."


class MarkerError(ValueError):
    """A malformed solution marker; ``str()`` reads ``path:line: reason``."""

    def __init__(self, path: str, line: int, reason: str):
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = path, line, reason


@dataclass(frozen=True)
class Region:
    """One solution region: 1-based line numbers of its markers and what replaces it."""

    begin: int
    end: int
    name: str  # qualified function name, question id, or "answer"


def has_solution(text: str) -> bool:
    """Whether ``text`` holds a solution region (a handed-out module the student must complete)."""
    return any(BEGIN.match(line) for line in text.splitlines())


def strip_solutions(text: str, path: str, *, notebook: bool) -> tuple[str, list[Region]]:
    """Return (template text, regions) for a module (``notebook=False``) or a percent notebook.

    Raises MarkerError for nested, unmatched or misspelt markers, for a region that crosses
    a cell boundary, and for a module-level region in a ``.py`` module (it would leave names
    undefined and break the template's import).
    """
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    regions: list[Region] = []
    open_at: int | None = None  # line number of the pending BEGIN
    open_indent = ""
    cell_kind, cell_question = "code", None
    for number, line in enumerate(lines, start=1):
        bare = line.rstrip("\r\n")
        header = CELL.match(bare) if notebook else None
        if header:
            if open_at is not None:
                raise MarkerError(path, open_at, "BEGIN SOLUTION not closed before the next cell")
            rest = header.group("rest")
            cell_kind = "markdown" if "[markdown]" in rest else "code"
            found = QUESTION.search(rest)
            cell_question = found.group("q") if found else None
            out.append(line)
            continue
        begin, end = BEGIN.match(bare), END.match(bare)
        if begin:
            if open_at is not None:
                raise MarkerError(
                    path,
                    number,
                    f"BEGIN SOLUTION inside the region opened at line {open_at} (regions do not nest)",
                )
            open_at, open_indent = number, begin.group("indent")
            continue
        if end:
            if open_at is None:
                raise MarkerError(path, number, "END SOLUTION without BEGIN SOLUTION")
            if cell_kind == "markdown":
                name = "answer"
                out.append(ANSWER_PLACEHOLDER + "\n")
            else:
                name = _enclosing_name(out, open_indent) or _top_level_name(
                    path, open_at, notebook, cell_question
                )
                out.append(f"{open_indent}{TODO_COMMENT}\n")
                out.append(f'{open_indent}raise NotImplementedError("{name}")\n')
            regions.append(Region(open_at, number, name))
            open_at = None
            continue
        if SUSPECT.search(bare):
            raise MarkerError(
                path,
                number,
                f"malformed marker {bare.strip()!r}: write '# BEGIN SOLUTION' or '# END SOLUTION' alone on its line",
            )
        if open_at is None:
            out.append(line)
    if open_at is not None:
        raise MarkerError(path, open_at, "BEGIN SOLUTION without END SOLUTION")
    return "".join(out), regions


def solution_lines_removed(text: str) -> str:
    """The reference text without its marker lines (what the reference actually runs)."""
    return "".join(
        line
        for line in text.splitlines(keepends=True)
        if not (BEGIN.match(line.rstrip("\r\n")) or END.match(line.rstrip("\r\n")))
    )


def _enclosing_name(emitted: list[str], indent: str) -> str | None:
    """Qualified name (``Class.method``) of the defs enclosing a region at ``indent``.

    Walks back through the statements that open each enclosing block (any line less indented
    than the current depth), so an ``if`` at module level is not mistaken for a function.
    """
    names: list[str] = []
    depth = len(indent.expandtabs())
    for line in reversed(emitted):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or depth == 0:
            if depth == 0:
                break
            continue
        level = len(line) - len(line.lstrip(" \t"))
        if level >= depth:
            continue
        depth = level
        found = DEF.match(line)
        if found:
            names.append(found.group("name"))
    return ".".join(reversed(names)) or None


def _top_level_name(path: str, line: int, notebook: bool, question: str | None) -> str:
    if not notebook:
        raise MarkerError(
            path,
            line,
            "solution region at module level: the template would not import; put it inside a function",
        )
    if question is None:
        raise MarkerError(
            path, line, 'top-level solution region in a cell without question="..." metadata'
        )
    return question


def check_python(source: str, path: str, first_line: int = 1) -> None:
    """Raise MarkerError if ``source`` (a module or one cell) does not parse."""
    try:
        ast.parse(source)
    except SyntaxError as err:
        raise MarkerError(
            path, first_line + (err.lineno or 1) - 1, f"template does not parse: {err.msg}"
        ) from err
