"""Grade one submission (``grade``) or a class (``grade_class``): the pipeline, stage by stage.

intake → load (sandboxed worker) → run (grading tests, in the grader) → score → report.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
import os
import re
import signal
import subprocess
import tempfile
import time
import traceback
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from . import isolation
from .assignments import ROOT, SOLUTIONS, Assignment, handouts
from .channel import Limits
from .intake import entry_fingerprint, intake, provide_course_files
from .load import load
from .report import set_hold, write_gradebook, write_submission
from .report_json import Record, record_from_dict, report_from_dict, student_folder
from .results import LoadResult, Message, Outcome, Report, Status, Submission, TestResult
from .run import ASSIGNMENTS, run_tests
from .score import score, written_answers
from .source import read_source


@dataclass(frozen=True)
class Options:
    """How to grade: which tests, how hard to limit the worker, which language for feedback."""

    visibility: tuple[str, ...] = ("public", "hidden")
    questions: tuple[str, ...] | None = None
    language: str = "fr"
    limits: Limits = Limits()
    tests_root: Path = ASSIGNMENTS


def grade(
    path: Path,
    assignment: Assignment,
    options: Options = Options(),
    student: str | None = None,
    notebook: str | None = None,
) -> Report:
    """Grade one submission (a notebook, a .py file, a folder or a zip); ``notebook`` (a name or a path
    inside it) forces the notebook graded, whatever else the folder holds."""
    start = time.perf_counter()
    protect_hidden_files()
    report = _grade(path, assignment, options, student, start, notebook)
    return dataclasses.replace(report, isolation=isolation.detect().as_dict())


def _grade(
    path: Path,
    assignment: Assignment,
    options: Options,
    student: str | None,
    start: float,
    notebook: str | None = None,
) -> Report:
    with tempfile.TemporaryDirectory(prefix="rnnkit-sub-") as tmp:
        submission = intake(
            Path(path),
            Path(tmp) / "files",
            assignment_id=assignment.id,
            module_order=assignment.module_order,
            student=student,
            handouts=handouts(assignment.id),
            notebook=notebook,
        )
        if submission.problem is not None:
            return score(
                assignment.id,
                assignment.questions,
                submission,
                LoadResult((), ()),
                (),
                seconds=time.perf_counter() - start,
            )
        source = read_source(submission)
        answers = written_answers(
            submission, assignment.questions
        )  # before load: the worker moves the files
        # Stand-ins of the course's data files in data/, ../data/, beside the files and where the code's
        # path constants point, all inside the worker's copy (see intake.provide_course_files).
        submission = provide_course_files(
            submission, Path(tmp) / "worker", [text for _, text in source.parts]
        )
        sandbox, loaded = load(submission, options.limits)
        with sandbox:
            tests = (
                ()
                if loaded.problem
                else run_tests(
                    assignment.id,
                    sandbox,
                    loaded,
                    visibility=options.visibility,
                    questions=options.questions,
                    tests_root=options.tests_root,
                    source=source,
                )
            )
            printed = sandbox.printed()
    return score(
        assignment.id,
        assignment.questions,
        submission,
        loaded,
        tests,
        seconds=time.perf_counter() - start,
        printed=printed,
        source=source,
        answers=answers,
    )


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a class grading: the workers are stopped, what finished is written (``reports``:
    the gradebook's rows), and rerunning the same command resumes."""

    def __init__(self, run: ClassRun):
        super().__init__("interrupted")
        self.run = run


@dataclass(frozen=True)
class Entry:
    """One entry of a class folder and the student it stands for."""

    path: Path
    student: str  # the id: the entry's name, or Moodle's participant id
    display_name: str = ""  # Moodle's full name
    moodle_id: str = ""
    plugin: str = (
        ""  # Moodle's submission plugin ("file", "onlinetext"); "" outside Moodle's layout
    )


@dataclass(frozen=True)
class ClassRun:
    """What a class grading did: the gradebook's rows and what the TA must hear about."""

    reports: tuple[Report, ...]  # every row of the gradebook, kept rows included
    graded: tuple[str, ...] = ()  # students graded in this run
    skipped: tuple[str, ...] = ()  # unchanged since their report.json: not regraded
    duplicates: tuple[
        tuple[Entry, ...], ...
    ] = ()  # entries sharing a student id: none of them graded
    holds: dict = dataclasses.field(default_factory=dict)  # student -> why the row is not exported
    interrupted: bool = False


# Moodle's "download all submissions": "<Full Name>_<participant id>_assignsubmission_<plugin>_" folders,
# or, without "download submissions in folders", the same prefix before each file's name.
MOODLE_ENTRY = re.compile(
    r"^(?P<name>.*?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)$", re.S
)
log = logging.getLogger("autograder.grade")


