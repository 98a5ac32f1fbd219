"""Snapshot files: Catalog.to_parquet / Catalog.read_parquet round trips and every bad file."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hubwidgets.core.catalog.catalog import SNAPSHOT_META_KEY, Catalog

UTC = timezone.utc
TAKEN = datetime(2026, 8, 1, 12, 30, 15, 123456, tzinfo=UTC)

CARD = "---\nlicense: mit\n---\n\n# A card\n\nWith text, ünïcode and ``` fences.\n"


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large snapshots are cached under $HUBWIDGETS_CACHE: never the user's own cache here."""
    monkeypatch.setenv("HUBWIDGETS_CACHE", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def carded_catalog(tiny_records: list[dict[str, Any]]) -> Catalog:
    wrapped = {"metadata": {"id": "wrap/with-card", "downloads": 3}, "card": CARD}
    return Catalog.from_records(
        [*tiny_records, wrapped], fetched_at=TAKEN, meta={"name": "tiny", "origin": "tests"}
    )


@pytest.fixture
def snapshot(carded_catalog: Catalog, tmp_path: Path) -> Path:
    return carded_catalog.to_parquet(tmp_path / "tiny.parquet")


def rewrite(src: Path, dst: Path, change: Any) -> Path:
    """Write ``change(table)`` of a snapshot's Arrow table (metadata kept) to ``dst``."""
    table = pq.read_table(src)
    pq.write_table(change(table), dst)
    return dst


def snapshot_meta(table: pa.Table) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(table.schema.metadata[SNAPSHOT_META_KEY])
    return meta


def with_meta(table: pa.Table, meta: Any, raw: bytes | None = None) -> pa.Table:
    body = raw if raw is not None else json.dumps(meta).encode()
    return table.replace_schema_metadata({SNAPSHOT_META_KEY: body})


# ---------------------------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------------------------


def test_round_trip_keeps_the_frame(carded_catalog: Catalog, snapshot: Path) -> None:
    loaded = Catalog.read_parquet(snapshot)
    pd.testing.assert_frame_equal(loaded.df, carded_catalog.df)
    assert len(loaded) == len(carded_catalog) == 14


def test_round_trip_keeps_provenance(carded_catalog: Catalog, tmp_path: Path) -> None:
    path = carded_catalog.to_parquet(tmp_path / "p.parquet", note="for tests", version=3)
    assert path == tmp_path / "p.parquet"
    loaded = Catalog.read_parquet(path)
    assert loaded.source == "snapshot"
    assert loaded.fetched_at == TAKEN
    assert loaded.meta["taken_at"] == TAKEN.isoformat()
    assert loaded.meta["rows"] == 14
    assert loaded.meta["note"] == "for tests"
    assert loaded.meta["version"] == 3
    assert loaded.meta["name"] == "tiny"
    assert loaded.meta["origin"] == "tests"
    assert loaded.meta["source"] == "records"
    assert loaded.meta["path"] == str(path)
    # the rows keep the source they were normalized from
    assert set(loaded.df["source"]) == {"records"}


def test_round_trip_keeps_cards(carded_catalog: Catalog, snapshot: Path) -> None:
    loaded = Catalog.read_parquet(snapshot)
    assert loaded.model("wrap/with-card")["card"] == CARD
    assert loaded.model("gpt2")["card"] is pd.NA
    assert carded_catalog.model("wrap/with-card")["card"] == CARD


def test_round_trip_searches_the_same(carded_catalog: Catalog, snapshot: Path) -> None:
    loaded = Catalog.read_parquet(snapshot)
    for kwargs in (
        {"query": "llama"},
        {"task": "text-generation", "sort": "likes"},
        {"language": "en", "min_params": "100M", "limit": None},
        {"provider": "together", "gated": True},
    ):
        pd.testing.assert_frame_equal(loaded.search(**kwargs), carded_catalog.search(**kwargs))
    pd.testing.assert_frame_equal(loaded.facets(), carded_catalog.facets())


def test_second_generation_is_identical(
    carded_catalog: Catalog, snapshot: Path, tmp_path: Path
) -> None:
    first = Catalog.read_parquet(snapshot)
    again = first.to_parquet(tmp_path / "again.parquet")
    second = Catalog.read_parquet(again)
    pd.testing.assert_frame_equal(second.df, carded_catalog.df)
    assert second.fetched_at == TAKEN
    assert second.meta["path"] == str(again)  # where it was read from, not where the first was
    assert second.model("wrap/with-card")["card"] == CARD
    stored = snapshot_meta(pq.read_table(again))
    assert "path" not in stored


def test_write_is_atomic_and_accepts_str(carded_catalog: Catalog, tmp_path: Path) -> None:
    target = tmp_path / "s.parquet"
    target.write_bytes(b"an older file")
    path = carded_catalog.to_parquet(str(target))
    assert Path(path) == target
    assert [p.name for p in tmp_path.iterdir()] == ["s.parquet"]  # no temporary file left
    pd.testing.assert_frame_equal(Catalog.read_parquet(str(target)).df, carded_catalog.df)


def test_round_trip_without_cards(tiny_catalog: Catalog, tmp_path: Path) -> None:
    path = tiny_catalog.to_parquet(tmp_path / "nocards.parquet")
    loaded = Catalog.read_parquet(path)
    pd.testing.assert_frame_equal(loaded.df, tiny_catalog.df)
    assert loaded.model("gpt2")["card"] is pd.NA


def test_round_trip_empty(tmp_path: Path) -> None:
    empty = Catalog.from_records([], fetched_at=TAKEN)
    loaded = Catalog.read_parquet(empty.to_parquet(tmp_path / "empty.parquet"))
    pd.testing.assert_frame_equal(loaded.df, empty.df)
    assert len(loaded) == 0
    assert loaded.meta["rows"] == 0
    assert loaded.search("x").empty


def test_round_trip_real(
    real_catalog: Catalog, raw_2025_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = real_catalog.to_parquet(tmp_path / "real.parquet")
    loaded = Catalog.read_parquet(path)
    pd.testing.assert_frame_equal(loaded.df, real_catalog.df)
    assert loaded.fetched_at == real_catalog.fetched_at
    with_cards = [r["metadata"]["id"] for r in raw_2025_records if r.get("card")]
    assert len(with_cards) > 900
    for model_id in with_cards[::97]:
        assert loaded.model(model_id)["card"] == real_catalog.model(model_id)["card"]
    for query in ("bert", "opus-mt en", "e"):
        assert loaded.search(query, sort="created")["id"].tolist() == (
            real_catalog.search(query, sort="created")["id"].tolist()
        )


# ---------------------------------------------------------------------------------------------
# bad files: each one a ValueError that names the problem
# ---------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.parquet"
    with pytest.raises(ValueError, match="does not exist") as info:
        Catalog.read_parquet(path)
    assert str(path) in str(info.value)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a directory"):
        Catalog.read_parquet(tmp_path)


def test_parquet_without_snapshot_metadata(snapshot: Path, tmp_path: Path) -> None:
    """A parquet file with every schema column but no hubwidgets provenance."""
    bad = rewrite(snapshot, tmp_path / "bare.parquet", lambda t: t.replace_schema_metadata(None))
    with pytest.raises(ValueError, match="not a hubwidgets snapshot"):
        Catalog.read_parquet(bad)


def test_plain_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"modelId": ["a/b"], "downloads": [1]}), path)
    with pytest.raises(ValueError, match="not a hubwidgets snapshot"):
        Catalog.read_parquet(path)


