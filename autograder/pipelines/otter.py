"""otter-grader: an ``otter assign`` master notebook and autograder zip whose grade is the kit's.

``build`` writes, for each assignment, ``dist/otter/<id>/``::

    master/<id>.ipynb          the otter master notebook (reference, prompts, one test per grading test)
    autograder/, student/      what ``otter assign`` made of it (the student notebook is our template)
    <id>-autograder.zip        otter's zip plus the kit (``kit/``): for ``otter run`` and Gradescope

Trust. Otter executes the student's notebook in a Jupyter kernel and runs the tests in that same
kernel, then unpickles what the kernel wrote: a submission can forge its grade (or more). So the
zip's ``otter_config.json`` loads ``RnnkitPlugin``, which, before otter executes anything, grades
the submission with the engine (student code in the sandboxed worker only), removes the student's
files from the folder otter runs in, and hands otter a notebook holding nothing but the engine's
verdict as JSON; the otter tests only read it. After otter's run the plugin sets every test case
and question score from the engine again, so whatever the kernel reported, the grade is the kit's.

``run`` grades submissions with the real ``otter run``, bounded in time (otter has no timeout).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import jupytext
import nbformat

from ..assignments import (
    ASSIGNMENT_IDS,
    PACKAGE,
    ROOT,
    TEMPLATE,
    AssignmentError,
    Question,
    load_assignment,
)
from ..build import _heading_level, _with_check_cells, built_template
from ..markers import BEGIN, END, TODO_COMMENT, MarkerError, strip_solutions
from .bridge import EngineResult, TestSpec, collect_tests, copy_item, grade_submission, region_names

try:  # only in the pipelines environment (.venv-pipelines); building needs it too (``otter assign``)
    from otter.plugins import AbstractOtterPlugin
except ImportError:  # the lean grading venv: the module still imports, the plugin is unusable
    AbstractOtterPlugin = object

PLUGIN = "autograder.pipelines.otter.RnnkitPlugin"
RESULTS_VAR = "__rnnkit_results__"  # the only name the otter tests read in the kernel
KIT_DIR = (
    "kit"  # where the zip carries the kit (hidden tests and reference included: staff-only zip)
)
DEFAULT_TIMEOUT = 600.0
PROMPT = '"""  # BEGIN PROMPT', '"""  # END PROMPT'
ANSWER_PROMPT = "*Votre réponse ici.*"
# Gradescope: otter installs its Python under /root (0700); the kit's worker runs as `nobody` with
# that same Python and its torch, so it must be able to reach and read it (nothing secret there).
SETUP_ADDITION = """
# rnnkit: the kit's sandboxed worker runs student code as `nobody` with this environment's Python.
chmod o+x /root
chmod -R o+rX /root/miniforge3
"""


# -- the master notebook -----------------------------------------------------------------------
def master_notebook(
    assignment_id: str, tests: tuple[TestSpec, ...] | None = None
) -> nbformat.NotebookNode:
    """The otter master notebook of an assignment, from its single source.

    Code regions become ``# BEGIN SOLUTION NO PROMPT`` blocks followed by the template's stub as an
    otter prompt, so otter's student notebook is our template; each grading test becomes one otter
    test case (its points, its visibility) that only reads the engine's verdict.
    """
    assignment = load_assignment(assignment_id)
    tests = collect_tests(assignment_id) if tests is None else tests
    text = assignment.notebook.read_text(encoding="utf-8")
    strip_solutions(
        text, str(assignment.notebook), notebook=True
    )  # marker errors first, with path:line
    source = jupytext.reads(text, fmt="py:percent")
    cells = _with_check_cells(source.cells)  # the template's cells, in the template's order
    questions = {q.id: q for q in assignment.questions}
    out = [_raw("# ASSIGNMENT CONFIG\n" + _assignment_config(assignment_id, tests))]
    index = 0
    while index < len(cells):
        cell = cells[index]
        question = (
            questions.get(cell.metadata.get("question")) if "points" in cell.metadata else None
        )
        if question is None:
            out.append(_plain(cell, assignment.notebook))
            index += 1
            continue
        end = _block_end(cells, index, question.id)
        out += _question_block(
            question,
            cells[index : end + 1],
            [t for t in tests if t.question == question.id],
            assignment.notebook,
        )
        index = end + 1
    nb = nbformat.v4.new_notebook(
        cells=out,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "rnnkit": {"assignment": assignment_id},
        },
    )
    for number, c in enumerate(nb.cells):
        c["id"] = f"otter-{number:03d}"
    return nb


