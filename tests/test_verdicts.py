"""Rules on how code is written, decided in the grader: the source scan, the verdict, and what a
question held for review becomes in the score, the TA's manual grades and the export."""

from __future__ import annotations

import textwrap

import pytest

from autograder.assignments import Question
from autograder.compare import NeedsReview, Wrong
from autograder.feedback import feedback_markdown
from autograder.graded import InputError, load_graded
from autograder.manual import merge_manual_grades
from autograder.report import write_gradebook, write_submission
from autograder.results import LoadResult, Message, Outcome, Status, Submission, TestResult
from autograder.score import score
from autograder.source import (
    AUTOGRAD,
    CONCURRENCY,
    DYNAMIC,
    INTERNAL,
    MODULES,
    RECURRENT,
    TOP_LEVEL,
    SourceCode,
)
from autograder.verdicts import hand_written, verdict


def code(*cells: str) -> SourceCode:
    texts = [textwrap.dedent(c) for c in cells]
    return SourceCode(
        ("\n\n".join(texts),), tuple((f"cell {i}", t) for i, t in enumerate(texts, start=1))
    )


HONEST = """
import os
import torch
from torch import nn

os.environ["KMP_DUPLICATE_LIB_OK"] = "True"
torch.backends.cudnn.deterministic = True


class LSTM(nn.Module):
    def __init__(self, dim, latent):
        super().__init__()
        self.W = nn.Linear(dim + latent, 4 * latent)

    def gate(self, name):
        return getattr(self, "W_" + name, None)

    def one_step(self, x, state):
        h, c = state
        i, f, g, o = self.W(torch.cat([x, h], 1)).chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c
"""


def test_honest_code_has_no_finding_that_matters_and_its_comparisons_with_torch_stay_outside():
    source = code(
        HONEST,
        "reference = nn.LSTM(3, 5)\nx.backward()\n",
        "import sys\nCOLAB = 'google.colab' in sys.modules\n",
    )
    rule = verdict(source, "LSTM")
    assert rule.forbidden is None and rule.doubt is None
    kinds = {(f.kind, f.owner) for f in source.findings()}
    assert (RECURRENT, TOP_LEVEL) in kinds  # seen, but it is not the class's code
    assert verdict(source, "LSTM", forbid=(AUTOGRAD,)).forbidden is None


@pytest.mark.parametrize(
    "cheat, kind, text",
    [
        ("out = torch._VF.lstm_cell(x, s, w, u)", RECURRENT, "torch._VF.lstm_cell"),
        ("out = torch.ops.aten.lstm_cell(x, s, w, u)", RECURRENT, "torch.ops.aten.lstm_cell"),
        ("from torch import lstm_cell as step\nout = step(x, s, w, u)", RECURRENT, "step"),
        ("import torch.nn as tnn\nout = tnn.GRUCell(3, 4)", RECURRENT, "tnn.GRUCell"),
        ("ops = torch.ops.aten", INTERNAL, "torch.ops.aten"),
        ("import base64\nexec(base64.b64decode(b'eA=='))", DYNAMIC, "exec(...)"),
        ("f = getattr(torch, 'ls' + 'tm')", DYNAMIC, "getattr(torch, 'ls' + 'tm')"),
        ("import sys\nsys.modules['torch.nn'] = None", MODULES, "sys.modules['torch.nn']"),
        ("import sys\nsys.modules.update(torch=None)", MODULES, "sys.modules.update"),
        ("torch.tanh = lambda t: t", MODULES, "torch.tanh"),
        (
            "import threading\nthreading.Thread(target=print).start()",
            CONCURRENCY,
            "threading.Thread",
        ),
        ("g = torch.autograd.grad(y, x)", AUTOGRAD, "torch.autograd.grad"),
        ("y.backward()", AUTOGRAD, ".backward"),
    ],
)
def test_each_hiding_place_is_found_with_its_cell_and_line(cheat, kind, text):
    source = code("import torch\n", "x = 1\n" + cheat)
    found = [f for f in source.findings() if f.kind == kind]
    assert found and found[0].text == text and found[0].where.startswith("cell 2:")


def test_the_rule_follows_helpers_subclasses_and_patches_of_the_class():
    helper = (
        HONEST
        + "\ndef make(d, h):\n    return nn.LSTMCell(d, h)\n\nclass Model(LSTM):\n    def build(self):\n        self.c = make(3, 4)\n"
    )
    assert "nn.LSTMCell" in verdict(code(helper), "Model").forbidden
    patched = HONEST + "\nLSTM.one_step = lambda self, x, s: torch.lstm_cell(x, s, 0, 0)\n"
    assert "torch.lstm_cell" in verdict(code(patched), "LSTM").forbidden
    renamed = (
        HONEST
        + "\nclass Cellule(nn.LSTMCell):\n    pass\n\nclass Model(nn.Module):\n    def __init__(self):\n        self.c = Cellule(3, 4)\n"
    )
    assert "nn.LSTMCell" in verdict(code(renamed), "Model").forbidden


