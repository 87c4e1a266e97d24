"""Intake: which files of a hand-in are graded, and what is refused."""

import zipfile

from autograder.intake import intake


def test_course_module_names_come_first_and_duplicates_are_noted(tmp_path):
    src = tmp_path / "student"
    (src / "nested" / "deeper").mkdir(parents=True)
    (src / "generate.py").write_text("x = 1")
    (src / "nested" / "tp5.py").write_text("y = 2")
    (src / "nested" / "deeper" / "generate.py").write_text("z = 3")
    (src / "nested" / "weights.pt").write_bytes(b"\x80")
    (src / "__pycache__").mkdir()
    (src / "__pycache__" / "tp5.cpython-311.pyc").write_bytes(b"")
    sub = intake(
        src,
        tmp_path / "work",
        assignment_id="tp4-lstm",
        module_order=("tp4", "tp5", "textloader", "generate"),
    )
    assert sub.modules == ("nested/tp5.py", "generate.py")
    assert [n.key for n in sub.notes] == ["duplicate_module"]
    assert not (
        tmp_path / "work" / "nested" / "weights.pt"
    ).exists()  # checkpoints are never copied


def test_the_notebook_named_after_the_assignment_wins(tmp_path):
    src = tmp_path / "s"
    src.mkdir()
    cell = '{"cells": [{"cell_type": "code", "source": "x = 1", "metadata": {}}], "metadata": {}}'
    for name in ("brouillon.ipynb", "tp4-lstm.ipynb"):
        (src / name).write_text(cell)
    sub = intake(src, tmp_path / "w", assignment_id="tp4-lstm")
    assert sub.notebook == "tp4-lstm.ipynb" and sub.notes[0].key == "several_notebooks"


def test_archive_with_a_path_outside_its_folder_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../etc/cron.d/x", "boom")
    sub = intake(archive, tmp_path / "w", assignment_id="tp3-rnn")
    assert sub.problem.key == "bad_archive" and "unsafe path" in sub.problem.as_dict()["detail"]
    assert not (tmp_path / "etc").exists()


def test_fingerprint_changes_with_content_only(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("x = 1")
    first = intake(a, tmp_path / "w1", assignment_id="td3-elman").fingerprint
    assert intake(a, tmp_path / "w2", assignment_id="td3-elman").fingerprint == first
    a.write_text("x = 2")
    assert intake(a, tmp_path / "w3", assignment_id="td3-elman").fingerprint != first


# --- stand-ins of the course's data files in the worker's copy ------------------------------------------
import json  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

from autograder.intake import COURSE_FILES, course_standins, data_folders, provide_course_files  # noqa: E402
from autograder.results import Submission  # noqa: E402


def test_data_folders_come_from_course_file_literals_and_path_constants():
    texts = [
        'PATH = "../data/"\nm = torch.load(open(PATH + "hzdataset.pch", "rb"))',
        'DATA_PATH: str = "../../TME4/data"\ntxt = open("corpus/trump_full_speech.txt").read()',
        'data_dir = Path("./datasets/")\nLOG = "runs/"\nmodel_path = "model.pt"\nPATH = "/home/me/data/"\n'
        'HOME_DATA = "~/data"\nURL = "https://x/data/"\nf"{PATH}hzdataset.pch"\nroot = "C:\\\\data"',
        'DIR = "../../../../data/"',
    ]  # four levels up: deeper than provided
    assert data_folders(texts) == [".", "data", "../data", "corpus", "../../TME4/data", "datasets"]


def test_the_submission_sits_below_a_root_holding_the_stand_ins(tmp_path):
    files = tmp_path / "files"
    (files / "src").mkdir(parents=True)
    (files / "src" / "exo2.py").write_text('PATH = "../../data/"\n')
    (files / "data").mkdir()
    (files / "data" / "trump_full_speech.txt").write_text("my own copy")  # handed in: kept as it is
    submission = Submission("s", files, None, ("src/exo2.py",))
    root = tmp_path / "worker"
    moved = provide_course_files(submission, root, [(files / "src" / "exo2.py").read_text()])
    assert moved.cwd == "up/submission" and moved.folder == root / "up" / "submission"
    assert (moved.folder / "src" / "exo2.py").is_file() and not files.exists()
    for folder in ("data", "up/data", "up/submission", "up/submission/data"):
        assert (root / folder / "hzdataset.pch").is_file(), folder
    assert (moved.folder / "data" / "trump_full_speech.txt").read_text() == "my own copy"
    assert (root / "data" / "trump_full_speech.txt").read_bytes() == dict(course_standins())[
        "trump_full_speech.txt"
    ]
    everything = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.is_relative_to(root) for p in everything)  # nothing outside the worker's copy


