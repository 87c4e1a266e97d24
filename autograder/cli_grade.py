"""The ``grade`` and ``check`` commands: progress, summary and exit codes around ``grade.py``."""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .assignments import ASSIGNMENT_IDS, ROOT, TEMPLATE, load_assignment
from .grade import Options, grade, grade_class
from .messages import render
from .report import check_markdown, summary_table
from .results import Outcome, Status

DEMO = ROOT / "demo"


def grade_command(which: str, submissions: Path | None, out: Path, jobs: int | None, language: str) -> int:
    """Grade a class (or the demo); exit 0 when every report was produced, 1 on grader errors."""
    console = Console(stderr=True)
    ids = ASSIGNMENT_IDS if which == "all" else (which,)
    if submissions is not None and len(ids) != 1:
        console.print("error: --submissions needs one --assignment")
        return 2
    from .channel import Limits
    from .preflight import preflight

    checked = preflight(Limits(warm_start=False))
    if checked.problem is not None:
        console.print(checked.problem, markup=False)
        return 3
    failures = 0
    for assignment_id in ids:
        with tempfile.TemporaryDirectory(prefix="rnnkit-demo-") as tmp:
            folder = submissions if submissions is not None else demo_submissions(assignment_id, Path(tmp))
            if not folder.is_dir():
                console.print(f"error: {folder} is not a folder")
                return 2
            target = out / assignment_id if len(ids) > 1 or submissions is None else out
            reports = _graded_with_progress(console, folder, assignment_id, target, jobs, language)
            reports = _with_manual_grades(target, reports, language)
        Console().print(summary_table(reports))
        for line in attention_lines(reports):
            console.print(line, markup=False)
        console.print(checked.isolation.summary(), markup=False)
        console.print(f"gradebook: {target / 'gradebook.csv'}; feedback: {target}/<student>/feedback.md")
        failures += sum(r.status is Status.GRADER_ERROR for r in reports)
    return 1 if failures else 0


def attention_lines(reports) -> list[str]:
    """Under the table, what a TA must not miss: submissions waiting for a decision, and hand-ins whose
    graded modules were missing or untouched (graded on the stubs)."""
    lines = []
    for status, what in ((Status.NEEDS_REVIEW, "wait for a TA (questions held, or several notebooks with work)"),
                         (Status.INCOMPLETE, "graded with modules to complete missing or unchanged from the handout")):
        names = sorted(r.student for r in reports if r.status is status)
        if names:
            shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            lines.append(f"{status.value}: {len(names)} submission(s) {what}: {shown} (see the note column)")
    return lines


def _with_manual_grades(out: Path, reports, language: str):
    """Regrading rewrites the reports: put back the points TAs entered (kept in OUT/manual_grades.csv)."""
    from .manual import SAVED, merge_manual_grades

    if not (out / SAVED).exists():
        return reports
    graded, _ = merge_manual_grades(out, None, language)
    return list(graded.reports)


def check_command(assignment_id: str, path: Path, questions: tuple[str, ...] | None, language: str) -> int:
    """Run the public tests on one submission and print the student's feedback; 1 if a test fails."""
    shipped = Path(__file__).resolve().parent / "public_tests"  # inside a student folder
    tests_root = shipped if shipped.is_dir() else Options().tests_root
    path, notebook = Path(path), None
    if path.suffix.lower() == ".ipynb" and path.is_file():
        path, notebook = path.parent, path.name  # a notebook is checked with the modules beside it
    report = grade(path, load_assignment(assignment_id), Options(visibility=("public",), questions=questions,
                                                                  language=language, tests_root=tests_root),
                   notebook=notebook)
    print(check_markdown(report, language))
    if report.problem is not None:
        print(render(report.problem, language), file=sys.stderr)
    failed = report.problem is not None or any(t.outcome is not Outcome.PASSED for t in report.tests)
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
    for entry in sorted((DEMO / assignment_id).glob("*")) if (DEMO / assignment_id).exists() else []:
        if entry.suffix == ".py" and "# base:" in entry.read_text(encoding="utf-8"):
            # A few overridden definitions on top of the template (validity-bank format).
            materialise(load_variant(assignment_id, entry), folder / entry.stem)
        else:
            (shutil.copytree if entry.is_dir() else shutil.copyfile)(entry, folder / entry.name)
    return folder


def _graded_with_progress(console, folder, assignment_id, out, jobs, language):
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(assignment_id, total=None)

        def update(done, total, report):
            progress.update(task, completed=done, total=total,
                            description=f"{assignment_id} {report.student if report else ''}".strip())

        return grade_class(folder, load_assignment(assignment_id), out, jobs=jobs, options=Options(language=language),
                           progress=update)
