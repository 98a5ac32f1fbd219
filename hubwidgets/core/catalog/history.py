"""Model metrics over time: dated snapshots in a directory, or an external daily series.

The Hub's API gives each model's downloads (over the last 30 days) and likes as they are now;
it keeps no history. Pulling a snapshot every day or week into one directory
(``hubwidgets snapshot pull --dir DIR --keep N``) builds one: each file is named by when it was
taken, ``models-YYYY-MM-DDTHHMMSSZ.parquet``, and :func:`history` reads one column of each
(with pyarrow, only the columns asked for) into a long table::

    model  date  value  metric  task  source

A recorded daily series in another shape (the website listings of
``trending-feature-extraction-2024-2026.parquet``: ``id``, ``mined_date`` as DD-MM-YYYY,
``downloads``, ``likes``, ``trending`` rank, ``pipeline_tag``) loads the same way
(:func:`load_history`), as does a DataFrame that already has ``model, date, value``.
Dates are UTC days without a time zone. Rows with no value are left out: a model missing on a
date is unknown on that date, never zero.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from collections.abc import Iterable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .vocab import close_matches

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = [
    "HISTORY_COLUMNS",
    "HISTORY_ENV",
    "METRICS",
    "dated_snapshot_path",
    "history",
    "load_history",
    "newest_snapshot",
    "open_newest",
    "prune_snapshots",
    "snapshot_files",
]

#: Environment variable naming the directory of dated snapshots ``history()`` reads by default.
HISTORY_ENV = "HUBWIDGETS_SNAPSHOTS"

#: Metrics a history holds, and the snapshot column each is read from.
METRICS: dict[str, str] = {
    "downloads": "downloads",
    "likes": "likes",
    "downloads_all_time": "downloads_all_time",
    "trending": "trending_score",
}

#: The columns of a history, in order.
HISTORY_COLUMNS: tuple[str, ...] = ("model", "date", "value", "metric", "task", "source")

_NAME_RE = re.compile(r"^models-(\d{4}-\d{2}-\d{2}T\d{6}Z)\.parquet$")
_NAME_FORMAT = "%Y-%m-%dT%H%M%SZ"

# external daily series: the columns of the website listings (do-me/trending-huggingface-models)
_LISTING_METRICS = {"downloads": "downloads", "likes": "likes", "trending": "trending"}


# -- a directory of dated snapshots -----------------------------------------------------------
def dated_snapshot_path(directory: str | os.PathLike[str], when: datetime | None = None) -> Path:
    """Where a snapshot taken at ``when`` (default now, UTC) goes in ``directory``:
    ``models-YYYY-MM-DDTHHMMSSZ.parquet``."""
    when = datetime.now(timezone.utc) if when is None else when
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return Path(directory) / f"models-{when.strftime(_NAME_FORMAT)}.parquet"


def snapshot_files(directory: str | os.PathLike[str]) -> list[tuple[datetime, Path]]:
    """The dated snapshots in ``directory``, oldest first, as (when taken (UTC), path).

    Only files named ``models-YYYY-MM-DDTHHMMSSZ.parquet`` count; other files are left alone.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(
            f"{str(folder)!r} is not a directory of snapshots; pull into one with "
            "'hubwidgets snapshot pull --dir DIR'"
        )
    found = []
    for path in folder.iterdir():
        match = _NAME_RE.match(path.name)
        if match and path.is_file():
            when = datetime.strptime(match.group(1), _NAME_FORMAT).replace(tzinfo=timezone.utc)
            found.append((when, path))
    return sorted(found)


def newest_snapshot(directory: str | os.PathLike[str]) -> Path:
    """The most recent dated snapshot in ``directory``; ValueError when it holds none."""
    files = snapshot_files(directory)
    if not files:
        raise ValueError(
            f"{str(directory)!r} holds no dated snapshots (models-YYYY-MM-DDTHHMMSSZ.parquet); "
            "pull one with 'hubwidgets snapshot pull --dir DIR'"
        )
    return files[-1][1]


