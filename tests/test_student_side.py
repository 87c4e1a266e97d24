"""The student's side: the package a lab folder ships, its command line, check() and submit(), the
portable path (no fork, no Unix sockets, no resource, no SIGALRM) and check() in a real kernel."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import load_assignment
from autograder.build import build_reference, build_template
from autograder.checking import _Server

pytestmark = pytest.mark.slow  # tier (pytest.ini): left out of `make test-fast`

ROOT = Path(__file__).resolve().parent.parent
LAB = "tp4-lstm"
# What makes the current platform look like Windows to the kit, before anything of it is imported.
WITHOUT_POSIX = textwrap.dedent("""
    import os, signal, socket, sys
    sys.modules["resource"] = None
    for module, names in ((signal, ("SIGALRM", "setitimer", "ITIMER_REAL")), (socket, ("AF_UNIX", "send_fds")),
                          (os, ("fork",))):
        for name in names:
            if hasattr(module, name):
                delattr(module, name)
""")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A student's folder as handed out (built from the single source), and the reference beside it."""
    root = tmp_path_factory.mktemp("student")
    build_template(load_assignment(LAB), root / "etudiant")
    build_reference(load_assignment(LAB), root / "reference")
    return root


def student_folder(lab: Path, tmp_path: Path, *from_reference: str) -> Path:
    folder = tmp_path / "TP4"
    shutil.copytree(lab / "etudiant", folder)
    for name in from_reference:
        shutil.copyfile(lab / "reference" / name, folder / name)
    return folder


