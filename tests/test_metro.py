"""Tests of the synthetic metro data and of the metro file reader/loader.

Generator tests check statistical properties measured on the real file (datasets.md §1), not
exact values: numpy's random streams may change between versions.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.coursedata._paths import DATA_ENV, DataError
from autograder.coursedata.metro import (
    DEFAULT_SEED,
    ENTRIES,
    EXITS,
    HOLIDAY,
    METRO_FILE,
    N_SLOTS,
    WEEKEND,
    WORKDAY,
    MetroData,
    day_types,
    generate_metro,
    load_metro,
    main,
    read_metro_file,
    slot_hours,
    write_metro,
)

HOURS = slot_hours()


def window(start: float, end: float) -> np.ndarray:
    """Mask of the slots whose clock time lies in [start, end] hours."""
    return (HOURS >= start) & (HOURS <= end)


@pytest.fixture(scope="module")
def default_data() -> tuple[torch.Tensor, torch.Tensor]:
    return generate_metro()


@pytest.fixture(scope="module")
def all_days(default_data) -> tuple[np.ndarray, np.ndarray]:
    """All 25 days as numpy ``(25, 73, 80, 2)`` and their day types ``(25,)``."""
    train, test = default_data
    counts = torch.cat([train, test]).numpy()
    return counts, day_types(counts.shape[0])


@pytest.fixture
def small_pair() -> tuple[torch.Tensor, torch.Tensor]:
    return generate_metro(seed=5, n_train_days=3, n_test_days=2, n_stations=6)


@pytest.fixture
def no_env(monkeypatch, tmp_path) -> Path:
    """An empty working folder and no $RNNKIT_DATA, so nothing is found unless a test puts it there."""
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- generator ----------------------------------------------------------------------------------


def test_default_shapes_and_dtype(default_data):
    train, test = default_data
    assert train.shape == (18, N_SLOTS, 80, 2)
    assert test.shape == (7, N_SLOTS, 80, 2)
    for t in (train, test):
        assert t.dtype == torch.float32
        assert t.is_contiguous()


def test_custom_sizes(small_pair):
    train, test = small_pair
    assert train.shape == (3, N_SLOTS, 6, 2)
    assert test.shape == (2, N_SLOTS, 6, 2)


def test_values_are_non_negative_whole_numbers(all_days):
    counts, _ = all_days
    assert (counts >= 0).all()
    assert np.array_equal(counts, np.round(counts))
    assert counts.max() > 1000  # counts, not rates or normalised values


def test_default_seed_is_reproducible_and_seeds_differ(default_data):
    train, test = generate_metro()
    assert torch.equal(train, default_data[0]) and torch.equal(test, default_data[1])
    other, _ = generate_metro(DEFAULT_SEED + 1)
    assert not torch.equal(other, default_data[0])


def test_fewer_days_keep_the_same_stations(default_data):
    short, _ = generate_metro(n_train_days=4, n_test_days=0)
    full_means = np.log(default_data[0][:4].mean(dim=(0, 1)).numpy() + 1)  # (80, 2)
    short_means = np.log(short.mean(dim=(0, 1)).numpy() + 1)
    assert np.corrcoef(full_means.ravel(), short_means.ravel())[0, 1] > 0.95


def test_generation_is_fast():
    start = time.perf_counter()
    generate_metro(DEFAULT_SEED + 2)
    assert time.perf_counter() - start < 1.0


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError):
        generate_metro(n_train_days=0)
    with pytest.raises(ValueError):
        generate_metro(n_stations=0)


# --- statistical shape of the data (datasets.md §1.3-1.5) ----------------------------------------


def test_workday_morning_peak(all_days):
    counts, kinds = all_days
    network = counts[kinds == WORKDAY].mean(axis=(0, 2))  # (73, 2)
    ratio = network[window(7.5, 9.0)].mean(axis=0) / network[window(10.0, 16.0)].mean(axis=0)
    assert (ratio > 1.5).all(), ratio


def test_weekend_to_workday_total(all_days):
    counts, kinds = all_days
    totals = counts.sum(axis=(1, 2, 3))
    ratio = totals[kinds == WEEKEND].mean() / totals[kinds == WORKDAY].mean()
    assert 0.75 < ratio < 0.97, ratio


def test_new_year_has_no_morning_peak(all_days):
    counts, kinds = all_days
    assert kinds[0] == HOLIDAY and (kinds[1:] != HOLIDAY).all()
    day0 = counts[0].mean(axis=1)  # (73, 2)
    ratio = day0[window(7.5, 9.0)].mean(axis=0) / day0[window(10.0, 16.0)].mean(axis=0)
    assert (ratio < 1.3).all(), ratio


def test_calendar_weekends():
    kinds = day_types(25)
    # 2019-01-05/06, 12/13 in train; 19/20 are the first two test days.
    assert [d for d in range(25) if kinds[d] == WEEKEND] == [4, 5, 11, 12, 18, 19]


def test_entries_channel_leads_exits(all_days):
    counts, kinds = all_days
    network = counts[kinds == WORKDAY].mean(axis=(0, 2))  # (73, 2)
    morning = HOURS < 11.0
    peak_entries = HOURS[morning][network[morning, ENTRIES].argmax()]
    peak_exits = HOURS[morning][network[morning, EXITS].argmax()]
    assert peak_entries < peak_exits
    # Entries start earlier in the morning and stop earlier at night.
    assert network[0, ENTRIES] > network[0, EXITS]
    assert network[-1, ENTRIES] < network[-1, EXITS]


def test_zeros_sit_at_the_ends_of_the_day(all_days):
    counts, _ = all_days
    zeros = counts == 0
    per_slot = zeros.sum(axis=(0, 2, 3))
    assert zeros.mean() < 0.05
    assert (per_slot[:4].sum() + per_slot[-4:].sum()) / per_slot.sum() > 0.9
    assert zeros[:, window(7.5, 21.5)].mean() < 0.001


def test_stations_are_heterogeneous(all_days):
    counts, _ = all_days
    daily = counts.sum(axis=(1, 3)).mean(axis=0)  # (80,) mean daily count per station
    assert daily.max() / np.median(daily) > 3


def test_course_normalisation_range(default_data):
    train, _ = default_data
    train = train[:, :, :10]
    stations_max = torch.max(train.reshape(-1, 10, 2), 0)[0]  # the course's per-station maxima
    mean = (train / stations_max).mean().item()
    assert 0.1 < mean < 0.4, mean


# --- file round trip and validation --------------------------------------------------------------


def test_round_trip_as_course_code_reads_it(tmp_path, small_pair):
    train, test = small_pair
    path = write_metro(tmp_path / "nested" / "folder" / METRO_FILE, train, test)
    assert path.is_file()
    matrix_train, matrix_test = torch.load(open(path, "rb"))  # exactly the course's line
    assert torch.equal(matrix_train, train) and torch.equal(matrix_test, test)
    loaded = torch.load(path, weights_only=True)
    assert isinstance(loaded, tuple) and len(loaded) == 2
    assert torch.equal(loaded[0], train) and torch.equal(loaded[1], test)
    back = read_metro_file(path)
    assert torch.equal(back[0], train) and torch.equal(back[1], test)


def test_write_into_a_folder_uses_the_course_name(tmp_path, small_pair):
    assert write_metro(tmp_path, *small_pair) == tmp_path / METRO_FILE
    # A new path without a suffix is a folder to create, not a file named "data".
    assert (
        write_metro(tmp_path / "new" / "data", *small_pair)
        == tmp_path / "new" / "data" / METRO_FILE
    )
    assert (tmp_path / "new" / "data" / METRO_FILE).is_file()


def test_write_of_a_slice_stores_only_the_slice(tmp_path, default_data):
    train, test = default_data
    path = write_metro(tmp_path, train[:, :, :2], test[:, :, :2])
    assert path.stat().st_size < 100_000  # not the whole 80-station storage
    assert read_metro_file(path)[0].shape == (18, N_SLOTS, 2, 2)


def test_reader_accepts_other_day_and_station_counts(tmp_path):
    train, test = generate_metro(n_train_days=2, n_test_days=1, n_stations=3)
    path = write_metro(tmp_path, train, test)
    assert read_metro_file(path)[1].shape == (1, N_SLOTS, 3, 2)


@pytest.mark.parametrize(
    "content, words",
    [
        ((torch.zeros(2, 72, 4, 2), torch.zeros(1, 72, 4, 2)), "73"),
        ((torch.zeros(2, N_SLOTS, 4, 2), torch.zeros(1, N_SLOTS, 5, 2)), "disagree"),
        ((torch.zeros(2, N_SLOTS, 4), torch.zeros(1, N_SLOTS, 4)), "4 dimensions"),
        (torch.zeros(2, N_SLOTS, 4, 2), "tuple"),
        ({"train": torch.zeros(2, N_SLOTS, 4, 2)}, "tuple"),
        ((torch.zeros(2, N_SLOTS, 4, 2),), "tuple"),
        ((torch.zeros(2, N_SLOTS, 4, 2), [1.0, 2.0]), "tensor"),
        (
            (torch.zeros(2, N_SLOTS, 4, 2, dtype=torch.int64), torch.zeros(1, N_SLOTS, 4, 2)),
            "float",
        ),
    ],
)
def test_reader_rejects_wrong_content(tmp_path, content, words):
    path = tmp_path / "bad.pch"
    torch.save(content, path)
    with pytest.raises(DataError) as err:
        read_metro_file(path)
    assert str(path) in str(err.value) and words in str(err.value)


def test_reader_rejects_a_file_that_is_not_torch(tmp_path):
    path = tmp_path / METRO_FILE
    path.write_text("not a tensor file")
    with pytest.raises(DataError, match=METRO_FILE):
        read_metro_file(path)


def test_reader_never_unpickles_arbitrary_objects(tmp_path):
    path = tmp_path / METRO_FILE
    torch.save((torch.zeros(1, N_SLOTS, 2, 2), Path("x")), path)  # a non-allow-listed class
    with pytest.raises(DataError, match=METRO_FILE):
        read_metro_file(path)


# --- resolution rule of load_metro ---------------------------------------------------------------


def _write_sized(folder: Path, n_stations: int) -> Path:
    """A small metro file whose station count tells which file was loaded."""
    return write_metro(
        folder, *generate_metro(n_train_days=1, n_test_days=1, n_stations=n_stations)
    )


def test_explicit_path_wins(no_env, monkeypatch):
    env_dir, explicit_dir = no_env / "env", no_env / "mine"
    _write_sized(env_dir, 2)
    _write_sized(no_env / "data", 3)
    explicit = _write_sized(explicit_dir, 4)
    monkeypatch.setenv(DATA_ENV, str(env_dir))
    for given in (explicit, explicit_dir, str(explicit)):
        data = load_metro(given, quiet=True)
        assert (data.source, data.path, data.seed) == ("file", explicit, None)
        assert data.train.shape[2] == 4


def test_env_folder_beats_local_data(no_env, monkeypatch):
    env_file = _write_sized(no_env / "env", 2)
    _write_sized(no_env / "data", 3)
    monkeypatch.setenv(DATA_ENV, str(no_env / "env"))
    data = load_metro(quiet=True)
    assert (data.source, data.path) == ("file", env_file)
    assert data.train.shape[2] == 2


def test_local_data_folder(no_env):
    local = _write_sized(no_env / "data", 3)
    data = load_metro(quiet=True)
    assert data.source == "file" and data.path.resolve() == local.resolve()
    assert data.train.shape[2] == 3


def test_synthetic_fallback(no_env, capsys):
    data = load_metro(seed=3, n_stations=10)
    assert (data.source, data.path, data.seed) == ("synthetic", None, 3)
    assert data.train.shape == (18, N_SLOTS, 10, 2) and data.test.shape == (7, N_SLOTS, 10, 2)
    assert torch.equal(data.train, generate_metro(3, n_stations=10)[0])
    assert data.describe() == "synthetic metro data (seed 3, 18+7 days, 10 stations)"
    assert data.describe() in capsys.readouterr().err


def test_quiet_says_nothing(no_env, capsys):
    load_metro(n_stations=5, quiet=True)
    assert capsys.readouterr().err == ""


def test_file_description(no_env):
    path = _write_sized(no_env, 3)
    data = load_metro(path, quiet=True)
    assert isinstance(data, MetroData)
    assert data.describe() == f"metro file {path} (1+1 days, 3 stations)"


def test_missing_explicit_path_is_an_error(no_env):
    with pytest.raises(FileNotFoundError):
        load_metro(no_env / "nowhere" / METRO_FILE, quiet=True)


def test_env_folder_without_the_file_falls_through(no_env, monkeypatch):
    # $RNNKIT_DATA may hold only the speech file: the metro search goes on to ./data/, then synthetic.
    (no_env / "env").mkdir()
    monkeypatch.setenv(DATA_ENV, str(no_env / "env"))
    assert load_metro(n_stations=5, quiet=True).source == "synthetic"
    local = _write_sized(no_env / "data", 3)
    data = load_metro(quiet=True)
    assert data.source == "file" and data.path.resolve() == local.resolve()


# --- command line --------------------------------------------------------------------------------


def test_main_writes_the_course_file(tmp_path, capsys):
    written = main(["--out", str(tmp_path / "out"), "--seed", "2", "--stations", "10"])
    assert written == tmp_path / "out" / METRO_FILE
    assert str(written) in capsys.readouterr().out
    train, test = torch.load(open(written, "rb"))
    assert torch.equal(train, generate_metro(2, n_stations=10)[0])
    assert test.shape == (7, N_SLOTS, 10, 2)


def test_module_runs_from_the_command_line(tmp_path):
    repo = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-m", "autograder.coursedata", "--out", str(tmp_path), "--stations", "5"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "RuntimeWarning" not in result.stderr
    assert read_metro_file(tmp_path / METRO_FILE)[0].shape == (18, N_SLOTS, 5, 2)
