"""The validity bank machinery: variant headers, materialising, judging, determinism."""
import pytest

from autograder.validity import BankError, _parse, determinism, run_bank, sections


def test_sections_switch_target_midway():
    text = "# why: demo\nx = 1\n# target: generate.py\ndef f():\n    pass\n# target: notebook\ny = 2\n"
    assert sections(text) == [("notebook", "# why: demo\nx = 1\n"), ("generate.py", "def f():\n    pass\n"), ("notebook", "y = 2\n")]


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