def test_doubts_count_inside_the_class_or_at_top_level_not_in_unrelated_functions():
    inside = (
        HONEST
        + "\nclass GRU(nn.Module):\n    def f(self):\n        return getattr(nn, 'GR' + 'UCell')\n"
    )
    assert verdict(code(inside), "GRU").doubt.text.startswith("getattr(nn")
    assert verdict(code(inside), "LSTM").doubt is None
    top = code(HONEST, "exec('def one_step(self, x, s): return x')")
    rule = verdict(top, "LSTM")
    assert (
        rule.forbidden is None and rule.doubt.text == "exec(...)" and rule.doubt.where == "cell 2:1"
    )
    with pytest.raises(NeedsReview) as held:
        rule.review_if_doubtful()
    assert held.value.message.as_dict() == {"construct": "exec(...)", "where": "cell 2:1"}


class FakeStudent:
    """Stands for the worker's answer about objects reachable from the model (procedures.torch_recurrent)."""

    def __init__(self, reached):
        self.reached = reached

    def call(self, name, *args):
        assert name == "@torch_recurrent"
        return self.reached


def test_what_the_instance_reaches_at_run_time_decides_before_the_source():
    with pytest.raises(Wrong) as wrong:
        hand_written(
            FakeStudent([["self.parts[0]", "nn.LSTMCell"]]),
            code(HONEST),
            "LSTM",
            object(),
            "tp4_wraps_torch_cell",
            field="found",
            cls="LSTM",
        )
    assert wrong.value.message.as_dict() == {"found": "nn.LSTMCell (self.parts[0])", "cls": "LSTM"}
    assert hand_written(FakeStudent([]), code(HONEST), "LSTM", object(), "k").forbidden is None


def test_the_worker_walk_finds_torch_cells_hidden_from_named_modules():
    import functools

    import torch
    from torch import nn

    from autograder.sandbox.procedures import torch_recurrent

    class Cellule(nn.GRUCell):
        pass

    class Plain(nn.Module):
        def __init__(self, hidden):
            super().__init__()
            self.__dict__["hidden"] = hidden  # not registered as a submodule

    assert torch_recurrent(Plain([nn.Linear(2, 2), {"k": nn.LSTM(2, 3)}])) == [
        ["self.hidden[1]['k']", "nn.LSTM"]
    ]
    assert torch_recurrent(Plain(Cellule(2, 3)))[0][1] == "nn.GRUCell (as Cellule)"
    assert torch_recurrent(Plain(functools.partial(torch.lstm_cell)))[0][1] == "torch.lstm_cell"
    cell = nn.RNNCell(2, 2)
    assert torch_recurrent(Plain(lambda x: cell(x)))[0][1] == "nn.RNNCell"
    assert torch_recurrent(Plain(nn.Linear(2, 2))) == []


# --- a question held for review ----------------------------------------------------------------------------

QUESTIONS = (Question("Q1", "Cellule", 3.0, False), Question("Q2", "Réponse écrite", 2.0, True))


def held_report(student="eve"):
    tests = (
        TestResult(
            "test_values",
            "Q1",
            0.0,
            2.0,
            Outcome.NEEDS_REVIEW,
            "hidden",
            Message.of("needs_review", construct="exec(...)", where="cell 4:2"),
        ),
        TestResult("test_shapes", "Q1", 1.0, 1.0, Outcome.PASSED, "public", None),
    )
    return score(
        "td3-elman",
        QUESTIONS,
        Submission(student, None, None, ()),
        LoadResult((), ()),
        tests,
        seconds=1.0,
    )


def test_a_test_in_review_holds_its_question_and_marks_the_submission():
    report = held_report()
    q1 = report.questions[0]
    assert q1.points == 1.0 and q1.review == "test_values" and report.status is Status.NEEDS_REVIEW
    assert (
        report.total == 1.0
    )  # the held test's 2 points are neither granted nor refused: a TA decides
    feedback = feedback_markdown(report)
    assert (
        "1 / 3 (à relire par l'équipe pédagogique)" in feedback
        and "exec(...)" in feedback
        and "cell 4:2" in feedback
    )


def test_the_ta_decides_a_held_question_through_manual_grades(tmp_path):
    out = tmp_path / "graded"
    reports = [held_report("eve"), held_report("finn")]
    for report in reports:
        write_submission(report, out)
    write_gradebook(reports, out)
    ta = tmp_path / "ta.csv"
    ta.write_text(
        "student,question,points,comment\neve,Q1,1,le pas est exécuté par exec\n", encoding="utf-8"
    )
    merge_manual_grades(out, ta)
    eve = load_graded(out).by_student()["eve"]
    assert (
        eve.questions[0].points == 1.0 and eve.status is Status.GRADED and eve.questions[0].comment
    )
    assert load_graded(out).by_student()["finn"].status is Status.NEEDS_REVIEW
    bad = tmp_path / "bad.csv"
    bad.write_text("student,question,points\neve,Q3,1\n", encoding="utf-8")
    with pytest.raises(InputError):
        merge_manual_grades(out, bad)
