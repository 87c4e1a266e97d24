"""A lab is a folder of ``assignments/``: the engine discovers it and names none; tests use one public API."""

import ast
import re
import sys

import pytest

from autograder import testing
from autograder.assignments import ASSIGNMENT_IDS, LAB_FILE, ROOT, lab_files, load_assignment
from autograder.messages import CATALOG
from autograder.sandbox.procedures import PROCEDURES

ENGINE = ROOT / "autograder"
LABS = ROOT / "assignments"
# The labs' ids and the engine modules that used to hold their parts (catalog_<lab>, sandbox/proc_<lab>,
# calibrate_<lab>): none may be named under autograder/, comments and docstrings included.
LAB_NAMES = re.compile(r"\b(td3|tp3|tp4)|(catalog|proc|calibrate)_(td3|tp3|tp4)", re.IGNORECASE)


def test_no_engine_file_names_a_lab():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted(ENGINE.rglob("*.py"))
        if "__pycache__" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LAB_NAMES.search(line)
    ]
    assert not found, (
        "the engine names a lab (move it to assignments/<id>/, or word it generically):\n"
        + "\n".join(found)
    )


def test_labs_are_the_folders_holding_an_assignment_toml():
    assert ASSIGNMENT_IDS == tuple(sorted(p.parent.name for p in LABS.glob(f"*/{LAB_FILE}")))
    assert set(ASSIGNMENT_IDS) == {
        p.name for p in LABS.iterdir() if p.is_dir()
    }  # no lab folder forgotten
    for assignment_id in ASSIGNMENT_IDS:
        assignment = load_assignment(assignment_id)
        assert assignment.title and assignment.module_order, assignment_id
        assert (LABS / assignment_id / "tests").is_dir() and (
            LABS / assignment_id / "README.md"
        ).is_file()


@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_each_labs_catalog_and_procedures_are_found(assignment_id):
    catalog = lab_files("catalog.py")[assignment_id]
    keys = ast.literal_eval(
        next(
            node.value
            for node in ast.parse(catalog.read_text(encoding="utf-8")).body
            if isinstance(node, ast.AnnAssign) and node.target.id == "CATALOG"
        )
    )
    assert set(keys) <= set(CATALOG)
    testing._procedures()
    from autograder.assignments import lab_procedures

    assert set(lab_procedures(assignment_id).PROCEDURES) <= set(PROCEDURES)


def test_lab_module_loads_a_labs_helper_once_under_a_lab_qualified_name(tmp_path):
    for lab in ("lab1-a", "lab2-b"):  # two labs, one helper name
        (tmp_path / lab / "tests").mkdir(parents=True)
        (tmp_path / lab / LAB_FILE).write_text('title = "x"\nmodules = ["x"]\n')
        (tmp_path / lab / "tests" / "checks.py").write_text(f"LAB = {lab!r}\n")
    one = testing.lab_module(str(tmp_path / "lab1-a" / "tests" / "test_x.py"), "checks")
    two = testing.lab_module(
        str(tmp_path / "lab2-b" / "calibrate.py"), "checks"
    )  # from the lab's folder too
    assert (one.LAB, two.LAB) == ("lab1-a", "lab2-b")
    assert one.__name__ == "rnnkit_lab_lab1_a_checks" and sys.modules[one.__name__] is one
    assert (
        testing.lab_module(str(tmp_path / "lab1-a" / "tests" / "test_y.py"), "checks") is one
    )  # cached
    with pytest.raises(ModuleNotFoundError):
        testing.lab_module(str(tmp_path / "lab1-a" / "tests" / "test_x.py"), "nothing")
    for name in (one.__name__, two.__name__):
        del sys.modules[name]


def test_the_worker_runtime_carries_every_labs_procedures_and_no_test(tmp_path):
    from autograder.forkserver import python_command

    python_command(tmp_path, "worker")
    runtime = {p.name for p in (tmp_path / "runtime" / "rnnkit_sandbox").iterdir()}
    labs = {f"lab_{i.replace('-', '_')}.py" for i in lab_files("procedures.py")}
    assert labs and labs <= runtime
    sandbox = {p.name for p in (ENGINE / "sandbox").glob("*.py")}
    assert (
        runtime == sandbox | labs
    )  # a copy of the runtime and the procedures, nothing else: no test, no answer


def _imported_from_testing(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module in (
            "autograder.testing",
            "rnnkit.testing",
        ):
            names |= {alias.name for alias in node.names}
    return names


def test_grading_tests_use_only_the_public_api_of_testing():
    used = {}
    for path in sorted(LABS.glob("*/**/*.py")):
        for name in _imported_from_testing(path):
            used.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert used, "no grading test imports autograder.testing?"
    outside = {name: files for name, files in used.items() if name not in testing.__all__}
    assert not outside, f"not in autograder.testing.__all__: {outside}"
    assert all(hasattr(testing, name) for name in testing.__all__)


def test_no_grading_test_pastes_a_module_loader():
    pasted = [
        str(p.relative_to(ROOT))
        for p in sorted(LABS.glob("*/tests/*.py"))
        if "spec_from_file_location" in p.read_text(encoding="utf-8")
    ]
    assert not pasted, f"use autograder.testing.lab_module: {pasted}"
