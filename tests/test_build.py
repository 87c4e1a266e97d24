"""The single source: assignments' questions, the generated template, and its drift check."""

import json
import re
import subprocess
import sys
import textwrap

import nbformat
import pytest

from autograder.__main__ import main
from autograder.assignments import (
    ANSWER_TAG,
    ASSIGNMENT_IDS,
    SKIP_TAG,
    TEMPLATE,
    AssignmentError,
    load_assignment,
)
from autograder.build import build_template, template_drift
from autograder.markers import ANSWER_PLACEHOLDER, MarkerError

# Calls that load data or train: they belong in skip-tagged cells, never in cells the grader runs.
HEAVY = re.compile(
    r"\b(load_metro|load_speeches|DataLoader|SummaryWriter)\s*\(|\.backward\(|\.step\(\)|plt\."
)


def template_notebook(assignment_id):
    return nbformat.read(TEMPLATE / assignment_id / f"{assignment_id}.ipynb", as_version=4)


def test_committed_template_equals_a_fresh_build():
    """Does `make student` leave the tree unchanged?"""
    assert template_drift() == []


def test_cli_check_reports_drift(tmp_path, monkeypatch, capsys):
    assert main(["student", "--check"]) == 0
    stale = TEMPLATE / "td3-elman" / "stale.txt"
    stale.write_text("left over")
    try:
        assert main(["student", "--check", "--assignment", "td3-elman"]) == 1
        assert "stale.txt: not produced by the build" in capsys.readouterr().out
    finally:
        stale.unlink()


@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_questions_total_twenty_points_with_manual_ones_marked(assignment_id):
    assignment = load_assignment(assignment_id)
    assert assignment.total_points == 20
    assert len({q.id for q in assignment.questions}) == len(assignment.questions)
    assert any(q.manual for q in assignment.questions)
    assert any(not q.manual for q in assignment.questions)


@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_template_notebook_hides_solutions_and_keeps_grading_metadata(assignment_id):
    nb = template_notebook(assignment_id)
    assert nb.metadata["rnnkit"]["assignment"] == assignment_id
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any("raise NotImplementedError(" in c.source for c in code)
    assert not any("SOLUTION" in c.source for c in nb.cells)
    answers = [c for c in nb.cells if ANSWER_TAG in c.metadata.get("tags", [])]
    assert answers and all(ANSWER_PLACEHOLDER.lstrip("# ") in c.source for c in answers)
    for cell in code:
        if SKIP_TAG not in cell.metadata.get("tags", []):
            assert not HEAVY.search(cell.source), (
                f"cell {cell.id} loads data or trains but is not tagged {SKIP_TAG}"
            )


@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_untouched_template_runs_its_gradable_cells(assignment_id):
    """Do the cells the grader runs execute without error in a fresh interpreter?"""
    script = textwrap.dedent(f"""
        import json, os, sys, nbformat
        os.chdir({str(TEMPLATE / assignment_id)!r}); sys.path.insert(0, os.getcwd())
        nb = nbformat.read({assignment_id!r} + ".ipynb", as_version=4)
        ns = {{"__name__": "student"}}
        for cell in nb.cells:
            if cell.cell_type == "code" and {SKIP_TAG!r} not in cell.metadata.get("tags", []):
                exec(cell.source, ns)
        print(json.dumps(sorted(k for k in ns if not k.startswith("_"))))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])


def test_points_in_heading_must_match_metadata(tmp_path):
    source = tmp_path / "td3-elman"
    source.mkdir()
    (source / "td3-elman.py").write_text(
        '# %% [markdown] question="Q1" points=3\n# ## Q1 (2 points)\n', encoding="utf-8"
    )
    with pytest.raises(AssignmentError, match=r"heading of Q1 must state '\(3 points\)'"):
        load_assignment("td3-elman", solutions=tmp_path)


def test_malformed_marker_in_a_source_names_file_and_line(tmp_path):
    source = tmp_path / "td3-elman"
    source.mkdir()
    (source / "td3-elman.py").write_text(
        '# %% [markdown] question="Q1" points=1\n# ## Q1 (1 points)\n\n# %%\ndef f():\n    # BEGIN SOLUTION\n    return 1\n',
        encoding="utf-8",
    )
    with pytest.raises(MarkerError, match=r"td3-elman.py:6: BEGIN SOLUTION without END SOLUTION"):
        build_template(load_assignment("td3-elman", solutions=tmp_path), tmp_path / "out")
