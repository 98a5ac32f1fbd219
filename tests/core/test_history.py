"""History of model metrics: dated snapshots in a directory (``snapshot pull --dir --keep``),
``hw.history`` across them, and the recorded daily series of the Hub website's listings.

Snapshots are real files written by ``Catalog.to_parquet`` or pulled by the CLI from the local
Hub server (invented records, not Hub data); the external series is the recorded
``trending-feature-extraction-2024-2026.parquet`` (skipped with a reason when absent).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.cli import main
from hubwidgets.core.catalog.history import (
    dated_snapshot_path,
    newest_snapshot,
    prune_snapshots,
    snapshot_files,
)
from hubwidgets.testing import HubServer, shared_data_dir

SERIES = "trending-feature-extraction-2024-2026.parquet"


def _records(day: int) -> list[dict[str, Any]]:
    """Three invented models whose downloads and likes grow with ``day`` (c appears on day 2)."""
    rows = [
        {"id": "org/a", "downloads": 100 + 10 * day, "likes": day, "pipeline_tag": "fill-mask"},
        {"id": "org/b", "downloads": 500 - 50 * day, "likes": 2, "pipeline_tag": "fill-mask"},
    ]
    if day >= 2:
        rows.append({"id": "org/c", "downloads": 1000 * day, "pipeline_tag": "text-generation"})
    return rows


def _write(folder: Path, day: int) -> Path:
    when = datetime(2026, 11, day, 6, 0, tzinfo=timezone.utc)
    catalog = hw.Catalog.from_records(_records(day), source="snapshot", fetched_at=when)
    return catalog.to_parquet(dated_snapshot_path(folder, when))


@pytest.fixture
def snapshots(tmp_path: Path) -> Path:
    folder = tmp_path / "snaps"
    folder.mkdir()
    for day in (1, 2, 3):
        _write(folder, day)
    return folder


@pytest.fixture(scope="module")
def series() -> Path:
    data = shared_data_dir()
    if data is None or not (data / SERIES).exists():
        pytest.skip(f"the recorded daily series {SERIES} is not on this machine (../shared/data)")
    return data / SERIES


# -- a directory of dated snapshots ------------------------------------------------------------
def test_dated_names_sort_by_time_and_the_newest_opens(snapshots: Path) -> None:
    (snapshots / "notes.txt").write_text("not a snapshot")
    files = snapshot_files(snapshots)
    assert [p.name for _, p in files] == [
        "models-2026-11-01T060000Z.parquet",
        "models-2026-11-02T060000Z.parquet",
        "models-2026-11-03T060000Z.parquet",
    ]
    assert newest_snapshot(snapshots) == files[-1][1]
    catalog = hw.open_catalog("snapshot", path=snapshots)
    assert catalog.model("org/c")["downloads"] == 3000  # day 3's values


def test_history_across_snapshots_reads_one_value_per_model_and_date(snapshots: Path) -> None:
    h = hw.history(source=snapshots)
    assert list(h.columns) == ["model", "date", "value", "metric", "task", "source"]
    a = h[h["model"] == "org/a"]
    assert a["value"].tolist() == [110.0, 120.0, 130.0]
    assert a["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert a["source"].iloc[0] == "models-2026-11-01T060000Z.parquet"
    # org/c did not exist on day 1: absent that day, never zero
    assert h[h["model"] == "org/c"]["value"].tolist() == [2000.0, 3000.0]
    assert set(h["task"]) == {"fill-mask", "text-generation"}


def test_models_metric_and_since_narrow_the_history(snapshots: Path) -> None:
    h = hw.history("org/a", metric="likes", since="2026-11-02", source=snapshots)
    assert h["value"].tolist() == [2.0, 3.0]
    assert set(h["metric"]) == {"likes"}
    assert hw.history(["org/zzz"], source=snapshots).empty


def test_a_corrupt_or_foreign_file_is_named_and_skipped(snapshots: Path) -> None:
    (snapshots / "models-2026-11-04T060000Z.parquet").write_bytes(b"PAR1 not really")
    pd.DataFrame({"x": [1]}).to_parquet(snapshots / "models-2026-11-05T060000Z.parquet")
    with pytest.warns(UserWarning, match="history: skipped") as caught:
        h = hw.history(source=snapshots)
    messages = " ".join(str(w.message) for w in caught)
    assert "skipped models-2026-11-04T060000Z.parquet" in messages
    assert "skipped models-2026-11-05T060000Z.parquet: " in messages
    assert "not a hubwidgets snapshot" in messages
    assert h["date"].max() == pd.Timestamp("2026-11-03")  # the three good files are used


def test_a_corrupt_newest_snapshot_is_named_and_the_one_before_opens(snapshots: Path) -> None:
    (snapshots / "models-2026-11-04T060000Z.parquet").write_bytes(b"PAR1 cut short")
    with pytest.warns(UserWarning, match="skipped models-2026-11-04T060000Z.parquet"):
        catalog = hw.open_catalog("snapshot", path=snapshots)
    assert catalog.model("org/c")["downloads"] == 3000  # day 3's snapshot


def test_prune_keeps_the_newest_and_what_lives_beside_them(snapshots: Path) -> None:
    oldest = snapshot_files(snapshots)[0][1]
    (oldest.parent / (oldest.name + ".index")).mkdir()
    removed = prune_snapshots(snapshots, keep=2)
    assert removed == [oldest]
    assert not (oldest.parent / (oldest.name + ".index")).exists()
    assert len(snapshot_files(snapshots)) == 2
    with pytest.raises(ValueError, match="at least 1"):
        prune_snapshots(snapshots, keep=0)


def test_cli_pull_into_a_directory_keeps_n(
    snapshots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [{"id": f"hub/m{i}", "downloads": i, "pipeline_tag": "fill-mask"} for i in range(5)]
    with HubServer(records) as server:
        status = main(
            [
                *("snapshot", "pull", "--dir", str(snapshots), "--keep", "2"),
                *("--endpoint", server.endpoint, "--no-progress", "--token", "hf_test"),
            ]
        )
    out = capsys.readouterr().out
    assert status == 0, out
    names = [p.name for _, p in snapshot_files(snapshots)]
    assert len(names) == 2
    assert names[0] == "models-2026-11-03T060000Z.parquet"  # the newest older one stays
    assert "removed" in out and "models-2026-11-01T060000Z.parquet" in out
    # the pulled one is the newest: open_catalog on the directory opens it
    catalog = hw.open_catalog("snapshot", path=snapshots)
    assert "hub/m4" in set(catalog.df["id"])


def test_cli_output_ending_in_a_slash_is_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [{"id": "hub/only", "downloads": 1, "pipeline_tag": "fill-mask"}]
    folder = tmp_path / "new-folder"
    with HubServer(records) as server:
        status = main(
            [
                *("snapshot", "pull", "-o", f"{folder}/", "--endpoint", server.endpoint),
                *("--no-progress", "--token", "hf_test"),
            ]
        )
    assert status == 0, capsys.readouterr().err
    [(_, path)] = snapshot_files(folder)
    assert path.name.startswith("models-") and path.suffix == ".parquet"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="holds no dated snapshots"):
        hw.open_catalog("snapshot", path=empty)


def test_cli_refuses_keep_without_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["snapshot", "pull", "-o", str(tmp_path / "x.parquet"), "--keep", "2"])
    assert status == 2
    assert "--keep N needs a directory" in capsys.readouterr().err
    assert main(["snapshot", "pull"]) == 2
    assert "-o/--output FILE or --dir DIR" in capsys.readouterr().err


# -- an external daily series --------------------------------------------------------------------
def test_the_recorded_daily_series_loads_as_a_history(series: Path) -> None:
    h = hw.load_history(series)
    assert len(h) == 111_873
    assert h["model"].nunique() == 276
    assert h["date"].nunique() == 721
    assert (h["date"].min(), h["date"].max()) == (
        pd.Timestamp("2024-05-08"),
        pd.Timestamp("2026-05-07"),
    )
    # the file's dates are DD-MM-YYYY: 01-01-2025 is New Year's day
    row = h[(h["model"] == "jinaai/jina-clip-v2") & (h["date"] == "2025-01-01")]
    assert row["value"].tolist() == [21296.0]
    assert set(h["source"]) == {SERIES}


def test_series_narrowed_by_model_metric_and_since(series: Path) -> None:
    h = hw.history(
        ["Xenova/all-MiniLM-L6-v2", "no/such-model"],
        metric="likes",
        since="2026-01-01",
        source=series,
    )
    assert set(h["model"]) == {"Xenova/all-MiniLM-L6-v2"}  # an unknown id is simply absent
    assert h["date"].min() >= pd.Timestamp("2026-01-01")
    assert h["date"].is_unique and h["date"].is_monotonic_increasing
    assert set(h["metric"]) == {"likes"}


# -- bad input -------------------------------------------------------------------------------------
def test_bad_arguments_say_what_is_valid(snapshots: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"unknown metric 'downlods' \(did you mean 'downloads'"):
        hw.history(metric="downlods", source=snapshots)
    with pytest.raises(ValueError, match="is not a date"):
        hw.history(since="last tuesday", source=snapshots)
    with pytest.raises(ValueError, match="does not exist"):
        hw.history(source=snapshots / "nope.parquet")
    monkeypatch.delenv("HUBWIDGETS_SNAPSHOTS", raising=False)
    with pytest.raises(ValueError, match="history needs a source"):
        hw.history()
    monkeypatch.setenv("HUBWIDGETS_SNAPSHOTS", str(snapshots))
    assert len(hw.history()) == 8  # 2 + 3 + 3 models
    with pytest.raises(TypeError, match="models must be"):
        hw.history(42, source=snapshots)  # type: ignore[arg-type]
