"""Rules a question sets on how code is written ("hand-written, not a torch cell", "no autograd"),
decided in the grader.

The facts come from two places the student's code cannot forge: the whole submission's source,
parsed here (every cell and module, ``source.py``), and objects reachable from the student's model,
walked by a worker procedure that captured torch's classes before any student code ran. A rule
is broken (``forbidden``) when a forbidden construct sits in the code the graded name reaches, or
when torch's recurrent objects are reachable from its instance. Constructs that can hide either
(``torch._VF``, ``torch.ops.aten``, ``exec``/``eval``, base64, ``sys.modules`` edits, threads)
in that code or at the top level of the submission make the verdict doubtful: the test then holds its points for a TA
(``NeedsReview``) instead of granting or refusing them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .compare import NeedsReview, Wrong
from .source import (
    AUTOGRAD,
    CONCURRENCY,
    DYNAMIC,
    INTERNAL,
    MODULES,
    RECURRENT,
    TOP_LEVEL,
    Finding,
    SourceCode,
)

__all__ = ["Verdict", "verdict", "hand_written", "RECURRENT", "AUTOGRAD"]

DOUBTFUL = (INTERNAL, DYNAMIC, MODULES, CONCURRENCY)


@dataclass(frozen=True)
class Verdict:
    forbidden: (
        str | None
    )  # what breaks the rule, as the student wrote it: "nn.LSTM (self.cell)", "torch.lstm (cell 4:7)"
    doubt: (
        Finding | None
    )  # the first construct (in that code, or at top level) that could hide a breach

    def review_if_doubtful(self) -> None:
        """Call once the values passed: hold the test's points for a TA when something is doubtful."""
        if self.doubt is not None:
            raise NeedsReview("needs_review", construct=self.doubt.text, where=self.doubt.where)


def verdict(
    source: SourceCode,
    name: str,
    *,
    forbid: tuple[str, ...] = (RECURRENT,),
    student=None,
    instance=None,
) -> Verdict:
    """The rule "``name`` does not use ``forbid``" over ``name``'s code and, given an ``instance``
    (a handle in the worker), over what that object reaches at run time."""
    forbidden = None
    if student is not None and instance is not None and RECURRENT in forbid:
        reached = student.call("@torch_recurrent", instance)
        if reached:
            path, what = reached[0]
            forbidden = f"{what} ({path})"
    reach = source.closure(name)
    if forbidden is None:
        for finding in source.findings():
            if finding.kind in forbid and finding.owner in reach:
                forbidden = f"{finding.text} ({finding.where})"
                break
    # Top-level code can define or patch anything (exec, an alias of torch.ops.aten): it makes every rule doubtful.
    doubt = next(
        (
            f
            for f in source.findings()
            if f.kind in DOUBTFUL and (f.owner in reach or f.owner == TOP_LEVEL)
        ),
        None,
    )
    return Verdict(forbidden, doubt)


def hand_written(
    student,
    source: SourceCode,
    name: str,
    instance,
    key: str,
    *,
    field: str = "module",
    forbid: tuple[str, ...] = (RECURRENT,),
    **params,
) -> Verdict:
    """``Wrong(key, <field>=what, **params)`` when ``name`` (and its ``instance`` in the worker, if any) uses
    ``forbid`` (torch's recurrent modules or functions by default); otherwise the verdict, whose doubts the
    test settles after its values."""
    rule = verdict(source, name, forbid=forbid, student=student, instance=instance)
    if rule.forbidden:
        raise Wrong(key, **{field: rule.forbidden}, **params)
    return rule
