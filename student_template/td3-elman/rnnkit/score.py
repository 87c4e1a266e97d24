"""Score: from test results to points per question and the submission's status."""
from __future__ import annotations

from .assignments import Question
from .results import LoadResult, Outcome, QuestionScore, Report, Status, Submission, TestResult


def score(assignment_id: str, questions: tuple[Question, ...], submission: Submission, load: LoadResult,
          tests: tuple[TestResult, ...], *, seconds: float, printed: str = "") -> Report:
    """Sum earned points per question (capped at the question's points); manual ones stay open. A test in
    review earns nothing yet: its question lists it and the submission waits for a TA (every pipeline
    sums the same per-test points)."""
    earned: dict[str, float] = {}
    review: dict[str, list[str]] = {}
    for test in tests:
        earned[test.question] = earned.get(test.question, 0.0) + test.points
        if test.outcome is Outcome.NEEDS_REVIEW:
            review.setdefault(test.question, []).append(test.test)
    scores = tuple(
        QuestionScore(q.id, q.title, None if q.manual else min(earned.get(q.id, 0.0), q.points),
                      q.points, q.manual, review=", ".join(review.get(q.id, ())))
        for q in questions)
    problem = submission.problem or load.problem
    if load.ours:
        status = Status.GRADER_ERROR
    elif problem is not None:
        status = Status.UNLOADABLE
    elif any(t.outcome is Outcome.GRADER_ERROR for t in tests):
        status = Status.GRADER_ERROR
    elif review:
        status = Status.NEEDS_REVIEW
    elif load.steps:
        status = Status.PARTIAL
    else:
        status = Status.GRADED
    return Report(assignment_id, submission.student, status, tests, scores, load, submission, round(seconds, 2),
                  printed, problem)
