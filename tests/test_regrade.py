"""The TA's class view: regrades that lose nothing, the grading log, Ctrl-C, Moodle's folders.

Graded against the fake assignment of tests/fixtures/grading (see test_engine.py).
"""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from rich.console import Console

from autograder import __version__
from autograder.cli_grade import grade_folder
from autograder.export import export_moodle
from autograder.grade import class_entries, run_class
from autograder.graded import InputError, load_graded
from autograder.report_json import read_record, report_from_dict

sys.path.insert(0, str(Path(__file__).parent))
from test_engine import FAKE, GOOD, OPTIONS  # noqa: E402

pytestmark = pytest.mark.slow  # tier (pytest.ini): left out of `make test-fast`

ROOT = Path(__file__).resolve().parents[1]
HALF = "def double(x):\n    return 2 * x\n"  # Q1 only: 3 points


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rows(out: Path) -> dict:
    return {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}


def quiet() -> Console:
    return Console(file=io.StringIO(), width=200)


def test_a_subset_regrade_keeps_every_other_row_and_says_which_are_outdated(tmp_path):
    klass, out = tmp_path / "class", tmp_path / "out"
    for name in ("alice", "bob", "carol"):
        write(klass / f"{name}.py", HALF)
    first = run_class(klass, FAKE, out, jobs=2, options=OPTIONS)
    assert sorted(first.graded) == ["alice", "bob", "carol"]
    write(klass / "bob.py", GOOD)
    write(klass / "carol.py", GOOD)
    second = run_class(
        klass, FAKE, out, jobs=2, options=OPTIONS, students=["bob.py"]
    )  # an entry's name works
    assert second.graded == ("bob",)
    book = rows(out)
    assert set(book) == {"alice", "bob", "carol"}  # nothing dropped
    assert (book["alice"]["total"], book["bob"]["total"], book["carol"]["total"]) == ("3", "5", "3")
    assert (
        book["carol"]["problem"].startswith("not regraded: its files changed since")
        and not book["alice"]["problem"]
    )
    assert {r["max"] for r in book.values()} == {
        "6"
    }  # the assignment's total, Q3 (by hand) included
    assert read_record(out, "carol").hold and not read_record(out, "bob").hold
    # A smaller folder graded into the same OUT: a part of the class, the other rows kept without a hold.
    write(tmp_path / "late" / "dave.py", GOOD)
    third = run_class(tmp_path / "late", FAKE, out, jobs=1, options=OPTIONS)
    assert set(rows(out)) == {"alice", "bob", "carol", "dave"} and set(third.holds) == {"carol"}
    with pytest.raises(InputError, match="--student zoe: no such student"):
        run_class(klass, FAKE, out, options=OPTIONS, students=["zoe"])


def test_a_removed_entry_is_flagged_and_not_exported_and_duplicates_are_not_graded(tmp_path):
    klass, out = tmp_path / "class", tmp_path / "out"
    write(klass / "alice.py", GOOD)
    write(klass / "bob.py", HALF)
    write(klass / "carol.py", HALF)
    run_class(klass, FAKE, out, jobs=2, options=OPTIONS)
    (klass / "bob.py").unlink()
    with zipfile.ZipFile(klass / "carol.zip", "w") as archive:  # carol hands in twice
        archive.writestr("carol.py", GOOD)
    write(klass / "dan.py", GOOD)
    write(klass / "dan" / "tp.py", GOOD)
    console = Console(file=io.StringIO(), width=300)
    assert grade_folder(console, klass, FAKE, out, 2, OPTIONS) == 1  # duplicates: exit status 1
    said = console.file.getvalue()
    assert "duplicate: 2 entries for student carol, none graded: carol.py, carol.zip" in said
    assert "duplicate: 2 entries for student dan, none graded: dan, dan.py" in said
    book = rows(out)
    assert set(book) == {"alice", "bob", "carol"}  # dan never graded: no row; bob and carol kept
    assert book["bob"]["problem"].startswith("removed: bob.py is no longer in")
    assert book["carol"]["problem"].startswith(
        "duplicate entries, not regraded: carol.py, carol.zip"
    )
    assert book["carol"]["total"] == "3"  # the earlier grade, kept, not the zip's
    assert "bob: removed" in said
    path, table = export_moodle(out)
    exported = [row[0] for row in csv.reader(path.open(encoding="utf-8"))][1:]
    assert exported == ["alice"]
    assert any(w.startswith("bob: left out, removed") for w in table.warnings)
    assert any(w.startswith("carol: left out, duplicate entries") for w in table.warnings)
    # The entry comes back: its hold goes away with no regrading needed.
    write(klass / "bob.py", HALF)
    (klass / "carol.zip").unlink()
    run = run_class(klass, FAKE, out, jobs=1, options=OPTIONS, students=["alice", "bob", "carol"])
    assert set(run.skipped) == {"alice", "bob", "carol"} and not run.holds
    assert rows(out)["bob"]["problem"] == ""


