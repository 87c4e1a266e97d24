"""Run an assignment's grading tests (pytest, in the grader) against a loaded submission."""

from __future__ import annotations

import contextlib
import difflib
import functools
import io
import multiprocessing.util
import shutil
import tempfile
import time
import traceback
from pathlib import Path

import pytest

from .assignments import ROOT
from .channel import Sandbox, StudentError, WorkerLost
from .compare import Missing, NeedsReview, Wrong
from .messages import render
from .results import LoadResult, Message, Outcome, TestResult
from .source import SourceCode
from .testing import StudentCode, seed_for

ASSIGNMENTS = ROOT / "assignments"

if __package__ != "autograder":
    # The engine shipped as `rnnkit/` in a student folder: grading tests always import
    # `autograder.testing`, so that name must lead to this copy.
    import importlib
    import sys

    sys.modules.setdefault("autograder", sys.modules[__package__])
    for _name in ("testing", "compare", "results", "channel", "messages"):
        sys.modules.setdefault(
            f"autograder.{_name}", importlib.import_module(f"{__package__}.{_name}")
        )
PYTEST_INI = Path(__file__).resolve().parent / "grading.ini"

STUDENT_KINDS = {
    "not_implemented": Outcome.NOT_IMPLEMENTED,
    "timeout": Outcome.TIMED_OUT,
    "memory": Outcome.RAISED,
    "raised": Outcome.RAISED,
}


def tests_folder(assignment_id: str, tests_root: Path = ASSIGNMENTS) -> Path:
    return tests_root / assignment_id / "tests"


def run_tests(
    assignment_id: str,
    sandbox: Sandbox,
    load: LoadResult,
    *,
    visibility: tuple[str, ...] = ("public", "hidden"),
    questions: tuple[str, ...] | None = None,
    tests_root: Path = ASSIGNMENTS,
    source: SourceCode = SourceCode(()),
) -> tuple[TestResult, ...]:
    """Run the tests of ``assignment_id`` (filtered by visibility and question); one result per test."""
    plugin = GradingPlugin(
        assignment_id, sandbox, frozenset(load.names), visibility, questions, source
    )
    plugin.aliases = aliases(assignment_id, source, frozenset(load.names))
    folder = tests_folder(assignment_id, tests_root)
    # no:unraisableexception: its two full garbage collections cost 0.5 s per submission.
    # --tb=native: pytest formats every failure's traceback, which no one reads (the staff trace is
    # made in _result); its default style parses each source file of the stack, ~80 ms per failure.
    # rootdir above the assignment folders: test modules are named "<id>.tests.test_x", so two
    # assignments graded by one process never share a module (importlib mode reuses names).
    args = [
        str(folder),
        "-c",
        str(PYTEST_INI),
        f"--rootdir={tests_root}",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:unraisableexception",
        "-q",
        "--tb=native",
        "--import-mode=importlib",
    ]
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        code = pytest.main(args, plugins=[plugin])
    if (
        code
        not in (
            pytest.ExitCode.OK,
            pytest.ExitCode.TESTS_FAILED,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        )
        or plugin.errors
    ):
        # A test file that does not import, a missing marker: the grader is at fault, not the student.
        trace = "\n".join(plugin.errors) or quiet.getvalue()[-5000:]
        return tuple(plugin.results) + (
            TestResult(
                "<collection>",
                "",
                0.0,
                0.0,
                Outcome.GRADER_ERROR,
                "hidden",
                Message.of("grader_error"),
                trace,
            ),
        )
    return tuple(plugin.results)


def aliases(assignment_id: str, source: SourceCode, names: frozenset[str]) -> dict[str, str]:
    """{name the tests ask for: the submission's own definition standing for it} for the names it lacks.

    A definition the template does not have, of the same kind (class or function) and with a similar
    name (``generate`` for ``generate_fixed``, ``OneHot`` for ``OneHotLinear``); the closest one wins.
    """
    from .score import own_definitions, similar, template_definitions  # the scoring stage's reading

    template = template_definitions(assignment_id) or {}
    wanted = [name for name in template if name not in names and not name.startswith("_")]
    own = [
        name for name in own_definitions(source, template) if name in names and name not in template
    ]
    found = {}
    for name in wanted:
        close = [d for d in own if d[:1].isupper() == name[:1].isupper() and similar(d, name)]
        if close:
            found[name] = max(
                close,
                key=lambda d: (difflib.SequenceMatcher(None, d.lower(), name.lower()).ratio(), d),
            )
    return found


@functools.cache
def reference_for(assignment_id: str) -> dict:
    """The reference's definitions, loaded once per grading process, in the grader (trusted)."""
    from .reference import reference_namespace

    return reference_namespace(assignment_id, process_folder(f"rnnkit-ref-{assignment_id}-"))


def process_folder(prefix: str) -> Path:
    """A temporary folder that lives as long as this process (pool workers too, which skip atexit).

    Not a TemporaryDirectory: a forked worker drops its copy of the object, whose finaliser
    would delete the folder under the process that made it.
    """
    folder = tempfile.mkdtemp(prefix=prefix)
    multiprocessing.util.Finalize(None, shutil.rmtree, (folder, True), exitpriority=10)
    return Path(folder)


