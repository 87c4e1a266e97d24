"""Tests of the tp3-rnn grading tests: the validity bank, points per question, public coverage.

The bank (``validity/tp3-rnn/``) is graded once per module: the reference and every right
implementation must get full marks, the untouched template zero with no grader error, and each
mutant must lose exactly the questions it declares, with its message. Grading includes the
learning tests (the student's RNN trained by the grader's loop), so this module takes a few
minutes on two cores.
"""

import importlib.util
import inspect
import sys
from collections import defaultdict

import pytest

from autograder.assignments import ROOT, load_assignment
from autograder.messages import CATALOG, LANGUAGES
from autograder.validity import PUBLIC_SHARE_FLOOR, figures, load_bank, run_bank

ASSIGNMENT = "tp3-rnn"
TESTS = ROOT / "assignments" / ASSIGNMENT / "tests"
BANK = load_bank(ASSIGNMENT)
# the grading tests' @grade marker is registered by the grading engine's own pytest configuration; grading the
# whole bank (about 40 variants, learning tests included) takes 4 to 7 minutes on two busy cores, in the first
# test's setup: hence a timeout of its own, whatever the suite's default.
pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning"),
    pytest.mark.timeout(1800),
    pytest.mark.banks,
]


@pytest.fixture(scope="module")
def verdicts():
    return {v.variant.name: v for v in run_bank(ASSIGNMENT, jobs=2)}


@pytest.mark.parametrize("name", [v.name for v in BANK])
def test_variant_is_graded_as_declared(verdicts, name):
    verdict = verdicts[name]
    assert verdict.ok, f"{verdict.variant.kind} {name} ({verdict.variant.why}): {verdict.detail}"


def test_public_tests_alone_catch_half_the_mutants(verdicts):
    """Students run only the public tests: read off the same grading, at least half the bank's mistakes
    must cost them points there (a test that passes a mistake its question warns about teaches nothing)."""
    share = figures(list(verdicts.values()))["public_share"]
    missed = sorted(v.variant.name for v in verdicts.values() if v.public_caught is False)
    assert share >= PUBLIC_SHARE_FLOOR, (
        f"public tests catch {share:.0%} of the mutants; missed: {', '.join(missed)}"
    )


def test_template_gets_zero_without_grader_error(verdicts):
    template = verdicts["template"]
    assert template.total == 0
    assert "grader error" not in template.detail
    assert template.ok, template.detail


def test_reference_gets_full_marks(verdicts):
    reference = verdicts["reference"]
    assert reference.ok and reference.total == reference.max_total == 18, reference.detail


def test_the_bank_is_big_enough_and_its_messages_exist():
    mutants = [v for v in BANK if v.kind == "mutant"]
    rights = [v for v in BANK if v.kind == "right"]
    assert len(mutants) >= 14 and len(rights) >= 6
    assert all(v.why for v in mutants + rights)
    assert not [v.name for v in mutants if v.message not in CATALOG]


def _grading_tests():
    """(module, test name, grade marker kwargs) for every grading test of the assignment."""
    found = []
    for path in sorted(TESTS.glob("test_*.py")):
        name = f"rnnkit_validity_tp3_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        for attr, fn in vars(module).items():
            if attr.startswith("test_") and callable(fn):
                marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "grade"]
                assert len(marks) == 1, f"{path.name}::{attr} needs exactly one @grade"
                found.append((name, attr, marks[0].kwargs))
    return found


def test_points_add_up_to_each_question_and_every_graded_question_has_a_public_test():
    questions = {q.id: q for q in load_assignment(ASSIGNMENT).questions}
    points, public = defaultdict(float), defaultdict(int)
    for module, _, spec in _grading_tests():
        assert spec["question"] in questions and not questions[spec["question"]].manual
        points[spec["question"]] += spec["points"]
        if spec["visibility"] == "public":
            assert module.endswith("test_public"), (
                "public tests live in test_public.py (shipped to students)"
            )
            public[spec["question"]] += 1
    automatic = {q.id: q.points for q in questions.values() if not q.manual}
    assert dict(points) == automatic == {"Q1": 8, "Q2": 4, "Q3": 2, "Q4": 4}
    assert all(public[q] >= 1 for q in automatic)


def test_public_tests_do_not_use_the_reference():
    """Public tests are shipped to students: no ``reference`` fixture (it holds the solution)."""
    for module, name, spec in _grading_tests():
        if spec["visibility"] == "public":
            fn = getattr(sys.modules[module], name)
            assert "reference" not in inspect.signature(fn).parameters, name


def test_every_tp3_message_has_both_languages_and_formats():
    keys = [k for k in CATALOG if k.startswith("tp3_")]
    assert len(keys) > 40
    for key in keys:
        for language in LANGUAGES:
            assert CATALOG[key].get(language), (key, language)
