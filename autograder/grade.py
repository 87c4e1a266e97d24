"""Grade one submission (``grade``) or a class (``grade_class``): the pipeline, stage by stage.

intake → load (sandboxed worker) → run (grading tests, in the grader) → score → report.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .assignments import ROOT, SOLUTIONS, TEMPLATE, Assignment, handouts
from . import isolation
from .channel import Limits
from .intake import entry_fingerprint, intake, provide_course_files
from .load import load
from .report import report_from_dict, student_folder, write_gradebook, write_submission
from .results import LoadResult, Message, Outcome, Report, Submission, TestResult
from .run import ASSIGNMENTS, run_tests
from .score import score, written_answers
from .source import read_source

# Where the names graded by each assignment usually live (course names and past-year variants).
MODULE_ORDER = {
    "tp3-rnn": ("tp3", "utils", "tp4", "exo2", "exo3", "exo4"),
    "tp4-lstm": ("tp4", "tp5", "textloader", "generate", "utils"),
    "td3-elman": ("td3",),
}


@dataclass(frozen=True)
class Options:
    """How to grade: which tests, how hard to limit the worker, which language for feedback."""

    visibility: tuple[str, ...] = ("public", "hidden")
    questions: tuple[str, ...] | None = None
    language: str = "fr"
    limits: Limits = Limits()
    tests_root: Path = ASSIGNMENTS


def grade(path: Path, assignment: Assignment, options: Options = Options(), student: str | None = None,
          notebook: str | None = None) -> Report:
    """Grade one submission (a notebook, a .py file, a folder or a zip); ``notebook`` (a name or a path
    inside it) forces the notebook graded, whatever else the folder holds."""
    start = time.perf_counter()
    protect_hidden_files()
    report = _grade(path, assignment, options, student, start, notebook)
    return dataclasses.replace(report, isolation=isolation.detect().as_dict())


def _grade(path: Path, assignment: Assignment, options: Options, student: str | None, start: float,
           notebook: str | None = None) -> Report:
    with tempfile.TemporaryDirectory(prefix="rnnkit-sub-") as tmp:
        submission = intake(Path(path), Path(tmp) / "files", assignment_id=assignment.id,
                            module_order=MODULE_ORDER.get(assignment.id, ()), student=student,
                            handouts=handouts(assignment.id), notebook=notebook)
        if submission.problem is not None:
            return score(assignment.id, assignment.questions, submission, LoadResult((), ()), (),
                         seconds=time.perf_counter() - start)
        source = read_source(submission)
        answers = written_answers(submission, assignment.questions)  # before load: the worker moves the files
        # Stand-ins of the course's data files in data/, ../data/, beside the files and where the code's
        # path constants point, all inside the worker's copy (see intake.provide_course_files).
        submission = provide_course_files(submission, Path(tmp) / "worker", [text for _, text in source.parts])
        sandbox, loaded = load(submission, options.limits)
        with sandbox:
            tests = () if loaded.problem else run_tests(
                assignment.id, sandbox, loaded, visibility=options.visibility, questions=options.questions,
                tests_root=options.tests_root, source=source)
            printed = sandbox.printed()
    return score(assignment.id, assignment.questions, submission, loaded, tests,
                 seconds=time.perf_counter() - start, printed=printed, source=source, answers=answers)


def grade_class(folder: Path, assignment: Assignment, out: Path, *, jobs: int | None = None,
                options: Options = Options(), progress=None) -> list[Report]:
    """Grade every entry of ``folder`` (one per student) in parallel; write each result as it comes.

    A rerun skips a submission whose files and grading kit are unchanged since its report.json.
    """
    entries = sorted(p for p in Path(folder).iterdir() if not p.name.startswith("."))
    out.mkdir(parents=True, exist_ok=True)
    kit = kit_fingerprint(assignment.id, options.tests_root)
    reports: list[Report] = []
    todo: list[Path] = []
    for entry in entries:
        previous = _previous(out, entry, kit)
        if previous is not None:
            reports.append(previous)
        else:
            todo.append(entry)
    if progress:
        progress(len(reports), len(entries), None)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    for attempt in range(2):  # a grading process that dies (killed, out of memory) breaks the pool: once more
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_job) as pool:
            futures = {pool.submit(_grade_entry, entry, assignment, options): entry for entry in todo}
            for future in as_completed(futures):
                entry = futures[future]
                try:
                    report = future.result()
                except BrokenProcessPool:
                    if attempt == 0:
                        continue
                    report = failed_report(entry, assignment, "the grading process died")
                except BaseException:  # noqa: BLE001  (one entry never stops the class)
                    report = failed_report(entry, assignment, traceback.format_exc())
                folder_out = write_submission(report, out, options.language)
                (folder_out / ".fingerprint").write_text(entry_fingerprint(entry)[:32] + kit)
                reports.append(report)
                todo.remove(entry)
                if progress:
                    progress(len(reports), len(entries), report)
        if not todo:
            break
    write_gradebook(reports, out)
    return reports


def student_id(entry: Path) -> str:
    """The student id of a class entry: its name (without suffix for a file), as readable text."""
    name = entry.stem if entry.is_file() else entry.name
    return os.fsencode(name).decode("utf-8", "replace")


def _grade_entry(entry: Path, assignment: Assignment, options: Options) -> Report:
    try:
        return grade(entry, assignment, options, student=student_id(entry))
    except BaseException:  # noqa: BLE001  (our fault, reported as such; the class run goes on)
        return failed_report(entry, assignment, traceback.format_exc())


def failed_report(entry: Path, assignment: Assignment, trace: str) -> Report:
    """What a grading that failed on our side records: grader_error, no points, the trace for staff."""
    student = student_id(entry)
    error = TestResult("<grading>", "", 0.0, 0.0, Outcome.GRADER_ERROR, "hidden", Message.of("grader_error"),
                       trace[-20000:])
    report = score(assignment.id, assignment.questions, Submission(student, Path(), None, ()),
                   LoadResult((), ()), (error,), seconds=0.0)
    return dataclasses.replace(report, isolation=isolation.detect().as_dict())


def _init_job() -> None:
    import torch

    torch.set_num_threads(1)  # parallel jobs share the cores; one thread each avoids oversubscription


def _previous(out: Path, entry: Path, kit: str) -> Report | None:
    folder = student_folder(out, student_id(entry))
    try:
        if (folder / ".fingerprint").read_text() != entry_fingerprint(entry)[:32] + kit:
            return None
        return report_from_dict(json.loads((folder / "report.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def kit_fingerprint(assignment_id: str, tests_root: Path = ASSIGNMENTS) -> str:
    """Changes whenever the tests, the reference or the engine change: then everything is regraded."""
    digest = hashlib.sha256()
    roots = [tests_root / assignment_id / "tests", SOLUTIONS / assignment_id, Path(__file__).resolve().parent]
    for root in roots:
        for p in sorted(root.rglob("*.py")) if root.exists() else []:
            digest.update(p.read_bytes())
    return digest.hexdigest()[:32]


def protect_hidden_files() -> None:
    """As root, make the reference, hidden tests and build outputs unreadable to the worker's user."""
    if isolation.euid() != 0:
        return  # same user as the worker: the OS cannot separate them (documented in the README)
    if (Path(__file__).resolve().parent / "handout").is_dir():
        return  # the package of a student folder: no hidden file exists around it
    for path in (SOLUTIONS, ASSIGNMENTS, ROOT / "build"):
        if path.exists():
            os.chmod(path, 0o700)
