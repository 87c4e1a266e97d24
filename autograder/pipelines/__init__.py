"""Pipelines that carry the kit's grading into other platforms (Gradescope, otter-grader, nbgrader).

Each module builds what its platform needs from the single source and grades with the kit's own
engine, so scores and feedback are the same everywhere.
"""
