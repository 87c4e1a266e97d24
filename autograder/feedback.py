"""What the student reads: a Report as feedback (Markdown, and the HTML page around it), as the
printout of ``check()``, and as Gradescope's ``results.json`` (public tests visible at once, hidden
ones after publication). Pure rendering: ``report.py`` writes the files.

Public entry: ``feedback_markdown()``; ``feedback_html()``, ``check_markdown()`` and
``gradescope_results()`` are the same feedback for another reader.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from markdown_it import MarkdownIt

from .messages import render
from .results import LoadStep, Message, Outcome, Report, Status, TestResult

OUTCOME_LABEL = {
    "fr": {
        "passed": "réussi",
        "wrong": "incorrect",
        "raised": "erreur",
        "not_implemented": "non implémenté",
        "timed_out": "temps dépassé",
        "skipped": "non évalué",
        "needs_review": "à relire",
        "grader_error": "erreur du correcteur",
    },
    "en": {
        "passed": "passed",
        "wrong": "wrong",
        "raised": "error",
        "not_implemented": "not implemented",
        "timed_out": "timed out",
        "skipped": "skipped",
        "needs_review": "to review",
        "grader_error": "grader error",
    },
}
WORDS = {
    "fr": {
        "title": "Retour de correction",
        "total": "Note automatique",
        "manual": "à noter à la main",
        "review": "à relire par l'équipe pédagogique",
        "loading": "Chargement de votre code",
        "question": "Question",
        "points": "Points",
        "details": "Détail des tests",
        "unloadable": "Rendu non corrigeable",
        "notes": "Remarques",
        "manual_total": "Questions notées à la main",
        "final": "Note finale",
        "held": "Questions à relire par l'équipe pédagogique",
        "incomplete": "Rendu incomplet",
        "comments": "Commentaires de l'équipe pédagogique",
    },
    "en": {
        "title": "Grading feedback",
        "total": "Automatic grade",
        "manual": "graded by hand",
        "review": "to be reviewed by the teaching staff",
        "loading": "Loading your code",
        "question": "Question",
        "points": "Points",
        "details": "Tests",
        "unloadable": "Submission could not be graded",
        "notes": "Notes",
        "manual_total": "Hand-graded questions",
        "final": "Final grade",
        "held": "Questions the teaching staff will read",
        "incomplete": "Incomplete submission",
        "comments": "Comments from the teaching staff",
    },
}
# Raw HTML off: feedback quotes student code (a cell's first line), which must show as text.
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
PAGE = jinja2.Environment(autoescape=True).from_string(
    '<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>'
    "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem}code{background:#f4f4f4}</style>"
    "</head><body>{{ body|safe }}</body></html>\n"
)


def feedback_markdown(report: Report, language: str = "fr") -> str:
    w = WORDS[language]
    lines = _heading(report, language)
    lines += [f"**{w['total']} : {number(report.auto_total)} / {number(report.auto_max)}**", ""]
    manual = [q for q in report.questions if q.manual]
    entered = [q for q in manual if q.points is not None]
    if entered:  # points a TA entered (``python -m autograder manual``)
        lines += [
            f"**{w['manual_total']} : {number(sum(q.points for q in entered))} / "
            f"{number(sum(q.max_points for q in entered))}**",
            "",
        ]
        if len(entered) == len(manual):
            lines += [f"**{w['final']} : {number(report.total)} / {number(report.max_total)}**", ""]
    lines += [f"| {w['question']} | {w['points']} |", "|---|---|"]
    for q in report.questions:
        points = w["manual"] if q.points is None else f"{number(q.points)} / {number(q.max_points)}"
        if q.review and report.status is Status.NEEDS_REVIEW:
            points += f" ({w['review']})"
        lines.append(f"| {q.question} — {q.title} | {points} |")
    lines.append("")
    commented = [q for q in report.questions if q.comment.strip()]
    if commented:
        lines += [f"## {w['comments']}", ""]
        # Continuation lines indented: a comment of several lines stays one list item.
        lines += [
            "- **" + q.question + "** : " + "\n  ".join(q.comment.strip().splitlines())
            for q in commented
        ]
        lines.append("")
    lines += _review(report, language)
    lines += _loading(report, language)
    if report.tests:
        lines += [f"## {w['details']}", ""]
        order = {q.question: i for i, q in enumerate(report.questions)}
        for t in sorted(report.tests, key=lambda t: order.get(t.question, len(order))):
            label = OUTCOME_LABEL[language][t.outcome.value]
            head = f"- **{t.question}** `{t.test}` — {label} ({number(t.points)}/{number(t.max_points)})"
            if t.message is not None:
                head += f" : {render(t.message, language, hidden=t.visibility == 'hidden')}"
            lines.append(head)
        lines.append("")
    return "\n".join(lines)


def feedback_html(report: Report, language: str = "fr", markdown: str | None = None) -> str:
    """The feedback as a standalone HTML page (feedback.html); ``markdown``: that of
    ``feedback_markdown``, when already rendered."""
    if markdown is None:
        markdown = feedback_markdown(report, language)
    return PAGE.render(
        lang=language,
        title=f"{report.assignment} — {report.student}",
        body=MARKDOWN.render(markdown),
    )


def check_markdown(report: Report, language: str = "fr") -> str:
    """What ``check`` prints: the public tests that ran, and how the code loaded — not a grade."""
    intro = {
        "fr": "Tests publics : {ok}/{n} réussis ({p:g}/{m:g} points). La note finale comporte d'autres tests.",
        "en": "Public tests: {ok}/{n} passed ({p:g}/{m:g} points). The final grade runs more tests.",
    }[language]
    passed = sum(t.outcome is Outcome.PASSED for t in report.tests)
    head = intro.format(
        ok=passed,
        n=len(report.tests),
        p=sum(t.points for t in report.tests),
        m=sum(t.max_points for t in report.tests),
    )
    body = feedback_markdown(report, language)
    sections = body.split("\n## ")[1:]
    return "\n\n".join(
        [head] + _incomplete(report, language)[:1] + ["## " + section for section in sections]
    )


def _heading(report: Report, language: str) -> list[str]:
    w = WORDS[language]
    lines = [f"# {w['title']} — {report.assignment} — {report.student}", ""]
    if report.problem is not None:
        lines += [f"**{w['unloadable']}** : {render(report.problem, language)}", ""]
    return lines + _incomplete(report, language)


def _incomplete(report: Report, language: str) -> list[str]:
    """The graded modules left as handed out, first thing the student reads (the status ``incomplete``)."""
    messages = incomplete_messages(report)
    if not messages or report.problem is not None:
        return []
    return [
        f"**{WORDS[language]['incomplete']}** : " + " ".join(render(m, language) for m in messages),
        "",
    ]


def incomplete_messages(report: Report) -> list[Message]:
    """One message for the graded modules not handed in, one for those handed in unchanged, each naming
    the questions a stub of theirs stopped."""
    sub = report.submission
    messages = []
    for key, files in (
        ("modules_missing", sub.missing_modules),
        ("modules_unchanged", sub.unchanged_modules),
    ):
        if files:
            messages.append(
                Message.of(
                    key, files=", ".join(files), detail=", ".join(stub_questions(report, files))
                )
            )
    return messages


def stub_questions(report: Report, files) -> list[str]:
    """Questions with a test stopped by NotImplementedError raised in one of ``files`` (a stub there)."""

    def in_files(test: TestResult) -> bool:
        # "pad_collate_fn, textloader.py:88": the last place named is where the error was raised
        where = test.message.as_dict().get("where", "") if test.message else ""
        return bool(where) and Path(where.split(", ")[-1].rsplit(":", 1)[0]).name in files

    hit = {t.question for t in report.tests if t.outcome is Outcome.NOT_IMPLEMENTED and in_files(t)}
    return [q.question for q in report.questions if q.question in hit]


def _loading(report: Report, language: str) -> list[str]:
    notes = list(report.submission.notes) + step_messages(report.load.steps)
    if not notes:
        return []
    return (
        [f"## {WORDS[language]['loading']}", ""]
        + [f"- {render(m, language)}" for m in notes]
        + [""]
    )


def _review(report: Report, language: str) -> list[str]:
    """Questions held because their names are missing while related code is there: what was found, where."""
    held = [q for q in report.questions if q.found]
    if not held or report.status is not Status.NEEDS_REVIEW:
        return []
    return (
        [f"## {WORDS[language]['held']}", ""]
        + [
            "- "
            + render(
                Message.of("review_missing", question=q.question, names=q.missing, found=q.found),
                language,
            )
            for q in held
        ]
        + [""]
    )


MAX_PLACES = 6  # places named in one grouped line


def step_messages(steps: tuple[LoadStep, ...]) -> list[Message]:
    """One line per load problem; steps that raised the very same error (the same missing file in three
    modules, the same undefined name in every later cell) make one line with their count and places."""
    groups: dict[str, list[LoadStep]] = {}
    for step in steps:
        if step.status == "raised":
            groups.setdefault(step.error, []).append(step)
    messages, done = [], set()
    for step in steps:
        group = groups.get(step.error, []) if step.status == "raised" else []
        if len(group) < 2:
            messages.append(_step_message(step))
        elif step.error not in done:
            done.add(step.error)
            places = ", ".join(s.where for s in group[:MAX_PLACES]) + (
                ", …" if len(group) > MAX_PLACES else ""
            )
            messages.append(
                Message.of("steps_same_error", count=len(group), error=step.error, places=places)
            )
    return messages


GRADESCOPE_MAX_OUTPUT = 100_000  # Gradescope cuts each output there; we cut first, and say so


def gradescope_results(report: Report, language: str = "fr") -> dict:
    """Gradescope's results.json: public tests visible at once, hidden ones after publication.

    The overall output is visible at once too, so it carries no points (they would give away the
    hidden tests before publication): the heading, how the code loaded, and what comes when.
    Written answers are graded on Gradescope itself: not in this score.
    """
    position = {q.question: i for i, q in enumerate(report.questions, start=1)}
    counts: dict[int, int] = {}
    tests = []
    # Numbered "<question>.<test>" so Gradescope lists them question by question.
    for t in sorted(report.tests, key=lambda t: position.get(t.question, len(position) + 1)):
        index = position.get(t.question, len(position) + 1)
        counts[index] = counts.get(index, 0) + 1
        text = render(t.message, language, hidden=t.visibility == "hidden") if t.message else ""
        tests.append(
            {
                "name": f"{t.question} · {t.test}" if t.question else t.test,
                "number": f"{index}.{counts[index]}",
                "score": t.points,
                "max_score": t.max_points,
                "status": "passed" if t.outcome is Outcome.PASSED else "failed",
                "output": _cut(
                    f"**{OUTCOME_LABEL[language][t.outcome.value]}**"
                    + (f"\n\n{text}" if text else "")
                ),
                "output_format": "md",
                "tags": [t.question] if t.question else [],
                "visibility": "visible" if t.visibility == "public" else "after_published",
            }
        )
    lines = _heading(report, language) + _review(report, language) + _loading(report, language)
    if any(t.visibility == "hidden" for t in report.tests):
        lines += [render(Message.of("gradescope_hidden_later"), language), ""]
    manual = [q.question for q in report.questions if q.manual]
    if manual:
        lines += [
            render(Message.of("gradescope_manual", questions=", ".join(manual)), language),
            "",
        ]
    return {
        "score": report.auto_total,
        "execution_time": report.seconds,
        "output": _cut("\n".join(lines)),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"status": report.status.value, "assignment": report.assignment},
    }


def _cut(text: str) -> str:
    marker = "\n\n[…]"
    return (
        text
        if len(text) <= GRADESCOPE_MAX_OUTPUT
        else text[: GRADESCOPE_MAX_OUTPUT - len(marker)] + marker
    )


def _step_message(step: LoadStep) -> Message:
    return Message.of(
        f"step_{step.status}", where=step.where, first_line=step.first_line, error=step.error
    )


def number(x: float) -> str:
    """Points as the reports print them: 2, 0.5, 1.25."""
    return f"{x:g}"