def describe_entry(path: Path) -> Entry:
    """The student of a class entry: Moodle's participant id and name for its layout, else the name."""
    name = os.fsencode(path.name).decode("utf-8", "replace")
    moodle = MOODLE_ENTRY.match(name)
    if moodle:
        # Archives made on macOS decompose accents (NFD): names are compared and shown composed.
        display = unicodedata.normalize("NFC", moodle["name"]).strip()
        return Entry(path, moodle["id"], display, moodle["id"], moodle["plugin"])
    return Entry(path, student_id(path))


def class_entries(folder: Path) -> tuple[dict[str, Entry], tuple[tuple[Entry, ...], ...]]:
    """The entries of ``folder`` by student id, and the groups of entries that share an id (unresolved).

    Moodle gives a student with an online text beside their files two folders: the files are graded,
    the online text ignored (logged). Any other pair is ambiguous: neither is graded.
    """
    groups: dict[str, list[Entry]] = {}
    for path in sorted(p for p in Path(folder).iterdir() if not p.name.startswith(".")):
        entry = describe_entry(path)
        groups.setdefault(entry.student, []).append(entry)
    entries, duplicates = {}, []
    for student, group in groups.items():
        files = [e for e in group if e.plugin != "onlinetext"]
        if len(group) == 1 or (len(files) == 1 and all(e.plugin for e in group)):
            chosen = files[0] if files else group[0]
            for other in group:
                if other is not chosen:
                    log.info(
                        "%s: %s ignored (Moodle's online text; the files of %s are graded)",
                        student,
                        other.path.name,
                        chosen.path.name,
                    )
            entries[student] = chosen
        else:
            duplicates.append(tuple(group))
    return entries, tuple(duplicates)


def select_students(entries: dict[str, Entry], names, duplicates=()) -> set[str]:
    """The student ids that ``names`` designate (an id, an entry's file name or a Moodle full name)."""
    known = {**{e.student: e for group in duplicates for e in group}, **entries}
    everything = [e for e in known.values()] + [e for group in duplicates for e in group]
    chosen, unknown = set(), []
    for name in names:
        hits = {e.student for e in everything if name in (e.student, e.path.name, e.display_name)}
        if not hits:
            unknown.append(name)
        chosen |= hits
    if unknown:
        from .graded import InputError

        shown = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
        raise InputError(
            [
                f"--student {name}: no such student in the submissions folder ({shown})"
                for name in unknown
            ]
        )
    return chosen


def grade_class(
    folder: Path,
    assignment: Assignment,
    out: Path,
    *,
    jobs: int | None = None,
    options: Options = Options(),
    progress=None,
    students=None,
) -> list[Report]:
    """Grade every entry of ``folder`` (one per student) in parallel; write each result as it comes.

    The gradebook's rows: see ``run_class``.
    """
    return list(
        run_class(
            folder,
            assignment,
            out,
            jobs=jobs,
            options=options,
            progress=progress,
            students=students,
        ).reports
    )


def run_class(
    folder: Path,
    assignment: Assignment,
    out: Path,
    *,
    jobs: int | None = None,
    options: Options = Options(),
    progress=None,
    students=None,
) -> ClassRun:
    """Grade the entries of ``folder`` (``students``: only these) into ``out``, merging into what is there.

    A rerun skips a submission whose files and grading kit are unchanged since its report.json (a
    grader_error is always retried). The gradebook keeps every report of ``out``: a student not graded
    now keeps their row, held back from the export (``hold``) when their entry is gone from the folder it
    was graded from, when it shares its id with another entry, or when it changed and was not regraded.
    Ctrl-C stops the workers, writes the gradebook of what is done and raises ``Interrupted``.
    """
    folder = Path(folder)
    entries, duplicates = class_entries(folder)
    for group in duplicates:
        log.warning(
            "%s: %d entries for one student, none graded until one is left: %s",
            group[0].student,
            len(group),
            ", ".join(e.path.name for e in group),
        )
    chosen = select_students(entries, students, duplicates) if students else set(entries)
    out.mkdir(parents=True, exist_ok=True)
    kit = kit_fingerprint(assignment.id, options.tests_root)
    reports: dict[str, Report] = {}
    todo: list[Entry] = []
    for student, entry in entries.items():
        previous = _previous(out, entry.path, kit, student) if student in chosen else None
        if previous is not None:
            reports[student] = previous
            log.info("%s: unchanged since graded, kept (%s)", student, previous.status.value)
        elif student in chosen:
            todo.append(entry)
    skipped = tuple(reports)
    total = len(chosen & set(entries))
    if progress:
        progress(len(reports), total, None)
    graded: list[str] = []
    interrupted = False
    try:
        _grade_todo(
            todo, assignment, options, out, kit, folder, jobs, reports, graded, progress, total
        )
    except KeyboardInterrupt:
        interrupted = True
    previous_handler = signal.signal(signal.SIGINT, signal.SIG_IGN) if interrupted else None
    try:  # a second Ctrl-C must not cut the gradebook short
        run = _finish(
            folder,
            assignment,
            out,
            kit,
            entries,
            duplicates,
            chosen,
            reports,
            skipped,
            graded,
            interrupted,
        )
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGINT, previous_handler)
    if interrupted:
        raise Interrupted(run)
    return run