def test_shared_plain_parquet_file(shared_data: Path) -> None:
    with pytest.raises(ValueError, match="not a hubwidgets snapshot"):
        Catalog.read_parquet(shared_data / "hub-models-2022-75k.parquet")
    with pytest.raises(ValueError, match="not a hubwidgets snapshot"):
        Catalog.read_parquet(shared_data / "trending-feature-extraction-2024-2026.parquet")


def test_truncated_to_half(snapshot: Path, tmp_path: Path) -> None:
    data = snapshot.read_bytes()
    bad = tmp_path / "half.parquet"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable snapshot") as info:
        Catalog.read_parquet(bad)
    assert str(bad) in str(info.value)


@pytest.mark.parametrize("cut", [1, 8, 100])
def test_truncated_tail(snapshot: Path, tmp_path: Path, cut: int) -> None:
    data = snapshot.read_bytes()
    bad = tmp_path / "cut.parquet"
    bad.write_bytes(data[:-cut])
    with pytest.raises(ValueError, match="snapshot"):
        Catalog.read_parquet(bad)


def test_empty_file(tmp_path: Path) -> None:
    bad = tmp_path / "empty.parquet"
    bad.write_bytes(b"")
    with pytest.raises(ValueError, match="not a readable snapshot"):
        Catalog.read_parquet(bad)