class GradingPlugin:
    """Fixtures for grading tests, prerequisite skips, and one ``TestResult`` per test."""

    def __init__(self, assignment_id, sandbox, names, visibility, questions, source):
        self.assignment_id, self.sandbox, self.names, self.source_code = (
            assignment_id,
            sandbox,
            names,
            source,
        )
        self.visibility, self.questions = visibility, questions
        self.results: list[TestResult] = []
        self.aliases: dict[str, str] = {}
        self.passed: set[str] = set()
        self.errors: list[str] = []
        self.started: dict[str, float] = {}

    # -- fixtures ------------------------------------------------------------------------
    @pytest.fixture
    def student(self, request) -> StudentCode:
        spec = _spec(request.node)
        return StudentCode(
            self.sandbox, self.names, spec["timeout"], seed_for(request.node.name), self.aliases
        )

    @pytest.fixture
    def reference(self) -> dict:
        return reference_for(self.assignment_id)

    @pytest.fixture
    def source(self) -> SourceCode:
        """The submission's code as text (static checks: loops, wrapped nn.LSTM...)."""
        return self.source_code

    @pytest.fixture
    def seed(self, request) -> int:
        return seed_for(request.node.name)

    # -- hooks ---------------------------------------------------------------------------
    def pytest_collection_modifyitems(self, items, config):
        kept = []
        for item in items:
            spec = _spec(item)
            if spec is None:
                self.errors.append(f"{item.nodeid}: grading test without @grade(...)")
                continue
            if spec["visibility"] in self.visibility and (
                self.questions is None or spec["question"] in self.questions
            ):
                kept.append(item)
        items[:] = kept

    def pytest_runtest_setup(self, item):
        self.started[item.name] = time.perf_counter()
        missing = [name for name in _spec(item)["requires"] if name not in self.passed]
        if missing:
            pytest.skip(f"requires {', '.join(missing)}")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.results.append(self._result(item, call, report))

    def _result(self, item, call, report) -> TestResult:
        spec = _spec(item)
        seconds = time.perf_counter() - self.started.get(item.name, time.perf_counter())
        base = dict(
            test=item.name,
            question=spec["question"],
            max_points=spec["points"],
            visibility=spec["visibility"],
            seconds=round(seconds, 3),
        )
        if report.passed:
            self.passed.add(item.name)
            return TestResult(
                points=spec["points"], outcome=Outcome.PASSED, message=self._note(item), **base
            )
        if report.skipped:
            reason = str(call.excinfo.value.msg) if call.excinfo else ""
            return TestResult(
                points=0.0,
                outcome=Outcome.SKIPPED,
                message=Message.of("skipped", reason=reason),
                **base,
            )
        error = call.excinfo.value if call.excinfo else None
        trace = (
            "".join(traceback.format_exception(type(error), error, error.__traceback__))
            if error
            else ""
        )
        outcome, message = self._classify(error)
        used = getattr(_student(item), "used", None)
        if used and outcome in (Outcome.WRONG, Outcome.RAISED, Outcome.TIMED_OUT):
            # Graded through the student's own name for the function: the alias may not be that function.
            asked, own = next(iter(used.items()))
            message = Message.of(
                "graded_under_own_name",
                asked=asked,
                own=own,
                detail=render(message, "fr", hidden=spec["visibility"] == "hidden")[:300],
            )
            outcome = Outcome.NEEDS_REVIEW
        if isinstance(error, StudentError):
            trace = f"{error.trace}\n--- grader side ---\n{trace}"
        return TestResult(
            points=0.0, outcome=outcome, message=message, trace=trace[-20000:], **base
        )

    @staticmethod
    def _note(item) -> Message | None:
        """What a passing test tells the student: a convention adapted at no cost, a name read as another."""
        student = _student(item)
        if student is None:
            return None
        if student.used:
            asked, own = next(iter(student.used.items()))
            return Message.of("graded_as_own_name", asked=asked, own=own)
        return student.notes[0] if student.notes else None

    def _classify(self, error) -> tuple[Outcome, Message]:
        if isinstance(error, Missing):
            return Outcome.NOT_IMPLEMENTED, error.message
        if isinstance(error, Wrong):
            return Outcome.WRONG, error.message
        if isinstance(error, NeedsReview):
            return Outcome.NEEDS_REVIEW, error.message
        if isinstance(error, StudentError):
            outcome = STUDENT_KINDS.get(error.kind, Outcome.RAISED)
            return outcome, Message.of(
                f"student_{error.kind}",
                error=f"{error.type}: {error.message}"[:300],
                where=error.where,
            )
        if isinstance(error, WorkerLost):
            self._restart()
            key = "worker_timeout" if error.timeout else "worker_died"
            return (Outcome.TIMED_OUT if error.timeout else Outcome.RAISED), Message.of(
                key, detail=str(error)
            )
        return Outcome.GRADER_ERROR, Message.of("grader_error")

    def _restart(self) -> None:
        try:
            self.sandbox.restart()
        except Exception as err:  # the next tests will report the lost worker themselves
            self.errors.append(f"worker restart failed: {err}")


def _student(item) -> StudentCode | None:
    """The ``student`` fixture a test used (its aliases and notes), if it used one."""
    return getattr(item, "funcargs", {}).get("student")


def _spec(item) -> dict | None:
    marker = item.get_closest_marker("grade")
    return marker.kwargs if marker else None
