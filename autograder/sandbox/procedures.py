"""Helpers the grader may ask the worker to run on student objects (``call("@name", ...)``).

They are public, generic operations (read or set a model's parameters, run a function and
backpropagate): no expected value or reference code ever lives here.
"""

from __future__ import annotations

import torch

from .loader import Step, _short_error


def parameters(module) -> dict:
    """Named parameters of a student ``nn.Module``: ``{name: tensor}`` in declaration order."""
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"expected an nn.Module, got {type(module).__name__}")
    return {name: p.detach().clone() for name, p in module.named_parameters()}


def set_parameters(module, values: dict) -> None:
    """Overwrite parameters by name (shapes must match); used to pin weights to known values."""
    own = dict(module.named_parameters())
    with torch.no_grad():
        for name, value in values.items():
            if name not in own:
                raise KeyError(f"no parameter named {name}")
            if own[name].shape != value.shape:
                raise ValueError(
                    f"parameter {name} has shape {tuple(own[name].shape)}, not {tuple(value.shape)}"
                )
            own[name].copy_(value.to(own[name].dtype))


def to_dtype(module, dtype: str):
    """Convert a module to float64 (for exact comparisons) or back."""
    return module.to({"float64": torch.float64, "float32": torch.float32}[dtype])


def forward_backward(fn, args: list, grad_index: list[int], grad_output, module=None) -> dict:
    """Call ``fn(*args)``, then backpropagate ``grad_output`` through its (first) tensor output.

    Returns the output, the gradients of the ``args`` listed in ``grad_index`` and, when a
    module is given, the gradients of its parameters by name (None for unused ones).
    """
    args = [
        a.detach().clone().requires_grad_(True) if i in grad_index else a
        for i, a in enumerate(args)
    ]
    if module is not None:
        module.zero_grad(set_to_none=True)
    out = fn(*args)
    tensor = out[0] if isinstance(out, (tuple, list)) else out
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"returned {type(out).__name__}, not a tensor")
    tensor.backward(grad_output.to(tensor.dtype))
    grads = {str(i): (args[i].grad if args[i].grad is not None else None) for i in grad_index}
    result = {"output": tensor.detach(), "grads": grads}
    if module is not None:
        result["param_grads"] = {
            n: (p.grad.detach() if p.grad is not None else None)
            for n, p in module.named_parameters()
        }
    return result


def _output_tensor(value):
    """What a model's output stands for: the first element of a tuple ``(outputs, state)``, a list of
    step tensors stacked; anything else unchanged."""
    if isinstance(value, tuple) and value:
        value = value[0]
    if isinstance(value, list) and value and all(isinstance(t, torch.Tensor) for t in value):
        value = torch.stack(value)
    return value


def outputs(fn, inputs: list) -> list:
    """``fn(*args)`` for each ``args`` of ``inputs``, gradients off, as ``_output_tensor`` reads it (else a type name)."""
    out = []
    with torch.no_grad():
        for args in inputs:
            value = _output_tensor(fn(*args))
            out.append(
                value.detach()
                if isinstance(value, torch.Tensor)
                else {"type": type(value).__name__}
            )
    return out


def influence(module, args: list, seed: int = 0) -> dict:
    """How far the output of ``module(*args)`` moves when each parameter alone is redrawn: ``{name: max |change|}``.

    0 for a parameter that takes no part (an unused extra layer): layout identification and gradient
    checks leave those out. Parameters are restored; gradients off.
    """
    g = torch.Generator().manual_seed(seed)

    def first(value):
        value = _output_tensor(value)
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"returned {type(value).__name__}, not a tensor")
        return value.detach().clone()

    moved = {}
    with torch.no_grad():
        base = first(module(*args))
        for name, p in module.named_parameters():
            saved = p.detach().clone()
            noise = torch.randn(p.shape, generator=g, dtype=torch.float64).to(p.dtype)
            p.add_(noise * (float(saved.abs().mean()) + 0.5) if saved.numel() else noise)
            try:
                out = first(module(*args))
                moved[name] = (
                    float((out.double() - base.double()).abs().max())
                    if out.shape == base.shape
                    else 1.0
                )
            finally:
                p.copy_(saved)
    return moved


