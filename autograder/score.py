"""Score: from test results to points per question and the submission's status."""

from __future__ import annotations

import ast
import difflib
import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .assignments import ANSWER_TAG, POINTS_IN_HEADING, TEMPLATE, Question
from .results import LoadResult, Outcome, QuestionScore, Report, Status, Submission, TestResult
from .source import SourceCode, _top_level

NOTEBOOK = "notebook"  # where a definition sits: the notebook, or a module's name ("utils")
MAX_FOUND = 8  # related definitions named per question (then "and N more")


def score(
    assignment_id: str,
    questions: tuple[Question, ...],
    submission: Submission,
    load: LoadResult,
    tests: tuple[TestResult, ...],
    *,
    seconds: float,
    printed: str = "",
    source: SourceCode | None = None,
    template: dict[str, str] | None = None,
    answers: tuple[tuple[str, str], ...] | None = None,
) -> Report:
    """Sum earned points per question (capped at the question's points); manual ones stay open. A test in
    review earns nothing yet: its question lists it and the submission waits for a TA (every pipeline
    sums the same per-test points).

    A question some of whose graded names are missing (or, having earned nothing, only stubs), in a
    submission that holds related code (``related_code``: definitions the template does not have where the student put them,
    top-level code of modules the course did not hand out), is held for review the same way: a script
    hand-in that trained at top level is read by a TA, never zeroed silently. ``template`` (name -> where
    the template defines it) defaults to the assignment's student template; without one (the engine
    copy shipped to students), nothing is held this way. ``answers`` are the written answers, read by
    the caller while the files are there (``written_answers``); by default read now.
    """
    earned: dict[str, float] = {}
    review: dict[str, list[str]] = {}
    for test in tests:
        earned[test.question] = earned.get(test.question, 0.0) + test.points
        if test.outcome is Outcome.NEEDS_REVIEW:
            review.setdefault(test.question, []).append(test.test)
    absent = absent_names(questions, tests)
    if template is None and absent and source is not None:
        template = template_definitions(assignment_id)
    found = (
        related_code(source, template, absent) if absent and source is not None and template else {}
    )
    for question, _ in found.items():
        review.setdefault(question, []).extend(
            t.test for t in tests if t.question == question and t.outcome is Outcome.NOT_IMPLEMENTED
        )
    scores = tuple(
        QuestionScore(
            q.id,
            q.title,
            None if q.manual else min(earned.get(q.id, 0.0), q.points),
            q.points,
            q.manual,
            review=", ".join(review.get(q.id, ())),
            missing=", ".join(absent[q.id][0]) if q.id in found else "",
            found="; ".join(found.get(q.id, ())),
        )
        for q in questions
    )
    problem = submission.problem or load.problem
    status = submission_status(load, problem, tests, bool(review), submission)
    return Report(
        assignment_id,
        submission.student,
        status,
        tests,
        scores,
        load,
        submission,
        round(seconds, 2),
        printed,
        problem,
        answers=written_answers(submission, questions) if answers is None else answers,
    )


def submission_status(load, problem, tests, review: bool, submission) -> Status:
    """One status per submission, the first that applies (README, "Statuses"): our fault, nothing
    gradable, a test that failed on our side, something a TA must decide (points held, or which of
    several notebooks), graded modules left as handed out, load problems, graded."""
    if load.ours:
        return Status.GRADER_ERROR
    if problem is not None:
        return Status.UNLOADABLE
    if any(t.outcome is Outcome.GRADER_ERROR for t in tests):
        return Status.GRADER_ERROR
    if review or notebook_in_doubt(submission):
        return Status.NEEDS_REVIEW
    if submission.incomplete:
        return Status.INCOMPLETE
    if load.steps:
        return Status.PARTIAL
    return Status.GRADED


def notebook_in_doubt(submission: Submission) -> bool:
    """Several notebooks hold different work and none was asked for: a TA checks the one graded."""
    return any(note.key == "several_notebooks_with_work" for note in submission.notes)


# --- written answers, for the TA who grades them -----------------------------------------------------------

MAX_ANSWER = (
    20_000  # characters kept of one written answer: a pasted log must not swell report.json
)


def written_answers(
    submission: Submission, questions: tuple[Question, ...]
) -> tuple[tuple[str, str], ...]:
    """The graded notebook's answers to the hand-graded questions, ``(question, Markdown)``; none when
    there is no notebook or it cannot be read (its problem is reported by intake and load)."""
    if not submission.notebook or not any(q.manual for q in questions):
        return ()
    try:
        cells = json.loads(
            (Path(submission.folder) / submission.notebook).read_text(encoding="utf-8")
        )["cells"]
        return notebook_answers(cells, questions)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ()


