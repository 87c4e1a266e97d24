"""Behavioural probes the grader runs on a student model before trusting a learning test.

A model can reach a good loss without being recurrent (each step from its own input) or by
peeking at later inputs; learning tests must not give it their points. The probe changes one
input step and compares, in the grader, what moved: a change of the first step must reach the
last output (recurrence), a change at step ``t`` must leave every earlier output as it was
(causality).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from .compare import Wrong

__all__ = ["causality_problem", "refuse_acausal"]

UNCHANGED = 1e-9  # a step that does not depend on an input gives the same bits
LEAK = 1e-4  # what counts as an earlier output moved by a later input (a big change: N(0, 3²))


def causality_problem(
    run: Callable[[list[torch.Tensor]], list], x: torch.Tensor, generator: torch.Generator
) -> str | None:
    """``"no_recurrence"``, ``"look_ahead"`` or None.

    ``run``: inputs -> outputs, one round trip to the worker; ``x``: (L, B, ...) with L ≥ 4,
    outputs (L', B, ...) sequence-first, one per step (L' = L) or the steps kept.
    """
    t = x.shape[0] // 2
    base, moved_early, moved_late = run([x, _redrawn(x, 0, generator), _redrawn(x, t, generator)])
    if not all(
        isinstance(o, torch.Tensor) and o.shape == base.shape
        for o in (base, moved_early, moved_late)
    ):
        return None  # outputs the learning test will report itself
    if float((base[-1] - moved_early[-1]).abs().max()) <= UNCHANGED:
        return "no_recurrence"
    if t > 0 and base.shape[0] >= t and float((base[:t] - moved_late[:t]).abs().max()) > LEAK:
        return "look_ahead"
    return None


def _redrawn(x: torch.Tensor, step: int, generator: torch.Generator) -> torch.Tensor:
    """``x`` with step ``step`` drawn again: N(0, 3²) values, or symbols 1..max for token inputs."""
    out = x.clone()
    if x.is_floating_point():
        out[step] = 3 * torch.randn(out[step].shape, generator=generator, dtype=x.dtype)
    else:
        out[step] = torch.randint(1, int(x.max()) + 1, out[step].shape, generator=generator)
    return out


def refuse_acausal(run, x: torch.Tensor, generator: torch.Generator, function: str) -> None:
    """``Wrong("no_recurrence" | "look_ahead", function=...)`` when the probe finds either."""
    problem = causality_problem(run, x, generator)
    if problem is not None:
        raise Wrong(problem, function=function, first=0, step=x.shape[0] // 2, length=x.shape[0])
