"""The index stored with a snapshot (issue 17 item 1): a pulled snapshot carries its search index
in ``<file>.index/`` so that its first open only memory-maps; a stored index that does not match
its snapshot (corrupted, foreign, stale, of another version) is reported in one line and rebuilt,
never used; a snapshot without one still opens."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hubwidgets.core.catalog import _store
from hubwidgets.core.catalog.catalog import Catalog, StoredIndexWarning
from hubwidgets.core.catalog.pull import pull_snapshot
from hubwidgets.testing.hub_server import HubServer


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large snapshots are cached under $HUBWIDGETS_CACHE: never the user's own cache here."""
    monkeypatch.setenv("HUBWIDGETS_CACHE", str(tmp_path_factory.mktemp("cache")))


def _records(n: int, prefix: str) -> list[dict[str, Any]]:
    tasks = ("text-classification", "text-generation", "translation")
    return [
        {
            "id": f"{prefix}-org{i % 7}/model-{i:03d}-{'bert' if i % 3 else 'gpt'}",
            "author": f"{prefix}-org{i % 7}",
            "downloads": (i * 7919) % 10_007,
            "likes": (i * 31) % 97,
            "createdAt": f"2024-{1 + i % 12:02d}-01T00:00:00.000Z",
            "lastModified": f"2025-{1 + i % 12:02d}-02T00:00:00.000Z",
            "library_name": "transformers",
            "pipeline_tag": tasks[i % 3],
            "tags": ["transformers", tasks[i % 3], "license:mit", "en" if i % 2 else "fr"],
            "gated": "manual" if i % 10 == 0 else False,
        }
        for i in range(n)
    ]


RECORDS = _records(120, "acme")
OTHER = _records(90, "zeta")


@pytest.fixture(scope="module")
def server() -> Any:
    with HubServer(RECORDS) as hub:
        yield hub


@pytest.fixture
def pulled(server: HubServer, tmp_path: Path) -> Path:
    return pull_snapshot(
        tmp_path / "hub.parquet", endpoint=server.endpoint, token=False, progress=False
    )


def _answers(cat: Catalog) -> dict[str, Any]:
    """What a user sees: every id in every sort order, word searches, filters and facets."""
    out: dict[str, Any] = {}
    for sort in ("downloads", "likes", "created", "modified"):
        out[sort] = cat.search(sort=sort, limit=None)["id"].tolist()
    out["bert"] = cat.search("bert org3", limit=None)["id"].tolist()
    out["filtered"] = cat.search(task="translation", language="fr", gated=False)["id"].tolist()
    out["facets"] = cat.facets("model").to_dict("list")
    return out


