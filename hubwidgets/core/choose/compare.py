"""Compare 2 to 8 models side by side: metadata, memory, license, freshness, popularity, evals.

>>> hw.compare(["meta-llama/Llama-2-7b-hf", "mistralai/Mistral-7B-v0.1"], catalog=catalog)

Every derived figure says where it came from: in the wide form each derived column ``X`` has a
sibling ``X_source``; the long form (``tidy=True``) has one row per model and metric with
``model, metric, value, unit, source``. A figure that cannot be known stays NA and its source says
why; nothing is guessed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..catalog.catalog import Catalog, UnknownModelError
from ..catalog.hub import HubCatalog
from ..catalog.schema import COLUMN_NAMES, conform
from ..catalog.searchable import Searchable
from ..catalog.sources import _safetensors_params, open_catalog
from ..governance import VERDICTS, Policy, check
from ..governance.policy import as_policy
from .hardware import available_memory, hardware
from .licenses import license_class
from .memory import (
    BYTES_PER_PARAM,
    kv_cache_bytes,
    load_memory,
    safetensors_bytes_by_dtype,
    weights_size,
)

__all__ = [
    "DERIVED",
    "GOVERNANCE",
    "MAX_MODELS",
    "MIN_MODELS",
    "TIDY_COLUMNS",
    "compare",
    "parse_model_index",
]

MIN_MODELS = 2
MAX_MODELS = 8

_DTYPES = tuple(BYTES_PER_PARAM)

#: The derived columns of the wide form, in order, with their units. Each has a sibling
#: ``<name>_source`` column right after it.
DERIVED: dict[str, str] = {
    "params": "parameters",
    "weights_bytes": "bytes",
    **{f"memory_{d}": "bytes" for d in _DTYPES},
    "kv_cache_bytes": "bytes",
    **{f"fits_{d}": "bool" for d in _DTYPES},
    "license_class": "class",
    "days_since_update": "days",
    "popularity_pct": "percent",
    "inference": "bool",
    "providers": "providers",
    "base_models": "models",
    "children_count": "models",
    "evals": "results",
    "commercial_use": "yes/no/conditional/unknown",
    "commercial_use_reason": "",
    "license_conflict": "",
    "scan_status": "status",
    "verdict": "allow/review/deny",
    "reasons": "reasons",
}

#: The governance columns of :data:`DERIVED`: from one :func:`hw.check` of the compared models.
GOVERNANCE: tuple[str, ...] = (
    "commercial_use",
    "commercial_use_reason",
    "license_conflict",
    "scan_status",
    "verdict",
    "reasons",
)

#: The columns of the long form.
TIDY_COLUMNS: tuple[str, ...] = ("model", "metric", "value", "unit", "source")

_CAUSAL_SUFFIXES = ("ForCausalLM", "LMHeadModel", "ForConditionalGeneration")


@dataclass
class _Details:
    """What a comparison needs beyond the schema row, each with where it came from."""

    files: list[tuple[str, int | None]] | None = None
    files_source: str = "unknown"
    config: dict[str, Any] | None = None
    config_source: str = "unknown"
    safetensors: dict[str, int] | None = None  # dtype -> parameter count
    safetensors_source: str = ""
    params: int | None = None
    params_source: str = ""
    children: int | None = None
    children_source: str = "unknown"
    model_index: Any = None  # the Hub's parsed model-index, when the card has none


def compare(
    models: Sequence[str] | pd.DataFrame | pd.Series,
    *,
    catalog: Searchable | None = None,
    context_length: int = 4096,
    batch_size: int = 1,
    tidy: bool = False,
    policy: Policy | Mapping[str, Any] | str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Compare 2 to 8 models: one row each (or one row per model and metric with ``tidy``).

    Args:
        models: model ids, or a DataFrame with an ``id`` column (e.g. a search widget's
            ``selected``). An id naming a local folder that holds a saved model (a config.json or
            weights) and that the catalog does not hold is read from the folder.
        catalog: where the metadata comes from (default: ``hw.open_catalog()``). For a live
            :class:`HubCatalog` the file list, config.json and tree counts come from the Hub; for
            a snapshot they come from the local Hugging Face cache when the model is there.
        context_length, batch_size: the KV cache is sized for this many tokens and sequences
            (text-generation models only, from their config.json; fp16/bf16 cache).
        tidy: return the long form ``model, metric, value, unit, source``.
        policy: the team policy the ``verdict`` follows: a :class:`hw.Policy`, a dict of its
            keys or a YAML file; None: the default policy (``hw.Policy()``).

    Returns the schema's columns, then for each derived column ``X`` in :data:`DERIVED` the
    pair ``X, X_source``, then ``warning``:

    - ``params``: total parameters (the catalog's, else the safetensors headers / Hub metadata);
    - ``weights_bytes``: size on disk of one weights format (safetensors preferred over pickles,
      then GGUF), from the repo's file list; else from the Hub's safetensors dtype breakdown;
    - ``memory_fp32``, ``memory_fp16/bf16``, ``memory_int8``, ``memory_int4``: bytes to load the
      weights at that dtype (params x 4, 2, 1, 0.5; activations and overhead not counted);
    - ``kv_cache_bytes``: 2 x layers x key/value heads x head dim x context x batch x 2 bytes;
    - ``fits_<dtype>``: weights at that dtype plus the KV cache (when known) fit the largest
      memory of this machine: the biggest GPU's total memory, else the RAM available now (see
      :func:`hw.hardware`);
    - ``license_class``: permissive, copyleft, non-commercial, gated-or-custom or unknown;
    - ``days_since_update``: whole days from ``last_modified`` to now;
    - ``popularity_pct``: percent of the catalog's models of the same task (with known
      downloads) that have fewer or as many downloads; NA on the live Hub, which has no
      distribution to rank in;
    - ``inference``, ``providers``, ``base_models``: the schema's columns (kept in place, as
      lists), with their sources; ``children_count``: fine-tunes, adapters, quantizations and
      merges of the model on the Hub (the model tree), where known;
    - ``evals``: results of the card's ``model-index`` as a list of dicts (task, dataset,
      metric, value);
    - ``commercial_use`` (yes, no, conditional, unknown) and ``commercial_use_reason``,
      ``license_conflict`` (what in the base-model chain the license conflicts with; ``""``:
      none found), ``scan_status`` (safe, caution, unsafe, unscanned...), ``verdict`` (allow,
      review, deny under ``policy``) and ``reasons`` (a list of the policy's reasons): from one
      :func:`hw.check` of the models (``scan="auto"``: local scans only where files are on disk,
      nothing downloaded); the policy applied is ``result.attrs["policy"]``;
    - ``warning``: e.g. ``'different tasks: text-generation, fill-mask'`` on every row when
      the models' tasks differ; empty otherwise.

    Raises:
        ValueError: fewer than 2 or more than 8 models, an id listed twice, an unknown id (the
            message lists every unknown id with close matches), a bad context_length/batch_size,
            a bad policy (an unknown key or value).
        TypeError: ``models`` is not a list of ids or a DataFrame with an ``id`` column; a
            ``policy`` that is not a Policy, dict or YAML file.
    """
    ids = _model_ids(models)
    for name, value in (("context_length", context_length), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, not {value!r}")
    if not isinstance(tidy, bool):
        raise TypeError(f"tidy must be True or False, not {tidy!r}")
    rules = as_policy(policy)
    if catalog is None:
        catalog = open_catalog(verbose=False)
    base, cards, local = _rows(ids, catalog)
    rows = _records(base)
    gatherer = _Gatherer(catalog)
    details = [
        gatherer.local(Path(i)) if i in local else gatherer.details(i, rows[k])
        for k, i in enumerate(ids)
    ]
    device_bytes, device_name = available_memory(hardware())
    percentiles = _popularity(rows, catalog)
    now = datetime.now(timezone.utc)
    tasks = sorted({str(t) for t in (r["task"] for r in rows) if not _missing(t)})
    warning = f"different tasks: {', '.join(tasks)}" if len(tasks) > 1 else ""
    derived = [
        _derive(
            row,
            card,
            det,
            pct,
            now=now,
            context_length=context_length,
            batch_size=batch_size,
            device=(device_bytes, device_name),
        )
        for row, card, det, pct in zip(rows, cards, details, percentiles, strict=True)
    ]
    for figures, governance in zip(derived, _governance(ids, catalog, rules), strict=True):
        figures.update(governance)
    out = _tidy(ids, derived, warning) if tidy else _wide(base, derived, warning)
    out.attrs["policy"] = rules.to_dict()
    return out


def _governance(ids: list[str], catalog: Searchable, rules: Policy) -> list[dict[str, _Figure]]:
    """The governance figures of each model, from one :func:`hw.check` call; NA with the reason
    when the check fails (a governance fact missing must not sink the comparison)."""
    try:
        checked = check(ids, catalog=catalog, policy=rules, scan="auto")
        if len(checked) != len(ids):
            raise ValueError(f"check returned {len(checked)} rows for {len(ids)} models")
    except Exception as err:  # reported in every governance column's source
        why = f"unknown: hw.check failed ({type(err).__name__}: {err!s:.160})"
        return [{name: _Figure(pd.NA, why) for name in GOVERNANCE} for _ in ids]
    decided = f"hw.check under {rules!r}, scan=auto"
    checked.attrs = {}  # findings and trees: pandas would deep-copy them on every row taken
    wanted = (
        "commercial_use",
        "commercial_use_reason",
        "license_source",
        "license_conflict",
        "base_chain_source",
        "scan_status",
        "scan_source",
        "verdict",
        "reasons",
    )
    columns = {c: checked[c].tolist() for c in wanted}
    out: list[dict[str, _Figure]] = []
    for k in range(len(checked)):
        row = {c: columns[c][k] for c in wanted}
        conflict = row["license_conflict"]
        out.append(
            {
                "commercial_use": _Figure(
                    _opt_str(row["commercial_use"]), str(row["license_source"])
                ),
                "commercial_use_reason": _Figure(
                    _opt_str(row["commercial_use_reason"]),
                    str(row["license_source"]),
                ),
                "license_conflict": _Figure(
                    "" if _missing(conflict) or not conflict else str(conflict),
                    f"licenses along the base-model chain: {row['base_chain_source']}",
                ),
                "scan_status": _Figure(_opt_str(row["scan_status"]), str(row["scan_source"])),
                "verdict": _Figure(_opt_str(row["verdict"]), decided),
                "reasons": _Figure([str(r) for r in _as_list(row["reasons"]) or []], decided),
            }
        )
    return out


def _opt_str(value: Any) -> Any:
    return pd.NA if _missing(value) else str(value)


# -- input -----------------------------------------------------------------------------------
def _model_ids(models: Any) -> list[str]:
    if isinstance(models, pd.DataFrame):
        if "id" not in models.columns:
            raise TypeError(
                "a DataFrame of models needs an 'id' column (such as search results or "
                f"search_widget.selected); it has {list(models.columns)}"
            )
        models = models["id"].tolist()
    elif isinstance(models, pd.Series):
        models = models.tolist()
    elif isinstance(models, (str, os.PathLike)):
        raise ValueError(
            f"compare needs {MIN_MODELS} to {MAX_MODELS} models, got one ({os.fspath(models)!r}); "
            "pass a list of ids"
        )
    if not isinstance(models, Iterable):
        raise TypeError(f"models must be a list of ids or a DataFrame, not {type(models).__name__}")
    ids = []
    for item in models:
        m = os.fspath(item) if isinstance(item, os.PathLike) else item
        if not isinstance(m, str) or not m:
            raise TypeError(f"each model must be an id string (or a folder path), not {m!r}")
        ids.append(m)
    if not MIN_MODELS <= len(ids) <= MAX_MODELS:
        raise ValueError(
            f"compare needs {MIN_MODELS} to {MAX_MODELS} models, got {len(ids)}; "
            + ("add another model" if len(ids) < MIN_MODELS else "pick fewer")
        )
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"models listed more than once: {', '.join(map(repr, twice))}")
    return ids


