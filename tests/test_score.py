"""Score: points per question, the submission's status, and questions held for a TA when their graded
names are missing while related code is there (script-form hand-ins are never a silent zero)."""

from pathlib import Path

import pytest

from autograder.assignments import Question, load_assignment
from autograder.feedback import feedback_markdown
from autograder.report import write_gradebook
from autograder.results import LoadResult, Message, Outcome, Status, Submission, TestResult
from autograder.score import absent_names, score, template_definitions
from autograder.source import SourceCode

QUESTIONS = (
    Question("Q1", "RNN", 4.0, False),
    Question("Q2", "Classifier", 4.0, False),
    Question("Q3", "Forecast", 2.0, False),
    Question("Q4", "Written", 2.0, True),
)
TEMPLATE = {
    "RNN": "notebook",
    "classify": "notebook",
    "train_classifier": "notebook",
    "forecast": "notebook",
    "SampleMetroDataset": "utils",
    "device": "utils",
}


def missing(test, question, name):
    return TestResult(
        test,
        question,
        0.0,
        1.0,
        Outcome.NOT_IMPLEMENTED,
        "hidden",
        Message.of("missing", name=name),
    )


def stub(test, question, name):
    return TestResult(
        test,
        question,
        0.0,
        1.0,
        Outcome.NOT_IMPLEMENTED,
        "hidden",
        Message.of(
            "student_not_implemented", error=f"NotImplementedError: {name}", where="cell 3:4"
        ),
    )


def passed(test, question, points=1.0):
    return TestResult(test, question, points, points, Outcome.PASSED, "hidden", None)


def source(*parts):
    return SourceCode(tuple(text for _, text in parts), tuple(parts))


SCRIPTS = source(
    ("utils.py", "import torch\nclass RNN:\n    pass\nclass SampleMetroDataset:\n    pass\n"),
    (
        "exo2.py",
        "from utils import RNN\nPATH = '../data/'\ndef train_classifier_epoch(model):\n    pass\n"
        "for epoch in range(10):\n    train_classifier_epoch(None)\n",
    ),
    ("exo3.py", "model = None\nif __name__ == '__main__':\n    print('forecasting')\n"),
)
TESTS = (
    passed("test_rnn", "Q1", 4.0),
    missing("test_classify", "Q2", "classify"),
    TestResult(
        "test_classify_values",
        "Q2",
        0.0,
        2.0,
        Outcome.SKIPPED,
        "hidden",
        Message.of("skipped", reason=""),
    ),
    missing("test_forecast", "Q3", "forecast"),
)


def graded(tests, code, template=TEMPLATE):
    return score(
        "tp3-rnn",
        QUESTIONS,
        Submission("ana", None, None, ("utils.py", "exo2.py", "exo3.py")),
        LoadResult((), ()),
        tests,
        seconds=1.0,
        source=code,
        template=template,
    )


def test_missing_names_with_related_code_hold_the_question_with_what_was_found_where():
    report = graded(TESTS, SCRIPTS)
    q1, q2, q3, _ = report.questions
    assert report.status is Status.NEEDS_REVIEW and not q1.review and q1.points == 4
    # a similar name goes to its question alone; the rest (moved RNN, top-level code) to the others
    assert (q2.missing, q2.found) == ("classify", "def train_classifier_epoch (exo2.py:3)")
    assert q2.review == "test_classify" and q2.points == 0
    assert (
        q3.missing == "forecast" and "RNN" not in q3.found
    )  # moved, graded under Q1: named only if alone
    assert "`for epoch in range(10):` (exo2.py:5)" in q3.found
    assert "`if __name__ == '__main__':` (exo3.py:2)" in q3.found
    assert (
        "SampleMetroDataset" not in q3.found
    )  # a template name where the template has it: not related code
    feedback = feedback_markdown(report, "en")
    assert (
        "Q3: forecast not found under these names" in feedback
        and "grade the question by hand" in feedback
    )
    assert "0 / 2 (to be reviewed by the teaching staff)" in feedback


def test_a_template_class_moved_to_a_module_is_the_sign_of_a_script_hand_in():
    only_rnn = source(("utils.py", "import torch\nclass RNN:\n    pass\n"))
    report = graded(TESTS, only_rnn)
    assert [q.found for q in report.questions if q.found] == ["class RNN (utils.py:2)"] * 2


def test_nothing_related_leaves_a_silent_question_at_zero_as_it_is():
    only_template = source(("utils.py", "class SampleMetroDataset:\n    pass\ndevice = 'cpu'\n"))
    report = graded(TESTS, only_template)
    assert report.status is Status.GRADED and all(
        not q.review and not q.found for q in report.questions
    )


def test_stubs_are_held_only_for_a_similar_new_definition():
    tests = (
        passed("test_rnn", "Q1", 4.0),
        stub("test_classify", "Q2", "classify"),
        stub("test_forecast", "Q3", "forecast"),
    )
    helpers = source(
        ("cell 2", "def plot_losses(h):\n    pass\n"),
        ("cell 3", "def classify_v2(m, x):\n    return m(x)\n"),
    )
    report = graded(tests, helpers)
    assert [q.question for q in report.questions if q.found] == ["Q2"]
    assert report.questions[1].found == "def classify_v2 (cell 3)"
    assert absent_names(QUESTIONS, tests) == {
        "Q2": (("classify",), True),
        "Q3": (("forecast",), True),
    }


