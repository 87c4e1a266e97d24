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
                raise ValueError(f"parameter {name} has shape {tuple(own[name].shape)}, not {tuple(value.shape)}")
            own[name].copy_(value.to(own[name].dtype))


def to_dtype(module, dtype: str):
    """Convert a module to float64 (for exact comparisons) or back."""
    return module.to({"float64": torch.float64, "float32": torch.float32}[dtype])


def forward_backward(fn, args: list, grad_index: list[int], grad_output, module=None) -> dict:
    """Call ``fn(*args)``, then backpropagate ``grad_output`` through its (first) tensor output.

    Returns the output, the gradients of the ``args`` listed in ``grad_index`` and, when a
    module is given, the gradients of its parameters by name (None for unused ones).
    """
    args = [a.detach().clone().requires_grad_(True) if i in grad_index else a for i, a in enumerate(args)]
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
        result["param_grads"] = {n: (p.grad.detach() if p.grad is not None else None) for n, p in module.named_parameters()}
    return result


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


def isolation_facts(walk: bool = False, prune: tuple = (), limit: int = 200000) -> dict:
    """What the worker itself can see and do (the preflight's probe; ``walk`` lists every file it
    can reach, for the kit's allow-list test). Run before any student code, so it can be trusted."""
    import os
    import socket

    facts = {"uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(),
             "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), "top": sorted(os.listdir("/"))}
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        facts["inet_socket"] = True
    except OSError:
        facts["inet_socket"] = False
    if walk:
        files: list[str] = []
        for top, dirs, names in os.walk("/", onerror=lambda err: None):
            if top in ("/proc", "/sys", "/dev", *prune) or top.startswith(("/proc/", "/sys/", "/dev/")):
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
    "module_tree": module_tree,
}


def _discover() -> None:
    """Add the procedures of every ``proc_*.py`` module of this package (one per assignment)."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in pkgutil.iter_modules([str(Path(__file__).resolve().parent)]):
        if info.name.startswith("proc_"):
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