def test_the_log_and_report_json_say_which_kit_graded_when(tmp_path):
    klass, out = tmp_path / "class", tmp_path / "out"
    write(klass / "alice.py", GOOD)
    nbformat.write(nbformat.v4.new_notebook(), klass / "bob.ipynb")  # unloadable
    assert grade_folder(quiet(), klass, FAKE, out, 2, OPTIONS) == 0
    assert grade_folder(quiet(), klass, FAKE, out, 2, OPTIONS) == 0  # appended, nothing regraded
    text = (out / "grading.log").read_text(encoding="utf-8")
    assert text.count("command: ") == 2 and text.count(f"kit: rnnkit {__version__}, commit ") == 2
    assert "date: 20" in text and "isolation: " in text
    assert "alice: graded in " in text and "bob: unloadable in " in text
    assert "alice: unchanged since graded, kept (graded)" in text
    data = json.loads((out / "alice" / "report.json").read_text(encoding="utf-8"))
    assert (
        data["kit_version"] == __version__
        and data["graded_at"].startswith("20")
        and data["entry"] == "alice.py"
    )
    assert data["kit_commit"]
    old = {
        k: v
        for k, v in data.items()
        if k
        not in (
            "kit_version",
            "kit_commit",
            "graded_at",
            "entry",
            "entry_folder",
            "display_name",
            "moodle_id",
            "hold",
        )
    }
    assert report_from_dict(old) == report_from_dict(data)  # a report.json of before reads the same


def test_moodle_folders_become_participant_ids_with_names_and_export_maps_back(tmp_path):
    klass, out = tmp_path / "download", tmp_path / "out"
    write(klass / "Élodie Dupont-Martin_12345_assignsubmission_file_" / "tp.py", GOOD)
    write(klass / "Jean Le Gall_67890_assignsubmission_file_" / "tp.py", HALF)
    write(
        klass / "Jean Le Gall_67890_assignsubmission_onlinetext_" / "onlinetext.html",
        "<p>voir le fichier</p>",
    )
    write(
        klass / "Zoé Participant_555_assignsubmission_onlinetext_" / "onlinetext.html",
        "<p>rien</p>",
    )
    entries, duplicates = class_entries(klass)
    assert not duplicates and set(entries) == {"12345", "67890", "555"}
    assert (
        entries["67890"].plugin == "file"
        and entries["12345"].display_name == "Élodie Dupont-Martin"
    )
    assert grade_folder(quiet(), klass, FAKE, out, 2, OPTIONS) == 0
    book = rows(out)
    assert list(next(iter(book.values())))[:5] == [
        "student",
        "name",
        "moodle_id",
        "status",
        "total",
    ]
    assert (book["12345"]["name"], book["12345"]["total"]) == ("Élodie Dupont-Martin", "5")
    assert (book["67890"]["name"], book["67890"]["total"]) == ("Jean Le Gall", "3")
    assert (
        book["555"]["status"] == "unloadable"
    )  # an online text only: nothing to grade, and the reason
    path, table = export_moodle(out)
    exported = list(csv.reader(path.open(encoding="utf-8")))
    assert exported[0][:2] == ["Identifier", "Full name"] and exported[0][-1] == "Grade"
    assert ["Participant 12345", "Élodie Dupont-Martin"] == exported[1][:2] and exported[1][
        -1
    ] == "5"
    assert {row[0] for row in exported[1:]} == {
        "Participant 12345",
        "Participant 555",
        "Participant 67890",
    }
    # A student also listed by a plain name cannot be identified in Moodle: the export stops and says so.
    write(tmp_path / "more" / "paul.py", GOOD)
    run_class(tmp_path / "more", FAKE, out, options=OPTIONS)
    with pytest.raises(InputError, match="'paul' has no Moodle participant id"):
        export_moodle(out)
    assert load_graded(out).record("12345").moodle_id == "12345"


