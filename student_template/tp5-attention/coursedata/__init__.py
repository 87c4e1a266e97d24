"""Course data for the RNN labs, usable offline: the metro tensor and the speech corpus.

This folder is copied beside the student notebooks, so it imports nothing from the kit.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._paths import DATA_ENV, DataError
from .metro import METRO_FILE, MetroData, generate_metro, load_metro, read_metro_file, write_metro
from .speeches import SPEECH_FILE, Corpus, load_speeches, sample_corpus, sotu_corpus, write_speeches

__all__ = [
    "DATA_ENV",
    "DataError",
    "METRO_FILE",
    "MetroData",
    "generate_metro",
    "load_metro",
    "read_metro_file",
    "write_metro",
    "SPEECH_FILE",
    "Corpus",
    "load_speeches",
    "sample_corpus",
    "sotu_corpus",
    "write_speeches",
    "write_course_files",
]


def write_course_files(folder: str | os.PathLike) -> list[tuple[Path, str]]:
    """Write synthetic metro data and the offline corpus under the course's file names."""
    train, test = generate_metro()
    metro = write_metro(Path(folder) / METRO_FILE, train, test)
    corpus = sotu_corpus() or sample_corpus()
    text = write_speeches(folder, corpus)
    return [
        (metro, f"synthetic metro data {tuple(train.shape)} + {tuple(test.shape)}"),
        (text, corpus.describe()),
    ]
