"""Speech corpus: where the text comes from, and that the offline stand-ins look like the course file."""

import pytest

from autograder.coursedata import (
    DATA_ENV,
    SPEECH_FILE,
    DataError,
    load_speeches,
    sample_corpus,
    sotu_corpus,
    write_speeches,
)


@pytest.fixture(autouse=True)
def no_data_env(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # no ./data/ unless a test makes one


def test_bundled_sample_is_two_public_domain_addresses():
    corpus = sample_corpus()
    assert corpus.source == "sample"
    assert 60_000 < len(corpus.text) < 75_000
    assert corpus.text.count("\n") == 2  # one address per line, like the course file
    assert "Mr. Speaker" in corpus.text


def test_sotu_corpus_when_installed_is_modern_spoken_addresses():
    corpus = sotu_corpus()
    if corpus is None:
        pytest.skip("sotu package not installed")
    assert corpus.source == "sotu"
    assert (
        1_200_000 < len(corpus.text) < 1_600_000
    )  # datasets.md: spoken 1981+ is about 1.37 M characters
    assert corpus.text.count("\n") > 30


def test_resolution_explicit_then_env_then_cwd_then_fallback(tmp_path, monkeypatch):
    explicit = tmp_path / "mine.txt"
    explicit.write_text("Explicit. Text.", encoding="utf-8")
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    (env_dir / SPEECH_FILE).write_text("From env.", encoding="utf-8")
    cwd_dir = tmp_path / "data"
    cwd_dir.mkdir()
    (cwd_dir / SPEECH_FILE).write_text("From cwd.", encoding="utf-8")

    fallback = load_speeches(quiet=True)
    assert fallback.source in {"sotu", "sample"} or fallback.text == "From cwd."
    assert load_speeches(quiet=True).text == "From cwd."
    monkeypatch.setenv(DATA_ENV, str(env_dir))
    assert load_speeches(quiet=True).text == "From env."
    found = load_speeches(explicit, quiet=True)
    assert (found.text, found.source, found.path) == ("Explicit. Text.", "file", explicit)
    assert (
        load_speeches(env_dir, quiet=True).text == "From env."
    )  # a folder means the course file in it


def test_env_folder_without_the_file_falls_through(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    corpus = load_speeches()
    assert corpus.source in {"sotu", "sample"}
    err = capsys.readouterr().err
    assert f"has no {SPEECH_FILE}" in err and corpus.describe() in err


def test_missing_explicit_path_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="given explicitly"):
        load_speeches(tmp_path / "nope.txt", quiet=True)


def test_non_utf8_file_is_named(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9")
    with pytest.raises(DataError, match="bad.txt: not UTF-8"):
        load_speeches(bad, quiet=True)


def test_writer_round_trip_under_the_course_name(tmp_path):
    written = write_speeches(tmp_path / "out", sample_corpus())
    assert written.name == SPEECH_FILE
    # The course reads the file as bytes and decodes it.
    assert open(written, "rb").read().decode() == sample_corpus().text
    assert load_speeches(written, quiet=True).text == sample_corpus().text