def _grade_todo(
    todo, assignment, options, out, kit, folder, jobs, reports, graded, progress, total
) -> None:
    """Grade ``todo`` in a process pool, writing each submission as it finishes; Ctrl-C stops the pool."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    version, commit = kit_identity()
    for attempt in range(
        2
    ):  # a grading process that dies (killed, out of memory) breaks the pool: once more
        if not todo:
            break
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_job)
        try:
            futures = {
                pool.submit(_grade_entry, entry.path, assignment, options, entry.student): entry
                for entry in todo
            }
            for future in as_completed(futures):
                entry = futures[future]
                try:
                    report = future.result()
                except BrokenProcessPool:
                    if attempt == 0:
                        continue
                    report = failed_report(
                        entry.path, assignment, "the grading process died", entry.student
                    )
                except Exception:  # noqa: BLE001  (one entry never stops the class; Ctrl-C does)
                    report = failed_report(
                        entry.path, assignment, traceback.format_exc(), entry.student
                    )
                record = Record(
                    version,
                    commit,
                    _now(),
                    entry.path.name,
                    str(folder.resolve()),
                    entry.display_name,
                    entry.moodle_id,
                )
                folder_out = write_submission(report, out, options.language, record)
                (folder_out / ".fingerprint").write_text(entry_fingerprint(entry.path)[:32] + kit)
                reports[entry.student] = report
                graded.append(entry.student)
                todo.remove(entry)
                log.info(
                    "%s: %s in %.1f s (%s)",
                    entry.student,
                    report.status.value,
                    report.seconds,
                    entry.path.name,
                )
                if progress:
                    progress(len(reports), total, report)
        except KeyboardInterrupt:
            _stop_pool(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _finish(
    folder, assignment, out, kit, entries, duplicates, chosen, reports, skipped, graded, interrupted
) -> ClassRun:
    """Put back the rows of ``out`` not graded now, decide every row's hold, write the gradebook."""
    here = str(folder.resolve())
    duplicated = {group[0].student: group for group in duplicates}
    holds: dict[str, str] = {}
    for report, record in _reports_in(out, assignment.id):
        student = report.student
        if student in reports:
            hold = ""
        elif student in duplicated:
            hold = (
                "duplicate entries, not regraded: "
                + ", ".join(e.path.name for e in duplicated[student])
                + " (keep one)"
            )
        elif student not in entries:
            if record.entry_folder not in ("", here):
                hold = (
                    record.hold
                )  # graded from another folder (a class graded in parts): kept as it is
            else:
                hold = f"removed: {record.entry or student} is no longer in {folder} (graded {record.graded_at or 'earlier'})"
        elif student in chosen:
            hold = (
                "not regraded: the run was interrupted; its files changed since"
                if interrupted
                else "not regraded: its files changed since"
            )
        elif _previous(out, entries[student].path, kit, student) is not None:
            hold = ""  # not asked for this time, unchanged
        else:
            hold = (
                f"not regraded: its files changed since (graded {record.graded_at or 'earlier'}); "
                f"--student {student} regrades it"
            )
        if student not in reports:
            reports[student] = report
        if set_hold(out, student, hold) and hold:
            log.warning("%s: %s", student, hold)
        if hold:
            holds[student] = hold
    rows = sorted(reports.values(), key=lambda r: r.student)
    write_gradebook(rows, out)
    return ClassRun(tuple(rows), tuple(graded), skipped, duplicates, holds, interrupted)


