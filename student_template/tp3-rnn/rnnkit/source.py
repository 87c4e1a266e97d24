"""Read a submission's code as text, in the grader, for static checks (never executed here).

``SourceCode.of("maskedCrossEntropy")`` gives the source of the last top-level definition of
that name, searched in the graded notebook's code cells then in the modules, in lookup order.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

from .results import Submission


@dataclass(frozen=True)
class SourceCode:
    chunks: tuple[str, ...]  # notebook code cells, then module texts, in lookup order

    def of(self, name: str) -> str | None:
        found = None
        for chunk in self.chunks:
            for node in _top_level(chunk):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                    found = ast.get_source_segment(chunk, node)
            if found is not None:
                return found  # the first file that defines it wins, as in the worker
        return None

    def tree(self, name: str) -> ast.AST | None:
        text = self.of(name)
        try:
            return ast.parse(text) if text else None
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None


def read_source(submission: Submission) -> SourceCode:
    chunks: list[str] = []
    if submission.notebook:
        try:
            cells = json.loads((Path(submission.folder) / submission.notebook).read_text(encoding="utf-8"))["cells"]
            notebook = ["\n".join(_neutral(c.get("source", ""))) for c in cells if c.get("cell_type") == "code"]
            chunks.append("\n\n".join(notebook))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, MemoryError):
            pass
    for module in submission.modules:
        try:
            chunks.append((Path(submission.folder) / module).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            pass
    return SourceCode(tuple(chunks))


def _neutral(source) -> list[str]:
    text = "".join(source) if isinstance(source, list) else str(source)
    return [("pass" if line.lstrip().startswith(("%", "!")) else line) for line in text.splitlines()]


def _top_level(text: str) -> list[ast.stmt]:
    try:
        return ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # Same recovery as the worker's loader: parse each top-level block alone.
        from .sandbox.loader import _parse_chunks

        return [node for _, nodes, _ in _parse_chunks(text) for node in nodes]
