"""``make bench-check``: how long a student waits for ``check("Qn")`` in a lab folder.

Builds the lab's student folder with the reference's answers in it, then, from a process that plays
the notebook's kernel (using the folder's own ``rnnkit`` package, as a student does), times the first
check (the checking process starts and imports torch) and then ``-n`` checks cycling over the
questions, each after touching the notebook as a save does. Targets (issue 13): median warm ≤ 1.5 s,
first call ≤ 5 s, on a quiet 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .assignments import ASSIGNMENT_IDS, bench_default, load_assignment
from .build import build_reference, build_template

KERNEL = """
import json, os, statistics, sys, time
sys.path.insert(0, os.getcwd())
from rnnkit.checking import _Server
notebook, questions, n = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
server = _Server()
start = time.perf_counter()
first = server.ask({"op": "check", "notebook": notebook, "questions": [questions[0]]})
first_s = time.perf_counter() - start
warm = []
for i in range(n):
    os.utime(notebook)  # a save between two checks
    start = time.perf_counter()
    reply = server.ask({"op": "check", "notebook": notebook, "questions": [questions[i % len(questions)]]})
    warm.append(time.perf_counter() - start)
    if reply["passed"] != reply["tests"]:
        raise SystemExit(f"the reference failed a public test: {reply['text']}")
server.close()
print(json.dumps({"first": first_s, "median": statistics.median(warm), "max": max(warm), "n": n}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.bench_check")
    parser.add_argument("--assignment", choices=ASSIGNMENT_IDS, default=bench_default())
    parser.add_argument("-n", type=int, default=20, help="warm checks (default 20)")
    args = parser.parse_args(argv)
    assignment = load_assignment(args.assignment)
    questions = [q.id for q in assignment.questions if not q.manual]
    with tempfile.TemporaryDirectory(prefix="rnnkit-bench-check-") as tmp:
        folder, reference = Path(tmp) / "etudiant", Path(tmp) / "reference"
        build_template(assignment, folder)
        build_reference(assignment, reference)
        for path in [
            reference / f"{assignment.id}.ipynb",
            *(reference / m.name for m in assignment.modules),
        ]:
            (folder / path.name).write_bytes(path.read_bytes())
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                KERNEL,
                str(folder / f"{assignment.id}.ipynb"),
                ",".join(questions),
                str(args.n),
            ],
            cwd=folder,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        print(done.stdout + done.stderr, file=sys.stderr)
        return 1
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{args.assignment}: first check {figures['first']:.2f} s (target 5 s); warm checks over "
        f"{figures['n']} calls: median {figures['median']:.2f} s (target 1.5 s), max {figures['max']:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
