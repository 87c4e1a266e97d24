"""The past-year bank: whole hand-ins written in past students' styles, graded by a TA before the grader.

``validity/<id>/past/grades.toml`` holds the TA's grade of every folder of ``validity/<id>/past/``. The
grader must agree with it within ``PAST_QUESTION_TOLERANCE`` on each automatic question and
``PAST_TOTAL_TOLERANCE`` on the total. A submission with a declared ``known_disagreement`` is left out:
it shows as an expected failure with its reason, and fails again once the grader agrees (so that the
entry is removed). The submissions of all assignments are graded once, in one pool of 2 processes.
"""

from types import SimpleNamespace

import pytest

from autograder.assignments import ASSIGNMENT_IDS, load_assignment
from autograder.results import Outcome
from autograder.validity import (
    PAST_QUESTION_TOLERANCE,
    PAST_TOTAL_TOLERANCE,
    BankError,
    PastSubmission,
    judge_past,
    load_past,
    past_problems,
    run_past,
)

# grading each submission takes 5 to 30 s on two busy cores: a timeout of the module's own
pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning"),
    pytest.mark.timeout(1800),
    pytest.mark.banks,
]


def _submissions():
    try:
        return [s for a in ASSIGNMENT_IDS for s in load_past(a)]
    except BankError:
        return []  # test_grades_are_well_formed names the problems


SUBMISSIONS = _submissions()


@pytest.fixture(scope="module")
def verdicts():
    return {
        (v.submission.assignment, v.submission.name): v for v in run_past(ASSIGNMENT_IDS, jobs=2)
    }


@pytest.mark.parametrize("assignment, name", [(s.assignment, s.name) for s in SUBMISSIONS])
def test_grader_agrees_with_the_ta(verdicts, assignment, name):
    verdict = verdicts[assignment, name]
    known = verdict.submission.known_disagreement
    if known and verdict.ok and not verdict.within:
        pytest.xfail(f"{verdict.detail} (declared: {known})")
    assert verdict.ok and verdict.within, (
        f"{assignment} {name} ({verdict.submission.why}): {verdict.detail}"
    )


@pytest.mark.parametrize("assignment", ASSIGNMENT_IDS)
def test_grades_are_well_formed(assignment):
    assert past_problems(assignment) == []
    auto = {q.id: q.points for q in load_assignment(assignment).questions if not q.manual}
    for submission in load_past(assignment):
        graded = dict(submission.ta)
        reasons = dict(submission.reasons)
        assert set(graded) == set(auto), (
            f"{submission.name}: not every automatic question is graded"
        )
        assert submission.why.strip() and submission.path.is_dir()
        for question, points in graded.items():
            assert 0 <= points <= auto[question], (
                f"{submission.name} {question}: {points} outside 0..{auto[question]}"
            )
            if points < auto[question]:
                assert reasons.get(question, "").strip(), (
                    f"{submission.name} {question}: a deduction without a reason"
                )


def test_the_bank_covers_the_assignments():
    per_assignment = {a: [s for s in SUBMISSIONS if s.assignment == a] for a in ASSIGNMENT_IDS}
    assert len(SUBMISSIONS) >= 8
    assert len(per_assignment["tp3-rnn"]) >= 4 and len(per_assignment["tp4-lstm"]) >= 4
    checked = [s for s in SUBMISSIONS if not s.known_disagreement]
    assert len(checked) >= 4, "most of the bank must be checked, not excused"


