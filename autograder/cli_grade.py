"""The ``grade`` and ``check`` commands: progress, summary and exit codes around ``grade.py``."""

from __future__ import annotations

import datetime
import logging
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from . import isolation
from .assignments import ASSIGNMENT_IDS, ROOT, TEMPLATE, load_assignment
from .class_report import write_class_report
from .feedback import check_markdown
from .grade import (
    Interrupted,
    Options,
    class_entries,
    grade,
    kit_identity,
    run_class,
    select_students,
)
from .messages import render
from .results import Outcome, Status
from .summary import summary_table

DEMO = ROOT / "demo"


def grade_command(
    which: str,
    submissions: Path | None,
    out: Path,
    jobs: int | None,
    language: str,
    students: tuple[str, ...] = (),
) -> int:
    """Grade a class (or the demo); exit 0 when every report was produced, 1 on grader errors or entries
    sharing a student id (not graded), 130 on Ctrl-C (what finished is kept; rerun to resume)."""
    console = Console(stderr=True)
    try:
        return _grade_command(console, which, submissions, out, jobs, language, students)
    except (
        KeyboardInterrupt
    ):  # before or between class runs (preflight, building the demo): nothing to keep
        console.print("interrupted", markup=False)
        return 130


def _grade_command(console, which, submissions, out, jobs, language, students) -> int:
    ids = ASSIGNMENT_IDS if which == "all" else (which,)
    if (submissions is not None or students) and len(ids) != 1:
        console.print("error: --submissions and --student need one --assignment")
        return 2
    from .channel import Limits
    from .preflight import preflight

    checked = preflight(Limits(warm_start=False))
    if checked.problem is not None:
        console.print(checked.problem, markup=False)
        return 3
    worst = 0
    for assignment_id in ids:
        with tempfile.TemporaryDirectory(prefix="rnnkit-demo-") as tmp:
            folder = (
                submissions
                if submissions is not None
                else demo_submissions(assignment_id, Path(tmp))
            )
            if not folder.is_dir():
                console.print(f"error: {folder} is not a folder")
                return 2
            target = out / assignment_id if len(ids) > 1 or submissions is None else out
            code = grade_folder(
                console,
                folder,
                load_assignment(assignment_id),
                target,
                jobs,
                Options(language=language),
                students,
            )
        if code == 130:
            return code
        worst = max(worst, code)
    return worst


def grade_folder(
    console,
    folder: Path,
    assignment,
    target: Path,
    jobs: int | None,
    options: Options,
    students: tuple[str, ...] = (),
) -> int:
    """One class: log, progress bar, summary; the exit status (0, 1: see ``grade_command``; 130: Ctrl-C)."""
    if (
        students
    ):  # an unknown name stops here, before the log is opened (InputError: nothing written)
        entries, duplicates = class_entries(folder)
        select_students(entries, students, duplicates)
    handlers = start_log(target, console)
    log = logging.getLogger("autograder.grade")
    start = time.monotonic()
    try:
        try:
            run = _graded_with_progress(
                console, folder, assignment, target, jobs, options, students
            )
        except Interrupted as stop:
            run = stop.run
            log.info(
                "interrupted after %.0f s: %d graded in this run, gradebook of %d rows written",
                time.monotonic() - start,
                len(run.graded),
                len(run.reports),
            )
            log.info(RESUME)  # info: the file only; the console gets the one line below
            console.print(
                f"interrupted: {len(run.graded)} submission(s) finished in this run are kept in {target} "
                f"(gradebook.csv lists what is done); {RESUME}",
                markup=False,
            )
            return 130
        reports = _with_manual_grades(target, list(run.reports), options.language)
        entries, _ = class_entries(folder)
        write_class_report(
            target, reports, assignment, submissions={e.student: e.path for e in entries.values()}
        )
        log.info(
            "done in %.0f s: %d graded, %d unchanged, %d rows in the gradebook",
            time.monotonic() - start,
            len(run.graded),
            len(run.skipped),
            len(reports),
        )
    finally:
        stop_log(handlers)
    auto_max = sum(q.points for q in assignment.questions if not q.manual)
    Console().print(summary_table(reports, run.holds, auto_max))
    for line in attention_lines(reports) + class_lines(run):
        console.print(line, markup=False)
    console.print(isolation.detect().summary(), markup=False)
    console.print(
        f"class report: {target / 'index.html'} (terminal: class.md); gradebook: {target / 'gradebook.csv'}; "
        f"feedback: {target}/<student>/feedback.html; log: {target / LOG}"
    )
    failures = sum(r.status is Status.GRADER_ERROR for r in reports) + len(run.duplicates)
    return 1 if failures else 0


LOG = "grading.log"
RESUME = "to resume, run the same command again: finished submissions are skipped"