def kind_of(value) -> dict:
    """What a name is, without running it: class/function, and for a module class its bases."""
    info = {"type": type(value).__name__, "callable": callable(value)}
    if isinstance(value, type):
        info["bases"] = [b.__name__ for b in value.__mro__[1:]]
    return info


def module_tree(module) -> list:
    """Every submodule of a student model: ``[name, class name, class's module]`` (to spot nn.LSTM)."""
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"expected an nn.Module, got {type(module).__name__}")
    return [[name, type(m).__name__, type(m).__module__] for name, m in module.named_modules()]


# Captured when the worker starts, before any student code runs: identities, not names, so a
# renamed subclass or a patched ``torch.nn`` attribute does not hide torch's recurrent modules.
_RECURRENT_CLASSES = tuple(getattr(torch.nn, n) for n in ("RNNBase", "RNNCellBase"))
_RECURRENT_FUNCTIONS = {
    id(f): name
    for name, f in (
        (n, getattr(m, n, None))
        for m in (torch, torch._VF, torch.ops.aten)
        for n in (
            "lstm",
            "gru",
            "rnn_tanh",
            "rnn_relu",
            "lstm_cell",
            "gru_cell",
            "rnn_tanh_cell",
            "rnn_relu_cell",
        )
    )
    if f is not None
}


def torch_recurrent(root, limit: int = 5000) -> list:
    """Torch's recurrent modules, classes or functions reachable from ``root``: ``[[path, what], ...]``.

    Walks instance and class attributes, containers, closures, defaults, bound methods and
    partials (not modules: they reach everything); ``what`` names torch's class, e.g.
    ``nn.LSTM`` or ``nn.LSTM (as Sneaky)``.
    """
    import functools
    import types

    found, seen, todo = [], set(), [("self", root)]
    while todo and len(seen) < limit:
        path, obj = todo.pop(0)
        if (
            id(obj) in seen
            or isinstance(obj, (types.ModuleType, torch.Tensor, str, bytes, int, float, bool))
            or obj is None
        ):
            continue
        seen.add(id(obj))
        if isinstance(obj, type):
            cls = obj
        else:
            cls = type(obj)
            if id(obj) in _RECURRENT_FUNCTIONS:
                found.append([path, f"torch.{_RECURRENT_FUNCTIONS[id(obj)]}"])
                continue
        if issubclass(cls, _RECURRENT_CLASSES):
            base = next(c for c in cls.__mro__ if c.__module__.startswith("torch.nn"))
            found.append(
                [path, f"nn.{base.__name__}" + ("" if base is cls else f" (as {cls.__name__})")]
            )
            continue
        children = []
        if isinstance(obj, dict):
            children = [(f"{path}[{k!r}]", v) for k, v in list(obj.items())[:200]]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            children = [(f"{path}[{i}]", v) for i, v in enumerate(list(obj)[:200])]
        elif isinstance(obj, types.FunctionType):
            cells = [c.cell_contents for c in (obj.__closure__ or ()) if _filled(c)]
            children = [(f"{path}.<closure>", v) for v in cells] + [
                (f"{path}.<default>", v) for v in obj.__defaults__ or ()
            ]
        elif isinstance(obj, types.MethodType):
            children = [(path, obj.__func__), (path, obj.__self__)]
        elif isinstance(obj, functools.partial):
            children = (
                [(path, obj.func)]
                + [(path, v) for v in obj.args]
                + [(path, v) for v in obj.keywords.values()]
            )
        else:
            state = getattr(obj, "__dict__", None)
            if isinstance(state, dict):
                children = [(f"{path}.{k}", v) for k, v in list(state.items())[:500]]
            if not cls.__module__.startswith(("torch", "builtins")):
                children += [(f"{cls.__name__}.{k}", v) for k, v in list(vars(cls).items())[:500]]
        todo.extend(children)
    return found


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 (reading an empty cell raises)
        return True
    except ValueError:
        return False


