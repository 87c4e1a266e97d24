"""What grading tests import: the ``grade`` marker, the student-code fixture and the checks.

A grading test is a pytest function in ``assignments/<id>/tests/``::

    @grade("Q1", points=2, visibility="public", timeout=10)
    def test_one_step_shape(student):
        rnn = student.new("RNN", 3, 5, 4)
        expect_shape(rnn.one_step(torch.randn(2, 3), torch.zeros(2, 5)), (2, 5), "RNN.one_step", "(B, H)")

Tests talk to the submission only through ``student`` (a proxy to the sandboxed worker) and
compute expected values in the grader (``reference`` fixture, torch itself).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

from .assignments import LAB_FILE, lab_files, lab_key, lab_procedures, load_module
from .channel import Remote, Sandbox
from .compare import (
    Missing,
    NeedsReview,
    Wrong,
    describe,
    expect_close,
    expect_dtype,
    expect_shape,
    expect_tensor,
)
from .layouts import NoLayout, Reading, Readings, Target, find_readings
from .results import Message

# The public API for test authors: what a grading test may import from here (a kit test checks it).
__all__ = [
    "grade",
    "lab_module",
    "StudentCode",
    "Wrong",
    "Missing",
    "NeedsReview",
    "describe",
    "expect_close",
    "expect_dtype",
    "expect_shape",
    "expect_tensor",
    "Remote",
    "Target",
    "find_readings",
    "Readings",
    "Reading",
    "NoLayout",
]

VISIBILITIES = ("public", "hidden")


def grade(
    question: str,
    points: float,
    *,
    visibility: str = "hidden",
    timeout: float = 10.0,
    requires: tuple[str, ...] = (),
):
    """Mark a test as worth ``points`` of ``question``; ``requires`` names tests that must pass first."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}, not {visibility!r}")
    if points < 0:
        raise ValueError(f"points must be >= 0, not {points}")
    return pytest.mark.grade(
        question=question,
        points=float(points),
        visibility=visibility,
        timeout=float(timeout),
        requires=tuple(requires),
    )


def lab_module(near: str, name: str) -> ModuleType:
    """A lab's helper module (``<name>.py``: a check module, the public tests) for the file ``near``
    (a grading test's ``__file__``, or any file of the lab's folder): looked for beside ``near``, then
    in the lab's ``tests/``. Imported once, cached in ``sys.modules`` under a lab-qualified name, so two
    labs' helpers of the same name never mix and every test of a lab shares one copy::

        K = lab_module(__file__, "checks")  # the lab's tests/checks.py
    """
    here = Path(near).resolve().parent
    lab = next((folder for folder in (here, *here.parents) if (folder / LAB_FILE).is_file()), here)
    for folder in (here, lab / "tests"):
        if (folder / f"{name}.py").is_file():
            return load_module(folder / f"{name}.py", f"rnnkit_lab_{lab_key(lab.name)}_{name}")
    raise ModuleNotFoundError(f"no {name}.py beside {near} or in {lab / 'tests'}")


def _procedures() -> frozenset[str]:
    from .sandbox.procedures import PROCEDURES

    for assignment_id in lab_files("procedures.py"):
        lab_procedures(assignment_id)  # registers the lab's procedures (loaded once)
    return frozenset(PROCEDURES)


def seed_for(test_name: str) -> int:
    """A fixed seed per test, so grading the same submission twice gives the same result."""
    return zlib.crc32(test_name.encode()) & 0x7FFFFFFF


