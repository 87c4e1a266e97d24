"""Read a submission's code as text, in the grader, for static checks (never executed here).

``SourceCode.of("maskedCrossEntropy")`` gives the source of the last top-level definition of
that name, searched in the graded notebook's code cells then in the modules, in lookup order.
``SourceCode.findings()`` lists, for the whole submission, the constructs that grading rules care
about (torch's recurrent modules, torch internals, dynamic code, autograd, threads...), each with
the top-level definition it sits in; ``closure(name)`` is the set of definitions a name reaches.
"""

from __future__ import annotations

import ast
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from .results import Submission
from .sandbox.loader import cell_labels

# What a finding is about; the rules of each question decide what a kind means for it.
RECURRENT = (
    "torch_recurrent"  # nn.LSTM, nn.GRUCell, torch.lstm, _VF.gru...: torch computing the recurrence
)
INTERNAL = "torch_internal"  # torch._VF, torch.ops.aten, torch._C: nothing honest needs them here
DYNAMIC = "dynamic_code"  # exec/eval/compile, base64, importlib, getattr(module, <computed>)...
MODULES = "sys_modules"  # edits of sys.modules, builtins, or another module's attributes
AUTOGRAD = "autograd"  # .backward(), torch.autograd, torch.func, requires_grad
CONCURRENCY = "concurrency"  # threads, processes, signals: code running beside the graded call

RECURRENT_NAMES = frozenset(
    {
        "RNN",
        "LSTM",
        "GRU",
        "RNNCell",
        "LSTMCell",
        "GRUCell",
        "RNNBase",
        "RNNCellBase",
        "lstm",
        "gru",
        "rnn_tanh",
        "rnn_relu",
        "lstm_cell",
        "gru_cell",
        "rnn_tanh_cell",
        "rnn_relu_cell",
        "_thnn_fused_lstm_cell",
        "_thnn_fused_gru_cell",
    }
)
DYNAMIC_CALLS = frozenset({"exec", "eval", "compile", "__import__", "globals", "vars", "locals"})
DYNAMIC_MODULES = frozenset(
    {
        "base64",
        "codecs",
        "importlib",
        "marshal",
        "pickle",
        "dill",
        "types",
        "ctypes",
        "gc",
        "inspect",
        "zlib",
        "binascii",
        "runpy",
        "builtins",
        "__builtins__",
    }
)
DYNAMIC_ATTRIBUTES = frozenset(
    {
        "__globals__",
        "__code__",
        "__builtins__",
        "__subclasses__",
        "__closure__",
        "_getframe",
        "f_globals",
        "f_locals",
        "__import__",
    }
)
CONCURRENCY_MODULES = frozenset(
    {
        "threading",
        "_thread",
        "multiprocessing",
        "concurrent",
        "subprocess",
        "signal",
        "asyncio",
        "os.fork",
        "os.system",
        "os.popen",
        "os.exec",
        "os.spawn",
    }
)
AUTOGRAD_ATTRIBUTES = frozenset({"backward", "requires_grad_", "enable_grad", "set_grad_enabled"})
TOP_LEVEL = "<top level>"
SETTINGS = (
    "torch.backends",
    "os.environ",
    "sys.argv",
    "sys.path",
    "matplotlib",
    "pandas",
    "warnings",
    "numpy.random",
)  # module attributes honest notebooks set


@dataclass(frozen=True)
class Finding:
    kind: str  # one of the kinds above
    text: str  # the construct as written, e.g. "torch._VF.lstm"
    where: (
        str  # "In [5]:4" or "code cell 3:4" (as the student sees the cell, line 4) or "model.py:12"
    )
    owner: str  # the top-level definition it sits in, or TOP_LEVEL


