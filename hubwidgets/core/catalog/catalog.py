"""An in-memory catalog of Hub models: the DataFrame, its index, and search over it.

Snapshots, recorded records and the local cache all become a :class:`Catalog`. The live Hub is a
:class:`~hubwidgets.core.catalog.hub.HubCatalog` with the same methods.
"""

from __future__ import annotations

import difflib
import json
import os
import threading
import warnings
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import _store
from ._index import SearchIndex, intersect
from .normalize import DroppedColumnsWarning, records_frame
from .query import FACETS, RISING, Query, make_query
from .schema import (
    ADDED_COLUMNS,
    CATEGORICAL,
    COLUMN_NAMES,
    arrow_schema,
    conform,
    frame_from_columns,
)
from .searchable import Searchable

__all__ = [
    "SNAPSHOT_FORMAT",
    "SNAPSHOT_META_KEY",
    "Catalog",
    "StoredIndexWarning",
    "UnknownModelError",
]

SNAPSHOT_META_KEY = b"hubwidgets.snapshot"
SNAPSHOT_FORMAT = 1


class UnknownModelError(ValueError, KeyError):
    """A model id the catalog does not hold (a ValueError, and a KeyError for lookups)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class StoredIndexWarning(UserWarning):
    """The index stored with a snapshot is stale, corrupted or foreign: it is rebuilt."""


class Catalog(Searchable):
    """Models as a DataFrame in the schema, searchable in milliseconds on millions of rows.

    Attributes:
        source: 'snapshot', 'records', 'cache' (or 'hub' for the live catalog).
        fetched_at: when the data was taken from its origin (UTC).
        meta: provenance (origin URL or file, date, notes such as approximate fields).
    """

    def __init__(
        self,
        df: pd.DataFrame,
        *,
        source: str = "records",
        fetched_at: datetime | None = None,
        cards: Mapping[str, str] | None = None,
        meta: Mapping[str, Any] | None = None,
    ):
        self._df = _sorted_by_id(conform(df))
        self._arrays = {name: self._df[name].array for name in COLUMN_NAMES}
        self.source = source
        self.fetched_at = fetched_at or datetime.now(timezone.utc)
        self.meta: dict[str, Any] = dict(meta or {})
        self._cards = dict(cards or {})
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()
        self._positions: pd.Index | None = None

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_records(
        cls,
        records: Iterable[Any],
        *,
        source: str = "records",
        fetched_at: datetime | None = None,
        meta: Mapping[str, Any] | None = None,
        as_of: datetime | str | None = None,
    ) -> Catalog:
        """A catalog from raw ``/api/models`` JSON objects of any vintage, ``ModelInfo``s, or a
        DataFrame (or its ``to_dict("records")``) of an exported table.

        Common alternative column names are read as theirs (``modelId``, ``task_category``,
        ``creation_time``...: see ``normalize.ALIASES``); missing cells (NaN, NaT) stay missing;
        columns it does not use are named in one :class:`DroppedColumnsWarning`. The data's
        date (:attr:`fetched_at`) is ``as_of`` (or ``fetched_at``) when given, else the latest
        ``lastModified``/``createdAt`` of the records; ``meta["as_of_source"]`` says which.
        """
        if isinstance(records, (str, bytes, Mapping)):
            raise TypeError(
                "records must be an iterable of model records (dicts or ModelInfo) or a DataFrame"
            )
        df, cards, when, how, dropped = records_frame(
            records, source=source, as_of=as_of if as_of is not None else fetched_at
        )
        if dropped:
            shown = ", ".join(dropped[:10]) + (
                f" and {len(dropped) - 10} more" if len(dropped) > 10 else ""
            )
            warnings.warn(
                f"from_records left out columns it does not use: {shown}",
                DroppedColumnsWarning,
                stacklevel=2,
            )
        meta = {**(meta or {}), "as_of_source": how}
        return cls(df, source=source, fetched_at=when, cards=cards, meta=meta)

    @classmethod
    def read_parquet(cls, path: str | os.PathLike[str]) -> Catalog:
        """Load a snapshot file written by :meth:`to_parquet` or ``hubwidgets snapshot pull``.

        A snapshot pulled by ``hubwidgets snapshot pull`` carries its index in
        ``<file>.index/``: the table and the index are memory-mapped from there, after checking
        that they belong to this very file and are intact (a stale or corrupted one is reported
        in a one-line warning and rebuilt). Otherwise a large snapshot (``_store.MIN_ROWS``
        models or more) is decoded and indexed (with a progress bar) and cached under
        ``$HUBWIDGETS_CACHE``, so that opening it again memory-maps instead.
        """
        path = Path(path)
        meta = open_snapshot(path)[1]
        pfile = _parquet(path)
        n_rows = pfile.metadata.num_rows
        stored, stale = _store.load_stored(path, n_rows)
        if stored is None and stale is not None:
            warnings.warn(
                f"the index stored with {path.name} is {stale}; rebuilding it",
                StoredIndexWarning,
                stacklevel=2,
            )
        large = n_rows >= _store.MIN_ROWS
        found = stored or (_store.load(path) if large else None)
        if found is not None:
            df, index, extras = found
            catalog = cls._from_snapshot(path, df, extras.get("cards", {}), meta)
            catalog._index = index
            return catalog
        catalog = cls._decode_snapshot(path, progress=large, pfile=pfile, meta=meta)
        if stale is not None:  # replace the bad one; a read-only folder: the cache instead
            try:
                _store.save_stored(path, catalog.df, catalog.index, {"cards": catalog._cards})
                return catalog
            except (OSError, pa.ArrowException, TypeError, ValueError):
                pass
        if large:
            _store.save(path, catalog.df, catalog.index, {"cards": catalog._cards})
        return catalog

    @classmethod
    def _decode_snapshot(
        cls,
        path: Path,
        *,
        progress: bool,
        pfile: pq.ParquetFile | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Catalog:
        """Decode the snapshot's parquet and build its index (no stored index, no cache);
        ``progress`` shows a bar of the steps."""
        if meta is None:
            meta = open_snapshot(path)[1]
        if pfile is None:
            pfile = _parquet(path)
        n_rows = pfile.metadata.num_rows
        from huggingface_hub.utils import tqdm as hf_tqdm  # noqa: PLC0415 - only when indexing

        with hf_tqdm(
            total=len(SearchIndex.STEPS) + 1,
            desc=f"indexing {path.name} ({n_rows:,} models, once)",
            unit=" steps",
            disable=not progress,
            name="hubwidgets",
        ) as bar:
            try:
                df = frame_from_columns(lambda name: _read_column(pfile, name, n_rows))
                cards: dict[str, str] = {}
                if "card" in pfile.schema_arrow.names:
                    card_col = pfile.read(columns=["id", "card"])
                    has = card_col.column("card").is_valid()
                    ids = card_col.column("id").filter(has).to_pylist()
                    texts = card_col.column("card").filter(has).to_pylist()
                    cards = dict(zip(ids, texts, strict=True))
            except (pa.ArrowException, OSError) as err:
                raise ValueError(f"{str(path)!r} is not a readable snapshot: {err}") from None
            finally:
                pa.default_memory_pool().release_unused()
            bar.update()
            catalog = cls._from_snapshot(path, df, cards, meta)
            catalog._index = SearchIndex(catalog.df, progress=lambda _step: bar.update())
        return catalog

    @classmethod
    def _from_snapshot(
        cls, path: Path, df: pd.DataFrame, cards: dict[str, str], meta: dict[str, Any]
    ) -> Catalog:
        taken = meta.get("taken_at")
        fetched = datetime.fromisoformat(taken) if taken else None
        meta = {**meta, "path": str(path)}
        return cls(df, source="snapshot", fetched_at=fetched, cards=cards, meta=meta)

    def to_parquet(self, path: str | os.PathLike[str], **meta: Any) -> Path:
        """Write the catalog as a snapshot file (parquet + provenance metadata); returns the path.

        Extra keyword arguments are stored in the provenance (e.g. ``origin=``, ``note=``).
        """
        path = Path(path)
        info = {
            **self.meta,
            **meta,
            "format": SNAPSHOT_FORMAT,
            "source": self.meta.get("source", self.source),
            "taken_at": self.fetched_at.isoformat(),
            "rows": len(self._df),
        }
        info.pop("path", None)
        table = pa.Table.from_pandas(self._df, preserve_index=False)
        table = pa.table(
            [table.column(f.name).cast(f.type) for f in arrow_schema()],
            schema=arrow_schema(),
        )
        cards = [self._cards.get(i) for i in self._df["id"]] if self._cards else None
        if cards is not None:
            table = table.append_column("card", pa.array(cards, pa.string()))
        table = table.replace_schema_metadata({SNAPSHOT_META_KEY: json.dumps(info).encode()})
        tmp = path.with_name(path.name + ".tmp")
        # page checksums: a corrupted page fails to load instead of loading other values
        pq.write_table(table, tmp, compression="zstd", write_page_checksum=True)
        os.replace(tmp, path)  # a reader never sees a half-written snapshot
        return path

    # -- the data ----------------------------------------------------------------------------
    @property
    def df(self) -> pd.DataFrame:
        """All models, one row each, in the schema's columns (sorted by id)."""
        return self._df

    def __len__(self) -> int:
        return len(self._df)

    def __repr__(self) -> str:
        when = self.fetched_at.strftime("%Y-%m-%d")
        origin = self.meta.get("name") or self.meta.get("origin") or self.source
        return f"<Catalog {len(self):,} models from {origin} ({self.source}, {when})>"

    @property
    def index(self) -> SearchIndex:
        """The search index, built on first use (or eagerly by ``open_catalog``)."""
        with self._lock:
            if self._index is None:
                self._index = SearchIndex(self._df)
            return self._index

    def describe_source(self) -> str:
        """One line saying where the data comes from, for status lines."""
        name = self.meta.get("name") or Path(str(self.meta.get("path", ""))).name
        when = self.fetched_at.strftime("%Y-%m-%d")
        label = f"{self.source} {name!r}" if name else self.source
        return f"{label} as of {when}, {len(self):,} models"

    # -- history (issue 17): trends, and the rising sort ----------------------------------------
    _history: pd.DataFrame | None = None
    _gains: np.ndarray | None = None

    def with_history(self, history: pd.DataFrame, *, window: str = "30D") -> Catalog:
        """This catalog with a history attached (``hw.history(...)``): ``search(sort="rising")``
        then orders models by their gain over the last ``window`` of it (models it lacks last),
        and :meth:`trends` uses it. The models and the index are shared, not copied."""
        from .trends import gains_for, growth  # noqa: PLC0415 - history is optional

        growth(history, window)  # validates the history and the window before anything changes
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)
        other.meta = {**self.meta, "history_window": str(window)}
        other._history = history
        other._gains = gains_for(self._df["id"], history, window)
        return other

    @property
    def history(self) -> pd.DataFrame | None:
        """The history attached with :meth:`with_history` (None when there is none)."""
        return self._history

    def trends(
        self, task: str | list[str] | None = None, window: str = "30D", *, history: Any = None
    ) -> Any:
        """Growth rates, new models per task per week and rising models over the last
        ``window`` of ``history`` (default: the one attached with :meth:`with_history`); a
        :class:`~hubwidgets.core.catalog.trends.Trends` with ``.growth``, ``.tasks``,
        ``.new_per_week``, ``.rising`` DataFrames and ``.charts()``. Models the history records
        without a task take this catalog's."""
        from .trends import trends  # noqa: PLC0415

        history = self._history if history is None else history
        if history is None:
            raise ValueError(
                "trends need a history: catalog.trends(history=hw.history(source=...)) or "
                "catalog.with_history(...) first"
            )
        if "task" in history.columns and history["task"].isna().any():
            mine = self._df.set_index("id")["task"].astype("string")
            filled = history["model"].map(mine)
            history = history.assign(task=history["task"].fillna(filled))
        return trends(history, task=task, window=window)

    def _make(self, query: str, filters: dict[str, Any]) -> Query:
        return make_query(
            query, known_tasks=self._known_tasks(), rising=self._gains is not None, **filters
        )

    # -- search ------------------------------------------------------------------------------
    _upstream = False  # a value no model here has matches nothing: refused with close matches

    def _known_tasks(self) -> list[str]:
        return self.index.columns["task"].values

    def _vocabulary(self) -> dict[str, Collection[str]]:
        columns = self.index.columns
        return {
            name: columns[column].lookup
            for name, column in (
                ("library", "library"),
                ("language", "languages"),
                ("license", "license"),
                ("tags", "tags"),
            )
        }

    def _structured_rows(self, q: Query) -> np.ndarray | None:
        """Rows matching every filter but the text words (None: every row), ascending."""
        ix = self.index
        sets: list[np.ndarray] = []
        for field, column in (
            ("task", "task"),
            ("library", "library"),
            ("license", "license"),
            ("author", "author"),
            ("language", "languages"),
            ("tags", "tags"),
            ("provider", "providers"),
        ):
            wanted = getattr(q, field)
            if wanted is not None:
                sets.append(ix.columns[column].rows_for(wanted))
        rows: np.ndarray | None = None
        for s in sorted(sets, key=len):  # smallest first: every intersection stays small
            rows = s if rows is None else intersect(rows, s, ix.k)
        if q.min_params is not None or q.max_params is not None:
            within = rows
            rows = ix.params_rows(q.min_params, q.max_params, within)
            if q.include_unknown_params:
                pool = np.arange(ix.n, dtype=rows.dtype) if within is None else within
                rows = np.union1d(rows, pool[ix.params[pool] < 0]).astype(rows.dtype, copy=False)
        if q.gated is not None:
            gated = ix.gated.get(1 if q.gated else 0)
            rows = gated if rows is None else intersect(rows, gated, ix.k)
        return rows

    def _word_stats(self, q: Query) -> dict[str, tuple[int, float]]:
        """Each query word's (row estimate, index cost), looked up once per query."""
        return self.index.words_stats(q.words)

    def _rows(
        self, q: Query, stats: dict[str, tuple[int, float]] | None = None
    ) -> np.ndarray | None:
        """Row positions matching the whole query (None: every row), ascending."""
        rows = self._structured_rows(q)
        stats = self._word_stats(q) if stats is None else stats
        for word in sorted(q.words, key=lambda w: stats[w][0]):  # most selective first
            if rows is not None and rows.size == 0:
                break  # nothing left for the other words to narrow
            rows = self.index.word_rows(word, within=rows)
        return rows

    def _search(self, q: Query) -> pd.DataFrame:
        ix = self.index
        stop = len(self) if q.limit is None else q.offset + q.limit
        if q.sort == RISING and self._gains is not None:
            from .trends import rising_positions  # noqa: PLC0415

            return self.rows(rising_positions(self._gains, self._rows(q), q.offset, stop))
        picked = None
        stats = self._word_stats(q)
        if q.words and stop <= len(self):
            # Plan: walking the sort order costs about stop / selectivity rows (~100 ns each, a
            # cache miss per row); the index costs its postings merges and checks. Take the
            # cheaper, and give the walk no more than the index would have cost.
            rows = self._structured_rows(q)
            n = max(len(self), 1)
            index_cost = sum(cost for _, cost in stats.values())
            share = min(rows for rows, _ in stats.values()) / n
            if rows is not None:
                share *= rows.size / n
            walk = stop / max(share, 1.0 / n)
            scan_cost = 100.0 * walk + (0.0 if rows is None else 3.0 * rows.size)
            if scan_cost < index_cost:
                budget = int(min(n, index_cost / 100.0 + stop))
                found = ix.scan(q.sort, q.words, rows, stop, budget)
                if found is not None:
                    picked = found[q.offset : stop]
        if picked is None:
            picked = ix.top(self._rows(q, stats), q.sort, q.offset, stop)
        return self.rows(picked)

    def rows(self, positions: np.ndarray) -> pd.DataFrame:
        """The rows at these positions of :attr:`df`, as a new DataFrame indexed 0..n-1.

        Takes each column's array directly: a pandas ``DataFrame.take`` spends about a
        millisecond on per-column overhead, most of a search's time on a page of 50.
        """
        return pd.DataFrame(
            {name: self._arrays[name].take(positions) for name in COLUMN_NAMES}, copy=False
        )

    def _count(self, q: Query) -> int:
        rows = self._rows(q)
        return len(self) if rows is None else int(rows.size)

    def _facets(self, q: Query, top: int | None) -> pd.DataFrame:
        frames = []
        matched: dict[Query, np.ndarray | None] = {}  # facets without a filter share their rows
        for facet, column in FACETS.items():
            other = q.without(facet)
            if other not in matched:
                matched[other] = self._rows(other)
            rows = matched[other]
            col = self.index.columns[column]
            counts = col.counts(rows)
            nonzero = np.flatnonzero(counts)
            order = nonzero[np.lexsort((nonzero, -counts[nonzero]))]
            if top is not None:
                order = order[:top]
            frames.append(
                pd.DataFrame(
                    {
                        "facet": facet,
                        "value": pd.array([col.values[i] for i in order], dtype="string"),
                        "count": counts[order].astype("int64"),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def model(self, model_id: str) -> pd.Series:
        """One model's full record, with its card text under 'card' (NA when not known)."""
        if not isinstance(model_id, str):
            raise TypeError(f"model id must be a string, not {type(model_id).__name__}")
        if self._positions is None:
            self._positions = pd.Index(self._df["id"])
        try:
            pos = self._positions.get_loc(model_id)
        except KeyError:
            raise UnknownModelError(self._unknown_message([model_id])) from None
        row = self._df.iloc[int(pos)].copy()  # type: ignore[arg-type]
        row["card"] = self._cards.get(model_id, pd.NA)
        return row

    def close_ids(self, model_id: str, n: int = 3) -> list[str]:
        """Ids in the catalog that look like ``model_id``."""
        name = model_id.rsplit("/", 1)[-1].lower()
        pool: np.ndarray | None = None
        for size in (len(name), 6, 4, 3):
            if 3 <= size <= len(name):
                found = self.index.word_rows(name[:size])
                if found.size:
                    pool = found[:20_000]
                    break
        if pool is None:
            return []
        ids = [str(i) for i in self._df["id"].to_numpy()[pool]]
        return difflib.get_close_matches(model_id, ids, n=n, cutoff=0.5)

    def _unknown_message(self, ids: list[str]) -> str:
        parts = []
        for model_id in ids:
            near = self.close_ids(model_id)
            hint = f" (close: {', '.join(near)})" if near else ""
            parts.append(f"{model_id!r}{hint}")
        return f"not in this catalog ({self.describe_source()}): " + "; ".join(parts)


def open_snapshot(path: Path) -> tuple[pq.ParquetFile, dict[str, Any]]:
    """(the parquet file, its provenance) of a snapshot, after checking from its footer alone
    that it is a complete one; ValueError naming the file and the problem otherwise."""
    if not path.exists():
        raise ValueError(f"snapshot file {str(path)!r} does not exist")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory, not a snapshot file")
    try:
        pfile = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"{str(path)!r} is not a readable snapshot: {err}") from None
    return pfile, _snapshot_meta(path, pfile)


def _snapshot_meta(path: Path, pfile: pq.ParquetFile) -> dict[str, Any]:
    """The provenance of a snapshot file, after checking it is a complete one."""
    meta_raw = (pfile.schema_arrow.metadata or {}).get(SNAPSHOT_META_KEY)
    if meta_raw is None:
        raise ValueError(
            f"{str(path)!r} is a parquet file but not a hubwidgets snapshot (no snapshot "
            "metadata); write one with Catalog.to_parquet or 'hubwidgets snapshot pull'"
        )
    try:
        meta: dict[str, Any] = json.loads(meta_raw)
    except (ValueError, RecursionError) as err:  # also bytes that are not UTF-8, absurd nesting
        reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)
        raise ValueError(f"{str(path)!r} has unreadable snapshot metadata: {reason}") from None
    if not isinstance(meta, dict):
        raise ValueError(
            f"{str(path)!r} has snapshot metadata that is not a JSON object ({type(meta).__name__})"
        )
    taken = meta.get("taken_at")
    if taken is not None:
        try:
            if not isinstance(taken, str):  # 20261205 would pass as a "basic" ISO date
                raise ValueError
            datetime.fromisoformat(taken)
        except ValueError:
            shown = repr(taken) if len(repr(taken)) <= 60 else repr(taken)[:60] + "..."
            raise ValueError(
                f"{str(path)!r} has a taken_at that is not an ISO date string: {shown}"
            ) from None
    if "card" in pfile.schema_arrow.names:
        card_type = pfile.schema_arrow.field("card").type
        if not (pa.types.is_string(card_type) or pa.types.is_large_string(card_type)):
            raise ValueError(f"{str(path)!r} has a 'card' column of {card_type}, not text")
    names = pfile.schema_arrow.names
    # a snapshot written before a column was added lacks it: it loads as missing values
    missing = [c for c in COLUMN_NAMES if c not in names and c not in ADDED_COLUMNS]
    if missing:
        raise ValueError(f"{str(path)!r} is not a complete snapshot: missing columns {missing}")
    _check_types(path, pfile.schema_arrow)
    rows = pfile.metadata.num_rows
    if meta.get("rows") is not None and meta["rows"] != rows:
        raise ValueError(
            f"{str(path)!r} is truncated or corrupted: it says {meta['rows']} rows but holds {rows}"
        )
    return meta


def _parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(
            path, read_dictionary=list(CATEGORICAL), page_checksum_verification=True
        )
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"{str(path)!r} is not a readable snapshot: {err}") from None


