"""The one schema every model record is normalized into.

One row per model. Missing is missing: a value the source did not give is ``<NA>``/``NaT`` or an
empty list for the list columns is never used to mean "unknown" -- unknown lists are ``<NA>`` too.
Counts are never filled with 0 and strings never with "".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "ADDED_COLUMNS",
    "CATEGORICAL",
    "COLUMNS",
    "LIST_COLUMNS",
    "SORT_KEYS",
    "Column",
    "arrow_schema",
    "empty_frame",
]


@dataclass(frozen=True)
class Column:
    name: str
    arrow_type: pa.DataType
    doc: str


_STR = pa.string()
_LIST = pa.list_(pa.string())
_TS = pa.timestamp("us", tz="UTC")

#: The columns, in order, with their Arrow types and meaning.
COLUMNS: tuple[Column, ...] = (
    Column("id", _STR, "repo id, 'author/name' (a few legacy models have no author part)"),
    Column("author", _STR, "user or organization that owns the repo"),
    Column("task", _STR, "the Hub's pipeline_tag, e.g. 'text-classification'"),
    Column("library", _STR, "library_name, e.g. 'transformers', 'diffusers', 'gguf'"),
    Column("languages", _LIST, "language codes from the card data or language tags"),
    Column("license", _STR, "license id from the card data or a 'license:' tag"),
    Column("tags", _LIST, "all tags as the Hub lists them"),
    Column("downloads", pa.int64(), "downloads over the last 30 days"),
    Column("downloads_all_time", pa.int64(), "downloads since the repo was created"),
    Column("likes", pa.int64(), "likes"),
    Column("trending_score", pa.int64(), "the Hub's trending score"),
    Column("created_at", _TS, "when the repo was created (UTC)"),
    Column("last_modified", _TS, "last commit (UTC)"),
    Column("params", pa.int64(), "total parameter count, from safetensors or gguf metadata"),
    Column("gated", pa.bool_(), "True when access must be requested (auto or manual approval)"),
    Column("private", pa.bool_(), "True for a private repo"),
    Column("base_models", _LIST, "models this one derives from (card data or 'base_model:' tags)"),
    Column("inference", pa.bool_(), "True when served warm by at least one inference provider"),
    Column("providers", _LIST, "inference providers serving it"),
    Column("sha", _STR, "commit sha of the revision described"),
    Column(
        "files",
        _LIST,
        "the repo's file paths at that revision (the record's 'siblings'); <NA> when the record "
        "lists none, as Hub search results do (they are not asked for: too heavy for millions "
        "of rows)",
    ),
    Column(
        "remote_code",
        _LIST,
        "code the config asks to run with trust_remote_code: the files its auto_map and "
        "custom_pipelines name ('module.py', or 'org/repo--module.py' for code in another "
        "repo); [] when the record's config names none; <NA> when the record has no config",
    ),
    Column(
        "scans_done",
        pa.bool_(),
        "the Hub's securityRepoStatus.scansDone: True when the Hub has scanned every file, "
        "False while scans are queued; <NA> when the record carries no securityRepoStatus",
    ),
    Column(
        "files_with_issues",
        _LIST,
        "the Hub's securityRepoStatus.filesWithIssues as 'path (level)', level as the Hub says "
        "it (caution, suspicious, unsafe, error...); [] when the Hub's scan found none; <NA> "
        "when the record carries no securityRepoStatus (unknown, never safe)",
    ),
    Column("source", _STR, "where the row came from: 'hub', 'snapshot', 'cache' or 'records'"),
    Column("fetched_at", _TS, "when the row was fetched from its origin (UTC)"),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)

#: Columns added after the first snapshot format: a snapshot written before them lacks them and
#: loads with every value missing (<NA>), which is what its records said about them.
ADDED_COLUMNS: frozenset[str] = frozenset(
    {"files", "remote_code", "scans_done", "files_with_issues"}
)
LIST_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.arrow_type == _LIST)

#: Public sort keys and the schema column each sorts on (descending, ties by id ascending).
SORT_KEYS: dict[str, str] = {
    "downloads": "downloads",
    "likes": "likes",
    "trending": "trending_score",
    "created": "created_at",
    "modified": "last_modified",
    "params": "params",
}


def arrow_schema() -> pa.Schema:
    """The schema as an Arrow schema (what snapshot files store)."""
    return pa.schema([pa.field(c.name, c.arrow_type) for c in COLUMNS])


#: Columns with few distinct values, held as pandas categoricals (a fraction of the memory, and
#: their codes feed the search index directly).
CATEGORICAL: tuple[str, ...] = ("author", "task", "library", "license", "source")


def pandas_dtypes() -> dict[str, object]:
    """The pandas dtype of each column (nullable extension types, so NA stays NA)."""
    out: dict[str, object] = {}
    for c in COLUMNS:
        t = c.arrow_type
        if c.name in CATEGORICAL:
            out[c.name] = "category"
        elif t == _STR:
            out[c.name] = pd.StringDtype("pyarrow")
        elif t == pa.int64():
            out[c.name] = pd.Int64Dtype()
        elif t == pa.bool_():
            out[c.name] = pd.BooleanDtype()
        elif t == _TS:
            out[c.name] = pd.DatetimeTZDtype("us", "UTC")
        else:  # lists hold dictionary codes in memory: a tag is 4 bytes, not a string
            out[c.name] = pd.ArrowDtype(pa.list_(pa.dictionary(pa.int32(), pa.string())))
    return out


def _dictionary_list(col: pa.ChunkedArray) -> pa.ListArray:
    """list<string> (any chunks) -> one list<dictionary<int32, string>> array, one dictionary."""
    if col.num_chunks == 1 and col.type == pa.list_(pa.dictionary(pa.int32(), pa.string())):
        return col.chunk(0)  # already in memory form (a memory-mapped cache entry): no copy
    col = col.cast(_LIST)
    enc = pc.list_flatten(col).dictionary_encode().unify_dictionaries()
    dictionary = enc.chunks[0].dictionary if enc.num_chunks else pa.array([], pa.string())
    indices = (
        np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in enc.chunks])
        if enc.num_chunks
        else np.empty(0, np.int32)
    )
    values = pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), dictionary)
    offsets: list[np.ndarray] = []
    masks: list[np.ndarray] = []
    base = 0
    for chunk in col.chunks:
        off = chunk.offsets.to_numpy().astype(np.int64)
        offsets.append(off[:-1] - off[0] + base)
        base += int(off[-1] - off[0])
        masks.append(chunk.is_null().to_numpy(zero_copy_only=False))
    offsets.append(np.array([base], dtype=np.int64))
    mask = np.concatenate(masks) if masks else np.empty(0, bool)
    return pa.ListArray.from_arrays(
        pa.array(np.concatenate(offsets).astype(np.int32)),
        values,
        mask=pa.array(mask) if mask.any() else None,
    )


def _column_to_pandas(col: pa.ChunkedArray, c: Column, dtype: object) -> Any:
    if c.name in CATEGORICAL:
        if not pa.types.is_dictionary(col.type):
            col = col.cast(c.arrow_type).dictionary_encode()
        col = col.unify_dictionaries() if col.num_chunks > 1 else col
        values = col.to_pandas()
        cat = (
            values.array
            if isinstance(values.dtype, pd.CategoricalDtype)
            else pd.Categorical(values)
        )
        # sorted categories: the same data gives the same dtype whatever order it came in
        return cat.reorder_categories(sorted(cat.categories))
    if c.arrow_type == _LIST:
        return pd.arrays.ArrowExtensionArray(_dictionary_list(col))
    if col.type != c.arrow_type:
        col = col.cast(c.arrow_type)
    if isinstance(dtype, (pd.ArrowDtype, pd.StringDtype)):
        return pd.array(pd.arrays.ArrowExtensionArray(col), dtype=dtype)  # type: ignore[call-overload]
    arr = col.to_pandas(types_mapper=_MAPPING.get).array
    return arr if str(arr.dtype) == str(dtype) else arr.astype(dtype)


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow table in the schema -> DataFrame with the schema's pandas dtypes."""
    return frame_from_columns(table.column)


