"""Pure checks on what the worker sent back; each failure raises ``Wrong`` with a catalog message.

Student values arrive decoded (tensors, lists, numbers, or ``Remote`` handles for objects that
could not cross the channel), so every check first makes sure of the type before looking closer:
a list where a tensor was expected is the student's mistake, never a grader error.
"""

from __future__ import annotations

import torch

from .results import Message


class Wrong(AssertionError):
    """The student's result is not the expected one; carries the message for the student."""

    def __init__(self, key: str, **params):
        self.message = Message.of(key, **params)
        super().__init__(f"{key}: {params}")


class Missing(Wrong):
    """The submission does not define a name the question needs (counted as not implemented)."""

    def __init__(self, name: str):
        super().__init__("missing", name=name)


class NeedsReview(Exception):
    """The values are right, but a rule of the question fired on something doubtful.

    The test's points are held (not granted, not refused) until a TA enters the question's points.
    """

    def __init__(self, key: str, **params):
        self.message = Message.of(key, **params)
        super().__init__(f"{key}: {params}")


def describe(value) -> str:
    """A short description of any value that came back: type, and shape/dtype for tensors."""
    if isinstance(value, torch.Tensor):
        return f"Tensor{tuple(value.shape)} {str(value.dtype).replace('torch.', '')}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)}"
    if hasattr(value, "type_name"):
        return f"object {value.type_name}"
    return type(value).__name__


def expect_tensor(value, function: str, legend: str = "") -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise Wrong("not_a_tensor", function=function, got=describe(value), legend=legend)
    return value


def expect_shape(value, shape: tuple[int, ...], function: str, legend: str = "") -> torch.Tensor:
    tensor = expect_tensor(value, function, legend)
    if tuple(tensor.shape) != tuple(shape):
        raise Wrong(
            "shape",
            function=function,
            expected=tuple(shape),
            got=tuple(tensor.shape),
            legend=legend,
        )
    return tensor


def expect_dtype(value, dtype: torch.dtype, function: str) -> torch.Tensor:
    tensor = expect_tensor(value, function)
    if tensor.dtype != dtype:
        raise Wrong(
            "dtype",
            function=function,
            expected=str(dtype).replace("torch.", ""),
            got=str(tensor.dtype).replace("torch.", ""),
        )
    return tensor


def expect_close(
    value,
    expected: torch.Tensor,
    function: str,
    *,
    legend: str = "",
    what: str = "",
    atol: float = 1e-6,
    rtol: float = 1e-5,
) -> torch.Tensor:
    """Same shape and values within ``atol + rtol·|expected|``; reports the worst element."""
    tensor = expect_shape(value, tuple(expected.shape), function, legend)
    got = tensor.to(torch.float64)
    want = expected.to(torch.float64)
    if not torch.isfinite(got).all():
        bad = (~torch.isfinite(got)).nonzero()[0].tolist()
        raise Wrong("not_finite", function=function, what=what or "output", index=tuple(bad))
    excess = (got - want).abs() - (atol + rtol * want.abs())
    if (excess > 0).any():
        diff = (got - want).abs()
        flat = int(torch.argmax(diff).item())
        index = (
            tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), want.shape))
            if want.dim()
            else ()
        )
        raise Wrong(
            "values",
            function=function,
            what=what or "output",
            worst=f"{diff.max().item():.3g}",
            index=index,
            atol=f"{atol:g}",
            rtol=f"{rtol:g}",
            expected=f"{want[index].item():.6g}" if want.dim() else f"{want.item():.6g}",
            got=f"{got[index].item():.6g}" if got.dim() else f"{got.item():.6g}",
            legend=legend,
        )
    return tensor
