"""Score: from test results to points per question and the submission's status."""
from __future__ import annotations

from .assignments import Question
from .results import LoadResult, Outcome, QuestionScore, Report, Status, Submission, TestResult


def score(assignment_id: str, questions: tuple[Question, ...], submission: Submission, load: LoadResult,
          tests: tuple[TestResult, ...], *, seconds: float, printed: str = "") -> Report:
    """Sum earned points per question (capped at the question's points); manual ones stay open."""
    earned: dict[str, float] = {}
    for test in tests:
        earned[test.question] = earned.get(test.question, 0.0) + test.points
    scores = tuple(
        QuestionScore(q.id, q.title, None if q.manual else min(earned.get(q.id, 0.0), q.points), q.points, q.manual)
        for q in questions)
    problem = submission.problem or load.problem
    if load.ours:
        status = Status.GRADER_ERROR
    elif problem is not None:
        status = Status.UNLOADABLE
    elif any(t.outcome is Outcome.GRADER_ERROR for t in tests):
        status = Status.GRADER_ERROR
    elif load.steps:
        status = Status.PARTIAL
    else:
        status = Status.GRADED
    return Report(assignment_id, submission.student, status, tests, scores, load, submission, round(seconds, 2),
                  printed, problem)