def rnnkit(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m rnnkit ...`` in ``folder``, as a student types it."""
    command = [sys.executable, "-m", "rnnkit", *args]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RNNKIT_PORTABLE")}
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300, env=env)


def test_the_package_ships_only_what_this_labs_check_needs(lab):
    package = lab / "etudiant" / "rnnkit"
    names = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    assert {"checking.py", "check_server.py", "grade.py", "sandbox/worker.py"} <= names
    # the lab's own folder: its description, messages, procedures and public tests
    lab_files = {
        p.relative_to(package / "public_tests").as_posix()
        for p in (package / "public_tests").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert lab_files == {
        f"{LAB}/{n}"
        for n in ("assignment.toml", "catalog.py", "procedures.py", "tests/test_public.py")
    }
    staff = {
        "build.py",
        "validity.py",
        "validity_bank.py",
        "validity_run.py",
        "validity_past.py",
        "export.py",
        "manual.py",
        "cli_grade.py",
        "reference.py",
        "bench.py",
    }
    assert not names & staff and not any(
        n.startswith(("pipelines/", "calibrate", "coursedata/")) for n in names
    )
    tests = {p.name for p in (package / "public_tests").rglob("tests/*.py")}
    assert tests == {"test_public.py"}  # hidden tests and check modules never ship
    requirements = (lab / "etudiant" / "requirements.txt").read_text()
    assert "torch==2.13.0" in requirements and "+cpu" not in requirements
    first = nbformat.read(lab / "etudiant" / f"{LAB}.ipynb", as_version=4).cells
    assert (
        "tp4-lstm-rendu.zip" in first[0].source
        and "`generate.py` et `textloader.py`" in first[0].source
    )
    assert "requirements.txt" in first[0].source and first[0].source.startswith("# TP 4")
    assert first[-1].source.endswith("submit()") and "skip-grading" in first[-1].metadata["tags"]


def test_the_package_imports_nothing_its_requirements_do_not_declare(lab):
    """A student installs requirements.txt and nothing else (tried once in a fresh venv holding only those:
    check and submit ran). Every module-level import of the package, and every import of the student's
    entry points, must come from it or the standard library (imports inside other functions serve staff
    paths: rich for the class table, jupytext for .py sources)."""
    import ast
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    declared = {
        line.split("==")[0].lower()
        for line in (lab / "etudiant" / "requirements.txt").read_text().splitlines()
        if "==" in line
    }
    entries = {"__init__.py", "__main__.py", "checking.py", "check_server.py"}
    ours = {
        "rnnkit",
        "rnnkit_sandbox",
        "coursedata",
        "IPython",
    }  # IPython: only inside a running notebook
    seen = set()
    package = lab / "etudiant" / "rnnkit"
    for path in package.rglob("*.py"):
        if "handout" in path.relative_to(package).parts:
            continue  # the lab's own files, shipped as data
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree) if path.name in entries else tree.body:
            if isinstance(node, ast.Import):
                seen |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                seen.add(node.module.split(".")[0])
    third_party = {name for name in seen - ours if name not in sys.stdlib_module_names}
    needed = {dist.lower() for name in third_party for dist in distributions.get(name, [name])}
    assert {"torch", "pytest", "jinja2", "markdown-it-py"} <= needed <= declared, needed - declared


def test_the_student_command_line_offers_check_and_submit_only(lab):
    done = rnnkit(lab / "etudiant", "--help")
    assert done.returncode == 0
    assert "check" in done.stdout and "submit" in done.stdout
    assert not any(word in done.stdout for word in ("grade", "export", "manual", "reference"))


def test_check_reads_the_modules_beside_the_notebook_and_fails_with_a_failing_test(lab, tmp_path):
    untouched = rnnkit(student_folder(lab, tmp_path / "a"), "check", "--question", "Q1")
    assert untouched.returncode == 1, untouched.stderr
    assert "non implémenté" in untouched.stdout and "pad_collate_fn" in untouched.stdout
    folder = student_folder(lab, tmp_path / "b", "textloader.py")
    done = rnnkit(folder, "check", "--question", "Q1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Tests publics : 1/1 réussis")
    staff = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "check",
            LAB,
            str(folder / f"{LAB}.ipynb"),
            "--question",
            "Q1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert staff.returncode == 0 and staff.stdout.startswith("Tests publics : 1/1 réussis"), (
        staff.stdout
    )


def test_check_grades_the_notebook_it_is_given(lab, tmp_path):
    folder = student_folder(lab, tmp_path, "textloader.py", "generate.py")
    shutil.copyfile(
        lab / "reference" / f"{LAB}.ipynb", folder / "TP4_Dupont.ipynb"
    )  # beside the untouched original
    done = rnnkit(folder, "check", "TP4_Dupont.ipynb", "--question", "Q5a")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "TP4_Dupont.ipynb" in done.stdout  # the note says which notebook was graded
    original = rnnkit(folder, "check", f"{LAB}.ipynb", "--question", "Q5a")
    assert original.returncode == 1


def test_submit_builds_the_handin_and_warns_about_untouched_modules(lab, tmp_path):
    folder = student_folder(lab, tmp_path, f"{LAB}.ipynb", "textloader.py")
    done = rnnkit(folder, "submit")
    archive = folder / f"{LAB}-rendu.zip"
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == sorted([f"{LAB}.ipynb", "textloader.py", "generate.py"])
    assert "generate.py est encore tel qu'il a été distribué" in done.stdout
    assert "textloader.py est encore" not in done.stdout
    assert done.returncode == 1  # generate.py's public tests fail


def test_check_runs_without_fork_unix_sockets_resource_or_sigalrm(lab, tmp_path):
    """Windows' situation, made on Linux: the worker is a plain child on pipes, timed by threads and by
    the grader's deadline."""
    folder = student_folder(lab, tmp_path, "textloader.py")
    notebook = nbformat.read(folder / f"{LAB}.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell("while True:\n    pass")
    )  # a cell that never ends
    nbformat.write(notebook, folder / f"{LAB}.ipynb")
    probe = WITHOUT_POSIX + textwrap.dedent("""
        import json, sys
        sys.path.insert(0, ".")
        from pathlib import Path
        from rnnkit import isolation
        from rnnkit.check_server import check_report
        report = check_report(Path("tp4-lstm.ipynb").resolve(), ("Q1",))
        print(json.dumps({"level": isolation.detect().level, "total": report.total,
                          "steps": [[s.where, s.status] for s in report.load.steps]}))
    """)
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=folder, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["level"] == "portable" and facts["total"] == 0.5
    assert [
        where for where, status in facts["steps"] if status == "timeout"
    ]  # the endless cell was stopped


def test_a_stubborn_loop_is_stopped_by_the_graders_deadline_on_the_portable_path(tmp_path):
    """A loop that swallows the worker's own interrupt: only killing the worker ends it."""
    script = WITHOUT_POSIX + textwrap.dedent(f"""
        import json, sys
        sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / "tests")!r}]
        from pathlib import Path
        from test_engine import COUNTER, FAKE, OPTIONS
        from autograder.grade import grade
        path = Path({str(tmp_path)!r}) / "s.py"
        path.write_text(COUNTER + "def double(x):\\n    while True:\\n        try:\\n            while True:\\n"
                        "                pass\\n        except BaseException:\\n            pass\\n")
        report = grade(path, FAKE, OPTIONS)
        print(json.dumps({{t.test: t.outcome.value for t in report.tests}}))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    outcomes = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcomes["test_double_shape"] == "timed_out" and outcomes["test_counter"] == "passed"


def test_one_checking_process_serves_every_check_and_sees_each_save(lab, tmp_path):
    folder = student_folder(lab, tmp_path)
    server = _Server()
    try:
        first = server.ask(
            {"op": "check", "notebook": str(folder / f"{LAB}.ipynb"), "questions": ["Q1"]}
        )
        pid = server.process.pid
        shutil.copyfile(
            lab / "reference" / "textloader.py", folder / "textloader.py"
        )  # the student saves
        second = server.ask(
            {"op": "check", "notebook": str(folder / f"{LAB}.ipynb"), "questions": ["Q1"]}
        )
        assert (first["passed"], second["passed"]) == (0, 1)
        assert server.process.pid == pid  # torch was imported once
        assert second["html"].startswith('<div class="rnnkit-check"') and "<li>" in second["html"]
    finally:
        server.close()


def test_check_in_a_real_kernel_shows_html_and_returns_nothing(lab, tmp_path):
    from nbclient import NotebookClient

    folder = student_folder(lab, tmp_path, "textloader.py")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["rnnkit"] = {"assignment": LAB}
    notebook.cells = [
        nbformat.v4.new_code_cell("answer = 42  # run, never saved in tp4-lstm.ipynb"),
        nbformat.v4.new_code_cell(
            "from rnnkit import check\ncheck('Q1', notebook='tp4-lstm.ipynb')"
        ),
    ]
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    outputs = notebook.cells[1].outputs
    assert [o.output_type for o in outputs] == ["display_data"], outputs  # no Out[...]: not a grade
    html = outputs[0].data["text/html"]
    assert "1/1 réussis" in html
    assert (
        "In [1]" in html and "Enregistrez" in html
    )  # the check reads the file: unsaved edits are named