def _is_saved_model(model_id: str) -> bool:
    path = Path(model_id)
    try:
        if not path.is_dir():
            return False
        return (path / "config.json").is_file() or any(path.glob("*.safetensors"))
    except OSError:
        return False


Row = Mapping[str, Any]


def _rows(ids: list[str], catalog: Searchable) -> tuple[pd.DataFrame, list[Any], set[str]]:
    """(the schema rows in the order of ``ids``, their cards, the ids read from local folders);
    ValueError listing every unknown id with its close matches."""
    frames: dict[str, pd.DataFrame] = {}
    cards: dict[str, Any] = {}
    local: set[str] = set()
    unknown: list[str] = []
    messages: list[str] = []
    if isinstance(catalog, Catalog):
        # one take of every row: a DataFrame per model costs milliseconds in pandas overhead
        if catalog._positions is None:
            catalog._positions = pd.Index(catalog.df["id"])
        at = catalog._positions.get_indexer(pd.Index(ids))
        found = [i for i, p in zip(ids, at, strict=True) if p >= 0]
        taken = catalog.rows(at[at >= 0])
        cards = {i: catalog._cards.get(i, pd.NA) for i in found}
        if len(found) == len(ids):
            return taken, [cards[i] for i in ids], local
        frames = {i: taken.iloc[[k]] for k, i in enumerate(found)}
        missing = [i for i, p in zip(ids, at, strict=True) if p < 0]
        unknown_message = catalog._unknown_message
    else:
        missing = ids
    for model_id in missing:
        try:
            row = catalog.model(model_id)  # type: ignore[attr-defined]
        except UnknownModelError as err:
            if _is_saved_model(model_id):
                local.add(model_id)
                frames[model_id], cards[model_id] = _local_row(Path(model_id))
                continue
            unknown.append(model_id)
            messages.append(str(err))
            continue
        cards[model_id] = row.pop("card") if "card" in row.index else pd.NA
        frames[model_id] = pd.DataFrame([row])
    if unknown:
        message = unknown_message(unknown) if isinstance(catalog, Catalog) else "; ".join(messages)
        raise ValueError(f"unknown model ids: {message}")
    base = pd.concat([frames[i] for i in ids], ignore_index=True)
    return conform(base), [cards[i] for i in ids], local


