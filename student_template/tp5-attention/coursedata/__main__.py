"""``python -m coursedata --out DIR`` (or ``python -m autograder.coursedata``): write synthetic metro data."""

from .metro import main

main()