@dataclass(frozen=True)
class StudentCode:
    """The submission as a test sees it: names it defines, callable in the worker."""

    sandbox: Sandbox
    names: frozenset[str]
    timeout: float
    seed: int
    # The student's own name for a name the tests ask for and the submission lacks (a script's
    # ``generate`` for the notebook's ``generate_fixed``): tests go through it, and a test that then
    # fails is held for review rather than charged (the alias may be the wrong function).
    aliases: dict = field(default_factory=dict)
    used: dict = field(default_factory=dict, compare=False)  # {asked: alias} this test went through
    notes: list = field(
        default_factory=list, compare=False
    )  # what a passing test tells the student

    def note(self, key: str, **params) -> None:
        """Tell the student something even when the test passes (a convention adapted at no cost)."""
        self.notes.append(Message.of(key, **params))

    def adapted(self, model: Remote, name: str) -> None:
        """Note, in the student's terms, the conventions of ``model`` that were adapted at no cost."""
        met = self.conventions(model)
        what = []
        constructor = met.get("constructor")
        if constructor and not met.get("constructor_default", True):
            what.append(constructor)
        states = {"args": "h, c", "args_ch": "c, h", "list": "[h, c]", "pair": "(h, c)"}
        step = met.get("step", "")
        if step:
            method, _, form = step.partition(":")
            what.append(f"{name}.{method}(x, {states.get(form, 'h')})")
        required = met.get("forward_requires_state")
        if required:
            what.append(f"{name}.forward(x, {states.get(str(required), 'h')})")
        if what:
            self.note("conventions_adapted", what="; ".join(what))

    def has(self, name: str) -> bool:
        return name in self.names

    def _own(self, name: str) -> str:
        if name in self.names:
            return name
        alias = self.aliases.get(name)
        if alias in self.names:
            self.used[name] = alias
            return alias
        raise Missing(name)

    def call(self, name: str, *args, timeout: float | None = None, **kwargs):
        """Call a function (or class) the submission defines; ``Missing`` if it does not."""
        if not name.startswith("@"):
            name = self._own(name)
        if name.startswith("@") and name[1:] not in _procedures():
            # A test asking for a procedure the worker lacks is our fault, never the student's.
            raise LookupError(f"grading test bug: no worker procedure {name}")
        return self.sandbox.call(
            name, *args, timeout=timeout or self.timeout, seed=self.seed, **kwargs
        )

    def get(self, name: str) -> Remote:
        """The submission's object itself (a function, a class), as a handle to pass to procedures."""
        return self.sandbox.get(self._own(name))

    def new(self, name: str, *args, **kwargs) -> Remote:
        """Instantiate a class of the submission; the object stays in the worker."""
        obj = self.call(name, *args, keep=True, **kwargs)
        return obj

    def model(self, name: str, kind: str, **dims: int) -> Remote:
        """Build the submission's class ``name`` the way its constructor asks, driven by the kit's protocol.

        ``dims``: sizes by role (``dim``, ``latent``, ``output``); ``kind``: "rnn", "gru" (state h) or
        "lstm" (state (h, c)). The handle answers ``init_state``, ``one_step(x, state)``, ``hidden``,
        ``forward(x, state=None)`` (sequence-first) and ``decode`` whatever the student's conventions;
        ``conventions(model)`` says which were met (the test decides what they cost).
        """
        return self.call("@adapted_model", self.get(name), kind, dims, keep=True)

    def build(self, name: str, kind: str, **dims: int) -> Remote:
        """The submission's class ``name`` built the way its constructor asks (sizes by role), unwrapped."""
        return self.call("@construct", self.get(name), dims, kind, keep=True)

    def conventions(self, model: Remote) -> dict:
        """What the adapter had to do for this model (constructor call, batch-first, state form...)."""
        return self.call("@conventions", model)

    def method(self, obj: Remote, name: str, *args, timeout: float | None = None, **kwargs):
        return self.sandbox.call(
            {"handle": obj.handle, "attr": name},
            *args,
            timeout=timeout or self.timeout,
            seed=self.seed,
            **kwargs,
        )

    def parameters(self, module: Remote) -> dict:
        return self.call("@parameters", module)

    def set_parameters(self, module: Remote, values: dict) -> None:
        self.call("@set_parameters", module, values)