def notebook_answers(cells: list, questions: tuple[Question, ...]) -> tuple[tuple[str, str], ...]:
    """Markdown answers per hand-graded question: the cells tagged ``answer`` for that question (the
    template's answer cells); for a question without one (tags lost by an editor), the first Markdown
    cell under its heading, where the template puts the answer (the cells after it are the course's)."""
    manual = {q.id for q in questions if q.manual}
    titles = {_title(q.title): q.id for q in questions}
    tagged: dict[str, list[str]] = {}
    under: dict[str, list[str]] = {}
    current = None
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        first = text.strip().splitlines()[0] if text.strip() else ""
        tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
        question = meta.get("question") if isinstance(meta.get("question"), str) else None
        if ANSWER_TAG in tags and question in manual:
            tagged.setdefault(question, []).append(text.strip())
        elif "points" in meta or (first.startswith("#") and _title(first) in titles):
            current = question if "points" in meta else titles[_title(first)]
        elif first.startswith("#"):
            current = None  # a new section: what follows answers nothing
        elif current in manual and text.strip():
            under.setdefault(current, [text.strip()])
            current = None
    found = {**under, **tagged}
    return tuple((q.id, "\n\n".join(found[q.id])[:MAX_ANSWER]) for q in questions if q.id in found)


def _title(heading: str) -> str:
    """A question's heading as compared: no #'s, no "(2 points)", case and spacing aside."""
    return " ".join(POINTS_IN_HEADING.sub("", heading.lstrip("#")).split()).casefold()


# --- questions whose graded names are missing, and the code that may answer them instead -------------------


def absent_names(
    questions: tuple[Question, ...], tests: tuple[TestResult, ...]
) -> dict[str, tuple[tuple[str, ...], bool]]:
    """Automatic questions some of whose graded names are not there: {question: (names, stubs)}.

    ``stubs`` False: some test ended ``Missing`` (the name is not defined at all), whatever the other
    tests earned. ``stubs`` True: every name is defined but the question earned nothing, every test
    ending not implemented (NotImplementedError: a template stub) or skipped.
    """
    result = {}
    for q in questions:
        mine = [t for t in tests if t.question == q.id]
        if q.manual or not mine:
            continue
        stopped = [t for t in mine if t.outcome is Outcome.NOT_IMPLEMENTED]
        missing = [
            t.message.as_dict().get("name", "")
            for t in stopped
            if t.message and t.message.key == "missing"
        ]
        if missing:
            result[q.id] = (tuple(dict.fromkeys(n for n in missing if n)), False)
        elif (
            stopped
            and not any(t.points for t in mine)
            and all(t.outcome in (Outcome.NOT_IMPLEMENTED, Outcome.SKIPPED) for t in mine)
        ):
            result[q.id] = (tuple(dict.fromkeys(n for n in map(_stub_name, stopped) if n)), True)
    return result


def _stub_name(test: TestResult) -> str:
    """``RNN.forward`` from "NotImplementedError: RNN.forward" (the template's stubs say what they are)."""
    error = test.message.as_dict().get("error", "") if test.message else ""
    match = re.search(r"NotImplementedError:\s*([A-Za-z_][\w.]*)", error)
    return match.group(1) if match else ""


@dataclass(frozen=True)
class Definition:
    kind: str  # "class", "def" or "code" (top-level statements of a module the course did not hand out)
    name: str
    where: str  # "exo2.py:30", "cell 4"
    moved: bool = (
        False  # a template name defined elsewhere than in the template (class RNN in utils.py)
    )

    def describe(self) -> str:
        return (
            f"{self.name} ({self.where})"
            if self.kind == "code"
            else f"{self.kind} {self.name} ({self.where})"
        )


def related_code(
    source: SourceCode, template: dict[str, str], absent: dict[str, tuple[tuple[str, ...], bool]]
) -> dict[str, tuple[str, ...]]:
    """For each absent question, the submission's code a TA should read: {question: descriptions}.

    Candidates are the top-level classes and functions the template does not define at that place (a
    new name, or a template name moved to another file: ``class RNN`` in ``utils.py`` where the
    template has it in the notebook) and the top-level code (loops, calls, ``__main__`` blocks) of the
    modules the template does not have. Those with a name like a missing one go to that question alone
    (``train_forecaster`` for ``forecast``); a question with none of those gets every other new
    definition and top-level code (moved template names only when there is nothing else), or nothing
    when its names exist but are stubs.
    Nothing found: the question stays at zero, not implemented, as it is.
    """
    candidates = _candidates(source, template)
    resembling = {
        question: [
            d for d in candidates if d.kind != "code" and any(similar(d.name, n) for n in names)
        ]
        for question, (names, _) in absent.items()
    }
    claimed = {
        d for found in resembling.values() for d in found
    }  # offered only to the question they resemble
    result = {}
    for question, (_names, stubs) in absent.items():
        others = [d for d in candidates if d not in claimed]
        # Template names moved to another file (class RNN in utils.py) are graded under their own
        # questions: named here only when nothing else was found, as the sign of a script hand-in.
        chosen = resembling[question] or (
            [] if stubs else [d for d in others if not d.moved] or [d for d in others if d.moved]
        )
        if chosen:
            shown = [d.describe() for d in chosen[:MAX_FOUND]]
            if len(chosen) > MAX_FOUND:
                shown.append(f"... and {len(chosen) - MAX_FOUND} more")
            result[question] = tuple(shown)
    return result