def _records(base: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts of Python values (cheap for a handful of rows)."""
    columns = {c: base[c].tolist() for c in COLUMN_NAMES}
    return [{c: columns[c][k] for c in COLUMN_NAMES} for k in range(len(base))]


def _local_row(path: Path) -> tuple[pd.DataFrame, Any]:
    """A schema row for a saved model folder: what its README front matter says, no more."""
    row: dict[str, Any] = {"id": str(path), "source": "local"}
    readme = path / "README.md"
    card: Any = pd.NA
    if readme.is_file():
        card = readme.read_text("utf-8", errors="replace")
        meta = _front_matter(card) or {}
        for key, col in (
            ("pipeline_tag", "task"),
            ("library_name", "library"),
            ("license", "license"),
        ):
            if isinstance(meta.get(key), str):
                row[col] = meta[key]
    frame = pd.DataFrame([{c: row.get(c) for c in COLUMN_NAMES}])
    return frame, card


# -- details beyond the schema ---------------------------------------------------------------
class _Gatherer:
    """Files, config.json and tree counts: from the live Hub, a local folder or the HF cache."""

    def __init__(self, catalog: Searchable):
        self.catalog = catalog
        self._scan: Any = None
        self._scan_error: str | None = None

    def details(self, model_id: str, row: Row) -> _Details:
        if isinstance(self.catalog, HubCatalog):
            return self.hub(model_id, self.catalog, row)
        return self.cache(model_id, row)

    def hub(self, model_id: str, hub: HubCatalog, row: Row) -> _Details:
        det = _Details()
        try:
            info = hub.api.model_info(model_id, files_metadata=True, timeout=hub.timeout)
        except Exception as err:  # a detail missing must not sink the comparison
            why = f"unknown: the Hub at {hub.endpoint} did not give the file list ({err!r:.120})"
            det.files_source = det.config_source = det.children_source = why
            return det
        where = f"Hub file list at {hub.endpoint}"
        if info.siblings is not None:
            det.files = [(s.rfilename, s.size) for s in info.siblings]
            det.files_source = where
        st = info.safetensors
        if st is not None and st.parameters:
            det.safetensors = {str(k): int(v) for k, v in st.parameters.items()}
            det.safetensors_source = f"Hub safetensors metadata at {hub.endpoint}"
            det.params, det.params_source = int(st.total), det.safetensors_source
        det.children, det.children_source = _hub_children(model_id, hub)
        det.model_index = info.model_index
        if _wants_kv(row, info.config):
            det.config, det.config_source = _hub_config(model_id, hub, info.config)
        else:
            det.config_source = "not needed: not a text-generation model"
        return det

    def local(self, path: Path) -> _Details:
        det = _Details()
        where = f"local folder {str(path)!r}"
        det.files = [
            (p.relative_to(path).as_posix(), p.stat().st_size)
            for p in sorted(path.rglob("*"))
            if p.is_file() and ".git" not in p.parts
        ]
        det.files_source = where
        det.config, det.config_source = _read_config(path / "config.json", where)
        det.params = _safetensors_params(path)
        det.params_source = f"safetensors headers in {where}"
        det.children_source = "unknown: a local folder has no model tree"
        return det

    def cache(self, model_id: str, row: Row) -> _Details:
        """The local Hugging Face cache, when the model has been downloaded; else say so."""
        det = _Details()
        det.children_source = "unknown offline: model-tree counts need the live Hub"
        repo = self._cached_repo(model_id)
        if repo is None:
            why = self._scan_error or "the model is not in the local Hugging Face cache"
            det.files_source = det.config_source = f"unknown offline: {why}"
            return det
        revision = max(repo.revisions, key=lambda r: r.last_modified)
        snapshot = Path(revision.snapshot_path)
        where = f"local HF cache {str(snapshot)!r}"
        det.files = [
            (Path(f.file_path).relative_to(snapshot).as_posix(), int(f.size_on_disk))
            for f in revision.files
        ]
        det.files_source = where
        det.config, det.config_source = _read_config(snapshot / "config.json", where)
        params = _safetensors_params(snapshot)
        if params is not None:
            det.params, det.params_source = params, f"safetensors headers in {where}"
        return det

    def _cached_repo(self, model_id: str) -> Any:
        if self._scan is None and self._scan_error is None:
            from huggingface_hub import constants, scan_cache_dir  # noqa: PLC0415

            try:  # the cache folder as configured now (tests point it elsewhere)
                self._scan = scan_cache_dir(constants.HF_HUB_CACHE)
            except Exception as err:  # CacheNotFound, an unreadable folder...
                self._scan_error = f"no local Hugging Face cache ({err})"
        if self._scan is None:
            return None
        for repo in self._scan.repos:
            if repo.repo_type == "model" and repo.repo_id == model_id and repo.revisions:
                return repo
        return None


def _wants_kv(row: Row, config: Any) -> bool:
    """A KV cache is sized for text-generation models, or causal LMs whose task is unknown."""
    task = row["task"]
    if not _missing(task):
        return bool(task == "text-generation")
    archs = config.get("architectures") if isinstance(config, Mapping) else None
    if not isinstance(archs, list):
        return False
    return any(str(a).endswith(_CAUSAL_SUFFIXES) for a in archs)


def _hub_children(model_id: str, hub: HubCatalog) -> tuple[int | None, str]:
    """The model tree's size: the Hub sends it only when asked with ``expand`` (and ``expand``
    cannot be combined with ``files_metadata``), hence a second, small request."""
    try:
        info = hub.api.model_info(
            model_id,
            expand=["childrenModelCount"],
            timeout=hub.timeout,
        )
    except Exception as err:  # a detail missing must not sink the comparison
        return None, f"unknown: the Hub at {hub.endpoint} did not answer ({type(err).__name__})"
    if info.children_model_count is None:
        return None, f"unknown: the Hub at {hub.endpoint} did not give childrenModelCount"
    return int(info.children_model_count), f"Hub childrenModelCount at {hub.endpoint}"


def _hub_config(model_id: str, hub: HubCatalog, partial: Any) -> tuple[dict[str, Any] | None, str]:
    from huggingface_hub import hf_hub_download  # noqa: PLC0415

    try:
        path = hf_hub_download(
            model_id, "config.json", endpoint=hub.endpoint, token=hub.token, etag_timeout=10
        )
    except Exception as err:  # EntryNotFound, gated, offline...
        if isinstance(partial, Mapping) and "num_hidden_layers" in partial:
            return dict(partial), f"config from the Hub's model_info at {hub.endpoint}"
        name = type(err).__name__
        return None, f"unknown: config.json not available from {hub.endpoint} ({name})"
    return _read_config(Path(path), f"config.json from {hub.endpoint}")


def _read_config(path: Path, where: str) -> tuple[dict[str, Any] | None, str]:
    if not path.is_file():
        return None, f"unknown: no config.json in {where}"
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as err:
        return None, f"unknown: config.json in {where} is unreadable ({err})"
    if not isinstance(data, dict):
        return None, f"unknown: config.json in {where} is not a JSON object"
    return data, f"config.json in {where}"


# -- popularity --------------------------------------------------------------------------------
def _popularity(rows: Sequence[Row], catalog: Searchable) -> list[tuple[float | None, str]]:
    """Percentile of downloads within the task, vectorized over the catalog's columns."""
    if not isinstance(catalog, Catalog):
        why = "unknown: the live Hub gives no download distribution per task; compare on a snapshot"
        return [(None, why)] * len(rows)
    df = catalog.df
    task_col = df["task"]
    codes = task_col.cat.codes.to_numpy()
    categories = task_col.cat.categories
    downloads = df["downloads"].array
    by_task: dict[str, np.ndarray] = {}
    out: list[tuple[float | None, str]] = []
    for row in rows:
        task, mine = row["task"], row["downloads"]
        if row.get("source") == "local":
            out.append((None, "unknown: a local folder is not in the catalog"))
            continue
        if _missing(task) or _missing(mine):
            what = "task" if _missing(task) else "downloads"
            out.append((None, f"unknown: the model's {what} is not known"))
            continue
        if task not in by_task:
            at = np.flatnonzero(codes == categories.get_loc(task))
            values = downloads.take(at)
            by_task[task] = values[~values.isna()].to_numpy(dtype="int64")
        ranked = by_task[task]
        share = np.count_nonzero(ranked <= int(mine)) / len(ranked)
        out.append(
            (
                round(100.0 * float(share), 2),
                f"downloads vs the {len(ranked):,} {task} models with known downloads in "
                f"{catalog.describe_source()}",
            )
        )
    return out


