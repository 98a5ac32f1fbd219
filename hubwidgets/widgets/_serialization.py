"""DataFrame <-> Arrow IPC bytes: the one wire format every widget uses to ship rows to the browser.

Why one module: the front-end decodes rows with an Arrow JS reader (flechette; the JS tests
build their fixtures with apache-arrow), which handles plain Arrow types well and some others
badly, so every widget must make the same choices about what goes on the wire. The choices,
column by column:

- list columns (the schema's ``list<dictionary<int32, string>>``) -> ``list<utf8>``: the
  in-memory dictionary codes are a Python-side optimisation, and a per-batch dictionary would
  make JS carry dictionary batches for a 50-row window.
- categoricals and other dictionary columns -> their plain value type (``utf8`` for strings).
- ``large_string`` (pandas' Arrow-backed ``str``/``string`` dtypes) -> ``utf8``.
- timestamps -> ``timestamp[ms]``, UTC when the column has a time zone: JS dates are
  milliseconds, and the JS readers hand ``timestamp[ms]`` to JS as plain numbers (epoch ms), while
  finer units may come back as ``BigInt``. Sub-millisecond precision is truncated.
- ``int64``/``uint64`` (pandas ``Int64`` with ``<NA>`` included) -> ``float64`` with nulls.
  Arrow JS readers may decode 64-bit integers to JS ``BigInt``, which does not mix with
  ``number`` in arithmetic, sorting or ``JSON.stringify``; counts (downloads, likes, params)
  are far below 2**53, so ``float64`` holds them exactly and JS gets ordinary numbers. A column
  with a value beyond 2**53 stays ``int64`` rather than be silently rounded. Converted columns
  carry the field metadata ``{"hubwidgets:integer": "true"}`` so :func:`from_ipc` can give
  ``Int64`` back.
- booleans with ``<NA>`` -> ``bool`` with nulls; floats keep ``NaN`` as null (pandas' missing).

No schema-level metadata is written (``pyarrow.Table.from_pandas`` would add a large ``pandas``
JSON blob describing the index and dtypes, which the browser cannot use), and the index is
dropped: rows are addressed by position, which is what :func:`window` pages over. The stream is
uncompressed because the JS readers cannot read compressed IPC bodies.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, TypeAlias

import pandas as pd
import pyarrow as pa
import traitlets

__all__ = ["INTEGER_KEY", "BytesLike", "Table", "from_ipc", "ipc_size_kb", "to_ipc", "window"]

#: Field-metadata key marking a column that holds integers sent as float64 (see module doc).
INTEGER_KEY = b"hubwidgets:integer"
_INTEGER_META = {INTEGER_KEY: b"true"}

#: What the IPC functions accept as a buffer (``pyarrow.Buffer`` works too, at run time).
BytesLike: TypeAlias = bytes | bytearray | memoryview


def to_ipc(df: pd.DataFrame, *, columns: Sequence[str] | None = None) -> bytes:
    """The DataFrame as an Arrow IPC stream (``pyarrow.ipc.new_stream``), index dropped.

    Args:
        df: any DataFrame; the catalog schema's columns are the case it is tuned for.
        columns: the columns to send, in this order (default: all, in the frame's order).
            Widgets send only the columns a view shows, which keeps a window small.

    Raises:
        TypeError: ``df`` is not a DataFrame, ``columns`` is a bare string, or a column holds
            values Arrow cannot type (e.g. mixed Python objects).
        ValueError: unknown or duplicate column names.
    """
    frame = _check_frame(df)
    names = _column_names(frame, columns)
    fields: list[pa.Field] = []
    arrays: list[pa.ChunkedArray] = []
    labels = {str(c): c for c in frame.columns}  # Arrow names are str; pandas labels may not be
    for name in names:
        arr, integer = _wire_column(frame[labels[name]], name)
        fields.append(pa.field(name, arr.type, metadata=_INTEGER_META if integer else None))
        arrays.append(arr)
    schema = pa.schema(fields)  # no schema metadata: nothing pandas-specific goes on the wire
    table = pa.Table.from_arrays(arrays, schema=schema)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def from_ipc(buf: BytesLike) -> pd.DataFrame:
    """An Arrow IPC stream (as written by :func:`to_ipc`) back into a DataFrame.

    For tests and Python consumers. Columns come back with pandas' nullable dtypes, so a null
    stays ``<NA>``/``NaT``: strings as ``string``, integers marked by :data:`INTEGER_KEY` as
    ``Int64``, booleans as ``boolean``, floats as ``float64`` (null -> ``NaN``), lists as
    ``ArrowDtype(list<string>)``, timestamps as ``datetime64[ms, UTC]``. Categoricals come back
    as strings: the wire format does not say a column was categorical.

    Raises:
        TypeError: ``buf`` is not bytes-like.
        ValueError: ``buf`` is not an Arrow IPC stream.
    """
    view = _memoryview(buf, "from_ipc")
    try:
        table = pa.ipc.open_stream(pa.py_buffer(view)).read_all()
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValueError(f"not an Arrow IPC stream: {exc}") from exc
    for i, field in enumerate(table.schema):
        if field.metadata and field.metadata.get(INTEGER_KEY) == b"true":
            table = table.set_column(i, field.name, table.column(i).cast(pa.int64()))
    out: pd.DataFrame = table.to_pandas(types_mapper=_pandas_dtype)
    return out


def window(
    df: pd.DataFrame, start: int, stop: int, *, columns: Sequence[str] | None = None
) -> tuple[bytes, dict[str, Any]]:
    """Rows ``[start, stop)`` by position as IPC bytes, plus a JSON-able description.

    What a paging or virtual-scrolling view asks for: the description
    ``{"start", "stop", "total", "columns"}`` tells the front-end which rows it got and how many
    exist, so it can size its scrollbar without holding the whole catalog. ``stop`` beyond the
    end is clamped to ``len(df)`` (asking past the end is normal when scrolling), and so is a
    ``start`` beyond the end, which gives an empty window.

    Raises:
        TypeError: ``start``/``stop`` are not integers (bools are refused too).
        ValueError: a negative bound, or ``start > stop`` as asked.
    """
    frame = _check_frame(df)
    lo = _index_arg(start, "start")
    hi = _index_arg(stop, "stop")
    if lo < 0 or hi < 0:
        raise ValueError(f"window bounds must be >= 0, got start={lo}, stop={hi}")
    if lo > hi:
        raise ValueError(f"window start must be <= stop, got start={lo}, stop={hi}")
    total = len(frame)
    hi = min(hi, total)
    lo = min(lo, hi)
    names = _column_names(frame, columns)
    buf = to_ipc(frame.iloc[lo:hi], columns=names)
    return buf, {"start": lo, "stop": hi, "total": total, "columns": list(names)}


def ipc_size_kb(buf: BytesLike) -> float:
    """Size of an IPC buffer in KiB (for logging and for keeping widget messages small)."""
    return _memoryview(buf, "ipc_size_kb").nbytes / 1024


class Table(traitlets.TraitType[pd.DataFrame | None, Any]):
    """A DataFrame trait that serializes itself: Arrow IPC bytes on the wire (:func:`to_ipc`).

    Tag nothing: the trait is synced, kernel-only, and carries its own ``to_json`` (as
    lonboard's table trait does). The page reads it with ``decodeRows(model.get(name))``;
    None is sent as null. Saved widget state holds the bytes, so a view drawn from it shows
    the table with no kernel.

    Args:
        columns: the columns to send, in order (default: all). Columns missing from a frame
            are an error at assignment.
    """

    info_text = "a pandas DataFrame or None"
    default_value = None

    def __init__(self, *, columns: Sequence[str] | None = None, **kwargs: Any) -> None:
        super().__init__(default_value=None, allow_none=True, **kwargs)
        self.columns = tuple(columns) if columns is not None else None
        self.tag(sync=True, kernel=True, to_json=self._to_json)

    def validate(self, obj: Any, value: Any) -> pd.DataFrame | None:
        if value is None:
            return None
        if not isinstance(value, pd.DataFrame):
            self.error(obj, value)
        if self.columns is not None:
            missing = [c for c in self.columns if c not in value.columns]
            if missing:
                raise traitlets.TraitError(f"{self.name}: the DataFrame lacks columns {missing}")
        return value

    def _to_json(self, value: pd.DataFrame | None, _widget: Any) -> bytes | None:
        if value is None:
            return None
        return to_ipc(value, columns=self.columns)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _kind(value: object) -> str:
    return type(value).__name__


def _memoryview(buf: object, fn: str) -> memoryview:
    """Any bytes-like object (bytes, bytearray, memoryview, pyarrow.Buffer) as a memoryview."""
    if isinstance(buf, str):  # a str supports no buffer protocol, but say so plainly
        raise TypeError(f"{fn}() expects the bytes of an Arrow IPC stream, got str")
    try:
        return memoryview(buf)  # type: ignore[arg-type]  # checked here, at run time
    except TypeError:
        raise TypeError(
            f"{fn}() expects the bytes of an Arrow IPC stream, got {_kind(buf)}"
        ) from None


def _check_frame(df: object) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {_kind(df)}")
    return df


def _index_arg(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"window {name} must be an integer, got bool")
    try:
        return operator.index(value)  # type: ignore[arg-type]  # int, numpy integers, ...
    except TypeError:
        raise TypeError(f"window {name} must be an integer, got {_kind(value)}") from None


def _column_names(frame: pd.DataFrame, columns: Sequence[str] | None) -> list[str]:
    existing = [str(c) for c in frame.columns]
    if len(set(existing)) != len(existing):
        dupes = sorted({c for c in existing if existing.count(c) > 1})
        raise ValueError(f"the DataFrame has duplicate column names {dupes}")
    if columns is None:
        return existing
    if isinstance(columns, str):
        raise TypeError(
            f"columns must be a list of names, not a string; did you mean [{columns!r}]?"
        )
    names = list(columns)
    unknown = [c for c in names if c not in existing]
    if unknown:
        raise ValueError(f"unknown columns {unknown}; the DataFrame has {existing}")
    if len(set(names)) != len(names):
        raise ValueError(f"columns lists a name twice: {names}")
    return names


def _wire_column(series: pd.Series[Any], name: str) -> tuple[pa.ChunkedArray, bool]:
    """One column as the Arrow array sent, and whether it is integers sent as float64."""
    try:
        arr = pa.array(series, from_pandas=True)  # from_pandas: NaN/NaT/None -> null
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise TypeError(f"column {name!r} ({series.dtype}) cannot go to Arrow: {exc}") from exc
    chunked = arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr], arr.type)
    target = _wire_type(chunked.type)
    if isinstance(series.dtype, pd.CategoricalDtype) and len(series.dtype.categories) == 0:
        # no categories (an empty or all-missing column): pandas cannot say the value type, and
        # labels are what a categorical holds, so send utf8 nulls rather than Arrow's null type
        target = pa.string()
    if target != chunked.type:
        # unsafe only for what _wire_type changes lossily: timestamps truncated to ms
        chunked = chunked.cast(target, safe=False)
    if pa.types.is_int64(chunked.type) or pa.types.is_uint64(chunked.type):
        try:  # safe cast: refuses (ArrowInvalid) any value float64 cannot hold exactly
            return chunked.cast(pa.float64(), safe=True), True
        except pa.ArrowInvalid:
            return chunked, False  # beyond 2**53: JS gets BigInt rather than a rounded number
    return chunked, False


def _wire_type(t: pa.DataType) -> pa.DataType:
    """The plain Arrow type sent for ``t`` (recursively through lists and structs)."""
    out: pa.DataType = t
    if pa.types.is_dictionary(t):
        out = _wire_type(t.value_type)
    elif pa.types.is_large_string(t) or pa.types.is_string_view(t):
        out = pa.string()
    elif pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        out = pa.binary()
    elif (
        pa.types.is_list(t)
        or pa.types.is_large_list(t)
        or pa.types.is_list_view(t)
        or pa.types.is_large_list_view(t)
    ):
        out = pa.list_(_wire_type(t.value_type))
    elif pa.types.is_struct(t):
        out = pa.struct([f.with_type(_wire_type(f.type)) for f in t])
    elif pa.types.is_timestamp(t):
        out = pa.timestamp("ms", tz="UTC" if t.tz is not None else None)
    return out


def _pandas_dtype(t: pa.DataType) -> Any:
    """``types_mapper`` for :func:`from_ipc`: nullable pandas dtypes, so nulls stay missing."""
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype()
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    if pa.types.is_int64(t):
        return pd.Int64Dtype()
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_struct(t):
        return pd.ArrowDtype(t)
    return None  # default conversion: float64 (null -> NaN), datetime64[ms, UTC], ...