def open_newest(directory: str | os.PathLike[str]) -> Catalog:
    """The newest readable dated snapshot of ``directory`` as a catalog: a corrupt or foreign
    newer file is named in a warning and skipped. ValueError when none is readable."""
    from .catalog import Catalog  # noqa: PLC0415 - the catalog module imports this one

    files = snapshot_files(directory)
    if not files:
        newest_snapshot(directory)  # raises, saying how to pull one
    reasons = []
    for _, path in reversed(files):
        try:
            return Catalog.read_parquet(path)
        except ValueError as err:
            warnings.warn(f"skipped {path.name}: {err}", stacklevel=3)
            reasons.append(f"{path.name}: {err}")
    raise ValueError(f"no readable snapshot in {str(directory)!r}: " + "; ".join(reasons))


def prune_snapshots(directory: str | os.PathLike[str], keep: int) -> list[Path]:
    """Remove the oldest dated snapshots beyond the newest ``keep``; return what was removed."""
    if isinstance(keep, bool) or not isinstance(keep, int):
        raise TypeError(f"keep must be a positive int, not {keep!r}")
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (the snapshot just pulled), not {keep}")
    files = snapshot_files(directory)
    removed = [path for _, path in files[: max(len(files) - keep, 0)]]
    for path in removed:
        path.unlink(missing_ok=True)
        # what lives beside a snapshot goes with it: its stored index, an unfinished pull
        for suffix in (".index", ".partial"):
            beside = path.with_name(path.name + suffix)
            if beside.is_dir():
                shutil.rmtree(beside, ignore_errors=True)
    return removed


