"""DataFrame <-> Arrow IPC: the wire types the browser gets, round trips, windows and size."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import hubwidgets as hw
from hubwidgets.core.catalog.schema import CATEGORICAL, COLUMN_NAMES, LIST_COLUMNS, empty_frame
from hubwidgets.widgets._serialization import INTEGER_KEY, from_ipc, ipc_size_kb, to_ipc, window

COUNTS = ("downloads", "downloads_all_time", "likes", "trending_score", "params")
TIMESTAMPS = ("created_at", "last_modified", "fetched_at")
BOOLEANS = ("gated", "private", "inference", "scans_done")
STRINGS = ("id", "sha", *CATEGORICAL)

#: What the browser gets for each schema column (see the module's doc for why).
WIRE_TYPES: dict[str, pa.DataType] = {
    **{c: pa.string() for c in STRINGS},
    **{c: pa.list_(pa.string()) for c in LIST_COLUMNS},
    **{c: pa.float64() for c in COUNTS},
    **{c: pa.timestamp("ms", tz="UTC") for c in TIMESTAMPS},
    **{c: pa.bool_() for c in BOOLEANS},
}


@pytest.fixture(scope="module")
def starter() -> pd.DataFrame:
    return hw.starter_catalog().search(limit=None)


@pytest.fixture(scope="module")
def starter_ipc(starter: pd.DataFrame) -> bytes:
    return to_ipc(starter)


@pytest.fixture(scope="module")
def round_trip(starter_ipc: bytes) -> pd.DataFrame:
    return from_ipc(starter_ipc)


def read_schema(buf: bytes) -> pa.Schema:
    return pa.ipc.open_stream(buf).schema


def test_every_schema_column_has_a_wire_type() -> None:
    assert set(WIRE_TYPES) == set(COLUMN_NAMES)


def test_bytes_are_an_arrow_stream_of_plain_types(
    starter: pd.DataFrame, starter_ipc: bytes
) -> None:
    assert isinstance(starter_ipc, bytes)
    reader = pa.ipc.open_stream(starter_ipc)
    table = reader.read_all()
    assert table.num_rows == len(starter)
    assert table.schema.names == list(starter.columns)
    for field in table.schema:
        assert field.type == WIRE_TYPES[field.name], field
    with pytest.raises(pa.ArrowInvalid):
        pa.ipc.open_file(starter_ipc)  # a stream, not the file format


def test_no_pandas_or_pyarrow_metadata(starter_ipc: bytes) -> None:
    schema = read_schema(starter_ipc)
    assert not schema.metadata  # no b"pandas" blob, no index description
    for field in schema:
        if field.name in COUNTS:
            assert field.metadata == {INTEGER_KEY: b"true"}
        else:
            assert not field.metadata, field


def test_the_starter_has_missing_values_to_preserve(starter: pd.DataFrame) -> None:
    """Otherwise the NA checks below would prove little."""
    for col in ("task", "languages", "downloads", "params", "created_at", "inference", "sha"):
        assert starter[col].isna().any(), col


@pytest.mark.parametrize("col", COLUMN_NAMES)
def test_round_trip_values_and_missing(
    starter: pd.DataFrame, round_trip: pd.DataFrame, col: str
) -> None:
    before, after = starter[col], round_trip[col]
    assert after.isna().tolist() == before.isna().tolist()
    if col in LIST_COLUMNS:
        assert isinstance(after.dtype, pd.ArrowDtype)
        expected = pa.array(before.array).cast(pa.list_(pa.string()))
        assert pa.array(after.array).to_pylist() == expected.to_pylist()
    elif col in COUNTS:
        pd.testing.assert_series_equal(after, before)  # Int64 again, exactly
    elif col in BOOLEANS:
        pd.testing.assert_series_equal(after, before)  # boolean with <NA>
    elif col in TIMESTAMPS:
        assert str(after.dtype) == "datetime64[ms, UTC]"
        pd.testing.assert_series_equal(after.dt.as_unit("us"), before)
    else:
        assert isinstance(after.dtype, pd.StringDtype)
        pd.testing.assert_series_equal(after, before.astype(pd.StringDtype()), check_dtype=False)


def test_index_is_dropped(starter: pd.DataFrame) -> None:
    part = starter.iloc[10:15].set_index("id", drop=False)
    out = from_ipc(to_ipc(part))
    assert list(out.columns) == list(starter.columns)
    assert out.index.equals(pd.RangeIndex(5))
    assert out["id"].tolist() == starter["id"].iloc[10:15].tolist()


def test_columns_selects_and_orders(starter: pd.DataFrame) -> None:
    out = from_ipc(to_ipc(starter, columns=["likes", "id"]))
    assert list(out.columns) == ["likes", "id"]
    assert out["id"].tolist() == starter["id"].tolist()
    with pytest.raises(ValueError, match="unknown columns"):
        to_ipc(starter, columns=["id", "nope"])
    with pytest.raises(ValueError, match="twice"):
        to_ipc(starter, columns=["id", "id"])
    with pytest.raises(TypeError, match="list of names"):
        to_ipc(starter, columns="id")


def test_non_string_column_labels_become_names() -> None:
    df = pd.DataFrame({0: [1, 2], "a": ["x", "y"]})
    out = from_ipc(to_ipc(df))
    assert list(out.columns) == ["0", "a"]
    assert out["0"].tolist() == [1, 2]
    _, meta = window(df, 0, 1, columns=["0"])
    assert meta["columns"] == ["0"]


def test_empty_frame_keeps_the_wire_types() -> None:
    buf = to_ipc(empty_frame())
    schema = read_schema(buf)
    for field in schema:
        assert field.type == WIRE_TYPES[field.name], field
    out = from_ipc(buf)
    assert len(out) == 0 and list(out.columns) == list(COLUMN_NAMES)


def test_hand_made_edge_cases() -> None:
    df = pd.DataFrame(
        {
            "f": [1.5, np.nan, 3.0],
            "i": np.array([1, 2, 3], dtype="int64"),
            "big": pd.array([2**60, None, 1], dtype="Int64"),
            "naive": [
                pd.Timestamp("2024-01-01 00:00:00.123456"),
                pd.NaT,
                pd.Timestamp("2024-01-02"),
            ],
            "paris": pd.Series(
                [pd.Timestamp("2024-02-01 00:30"), pd.NaT, pd.Timestamp("2024-02-02")]
            ).dt.tz_localize("Europe/Paris"),
            "b": [True, False, True],
            "nb": pd.array([True, None, False], dtype="boolean"),
            "cat_na": pd.Categorical([None, None, None]),
            "s": pd.Series(["x", None, "z"], dtype="str"),
        }
    )
    buf = to_ipc(df)
    schema = read_schema(buf)
    types = {f.name: f.type for f in schema}
    assert types["f"] == pa.float64() and not schema.field("f").metadata
    assert types["i"] == pa.float64() and schema.field("i").metadata == {INTEGER_KEY: b"true"}
    # beyond 2**53 a float64 would round: the column stays int64 (a BigInt in JS)
    assert types["big"] == pa.int64() and not schema.field("big").metadata
    assert types["naive"] == pa.timestamp("ms")
    assert types["paris"] == pa.timestamp("ms", tz="UTC")
    assert types["b"] == types["nb"] == pa.bool_()
    assert types["cat_na"] == types["s"] == pa.string()

    out = from_ipc(buf)
    assert out["f"].isna().tolist() == [False, True, False]
    assert out["i"].tolist() == [1, 2, 3] and str(out["i"].dtype) == "Int64"
    assert out["big"].tolist()[0] == 2**60 and out["big"].isna().tolist() == [False, True, False]
    assert out["naive"][0] == pd.Timestamp("2024-01-01 00:00:00.123")  # truncated to ms
    assert out["paris"][0] == pd.Timestamp("2024-01-31 23:30", tz="UTC")  # same instant, in UTC
    assert out["nb"].isna().tolist() == [False, True, False]
    assert out["cat_na"].isna().all()
    assert out["s"].tolist()[::2] == ["x", "z"]


def test_values_arrow_cannot_type_raise_type_error() -> None:
    with pytest.raises(TypeError, match="'mixed'"):
        to_ipc(pd.DataFrame({"mixed": [1, "a", object()]}))


def test_wrong_inputs() -> None:
    with pytest.raises(TypeError, match="DataFrame"):
        to_ipc([1, 2])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes"):
        from_ipc("not bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes"):
        from_ipc(123)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not an Arrow IPC stream"):
        from_ipc(b"definitely not arrow")


def test_from_ipc_accepts_any_bytes_like(starter: pd.DataFrame) -> None:
    buf = to_ipc(starter.iloc[:3], columns=["id"])
    for variant in (bytearray(buf), memoryview(buf), pa.py_buffer(buf)):
        assert from_ipc(variant)["id"].tolist() == starter["id"].iloc[:3].tolist()


# ---------------------------------------------------------------------------------------------
# window
# ---------------------------------------------------------------------------------------------


def test_window_rows_and_description(starter: pd.DataFrame) -> None:
    buf, meta = window(starter, 10, 60)
    assert meta == {"start": 10, "stop": 60, "total": len(starter), "columns": list(COLUMN_NAMES)}
    json.dumps(meta)  # goes over the widget comm as JSON
    out = from_ipc(buf)
    assert out["id"].tolist() == starter["id"].iloc[10:60].tolist()
    pd.testing.assert_series_equal(
        out["downloads"], starter["downloads"].iloc[10:60].reset_index(drop=True)
    )


def test_window_columns(starter: pd.DataFrame) -> None:
    buf, meta = window(starter, 0, 5, columns=["id", "tags"])
    assert meta["columns"] == ["id", "tags"]
    assert list(from_ipc(buf).columns) == ["id", "tags"]


@pytest.mark.parametrize(
    ("start", "stop", "expected"),
    [
        (0, 0, (0, 0)),
        (400, 10_000, (400, 437)),  # stop clamped to the end
        (500, 600, (437, 437)),  # past the end: empty, not an error
        (np.int64(3), np.int32(7), (3, 7)),
    ],
)
def test_window_bounds(
    starter: pd.DataFrame, start: Any, stop: Any, expected: tuple[int, int]
) -> None:
    assert len(starter) == 437
    buf, meta = window(starter, start, stop)
    assert (meta["start"], meta["stop"]) == expected
    assert type(meta["start"]) is int and type(meta["stop"]) is int
    assert len(from_ipc(buf)) == expected[1] - expected[0]


@pytest.mark.parametrize(
    ("start", "stop", "error"),
    [
        (-1, 5, ValueError),
        (0, -5, ValueError),
        (10, 5, ValueError),
        (1.0, 5, TypeError),
        (0, "5", TypeError),
        (True, 5, TypeError),
    ],
)
def test_window_validation(
    starter: pd.DataFrame, start: Any, stop: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        window(starter, start, stop)


def test_a_50_row_window_is_small(starter: pd.DataFrame) -> None:
    buf, _ = window(starter, 0, 50)
    size = ipc_size_kb(buf)
    assert size == len(buf) / 1024
    assert size < 64, f"{size:.1f} KB"
    # a window costs what its rows cost, not what the whole frame costs
    assert len(buf) < len(to_ipc(starter)) / 4


def test_ipc_size_kb_inputs() -> None:
    assert ipc_size_kb(b"x" * 2048) == 2.0
    assert ipc_size_kb(pa.py_buffer(b"x" * 512)) == 0.5
    assert ipc_size_kb(memoryview(bytearray(1024))) == 1.0
    with pytest.raises(TypeError):
        ipc_size_kb("text")  # type: ignore[arg-type]


def test_fetched_at_round_trips_as_an_instant(round_trip: pd.DataFrame) -> None:
    assert round_trip["fetched_at"].iloc[0] == datetime(2026, 8, 1, tzinfo=timezone.utc)