def frame_from_columns(column: Callable[[str], pa.ChunkedArray]) -> pd.DataFrame:
    """DataFrame with the schema's pandas dtypes, from a function giving each Arrow column.

    Converted column by column (a reader can hand over one column at a time, so loading never
    holds a file's whole Arrow table next to the DataFrame): strings and lists stay Arrow-backed,
    never Python objects, which keeps a multi-million-row catalog cheap to load and small.
    """
    dtypes = pandas_dtypes()
    data = {c.name: _column_to_pandas(column(c.name), c, dtypes[c.name]) for c in COLUMNS}
    return pd.DataFrame(data, copy=False)


_MAPPING = {
    pa.string(): pd.StringDtype("pyarrow"),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def _has_dtype(series: pd.Series, dtype: object) -> bool:
    if dtype == "category":
        return isinstance(series.dtype, pd.CategoricalDtype)
    return bool(series.dtype == dtype)


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the schema's columns in the schema's dtypes (as it is when it already has
    them); raises ValueError naming a column whose values do not fit its type."""
    missing = [c for c in COLUMN_NAMES if c not in df.columns]
    if missing:
        raise ValueError(f"a catalog DataFrame needs the schema's columns; missing {missing}")
    df = df[list(COLUMN_NAMES)]
    dtypes = pandas_dtypes()
    if all(_has_dtype(df[name], dtypes[name]) for name in COLUMN_NAMES):
        return df
    columns: dict[str, pa.ChunkedArray] = {}
    for c in COLUMNS:
        series = df[c.name]
        try:
            if isinstance(series.dtype, pd.CategoricalDtype):
                series = series.astype(object).where(series.notna(), None)
            arr = pa.array(series, from_pandas=True)
            columns[c.name] = pa.chunked_array([arr.cast(c.arrow_type)])
        except (pa.ArrowException, TypeError, ValueError) as err:
            raise ValueError(f"column {c.name!r} does not hold {c.arrow_type}: {err}") from None
    return frame_from_columns(columns.__getitem__)


def empty_frame() -> pd.DataFrame:
    """A DataFrame with the schema's columns and dtypes and no rows."""
    return table_to_frame(arrow_schema().empty_table())
