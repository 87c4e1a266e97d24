"""Every lab's grading tests against its validity bank, for every lab the engine discovers.

Each bank (``validity/<id>/``) is graded once: the reference and every right implementation must
get full marks, the untouched template zero with no grader error, each mutant must lose exactly the
questions it declares (with its message) and each convention exactly its price. The lab's grading
tests are also read as code: points add up to the notebook's, every graded question has a public
test, and public tests (shipped to students) use neither the solution nor the hidden helpers.
A new lab is covered by adding its folders; nothing here names one.
"""

import ast
import functools
import inspect
from collections import defaultdict

import pytest

from autograder.assignments import ASSIGNMENT_IDS, lab_folder, load_assignment, load_module
from autograder.messages import CATALOG
from autograder.validity import PUBLIC_SHARE_FLOOR, figures, load_bank, run_bank

# the grading tests' @grade marker is registered by the grading engine's own pytest configuration;
# grading a bank with learning tests takes minutes on two cores, in the first test's setup.
pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning"),
    pytest.mark.banks,
    pytest.mark.timeout(1800),
]

# Every lab's bank holds at least this many realistic mistakes and right implementations.
MIN_MUTANTS, MIN_RIGHTS = 8, 4
CASES = [(lab, variant.name) for lab in ASSIGNMENT_IDS for variant in load_bank(lab)]


@functools.cache
def verdicts(lab: str) -> dict:
    """The bank's verdicts by variant name, graded once per process."""
    return {v.variant.name: v for v in run_bank(lab, jobs=2)}


class Bank:
    """The verdicts of one lab's bank. A subclass per discovered lab (end of this module) keeps a
    lab's tests in one class, which ``pytest --dist loadscope`` runs on one worker: the bank is
    graded once, and two labs' banks grade side by side."""

    lab = ""

    def test_variant_is_graded_as_declared(self, name):
        verdict = verdicts(self.lab)[name]
        assert verdict.ok, (
            f"{verdict.variant.kind} {name} ({verdict.variant.why}): {verdict.detail}"
        )

    def test_reference_full_marks_template_zero_without_grader_error(self):
        reference, template = verdicts(self.lab)["reference"], verdicts(self.lab)["template"]
        assert reference.total == reference.max_total > 0, reference.detail
        assert template.total == 0, template.detail
        assert "grader error" not in reference.detail + template.detail

    def test_public_tests_alone_catch_half_the_mutants(self):
        """Students run only the public tests: at least half the bank's mistakes must cost points
        there (a public test that passes a mistake its question warns about teaches nothing)."""
        found = list(verdicts(self.lab).values())
        share = figures(found)["public_share"]
        missed = sorted(v.variant.name for v in found if v.public_caught is False)
        assert share >= PUBLIC_SHARE_FLOOR, (
            f"public tests catch {share:.0%} of the mutants; missed: {', '.join(missed)}"
        )


def pytest_generate_tests(metafunc):
    if "name" in metafunc.fixturenames and metafunc.cls and issubclass(metafunc.cls, Bank):
        lab = metafunc.cls.lab
        names = [name for bank_lab, name in CASES if bank_lab == lab]
        metafunc.parametrize("name", names, ids=[f"{lab}:{name}" for name in names])


for _lab in ASSIGNMENT_IDS:
    globals()[f"TestBank_{_lab.replace('-', '_')}"] = type(
        f"TestBank_{_lab.replace('-', '_')}", (Bank,), {"lab": _lab}
    )


@pytest.mark.parametrize("lab", ASSIGNMENT_IDS)
def test_the_bank_is_big_enough_covers_every_question_and_its_messages_exist(lab):
    bank = load_bank(lab)
    mutants = [v for v in bank if v.kind == "mutant"]
    rights = [v for v in bank if v.kind == "right"]
    assert len(mutants) >= MIN_MUTANTS and len(rights) >= MIN_RIGHTS
    assert all(v.why for v in mutants + rights)
    assert not [v.name for v in mutants if v.message not in CATALOG]
    graded = {q.id for q in load_assignment(lab).questions if not q.manual}
    assert graded <= {q for v in mutants for q in v.lose}, "a graded question without a mutant"


# --- the grading tests, read as code ----------------------------------------------------------


def _grading_tests(lab: str):
    """(module, test name, [grade marker kwargs]) for every grading test (one per parametrised case)."""
    found = []
    for path in sorted((lab_folder(lab) / "tests").glob("test_*.py")):
        module = load_module(path, f"rnnkit_banks_{lab.replace('-', '_')}_{path.stem}")
        for attr, fn in vars(module).items():
            if not (attr.startswith("test_") and callable(fn)):
                continue
            marks = getattr(fn, "pytestmark", [])
            grades = [m.kwargs for m in marks if m.name == "grade"]
            for mark in marks:
                if mark.name == "parametrize":
                    for param in mark.args[1]:
                        grades += [
                            m.kwargs for m in getattr(param, "marks", ()) if m.name == "grade"
                        ]
            assert grades, f"{path.name}::{attr} has no @grade"
            assert len(grades) == 1 or not [m for m in marks if m.name == "grade"], attr
            found.append((module, attr, grades))
    return found


@pytest.mark.parametrize("lab", ASSIGNMENT_IDS)
def test_points_add_up_to_each_question_and_every_graded_question_has_a_public_test(lab):
    questions = {q.id: q for q in load_assignment(lab).questions}
    points, public = defaultdict(float), defaultdict(int)
    for module, _, specs in _grading_tests(lab):
        for spec in specs:
            assert spec["question"] in questions and not questions[spec["question"]].manual
            points[spec["question"]] += spec["points"]
            if spec["visibility"] == "public":
                assert module.__name__.endswith("test_public"), (
                    "public tests live in test_public.py (shipped to students)"
                )
                public[spec["question"]] += 1
    automatic = {q.id: q.points for q in questions.values() if not q.manual}
    assert {q: round(p, 6) for q, p in points.items()} == automatic
    assert all(public[q] >= 1 for q in automatic)


@pytest.mark.parametrize("lab", ASSIGNMENT_IDS)
def test_public_tests_use_neither_the_reference_nor_hidden_helpers(lab):
    """Public tests are shipped to students: no ``reference`` fixture, no hidden module imported."""
    folder = lab_folder(lab) / "tests"
    tree = ast.parse((folder / "test_public.py").read_text(encoding="utf-8"))
    hidden = {p.stem for p in folder.glob("*.py")} - {"test_public", "conftest"}
    # imported names and string constants (lab_module(__file__, "tp4_checks")) that name a module
    named = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    named |= {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    named |= {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }
    assert not hidden & named
    for module, name, specs in _grading_tests(lab):
        if any(spec["visibility"] == "public" for spec in specs):
            fn = getattr(module, name)
            assert "reference" not in inspect.signature(fn).parameters, name


@pytest.mark.parametrize("lab", ASSIGNMENT_IDS)
def test_partial_credit_tables_are_shares_of_known_messages(lab):
    """A test module's ``*PARTIAL_CREDIT`` table maps catalog keys to the share of points kept."""
    for module, _, _ in _grading_tests(lab):
        for attr, table in vars(module).items():
            if attr.endswith("PARTIAL_CREDIT"):
                assert all(key in CATALOG and 0 <= share <= 1 for key, share in table.items())


def test_every_lab_is_covered():
    assert len(ASSIGNMENT_IDS) >= 4 and {lab for lab, _ in CASES} == set(ASSIGNMENT_IDS)
