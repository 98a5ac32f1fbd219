"""``hw.dataset_rows``: a sample of a Hub dataset (or a local table) as a DataFrame, to start a
benchmark or a batch job from.

>>> rows = hw.dataset_rows("stanfordnlp/imdb", split="test", n=200)
>>> out = hw.apply(rows, "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
...                column="text")

Online, a repo id is read through the dataset viewer's rows API
(``https://datasets-server.huggingface.co/rows?dataset=...&config=...&split=...&offset=...
&length=...``), 100 rows per request at most; with ``config=None`` the first config having
``split`` is used (``/splits?dataset=...``). ``endpoint=`` (or the environment variable
``HUBWIDGETS_DATASETS_SERVER``) points at another server. Offline (``HF_HUB_OFFLINE=1``) or
unreachable, pass a local table instead: a ``datasets.Dataset``, a parquet file or a DataFrame.

Image and audio cells come as the viewer gives them: ``{"src": url, ...}`` (images) and
``[{"src": url, "type": ...}]`` (audio), URLs valid for a limited time.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

__all__ = ["DATASETS_SERVER", "MAX_PAGE", "dataset_rows"]

#: The dataset viewer's API (overridden by ``endpoint=`` or ``HUBWIDGETS_DATASETS_SERVER``).
DATASETS_SERVER = "https://datasets-server.huggingface.co"
#: The most rows the rows API gives per request.
MAX_PAGE = 100
#: Seconds a whole call may take (all pages, retries included).
DEADLINE_S = 60.0

_LOCAL_HINT = (
    "pass a local table instead: a pandas DataFrame, a datasets.Dataset, or the path of a "
    "parquet file"
)


def dataset_rows(
    source: Any,
    *,
    split: str = "train",
    n: int | None = 100,
    config: str | None = None,
    endpoint: str | None = None,
) -> pd.DataFrame:
    """The first ``n`` rows of a dataset as a DataFrame.

    Args:
        source: a Hub dataset id (``"org/name"``: read through the dataset viewer's rows API),
            a ``datasets.Dataset`` (or a ``DatasetDict``, of which ``split`` is taken), the
            path of a parquet file, or a DataFrame.
        split: the split to read ("train", "test", "validation"...).
        n: how many rows (the first ones); None for all of a local table.
        config: the dataset's configuration (subset); None: the first one having ``split``.
        endpoint: the dataset viewer's base URL (default ``HUBWIDGETS_DATASETS_SERVER``, else
            https://datasets-server.huggingface.co).

    Returns:
        A DataFrame of up to ``n`` rows; ``attrs``: ``source`` ("dataset viewer", "datasets",
        "parquet", "DataFrame"), and for the viewer ``dataset``, ``config``, ``split``,
        ``num_rows_total``, ``partial`` (the viewer read only part of a large dataset),
        ``endpoint``, ``fetched_at``.

    Raises:
        ValueError: an unknown dataset, config or split (the message lists the valid ones), a
            dataset id offline or while the viewer cannot be reached (saying to pass a local
            table), a path that is no parquet file.
        TypeError: a source of another kind, a bad ``n``.
    """
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise TypeError(f"n must be a whole number >= 1 (or None for all rows), not {n!r}")
    if not isinstance(split, str) or not split:
        raise TypeError(f"split must be a name such as 'train' or 'test', not {split!r}")
    if isinstance(source, pd.DataFrame):
        out = source.head(n).copy() if n is not None else source.copy()
        out.attrs = {"source": "DataFrame"}
        return out
    kind = type(source).__module__.split(".")[0]
    if kind == "datasets":
        return _from_datasets(source, split, n)
    if isinstance(source, Path) or (
        isinstance(source, str) and (source.endswith(".parquet") or Path(source).exists())
    ):
        return _from_parquet(Path(source).expanduser(), n)
    if isinstance(source, str) and source.strip():
        return _from_viewer(source.strip(), split, n or 100, config, endpoint)
    raise TypeError(
        "source must be a Hub dataset id ('org/name'), a datasets.Dataset, a parquet file's "
        f"path or a DataFrame, not {type(source).__name__}"
    )


def _from_datasets(source: Any, split: str, n: int | None) -> pd.DataFrame:
    if hasattr(source, "keys") and not hasattr(source, "to_pandas"):  # a DatasetDict
        if split not in source:
            raise ValueError(f"no split {split!r}: the dataset has {', '.join(source.keys())}")
        source = source[split]
    if n is not None and len(source) > n:
        source = source.select(range(n))
    out = source.to_pandas()
    out.attrs = {"source": "datasets"}
    return out  # type: ignore[no-any-return]


def _from_parquet(path: Path, n: int | None) -> pd.DataFrame:
    if not path.exists():
        raise ValueError(f"no parquet file at {str(path)!r}")
    try:
        out = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{str(path)!r} is not a readable parquet file ({exc})") from None
    out = out.head(n) if n is not None else out
    out.attrs = {"source": "parquet", "path": str(path)}
    return out


def _offline() -> bool:
    from ..catalog.sources import _offline as offline  # noqa: PLC0415

    return offline()


def _base(endpoint: str | None) -> str:
    base = endpoint or os.environ.get("HUBWIDGETS_DATASETS_SERVER") or DATASETS_SERVER
    if not isinstance(base, str) or urlsplit(base).scheme not in ("http", "https"):
        raise ValueError(f"endpoint must be an http(s) URL, not {base!r}")
    return base.rstrip("/")


def _get(url: str, params: dict[str, Any], what: str) -> Any:
    from ..catalog._http import Deadline, FetchError, get_json  # noqa: PLC0415

    headers: dict[str, str] = {}
    secrets: list[str] = []
    try:
        from huggingface_hub import get_token  # noqa: PLC0415

        token = get_token()
    except Exception:
        token = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
        secrets.append(token)
    try:
        data, _ = get_json(
            url,
            params=params,
            headers=headers,
            deadline=Deadline(DEADLINE_S),
            max_retries=2,
            secrets=secrets,
        )
    except FetchError as exc:
        if exc.status in (400, 401, 404, 422):
            raise ValueError(f"the dataset viewer has no {what}: {exc}") from None
        raise ValueError(
            f"could not read {what} from the dataset viewer at {url} ({exc}): {_LOCAL_HINT}"
        ) from None
    if not isinstance(data, dict):
        raise ValueError(f"the dataset viewer gave an unusable answer for {what}")
    return data


def _pick_config(base: str, dataset: str, split: str) -> str:
    data = _get(f"{base}/splits", {"dataset": dataset}, f"dataset {dataset!r}")
    splits = [s for s in data.get("splits") or [] if isinstance(s, dict)]
    for s in splits:
        if s.get("split") == split:
            return str(s["config"])
    found = sorted({f"{s.get('config')}/{s.get('split')}" for s in splits})
    raise ValueError(
        f"dataset {dataset!r} has no split {split!r}; its config/split pairs: "
        f"{', '.join(found) or 'none'}"
    )


def _from_viewer(
    dataset: str, split: str, n: int, config: str | None, endpoint: str | None
) -> pd.DataFrame:
    if _offline():
        raise ValueError(
            f"HF_HUB_OFFLINE is set, so the dataset viewer cannot give {dataset!r}: {_LOCAL_HINT}"
        )
    base = _base(endpoint)
    if config is None:
        config = _pick_config(base, dataset, split)
    elif not isinstance(config, str) or not config:
        raise TypeError(f"config must be a configuration name or None, not {config!r}")
    rows: list[dict[str, Any]] = []
    names: list[str] = []
    total: int | None = None
    partial = False
    offset = 0
    while offset < n:
        length = min(MAX_PAGE, n - offset)
        page = _get(
            f"{base}/rows",
            {
                "dataset": dataset,
                "config": config,
                "split": split,
                "offset": offset,
                "length": length,
            },
            f"rows {offset}-{offset + length - 1} of {dataset!r} ({config}/{split})",
        )
        if not names:
            names = [str(f.get("name")) for f in page.get("features") or [] if isinstance(f, dict)]
        got = [r.get("row", {}) for r in page.get("rows") or [] if isinstance(r, dict)]
        rows += got
        total = page.get("num_rows_total", total)
        partial = partial or bool(page.get("partial"))
        offset += len(got)
        if len(got) < length or (isinstance(total, int) and offset >= total):
            break
    out = pd.DataFrame(rows, columns=names or None)
    out.attrs = {
        "source": "dataset viewer",
        "dataset": dataset,
        "config": config,
        "split": split,
        "num_rows_total": total,
        "partial": partial,
        "endpoint": base,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return out