def _read_column(pfile: pq.ParquetFile, name: str, rows: int) -> pa.ChunkedArray:
    """One column of a snapshot; a column added after the snapshot was written (one of
    ``ADDED_COLUMNS``) is all missing."""
    if name not in pfile.schema_arrow.names:
        return pa.chunked_array([pa.nulls(rows, arrow_schema().field(name).type)])
    column = pfile.read(columns=[name]).column(0)
    if name == "id":
        try:  # parquet does not check that text is UTF-8; a bad id would fail much later
            column.validate(full=True)
        except pa.ArrowInvalid as err:
            # read_parquet names the file around this message
            raise pa.ArrowInvalid(f"the id column holds text that is not UTF-8 ({err})") from None
    return column


def _check_types(path: Path, schema: pa.Schema) -> None:
    """Raise ValueError when a snapshot column has a type the schema cannot take."""
    expected = arrow_schema()
    for name in COLUMN_NAMES:
        if name not in schema.names:  # one of ADDED_COLUMNS, in an older snapshot
            continue
        have = schema.field(name).type
        want = expected.field(name).type
        if pa.types.is_dictionary(have):
            have = have.value_type
        if pa.types.is_list(have) and pa.types.is_dictionary(have.value_type):
            have = pa.list_(have.value_type.value_type)
        if have != want and not (have == pa.large_string() and want == pa.string()):
            raise ValueError(
                f"{str(path)!r} has a column of the wrong type: {name} is {have}, not {want}"
            )


def _sorted_by_id(df: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by id, one per id (the last wins), index 0..n-1.

    Snapshots are written sorted, so the usual cost is one vectorized comparison.
    """
    ids = pa.array(df["id"].array, type=pa.string())
    if ids.null_count:
        raise ValueError("every model needs an id; the 'id' column has missing values")
    n = len(ids)
    if n > 1:
        ahead, behind = ids.slice(1), ids.slice(0, n - 1)
        if not pc.all(pc.greater(ahead, behind)).as_py():
            df = df.iloc[np.argsort(np.asarray(ids.to_pylist(), dtype=object), kind="stable")]
            df = df.drop_duplicates("id", keep="last")
    if not isinstance(df.index, pd.RangeIndex) or df.index.start != 0 or df.index.step != 1:
        df = df.reset_index(drop=True)
    return df
