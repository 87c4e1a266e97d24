"""Students run the public tests from their own folder, with the lab's package shipped as rnnkit/."""

import subprocess
import sys

import pytest

from autograder.assignments import load_assignment
from autograder.build import build_template

pytestmark = pytest.mark.slow  # tier (pytest.ini): left out of `make test-fast`


def test_student_folder_runs_public_tests_with_the_shipped_engine(tmp_path):
    folder = tmp_path / "etudiant"
    build_template(
        load_assignment("td3-elman"), folder
    )  # as `make student` builds it (the package is not committed)
    assert not any((folder / "rnnkit").rglob("test_myrnn.py"))  # hidden tests never ship
    done = subprocess.run(
        [sys.executable, "-m", "rnnkit", "check", "td3-elman.ipynb", "--question", "Ex2-Q1"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the template's stubs fail their public tests
    assert done.stdout.startswith("Tests publics : 0/")
    assert "non implémenté" in done.stdout and "Ex3-Q2" not in done.stdout.split("## Détail")[1]
