"""One entry point for staff: `python -m autograder --help` lists every command, with examples."""

import subprocess
import sys

import pytest

from autograder.__main__ import main

COMMANDS = (
    "grade",
    "check",
    "validity",
    "bench",
    "bench-check",
    "calibrate",
    "pipeline",
    "student",
    "reference",
    "export",
    "manual",
    "data",
)


def test_help_lists_every_command_with_examples():
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0
    listed = done.stdout.split("examples")[0]
    assert all(f"    {name} " in listed for name in COMMANDS), done.stdout
    examples = done.stdout.split("examples")[1]
    assert all(
        f"autograder {name}" in examples
        for name in ("grade", "check", "validity", "bench", "pipeline")
    )
    assert "serve" not in done.stdout  # the notebook's checking process is not a command for people


def test_forwarded_commands_reach_their_own_parsers(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["validity", "--help"])
    assert stop.value.code == 0 and "--past-only" in capsys.readouterr().out
    assert main(["pipeline", "nowhere"]) == 2