def _reports_in(out: Path, assignment_id: str):
    """Every (Report, Record) of ``out`` for this assignment; unreadable ones are logged and left out."""
    for path in sorted(out.glob("*/report.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            report = report_from_dict(data)
        except (OSError, ValueError, KeyError, TypeError) as err:
            log.warning("%s: unreadable report, left out of the gradebook (%s)", path, err)
            continue
        if report.assignment == assignment_id:
            yield report, record_from_dict(data)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Ctrl-C: stop every grading process and what it started (fork server, workers) within about 2 s.

    Each grading process gets SIGTERM, unwinds its sandbox (``_stop_job``) and exits; a second later,
    whatever of the tree noted at the start still runs gets SIGKILL (the fork server and its workers
    run in sessions of their own, out of reach of the terminal's Ctrl-C).
    """
    processes = dict(getattr(pool, "_processes", None) or {})
    tree = [pid for root in processes for pid in _descendants(root)]
    for pid in processes:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + 1.0
    for process in processes.values():
        process.join(max(0.0, deadline - time.monotonic()))
    late = [pid for pid, process in processes.items() if process.is_alive()]
    log.info(
        "Ctrl-C: %d grading process(es) stopped cleanly, %d killed",
        len(processes) - len(late),
        len(late),
    )
    for pid in [*processes, *tree]:
        _signal(pid, signal.SIGKILL)
    for process in processes.values():
        process.join(0.5)


def _descendants(root: int) -> list[int]:
    """The processes below ``root`` (from /proc; none where there is no /proc), deepest first."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            pid, ppid = int(text.split(" ", 1)[0]), int(text.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(pid)
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found[::-1]


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def student_id(entry: Path) -> str:
    """The student id of a class entry: its name (without suffix for a file), as readable text; Moodle's
    participant id for its "download all submissions" layout."""
    name = entry.stem if entry.is_file() else entry.name
    name = os.fsencode(name).decode("utf-8", "replace")
    moodle = MOODLE_ENTRY.match(os.fsencode(entry.name).decode("utf-8", "replace"))
    return moodle["id"] if moodle else name


_IN_JOB = (
    False  # a grading process is inside _grade_entry (Ctrl-C unwinds it) or waiting (it just exits)
)


class _Stopped(BaseException):
    """Raised in a grading process by SIGTERM: unwinds the sandbox and temporary folders, then exits."""


def _grade_entry(
    entry: Path, assignment: Assignment, options: Options, student: str | None = None
) -> Report:
    global _IN_JOB
    _IN_JOB = True
    try:
        return grade(entry, assignment, options, student=student or student_id(entry))
    except _Stopped:
        _exit_job()
    except BaseException:  # noqa: BLE001  (our fault, reported as such; the class run goes on)
        return failed_report(entry, assignment, traceback.format_exc(), student)
    finally:
        _IN_JOB = False


def _stop_job(signum, frame) -> None:
    if _IN_JOB:
        raise _Stopped()
    _exit_job()


def _exit_job() -> None:
    from .forkserver import close_zygotes

    try:
        close_zygotes()
    finally:
        os._exit(130)


def failed_report(
    entry: Path, assignment: Assignment, trace: str, student: str | None = None
) -> Report:
    """What a grading that failed on our side records: grader_error, no points, the trace for staff."""
    student = student or student_id(entry)
    error = TestResult(
        "<grading>",
        "",
        0.0,
        0.0,
        Outcome.GRADER_ERROR,
        "hidden",
        Message.of("grader_error"),
        trace[-20000:],
    )
    report = score(
        assignment.id,
        assignment.questions,
        Submission(student, Path(), None, ()),
        LoadResult((), ()),
        (error,),
        seconds=0.0,
    )
    return dataclasses.replace(report, isolation=isolation.detect().as_dict())


def _init_job() -> None:
    # Ctrl-C reaches the whole terminal group: the class process alone decides, and stops us by SIGTERM.
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    signal.signal(signal.SIGTERM, _stop_job)
    import torch

    torch.set_num_threads(
        1
    )  # parallel jobs share the cores; one thread each avoids oversubscription


def _previous(out: Path, entry: Path, kit: str, student: str | None = None) -> Report | None:
    """The report.json of an entry unchanged since graded by this kit; None to grade it (again)."""
    student = student or student_id(entry)
    folder = student_folder(out, student)
    try:
        if (folder / ".fingerprint").read_text() != entry_fingerprint(entry)[:32] + kit:
            return None
        report = report_from_dict(json.loads((folder / "report.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    # Our own failure may have been passing (a worker that could not start): always tried again.
    return None if report.status is Status.GRADER_ERROR or report.student != student else report


def kit_identity() -> tuple[str, str]:
    """The kit's version and git commit ("unknown" without git or outside a checkout)."""
    from . import __version__

    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        commit = done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return __version__, commit


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def kit_fingerprint(assignment_id: str, tests_root: Path = ASSIGNMENTS) -> str:
    """Changes whenever the tests, the reference or the engine change: then everything is regraded."""
    digest = hashlib.sha256()
    roots = [
        tests_root / assignment_id / "tests",
        SOLUTIONS / assignment_id,
        Path(__file__).resolve().parent,
    ]
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
