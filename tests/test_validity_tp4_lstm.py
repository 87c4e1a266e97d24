"""Tests of the tp4-lstm grading tests: the validity bank, points per question, public coverage.

The bank (``validity/tp4-lstm/``) is graded once per module: the reference and every right
implementation must get full marks, the untouched template zero with no grader error, and each
mutant must lose exactly the questions it declares, with its message. The grader-side helpers
(layout identification, table models) get a few direct checks too.
"""

import importlib.util
import inspect
import sys
from collections import defaultdict

import pytest
import torch

from autograder.assignments import ROOT, load_assignment
from autograder.messages import CATALOG
from autograder.validity import PUBLIC_SHARE_FLOOR, figures, load_bank, run_bank

ASSIGNMENT = "tp4-lstm"
TESTS = ROOT / "assignments" / ASSIGNMENT / "tests"
BANK = load_bank(ASSIGNMENT)
# the grading tests' @grade marker is registered by the grading engine's own pytest configuration
pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning"),
    pytest.mark.banks,
]


def _load(path, name):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


K = _load(TESTS / "tp4_checks.py", "rnnkit_tp4_checks")


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
    assert len(mutants) >= 30 and len(rights) >= 8
    assert all(v.why for v in mutants + rights)
    assert not [v.name for v in mutants if v.message not in CATALOG]
    questions = {q.id for q in load_assignment(ASSIGNMENT).questions if not q.manual}
    assert {q for v in mutants for q in v.lose} == questions  # every graded question has mutants


def _grading_tests():
    """(module, test name, [grade marker kwargs]) for every grading test (parametrised ones: one per case)."""
    found = []
    for path in sorted(TESTS.glob("test_*.py")):
        module = _load(path, f"rnnkit_validity_tp4_{path.stem}")
        for attr, fn in vars(module).items():
            if not (attr.startswith("test_") and callable(fn)):
                continue
            marks = getattr(fn, "pytestmark", [])
            grades = [m.kwargs for m in marks if m.name == "grade"]
            for m in marks:
                if m.name == "parametrize":
                    for param in m.args[1]:
                        grades += [
                            pm.kwargs for pm in getattr(param, "marks", ()) if pm.name == "grade"
                        ]
            assert grades, f"{path.name}::{attr} has no @grade"
            assert len(grades) == 1 or not [m for m in marks if m.name == "grade"], attr
            found.append((path.stem, attr, grades))
    return found


def test_points_add_up_to_each_question_and_every_graded_question_has_a_public_test():
    questions = {q.id: q for q in load_assignment(ASSIGNMENT).questions}
    points, public = defaultdict(float), defaultdict(int)
    for module, _, specs in _grading_tests():
        for spec in specs:
            assert spec["question"] in questions and not questions[spec["question"]].manual
            points[spec["question"]] += spec["points"]
            if spec["visibility"] == "public":
                assert module == "test_public", (
                    "public tests live in test_public.py (shipped to students)"
                )
                public[spec["question"]] += 1
    automatic = {q.id: q.points for q in questions.values() if not q.manual}
    assert {q: round(p, 6) for q, p in points.items()} == automatic
    assert all(public[q] >= 1 for q in automatic)


def test_public_tests_use_neither_the_reference_nor_hidden_helpers():
    """Public tests are shipped to students: no ``reference`` fixture, no import of the hidden helpers."""
    text = (TESTS / "test_public.py").read_text(encoding="utf-8")
    assert "tp4_checks" not in text
    for module, name, _specs in _grading_tests():
        if module == "test_public":
            fn = getattr(sys.modules[f"rnnkit_validity_tp4_{module}"], name)
            assert "reference" not in inspect.signature(fn).parameters, name


def test_partial_credit_settings_are_shares():
    text = _load(TESTS / "test_text.py", "rnnkit_validity_tp4_test_text")
    cells = _load(TESTS / "test_cells.py", "rnnkit_validity_tp4_test_cells")
    for table in (text.PARTIAL_CREDIT, cells.GRU_PARTIAL_CREDIT):
        assert all(key in CATALOG and 0 <= share <= 1 for key, share in table.items())


# --- the grader-side helpers ---------------------------------------------------------------------


def test_every_lstm_layout_is_read():
    """Fused gates in any order, separate input/hidden layers, transposed raw parameters."""
    H, D, V = 5, 3, 7
    shapes = {
        "W_ih": (4 * H, D),
        "W_hh": (4 * H, H),
        "b": (4 * H,),
        "decoder.weight": (V, H),
        "decoder.bias": (V,),
    }
    found = K.readings(shapes, D, H, V, ("i", "f", "g", "o"))
    # every gate order of both matrices; the fused bias follows one of them (one option when they agree)
    assert len(found) == 24 * 24 * 2 - 24
    shapes = {f"W_{g}.weight": (H, H + D) for g in "ifco"} | {f"W_{g}.bias": (H,) for g in "ifco"}
    assert len(K.readings(shapes, D, H, V, ("i", "f", "g", "o"))) == 24 * 2**4
    shapes = {
        "Wz": (H + D, H),
        "bz": (H,),
        "Wr": (H + D, H),
        "br": (H,),
        "Wn": (H + D, H),
        "bn": (H,),
    }
    assert (
        len(K.readings(shapes, D, H, V, ("z", "r", "n"))) == 6 * 2**3
    )  # raw weights used as x @ W


def test_table_model_answers():
    E = K.EOS_TOKEN
    table = K.make_table(
        {
            "": {"a": 0.5, "b": 0.4, E: 0.1},
            "a": {"c": 0.36, "d": 0.34, "e": 0.3},
            "b": {"f": 0.9, E: 0.1},
        },
        {E: 1.0},
    )
    assert table.greedy("", 10)[0] == "ac"
    score, text, finished = table.exhaustive("", 10)[0]
    assert (text, finished) == ("bf", True)
    assert score == pytest.approx(table.score_of("", "bf", 10))
    probs = K.nucleus_probs(torch.tensor([[0.5, 0.3, 0.15, 0.05]]).log(), 0.7)
    assert torch.allclose(probs, torch.tensor([[0.625, 0.375, 0.0, 0.0]], dtype=torch.float64))