def test_the_metro_stand_in_has_the_course_format_and_is_made_once(tmp_path):
    assert course_standins() is course_standins()  # cached for the grading process
    (tmp_path / COURSE_FILES[0]).write_bytes(dict(course_standins())[COURSE_FILES[0]])
    with open(tmp_path / COURSE_FILES[0], "rb") as handle:
        train, test = torch.load(
            handle, weights_only=True
        )  # what the course code does, with torch's default
    assert train.shape[1:] == test.shape[1:] == (73, 80, 2) and train.dtype == torch.float32
    assert train.shape[0] >= 1 and test.shape[0] >= 1 and bool((train == train.round()).all())
    assert (
        len(dict(course_standins())[COURSE_FILES[0]]) < 2**20
    )  # small: copied for every submission


def test_the_worker_enters_only_a_folder_of_its_own_copy(tmp_path, monkeypatch):
    from autograder.sandbox.worker import Worker

    (tmp_path / "up" / "submission").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.path", [str(tmp_path), "/usr/lib/python3"])
    for bad in ("..", "../elsewhere", "/tmp", "up/missing"):
        with pytest.raises(ValueError):
            Worker._enter(bad)
    assert Worker._enter("up/submission") == tmp_path.resolve() / "up" / "submission"
    assert Path.cwd() == tmp_path.resolve() / "up" / "submission"
    import sys

    assert sys.path[0] == str(tmp_path.resolve() / "up" / "submission")


# Graded end to end against the fake assignment of tests/fixtures/grading (Q1 double, Q2 Counter).
FIXTURES = Path(__file__).parent / "fixtures" / "grading"


def _grade(path):
    from autograder.assignments import Assignment, Question
    from autograder.grade import Options, grade

    fake = Assignment(
        "fake",
        FIXTURES,
        FIXTURES / "fake.py",
        (),
        (Question("Q1", "double", 3, False), Question("Q2", "Counter", 2, False)),
    )
    return grade(path, fake, Options(tests_root=FIXTURES))


COUNTER = """
class Counter:
    def __init__(self, start):
        self.v = start
    def increment(self):
        self.v += 1
    def value(self):
        return self.v
"""


def _notebook(path: Path, *cells: str) -> Path:
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "source": c,
                        "metadata": {},
                        "outputs": [],
                        "execution_count": None,
                    }
                    for c in cells
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    return path


def test_top_level_cells_load_the_course_files_and_later_definitions_are_graded(tmp_path):
    nb = _notebook(
        tmp_path / "s.ipynb",
        'import torch\nmatrix_train, matrix_test = torch.load(open("../data/hzdataset.pch", "rb"))',
        'PATH = "data/"\nagain = torch.load(open(PATH + "hzdataset.pch", "rb"))\n'
        'text = open("./trump_full_speech.txt").read()',
        # the definitions graded depend on what was loaded: without the files they would be wrong
        "SCALE = matrix_train.shape[2] // 40 + len(again) - 2 + (len(text) > 1000) - 1\n"
        "def double(x):\n    return SCALE * x\n" + COUNTER,
    )
    report = _grade(nb)
    assert report.load.steps == () and report.status.value == "graded", report.load.steps
    assert report.total == 5