CTRL_C = """
import faulthandler, signal, sys
faulthandler.register(signal.SIGUSR1, all_threads=True)  # the test's diagnosis when it hangs
from pathlib import Path
sys.path.insert(0, {tests!r})
from rich.console import Console
from autograder.cli_grade import grade_folder
from test_engine import FAKE, OPTIONS
sys.exit(grade_folder(Console(stderr=True), Path(sys.argv[1]), FAKE, Path(sys.argv[2]), 2, OPTIONS))
"""


def _as_in_a_terminal() -> None:
    # A command typed in a terminal gets SIGINT with its default action; one started in the background
    # by a script (`pytest &`) inherits it ignored, and Python then keeps it ignored: no Ctrl-C to test.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree in /proc")
def test_ctrl_c_stops_within_seconds_keeps_what_finished_and_leaves_no_process(tmp_path):
    from autograder.grade import _descendants

    klass, out = tmp_path / "class", tmp_path / "out"
    slow = nbformat.v4.new_notebook()
    slow.cells = [
        nbformat.v4.new_code_cell("import time\ntime.sleep(8)") for _ in range(20)
    ]  # minutes
    nbformat.write(slow, klass.mkdir() or klass / "a_slow.ipynb")
    write(klass / "alice.py", GOOD)
    write(klass / "bob.py", HALF)
    script = write(tmp_path / "grade.py", CTRL_C.format(tests=str(Path(__file__).parent)))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    # A session of its own, signalled as a whole: what Ctrl-C in a terminal does.
    process = subprocess.Popen(
        [sys.executable, str(script), str(klass), str(out)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_as_in_a_terminal,
    )
    try:
        deadline = time.monotonic() + 240
        while (
            not (out / "alice" / "report.json").exists()
            and process.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        assert process.poll() is None and (out / "alice" / "report.json").exists()
        time.sleep(1.0)  # the slow one is loading in its worker
        tree = _descendants(process.pid)
        assert len(tree) >= 3  # grading processes, fork servers, workers
        sent = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGUSR1)  # every thread's stack, on its stderr
            time.sleep(1.0)
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            pytest.fail(f"still running 30 s after Ctrl-C:\n{stderr[-6000:]}")
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert took < 4, took
    assert "Traceback" not in stdout + stderr, stderr
    assert sum("resume" in line for line in (stdout + stderr).splitlines()) == 1, stderr
    time.sleep(0.5)
    assert [pid for pid in tree if _alive(pid)] == []
    assert (out / "alice" / "report.json").exists() and not (out / "a_slow").exists()
    assert "alice" in rows(out) and "a_slow" not in rows(out)
    assert "interrupted after" in (out / "grading.log").read_text(encoding="utf-8")


def test_ctrl_c_while_a_finished_submission_is_handed_over_stops_the_run(tmp_path, monkeypatch):
    """Ctrl-C can land while the main process reads a finished submission's result: it stops the
    class run (exit 130, what finished is kept); it is not that submission's failure."""
    import autograder.grade as stage

    klass, out = tmp_path / "class", tmp_path / "out"
    write(klass / "alice.py", GOOD)
    write(klass / "bob.py", HALF)
    pool_order = stage.as_completed

    def ctrl_c_on_the_second(futures):
        for n, future in enumerate(pool_order(futures)):
            if n == 1:
                future.result = _raise_keyboard_interrupt
            yield future

    monkeypatch.setattr(stage, "as_completed", ctrl_c_on_the_second)
    status = grade_folder(Console(file=io.StringIO()), klass, FAKE, out, 1, OPTIONS)
    assert status == 130
    graded = rows(out)
    assert len(graded) == 1, graded
    assert "error" not in next(iter(graded.values()))["status"]


def _raise_keyboard_interrupt(*args, **kwargs):
    raise KeyboardInterrupt
