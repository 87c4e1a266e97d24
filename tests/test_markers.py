"""Solution markers: what the template keeps, what it replaces, and how bad markers are reported."""

import ast
import textwrap

import pytest

from autograder.markers import (
    ANSWER_PLACEHOLDER,
    MarkerError,
    solution_lines_removed,
    strip_solutions,
)

MODULE = textwrap.dedent('''\
    import torch


    class RNN(torch.nn.Module):
        def __init__(self, dim, latent, output):
            super().__init__()
            self.latent = latent
            # BEGIN SOLUTION
            self.lin = torch.nn.Linear(dim, latent)
            # END SOLUTION

        def one_step(self, x, h):
            """x: (B, D), h: (B, H) -> (B, H)"""
            if h is not None:
                # BEGIN SOLUTION
                return torch.tanh(self.lin(x) + h)
                # END SOLUTION
            return h


    def helper(values):
        # BEGIN SOLUTION
        return [v * 2 for v in values]
        # END SOLUTION
    ''')


def strip(text, notebook=False):
    return strip_solutions(text, "src.py", notebook=notebook)


def test_regions_become_todo_and_raise_named_after_the_enclosing_function():
    template, regions = strip(MODULE)
    assert [r.name for r in regions] == ["RNN.__init__", "RNN.one_step", "helper"]
    assert '        raise NotImplementedError("RNN.__init__")\n' in template
    assert '            raise NotImplementedError("RNN.one_step")\n' in template
    assert '    raise NotImplementedError("helper")\n' in template
    assert "self.lin = torch.nn.Linear" not in template and "v * 2" not in template
    ast.parse(template)  # the template still imports


def test_round_trip_keeps_every_line_outside_regions_in_order():
    template, regions = strip(MODULE)
    inside = {n for r in regions for n in range(r.begin, r.end + 1)}
    kept = [line for n, line in enumerate(MODULE.splitlines(), start=1) if n not in inside]
    template_lines = iter(template.splitlines())
    assert all(any(line == t for t in template_lines) for line in kept)  # a subsequence, in order
    reference = solution_lines_removed(MODULE)
    assert "SOLUTION" not in reference
    assert reference.splitlines() == [
        line for line in MODULE.splitlines() if "SOLUTION" not in line
    ]


def test_template_runs_and_raises_not_implemented_with_the_name():
    template, _ = strip(MODULE)
    namespace = {}
    exec(template, namespace)
    with pytest.raises(NotImplementedError, match="RNN.__init__"):
        namespace["RNN"](2, 3, 4)
    with pytest.raises(NotImplementedError, match="helper"):
        namespace["helper"]([1])


def test_source_without_markers_is_unchanged():
    text = "def f(x):\n    return x + 1\n"
    assert strip(text) == (text, [])


@pytest.mark.parametrize(
    "text, line, reason",
    [
        (
            "def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    # END SOLUTION\n",
            3,
            "do not nest",
        ),
        ("def f():\n    return 1\n    # END SOLUTION\n", 3, "END SOLUTION without BEGIN SOLUTION"),
        (
            "def f():\n    # BEGIN SOLUTION\n    return 1\n",
            2,
            "BEGIN SOLUTION without END SOLUTION",
        ),
        ("def f():\n    # BEGIN SOLUTIONS\n    return 1\n", 2, "malformed marker"),
        ("def f():\n    # begin solution here\n", 2, "malformed marker"),
        ("x = 1\n# BEGIN SOLUTION\ny = 2\n# END SOLUTION\n", 2, "module level"),
    ],
)
def test_bad_markers_are_reported_as_path_line_reason(text, line, reason):
    with pytest.raises(MarkerError) as caught:
        strip(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"src.py:{line}: ")
    assert reason in str(caught.value)


NOTEBOOK = textwrap.dedent("""\
    # %% [markdown] question="Q1" points=2
    # ## Question 1 (2 points)

    # %%
    def f(x):
        # BEGIN SOLUTION
        return x
        # END SOLUTION

    # %% tags=["skip-grading"] question="Q1"
    # BEGIN SOLUTION
    print(f(1))
    # END SOLUTION

    # %% [markdown] tags=["answer"] question="Q1"
    # BEGIN SOLUTION
    # La réponse modèle.
    # END SOLUTION
    """)


def test_notebook_regions_code_top_level_and_markdown_answers():
    template, regions = strip(NOTEBOOK, notebook=True)
    assert [r.name for r in regions] == ["f", "Q1", "answer"]
    assert 'raise NotImplementedError("Q1")\n' in template
    assert ANSWER_PLACEHOLDER in template and "réponse modèle" not in template


def test_notebook_region_may_not_cross_a_cell_boundary():
    text = "# %%\ndef f():\n    # BEGIN SOLUTION\n    pass\n# %%\n    # END SOLUTION\n"
    with pytest.raises(
        MarkerError, match=r"src.py:3: BEGIN SOLUTION not closed before the next cell"
    ):
        strip(text, notebook=True)


def test_top_level_notebook_region_needs_a_question():
    with pytest.raises(MarkerError, match="without question"):
        strip("# %%\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", notebook=True)


def test_enclosing_name_ignores_closed_blocks_and_handles_control_flow():
    text = textwrap.dedent("""\
        def closed():
            pass
        if True:
            def inner(x):
                for _ in range(2):
                    # BEGIN SOLUTION
                    return x
                    # END SOLUTION
        """)
    _, regions = strip(text)
    assert regions[0].name == "inner"