# -- reading a history ------------------------------------------------------------------------
def history(
    models: str | Iterable[str] | None = None,
    *,
    metric: str = "downloads",
    since: str | date | datetime | pd.Timestamp | None = None,
    source: str | os.PathLike[str] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One metric of models over time, one row per model and date.

    Args:
        models: a model id or ids (None: every model). Ids the history never saw are simply
            absent from the result.
        metric: ``downloads`` (the Hub's count over the last 30 days), ``likes``,
            ``downloads_all_time`` or ``trending`` (the trending score in snapshots; the
            listing's trending *rank*, 1 = top, in the website series).
        since: first date to include (a date, a datetime or an ISO string).
        source: a directory of dated snapshots, one snapshot file, an external daily series
            (a parquet or CSV file, see :func:`load_history`) or a DataFrame with ``model, date,
            value``. Default: the directory named by ``$HUBWIDGETS_SNAPSHOTS``.

    Returns:
        Columns ``model, date, value, metric, task, source`` (``source``: the file each value was
        read from), sorted by model and date.

    Raises:
        ValueError: no source, an unknown metric (close matches named), a bad date.
    """
    ids = _model_ids(models)
    metric = _check_metric(metric)
    start = _day(since, "since") if since is not None else None
    if source is None:
        env = os.environ.get(HISTORY_ENV)
        if not env:
            raise ValueError(
                "history needs a source: a directory of dated snapshots ('hubwidgets snapshot "
                "pull --dir DIR'), a daily series file or a DataFrame (source=...), or "
                f"${HISTORY_ENV}"
            )
        source = env
    if isinstance(source, pd.DataFrame):
        frame = _from_frame(source, metric)
    else:
        path = Path(source)
        if path.is_dir():
            frame = _from_directory(path, metric, ids)
        elif not path.exists():
            raise ValueError(f"history source {str(path)!r} does not exist")
        else:
            frame = _from_file(path, metric, ids)
    if ids is not None:
        frame = frame[frame["model"].isin(ids)]
    if start is not None:
        frame = frame[frame["date"] >= start]
    return _finish(frame)


def load_history(
    path: str | os.PathLike[str] | pd.DataFrame, *, metric: str = "downloads"
) -> pd.DataFrame:
    """An external daily series (or a directory of dated snapshots) as a history.

    The file may be parquet or CSV in either of two shapes: long (``model, date, value``, with an
    optional ``metric``) or a daily model listing (one row per model and day: ``id``, a date
    column (``mined_date`` DD-MM-YYYY, ``date``, ``taken_at``...) and the metric's column, e.g.
    ``trending-feature-extraction-2024-2026.parquet``). Same result as
    ``history(source=path, metric=metric)``.
    """
    return history(source=path, metric=metric)


def _check_metric(metric: Any) -> str:
    if not isinstance(metric, str):
        raise TypeError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    if metric not in METRICS:
        hint = close_matches(metric, list(METRICS))
        also = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ValueError(f"unknown metric {metric!r}{also}; choose one of: {', '.join(METRICS)}")
    return metric


def _model_ids(models: Any) -> list[str] | None:
    if models is None:
        return None
    if isinstance(models, str):
        return [models]
    if isinstance(models, (bytes, dict)) or not isinstance(models, Iterable):
        raise TypeError(f"models must be a model id or a list of ids, not {type(models).__name__}")
    ids = list(models)
    for m in ids:
        if not isinstance(m, str):
            raise TypeError(f"models takes model ids (strings); got {m!r}")
    return ids


def _day(value: Any, name: str) -> pd.Timestamp:
    """A date as a UTC day without a time zone."""
    if isinstance(value, bool) or not isinstance(value, (str, date, datetime, pd.Timestamp)):
        raise TypeError(f"{name} must be a date, a datetime or an ISO date string, not {value!r}")
    try:
        stamp = pd.Timestamp(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a date; use e.g. '2025-06-01'") from None
    if pd.isna(stamp):
        raise ValueError(f"{name}={value!r} is not a date; use e.g. '2025-06-01'")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize()


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": pd.Series(dtype="string"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "value": pd.Series(dtype="float64"),
            "metric": pd.Series(dtype="string"),
            "task": pd.Series(dtype="string"),
            "source": pd.Series(dtype="string"),
        }
    )


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return _empty()
    if frame.attrs.get("finished"):  # sorted, typed and without missing values already
        frame = frame.reset_index(drop=True)
        frame.attrs.clear()
        return frame
    frame = frame.dropna(subset=["value"])
    frame = frame.sort_values(["model", "date"], kind="stable").reset_index(drop=True)
    return pd.DataFrame(
        {
            "model": frame["model"].astype("string"),
            "date": frame["date"].astype("datetime64[ns]"),
            "value": frame["value"].astype("float64"),
            "metric": frame["metric"].astype("string"),
            "task": frame["task"].astype("string"),
            "source": frame["source"].astype("string"),
        }
    )


def _from_frame(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    missing = [c for c in ("model", "date", "value") if c not in frame.columns]
    if missing:
        raise ValueError(
            f"a history DataFrame needs the columns model, date, value; it lacks {missing} "
            f"(it has {list(frame.columns)[:12]})"
        )
    out = frame.copy()
    if "metric" in out.columns:
        out = out[out["metric"].isna() | (out["metric"] == metric)]
        out["metric"] = metric
    else:
        out["metric"] = metric
    dates = pd.to_datetime(out["date"], utc=True, errors="coerce")
    out["date"] = dates.dt.tz_localize(None).dt.normalize()
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    for column in ("task", "source"):
        if column not in out.columns:
            out[column] = pd.NA
    return out[list(HISTORY_COLUMNS)]


def _from_directory(folder: Path, metric: str, ids: list[str] | None) -> pd.DataFrame:
    # local: the catalog module imports this one (with_history, rising sort)
    from .catalog import open_snapshot  # noqa: PLC0415

    column = METRICS[metric]
    wanted = None if ids is None else pa.array(ids, pa.string())
    frames = []
    for when, path in snapshot_files(folder):
        try:
            pfile, _meta = open_snapshot(path)
            names = pfile.schema_arrow.names
            if column not in names:
                raise ValueError(f"it has no {column!r} column")
            table = pfile.read(columns=["id", column, *(["task"] if "task" in names else [])])
        except (ValueError, pa.ArrowException, OSError) as err:
            # one bad file must not cost the whole history: name it and use the rest
            warnings.warn(f"history: skipped {path.name}: {err}", stacklevel=3)
            continue
        if wanted is not None:
            table = table.filter(pc.is_in(table.column("id"), value_set=wanted))
        n = table.num_rows
        task = (
            table.column("task").to_pandas()
            if "task" in table.column_names
            else pd.Series([pd.NA] * n, dtype="string")
        )
        frames.append(
            pd.DataFrame(
                {
                    "model": table.column("id").to_pandas(),
                    "date": pd.Timestamp(when.replace(tzinfo=None)).normalize(),
                    "value": table.column(column).to_pandas(),
                    "metric": metric,
                    "task": task.astype("string").to_numpy(),
                    "source": path.name,
                }
            )
        )
    if not frames:
        return _empty()
    frame = pd.concat(frames, ignore_index=True)
    # two pulls on one day: the later one is that day's value
    return frame.drop_duplicates(["model", "date"], keep="last")


_DATE_COLUMNS = ("date", "mined_date", "taken_at", "day", "snapshot_date")


def _read_table(path: Path, columns: list[str] | None) -> pa.Table:
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".gz") and ".csv" in path.name.lower():
            from pyarrow import csv  # noqa: PLC0415 - only CSV sources need it

            table = csv.read_csv(path)
            return (
                table.select([c for c in columns if c in table.column_names]) if columns else table
            )
        return pq.read_table(path, columns=columns)
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"{str(path)!r} is not a readable history file: {err}") from None


def _file_names(path: Path) -> list[str]:
    if ".csv" in path.name.lower():
        return list(_read_table(path, None).column_names)
    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"{str(path)!r} is not a readable history file: {err}") from None


def _from_file(path: Path, metric: str, ids: list[str] | None) -> pd.DataFrame:
    names = _file_names(path)
    if "value" in names and "model" in names and "date" in names:  # already long
        cols: list[str] = [c for c in HISTORY_COLUMNS if c in names]
        frame = _read_table(path, cols).to_pandas()
        if "source" not in frame.columns:
            frame["source"] = path.name
        return _from_frame(frame, metric)
    if "id" not in names:
        # a snapshot file (one date) has the schema's columns; anything else is not a history
        raise ValueError(
            f"{str(path)!r} is not a history: it needs model, date, value columns, or a daily "
            f"listing's id, a date column ({', '.join(_DATE_COLUMNS)}) and {metric!r}; "
            f"it has {names[:12]}"
        )
    date_col = next((c for c in _DATE_COLUMNS if c in names), None)
    column = _LISTING_METRICS.get(metric, metric) if date_col else METRICS[metric]
    if column not in names and metric == "trending" and "trending_score" in names:
        column = "trending_score"
    if column not in names:
        have = [m for m, c in {**METRICS, **_LISTING_METRICS}.items() if c in names]
        raise ValueError(
            f"{str(path)!r} has no {metric!r} values; it has: {', '.join(dict.fromkeys(have))}"
        )
    if date_col is None:  # one snapshot file: its single date
        return _from_snapshot_file(path, metric, column)
    task_col = next((c for c in ("task", "pipeline_tag") if c in names), None)
    wanted: list[str] = ["id", date_col, column, *([task_col] if task_col else [])]
    if ".csv" not in path.name.lower():
        return _listing(path, wanted, metric, ids)
    table = _read_table(path, wanted)
    if ids is not None:
        table = table.filter(pc.is_in(table.column("id"), value_set=pa.array(ids, pa.string())))
    dates = _parse_dates(table.column(date_col), path, date_col)
    n = table.num_rows
    return pd.DataFrame(
        {
            "model": table.column("id").to_pandas(),
            "date": dates,
            "value": table.column(column).to_pandas(),
            "metric": metric,
            "task": table.column(task_col).to_pandas() if task_col else [pd.NA] * n,
            "source": path.name,
        }
    ).drop_duplicates(["model", "date"], keep="last")


def _text(array: pa.Array, n: int | None = None) -> pd.Series:
    """Arrow text as a pandas ``string`` Series without a round trip through Python objects
    (one value repeated ``n`` times when ``n`` is given)."""
    if n is not None:
        array = pa.repeat(array[0], n)
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    dtype: Any = pd.StringDtype()  # __from_arrow__: pandas' own Arrow import (not in the stubs)
    return pd.Series(dtype.__from_arrow__(array.cast(pa.string())))


def _listing(path: Path, wanted: list[str], metric: str, ids: list[str] | None) -> pd.DataFrame:
    """A daily listing (parquet) as a finished history, sorted by model and date.

    The ids, days and tasks repeat across the rows (276 models, 721 days in 111,873 rows of
    the recorded series), so they are read dictionary-encoded: the days are parsed once each,
    and the sort runs on integer codes instead of strings.
    """
    id_col, date_col, column = wanted[0], wanted[1], wanted[2]
    task_col = wanted[3] if len(wanted) > 3 else None
    try:
        table = pq.read_table(path, columns=wanted, read_dictionary=[id_col, date_col, *wanted[3:]])
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"{str(path)!r} is not a readable history file: {err}") from None
    table = table.unify_dictionaries().combine_chunks()
    model = table.column(id_col).chunk(0) if table.num_rows else pa.array([], pa.string())
    if table.num_rows == 0 or not pa.types.is_dictionary(model.type):
        return _empty()
    day = table.column(date_col).chunk(0)
    names = model.dictionary.to_numpy(zero_copy_only=False).astype(str)
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.argsort(names, kind="stable")] = np.arange(len(names))
    model_codes = rank[model.indices.to_numpy(zero_copy_only=False)]
    day_values = _parse_dates(pa.chunked_array([day.dictionary]), path, date_col)
    days = day_values.astype("datetime64[ns]").view("int64")[
        day.indices.to_numpy(zero_copy_only=False)
    ]
    values = table.column(column).to_numpy().astype("float64")
    keep = ~np.isnan(values)
    if ids is not None:
        keep &= np.isin(names, ids)[model.indices.to_numpy(zero_copy_only=False)]
    rows = np.flatnonzero(keep)
    order = rows[np.lexsort((days[rows], model_codes[rows]))]
    if order.size:  # the same model twice on one day: the later row is that day's value
        key_m, key_d = model_codes[order], days[order]
        last = np.r_[(key_m[1:] != key_m[:-1]) | (key_d[1:] != key_d[:-1]), True]
        order = order[last]
    take = pa.array(order)
    n = len(order)
    frame = pd.DataFrame(
        {
            "model": _text(model.take(take)),
            "date": days[order].astype("datetime64[ns]"),
            "value": values[order],
            "metric": _text(pa.array([metric]), n),
            "task": _text(table.column(task_col).chunk(0).take(take))
            if task_col
            else pd.Series(pd.NA, index=range(n), dtype="string"),
            "source": _text(pa.array([path.name]), n),
        }
    )
    frame.attrs["finished"] = True
    return frame


def _from_snapshot_file(path: Path, metric: str, column: str) -> pd.DataFrame:
    from .catalog import open_snapshot  # noqa: PLC0415

    pfile, meta = open_snapshot(path)
    taken = meta.get("taken_at")
    when = _day(taken, "taken_at") if taken else pd.Timestamp(path.stat().st_mtime, unit="s")
    table = pfile.read(columns=["id", column, "task"])
    return pd.DataFrame(
        {
            "model": table.column("id").to_pandas(),
            "date": when.normalize(),
            "value": table.column(column).to_pandas(),
            "metric": metric,
            "task": table.column("task").to_pandas(),
            "source": path.name,
        }
    )


def _parse_dates(column: pa.ChunkedArray, path: Path, name: str) -> np.ndarray:
    """Day dates from a date column: timestamps, ISO strings or the listings' DD-MM-YYYY."""
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        stamps = pd.to_datetime(column.to_pandas(), utc=True)
        day: np.ndarray = stamps.dt.tz_localize(None).dt.normalize().to_numpy()
        return day
    text = column.cast(pa.string())
    sample = text.drop_null().slice(0, 1).to_pylist()
    fmt = "%d-%m-%Y" if sample and re.fullmatch(r"\d{2}-\d{2}-\d{4}", sample[0]) else None
    try:
        if fmt is not None:
            # pyarrow parses the whole column in C; the distinct days are few anyway
            parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
            stamps = pd.Series(parsed.to_pandas())
        else:
            stamps = pd.to_datetime(text.to_pandas(), utc=True, format="ISO8601")
            stamps = stamps.dt.tz_localize(None)
    except (ValueError, pa.ArrowException) as err:
        raise ValueError(
            f"{str(path)!r}: the {name!r} column holds a value that is not a date ({err})"
        ) from None
    if stamps.isna().any():
        bad = text.to_pandas()[stamps.isna().to_numpy()].iloc[0]
        raise ValueError(f"{str(path)!r}: the {name!r} column holds {bad!r}, not a date")
    days: np.ndarray = pd.to_datetime(stamps).dt.normalize().astype("datetime64[ns]").to_numpy()
    return days