def isolation_facts(walk: bool = False, prune: tuple = (), limit: int = 200000) -> dict:
    """What the worker itself can see and do (the preflight's probe; ``walk`` lists every file it
    can reach, for the kit's allow-list test). Run before any student code, so it can be trusted."""
    import os
    import socket

    facts = {
        "uid": os.getuid(),
        "pid": os.getpid(),
        "cwd": os.getcwd(),
        "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "top": sorted(os.listdir("/")),
    }
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        facts["inet_socket"] = True
    except OSError:
        facts["inet_socket"] = False
    if walk:
        files: list[str] = []
        for top, dirs, names in os.walk("/", onerror=lambda err: None):
            if top in ("/proc", "/sys", "/dev", *prune) or top.startswith(
                ("/proc/", "/sys/", "/dev/")
            ):
                dirs[:] = []  # the kernel's own, or allow-listed folders the caller trusts
                continue
            files.extend(os.path.join(top, n) for n in names)
            if len(files) > limit:
                break
        facts["files"] = files
    return facts


PROCEDURES = {
    "isolation_facts": isolation_facts,
    "parameters": parameters,
    "set_parameters": set_parameters,
    "to_dtype": to_dtype,
    "forward_backward": forward_backward,
    "kind_of": kind_of,
    "influence": influence,
    "outputs": outputs,
    "module_tree": module_tree,
    "torch_recurrent": torch_recurrent,
}


LAB_PREFIX = "lab_"  # a lab's procedures in this package: lab_<lab id as an identifier>.py


def add_lab(key: str, path) -> object:
    """Import a lab's procedures file (``assignments/<id>/procedures.py``) as ``lab_<key>`` of this
    package, so that its relative imports (``from .adapt import ...``) reach this runtime, and register
    its ``PROCEDURES``. The grader's side; the worker finds the copies beside this module."""
    import importlib.util
    import sys

    name = f"{__package__}.{LAB_PREFIX}{key}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    module = sys.modules[name]
    PROCEDURES.update(getattr(module, "PROCEDURES", {}))
    return module


def _discover() -> None:
    """Add the procedures of ``adapt.py`` and of every lab's module beside this one (``lab_*.py``: the
    worker's runtime holds a copy of each lab's ``procedures.py``)."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in pkgutil.iter_modules([str(Path(__file__).resolve().parent)]):
        if info.name.startswith(LAB_PREFIX) or info.name == "adapt":
            module = importlib.import_module(f"{__package__}.{info.name}")
            PROCEDURES.update(getattr(module, "PROCEDURES", {}))


_discover()


class NoIPython:
    """Stands in for ``get_ipython()`` in notebooks: every magic becomes a no-op."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def map_cuda_to_cpu() -> None:
    """Let code written for CUDA run on a CPU-only grader (``.cuda()``, ``.to("cuda")``, ``device="cuda"``)."""

    def cpu(device):
        text = str(device)
        return "cpu" if text.startswith("cuda") else device

    class CudaToCpu(torch.overrides.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = dict(kwargs or {})
            if "device" in kwargs and kwargs["device"] is not None:
                kwargs["device"] = cpu(kwargs["device"])
            if getattr(func, "__name__", "") == "to":
                args = tuple(cpu(a) if isinstance(a, (str, torch.device)) else a for a in args)
            return func(*args, **kwargs)

    torch.Tensor.cuda = lambda self, *a, **k: self
    torch.nn.Module.cuda = lambda self, *a, **k: self
    CudaToCpu().__enter__()  # stays active for the worker's life


def step_for_import_error(name: str, err: BaseException) -> Step:
    return Step(f"{name}.py", f"import {name}", "raised", _short_error(err))