def test_past_hand_ins_follow_the_course_skeleton_not_the_kits_api():
    """Written as past students wrote them (the course's files and signatures), never against the template's
    protocol: no ``init_state``, no ``build_model``, no ``sample=`` keyword, no kit notebook."""
    for submission in SUBMISSIONS:
        files = sorted(submission.path.rglob("*"))
        assert not any(f.suffix == ".ipynb" and f.stem == submission.assignment for f in files), (
            submission.name
        )
        for path in (f for f in files if f.suffix == ".py"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for kit_only in ("def init_state", "def build_model", "sample="):
                assert kit_only not in text, (
                    f"{submission.name}/{path.name} uses the kit's {kit_only!r}"
                )


def test_malformed_grades_are_rejected(tmp_path):
    folder = tmp_path / "tp3-rnn" / "past"
    (folder / "someone").mkdir(parents=True)
    (folder / "someone" / "tp3.py").write_text("x = 1\n")
    (folder / "forgotten").mkdir()
    (folder / "grades.toml").write_text(
        '[someone]\nwhy = "a style"\nQ1 = { points = 9 }\nQ3 = { points = 1.5 }\n'
        'Q4 = { points = 4 }\nQ3b = { points = 2 }\n\n[nobody]\nwhy = ""\n',
        encoding="utf-8",
    )
    problems = "\n".join(past_problems("tp3-rnn", bank=tmp_path))
    assert "Q1 points 9 outside 0..8" in problems
    assert "Q2 needs" in problems
    assert "Q3 loses 0.5 point(s) without a reason" in problems
    assert "unknown keys Q3b" in problems
    assert "forgotten: no entry" in problems
    assert "[nobody]: no folder" in problems and "[nobody]: 'why'" in problems
    with pytest.raises(BankError):
        load_past("tp3-rnn", bank=tmp_path)


def _report(points: dict[str, float], maximum: dict[str, float], error: bool = False):
    """A stand-in for the engine's Report: only what judge_past reads."""
    questions = [
        SimpleNamespace(question=q, points=p, max_points=maximum[q], manual=False)
        for q, p in points.items()
    ]
    questions.append(SimpleNamespace(question="Q3b", points=None, max_points=2, manual=True))
    tests = [
        SimpleNamespace(test="test_x", outcome=Outcome.GRADER_ERROR if error else Outcome.PASSED)
    ]
    return SimpleNamespace(questions=questions, tests=tests, status=SimpleNamespace(value="graded"))


def test_the_tolerance_is_applied_per_question_and_on_the_total():
    maximum = {"Q1": 8, "Q2": 4, "Q3": 2, "Q4": 4}
    ta = {"Q1": 5, "Q2": 4, "Q3": 1.5, "Q4": 4}
    submission = PastSubmission(
        "tp3-rnn", "s", None, "a style", tuple(ta.items()), (("Q1", "r"), ("Q3", "r"))
    )
    step = PAST_QUESTION_TOLERANCE
    assert judge_past(submission, _report(ta, maximum)).within
    one_question = judge_past(submission, _report({**ta, "Q1": 5 - step}, maximum))
    assert one_question.within and one_question.differences == (("Q1", 5, 5 - step),)
    too_far = judge_past(submission, _report({**ta, "Q1": 5 - step - 0.25}, maximum))
    assert not too_far.within and not too_far.ok and "Q1: TA 5" in too_far.detail
    # each question within the tolerance, the total not
    drift = {q: p - step for q, p in ta.items()}
    assert len(ta) * step > PAST_TOTAL_TOLERANCE
    summed = judge_past(submission, _report(drift, maximum))
    assert not summed.within and "total: TA" in summed.detail
    assert not judge_past(submission, _report(ta, maximum, error=True)).within


def test_a_known_disagreement_is_reported_and_must_stay_true():
    maximum = {"Q1": 8, "Q2": 4, "Q3": 2, "Q4": 4}
    ta = {"Q1": 8, "Q2": 4, "Q3": 2, "Q4": 4}
    known = PastSubmission(
        "tp3-rnn", "s", None, "a style", tuple(ta.items()), (), "the grader is wrong on Q4"
    )
    outside = judge_past(known, _report({**ta, "Q4": 0}, maximum))
    assert outside.ok and not outside.within and "known disagreement" in outside.detail
    stale = judge_past(known, _report(ta, maximum))
    assert not stale.ok and "no longer seen" in stale.detail


def test_questions_held_for_review_are_left_out_of_the_check_and_reported():
    """A script hand-in whose names are missing: the grader holds the question for a TA (needs_review,
    with what it found); the TA's grade of it is not compared, the rest still is."""
    maximum = {"Q1": 8, "Q2": 4, "Q3": 2, "Q4": 4}
    ta = {"Q1": 8, "Q2": 4, "Q3": 2, "Q4": 4}
    submission = PastSubmission("tp3-rnn", "s", None, "a style", tuple(ta.items()), ())
    report = _report({**ta, "Q2": 1.5}, maximum)
    assert not judge_past(submission, report).within  # Q2 off by 2.5: outside the tolerance
    for q in report.questions:
        q.review, q.found = (
            ("test_classify_shape", "top-level code in exo2.py (line 31: `for epoch ...`)")
            if q.question == "Q2"
            else ("", "")
        )
    verdict = judge_past(submission, report)
    assert verdict.within and verdict.ok and "REVIEW Q2" in verdict.detail
    assert verdict.review == (
        ("Q2", 4, 1.5, "top-level code in exo2.py (line 31: `for epoch ...`)"),
    )
    assert [q for q, *_ in verdict.per_question] == ["Q1", "Q3", "Q4"] and verdict.ta_total == 14
    for q in report.questions:  # the rest is still checked
        if q.question == "Q1":
            q.points = 6
    assert not judge_past(submission, report).within
