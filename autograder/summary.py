"""What staff read of a class at a glance: the one-line note on each submission (the gradebook's
``problem`` column, the console summary's ``note``) and the console summary table.

Public entry: ``summary_table()``; ``staff_note()`` is its note column, shared with the gradebook.
"""

from __future__ import annotations

from .feedback import number
from .messages import render
from .results import Outcome, Report, Status


def staff_note(report: Report) -> str:
    """The TA's one-line note on a submission (gradebook's ``problem`` column, the summary's ``note``):
    why nothing was graded, what waits for a TA, graded modules left as handed out, the notebook chosen."""
    sub = report.submission
    parts = [render(report.problem, "en")] if report.problem else []
    held = sorted(
        q.question for q in report.questions if q.found and report.status is Status.NEEDS_REVIEW
    )
    if held:
        parts.append(f"to review: {', '.join(held)} (names missing, related code found)")
    notebooks = {n.key: n.as_dict() for n in sub.notes if n.key in NOTEBOOK_NOTES}
    doubt = notebooks.pop("several_notebooks_with_work", None)
    if doubt:
        parts.append(
            f"to review: several notebooks hold different work; graded {doubt['chosen']}, "
            f"ignored {doubt['ignored']}"
        )
    if sub.missing_modules and not report.problem:
        parts.append(
            f"incomplete: {', '.join(sub.missing_modules)} not handed in (graded on the handed-out stubs)"
        )
    if sub.unchanged_modules and not report.problem:
        parts.append(
            f"incomplete: {', '.join(sub.unchanged_modules)} handed in unchanged (graded on the stubs)"
        )
    for (
        key,
        note,
    ) in notebooks.items():  # the notebook graded, when there were several: last, as a fact
        parts.append(
            f"graded {note['chosen']}"
            + (" (as asked)" if key == "notebook_forced" else "")
            + f", ignored {note['ignored']}"
        )
    return "; ".join(parts)


NOTEBOOK_NOTES = ("several_notebooks_with_work", "several_notebooks", "notebook_forced")


STATUS_STYLE = {
    Status.GRADED: "green",
    Status.PARTIAL: "yellow",
    Status.INCOMPLETE: "dark_orange",
    Status.NEEDS_REVIEW: "cyan",
    Status.UNLOADABLE: "red",
    Status.GRADER_ERROR: "magenta",
}


def summary_table(
    reports: list[Report], holds: dict[str, str] | None = None, auto_max: float | None = None
):
    """A rich Table of the class: one row per student; ``holds`` (student -> why not exported) lead the
    note; ``auto_max``: the assignment's automatic points (an unloadable hand-in has no question)."""
    from rich.markup import escape as rich_escape
    from rich.table import Table

    table = Table(title=f"{reports[0].assignment if reports else ''}: {len(reports)} submissions")
    for column in ("student", "status", "total", "tests", "time (s)", "note"):
        table.add_column(column)
    for r in sorted(reports, key=lambda r: r.student):
        passed = sum(t.outcome is Outcome.PASSED for t in r.tests)
        note = "; ".join(
            n
            for n in (
                (holds or {}).get(r.student, ""),
                staff_note(r),
                f"{len(r.load.steps)} load problem(s)" if r.load.steps else "",
            )
            if n
        )
        table.add_row(
            r.student,
            f"[{STATUS_STYLE.get(r.status, 'white')}]{r.status.value}[/]",
            f"{number(r.total)}/{number(r.auto_max if auto_max is None else auto_max)}",
            f"{passed}/{len(r.tests)}",
            f"{r.seconds:.1f}",
            rich_escape(note[:160]),
        )
    return table