def start_log(target: Path, console) -> list[logging.Handler]:
    """Log to ``target/grading.log`` (appended, everything) and to the console (warnings, with rich), and
    write the run's heading: command line, kit version and commit, date, isolation in force."""
    target.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(target / LOG, encoding="utf-8")
    to_file.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    to_file.setLevel(logging.INFO)
    screen = RichHandler(
        console=console, level=logging.WARNING, show_path=False, show_time=False, markup=False
    )
    logger = logging.getLogger("autograder")
    logger.setLevel(logging.INFO)
    logger.addHandler(to_file)
    logger.addHandler(screen)
    version, commit = kit_identity()
    for line in (
        "-" * 60,
        f"command: {shlex.join(sys.argv)}",
        f"kit: rnnkit {version}, commit {commit}",
        f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        isolation.detect().summary(),
    ):
        logger.info("%s", line)  # info: the file only (the console shows warnings)
    return [to_file, screen]


def stop_log(handlers: list[logging.Handler]) -> None:
    logger = logging.getLogger("autograder")
    for handler in handlers:
        logger.removeHandler(handler)
        handler.close()


def class_lines(run) -> list[str]:
    """Under the table, what the class run itself found: entries sharing an id (not graded), rows kept
    but held back from the export (entry removed, not regraded)."""
    lines = []
    for group in run.duplicates:
        flat = all(
            e.plugin and e.path.is_file() for e in group
        )  # Moodle's download without folders
        lines.append(
            f"duplicate: {len(group)} entries for student {group[0].student}, none graded: "
            + ", ".join(e.path.name for e in group)
            + (
                " (Moodle: download again with 'Download submissions in folders')"
                if flat
                else " (keep one and grade again)"
            )
        )
    for student, hold in sorted(run.holds.items()):
        lines.append(f"{student}: {hold} (kept in the gradebook, left out of the Moodle export)")
    return lines


def attention_lines(reports) -> list[str]:
    """Under the table, what a TA must not miss: submissions waiting for a decision, and hand-ins whose
    graded modules were missing or untouched (graded on the stubs)."""
    lines = []
    for status, what in (
        (Status.NEEDS_REVIEW, "wait for a TA (questions held, or several notebooks with work)"),
        (
            Status.INCOMPLETE,
            "graded with modules to complete missing or unchanged from the handout",
        ),
    ):
        names = sorted(r.student for r in reports if r.status is status)
        if names:
            shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            lines.append(
                f"{status.value}: {len(names)} submission(s) {what}: {shown} (see the note column)"
            )
    return lines


def _with_manual_grades(out: Path, reports, language: str):
    """Regrading rewrites the reports: put back the points TAs entered (kept in OUT/manual_grades.csv)."""
    from .manual import SAVED, merge_manual_grades

    if not (out / SAVED).exists():
        return reports
    graded, _ = merge_manual_grades(out, None, language)
    return list(graded.reports)


def check_command(
    assignment_id: str, path: Path, questions: tuple[str, ...] | None, language: str
) -> int:
    """Run the public tests on one submission and print the student's feedback; 1 if a test fails."""
    shipped = Path(__file__).resolve().parent / "public_tests"  # inside a student folder
    tests_root = shipped if shipped.is_dir() else Options().tests_root
    path, notebook = Path(path), None
    if path.suffix.lower() == ".ipynb" and path.is_file():
        path, notebook = path.parent, path.name  # a notebook is checked with the modules beside it
    report = grade(
        path,
        load_assignment(assignment_id),
        Options(
            visibility=("public",), questions=questions, language=language, tests_root=tests_root
        ),
        notebook=notebook,
    )
    print(check_markdown(report, language))
    if report.problem is not None:
        print(render(report.problem, language), file=sys.stderr)
    failed = report.problem is not None or any(
        t.outcome is not Outcome.PASSED for t in report.tests
    )
    return 1 if failed else 0


def demo_submissions(assignment_id: str, tmp: Path) -> Path:
    """The demo class: the reference and the untouched template, built from the single source,
    plus the hand-written demo submissions of ``demo/<id>/``."""
    from .build import build_reference  # staff side only: not shipped in the students' copy
    from .validity import load_variant, materialise

    folder = tmp / "submissions"
    folder.mkdir(parents=True)
    build_reference(load_assignment(assignment_id), folder / "reference")
    shutil.copytree(TEMPLATE / assignment_id, folder / "template")
    for entry in (
        sorted((DEMO / assignment_id).glob("*")) if (DEMO / assignment_id).exists() else []
    ):
        if entry.suffix == ".py" and "# base:" in entry.read_text(encoding="utf-8"):
            # A few overridden definitions on top of the template (validity-bank format).
            materialise(load_variant(assignment_id, entry), folder / entry.stem)
        else:
            (shutil.copytree if entry.is_dir() else shutil.copyfile)(entry, folder / entry.name)
    return folder


def _graded_with_progress(console, folder, assignment, out, jobs, options, students=()):
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(assignment.id, total=None)

        def update(done, total, report):
            progress.update(
                task,
                completed=done,
                total=total,
                description=f"{assignment.id} {report.student if report else ''}".strip(),
            )

        return run_class(
            folder,
            assignment,
            out,
            jobs=jobs,
            options=options,
            progress=update,
            students=students or None,
        )
