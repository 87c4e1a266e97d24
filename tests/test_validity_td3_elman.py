"""Tests of the td3-elman grading tests: the validity bank, points per question, public coverage.

The bank (``validity/td3-elman/``) is graded once per module: the reference and every right
implementation must get full marks, the untouched template zero with no grader error, and each
mutant must lose exactly the questions it declares, with its message.
"""

import importlib.util
import sys
from collections import defaultdict

import pytest

from autograder.assignments import ROOT, load_assignment
from autograder.messages import CATALOG
from autograder.validity import PUBLIC_SHARE_FLOOR, figures, load_bank, run_bank

ASSIGNMENT = "td3-elman"
TESTS = ROOT / "assignments" / ASSIGNMENT / "tests"
BANK = load_bank(ASSIGNMENT)
# the grading tests' @grade marker is registered by the grading engine's own pytest configuration
pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning"),
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


def test_the_bank_is_big_enough_and_its_messages_exist():
    mutants = [v for v in BANK if v.kind == "mutant"]
    rights = [v for v in BANK if v.kind == "right"]
    assert len(mutants) >= 8 and len(rights) >= 4
    assert all(v.why for v in mutants + rights)
    assert not [v.name for v in mutants if v.message not in CATALOG]


def _grading_tests():
    """(module, test name, grade marker kwargs) for every grading test of the assignment."""
    found = []
    for path in sorted(TESTS.glob("test_*.py")):
        name = f"rnnkit_validity_td3_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        for attr, fn in vars(module).items():
            if attr.startswith("test_") and callable(fn):
                marks = [m for m in getattr(fn, "pytestmark", []) if m.name == "grade"]
                assert len(marks) == 1, f"{path.name}::{attr} needs exactly one @grade"
                found.append((path.stem, attr, marks[0].kwargs))
    return found


def test_points_add_up_to_each_question_and_every_graded_question_has_a_public_test():
    questions = {q.id: q for q in load_assignment(ASSIGNMENT).questions}
    points, public = defaultdict(float), defaultdict(int)
    for module, _, spec in _grading_tests():
        assert spec["question"] in questions and not questions[spec["question"]].manual
        points[spec["question"]] += spec["points"]
        if spec["visibility"] == "public":
            assert module == "test_public", (
                "public tests live in test_public.py (shipped to students)"
            )
            public[spec["question"]] += 1
    automatic = {q.id: q.points for q in questions.values() if not q.manual}
    assert dict(points) == automatic
    assert all(public[q] >= 1 for q in automatic)


def test_public_tests_do_not_use_the_reference():
    """Public tests are shipped to students: no ``reference`` fixture (it holds the solution)."""
    import inspect

    for module, name, spec in _grading_tests():
        if spec["visibility"] == "public":
            fn = getattr(sys.modules[f"rnnkit_validity_td3_{module}"], name)
            assert "reference" not in inspect.signature(fn).parameters, name
