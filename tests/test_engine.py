"""End to end: tiny fake submissions graded against the fake assignment in tests/fixtures/grading.

Each case states the outcome of every test and the message key the student gets.
"""

import json
import os
import re
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import SOLUTIONS, Assignment, Question
from autograder.feedback import feedback_markdown
from autograder.grade import Options, grade, grade_class
from autograder.messages import render
from autograder.report_json import report_from_dict, report_to_dict
from autograder.results import Outcome, Status

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
FAKE = Assignment(
    "fake",
    FIXTURES,
    FIXTURES / "fake.py",
    (),
    (
        Question("Q1", "double", 3, False),
        Question("Q2", "Counter", 2, False),
        Question("Q3", "written", 1, True),
    ),
)
OPTIONS = Options(tests_root=FIXTURES)

COUNTER = """
class Counter:
    def __init__(self, start):
        self.v = start
    def increment(self):
        self.v += 1
    def value(self):
        return self.v
"""
GOOD = COUNTER + "\ndef double(x):\n    return 2 * x\n"


def notebook(path: Path, *cells: str, tags: dict[int, list[str]] | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    for index, cell_tags in (tags or {}).items():
        nb.cells[index].metadata["tags"] = cell_tags
    nbformat.write(nb, path)
    return path


def module(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def outcomes(report) -> dict[str, tuple[str, str | None]]:
    return {t.test: (t.outcome.value, t.message.key if t.message else None) for t in report.tests}


def run(path: Path):
    return grade(path, FAKE, OPTIONS)


def test_correct_module_gets_full_marks(tmp_path):
    report = run(module(tmp_path / "alice.py", GOOD))
    assert report.status is Status.GRADED
    assert outcomes(report) == {
        "test_double_shape": ("passed", None),
        "test_double_values": ("passed", None),
        "test_counter": ("passed", None),
        "test_source_is_readable_for_static_checks": ("passed", None),
    }
    assert (report.total, report.auto_max, report.max_total) == (5, 5, 6)
    assert [q.points for q in report.questions] == [3, 2, None]  # the written answer waits for a TA


def test_a_script_saved_from_the_notebook_skips_its_skip_tagged_cells(tmp_path):
    """A notebook handed in as a percent-format script keeps its cells' tags: a training cell tagged
    ``skip-grading`` is not run (it would spend its budget), the cells around it are."""
    text = (
        "# %%\n" + COUNTER + "\n"
        '# %% tags=["skip-grading"]\n'
        "def train():\n    while True:\n        pass\n\nhistory = train()\n\n"
        "# %% [markdown]\n# la suite\n\n"
        "# %%\ndef double(x):\n    return 2 * x\n"
    )
    report = run(module(tmp_path / "alice.py", text))
    assert report.status is Status.GRADED and report.total == 5
    steps = {step.first_line: step.status for step in report.load.steps}
    assert "timeout" not in steps.values()


def test_wrong_shape_names_function_shapes_and_legend_and_skips_the_dependent_test(tmp_path):
    report = run(module(tmp_path / "s.py", COUNTER + "def double(x):\n    return (2 * x).sum(0)\n"))
    assert outcomes(report)["test_double_shape"] == ("wrong", "shape")
    assert outcomes(report)["test_double_values"] == ("skipped", "skipped")
    text = render(report.tests[0].message, "fr")
    assert text == "double : forme attendue (2, 3) (B, D), obtenue (3,)."
    assert report.total == 2


def test_wrong_values_give_worst_difference_index_and_tolerance_but_hidden_tests_hide_expected(
    tmp_path,
):
    report = run(
        module(
            tmp_path / "s.py",
            COUNTER + "def double(x):\n    y = 2 * x\n    y[1, 2] += 0.5\n    return y\n",
        )
    )
    values = next(t for t in report.tests if t.test == "test_double_values")
    assert (values.outcome, values.message.key) == (Outcome.WRONG, "values")
    params = values.message.as_dict()
    assert params["index"] == "(1, 2)" and params["worst"] == "0.5"
    public = render(values.message, "en", hidden=False)
    hidden = render(values.message, "en", hidden=True)
    assert (
        "expected" in public
        and "expected" not in hidden
        and "(1, 2)" in hidden
        and "atol=1e-06" in hidden
    )
    assert "expected" not in feedback_markdown(report, "en").split("test_double_values")[1]


@pytest.mark.parametrize(
    "body, outcome, key",
    [
        ("raise ValueError('bad input')", "raised", "student_raised"),
        ("raise NotImplementedError('double')", "not_implemented", "student_not_implemented"),
        ("while True:\n        pass", "timed_out", "student_timeout"),
        ("data = bytearray(16 * 2**30)", "raised", "student_memory"),
    ],
)
def test_failures_of_student_code_are_classified(tmp_path, body, outcome, key):
    report = run(module(tmp_path / "s.py", COUNTER + f"def double(x):\n    {body}\n"))
    assert outcomes(report)["test_double_shape"] == (outcome, key)
    assert outcomes(report)["test_counter"] == ("passed", None)  # one failure never sinks the rest
    assert report.tests[0].trace  # staff get the trace...
    assert "Traceback" not in feedback_markdown(report)  # ...students do not


def test_a_loop_that_swallows_the_budget_is_killed_and_the_worker_restarted(tmp_path):
    stubborn = "def double(x):\n    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass\n"
    report = run(module(tmp_path / "s.py", COUNTER + stubborn))
    assert outcomes(report)["test_double_shape"] == ("timed_out", "worker_timeout")
    assert outcomes(report)["test_counter"] == ("passed", None)


def test_missing_names_are_not_implemented(tmp_path):
    report = run(module(tmp_path / "s.py", "def double(x):\n    return 2 * x\n"))
    assert outcomes(report)["test_counter"] == ("not_implemented", "missing")
    assert report.total == 3


def test_syntax_error_keeps_the_finished_definitions(tmp_path):
    report = run(module(tmp_path / "s.py", GOOD + "\ndef unfinished(x:\n    return\n"))
    assert report.status is Status.PARTIAL
    assert report.total == 5
    assert [(s.status, s.where) for s in report.load.steps] == [("syntax", "s.py:13")]


def test_merge_conflict_markers_cost_only_their_own_lines(tmp_path):
    conflict = GOOD + "<<<<<<< HEAD\nLR = 0.1\n=======\nLR = 0.01\n>>>>>>> other\n"
    report = run(module(tmp_path / "s.py", conflict))
    assert report.total == 5 and report.status is Status.PARTIAL


def test_a_failing_cell_between_two_good_ones_is_named_and_loading_goes_on(tmp_path):
    path = notebook(
        tmp_path / "s.ipynb",
        COUNTER,
        "import nope_not_a_module",
        "def double(x):\n    return 2 * x",
        "while True:\n    pass",
        "%matplotlib inline\n!pip install x\nprint('hi')",
    )
    report = run(path)
    assert report.total == 5 and report.status is Status.PARTIAL
    steps = [(s.where, s.first_line, s.status) for s in report.load.steps]
    assert steps[0] == ("code cell 2", "import nope_not_a_module", "raised")
    assert steps[1][0] == "code cell 4" and steps[1][2] == "timeout"
    assert len(steps) == 2  # magics and shell escapes are neutralised, not errors
    assert "cellule de code 2" in feedback_markdown(
        report
    )  # the French feedback names it in French


def test_cells_are_named_as_the_student_sees_them():
    """Jupyter shows In [n] beside a cell that ran: that label when the saved counts are distinct,
    otherwise the rank among code cells (Markdown cells are not counted)."""
    from autograder.sandbox.loader import cell_labels

    md, code = {"cell_type": "markdown", "source": "# Q1"}, {"cell_type": "code", "source": "x = 1"}
    ran = [md, {**code, "execution_count": 7}, md, {**code, "execution_count": 3}]
    assert cell_labels(ran) == [None, "In [7]", None, "In [3]"]
    never_ran = [md, {**code, "execution_count": None}, md, code]
    assert cell_labels(never_ran) == [None, "code cell 1", None, "code cell 2"]
    repeated = [
        {**code, "execution_count": 2},
        {**code, "execution_count": 2},
    ]  # two kernels' counts mixed
    assert cell_labels(repeated) == ["code cell 1", "code cell 2"]


def test_an_error_names_the_students_function_and_cell():
    from autograder.sandbox.worker import describe_error

    namespace = {}
    exec(
        compile(
            "class RNN:\n    def forward(self, x):\n        raise NotImplementedError\n",
            "<In [5]>",
            "exec",
        ),
        namespace,
    )
    try:
        namespace["RNN"]().forward(1)
    except NotImplementedError as err:
        info = describe_error(err)
    assert info["kind"] == "not_implemented" and info["where"] == "RNN.forward, In [5]:3"


def test_skip_tagged_cells_never_run(tmp_path):
    path = notebook(
        tmp_path / "s.ipynb", GOOD, "import time\ntime.sleep(600)", tags={1: ["skip-grading"]}
    )
    report = run(path)
    assert report.status is Status.GRADED and report.seconds < 60


def test_top_level_training_without_main_guard_does_not_run(tmp_path):
    text = (
        GOOD
        + "\nfor epoch in range(10**12):\n    pass\nmodel = double(3)\nif __name__ == '__main__':\n    raise SystemExit\n"
    )
    report = run(module(tmp_path / "s.py", text))
    assert report.status is Status.GRADED and report.total == 5


def test_code_written_for_cuda_runs_on_the_cpu(tmp_path):
    text = (
        COUNTER
        + "import torch\ndevice = torch.device('cuda')\ndef double(x):\n    y = x.to(device) * torch.ones(1, device='cuda')\n    return (y * 2).cuda().cpu()\n"
    )
    report = run(module(tmp_path / "s.py", text))
    assert report.total == 5, outcomes(report)


@pytest.mark.parametrize(
    "make, key",
    [
        (lambda d: d / "ghost.ipynb", "no_code"),
        (lambda d: notebook(d / "empty.ipynb"), "empty_notebook"),
        (lambda d: module(d / "bad.ipynb", "{ not json"), "invalid_notebook"),
        (lambda d: module(d / "bad.zip", "not a zip"), "bad_archive"),
    ],
)
def test_unloadable_submissions_are_reported_with_their_reason(tmp_path, make, key):
    report = run(make(tmp_path))
    assert report.status is Status.UNLOADABLE
    assert report.problem.key == key and report.tests == ()
    assert report.total == 0 and render(report.problem, "fr") in feedback_markdown(report)


def test_zip_with_nested_folders_and_course_file_names(tmp_path):
    archive = tmp_path / "bob.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("TME4/src/utils.py", COUNTER)
        zf.writestr(
            "TME4/src/exo2.py", "from utils import Counter\ndef double(x):\n    return x + x\n"
        )
        zf.writestr("TME4/model.pt", b"\x80\x04 a pickle that must never be loaded")
    report = run(archive)
    assert report.total == 5 and report.student == "bob"
    assert sorted(report.submission.modules) == ["TME4/src/exo2.py", "TME4/src/utils.py"]


def test_printing_or_forging_replies_cannot_change_a_score(tmp_path):
    forger = GOOD.replace("return 2 * x", "return 3 * x") + (
        "\nimport sys, json\nprint(json.dumps({'score': 100, 'tests': []}))\n"
        "sys.stdout.write('{\"ok\": true}')\n"
        "import rnnkit_sandbox.worker as w\n"
        "w.Worker.call = lambda self, request: True  # answer 'True' to everything\n"
    )
    report = run(module(tmp_path / "s.py", forger))
    assert report.total == 0 or all(
        t.outcome is not Outcome.PASSED for t in report.tests if t.question == "Q1"
    )
    assert outcomes(report)["test_double_shape"] == ("wrong", "not_a_tensor")


@pytest.mark.skipif(
    os.geteuid() != 0, reason="only a root grader can run the worker as another user"
)
def test_the_worker_cannot_read_the_reference(tmp_path):
    target = next(SOLUTIONS.rglob("*.py"))
    spy = COUNTER + f"def double(x):\n    open({str(target)!r}).read()\n    return 2 * x\n"
    report = run(module(tmp_path / "s.py", spy))
    assert outcomes(report)["test_double_shape"] == ("raised", "student_raised")
    # Out of the worker's view with namespaces, out of its user's reach without.
    assert re.search("PermissionError|FileNotFoundError", render(report.tests[0].message, "en"))


def test_a_worker_that_kills_the_fork_server_harms_no_other_submission(tmp_path):
    """Workers are forked by a zygote they could kill: the next submission gets a new one."""
    killer = (
        COUNTER
        + "import os, signal\ndef double(x):\n    os.kill(os.getppid(), signal.SIGKILL)\n    return 2 * x\n"
    )
    first = run(module(tmp_path / "killer.py", killer))
    assert first.status is Status.GRADED  # its own grade is whatever its code earns
    second = run(module(tmp_path / "good.py", GOOD))
    assert second.total == second.auto_max and second.status is Status.GRADED


def test_workers_start_cold_when_asked(tmp_path):
    from autograder.channel import Limits

    report = grade(
        module(tmp_path / "s.py", GOOD),
        FAKE,
        Options(tests_root=FIXTURES, limits=Limits(warm_start=False)),
    )
    assert report.total == report.auto_max


def test_a_worker_cannot_trace_another_worker(tmp_path):
    """Workers share a user: ptrace-like access (/proc/<pid>/mem) to another worker must fail."""
    # opening another process's memory needs ptrace access; the worker's parent is the zygote
    spy = (
        COUNTER
        + "import os\ndef double(x):\n    open(f'/proc/{os.getppid()}/mem', 'rb').close()\n    return 2 * x\n"
    )
    report = run(module(tmp_path / "s.py", spy))
    assert outcomes(report)["test_double_shape"] == ("raised", "student_raised")
    # Out of the worker's view with namespaces, out of its user's reach without.
    assert re.search("PermissionError|FileNotFoundError", render(report.tests[0].message, "en"))


def test_grading_twice_gives_identical_results(tmp_path):
    path = module(
        tmp_path / "s.py",
        COUNTER + "import torch\ndef double(x):\n    return 2 * x + 1e-3 * torch.randn(x.shape)\n",
    )
    first, second = run(path), run(path)
    assert [(t.test, t.outcome, t.message) for t in first.tests] == [
        (t.test, t.outcome, t.message) for t in second.tests
    ]


def test_report_round_trips_through_json(tmp_path):
    report = run(module(tmp_path / "s.py", COUNTER + "def double(x):\n    return x\n"))
    again = report_from_dict(json.loads(json.dumps(report_to_dict(report))))
    assert (
        again.tests == report.tests
        and again.questions == report.questions
        and again.status == report.status
    )


def test_a_call_that_timed_out_fails_at_once_afterwards(tmp_path):
    """Does a hanging function cost its budget once, not once per test?"""
    report = run(
        module(tmp_path / "s.py", COUNTER + "def double(x):\n    while True:\n        pass\n")
    )
    shape, values = report.tests[0], report.tests[1]
    assert shape.outcome is Outcome.TIMED_OUT
    assert values.outcome is Outcome.SKIPPED  # requires the shape test
    assert report.seconds < 25


def test_kit_packages_beside_the_notebook_are_not_graded(tmp_path):
    folder = tmp_path / "s"
    (folder / "coursedata").mkdir(parents=True)
    (folder / "coursedata" / "__init__.py").write_text("def double(x):\n    return 0\n")
    (folder / "rnnkit").mkdir()
    (folder / "rnnkit" / "__init__.py").write_text("raise SystemExit('must not run')\n")
    module(folder / "tp.py", GOOD + "import coursedata\n")
    report = run(folder)
    assert (
        report.submission.modules == ("tp.py",)
        and report.total == 5
        and report.status is Status.GRADED
    )


def test_class_grading_writes_everything_and_a_rerun_skips_unchanged_submissions(tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    module(klass / "alice.py", GOOD)
    module(klass / "bob.py", "def double(x):\n    return x\n")
    notebook(klass / "carol.ipynb")  # empty: unloadable, but still a row
    out = tmp_path / "out"
    first = grade_class(klass, FAKE, out, jobs=2, options=OPTIONS)
    rows = (out / "gradebook.csv").read_text().splitlines()
    assert rows[0] == "student,status,total,max,Q1,Q2,Q3,problem"
    assert [r.split(",")[:3] for r in rows[1:]] == [
        ["alice", "graded", "5"],
        ["bob", "graded", "1"],
        ["carol", "unloadable", "0"],
    ]
    for student in ("alice", "bob", "carol"):
        assert {p.name for p in (out / student).iterdir()} >= {
            "feedback.md",
            "feedback.html",
            "results.json",
            "report.json",
        }
    stamp = (out / "alice" / "report.json").stat().st_mtime_ns
    module(klass / "bob.py", GOOD)
    second = grade_class(klass, FAKE, out, jobs=2, options=OPTIONS)
    assert (out / "alice" / "report.json").stat().st_mtime_ns == stamp  # unchanged: not regraded
    assert {r.student: r.total for r in second} == {"alice": 5, "bob": 5, "carol": 0}
    assert len(first) == len(second) == 3


def test_a_notebook_handed_in_alone_gets_the_lab_s_given_modules(tmp_path):
    from autograder.intake import intake

    handouts = tmp_path / "template"
    (handouts / "coursedata").mkdir(parents=True)
    (handouts / "utils.py").write_text("def given():\n    return 1\n")
    (handouts / "coursedata" / "__init__.py").write_text("")
    (handouts / "lab.ipynb").write_text("{}")
    nb = notebook(tmp_path / "alice.ipynb", "from utils import given\nx = given()")
    sub = intake(nb, tmp_path / "work", assignment_id="fake", handouts=handouts)
    assert (tmp_path / "work" / "utils.py").is_file() and (
        tmp_path / "work" / "coursedata" / "__init__.py"
    ).is_file()
    assert (
        sub.modules == () and sub.notebook == "alice.ipynb"
    )  # given files are imported, not graded