# -- the derived figures -----------------------------------------------------------------------
def _front_matter(card: Any) -> dict[str, Any] | None:
    """The YAML front matter of a model card (None: none or unreadable)."""
    if not isinstance(card, str) or not card.startswith("---"):
        return None
    end = card.find("\n---", 3)
    if end < 0:
        return None
    try:
        data = yaml.load(card[3:end], Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def parse_model_index(model_index: Any) -> list[dict[str, Any]]:
    """Rows ``{model, task, dataset, metric, value}`` of a card's ``model-index`` (the YAML of
    the card's front matter, as loaded); entries that do not have the documented shape are
    skipped."""
    out: list[dict[str, Any]] = []
    if not isinstance(model_index, list):
        return out
    for entry in model_index:
        if not isinstance(entry, Mapping):
            continue
        for result in entry.get("results") or []:
            if not isinstance(result, Mapping):
                continue
            task = result.get("task") or {}
            dataset = result.get("dataset") or {}
            task_name = task.get("type") or task.get("name") if isinstance(task, Mapping) else None
            ds_name = (
                dataset.get("name") or dataset.get("type") if isinstance(dataset, Mapping) else None
            )
            for metric in result.get("metrics") or []:
                if not isinstance(metric, Mapping) or "value" not in metric:
                    continue
                out.append(
                    {
                        "model": entry.get("name"),
                        "task": task_name,
                        "dataset": ds_name,
                        "metric": metric.get("name") or metric.get("type"),
                        "value": metric.get("value"),
                    }
                )
    return out


@dataclass
class _Figure:
    value: Any
    source: str


def _derive(  # noqa: PLR0912, PLR0915, C901 - one section per figure reads best
    row: Row,
    card: Any,
    det: _Details,
    pct: tuple[float | None, str],
    *,
    now: datetime,
    context_length: int,
    batch_size: int,
    device: tuple[int | None, str],
) -> dict[str, _Figure]:
    out: dict[str, _Figure] = {}
    where = f"catalog ({row.get('source')})"

    # params
    if not _missing(row["params"]):
        params: int | None = int(row["params"])
        out["params"] = _Figure(params, f"{where}: safetensors/gguf metadata")
    elif det.params is not None:
        params = det.params
        out["params"] = _Figure(params, det.params_source)
    else:
        params = None
        out["params"] = _Figure(pd.NA, "unknown: no parameter count in the catalog or the files")

    # weights on disk
    size, fmt = (None, None) if det.files is None else weights_size(det.files)
    if size is not None:
        out["weights_bytes"] = _Figure(size, f"{fmt} files in the {det.files_source}")
    elif det.safetensors:
        nbytes, unknown = safetensors_bytes_by_dtype(det.safetensors)
        extra = f" (dtypes {unknown} not counted)" if unknown else ""
        breakdown = ", ".join(f"{k}: {v:,}" for k, v in det.safetensors.items())
        out["weights_bytes"] = _Figure(
            nbytes, f"parameters x dtype size ({breakdown}) from {det.safetensors_source}{extra}"
        )
    elif det.files is not None:
        why = f"sizes of the {fmt} files not given" if fmt else "no weight files listed"
        out["weights_bytes"] = _Figure(pd.NA, f"unknown: {why} in the {det.files_source}")
    else:
        out["weights_bytes"] = _Figure(pd.NA, det.files_source)

    # memory to load
    mem = load_memory(params)
    for dtype, need in mem.items():
        if need is None:
            out[f"memory_{dtype}"] = _Figure(pd.NA, "unknown: parameter count unknown")
        else:
            per = BYTES_PER_PARAM[dtype]
            out[f"memory_{dtype}"] = _Figure(
                int(need), f"params x {per:g} bytes (weights only; activations not counted)"
            )

    # KV cache
    kv: int | None = None
    if det.config is not None and _wants_kv(row, det.config):
        try:
            kv = kv_cache_bytes(det.config, context_length, batch_size)
            out["kv_cache_bytes"] = _Figure(
                kv,
                f"2 x layers x kv heads x head dim x {context_length} tokens x {batch_size} "
                f"x 2 bytes (fp16), {det.config_source}",
            )
        except ValueError as err:
            out["kv_cache_bytes"] = _Figure(pd.NA, f"unknown: {err} ({det.config_source})")
    elif det.config is not None or (not _missing(row["task"]) and row["task"] != "text-generation"):
        out["kv_cache_bytes"] = _Figure(pd.NA, "not applicable: not a text-generation model")
    else:
        out["kv_cache_bytes"] = _Figure(pd.NA, det.config_source)

    # fits this machine
    room, device_name = device
    for dtype in _DTYPES:
        need = mem[dtype]
        if need is None or room is None:
            why = "parameter count unknown" if need is None else device_name
            out[f"fits_{dtype}"] = _Figure(pd.NA, f"unknown: {why}")
            continue
        total = need + (kv or 0)
        what = f"memory_{dtype}" + (" + kv_cache_bytes" if kv else "")
        out[f"fits_{dtype}"] = _Figure(
            bool(total <= room), f"{what} = {_gb(total)} vs {device_name} {_gb(room)}"
        )

    # license
    lic = row["license"]
    lic_id = None if _missing(lic) else str(lic)
    out["license_class"] = _Figure(
        license_class(lic_id),
        f"license {lic_id!r} from the {where}" if lic_id else f"no license in the {where}",
    )

    # freshness
    modified = row["last_modified"]
    if _missing(modified):
        out["days_since_update"] = _Figure(pd.NA, f"unknown: no last_modified in the {where}")
    else:
        days = (pd.Timestamp(now) - pd.Timestamp(modified)).days
        out["days_since_update"] = _Figure(
            int(days), f"last_modified {pd.Timestamp(modified):%Y-%m-%d} to {now:%Y-%m-%d}"
        )

    out["popularity_pct"] = _Figure(*pct)

    # inference availability and the model tree
    inf = row["inference"]
    out["inference"] = _Figure(
        pd.NA if _missing(inf) else bool(inf),
        f"warm status from the {where}" if not _missing(inf) else f"unknown: not in the {where}",
    )
    providers = _as_list(row["providers"])
    out["providers"] = _Figure(
        pd.NA if providers is None else ", ".join(providers),
        f"live providers from the {where}" if providers is not None else "unknown: not known",
    )
    bases = _as_list(row["base_models"])
    out["base_models"] = _Figure(
        pd.NA if bases is None else ", ".join(bases),
        f"card data / base_model tags in the {where}"
        if bases is not None
        else "unknown: none given",
    )
    out["children_count"] = _Figure(
        pd.NA if det.children is None else det.children, det.children_source
    )

    # evals
    front = _front_matter(card)
    if front is not None and front.get("model-index"):
        evals = parse_model_index(front["model-index"])
        out["evals"] = _Figure(evals, "model-index in the card's front matter")
    elif det.model_index:
        out["evals"] = _Figure(parse_model_index(det.model_index), "model-index from the Hub")
    else:
        why = "no model-index in the card" if isinstance(card, str) else "card text not known"
        out["evals"] = _Figure(pd.NA, f"unknown: {why}")
    return out


def _missing(value: Any) -> bool:
    """True for a missing scalar (None, NA, NaN, NaT); plain bool so types are not narrowed."""
    return value is None or value is pd.NA or bool(pd.isna(value))


def _as_list(value: Any) -> list[str] | None:
    if value is None or (not isinstance(value, (list, np.ndarray)) and _missing(value)):
        return None
    return [str(v) for v in value]


def _gb(nbytes: float) -> str:
    return f"{nbytes / 1e9:.2f} GB"


# -- output ------------------------------------------------------------------------------------
_INT_COLUMNS = ("weights_bytes", *(f"memory_{d}" for d in _DTYPES), "kv_cache_bytes")


def _wide(base: pd.DataFrame, derived: list[dict[str, _Figure]], warning: str) -> pd.DataFrame:
    base = base.reset_index(drop=True)
    # filled from the files when the catalog does not know it
    base["params"] = pd.array([d["params"].value for d in derived], dtype="Int64")
    columns: dict[str, Any] = {}
    for name in DERIVED:
        values = [d[name].value for d in derived]
        if name in COLUMN_NAMES:  # the schema column stays as it is, in its place
            pass
        elif name in (*_INT_COLUMNS, "days_since_update", "children_count"):
            columns[name] = pd.array(values, dtype="Int64")
        elif name.startswith("fits_"):
            columns[name] = pd.array(values, dtype="boolean")
        elif name == "popularity_pct":
            columns[name] = pd.array([pd.NA if v is None else v for v in values], dtype="Float64")
        elif name in ("evals", "reasons"):
            columns[name] = pd.Series(values, dtype=object).to_numpy()
        elif name == "verdict":
            columns[name] = pd.Categorical(values, categories=list(VERDICTS))
        else:
            columns[name] = pd.array(values, dtype="string")
        columns[f"{name}_source"] = pd.array([d[name].source for d in derived], dtype="string")
    columns["warning"] = pd.array([warning] * len(base), dtype="string")
    return pd.concat([base, pd.DataFrame(columns)], axis=1)


def _tidy(ids: list[str], derived: list[dict[str, _Figure]], warning: str) -> pd.DataFrame:
    records: list[tuple[str, str, Any, str, str]] = []
    for model_id, figures in zip(ids, derived, strict=True):
        for name, unit in DERIVED.items():
            fig = figures[name]
            if name == "evals" and isinstance(fig.value, list):
                for ev in fig.value:
                    metric = f"eval: {ev['dataset']} / {ev['metric']}"
                    records.append((model_id, metric, ev["value"], "", fig.source))
                continue
            value = None if fig.value is pd.NA else fig.value
            records.append((model_id, name, value, unit, fig.source))
        if warning:
            records.append((model_id, "warning", warning, "", "the tasks of the compared models"))
    df = pd.DataFrame.from_records(records, columns=list(TIDY_COLUMNS))
    for col in ("model", "metric", "unit", "source"):
        df[col] = df[col].astype("string")
    return df
