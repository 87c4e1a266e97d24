"""Kit-test settings shared by every module.

``make test-fast`` runs on two pytest-xdist workers (``--dist loadgroup``; ``make test`` too with
``pytest -n 2 --dist loadgroup``): a test module runs
whole on one worker, so its module-scoped fixtures (a graded class, a built course) are made once;
``tests/test_banks.py`` puts each lab's bank in a group of its own, so two banks grade side by side.
"""

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