def _assignment_config(assignment_id: str, tests: tuple[TestSpec, ...]) -> str:
    by_question: dict[str, list[str]] = {}
    for t in tests:
        by_question.setdefault(t.question, []).append(t.name)
    config = {
        "requirements": "requirements.txt",
        "python_version": "3.11",
        "init_cell": False,  # students check with rnnkit's check() cells, not otter's grader.check
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": False,  # the tests read the engine's verdict, which exists only while grading
        "strip_solutions_from_all_cells": True,
        "tests": {"files": True, "ok_format": False},
        "generate": {
            "show_hidden": True,  # hidden tests' results after publication, like our results.json
            "plugins": [{PLUGIN: {"assignment": assignment_id, "tests": by_question}}],
        },
    }
    return json.dumps(config, indent=1, ensure_ascii=False)  # JSON is YAML


def _block_end(cells: list, start: int, question: str) -> int:
    """Last cell of a question's block: its section's last cell that belongs to it."""
    level = _heading_level(cells[start])
    end = start
    for i in range(start + 1, len(cells)):
        cell = cells[i]
        heading = _heading_level(cell)
        if "points" in cell.metadata or (heading and heading <= level):
            break
        if (
            cell.metadata.get("question") == question
            or "answer" in cell.metadata.get("tags", [])
            or _has_region(cell)
        ):
            end = i
    return end


def _question_block(question: Question, cells: list, tests: list[TestSpec], path: Path) -> list:
    config = {
        "name": question.id,
        "points": question.points,
        "manual": question.manual,
        "check_cell": False,
    }
    out = [_raw("# BEGIN QUESTION\n" + json.dumps(config))]
    for cell in cells:
        has_region = _has_region(cell)
        if (
            cell.cell_type == "markdown" and has_region
        ):  # a written answer: our placeholder, then the reference
            prompt, reference = _markdown_versions(cell)
            out += [
                _raw("# BEGIN PROMPT"),
                _copy(cell, prompt),
                _raw("# END PROMPT"),
                _raw("# BEGIN SOLUTION"),
                _copy(cell, reference, tags=False),
                _raw("# END SOLUTION"),
            ]
        elif cell.cell_type == "code" and has_region:
            out += [
                _raw("# BEGIN SOLUTION"),
                _copy(cell, _code_with_prompts(cell, path)),
                _raw("# END SOLUTION"),
            ]
        else:
            out.append(_plain(cell, path))
    if tests and not question.manual:
        # Alternative tests (credit levels) may add up to more than the question; the engine caps the
        # sum, otter refuses it: scale the cases down (the plugin sets the question's score anyway).
        total = sum(t.points for t in tests)
        factor = min(1.0, question.points / total) if total else 1.0
        out.append(_raw("# BEGIN TESTS"))
        scaled = [math.floor(t.points * factor * 10**4) / 10**4 for t in tests]
        if factor < 1:
            scaled[-1] = (
                None  # otter gives the last case what is left: the question's points exactly
            )
        out += [_test_cell(t, p) for t, p in zip(tests, scaled)]
        out.append(_raw("# END TESTS"))
    out.append(_raw("# END QUESTION"))
    return out


def _test_cell(test: TestSpec, points: float | None) -> nbformat.NotebookNode:
    """An otter exception-format test case that passes iff the engine passed ``test``."""
    source = f'''""" # BEGIN TEST CONFIG
hidden: {str(test.visibility == "hidden").lower()}{"" if points is None else f"{chr(10)}points: {points:g}"}
""" # END TEST CONFIG
def {test.identifier}(env):
    verdict = env.get("{RESULTS_VAR}")
    assert verdict is not None, "Cette question est notée par le correcteur rnnkit au moment de la correction."
    result = verdict["tests"].get({test.name!r})
    assert result is not None, "Test absent du rapport du correcteur rnnkit (prérequis non évalué)."
    assert result["passed"], result["message"]
'''
    return nbformat.v4.new_code_cell(source)