def own_definitions(source: SourceCode, template: dict[str, str]) -> list[str]:
    """Names of the submission's top-level classes and functions that the template does not define
    where the student put them (new names, or template names moved to another file)."""
    return list(dict.fromkeys(d.name for d in _candidates(source, template) if d.kind != "code"))


def _candidates(source: SourceCode, template: dict[str, str]) -> list[Definition]:
    modules = {place for place in template.values() if place != NOTEBOOK}
    found: list[Definition] = []
    for label, text in source.parts:
        notebook = not label.endswith(".py")
        place = NOTEBOOK if notebook else Path(label).stem
        module = Path(label).name
        code = []
        for node in _top_level(text):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if template.get(node.name) != place:
                    where = label if notebook else f"{module}:{node.lineno}"
                    found.append(
                        Definition(
                            "class" if isinstance(node, ast.ClassDef) else "def",
                            node.name,
                            where,
                            node.name in template,
                        )
                    )
            elif not notebook and place not in modules and _is_code(node):
                code.append(node)
        if code:
            first = ast.get_source_segment(text, code[0]) or ""
            first = " ".join(first.splitlines()[0].split())[:60] if first else ""
            # Language-neutral (code and places only): it is shown inside French and English messages.
            more = f", +{len(code) - 1}" if len(code) > 1 else ""
            found.append(Definition("code", f"`{first}`", f"{module}:{code[0].lineno}{more}"))
    return found


def _is_code(node: ast.stmt) -> bool:
    """A statement that does something at import (a loop, a call, a ``__main__`` block), not a definition."""
    if isinstance(
        node, (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Pass)
    ):
        return False
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return False  # a docstring
    return True


def _words(name: str) -> set[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return {w for w in spaced.lower().split("_") if w}


def similar(name: str, wanted: str) -> bool:
    """``train_forecaster`` ~ ``forecast``, ``generateBeam`` ~ ``generate_beam``, ``RNN`` ~ ``RNN.forward``,
    ``train_classifier_epoch`` ~ ``classify``."""
    for part in wanted.split("."):
        a, b = name.lower().replace("_", ""), part.lower().replace("_", "")
        if len(a) < 3 or len(b) < 3:
            continue
        if a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)):
            return True
        if difflib.SequenceMatcher(None, a, b).ratio() >= 0.8:
            return True
        if any(_stem_match(x, y) for x in _words(name) for y in _words(part)):
            return True
    return False


def _stem_match(x: str, y: str) -> bool:
    """Two words of five letters or more that share most of the shorter one's start: classify ~ classifier,
    forecast ~ forecaster, generate ~ generation."""
    if min(len(x), len(y)) < 5:
        return False
    common = len(os.path.commonprefix([x, y]))
    return common >= max(5, 0.75 * min(len(x), len(y)))


@functools.cache
def template_definitions(
    assignment_id: str, template_root: Path = TEMPLATE
) -> dict[str, str] | None:
    """Top-level names of the student template, each with where it sits (``notebook`` or a module's
    name); None when there is no template (the engine's copy shipped to students)."""
    folder = template_root / assignment_id
    if not folder.is_dir():
        return None
    names: dict[str, str] = {}
    for path in sorted(folder.glob("*.py")) + sorted(folder.glob("*.ipynb")):
        texts = [path.read_text(encoding="utf-8")] if path.suffix == ".py" else _cells(path)
        place = NOTEBOOK if path.suffix == ".ipynb" else path.stem
        for text in texts:
            for node in _top_level(text):
                for name in _defined(node):
                    names.setdefault(name, place)
    return names


def _cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        "\n".join(
            "pass" if l.lstrip().startswith(("%", "!")) else l
            for l in "".join(c["source"]).splitlines()
        )
        for c in cells
        if c.get("cell_type") == "code"
    ]


def _defined(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets = (
        node.targets
        if isinstance(node, ast.Assign)
        else [node.target]
        if isinstance(node, ast.AnnAssign)
        else []
    )
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
