"""Where a course data file comes from: one resolution rule for every dataset.

Order: explicit path > folder named by $RNNKIT_DATA > ./data/<course file name> > fallback
(synthetic metro data or the bundled public-domain speech sample).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_ENV = "RNNKIT_DATA"  # a folder holding the course's files under their course names


class DataError(ValueError):
    """A data file exists but is not what the course expects (wrong shape, type, encoding)."""


def find_course_file(
    filename: str, path: str | os.PathLike | None = None, *, quiet: bool = False
) -> tuple[Path | None, str]:
    """Return (path, why) for the first candidate that exists, or (None, why) to use the fallback.

    An explicit ``path`` that does not exist is an error: the user asked for that file, so falling
    back silently would hide a typo. A ``$RNNKIT_DATA`` folder may hold only some of the files.
    """
    if path is not None:
        p = Path(path)
        if p.is_dir():
            p = p / filename
        if not p.is_file():
            raise FileNotFoundError(f"{p}: no such file (given explicitly)")
        return p, "explicit path"
    folder = os.environ.get(DATA_ENV)
    if folder:
        p = Path(folder) / filename
        if p.is_file():
            return p, f"${DATA_ENV}"
        # The folder may hold only some of the course files: say so, then keep looking.
        if not quiet:
            announce(f"${DATA_ENV}={folder} has no {filename}")
    p = Path("data") / filename
    if p.is_file():
        return p.resolve(), "./data/"
    return None, "fallback"


def announce(message: str) -> None:
    """Tell the user which data source was used (stderr, so it never mixes with results)."""
    print(f"[coursedata] {message}", file=sys.stderr)
