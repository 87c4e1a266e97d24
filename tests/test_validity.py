"""The validity bank machinery: variant headers, materialising, judging, determinism."""

import pytest

from autograder.validity import BankError, determinism, run_bank, sections
from autograder.validity_bank import _parse

pytestmark = pytest.mark.slow  # tier (pytest.ini): left out of `make test-fast`


def test_sections_switch_target_midway():
    text = (
        "# why: demo\nx = 1\n# target: generate.py\ndef f():\n    pass\n# target: notebook\ny = 2\n"
    )
    assert sections(text) == [
        ("notebook", "# why: demo\nx = 1\n"),
        ("generate.py", "def f():\n    pass\n"),
        ("notebook", "y = 2\n"),
    ]


def test_a_mutant_must_declare_what_it_loses(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("# why: forgot the header\ndef f():\n    pass\n")
    with pytest.raises(BankError, match="needs '# lose: Q..'"):
        _parse("td3-elman", "mutant", path)


def test_grading_twice_gives_identical_results():
    """Is the grade of a variant the same on a second run (seeds per test, no global state)?"""
    verdicts = run_bank("td3-elman", jobs=2, names=("reference", "myrnn_tanh"))
    assert all(v.ok for v in verdicts)
    assert determinism(verdicts, jobs=2) == []


def test_one_process_grades_several_assignments():
    """Assignments share test file names (test_public.py...): each must still run its own tests."""
    from autograder.validity import check_variant, load_bank

    for assignment_id in ("tp4-lstm", "td3-elman"):
        verdict = check_variant(load_bank(assignment_id)[0])  # the reference
        assert verdict.ok and verdict.total == verdict.max_total, (assignment_id, verdict.detail)
    # and the workers this process forks next still find what it built and cached
    assert all(v.ok for v in run_bank("td3-elman", jobs=2, names=("reference", "myrnn_tanh")))


def test_a_convention_declares_itself_and_its_price(tmp_path):
    good = tmp_path / "lstm_x_h_c.py"
    good.write_text(
        "# convention: one_step(x, h, c)\n# price: Q5b=0.5, Q3=0.25\nclass LSTM: pass\n"
    )
    variant = _parse("tp4-lstm", "convention", good)
    assert variant.price == (("Q5b", 0.5), ("Q3", 0.25)) and variant.why == "one_step(x, h, c)"
    unnamed = tmp_path / "unnamed.py"
    unnamed.write_text("class LSTM: pass\n")
    with pytest.raises(BankError):
        _parse("tp4-lstm", "convention", unnamed)
    bad = tmp_path / "bad_price.py"
    bad.write_text("# convention: x\n# price: Q5b\nclass LSTM: pass\n")
    with pytest.raises(BankError):
        _parse("tp4-lstm", "convention", bad)
    mutant_price = tmp_path / "priced_mutant.py"
    mutant_price.write_text("# lose: Q1\n# message: k\n# price: Q1=1\nx = 1\n")
    with pytest.raises(BankError):
        _parse("tp4-lstm", "mutant", mutant_price)


def test_the_conventions_banks_cover_the_ways_students_call_their_code():
    """At least 40 correct implementations in other conventions over the labs, each graded by the bank tests."""
    from autograder.validity import load_bank

    conventions = [
        v
        for lab in ("tp3-rnn", "tp4-lstm", "td3-elman")
        for v in load_bank(lab)
        if v.kind == "convention"
    ]
    assert len(conventions) >= 40
    assert all(v.why for v in conventions)
    assert (
        sum(bool(v.price) for v in conventions) >= 5
    )  # priced deviations are checked too, not only free ones


def test_the_public_share_read_off_the_full_grading_is_that_of_public_only_grading():
    """A mutant counts as caught by the public tests when a public test of a declared question loses points;
    read off the bank's full grading, it must equal grading with the public tests only (each test is seeded
    on its own). myrnn_tanh is caught by the public ReLU check, myrnn_no_bias only by a hidden test."""
    from autograder.validity import figures, public_only_caught

    verdicts = run_bank("td3-elman", jobs=2, names=("reference", "myrnn_tanh", "myrnn_no_bias"))
    caught = {v.variant.name: v.public_caught for v in verdicts}
    assert caught == {"reference": None, "myrnn_tanh": True, "myrnn_no_bias": False}
    assert all(
        public_only_caught(v.variant) == v.public_caught
        for v in verdicts
        if v.variant.kind == "mutant"
    )
    assert figures(verdicts)["public_share"] == 0.5