def _code_with_prompts(cell, path: Path) -> str:
    """Each region: the reference inside ``BEGIN SOLUTION NO PROMPT``, then our stub as otter's prompt."""
    names = iter(region_names(cell.source, cell.metadata.get("question"), str(path)))
    out = []
    for line in cell.source.split("\n"):
        begin = BEGIN.match(line)
        if begin:
            indent = begin.group("indent")
            out.append(f"{indent}# BEGIN SOLUTION NO PROMPT")
            stub_indent = indent
        elif END.match(line):
            out += [
                f"{stub_indent}# END SOLUTION",
                f"{stub_indent}{PROMPT[0]}",
                f"{stub_indent}{TODO_COMMENT}",
                f'{stub_indent}raise NotImplementedError("{next(names)}")',
                f"{stub_indent}{PROMPT[1]}",
            ]
        else:
            out.append(line)
    return "\n".join(out)


def _markdown_versions(cell) -> tuple[str, str]:
    """(template placeholder version, reference version) of a written-answer cell."""
    prompt, reference, inside = [], [], False
    for line in cell.source.split("\n"):
        if BEGIN.match("# " + line):
            inside = True
            prompt.append(ANSWER_PROMPT)
        elif END.match("# " + line):
            inside = False
        else:
            reference.append(line)
            if not inside:
                prompt.append(line)
    return "\n".join(prompt), "\n".join(reference)


def _has_region(cell) -> bool:
    """Whether a cell holds a solution region (in Markdown cells jupytext drops the leading '# ')."""
    prefix = "# " if cell.cell_type == "markdown" else ""
    return any(BEGIN.match(prefix + line) for line in cell.source.splitlines())


def _plain(cell, path: Path):
    if cell.cell_type == "code" and _has_region(cell):
        return _copy(
            cell, _code_with_prompts(cell, path)
        )  # outside any question: otter strips it anyway
    return _copy(cell, cell.source)


def _copy(cell, source: str, tags: bool = True):
    metadata = {k: v for k, v in cell.metadata.items() if tags or k != "tags"}
    if cell.cell_type == "code":
        return nbformat.v4.new_code_cell(source, metadata=metadata)
    return nbformat.v4.new_markdown_cell(source, metadata=metadata)


def _raw(source: str):
    return nbformat.v4.new_raw_cell(source)


# -- building --------------------------------------------------------------------------------
def build(assignment_id: str, out: Path) -> Path:
    """Write ``out/<id>/`` (master, ``otter assign`` output, zip with the kit); return the zip."""
    load_assignment(assignment_id)  # an unknown id stops here, before anything is removed
    dest = Path(out) / assignment_id
    if dest.exists():
        shutil.rmtree(dest)
    master = dest / "master"
    master.mkdir(parents=True)
    nbformat.write(master_notebook(assignment_id), master / f"{assignment_id}.ipynb")
    shutil.copyfile(ROOT / "requirements.txt", master / "requirements.txt")
    env = dict(
        os.environ, PYTHONPATH=str(ROOT)
    )  # otter imports the plugin while generating the zip
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "otter",
            "assign",
            "--no-run-tests",
            "--no-pdfs",
            f"{assignment_id}.ipynb",
            str(dest.resolve()),
        ],
        cwd=master,
        env=env,
        capture_output=True,
        text=True,
    )
    zips = sorted((dest / "autograder").glob("*.zip"))
    if done.returncode != 0 or not zips:
        raise RuntimeError(
            f"otter assign failed for {assignment_id} (exit {done.returncode}):\n"
            f"{(done.stdout + done.stderr)[-4000:]}"
        )
    with built_template(
        assignment_id
    ) as handout:  # the handouts the template ships, its package built
        for item in sorted(handout.iterdir()):
            if item.name != f"{assignment_id}.ipynb":
                copy_item(item, dest / "student" / item.name)
    target = dest / f"{assignment_id}-autograder.zip"
    _zip_with_kit(zips[-1], target, assignment_id)
    return target


