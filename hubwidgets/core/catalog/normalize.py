"""One normalizer: any Hub model record -> a row of the schema.

Accepts every vintage the project meets:

- the 2022 ``/api/models?full=true`` shape (``modelId``, ``lastModified``, ``tags``, ...);
- today's ``/api/models`` / ``/api/models/{id}`` JSON (camelCase: ``createdAt``, ``cardData``,
  ``safetensors``, ``gguf``, ``inferenceProviderMapping``, ``downloadsAllTime``, ...);
- ``huggingface_hub.ModelInfo`` objects, and dicts serialized from them (snake_case);
- the wrapped records of ``hub-model-info-2025.jsonl.gz`` (``{"metadata": {...}, "card": ...}``).

Missing stays missing: nothing is filled with 0 or "".
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

import pandas as pd
import pyarrow as pa
import yaml

from .schema import COLUMN_NAMES, arrow_schema, table_to_frame
from .vocab import is_language_code, libraries

__all__ = [
    "ALIASES",
    "DroppedColumnsWarning",
    "normalize_record",
    "normalize_records",
    "records_frame",
]


class DroppedColumnsWarning(UserWarning):
    """``Catalog.from_records`` was given columns the schema has no place for."""


#: Other names the same facts go by in exported tables and older dumps -> the name read here
#: (e.g. the 2022 ``hub-models`` table's ``task_category`` and ``creation_time``).
ALIASES: dict[str, str] = {
    "model_id": "id",
    "modelId": "id",
    "model": "id",
    "repo_id": "id",
    "task_category": "pipeline_tag",
    "pipelineTag": "pipeline_tag",
    "task": "pipeline_tag",
    "creation_time": "createdAt",
    "created_time": "createdAt",
    "creationTime": "createdAt",
    "created": "createdAt",
    "last_modified_time": "lastModified",
    "modified": "lastModified",
    "updated_at": "lastModified",
    "library": "library_name",
    "libraryName": "library_name",
    "languages": "language",
    "num_parameters": "params",
    "parameters": "params",
    "n_params": "params",
}

_ALIAS_KEYS = frozenset(ALIASES)

# Fields of the Hub's records (any vintage, ModelInfo too) the schema does not keep, on purpose:
# loading them says nothing. Any other column a table brings is named in a warning.
_IGNORED = frozenset(
    [
        "_id",
        "_meta",
        "adapters_count",
        "card",
        "children_count",
        "children_model_count",
        "config",
        "depth",
        "disabled",
        "eval_results",
        "family",
        "mask_token",
        "merges_count",
        "metadata",
        "model_index",
        "model-index",
        "quantized_count",
        "raw",
        "resource_group",
        "siblings",
        "spaces",
        "spaces_count",
        "transformersInfo",
        "transformers_info",
        "usedStorage",
        "used_storage",
        "widgetData",
        "widget_data",
    ]
)
# Every field normalize_record reads (under any of its names)
_READ = frozenset(
    [
        "id",
        "author",
        "pipeline_tag",
        "library_name",
        "tags",
        "cardData",
        "card_data",
        "downloads",
        "downloadsAllTime",
        "downloads_all_time",
        "likes",
        "trendingScore",
        "trending_score",
        "createdAt",
        "created_at",
        "lastModified",
        "last_modified",
        "safetensors",
        "gguf",
        "gated",
        "private",
        "inference",
        "inferenceProviderMapping",
        "inference_provider_mapping",
        "sha",
        "securityRepoStatus",
        "security_repo_status",
        "base_models",
        "license",
        "language",
        "params",
    ]
)

_MISSING = object()
# rfilename='...' in the repr of a huggingface_hub RepoSibling (how the 2025 client stored them)
_SIBLING_REPR = re.compile(r"""rfilename=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA: a table's way of saying a record has no value here."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _canonical(rec: dict[str, Any]) -> dict[str, Any]:
    """The record with its alternative names (:data:`ALIASES`) renamed (a value under the
    usual name wins); the record itself when it uses none (the common case: one set
    intersection)."""
    aliased = rec.keys() & _ALIAS_KEYS
    if not aliased:
        return rec
    out = dict(rec)
    for alias in aliased:
        value = out.pop(alias)
        name = ALIASES[alias]
        if out.get(name) is None:
            out[name] = value
    return out