def test_random_bytes(tmp_path: Path) -> None:
    bad = tmp_path / "random.parquet"
    bad.write_bytes(np.random.default_rng(7).integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    with pytest.raises(ValueError, match="not a readable snapshot"):
        Catalog.read_parquet(bad)


def test_random_bytes_with_parquet_magic(tmp_path: Path) -> None:
    body = np.random.default_rng(8).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    bad = tmp_path / "magic.parquet"
    bad.write_bytes(b"PAR1" + body + b"PAR1")
    with pytest.raises(ValueError, match="snapshot"):
        Catalog.read_parquet(bad)


@pytest.mark.parametrize(
    ("column", "arrow_type", "have"),
    [
        ("downloads", pa.string(), "string"),
        ("created_at", pa.string(), "string"),
        ("gated", pa.int64(), "int64"),
        ("tags", pa.string(), "string"),
        ("task", pa.int64(), "int64"),
        ("params", pa.float64(), "double"),
    ],
)
def test_wrong_column_type(
    snapshot: Path, tmp_path: Path, column: str, arrow_type: pa.DataType, have: str
) -> None:
    def change(table: pa.Table) -> pa.Table:
        i = table.schema.get_field_index(column)
        if arrow_type == pa.string() and pa.types.is_list(table.schema.field(i).type):
            values = pa.array([json.dumps(v) for v in table.column(i).to_pylist()])
        elif arrow_type == pa.int64() and column == "task":
            values = pa.array(range(len(table)), pa.int64())
        else:
            values = table.column(i).cast(arrow_type)
        return table.set_column(i, column, values)

    bad = rewrite(snapshot, tmp_path / "wrongtype.parquet", change)
    with pytest.raises(ValueError, match="wrong type") as info:
        Catalog.read_parquet(bad)
    assert f"{column} is {have}" in str(info.value)


def test_missing_column(snapshot: Path, tmp_path: Path) -> None:
    bad = rewrite(snapshot, tmp_path / "nolikes.parquet", lambda t: t.drop_columns(["likes"]))
    with pytest.raises(ValueError, match=r"missing columns \['likes'\]"):
        Catalog.read_parquet(bad)


def test_rows_fewer_than_recorded(snapshot: Path, tmp_path: Path) -> None:
    bad = rewrite(snapshot, tmp_path / "fewer.parquet", lambda t: t.slice(0, 5))
    with pytest.raises(ValueError, match="it says 14 rows but holds 5"):
        Catalog.read_parquet(bad)


def test_rows_more_than_recorded(snapshot: Path, tmp_path: Path) -> None:
    def change(table: pa.Table) -> pa.Table:
        meta = snapshot_meta(table)
        meta["rows"] = 99
        return with_meta(table, meta)

    bad = rewrite(snapshot, tmp_path / "rows.parquet", change)
    with pytest.raises(ValueError, match="says 99 rows but holds 14"):
        Catalog.read_parquet(bad)


def test_metadata_not_json(snapshot: Path, tmp_path: Path) -> None:
    bad = rewrite(snapshot, tmp_path / "nojson.parquet", lambda t: with_meta(t, None, b"{rows: "))
    with pytest.raises(ValueError, match="snapshot metadata"):
        Catalog.read_parquet(bad)


def test_metadata_not_an_object(snapshot: Path, tmp_path: Path) -> None:
    bad = rewrite(snapshot, tmp_path / "list.parquet", lambda t: with_meta(t, [1, 2]))
    with pytest.raises(ValueError, match="snapshot metadata"):
        Catalog.read_parquet(bad)


def test_null_id(snapshot: Path, tmp_path: Path) -> None:
    def change(table: pa.Table) -> pa.Table:
        ids = table.column("id").to_pylist()
        ids[3] = None
        return table.set_column(0, "id", pa.array(ids, pa.string()))

    bad = rewrite(snapshot, tmp_path / "nullid.parquet", change)
    with pytest.raises(ValueError, match="id"):
        Catalog.read_parquet(bad)


def _flip(data: bytes, at: int, width: int = 16) -> bytes:
    out = bytearray(data)
    for i in range(at, min(at + width, len(data) - 8)):
        out[i] ^= 0xFF
    return bytes(out)


def test_corrupted_footer(snapshot: Path, tmp_path: Path) -> None:
    data = snapshot.read_bytes()
    footer_len = int.from_bytes(data[-8:-4], "little")
    bad = tmp_path / "footer.parquet"
    bad.write_bytes(_flip(data, len(data) - 8 - footer_len + 2, 24))
    with pytest.raises(ValueError, match="snapshot"):
        Catalog.read_parquet(bad)


def test_corruption_never_loads_different_data(
    tiny_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Flip 16-byte blocks across a snapshot's data pages: every corrupted file must either be
    rejected with a ValueError or load exactly the original data, never something else."""
    catalog = Catalog.from_records(tiny_records, fetched_at=TAKEN)
    good = catalog.to_parquet(tmp_path / "good.parquet")
    data = good.read_bytes()
    footer_start = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    bad = tmp_path / "bad.parquet"
    different = []
    for at in range(4, footer_start, 31):
        bad.write_bytes(_flip(data, at))
        try:
            loaded = Catalog.read_parquet(bad)
        except ValueError:
            continue
        try:
            pd.testing.assert_frame_equal(loaded.df, catalog.df)
        except AssertionError:
            different.append(at)
            break
    assert different == []


def test_corruption_raises_only_value_errors(
    tiny_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Whatever the corruption, read_parquet raises ValueError (never another exception)."""
    catalog = Catalog.from_records(tiny_records, fetched_at=TAKEN)
    data = catalog.to_parquet(tmp_path / "good.parquet").read_bytes()
    bad = tmp_path / "bad.parquet"
    for at in range(4, len(data) - 8, 53):
        bad.write_bytes(_flip(data, at))
        with contextlib.suppress(ValueError):  # anything else propagates and fails the test
            Catalog.read_parquet(bad)


def test_failed_read_leaves_no_partial_catalog(snapshot: Path, tmp_path: Path) -> None:
    """A bad file raises before any Catalog exists; a good file at the same path loads whole."""
    data = snapshot.read_bytes()
    path = tmp_path / "same.parquet"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match="snapshot"):
        Catalog.read_parquet(path)
    path.write_bytes(data)
    loaded = Catalog.read_parquet(path)
    assert len(loaded) == 14
    assert loaded.meta["rows"] == 14


def test_bad_taken_at_names_the_file(snapshot: Path, tmp_path: Path) -> None:
    def change(table: pa.Table) -> pa.Table:
        meta = snapshot_meta(table)
        meta["taken_at"] = "yesterday"
        return with_meta(table, meta)

    bad = rewrite(snapshot, tmp_path / "taken.parquet", change)
    with pytest.raises(ValueError, match="taken_at") as info:
        Catalog.read_parquet(bad)
    assert str(bad) in str(info.value)


def test_card_column_of_wrong_type(snapshot: Path, tmp_path: Path) -> None:
    def change(table: pa.Table) -> pa.Table:
        i = table.schema.get_field_index("card")
        return table.set_column(i, "card", pa.array(range(len(table)), pa.int64()))

    bad = rewrite(snapshot, tmp_path / "cardint.parquet", change)
    with pytest.raises(ValueError, match="card"):
        Catalog.read_parquet(bad)