@dataclass(frozen=True)
class SourceCode:
    chunks: tuple[str, ...]  # notebook code cells (joined), then module texts, in lookup order
    parts: tuple[
        tuple[str, str], ...
    ] = ()  # (label, text): each code cell ("cell 3") and each module

    def of(self, name: str) -> str | None:
        found = None
        for chunk in self.chunks:
            for node in _top_level(chunk):
                if (
                    isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and node.name == name
                ):
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

    def findings(self) -> tuple[Finding, ...]:
        return _scan(self.parts)[0]

    def closure(self, name: str) -> frozenset[str]:
        """``name`` and every top-level definition it reaches through the names it uses.

        Top-level statements that change a definition (``RNN.forward = f``, ``setattr(RNN, ...)``)
        belong to it, so whatever they use is reached too.
        """
        uses = _scan(self.parts)[1]
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(n for n in uses.get(current, ()) if n in uses and n not in seen)
        return frozenset(seen)


def read_source(submission: Submission) -> SourceCode:
    chunks: list[str] = []
    parts: list[tuple[str, str]] = []
    if submission.notebook:
        try:
            cells = json.loads(
                (Path(submission.folder) / submission.notebook).read_text(encoding="utf-8")
            )["cells"]
            labelled = [
                (label, "\n".join(_neutral(c.get("source", ""))))
                for c, label in zip(cells, cell_labels(cells))
                if label is not None
            ]
            chunks.append("\n\n".join(text for _, text in labelled))
            parts.extend(labelled)
        except (
            OSError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            RecursionError,
            MemoryError,
        ):
            pass
    for module in submission.modules:
        try:
            text = (Path(submission.folder) / module).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        chunks.append(text)
        parts.append((str(module), text))
    return SourceCode(tuple(chunks), tuple(parts))


def _neutral(source) -> list[str]:
    text = "".join(source) if isinstance(source, list) else str(source)
    return [
        ("pass" if line.lstrip().startswith(("%", "!")) else line) for line in text.splitlines()
    ]


def _top_level(text: str) -> list[ast.stmt]:
    try:
        return ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # Same recovery as the worker's loader: parse each top-level block alone.
        from .sandbox.loader import _parse_chunks

        return [node for _, nodes, _ in _parse_chunks(text) for node in nodes]