def _zip_with_kit(source: Path, target: Path, assignment_id: str) -> None:
    """Otter's zip, plus ``kit/`` and a ``run_otter.py`` that puts the kit on ``sys.path``."""
    kit_files = [
        p
        for p in sorted((ROOT / "autograder").rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    ]
    for folder in (
        ROOT / "assignments" / assignment_id,
        ROOT / "solutions" / assignment_id,
        TEMPLATE / assignment_id,
    ):  # the handouts, without a package `make student` may have built
        kit_files += [
            p
            for p in sorted(folder.rglob("*"))
            if p.is_file()
            and "__pycache__" not in p.parts
            and not (folder == TEMPLATE / assignment_id and PACKAGE in p.relative_to(folder).parts)
        ]
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "run_otter.py":
                data = (
                    '"""Otter\'s entry point on Gradescope, with the rnnkit kit of this zip importable."""\n'
                    "import os\nimport sys\n\n"
                    f"sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), {KIT_DIR!r}))\n\n"
                ).encode() + data
            elif item.filename == "setup.sh":
                data += SETUP_ADDITION.encode()
            zout.writestr(item, data)
        for path in kit_files:
            zout.write(path, f"{KIT_DIR}/{path.relative_to(ROOT).as_posix()}")


# -- the plugin (runs in otter's grading process, never in the kernel) -------------------------
class RnnkitPlugin(AbstractOtterPlugin):
    """Grades with the engine before otter executes anything; otter then only reports the verdict."""

    def __init__(self, submission_path, submission_metadata, plugin_config):
        super().__init__(submission_path, submission_metadata, plugin_config)
        self.result: EngineResult | None = None
        self.corrections: list[str] = []

    def before_grading(self, config):
        """Grade a private copy of the student's files, then empty otter's submission folder."""
        submission = Path(self.submission_path)
        here = submission.parent
        shipped = here.parent / "source" / "files"
        if (
            os.geteuid() == 0
        ):  # Gradescope: the worker (nobody) must not read the source, config or results
            os.chmod(here.parent, 0o700)
        private = Path(tempfile.mkdtemp(prefix="rnnkit-otter-"))
        files = private / "files"
        files.mkdir()
        try:
            for item in here.iterdir():
                if (
                    item.name in ("tests", "__init__.py", ".OTTER_LOG")
                    or item.is_symlink()
                    or _same(item, shipped)
                ):
                    continue
                if (
                    item.is_dir()
                ):  # links stay links (the engine's intake skips them): never follow one
                    shutil.copytree(item, files / item.name, symlinks=True)
                else:
                    shutil.copyfile(item, files / item.name)
            self.result = grade_submission(
                files, self.plugin_config["assignment"], student=submission.stem
            )
        finally:
            shutil.rmtree(private, ignore_errors=True)
        # What otter would otherwise execute or import in its kernel (cwd = this folder): the
        # student's modules, an .OTTER_LOG that otter would unpickle. Only otter's own files stay.
        for item in here.iterdir():
            if item.name in ("tests", "__init__.py") and not item.is_symlink():
                continue
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item)
            else:
                item.unlink()
        if submission.suffix == ".ipynb":
            nbformat.write(self._verdict_notebook(), submission)
        else:
            submission.write_text("# graded by rnnkit\n", encoding="utf-8")

    def before_execution(self, submission):
        """Otter executes this instead of the student's notebook: the verdict as data, nothing else."""
        return self._verdict_notebook()

    def after_grading(self, results):
        """Every test case and question score from the engine, whatever the kernel reported."""
        if self.result is None:
            raise RuntimeError("rnnkit: the submission was not graded before otter's run")
        names = self.plugin_config.get("tests", {})
        for question, test_file in results.results.items():
            for number, case in enumerate(test_file.test_case_results):
                expected = names.get(question, [])
                verdict = (
                    self.result.tests.get(expected[number]) if number < len(expected) else None
                )
                passed = bool(verdict and verdict.passed)
                if case.passed != passed:
                    self.corrections.append(
                        f"{question} case {number + 1}: kernel said {case.passed}, engine {passed}"
                    )
                case.passed = passed
                case.message = (
                    "✅ " + verdict.message
                    if passed
                    else "❌ "
                    + (verdict.message if verdict else "test non évalué par le correcteur rnnkit")
                )
            points = self.result.questions.get(question)
            if points is not None and abs(test_file.score - points) > 1e-9:
                test_file.update_score(
                    points
                )  # capped alternatives, or tests added since the build
        results.set_output(self.result.feedback.split("\n## ", 1)[0])

    def generate_report(self):
        r = self.result
        if r is None:
            return "rnnkit: not graded"
        auto = {q: p for q, p in r.questions.items() if p is not None}
        lines = [
            f"rnnkit: {r.status}, {r.total:g} / {sum(r.max_points[q] for q in auto):g} automatic points "
            f"({', '.join(f'{q}={p:g}' for q, p in auto.items())}); "
            f"{sum(r.max_points.values()) - sum(r.max_points[q] for q in auto):g} more graded by hand"
        ]
        lines += [f"rnnkit corrected otter's kernel result: {c}" for c in self.corrections]
        return "\n".join(lines)

    def _verdict_notebook(self) -> nbformat.NotebookNode:
        payload = {
            "tests": {
                name: {"passed": t.passed, "message": t.message}
                for name, t in self.result.tests.items()
            }
        }
        cell = nbformat.v4.new_code_cell(
            f"import json\n{RESULTS_VAR} = json.loads({json.dumps(payload, ensure_ascii=False)!r})"
        )
        return nbformat.v4.new_notebook(
            cells=[cell],
            metadata={
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
            },
        )


