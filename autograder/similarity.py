"""Similarity hints: pairs of students whose own code shares long passages, for a TA to read.

A hint, never a grade: nothing here changes a point or a status. Each student's code (the graded
notebook's code cells and their modules, as intake finds them) is fingerprinted with copydetect's
winnowing on tokens where names and strings are normalised (renaming variables changes nothing); every
k-gram of the handed-out template is boilerplate and removed first, so code the whole class was given
never makes a pair. A pair is listed when the shared passages cover ``THRESHOLD`` of either student's
own fingerprinted code and at least ``MIN_SHARED`` filtered characters.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from copydetect.detector import CodeFingerprint, compare_files
from copydetect.utils import filter_code, hashed_kgrams, highlight_overlap

from .assignments import handouts

# copydetect's defaults: passages shorter than NOISE filtered characters are ignored, those of GUARANTEE
# or more are always found (winnowing window GUARANTEE - NOISE + 1).
NOISE = 25
GUARANTEE = 30
# Share of a student's own code (after the template is removed) found in the other's: half a hand-in
# copied is worth a look; students solving the same short exercise independently stay well below.
THRESHOLD = 0.5
MIN_SHARED = 100  # filtered characters in common (names and spaces squeezed out: about eight lines)
CONTEXT_LINES = 4  # lines shown around each shared passage in the side-by-side view


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    shares: tuple[float, float]  # share of each one's own code found in the other's
    shared: int  # filtered characters in common (in the first's code)
    first_html: str  # the first's code, HTML-escaped, shared passages in <mark>
    second_html: str

    @property
    def score(self) -> float:
        return max(self.shares)


def similar_pairs(
    codes: dict[str, str],
    boilerplate: str = "",
    threshold: float = THRESHOLD,
    min_shared: int = MIN_SHARED,
) -> list[Pair]:
    """The pairs of ``codes`` (student -> Python source) above ``threshold``, most similar first."""
    template = _boilerplate(boilerplate)
    prints = {}
    for student, code in sorted(codes.items()):
        if code.strip():
            prints[student] = CodeFingerprint(
                "code.py",
                NOISE,
                GUARANTEE - NOISE + 1,
                template,
                language="python",
                fp=io.StringIO(code),
            )
    names = sorted(prints)
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if not prints[a].hashes & prints[b].hashes:
                continue  # most pairs: nothing in common, skip the slicing
            shared, shares, (slices_a, slices_b) = compare_files(prints[a], prints[b])
            if shared < min_shared or max(shares) < threshold:
                continue
            pairs.append(
                Pair(
                    a,
                    b,
                    (float(shares[0]), float(shares[1])),
                    int(shared),
                    _marked(prints[a].raw_code, slices_a),
                    _marked(prints[b].raw_code, slices_b),
                )
            )
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))


def _boilerplate(code: str) -> np.ndarray:
    """Every k-gram hash of the template (not only its winnowed ones), so that a student's copy of it
    leaves no fingerprint whatever window winnowing picks there."""
    if not code.strip():
        return np.array([], dtype=np.int64)
    filtered, _ = filter_code(code, "template.py", "python")
    return np.unique(hashed_kgrams(filtered, NOISE))


def _marked(code: str, slices) -> str:
    slices = np.asarray(slices, dtype=int)
    if slices.ndim != 2 or slices.shape[1] == 0:
        return str(_escape(code))
    text, _ = highlight_overlap(
        code, slices, "<mark>", "</mark>", truncate=CONTEXT_LINES, escape_html=True
    )
    return text


def _escape(text: str):
    from markupsafe import escape

    return escape(text)


# --- the class's code, read from the submissions folder -------------------------------------------------


def class_code(submissions, assignment_id: str) -> dict[str, str]:
    """Each student's own code, as graded: the notebook's code cells, then their modules (intake's
    choice of notebook and modules), each part headed by a comment naming it.

    ``submissions``: the class folder (one entry per student, named by the student's id) or a mapping
    student -> entry."""
    from .assignments import ASSIGNMENT_IDS, lab_description
    from .intake import intake
    from .source import read_source

    if isinstance(submissions, Mapping):
        entries = dict(submissions)
    else:
        from .grade import student_id

        entries = {
            student_id(p): p
            for p in sorted(Path(submissions).iterdir())
            if not p.name.startswith(".")
        }
    template = handouts(assignment_id)
    # the grading side's lookup, as make grade does (assignment.toml's `modules`)
    module_order = (
        tuple(lab_description(assignment_id).get("modules", ()))
        if assignment_id in ASSIGNMENT_IDS
        else ()
    )
    codes = {}
    for student, entry in sorted(entries.items()):
        with tempfile.TemporaryDirectory(prefix="rnnkit-similarity-") as tmp:
            submission = intake(
                Path(entry),
                Path(tmp) / "files",
                assignment_id=assignment_id,
                module_order=module_order,
                student=student,
                handouts=template if template.is_dir() else None,
            )
            if submission.problem is not None:
                continue
            codes[student] = "\n".join(
                f"# --- {label} ---\n{text}\n" for label, text in read_source(submission).parts
            )
    return codes


def template_code(assignment_id: str, folder: Path | None = None) -> str:
    """What the class was given: the handed-out notebook's code cells and modules (the boilerplate)."""
    folder = Path(folder) if folder is not None else handouts(assignment_id)
    if not folder.is_dir():
        return ""
    texts = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        texts += [
            "".join(c.get("source", ""))
            if isinstance(c.get("source"), list)
            else str(c.get("source", ""))
            for c in cells
            if isinstance(c, dict) and c.get("cell_type") == "code"
        ]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.py"))]
    return "\n\n".join(texts)
