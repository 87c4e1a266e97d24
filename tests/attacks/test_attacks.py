"""The kit's own attack suite: hostile hand-ins graded in one class run beside honest neighbours.

Each attacker's ``double(x)`` returns ``2 * x`` (worth Q1's two value points) only when its attack
worked, and ``x`` otherwise: its Q1 score tells whether the attack got through. Every honest
neighbour graded in the same run (after and alongside the attackers) must keep full marks, and
nothing an attacker started may outlive the run. Where the machine gives only the basic isolation
level (no bubblewrap), the attacks that level cannot stop are skipped with that reason.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from autograder import isolation
from autograder.assignments import ROOT
from autograder.channel import Limits
from autograder.grade import Options, grade_class
from autograder.report_json import student_folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_engine import COUNTER, FAKE, FIXTURES, GOOD  # noqa: E402

pytestmark = pytest.mark.slow  # tier (pytest.ini): left out of `make test-fast`

NAMESPACES = isolation.detect().level != "basic"
needs_namespaces = pytest.mark.skipif(not NAMESPACES, reason="basic isolation level (no bubblewrap): "
                                      "the README lists what it leaves open")
needs_root = pytest.mark.skipif(os.geteuid() != 0 or not NAMESPACES, reason="per-submission users and cgroups need root")
MARKER = "97531"  # the daemon's `sleep 97531`: found on the host after the run means it escaped
AUTO_MAX = 5.0  # Q1 (1 + 2) and Q2 (2): the fake assignment's automatic points
LIMITS = Limits(memory_bytes=3 * 2**30, scratch_bytes=256 * 2**20, processes=128, submission_seconds=60)


def attacker(body: str) -> str:
    """A module whose ``double`` runs ``body`` (which sets ``won``) and is right only if it won."""
    indented = "\n".join("    " + line for line in body.strip("\n").splitlines())
    return COUNTER + f"\ndef double(x):\n    won = False\n{indented}\n    return 2 * x if won else x\n"


def hidden_reads(class_folder: Path) -> str:
    targets = [ROOT / ".git" / "HEAD", ROOT / "validity", ROOT / "solutions", ROOT / "assignments",
               ROOT / "dist", ROOT / "autograder" / "grade.py", class_folder / "z_honest_1.py", class_folder]
    return f"""
import os
for target in {[str(t) for t in targets]!r}:
    try:
        if os.path.isdir(target):
            won = won or bool(os.listdir(target))
        else:
            won = won or bool(open(target, "rb").read(1))
    except OSError:
        pass
"""


PROC_SPY = """
import os
for pid in os.listdir("/proc"):
    try:
        words = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")
    except OSError:
        continue
    for word in words:
        if word.endswith(b"z_honest_1.py") or b"--submissions" in word:
            won = True
"""

DAEMON = f"""
import os, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        try:
            os.kill(-1, signal.SIGKILL)  # everything it may signal: in its namespace, only its own
        except OSError:
            pass
        os.execv("/bin/sleep", ["sleep", "{MARKER}"])
    os._exit(0)
time.sleep(0.5)
"""

FORK_BOMB = """
import subprocess
children = []
try:
    for _ in range(400):
        children.append(subprocess.Popen(["/bin/sleep", "30"]))
except OSError:
    pass
won = len(children) >= 300
"""

MEMORY = """
import os
pids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        import time
        block = b"\1" * (1600 * 2**20)  # 1.6 GiB each, written: 3.2 GiB against 3 GiB
        time.sleep(2.0)  # held long enough to overlap with its sibling even on a loaded machine
        os._exit(0)
    pids.append(pid)
won = all(os.waitpid(pid, 0)[1] == 0 for pid in pids)
"""

TMP_FILL = """
import os
written = 0
try:
    for i in range(10):
        with open(f"/tmp/fill-{i}", "wb") as handle:
            for _ in range(50):
                handle.write(b"x" * 2**20)
                written += 2**20
except OSError:
    pass
won = written > 300 * 2**20  # the scratch space is 256 MiB
"""

FORGED_FRAME = """
import os, stat, struct
for fd in range(3, 64):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode) and os.get_blocking(fd) is not None:
            os.write(fd, struct.pack(">Q", 12) + b"not a reply!")
    except OSError:
        pass
"""


def network(port: int) -> str:
    return f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
    won = True
except OSError:
    pass
"""