def test_a_path_constant_two_levels_up_resolves_inside_the_copy(tmp_path):
    folder = tmp_path / "alice"
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "exo2.py").write_text(
        'import torch\nDATA_PATH = "../../data/"\nm = torch.load(open(DATA_PATH + "hzdataset.pch", "rb"))\n'
        "SCALE = len(m)\ndef double(x):\n    return SCALE * x\n" + COUNTER
    )
    report = _grade(folder)
    assert (
        report.submission.cwd == "up/submission" and report.load.steps == () and report.total == 5
    )


def test_top_level_training_on_the_stand_ins_keeps_its_cell_budget(tmp_path):
    nb = _notebook(
        tmp_path / "s.ipynb",
        'import torch\nmatrix_train, matrix_test = torch.load(open("../data/hzdataset.pch", "rb"))\n'
        "while True:  # trains for ever\n    matrix_train.sum()",
        "def double(x):\n    return 2 * x\n" + COUNTER,
    )
    report = _grade(nb)
    assert [(s.where, s.status) for s in report.load.steps] == [("code cell 1", "timeout")]
    assert report.total == 5 and report.seconds < 60


def test_the_same_load_error_in_several_places_is_one_line_with_its_count(tmp_path):
    from autograder.feedback import feedback_markdown

    folder = tmp_path / "bob"
    folder.mkdir()
    where = '"/nowhere-rnnkit/data/hzdataset.pch"'  # absolute: outside the worker's copy, never provided
    for name in ("exo2.py", "exo3.py", "exo4.py"):
        (folder / name).write_text(f"import torch\nm = torch.load(open({where}, 'rb'))\n")
    (folder / "utils.py").write_text("def double(x):\n    return 2 * x\n" + COUNTER)
    report = _grade(folder)
    assert len(report.load.steps) == 3 and report.total == 5
    loading = feedback_markdown(report, "en").split("## Loading your code")[1].split("##")[0]
    lines = [line for line in loading.splitlines() if line.startswith("- ")]
    assert len(lines) == 1 and lines[0].startswith(
        "- 3 cells or statements raised the same error: FileNotFoundError"
    )
    assert "exo2.py:2, exo3.py:2, exo4.py:2" in lines[0]


def test_a_renamed_notebook_with_work_wins_over_an_untouched_template_copy(tmp_path):
    """``TP4_Dupont.ipynb`` (work) beside the untouched ``tp4-lstm.ipynb``: the work is graded and the note says so;
    two notebooks that both hold different work are named for a teacher to check."""
    import json
    import shutil

    from autograder.assignments import TEMPLATE

    src = tmp_path / "s"
    src.mkdir()
    shutil.copy(TEMPLATE / "tp4-lstm" / "tp4-lstm.ipynb", src / "tp4-lstm.ipynb")
    work = json.loads((src / "tp4-lstm.ipynb").read_text(encoding="utf-8"))
    work["cells"].append(
        {
            "cell_type": "code",
            "source": "def maskedCrossEntropy(o, t, p):\n    return 0",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
        }
    )
    (src / "TP4_Dupont.ipynb").write_text(json.dumps(work), encoding="utf-8")
    sub = intake(src, tmp_path / "w", assignment_id="tp4-lstm")
    assert sub.notebook == "TP4_Dupont.ipynb" and sub.notes[0].key == "several_notebooks"
    other = json.loads(json.dumps(work))
    other["cells"][-1]["source"] = "def maskedCrossEntropy(o, t, p):\n    return 1"
    (src / "brouillon.ipynb").write_text(json.dumps(other), encoding="utf-8")
    sub = intake(src, tmp_path / "w2", assignment_id="tp4-lstm")
    assert sub.notes[0].key == "several_notebooks_with_work"