def _get(rec: Mapping[str, Any], *keys: str) -> Any:
    """First non-None value among ``keys`` (the same field under its camelCase/snake_case names)."""
    for key in keys:
        value = rec.get(key)
        if value is not None:
            return value
    return None


def _as_dict(obj: Any) -> dict[str, Any]:
    """A plain dict view of a record: dicts as they are, ModelInfo-like objects by attributes."""
    if isinstance(obj, Mapping):
        return dict(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if hasattr(obj, "__dict__"):
        return dict(vars(obj))
    raise TypeError(
        f"a model record must be a dict or a huggingface_hub.ModelInfo, not {type(obj).__name__}"
    )


def _card_data(value: Any) -> dict[str, Any]:
    """Card metadata as a dict, whether given as a dict, a ModelCardData or a YAML string."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        out = to_dict()
        return out if isinstance(out, dict) else {}
    return {}


def _str_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value] if value else None
    if isinstance(value, Iterable):
        out = [str(v) for v in value if v is not None and str(v) != ""]
        return out
    return None


def _timestamp(value: Any) -> datetime | None:
    if _missing(value) or value == "":
        return None
    if isinstance(value, datetime):
        ts = value
    else:
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError):
            return None
        if _missing(stamp):
            return None
        ts = stamp.to_pydatetime()
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(timezone.utc)


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _params(rec: Mapping[str, Any]) -> int | None:
    if rec.get("params") is not None:  # a table's own column (num_parameters, params...)
        return _int(rec["params"])
    for key in ("safetensors", "gguf"):
        info = rec.get(key)
        if info is None:
            continue
        total = info.get("total") if isinstance(info, Mapping) else getattr(info, "total", None)
        if total is not None:
            return _int(total)
    return None


def _gated(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() in ("auto", "manual", "true")
    return None


def _inference(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() == "warm"


def _providers(value: Any) -> list[str] | None:
    """Providers serving the model, from the list (list_models) or dict (model_info) shape."""
    if value is None:
        return None
    items: list[tuple[str | None, Any]] = []
    if isinstance(value, Mapping):
        items = [(name, info) for name, info in value.items()]
    elif isinstance(value, Iterable):
        for entry in value:
            if isinstance(entry, Mapping):
                items.append((entry.get("provider"), entry))
            else:
                items.append((getattr(entry, "provider", None), entry))
    out: list[str] = []
    for name, info in items:
        status = info.get("status") if isinstance(info, Mapping) else getattr(info, "status", None)
        if name and status in (None, "live") and name not in out:
            out.append(str(name))
    return out


def _tags_with_prefix(tags: list[str], prefix: str) -> list[str]:
    return [t[len(prefix) :] for t in tags if t.startswith(prefix)]


def _base_models(card: Mapping[str, Any], tags: list[str]) -> list[str] | None:
    from_card = _str_list(card.get("base_model"))
    if from_card:
        return from_card
    plain = [b for b in _tags_with_prefix(tags, "base_model:") if ":" not in b]
    if not plain:  # only relation tags such as 'base_model:finetune:org/name'
        plain = [b.split(":", 1)[1] for b in _tags_with_prefix(tags, "base_model:") if ":" in b]
    seen: list[str] = []
    for b in plain:
        if b not in seen:
            seen.append(b)
    return seen or None


def _languages(card: Mapping[str, Any], tags: list[str]) -> list[str] | None:
    from_card = _str_list(card.get("language"))
    if from_card:
        return from_card
    from_tags = [t for t in tags if is_language_code(t)]
    return from_tags or None


def _license(card: Mapping[str, Any], tags: list[str]) -> str | None:
    value = card.get("license")
    if isinstance(value, list):
        value = value[0] if value else None
    if value:
        return str(value)
    from_tags = _tags_with_prefix(tags, "license:")
    return from_tags[0] if from_tags else None


def _library(rec: Mapping[str, Any], tags: list[str]) -> str | None:
    name = _get(rec, "library_name", "libraryName")
    if name:
        return str(name)
    known = libraries()
    for tag in tags:  # the Hub lists the library among the tags when it knows it
        if tag in known:
            return tag
    return None


def _unrepr(quoted: str) -> str:
    """Undo Python's repr() of a str (quotes, backslash escapes) without eval."""
    body = quoted[1:-1]
    if "\\" not in body:
        return body
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape")


def _sibling_name(entry: Any) -> str | None:
    """One ``siblings`` entry's path: ``{"rfilename": ...}`` (the API's JSON), a
    ``RepoSibling``/``RepoFile`` object, or the repr string of a ``RepoSibling``."""
    if isinstance(entry, Mapping):
        name = entry.get("rfilename", entry.get("path"))
    elif isinstance(entry, str):
        found = _SIBLING_REPR.search(entry)
        name = _unrepr(found.group(1)) if found else None
    else:
        name = getattr(entry, "rfilename", None) or getattr(entry, "path", None)
    return name if isinstance(name, str) and name else None


def _files(value: Any) -> list[str] | None:
    """The repo's file paths from ``siblings`` (None when the record has no list)."""
    if value is None or isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return None
    names = (_sibling_name(entry) for entry in value)
    return list(dict.fromkeys(n for n in names if n))


def _code_targets(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _code_targets(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _code_targets(item)


def _remote_code(config: Any) -> list[str] | None:
    """Code files the config's ``auto_map``/``custom_pipelines`` name, as the repo paths they
    load: ``"modeling_x.MyModel"`` -> ``"modeling_x.py"``, ``"org/repo--modeling_x.MyModel"``
    -> ``"org/repo--modeling_x.py"`` (code in another repo); None without a config."""
    if not isinstance(config, Mapping):
        return None
    found: list[str] = []
    for key in ("auto_map", "custom_pipelines"):
        for target in _code_targets(config.get(key)):
            repo, sep, ref = target.strip().rpartition("--")
            module = ref.rsplit(".", 1)[0] if "." in ref else ""
            if not module:
                continue
            path = module.replace(".", "/") + ".py"
            path = f"{repo}--{path}" if sep else path
            if path not in found:
                found.append(path)
    return sorted(found)


def _security(value: Any) -> tuple[bool | None, list[str] | None]:
    """(scans_done, files_with_issues as 'path (level)') of a ``securityRepoStatus``; (None,
    None) when the record has none."""
    if value is None:
        return None, None
    if not isinstance(value, Mapping):
        value = vars(value) if hasattr(value, "__dict__") else None
        if value is None:
            return None, None
    done = _get(value, "scansDone", "scans_done")
    issues: list[str] = []
    for item in _get(value, "filesWithIssues", "files_with_issues") or []:
        if isinstance(item, Mapping):
            path, level = item.get("path"), item.get("level")
        else:
            path, level = item, None
        if isinstance(path, str) and path:
            issues.append(f"{path} ({level if isinstance(level, str) and level else 'unknown'})")
    return (bool(done) if isinstance(done, bool) else None), issues


def _unwrap(raw: Any) -> tuple[dict[str, Any], str | None]:
    """Record dict and card text, unwrapping the {'metadata': ..., 'card': ...} recordings."""
    rec = _as_dict(raw)
    card = rec.get("card")
    # "N/A" is how the 2025 recordings mark a card that could not be fetched: missing, not text
    card_text = card if isinstance(card, str) and card.strip() not in ("", "N/A") else None
    meta = rec.get("metadata")
    if isinstance(meta, Mapping):
        if not (meta.get("id") or meta.get("modelId")):
            raise ValueError(
                "a failed recording: its 'metadata' holds no model id "
                f"(got keys {sorted(meta)}); leave such records out"
            )
        rec = dict(meta)
    return rec, card_text


def normalize_record(
    raw: Any, *, source: str = "records", fetched_at: datetime | None = None
) -> tuple[dict[str, Any], str | None]:
    """One raw record -> (schema row as a dict, model card text or None).

    Raises ValueError when the record has no model id.
    """
    rec, card_text = _unwrap(raw)
    rec = _canonical(rec)
    model_id = _get(rec, "id", "modelId", "model_id")
    if not model_id or not isinstance(model_id, str):
        raise ValueError(f"a model record needs an 'id' (or 'modelId'); got keys {sorted(rec)}")
    tags = _str_list(rec.get("tags"))
    tag_list = tags or []
    card = _card_data(_get(rec, "cardData", "card_data"))
    for key in ("license", "language"):  # a table's own column, when the card says nothing
        if rec.get(key) is not None and card.get(key) is None:
            card = {**card, key: rec[key]}
    author = _get(rec, "author")
    if not author and "/" in model_id:
        author = model_id.split("/", 1)[0]
    scans_done, files_with_issues = _security(
        _get(rec, "securityRepoStatus", "security_repo_status")
    )
    row: dict[str, Any] = {
        "id": model_id,
        "author": author or None,
        "task": _get(rec, "pipeline_tag", "pipelineTag") or None,
        "library": _library(rec, tag_list),
        "languages": _languages(card, tag_list),
        "license": _license(card, tag_list),
        "tags": tags,
        "downloads": _int(rec.get("downloads")),
        "downloads_all_time": _int(_get(rec, "downloadsAllTime", "downloads_all_time")),
        "likes": _int(rec.get("likes")),
        "trending_score": _int(_get(rec, "trendingScore", "trending_score")),
        "created_at": _timestamp(_get(rec, "createdAt", "created_at")),
        "last_modified": _timestamp(_get(rec, "lastModified", "last_modified")),
        "params": _params(rec),
        "gated": _gated(rec.get("gated")),
        "private": rec.get("private") if isinstance(rec.get("private"), bool) else None,
        "base_models": _base_models(card, tag_list),
        "inference": _inference(rec.get("inference")),
        "providers": _providers(
            _get(rec, "inferenceProviderMapping", "inference_provider_mapping")
        ),
        "sha": rec.get("sha") or None,
        "files": _files(rec.get("siblings")),
        "remote_code": _remote_code(rec.get("config")),
        "scans_done": scans_done,
        "files_with_issues": files_with_issues,
        "source": source,
        "fetched_at": fetched_at,
    }
    return row, card_text


def normalize_records(
    records: Iterable[Any], *, source: str = "records", fetched_at: datetime | None = None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Raw records -> (DataFrame in the schema, {model id: card text}).

    A later record with the same id replaces an earlier one.
    """
    when = fetched_at or datetime.now(timezone.utc)
    rows: dict[str, dict[str, Any]] = {}
    cards: dict[str, str] = {}
    for i, raw in enumerate(records):
        try:
            row, card = normalize_record(raw, source=source, fetched_at=when)
        except ValueError as err:
            raise ValueError(f"record {i}: {err}") from None
        rows[row["id"]] = row
        if card:
            cards[row["id"]] = card
    columns = {name: [r[name] for r in rows.values()] for name in COLUMN_NAMES}
    table = pa.table(columns, schema=arrow_schema())
    return table_to_frame(table), cards


def records_frame(
    records: Iterable[Any], *, source: str = "records", as_of: Any = None
) -> tuple[pd.DataFrame, dict[str, str], datetime, str, list[str]]:
    """Raw records (a DataFrame's rows too) -> (DataFrame in the schema, cards, as_of, where
    as_of comes from, the columns dropped).

    ``as_of`` (a datetime or an ISO date) is the date of the data; without it, the latest
    ``lastModified``/``createdAt`` of the records (the load time only when they have no dates).
    """
    if isinstance(records, pd.DataFrame):
        records = records.to_dict("records")
    seen: set[str] = set()

    def keys(items: Iterable[Any]) -> Iterator[Any]:
        for raw in items:
            if isinstance(raw, Mapping):
                seen.update(str(k) for k in raw)
                # a table's missing cells (NaN, NaT, pd.NA) are missing values, not values
                yield {k: v for k, v in raw.items() if not _missing(v)}
            else:
                yield raw

    when = _timestamp(as_of) if as_of is not None else None
    if as_of is not None and when is None:
        raise ValueError(f"as_of must be a datetime or an ISO date, not {as_of!r}")
    df, cards = normalize_records(keys(records), source=source, fetched_at=when)
    how = "argument"
    if when is None:
        dates = pd.concat([df["last_modified"], df["created_at"]]).dropna()
        if len(dates):
            when = dates.max().to_pydatetime()
            how = "latest lastModified/createdAt of the records"
        else:
            when = datetime.now(timezone.utc)
            how = "load time (the records carry no dates)"
        df["fetched_at"] = pd.Series(when, index=df.index, dtype=df["fetched_at"].dtype)
    known = _READ | _IGNORED | set(ALIASES)
    dropped = sorted(k for k in seen if k not in known)
    return df, cards, when, how, dropped