def notebook(path: Path, *cells, source_null: bool = False, outputs_bytes: int = 0) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    if outputs_bytes:
        nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * outputs_bytes)]
    data = nbformat.writes(nb)
    if source_null:
        raw = json.loads(data)
        raw["cells"].append({"cell_type": "code", "source": None, "metadata": {}, "outputs": [], "execution_count": None})
        data = json.dumps(raw)
    path.write_text(data, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def listener():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    accepted: list = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def class_run(tmp_path_factory, listener):
    """One class: attackers first (sorted names), honest students after and beside them."""
    port, accepted = listener
    folder = tmp_path_factory.mktemp("class")
    entries = {
        "a_hidden_reads.py": attacker(hidden_reads(folder)),
        "a_proc_spy.py": attacker(PROC_SPY),
        "a_daemon.py": attacker(DAEMON),
        "a_fork_bomb.py": attacker(FORK_BOMB),
        "a_memory.py": attacker(MEMORY),
        "a_tmp_fill.py": attacker(TMP_FILL),
        "a_forged_frame.py": attacker(FORGED_FRAME),
        "a_network.py": attacker(network(port)),
        "jo ann.py": GOOD,
        "jo_ann.py": GOOD,
        "=HYPERLINK(1).py": GOOD,
    }
    for name, text in entries.items():
        (folder / name).write_text(text, encoding="utf-8")
    for index in range(1, 4):
        (folder / f"z_honest_{index}.py").write_text(GOOD, encoding="utf-8")
    # Malformed hand-ins: none may stop the run.
    (folder / "m_nested.ipynb").write_text("[" * 200000 + "]" * 200000)
    notebook(folder / "m_null_source.ipynb", GOOD, source_null=True)
    odd = folder / "m_odd_names"
    odd.mkdir()
    (odd / "solution.py").write_text(GOOD)
    with open(os.fsencode(odd) + b"/caf\xe9.py", "wb") as handle:  # Latin-1 bytes: not UTF-8
        handle.write(b"x = 1\n")
    big = folder / "m_big_outputs"
    big.mkdir()
    notebook(big / "work.ipynb", GOOD, outputs_bytes=6 * 2**20)
    notebook(folder / "m_deep_cell.ipynb", GOOD, "y = " + "(" * 5000 + "1" + ")" * 5000)
    notebook(folder / "a_alarm.ipynb", GOOD, "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                                             "while True:\n    pass", "z = 3")
    out = tmp_path_factory.mktemp("graded")
    reports = grade_class(folder, FAKE, out, jobs=2, options=Options(tests_root=FIXTURES, limits=LIMITS))
    return {r.student: r for r in reports}, out, accepted


def q1(report) -> float:
    return next(q.points for q in report.questions if q.question == "Q1")


def test_every_entry_gets_a_report_and_honest_neighbours_keep_their_grade(class_run):
    reports, out, _ = class_run
    assert len(reports) == 20
    rows = list(csv.reader((out / "gradebook.csv").open(encoding="utf-8")))
    assert len(rows) == 1 + len(reports)
    for name in ("z_honest_1", "z_honest_2", "z_honest_3", "jo ann", "jo_ann", "=HYPERLINK(1)"):
        assert reports[name].total == AUTO_MAX, (name, reports[name].tests)


@needs_namespaces
@pytest.mark.parametrize("name", ["a_hidden_reads", "a_proc_spy", "a_daemon", "a_fork_bomb", "a_tmp_fill", "a_network"])
def test_the_attack_is_defeated(class_run, name):
    reports, _, _ = class_run
    assert q1(reports[name]) <= 1.0, reports[name].tests  # shape point only: its `double` never won


@needs_root
def test_memory_is_limited_per_submission_not_per_process(class_run):
    reports, _, _ = class_run
    assert q1(reports["a_memory"]) <= 1.0, reports["a_memory"].tests


def test_nothing_an_attacker_started_outlives_the_run(class_run):
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if words[:2] == [b"sleep", MARKER.encode()] or words[:2] == [b"/bin/sleep", b"30"]:
            left.append(pid)
    if not NAMESPACES:
        pytest.skip("basic isolation level: a double fork escapes the process group")
    assert not left


@needs_namespaces
def test_the_network_is_out_of_reach(class_run):
    _, _, accepted = class_run
    assert not accepted


def test_forged_frames_are_the_students_error_not_ours(class_run):
    reports, _, _ = class_run
    report = reports["a_forged_frame"]
    assert report.status.value != "grader_error", report.tests
    assert all(t.outcome.value != "grader_error" for t in report.tests)
    assert q1(report) <= 1.0


def test_malformed_hand_ins_cost_only_what_is_malformed(class_run):
    reports, _, _ = class_run
    assert reports["m_nested"].status.value == "unloadable"
    assert reports["m_null_source"].total == AUTO_MAX
    assert reports["m_odd_names"].total == AUTO_MAX
    assert reports["m_big_outputs"].total == AUTO_MAX  # outputs are not code: the notebook is graded
    deep = reports["m_deep_cell"]
    assert deep.total == AUTO_MAX and deep.status.value == "partial"  # that one cell fails, alone


def test_a_cell_that_ignores_its_alarm_is_stopped_from_outside_and_costs_only_itself(class_run):
    reports, _, _ = class_run
    report = reports["a_alarm"]
    assert report.total == AUTO_MAX and report.status.value == "partial", report.load.steps
    (stopped,) = [s for s in report.load.steps if s.status == "timeout"]
    assert stopped.where == "code cell 2"
    assert report.seconds < 45  # its 10 s budget, the grace, and one reload without it


def test_names_never_share_a_folder_nor_become_formulas(class_run):
    reports, out, _ = class_run
    assert student_folder(out, "jo ann") != student_folder(out, "jo_ann")
    for name in ("jo ann", "jo_ann"):
        saved = json.loads((student_folder(out, name) / "report.json").read_text(encoding="utf-8"))
        assert saved["student"] == name
    text = (out / "gradebook.csv").read_text(encoding="utf-8")
    assert "\n'=HYPERLINK(1)," in text and "\n=HYPERLINK" not in text


@needs_namespaces
def test_the_worker_sees_only_the_allow_list(tmp_path):
    """Walk everything the worker can reach: nothing outside Python, the system libraries, the
    sandbox runtime and its own copy. The allow-listed Python installs (90,000 files, most of the
    walk's time) are not descended: what they hold is not in question, what lies beside them is."""
    from autograder.channel import Sandbox

    (tmp_path / "mine.py").write_text("x = 1\n")
    allowed = [Path("/usr"), Path("/etc"), *isolation.python_paths(), Path(isolation.WORK), Path("/tmp")]
    with Sandbox(tmp_path, Limits(warm_start=False)) as sandbox:
        sandbox.start()
        prune = ("/usr", *(str(p) for p in isolation.python_paths()))
        facts = sandbox.call("@isolation_facts", walk=True, prune=prune, timeout=120)
        runtime = str(sandbox.zygote.root / "runtime")
    files = [Path(f) for f in facts["files"]]
    outside = [f for f in files if not any(f.is_relative_to(a) for a in allowed) and not str(f).startswith(runtime)]
    assert outside == [], outside[:20]
    assert Path(isolation.WORK, "mine.py") in files
    assert not any(f.is_relative_to(ROOT) and not any(f.is_relative_to(p) for p in isolation.python_paths())
                   for f in files)
    assert facts["pid"] == 1 and not facts["inet_socket"]
    if os.geteuid() == 0:
        assert facts["uid"] >= isolation.UID_BASE


def test_a_class_run_stops_at_once_when_workers_cannot_start(tmp_path, monkeypatch):
    """A broken environment is reported once, with the cause, and writes no student result."""
    env = {**os.environ, "PATH": os.environ.get("PATH", "")}
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "alice.py").write_text(GOOD)
    script = ("import sys, autograder.forkserver as f\n"
              "f.python_command = lambda *a, **k: ['/nonexistent/python']\n"
              "from autograder.cli_grade import grade_command\n"
              f"sys.exit(grade_command('td3-elman', __import__('pathlib').Path({str(tmp_path / 'class')!r}), "
              f"__import__('pathlib').Path({str(tmp_path / 'out')!r}), 1, 'fr'))\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 3, run.stderr[-2000:]
    assert "Grading cannot start" in run.stderr and "Isolation level" in run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


BASIC_AS_ROOT = ("setpriv", "--bounding-set", "-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,"
                 "+setpcap", "--")  # Docker-like: no CAP_SYS_ADMIN, so neither bubblewrap nor unshare


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="the basic level as root")
def test_at_the_basic_level_nobody_imports_from_a_python_private_to_root(tmp_path):
    """Python under a 0700 folder (root's home, a clone in `mktemp -d`): the worker, as nobody,
    still imports what torch loads lazily, and still cannot read the kit."""
    (tmp_path / "mine.py").write_text(
        "import torch.fx.experimental.symbolic_shapes as lazy\n"
        "def facts():\n    import os\n    try:\n"
        f"        open({str(ROOT / 'README.md')!r}).read()\n        kit = True\n"
        "    except OSError:\n        kit = False\n    return [os.getuid(), lazy.__name__, kit]\n")
    script = ("import json, sys\nfrom pathlib import Path\nfrom autograder import isolation\n"
              "from autograder.channel import Limits, Sandbox\n"
              f"with Sandbox(Path({str(tmp_path)!r}), Limits(warm_start=False)) as box:\n"
              "    box.start()\n    report = box.load(None, ['mine.py'], 30.0, False)\n"
              "    print(json.dumps([isolation.detect().level, isolation.worker_python(), box.call('facts'), report]))\n")
    run = subprocess.run([*BASIC_AS_ROOT, sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    level, python, facts, report = json.loads(run.stdout.splitlines()[-1])
    assert level == "basic"
    assert facts[:2] == [isolation.UNPRIVILEGED, "torch.fx.experimental.symbolic_shapes"], (facts, report)
    if not all(os.stat(p).st_mode & 0o001 for p in [ROOT, *ROOT.parents]):
        assert facts[2] is False  # a 0700 clone: the README is out of nobody's reach
    assert all(os.stat(p).st_mode & 0o001 for p in [Path(python).parent, *Path(python).parents])
