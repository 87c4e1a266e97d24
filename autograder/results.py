"""What the grading stages hand each other: frozen dataclasses, and the closed set of outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Outcome(str, Enum):
    """Every test ends in exactly one of these."""

    PASSED = "passed"
    WRONG = "wrong"  # ran, but the result is not the expected one
    RAISED = "raised"  # student code raised (or the worker crashed)
    NOT_IMPLEMENTED = "not_implemented"  # student code raised NotImplementedError (untouched TODO)
    TIMED_OUT = "timed_out"
    SKIPPED = "skipped"  # a prerequisite test did not pass
    NEEDS_REVIEW = (
        "needs_review"  # the values are right but a rule fired on something doubtful: a TA decides
    )
    GRADER_ERROR = "grader_error"  # our fault: the test itself failed; staff must look


class Status(str, Enum):
    """A submission's overall state, shown in the gradebook."""

    GRADED = "graded"
    PARTIAL = "partial"  # graded, but some of its code could not be loaded
    NEEDS_REVIEW = (
        "needs_review"  # some questions wait for a TA's decision, or several notebooks hold work
    )
    # Graded, but modules holding graded work were not handed in, or handed in untouched, while the
    # notebook shows work: their questions were graded on the handed-out stubs (named, never a silent zero).
    INCOMPLETE = "incomplete"
    UNLOADABLE = (
        "unloadable"  # nothing could be loaded: reported with its reason, not zeroed silently
    )
    GRADER_ERROR = "grader_error"


@dataclass(frozen=True)
class Message:
    """A catalog key and its parameters; rendered in French or English by the report stage."""

    key: str
    params: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def of(key: str, **params) -> Message:
        return Message(key, tuple((k, str(v)) for k, v in params.items()))

    def as_dict(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True)
class LoadStep:
    """One notebook cell or module statement that did not run cleanly."""

    where: str  # "cell 7", "model.py:12"
    first_line: str
    status: str  # raised | timeout | syntax
    error: str


@dataclass(frozen=True)
class Submission:
    """What intake found: where the files are and which ones will be graded."""

    student: str
    folder: object  # pathlib.Path of the unpacked files
    notebook: str | None  # relative path of the graded notebook
    modules: tuple[str, ...]  # relative paths of .py files, in lookup order
    notes: tuple[Message, ...] = ()  # what intake noticed (several notebooks, ignored files...)
    problem: Message | None = None  # set when nothing gradable was found
    fingerprint: str = ""
    # Where the worker runs, relative to the root of its copy ("" : the folder itself). With the
    # course's stand-in files (intake.provide_course_files) it is "submission", below a root that also
    # holds data/, so that the code's "../data/" stays inside the copy.
    cwd: str = ""
    # Graded modules of the template (work to do in a .py file) left as handed out by a hand-in that
    # shows work elsewhere (intake.stub_modules): graded on the handed-out stubs, and said so.
    missing_modules: tuple[str, ...] = ()  # not handed in
    unchanged_modules: tuple[str, ...] = ()  # handed in, but the same code as the handed-out file

    @property
    def incomplete(self) -> tuple[str, ...]:
        return self.missing_modules + self.unchanged_modules


@dataclass(frozen=True)
class LoadResult:
    steps: tuple[LoadStep, ...]
    names: tuple[str, ...]  # names the submission defines
    problem: Message | None = None  # the worker could not even start or load
    ours: bool = False  # the problem is the grading environment's, not the submission's


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class, despite its name

    test: str  # test function name
    question: str
    points: float  # earned
    max_points: float
    outcome: Outcome
    visibility: str  # "public" | "hidden"
    message: Message | None  # for the student
    trace: str = ""  # for staff only
    seconds: float = 0.0


@dataclass(frozen=True)
class QuestionScore:
    question: str
    title: str
    points: float | None  # None: graded by hand, not entered yet
    max_points: float
    manual: bool
    comment: str = (
        ""  # the TA's comment on a hand-graded question (``python -m autograder manual``)
    )
    review: str = (
        ""  # tests whose rule fired on something doubtful: their points held until a TA decides
    )
    # A question whose graded names are missing while the submission holds code that looks related
    # (script-form hand-ins): held for a TA too, never a silent zero (``score.related_code``).
    missing: str = ""  # the names its tests did not find ("classify, train_classifier")
    found: str = ""  # what was found instead, and where ("def train (exo2.py:30); top-level code in exo2.py...")


@dataclass(frozen=True)
class Report:
    """Everything known about one graded submission; the report stage renders it."""

    assignment: str
    student: str
    status: Status
    tests: tuple[TestResult, ...]
    questions: tuple[QuestionScore, ...]
    load: LoadResult
    submission: Submission
    seconds: float
    printed: str = ""  # what the submission printed while graded (staff only, truncated)
    problem: Message | None = None
    isolation: dict = field(
        default_factory=dict, compare=False
    )  # what kept its code apart (isolation.py)
    # The student's written answers to the hand-graded questions, (question, Markdown text), read from the
    # graded notebook (score.written_answers) for the TA's pages (class_report); absent from older reports.
    answers: tuple[tuple[str, str], ...] = ()

    @property
    def total(self) -> float:
        return sum(q.points or 0.0 for q in self.questions)

    @property
    def max_total(self) -> float:
        return sum(q.max_points for q in self.questions)

    @property
    def auto_max(self) -> float:
        return sum(q.max_points for q in self.questions if not q.manual)

    @property
    def auto_total(self) -> float:
        return sum(q.points or 0.0 for q in self.questions if not q.manual)

    @property
    def graded_max(self) -> float:
        """The points at stake in what is graded so far: automatic questions, and hand-graded ones once entered."""
        return sum(q.max_points for q in self.questions if not q.manual or q.points is not None)
