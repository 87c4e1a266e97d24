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
    sub = intake(src, tmp_path / "work", assignment_id="tp4-lstm", module_order=("tp4", "tp5", "textloader", "generate"))
    assert sub.modules == ("nested/tp5.py", "generate.py")
    assert [n.key for n in sub.notes] == ["duplicate_module"]
    assert not (tmp_path / "work" / "nested" / "weights.pt").exists()  # checkpoints are never copied


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
