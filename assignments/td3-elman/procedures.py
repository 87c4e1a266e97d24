"""Worker-side helpers for td3-elman (``student.call("@td3_...", ...)``).

Generic operations only: run a student function with automatic differentiation watched, run a
student model on several inputs in one round trip. No expected value and no reference code
lives here; every comparison happens in the grader.

This module is copied into the worker's folder: standard library and torch only.
"""

from __future__ import annotations

import torch

# torch.func transforms refuse to run under saved-tensor hooks; their error names them.
FUNC_TRANSFORM_ERROR = "saved tensor hooks"
SEEN_GRAPH = "torch.autograd (.backward, autograd.grad, autograd.functional)"
SEEN_DUAL = "forward-mode AD (torch.func.jvp/jacfwd, forward_ad)"
SEEN_FUNC = "torch.func (grad, vjp, jacrev)"


def _portable(value):
    """A value the channel can carry: tensors (detached), tuples/lists of them, else a type name."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)) and len(value) <= 8:
        items = [_portable(v) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"type": type(value).__name__}


def no_autograd(fn, args: list) -> dict:
    """Call ``fn(*args)`` under ``torch.no_grad()`` on inputs that do not require grad, watching autograd.

    Any autograd graph the function builds anyway (``torch.enable_grad`` + ``requires_grad_``,
    ``torch.autograd.grad``, ``.backward()``, ``torch.autograd.functional.*``) saves tensors and
    is seen by a saved-tensors hook; forward-mode AD (``torch.func.jacfwd``/``jvp``,
    ``forward_ad.make_dual``) is seen through ``make_dual``; ``torch.func`` reverse transforms
    refuse to run under the hook and say so. Returns ``{"result": ..., "autograd": [what was seen],
    "requires_grad": bool}``; other exceptions of the student's code propagate unchanged.
    """
    import torch.autograd.forward_ad as forward_ad

    seen: list[str] = []

    def pack(tensor):
        if SEEN_GRAPH not in seen:
            seen.append(SEEN_GRAPH)
        return tensor

    original_make_dual = forward_ad.make_dual

    def make_dual(*a, **k):
        if SEEN_DUAL not in seen:
            seen.append(SEEN_DUAL)
        return original_make_dual(*a, **k)

    args = [a.detach().clone() if isinstance(a, torch.Tensor) else a for a in args]
    forward_ad.make_dual = make_dual
    try:
        with torch.no_grad(), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            result = fn(*args)
    except Exception as err:  # noqa: BLE001 - only autograd-related failures are turned into a report
        if FUNC_TRANSFORM_ERROR in str(err):
            seen.append(SEEN_FUNC)
        if not seen:
            raise
        return {"result": None, "autograd": seen, "requires_grad": False}
    finally:
        forward_ad.make_dual = original_make_dual
    requires_grad = bool(
        isinstance(result, torch.Tensor) and (result.requires_grad or result.grad_fn is not None)
    )
    return {"result": _portable(result), "autograd": seen, "requires_grad": requires_grad}


def run_many(model, inputs: list) -> list:
    """``[model(x) for x in inputs]`` in one round trip (outputs made portable, gradients off)."""
    with torch.no_grad():
        return [_portable(model(x)) for x in inputs]


PROCEDURES = {
    "td3_no_autograd": no_autograd,
    "td3_run_many": run_many,
}