def _open(path: Path) -> tuple[Catalog, list[str]]:
    """Open a snapshot; (catalog, the messages of the StoredIndexWarnings it gave)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cat = Catalog.read_parquet(path)
        cat.index  # noqa: B018 - opening includes the index
    return cat, [str(w.message) for w in caught if issubclass(w.category, StoredIndexWarning)]


def _uses_stored(cat: Catalog, path: Path) -> bool:
    """True when the catalog's index is memory-mapped from the snapshot's stored index."""
    rows = cat.index.trigrams.rows
    folder = _store.stored_index_path(path).resolve()
    return isinstance(rows, np.memmap) and Path(str(rows.filename)).parent == folder


def _flip(file: Path, at: int) -> None:
    data = bytearray(file.read_bytes())
    data[at] ^= 0xFF
    file.write_bytes(bytes(data))


def test_a_pulled_snapshot_carries_its_index_and_opens_from_it(pulled: Path) -> None:
    folder = _store.stored_index_path(pulled)
    assert folder == pulled.with_name("hub.parquet.index")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["version"] == _store.STORED_VERSION
    assert manifest["snapshot"]["size"] == pulled.stat().st_size
    assert {"table.arrow", "meta.json", "trigrams.rows.npy"} <= set(manifest["files"])

    cat, warned = _open(pulled)
    assert warned == []
    assert _uses_stored(cat, pulled)
    reference = Catalog.from_records(RECORDS)
    assert len(cat) == len(RECORDS)
    assert _answers(cat) == _answers(reference)


@pytest.mark.parametrize(
    ("file", "where", "says"),
    [
        ("trigrams.rows.npy", -1, "trigrams.rows.npy fails its checksum"),
        ("table.arrow", "middle", "table.arrow fails its checksum"),
        ("meta.json", "middle", "meta.json fails its checksum"),
        ("manifest.json", "middle", "manifest.json"),
    ],
)
def test_a_corrupted_stored_index_is_rebuilt_never_used(
    pulled: Path, file: str, where: Any, says: str
) -> None:
    expected = _answers(Catalog.from_records(RECORDS))
    target = _store.stored_index_path(pulled) / file
    size = target.stat().st_size
    _flip(target, size // 2 if where == "middle" else size + where)

    cat, warned = _open(pulled)
    assert len(warned) == 1, warned
    assert "\n" not in warned[0]
    assert "hub.parquet" in warned[0] and "rebuilding" in warned[0]
    if file != "manifest.json":
        assert says in warned[0]
    assert not _uses_stored(cat, pulled)
    assert _answers(cat) == expected

    # rebuilt in place: the next open checks out and memory-maps it again
    again, warned = _open(pulled)
    assert warned == []
    assert _uses_stored(again, pulled)
    assert _answers(again) == expected


def test_a_truncated_or_incomplete_stored_index_is_rebuilt(pulled: Path) -> None:
    folder = _store.stored_index_path(pulled)
    with (folder / "tags.rows.npy").open("r+b") as f:
        f.truncate(100)
    cat, warned = _open(pulled)
    assert len(warned) == 1 and "tags.rows.npy has the wrong size" in warned[0]
    assert len(cat) == len(RECORDS)

    (folder / "order.likes.npy").unlink()
    cat, warned = _open(pulled)
    assert len(warned) == 1 and "order.likes.npy" in warned[0]
    assert _answers(cat) == _answers(Catalog.from_records(RECORDS))


def test_a_foreign_index_copied_beside_another_snapshot_is_not_used(
    pulled: Path, tmp_path: Path
) -> None:
    other = Catalog.from_records(OTHER).to_parquet(tmp_path / "other.parquet")
    shutil.copytree(_store.stored_index_path(pulled), _store.stored_index_path(other))

    cat, warned = _open(other)
    assert len(warned) == 1
    assert "other.parquet" in warned[0] and "another snapshot file" in warned[0]
    assert sorted(cat.df["id"]) == sorted(r["id"] for r in OTHER)
    assert _answers(cat) == _answers(Catalog.from_records(OTHER))


def test_a_snapshot_replaced_after_its_index_was_stored_is_reindexed(
    pulled: Path, tmp_path: Path
) -> None:
    # the same size would pass a size check: only the file's checksum tells them apart
    changed = [dict(r, downloads=r["downloads"] + 1) for r in RECORDS]
    Catalog.from_records(changed).to_parquet(pulled)
    cat, warned = _open(pulled)
    assert len(warned) == 1 and "another snapshot file" in warned[0]
    assert _answers(cat) == _answers(Catalog.from_records(changed))
    assert cat.search("model-001")["downloads"].tolist() == [7919 % 10_007 + 1]


def test_an_index_of_another_version_is_rebuilt(pulled: Path) -> None:
    manifest_file = _store.stored_index_path(pulled) / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["version"] = "0.1"
    manifest_file.write_text(json.dumps(manifest))
    cat, warned = _open(pulled)
    assert len(warned) == 1 and "another hubwidgets version" in warned[0]
    assert _answers(cat) == _answers(Catalog.from_records(RECORDS))
    again, warned = _open(pulled)
    assert warned == [] and _uses_stored(again, pulled)


def test_a_snapshot_without_a_stored_index_opens_as_before(tmp_path: Path) -> None:
    path = Catalog.from_records(OTHER).to_parquet(tmp_path / "plain.parquet")
    cat, warned = _open(path)
    assert warned == []
    assert not _store.stored_index_path(path).exists()  # opening writes nothing beside it
    assert _answers(cat) == _answers(Catalog.from_records(OTHER))


def test_a_large_snapshot_without_index_shows_a_progress_bar_then_opens_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    monkeypatch.setattr(_store, "MIN_ROWS", 50)  # "large" for this test: 90 rows
    path = Catalog.from_records(OTHER).to_parquet(tmp_path / "big.parquet")
    first, _ = _open(path)
    err = capsys.readouterr().err
    assert "indexing big.parquet (90 models, once)" in err
    second, _ = _open(path)
    assert "indexing" not in capsys.readouterr().err  # the user cache, memory-mapped
    assert isinstance(second.index.trigrams.rows, np.memmap)
    assert _answers(second) == _answers(first)


def test_write_stored_index_stores_what_a_pull_would(tmp_path: Path) -> None:
    path = Catalog.from_records(OTHER).to_parquet(tmp_path / "s.parquet")
    folder = _store.write_stored_index(path)
    assert folder == _store.stored_index_path(path)
    assert not list(tmp_path.glob(".*tmp*"))  # written via a temporary folder, renamed whole
    cat, warned = _open(path)
    assert warned == [] and _uses_stored(cat, path)


def test_a_copy_of_a_snapshot_and_its_index_is_checked_in_full(
    pulled: Path, tmp_path: Path
) -> None:
    # Opens skip re-reading the files this machine wrote (or checked) and nothing wrote since;
    # a copy is not such a file, even with every modification time kept: damage that left the
    # time as it was (bad media, a faulty copy) is found by the checksums.
    folder = _store.stored_index_path(pulled)
    target = folder / "order.downloads.npy"
    times = target.stat()
    _flip(target, target.stat().st_size - 5)
    os.utime(target, ns=(times.st_atime_ns, times.st_mtime_ns))
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    copied = Path(shutil.copy2(pulled, elsewhere / pulled.name))
    shutil.copytree(folder, _store.stored_index_path(copied))
    cat, warned = _open(copied)
    assert len(warned) == 1 and "order.downloads.npy fails its checksum" in warned[0]
    assert _answers(cat) == _answers(Catalog.from_records(RECORDS))