def test_without_a_template_nothing_is_held():
    report = score(
        "no-such-assignment",
        QUESTIONS,
        Submission("ana", None, None, ()),
        LoadResult((), ()),
        TESTS,
        seconds=1.0,
        source=SCRIPTS,
    )
    assert report.status is Status.GRADED and template_definitions("no-such-assignment") is None


def test_the_gradebook_reads_review_not_zero(tmp_path):
    rows = write_gradebook([graded(TESTS, SCRIPTS)], tmp_path).read_text().splitlines()
    assert rows[1].startswith(
        "ana,needs_review,4,12,4,review,review,,"
    )  # max: the assignment's total
    assert "to review: Q2, Q3 (names missing, related code found)" in rows[1]


def test_the_template_knows_where_its_names_are():
    names = template_definitions("tp3-rnn")
    assert (
        names["RNN"] == "notebook"
        and names["SampleMetroDataset"] == "utils"
        and names["classify"] == "notebook"
    )


# --- real gradings of tp3-rnn -------------------------------------------------------------------------------
def _grade(path):
    from autograder.grade import Options, grade

    return grade(path, load_assignment("tp3-rnn"), Options())


def test_a_script_hand_in_with_class_rnn_in_utils_gets_review_on_the_questions_it_lacks(tmp_path):
    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "utils.py").write_text(
        "import torch\nimport torch.nn as nn\n\n"
        "class RNN(nn.Module):\n"
        "    def __init__(self, dim, latent, output):\n"
        "        super().__init__()\n"
        "        self.i, self.h, self.d = nn.Linear(dim, latent), nn.Linear(latent, latent), nn.Linear(latent, output)\n"
        "    def one_step(self, x, h):\n        return torch.tanh(self.i(x) + self.h(h))\n"
        "    def forward(self, x, h):\n        out = []\n        for t in range(x.shape[0]):\n"
        "            h = self.one_step(x[t], h)\n            out.append(h)\n        return torch.stack(out)\n"
        "    def decode(self, h):\n        return self.d(h)\n"
    )
    (folder / "exo2.py").write_text(
        "import torch\nfrom utils import RNN\nPATH = '../data/'\n"
        "matrix_train, matrix_test = torch.load(open(PATH + 'hzdataset.pch', 'rb'))\n"
        "model = RNN(2, 16, 10)\nfor epoch in range(5):\n    pass\n"
    )
    report = _grade(folder)
    held = {q.question: q for q in report.questions if q.found}
    assert report.status is Status.NEEDS_REVIEW and set(held) == {"Q2", "Q3", "Q4"}, (
        report.questions
    )
    assert held["Q2"].found == "`for epoch in range(5):` (exo2.py:6)"
    assert report.questions[0].points > 0 and not report.questions[0].found  # Q1's RNN is graded
    assert report.load.steps == ()  # the data line found its stand-in
    (folder / "exo2.py").unlink()  # class RNN in utils.py and nothing else: still not a silent zero
    report = _grade(folder)
    held = {q.question: q.found for q in report.questions if q.found}
    assert report.status is Status.NEEDS_REVIEW and held == dict.fromkeys(
        ("Q2", "Q3", "Q4"), "class RNN (utils.py:4)"
    )


@pytest.mark.parametrize("kind", ["template"])
def test_the_untouched_template_stays_at_zero_and_graded(kind):
    folder = Path(__file__).resolve().parent.parent / "student_template" / "tp3-rnn"
    report = _grade(folder)
    assert report.total == 0 and report.status is Status.GRADED, (
        report.status,
        [q.found for q in report.questions],
    )


def test_a_missing_name_is_graded_through_the_students_own_similar_definition():
    """``generate_fixed`` asked, ``def generate`` in exo4.py: the tests go through it; a function that is
    not similar, a class for a function, or a template name is never taken."""
    from autograder.run import aliases

    code = source(
        ("utils.py", "class RNN:\n    pass\n"),
        (
            "exo4.py",
            "def generate(rnn, emb, start, n, random=False):\n    pass\n"
            "class OneHot:\n    pass\ndef accuracy(x):\n    pass\n",
        ),
    )
    names = frozenset({"RNN", "generate", "OneHot", "accuracy"})
    found = aliases("tp3-rnn", code, names)
    assert found.get("generate_fixed") == "generate"
    assert found.get("OneHotLinear") == "OneHot"
    assert (
        "classify" not in found and "evaluate_classifier" not in found
    )  # "accuracy" is not similar
    assert "RNN" not in found.values()  # a template name moved to utils.py is its own, not an alias
    assert (
        aliases("tp3-rnn", code, names | {"generate_fixed", "OneHotLinear"}) == {}
    )  # nothing missing