# --- the scan --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _scan(
    parts: tuple[tuple[str, str], ...],
) -> tuple[tuple[Finding, ...], dict[str, frozenset[str]]]:
    """Findings of every part, and the names each top-level definition uses (cached per submission)."""
    trees = [(label, _top_level(text)) for label, text in parts]
    aliases: dict[str, str] = {}  # local name -> dotted origin, from every import of the submission
    for _, body in trees:
        for node in _walk(body):
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = (
                        a.name if a.asname else a.name.split(".")[0]
                    )
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    aliases.setdefault("F", "torch.nn.functional")
    # Modules whose attributes other code reads: the imported ones, not the submission's own
    # (textloader.py...: writing into those is the student's business).
    own = {Path(label).stem for label, _ in parts if label.endswith(".py")}
    modules = frozenset(
        ({origin.split(".")[0] for origin in aliases.values()} - own) | {"builtins", "__builtins__"}
    )
    defined = {
        n.name
        for _, body in trees
        for n in body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    findings: list[Finding] = []
    uses: dict[str, set[str]] = {name: set() for name in defined}
    uses.setdefault(TOP_LEVEL, set())
    for label, body in trees:
        for statement in body:
            owner = _owner(statement, defined)
            names = uses.setdefault(owner, set())
            nodes = list(_walk([statement]))
            inner = {
                id(n.value) for n in nodes if isinstance(n, ast.Attribute)
            }  # report a chain once
            for node in nodes:
                if isinstance(node, ast.Name):
                    names.add(node.id)
                if id(node) in inner:
                    continue
                finding = _finding(node, aliases, modules)
                if finding:
                    line = getattr(node, "lineno", 0)
                    findings.append(Finding(finding[0], finding[1], f"{label}:{line}", owner))
    seen: set[tuple[str, str]] = set()
    unique = tuple(
        f for f in findings if not ((f.kind, f.where) in seen or seen.add((f.kind, f.where)))
    )
    return unique, {k: frozenset(v) for k, v in uses.items()}


def _walk(body):
    for statement in body:
        try:
            yield from ast.walk(statement)
        except RecursionError:
            return


def _owner(statement: ast.stmt, defined: set[str]) -> str:
    """The definition a top-level statement belongs to: its own name, or the one it patches."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return statement.name
    targets = []
    if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        if isinstance(call.func, ast.Name) and call.func.id in ("setattr", "delattr") and call.args:
            targets = [call.args[0]]
    for target in targets:
        base = target
        while isinstance(base, (ast.Attribute, ast.Subscript)):
            base = base.value
        if base is not target and isinstance(base, ast.Name) and base.id in defined:
            return base.id
        if isinstance(target, ast.Name) and target.id in defined:
            return target.id  # a later rebinding: ``RNN = make_rnn()``
    return TOP_LEVEL


def _dotted(node, aliases: dict[str, str]) -> str | None:
    """``torch.nn.LSTM`` for ``nn.LSTM`` after ``from torch import nn``; None for anything not a name chain."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _finding(node, aliases, modules: frozenset) -> tuple[str, str] | None:
    if isinstance(node, ast.Attribute):
        if node.attr in DYNAMIC_ATTRIBUTES:
            return DYNAMIC, ast.unparse(node)
        dotted = _dotted(node, aliases)
        found = _classify(dotted, ast.unparse(node), node.attr) if dotted else None
        if found is None and node.attr in AUTOGRAD_ATTRIBUTES:
            return AUTOGRAD, f".{node.attr}"  # y.backward(), x.requires_grad_(): any object
        return found
    if isinstance(node, ast.Name) and node.id in aliases and aliases[node.id] != node.id:
        return _classify(aliases[node.id], node.id, aliases[node.id].rsplit(".", 1)[-1])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        if name in DYNAMIC_CALLS and name not in aliases:
            return DYNAMIC, f"{name}(...)"
        if name in ("getattr", "setattr", "delattr", "hasattr") and len(node.args) >= 2:
            if not isinstance(node.args[1], ast.Constant):
                target = _dotted(node.args[0], aliases) or ""
                if (
                    target.split(".")[0] in ("torch", "sys", "builtins", "os")
                    or target in aliases.values()
                ):
                    return DYNAMIC, ast.unparse(node)[:80]
            if name == "setattr" and (_dotted(node.args[0], aliases) or "").split(".")[0] in (
                "torch",
                "sys",
                "builtins",
            ):
                return MODULES, ast.unparse(node)[:80]
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in targets:
            base = target.value if isinstance(target, (ast.Attribute, ast.Subscript)) else None
            dotted = _dotted(base, aliases) if base is not None else None
            # Writing into an imported module (time.perf_counter = ..., torch.tanh = ...) changes what
            # other code sees.
            if dotted and dotted.split(".")[0] in modules and not dotted.startswith(SETTINGS):
                return MODULES, ast.unparse(target)[:80]
    return None


def _classify(dotted: str, written: str, last: str) -> tuple[str, str] | None:
    root = dotted.split(".")[0]
    if root == "torch":
        if last in RECURRENT_NAMES:
            return RECURRENT, written
        if (
            "._VF" in f".{dotted}"
            or ".ops.aten" in dotted
            or dotted.startswith(("torch._C", "torch.ops", "torch._ops"))
        ):
            return INTERNAL, written
        if dotted.startswith(
            ("torch.autograd", "torch.func", "torch.enable_grad", "torch.set_grad_enabled")
        ):
            return AUTOGRAD, written
        return None
    if root == "functorch":
        return AUTOGRAD, written
    if dotted.startswith("sys.modules.") and last in (
        "update",
        "pop",
        "setdefault",
        "clear",
        "popitem",
        "__setitem__",
        "__delitem__",
    ):
        return MODULES, written  # reading sys.modules ("google.colab" in sys.modules) is no doubt
    if root == "sys" and last in ("_getframe", "settrace", "setprofile"):
        return DYNAMIC, written
    if root in DYNAMIC_MODULES:
        return DYNAMIC, written
    if root in CONCURRENCY_MODULES or any(
        dotted.startswith(p) for p in CONCURRENCY_MODULES if "." in p
    ):
        return CONCURRENCY, written
    return None
