"""``make bench``: grade a generated class and print per-submission time and class throughput.

The class cycles through the demo submissions (reference, untouched template and the broken
ones), so the figures include crashes, timeouts and partial loads, as a real class would.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from .assignments import ASSIGNMENT_IDS, bench_default, load_assignment
from .channel import Limits
from .cli_grade import demo_submissions
from .grade import Options, grade_class


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.bench")
    parser.add_argument("--assignment", choices=ASSIGNMENT_IDS, default=bench_default())
    parser.add_argument("-n", type=int, default=30, help="class size (default 30)")
    parser.add_argument(
        "--jobs", type=int, default=None, help="parallel submissions (default: cores)"
    )
    parser.add_argument(
        "--cold", action="store_true", help="start every worker as a new process (no fork server)"
    )
    args = parser.parse_args(argv)
    options = Options(limits=Limits(warm_start=not args.cold))
    with tempfile.TemporaryDirectory(prefix="rnnkit-bench-") as tmp:
        demo = demo_submissions(args.assignment, Path(tmp) / "demo")
        kinds = sorted(demo.iterdir())
        klass = Path(tmp) / "class"
        klass.mkdir()
        for i in range(args.n):
            source = kinds[i % len(kinds)]
            target = klass / f"student{i + 1:03d}-{source.stem}"
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                target.mkdir()
                shutil.copyfile(source, target / source.name)
        start = time.perf_counter()
        reports = grade_class(
            klass,
            load_assignment(args.assignment),
            Path(tmp) / "out",
            jobs=args.jobs,
            options=options,
        )
        wall = time.perf_counter() - start
    times = sorted(r.seconds for r in reports)
    jobs = args.jobs or os.cpu_count()
    start_mode = "cold workers" if args.cold else "workers forked by the zygote"
    print(
        f"{args.assignment}: {len(reports)} submissions, {jobs} parallel jobs on {os.cpu_count()} cores, {start_mode}"
    )
    print(f"per submission: median {statistics.median(times):.1f} s, max {times[-1]:.1f} s")
    print(f"class: {wall:.1f} s wall, {60 * len(reports) / wall:.1f} submissions/minute")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
