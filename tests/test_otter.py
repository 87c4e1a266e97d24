"""otter-grader pipeline: the real ``otter assign`` and ``otter run`` give the engine's grades.

Runs only with the pipelines venv (``make test`` builds it: ``.venv-pipelines``).
"""

from __future__ import annotations

import json
import subprocess
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pipelines_class as pc
import pytest

from autograder.assignments import ROOT, TEMPLATE, load_assignment
from autograder.build import without_handin
from autograder.pipelines.bridge import collect_tests
from autograder.pipelines.otter import OtterRunError, question_scores, run_submission

pytestmark = [
    pytest.mark.skipif(
        not pc.available(), reason="no .venv-pipelines: run `make test` (it builds it)"
    ),
    pytest.mark.pipelines,
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """``dist/otter/td3-elman/`` built by ``make otter``'s command, in a temporary folder."""
    out = tmp_path_factory.mktemp("otter-dist")
    start = time.perf_counter()
    done = subprocess.run(
        [
            str(pc.PIPELINES_BIN / "python"),
            "-m",
            "autograder.pipelines.otter",
            "build",
            "--assignment",
            pc.ASSIGNMENT,
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=pc.pipeline_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    print(f"otter build: {time.perf_counter() - start:.1f} s")
    return out / pc.ASSIGNMENT


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory) -> dict[str, dict]:
    """Every notebook of the demo class through ``otter run`` (two at a time), once for all tests."""
    folder, _, _ = pc.demo_class()
    out = tmp_path_factory.mktemp("otter-results")
    zip_path = built / f"{pc.ASSIGNMENT}-autograder.zip"

    def run(notebook: Path):
        try:
            return notebook.stem, run_submission(
                zip_path,
                notebook,
                out / notebook.stem,
                timeout=300,
                otter=str(pc.PIPELINES_BIN / "otter"),
            )
        except OtterRunError as err:
            return notebook.stem, {"error": str(err)}

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(run, sorted(folder.glob("*.ipynb"))))
    for student, data in sorted(results.items()):
        print(f"otter run {student}: {data.get('_rnnkit', {}).get('seconds', '-')} s")
    return results


def test_student_notebook_is_the_template(built):
    """otter assign strips our master into exactly the template's code and answer prompts."""
    ours = nbformat.read(TEMPLATE / pc.ASSIGNMENT / f"{pc.ASSIGNMENT}.ipynb", as_version=4)
    ours.cells = without_handin(
        load_assignment(pc.ASSIGNMENT), ours.cells
    )  # the hand-in is otter's
    otters = nbformat.read(built / "student" / f"{pc.ASSIGNMENT}.ipynb", as_version=4)

    def code(nb):
        return [c.source for c in nb.cells if c.cell_type == "code"]

    def markdown(
        nb,
    ):  # otter frames written-answer questions with <!-- BEGIN/END QUESTION --> for its PDFs
        lines = (
            "\n".join(l for l in c.source.split("\n") if not l.startswith("<!-- ")).strip()
            for c in nb.cells
            if c.cell_type == "markdown"
        )
        return [text for text in lines if text]

    assert code(otters) == code(ours)
    assert markdown(otters) == markdown(ours)
    for name in ("coursedata", "rnnkit"):
        assert (built / "student" / name).is_dir(), (
            f"handout {name}/ missing from otter's student folder"
        )


def test_zip_carries_the_kit_and_the_plugin(built):
    with zipfile.ZipFile(built / f"{pc.ASSIGNMENT}-autograder.zip") as zf:
        names = set(zf.namelist())
        config = json.loads(zf.read("otter_config.json"))
        entry = zf.read("run_otter.py").decode()
        setup = zf.read("setup.sh").decode()
    assert "kit/autograder/pipelines/otter.py" in names
    assert f"kit/assignments/{pc.ASSIGNMENT}/tests/test_public.py" in names
    assert any(n.startswith(f"kit/solutions/{pc.ASSIGNMENT}/") for n in names)
    [plugin] = [p["autograder.pipelines.otter.RnnkitPlugin"] for p in config["plugins"]]
    expected: dict[str, list[str]] = {}
    for test in collect_tests(pc.ASSIGNMENT):  # one otter test case per grading test, in order
        expected.setdefault(test.question, []).append(test.name)
    assert plugin == {"assignment": pc.ASSIGNMENT, "tests": expected}
    assert "sys.path.insert(0" in entry and entry.index("sys.path.insert") < entry.index(
        "from otter"
    )
    assert setup.rstrip().endswith(
        "chmod -R o+rX /root/miniforge3"
    )  # the worker (nobody) runs otter's Python


def test_otter_gives_the_engine_grades_question_by_question(graded):
    _, _, engine = pc.demo_class()
    assert set(graded) == set(engine)
    for student, data in graded.items():
        expected = pc.auto_questions(engine[student])
        if (
            "error" in data
        ):  # otter refused the file (e.g. not a notebook): the engine must give nothing
            assert sum(expected.values()) == 0, (
                f"{student}: otter failed but the engine gave points\n{data['error']}"
            )
            continue
        got = question_scores(data)
        assert {q: got.get(q, 0.0) for q in expected} == expected, (
            f"{student}: otter {got}, engine {expected}"
        )
        assert "rnnkit corrected" not in data["_rnnkit"]["log"], data["_rnnkit"]["log"]


def test_reference_full_marks_template_zero(graded):
    full = {q.id: q.points for q in load_assignment(pc.ASSIGNMENT).questions if not q.manual}
    assert question_scores(graded["reference"]) == full
    assert question_scores(graded["template"]) == {q: 0.0 for q in full}


def test_cheater_gets_no_more_than_the_engine(graded):
    _, marker, engine = pc.demo_class()
    got = sum(question_scores(graded["cheater"]).values())
    assert got <= sum(pc.auto_questions(engine["cheater"]).values())
    assert not marker.exists(), "student code ran in otter's kernel"


def test_otter_run_is_bounded_in_time(built, tmp_path):
    start = time.perf_counter()
    with pytest.raises(OtterRunError, match="stopped after 2 s"):
        run_submission(
            built / f"{pc.ASSIGNMENT}-autograder.zip",
            pc.demo_class()[0] / "reference.ipynb",
            tmp_path,
            timeout=2,
            otter=str(pc.PIPELINES_BIN / "otter"),
        )
    assert time.perf_counter() - start < 30