def _same(item: Path, shipped: Path) -> bool:
    """A support file otter copied from the zip (unchanged): not the student's."""
    twin = shipped / item.name
    if item.is_file() and twin.is_file():
        return item.read_bytes() == twin.read_bytes()
    return False


# -- running --------------------------------------------------------------------------------
class OtterRunError(RuntimeError):
    """``otter run`` failed or ran out of time; the message says which and shows otter's output."""


def run_submission(
    autograder: Path,
    submission: Path,
    out: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    otter: str | None = None,
) -> dict:
    """Grade one submission with the real ``otter run``, killed after ``timeout`` seconds.

    The kit is taken from the zip itself (as on Gradescope). Returns otter's results.json.
    """
    out.mkdir(parents=True, exist_ok=True)
    otter = otter or str(Path(sys.executable).with_name("otter"))
    with tempfile.TemporaryDirectory(prefix="rnnkit-otter-run-") as tmp:
        with zipfile.ZipFile(autograder) as zf:
            members = [m for m in zf.namelist() if m.startswith(f"{KIT_DIR}/")]
            if not members:
                raise OtterRunError(
                    f"{autograder}: no {KIT_DIR}/ in this zip; rebuild it with `make otter`"
                )
            zf.extractall(tmp, members)
        env = dict(
            os.environ,
            PYTHONPATH=str(Path(tmp) / KIT_DIR),
            PATH=f"{Path(otter).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        command = [
            otter,
            "run",
            "--no-logo",
            "-a",
            str(Path(autograder).resolve()),
            "-o",
            str(out.resolve()),
            str(Path(submission).resolve()),
        ]
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )  # its own group: the kernel and worker die with it
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            raise OtterRunError(
                f"otter run on {submission} stopped after {timeout:g} s (otter has no time limit of "
                f"its own):\n{output[-3000:]}"
            ) from None
        results = out / "results.json"
        if process.returncode != 0 or not results.is_file():
            raise OtterRunError(
                f"otter run on {submission} failed (exit {process.returncode}):\n{output[-4000:]}"
            )
        data = json.loads(results.read_text(encoding="utf-8"))
        data["_rnnkit"] = {"seconds": round(time.perf_counter() - start, 2), "log": output[-4000:]}
        return data


def question_scores(results: dict) -> dict[str, float]:
    """Question id -> score from an otter results.json (the per-question entries)."""
    return {
        t["name"]: float(t["score"])
        for t in results.get("tests", [])
        if "score" in t and "max_score" in t
    }


# -- command line --------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.pipelines.otter", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser(
        "build", help="write dist/otter/<id>/: master notebook, otter assign output, zip"
    )
    b.add_argument("--assignment", choices=("all",) + ASSIGNMENT_IDS, default="all")
    b.add_argument("--out", type=Path, default=ROOT / "dist" / "otter")
    r = commands.add_parser("run", help="grade submissions with `otter run` (bounded in time)")
    r.add_argument("--autograder", type=Path, required=True, help="the zip made by build")
    r.add_argument(
        "--out",
        type=Path,
        required=True,
        help="one results.json per submission goes to OUT/<name>/",
    )
    r.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="seconds per submission (default 600)",
    )
    r.add_argument("submissions", type=Path, nargs="+", help="notebooks (or .py / .zip) to grade")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            for assignment_id in ASSIGNMENT_IDS if args.assignment == "all" else (args.assignment,):
                start = time.perf_counter()
                target = build(assignment_id, args.out)
                print(f"{target} ({time.perf_counter() - start:.1f} s)")
            return 0
        failures = 0
        for submission in args.submissions:
            try:
                data = run_submission(
                    args.autograder, submission, args.out / submission.stem, timeout=args.timeout
                )
                print(
                    f"{submission}: {data.get('score', sum(question_scores(data).values())):g} "
                    f"({data['_rnnkit']['seconds']:.1f} s) {question_scores(data)}"
                )
            except OtterRunError as err:
                failures += 1
                print(f"{submission}: {err}", file=sys.stderr)
        return 1 if failures else 0
    except (AssignmentError, MarkerError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
