"""Command line of the kit: ``python -m autograder <command>``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .assignments import ASSIGNMENT_IDS, AssignmentError
from .graded import InputError
from .markers import MarkerError

EXAMPLES = """examples (ID: a lab, a folder of assignments/):
  python -m autograder grade --assignment ID --submissions rendus/ --out graded/
  python -m autograder grade --assignment ID --submissions rendus/ --out graded/ --student dupont
  python -m autograder check ID rendus/dupont/NOTEBOOK.ipynb --question Q5a
  python -m autograder manual ta.csv --graded graded/ID
  python -m autograder export moodle --graded graded/ID
  python -m autograder validity ID --jobs 2
  python -m autograder bench --assignment ID -n 12
  python -m autograder bench-check
  python -m autograder pipeline gradescope build --assignment ID
  .venv-pipelines/bin/python -m autograder pipeline otter build --assignment ID
"""
# Commands whose options live in their own module (each has a main(argv)).
FORWARDED = {
    "validity": (
        "validity",
        "grade the validity banks: mutants, right variants, conventions, past hand-ins",
    ),
    "bench": ("bench", "per-submission grading time and class throughput on a generated class"),
    "bench-check": (
        "bench_check",
        "how long a student waits for check(): first call and warm median",
    ),
    "pipeline": (
        "pipelines",
        "build or run a pipeline: gradescope | otter | nbgrader (otter and nbgrader "
        "from .venv-pipelines)",
    ),
}


def _forward(name: str, options: list[str]) -> int:
    import importlib

    module = FORWARDED[name][0]
    if module == "pipelines":
        if not options or options[0] not in ("gradescope", "otter", "nbgrader"):
            print(
                "usage: python -m autograder pipeline {gradescope,otter,nbgrader} ...",
                file=sys.stderr,
            )
            return 2
        module, options = f"pipelines.{options[0]}", options[1:]
    return importlib.import_module(f"{__package__}.{module}").main(options) or 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="Autograding kit for the RNN/LSTM labs.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (
        _,
        text,
    ) in FORWARDED.items():  # commands with their own options: `python -m autograder NAME --help`
        commands.add_parser(name, help=text, add_help=False).add_argument(
            "options", nargs=argparse.REMAINDER
        )

    student = commands.add_parser("student", help="regenerate student_template/ from solutions/")
    student.add_argument(
        "--check",
        action="store_true",
        help="only report drift between the committed template and a fresh build",
    )
    student.add_argument(
        "--assignment", choices=ASSIGNMENT_IDS, help="only this assignment (default: all)"
    )

    reference = commands.add_parser("reference", help="run reference solutions end to end")
    reference.add_argument(
        "assignment", nargs="?", default="all", choices=("all",) + ASSIGNMENT_IDS
    )
    reference.add_argument(
        "--quick", action="store_true", help="smoke run: tiny data, one short epoch"
    )

    data = commands.add_parser(
        "data",
        help="write the synthetic metro file and the speech sample under the course's file names",
    )
    data.add_argument(
        "--out", type=Path, default=Path("data"), help="folder to write into (default: ./data)"
    )

    grade = commands.add_parser(
        "grade", help="grade a folder of submissions (default: the shipped demo)"
    )
    grade.add_argument("--assignment", choices=("all",) + ASSIGNMENT_IDS, default="all")
    grade.add_argument(
        "--submissions",
        type=Path,
        help="one entry per student: notebook, .py, folder or zip (default: the demo)",
    )
    grade.add_argument(
        "--out", type=Path, default=Path("graded"), help="output folder (default: ./graded)"
    )
    grade.add_argument(
        "--jobs", type=int, default=None, help="parallel submissions (default: number of cores)"
    )
    grade.add_argument(
        "--lang", choices=("fr", "en"), default="fr", help="language of the feedback (default: fr)"
    )
    grade.add_argument(
        "--student",
        action="append",
        default=[],
        metavar="NAME",
        help="only this student (repeatable): an id of the gradebook, an entry's name or a Moodle "
        "full name; the other rows of OUT's gradebook are kept",
    )

    check = commands.add_parser(
        "check", help="run the public tests on one submission, as students do"
    )
    check.add_argument("assignment", choices=ASSIGNMENT_IDS)
    check.add_argument("path", type=Path, help="your notebook, .py file, folder or zip")
    check.add_argument(
        "--question", action="append", help="only this question (repeatable), e.g. Q2"
    )
    check.add_argument("--lang", choices=("fr", "en"), default="fr")

    calibrate = commands.add_parser(
        "calibrate",
        help="re-measure the learning tests' thresholds: each lab's "
        "assignments/<id>/calibrate.py (make calibrate)",
    )
    calibrate.add_argument(
        "assignment", nargs="?", default="all", choices=("all",) + ASSIGNMENT_IDS
    )
    calibrate.add_argument(
        "options", nargs=argparse.REMAINDER, help="passed to the lab's calibrate.py (with one lab)"
    )

    export = commands.add_parser(
        "export", help="a graded folder's grades as a CSV for an LMS's grade import"
    )
    export.add_argument("format", choices=("moodle",))
    export.add_argument(
        "--graded", type=Path, required=True, help="what `grade` wrote for one assignment"
    )
    export.add_argument(
        "--students",
        type=Path,
        help="roster CSV: a 'student' column (graded folder names) and "
        "the Moodle identifier (e.g. student,email)",
    )
    export.add_argument(
        "--id-column",
        help="the roster's identifier column (default: the first after 'student'); "
        "without a roster, the header of the names column (default: username)",
    )
    export.add_argument("--out", type=Path, help="default: GRADED/moodle.csv")
    export.add_argument(
        "--total-only", action="store_true", help="only the identifier and the total"
    )
    export.add_argument("--delimiter", choices=(",", ";"), default=",")

    manual = commands.add_parser(
        "manual", help="merge a TA's points for hand-graded questions into a graded folder"
    )
    manual.add_argument(
        "grades",
        type=Path,
        nargs="?",
        help="CSV: student,question,points[,comment] (omit to re-apply GRADED/manual_grades.csv)",
    )
    manual.add_argument("--graded", type=Path, required=True)
    manual.add_argument(
        "--lang", choices=("fr", "en"), default="fr", help="language of the feedback (default: fr)"
    )

    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in FORWARDED:  # their own parsers read the rest, --help included
        return _forward(argv[0], argv[1:])
    if argv[:1] == [
        "serve"
    ]:  # the notebook's checking process (checking.py): not a command for people
        from .check_server import serve

        return serve()
    args = parser.parse_args(argv)
    try:
        if args.command == "student":
            return _student(args.check, (args.assignment,) if args.assignment else ASSIGNMENT_IDS)
        if args.command == "reference":
            return _reference(args.assignment, args.quick)
        if args.command == "grade":
            from .cli_grade import grade_command

            return grade_command(
                args.assignment,
                args.submissions,
                args.out,
                args.jobs,
                args.lang,
                tuple(args.student),
            )
        if args.command == "check":
            from .cli_grade import check_command

            return check_command(
                args.assignment,
                args.path,
                tuple(args.question) if args.question else None,
                args.lang,
            )
        if args.command == "calibrate":
            return _calibrate(args.assignment, args.options)
        if args.command == "export":
            return _export(args)
        if args.command == "manual":
            return _manual(args)
        return _data(args.out)
    except (MarkerError, AssignmentError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except InputError as err:
        for problem in err.problems:
            print(f"error: {problem}", file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 2


def _student(check: bool, ids: tuple[str, ...]) -> int:
    from .build import sync_templates, template_drift

    if check:
        drift = template_drift(ids=ids)
        for line in drift:
            print(f"student_template/{line}")
        if drift:
            print("the template is out of date: run `make student`", file=sys.stderr)
        return 1 if drift else 0
    written = sync_templates(ids=ids)
    print(f"student_template/: {len(written)} files written")
    return 0


def _reference(which: str, quick: bool) -> int:
    from .reference import run_reference

    ids = ASSIGNMENT_IDS if which == "all" else (which,)
    runs = [run_reference(i, quick=quick) for i in ids]
    print()
    for run in runs:
        status = "ok" if run.returncode == 0 else f"FAILED (exit {run.returncode})"
        print(
            f"{run.assignment:10} {'quick' if quick else 'full':5} {run.seconds:7.1f} s  {status}"
        )
    return 0 if all(r.returncode == 0 for r in runs) else 1


def _calibrate(which: str, options: list[str]) -> int:
    from .assignments import lab_files, lab_key, load_module

    scripts = lab_files("calibrate.py")
    if which != "all" and which not in scripts:
        print(f"error: {which} has no calibrate.py", file=sys.stderr)
        return 2
    if which == "all" and options:
        print("error: options go to one lab's calibrate.py: name the lab", file=sys.stderr)
        return 2
    status = 0
    for assignment_id, path in scripts.items():
        if which in ("all", assignment_id):
            status |= load_module(path, f"rnnkit_lab_{lab_key(assignment_id)}_calibrate").main(
                list(options)
            )
    return status


def _export(args) -> int:
    from .export import export_moodle

    path, table = export_moodle(
        args.graded,
        args.out,
        args.students,
        id_column=args.id_column,
        total_only=args.total_only,
        delimiter=args.delimiter,
    )
    for warning in table.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"{path}: {len(table.rows)} students; in Moodle map '{table.header[0]}' to the matching user field "
        "and each other column to a grade item (README: Moodle export)"
    )
    return 0


def _manual(args) -> int:
    from .assignments import load_assignment
    from .class_report import write_class_report
    from .manual import SAVED, merge_manual_grades

    graded, count = merge_manual_grades(args.graded, args.grades, args.lang)
    write_class_report(graded.folder, list(graded.reports), load_assignment(graded.assignment))
    print(
        f"{graded.folder}: {count} hand-graded points merged into {len(graded.reports)} reports, the feedback "
        f"and gradebook.csv (all of them kept in {graded.folder / SAVED})"
    )
    return 0


def _data(out: Path) -> int:
    from .coursedata import write_course_files

    for path, what in write_course_files(out):
        print(f"{path}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
