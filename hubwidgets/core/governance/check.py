"""``check``: may we use these models, and are they safe to load? One row per model.

>>> hw.check(["openai-community/gpt2", "meta-llama/Llama-2-7b-hf"])  # the starter catalog
>>> hw.check("./my-model", policy={"require_safetensors": True})   # a local folder

Facts come from the catalog record (license, base models, gating, sha...), the HF cache or a
local folder (file list, config, local scans) and, where the catalog carries them, the Hub's
scan verdicts. Nothing is downloaded and nothing checked is ever run or unpickled. Every column
that can be missing has a ``<column>_source`` saying where the value came from or why it is
missing; an unknown fact makes the verdict "review", never "allow".
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..catalog.vocab import close_matches
from ..report import missing as _missing
from . import scan as _scan
from .licenses import license_info
from .policy import VERDICTS, Policy, as_policy
from .tree import NOT_IN_CATALOG, chain_labels, license_conflict, lookup, model_tree

__all__ = ["CHECK_COLUMNS", "SCAN_MODES", "check"]

#: What ``scan=`` accepts.
SCAN_MODES: tuple[str, ...] = ("auto", "hub", "local", "all", "none")

#: The columns of :func:`check`'s result, in order.
CHECK_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "license",
    "license_name",
    "license_link",
    "license_class",
    "commercial_use",
    "commercial_use_reason",
    "license_source",
    "base_chain",
    "base_chain_source",
    "license_conflict",
    "formats",
    "pickle_files",
    "pickle_only",
    "safetensors",
    "formats_source",
    "custom_code",
    "custom_code_source",
    "scan_status",
    "scans_done",
    "files_with_issues",
    "scan_source",
    "gated",
    "gated_source",
    "private",
    "private_source",
    "revision",
    "revision_source",
    "last_modified",
    "last_modified_source",
    "card_fields",
    "card_fields_source",
    "checked_at",
    "verdict",
    "reasons",
)

_BOOL_COLUMNS = ("pickle_only", "safetensors", "scans_done", "gated", "private")
_SKIP_DIRS = {".git", ".cache", "__pycache__", ".ipynb_checkpoints"}
_MAX_CONFIG_BYTES = 5_000_000
# schema column -> the card-data field it comes from (for card_fields of a catalog row)
_CARD_FIELD_COLUMNS = {
    "license": "license",
    "languages": "language",
    "base_models": "base_model",
    "task": "pipeline_tag",
    "library": "library_name",
}


def _opt(value: Any) -> Any:
    return None if _missing(value) else value


# -- inputs -------------------------------------------------------------------------------------
def _items(models: Any) -> list[str | Path]:
    if isinstance(models, (str, Path)):
        return [models]
    if isinstance(models, pd.DataFrame):
        if "id" not in models.columns:
            raise ValueError(
                "a DataFrame of models needs an 'id' column (such as a search result or "
                f"w.selected); it has {list(models.columns)}"
            )
        values: Iterable[Any] = models["id"].tolist()
    elif isinstance(models, (pd.Series, pd.Index, np.ndarray, list, tuple)):
        values = list(models)
    else:
        raise TypeError(
            "models must be a model id, a local folder, a list of them or a DataFrame with an "
            f"'id' column, not {type(models).__name__}"
        )
    out: list[str | Path] = []
    for v in values:
        if isinstance(v, os.PathLike):
            out.append(Path(v))
        elif isinstance(v, str) and v.strip():
            out.append(v.strip())
        else:
            raise TypeError(f"each model must be a model id or a folder path, not {v!r}")
    if not out:
        raise ValueError("no models to check: pass at least one model id or folder")
    return list(dict.fromkeys(out))


def _default_catalog() -> Any:
    from ..catalog.sources import starter_catalog  # noqa: PLC0415 (keeps import light)

    return starter_catalog()


# -- local files ---------------------------------------------------------------------------------
# the C safe loader when libyaml is there: a card's metadata in ~0.1 ms instead of ~1 ms
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _front_matter(text: str | None) -> dict[str, Any]:
    if not isinstance(text, str) or not text.lstrip().startswith("---"):
        return {}
    body = text.lstrip()[3:]
    end = body.find("\n---")
    if end < 0:
        return {}
    try:
        data = yaml.load(body[:end], Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        return {}
    return dict(data) if isinstance(data, Mapping) else {}


def _list_files(folder: Path) -> list[str]:
    out: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        rel = Path(root).relative_to(folder)
        out.extend(str(rel / f) if str(rel) != "." else f for f in files)
    return sorted(out)


def _read_config(folder: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(config.json as a dict, a problem in words) without trusting the file."""
    path = folder / "config.json"
    if not path.is_file():
        return None, None
    try:
        if path.stat().st_size > _MAX_CONFIG_BYTES:
            return None, "config.json is too large to read"
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as err:
        return None, f"config.json is unreadable: {err}"
    return (data if isinstance(data, dict) else None), None


def _cache_snapshot(model_id: str, revision: str | None) -> tuple[Path | None, str | None]:
    """(the snapshot folder of ``model_id`` in the HF cache, its sha) or (None, None)."""
    try:
        from huggingface_hub import constants  # noqa: PLC0415

        repo = Path(constants.HF_HUB_CACHE) / f"models--{model_id.replace('/', '--')}"
    except (ImportError, AttributeError):
        return None, None
    if not repo.is_dir():
        return None, None
    ref = revision or "main"
    sha: str | None = None
    ref_file = repo / "refs" / ref
    if ref_file.is_file():
        try:
            sha = ref_file.read_text("utf-8").strip() or None
        except OSError:
            sha = None
    elif (repo / "snapshots" / ref).is_dir():
        sha = ref
    if sha is None:
        return None, None
    folder = repo / "snapshots" / sha
    return (folder, sha) if folder.is_dir() else (None, None)


# -- one row --------------------------------------------------------------------------------------
def _license_columns(lic: Any, card: Mapping[str, Any], where: str) -> dict[str, Any]:
    info = license_info(
        _opt(lic),
        license_name=card.get("license_name")
        if isinstance(card.get("license_name"), str)
        else None,
        license_link=card.get("license_link")
        if isinstance(card.get("license_link"), str)
        else None,
    )
    if info.license is None:
        source = f"no license in {where}"
    elif info.license == "other" or info.source != "the Hub's license list":
        source = f"license id from {where}; name and link: {info.source}"
    else:
        source = f"{where}; name and link: the Hub's license list"
    return {
        "license": info.license,
        "license_name": info.name,
        "license_link": info.link,
        "license_class": info.license_class,
        "commercial_use": info.commercial_use,
        "commercial_use_reason": info.commercial_use_reason,
        "license_source": source,
    }


def _file_columns(
    model: str,
    folder: Path | None,
    where: str,
    mode: str,
    findings: list[pd.DataFrame],
) -> dict[str, Any]:
    """formats, custom code and scan columns from a folder on disk (None: no local copy)."""
    out: dict[str, Any] = {}
    if folder is None:
        out.update(
            formats=None,
            pickle_files=None,
            pickle_only=None,
            safetensors=None,
            formats_source=(
                "unknown: the catalog record has no file list and the model is not in the HF "
                "cache (check a local folder or download it first)"
            ),
            custom_code=None,
            custom_code_source="unknown: no file list or config (not in the HF cache)",
        )
    else:
        files = _list_files(folder)
        config, problem = _read_config(folder)
        wf = _scan.weight_formats(files)
        out.update(
            formats=list(wf["formats"]),
            pickle_files=list(wf["pickle_files"]),
            pickle_only=bool(wf["pickle_only"]),
            safetensors=bool(wf["safetensors"]),
            formats_source=f"the file list of {where}",
            custom_code=list(_scan.custom_code(config, files)),
            custom_code_source=(
                f"config.json auto_map and *.py files of {where}"
                + (f" ({problem})" if problem else "")
            ),
        )
    hub_words = "the catalog holds no Hub scan verdicts (securityRepoStatus is not in its schema)"
    if mode == "none":
        out.update(
            scan_status="unscanned",
            scans_done=None,
            files_with_issues=None,
            scan_source="not scanned (scan='none')",
        )
    elif folder is not None and mode in ("local", "all", "auto"):
        summary, found = _scan.local_scan(model, folder)
        findings.append(found)
        out.update(
            scan_status=summary.get("scan_status", "error"),
            scans_done=summary.get("scans_done"),
            files_with_issues=list(summary.get("files_with_issues") or []),
            scan_source=f"local scan of {where}"
            + (f"; Hub verdicts: {hub_words}" if mode == "all" else ""),
        )
    else:
        if mode == "local":
            why = (
                "no local copy to scan (not a folder and not in the HF cache; nothing is "
                "downloaded)"
            )
        else:
            why = hub_words
        out.update(
            scan_status="unscanned", scans_done=None, files_with_issues=None, scan_source=why
        )
    return out


def _catalog_row(
    model_id: str,
    catalog: Any,
    revision: str | None,
    mode: str,
    findings: list[pd.DataFrame],
) -> dict[str, Any]:
    look = lookup(catalog)
    card_text = getattr(catalog, "_cards", {}).get(model_id) if hasattr(catalog, "_cards") else None
    card = _front_matter(card_text)
    row: dict[str, Any] = {"id": model_id, "kind": "hub"}
    row.update(_license_columns(look.get(model_id, "license"), card, "the catalog record"))
    tree = model_tree(model_id, catalog)
    row["_tree"] = tree
    row["base_chain"] = chain_labels(tree)
    row["base_chain_source"] = _chain_source(tree, "the catalog record")
    row["license_conflict"] = license_conflict(tree)
    folder, sha = _cache_snapshot(model_id, revision)
    where = f"the HF cache (revision {sha})" if folder is not None else ""
    row.update(_file_columns(model_id, folder, where, mode, findings))
    for column in ("gated", "private"):
        value = _opt(look.get(model_id, column))
        row[column] = None if value is None else bool(value)
        row[f"{column}_source"] = (
            "the catalog record" if value is not None else "unknown: not in the catalog record"
        )
    record_sha = _opt(look.get(model_id, "sha"))
    if folder is not None:
        row["revision"], row["revision_source"] = sha, "the HF cache snapshot checked"
    elif revision is not None and record_sha is not None and record_sha != revision:
        row["revision"] = str(record_sha)
        row["revision_source"] = (
            f"the catalog record describes {record_sha}, not the requested {revision}"
        )
    elif record_sha is not None:
        row["revision"], row["revision_source"] = str(record_sha), "the catalog record"
    else:
        row["revision"] = None
        row["revision_source"] = "unknown: the catalog record has no sha" + (
            f" (requested {revision}; not in the HF cache)" if revision else ""
        )
    when = _opt(look.get(model_id, "last_modified"))
    row["last_modified"] = when
    row["last_modified_source"] = (
        "the catalog record" if when is not None else "unknown: not in the catalog record"
    )
    if card:
        row["card_fields"] = sorted(str(k) for k in card)
        row["card_fields_source"] = "the model card's metadata"
    else:
        have = [
            field
            for column, field in _CARD_FIELD_COLUMNS.items()
            if not _empty(look.get(model_id, column))
        ]
        row["card_fields"] = sorted(have)
        row["card_fields_source"] = (
            "the catalog's columns (license, language, base_model, pipeline_tag, library_name "
            "only: the card itself is not in the catalog)"
        )
    return row


def _empty(value: Any) -> bool:
    if isinstance(value, (list, tuple, np.ndarray)):
        return len(value) == 0
    return _missing(value)


def _chain_source(tree: Sequence[Any], where: str) -> str:
    if len(tree) == 1:
        return f"no base model in {where}"
    missing = [n.id for n in tree[1:] if n.source == NOT_IN_CATALOG]
    cycles = [n.note for n in tree[1:] if n.note]
    words = f"base_model of {where} and of each ancestor in the catalog"
    if missing:
        words += f"; not in the catalog (license unknown): {', '.join(missing)}"
    if cycles:
        words += "; " + "; ".join(cycles)
    return words


def _folder_row(
    folder: Path, catalog: Any, mode: str, findings: list[pd.DataFrame]
) -> dict[str, Any]:
    name = str(folder)
    readme = folder / "README.md"
    card: dict[str, Any] = {}
    card_problem = None
    if readme.is_file():
        try:
            card = _front_matter(readme.read_text("utf-8", errors="replace"))
        except OSError as err:
            card_problem = f"README.md is unreadable: {err}"
    row: dict[str, Any] = {"id": name, "kind": "folder"}
    lic = card.get("license")
    if isinstance(lic, list):
        lic = lic[0] if lic else None
    row.update(
        _license_columns(lic if isinstance(lic, str) else None, card, "the folder's README.md")
    )
    bases = card.get("base_model")
    base_list = [bases] if isinstance(bases, str) else [str(b) for b in bases or [] if b]
    tags = [str(t) for t in card.get("tags") or [] if isinstance(t, str)]
    tree = model_tree(
        name,
        catalog,
        license=row["license"],
        base_models=base_list,
        tags=tags,
        source="the folder's README.md",
    )
    row["_tree"] = tree
    row["base_chain"] = chain_labels(tree)
    row["base_chain_source"] = _chain_source(tree, "the folder's README.md")
    row["license_conflict"] = license_conflict(tree)
    row.update(_file_columns(name, folder, f"the folder {name}", mode, findings))
    for column in ("gated", "private"):
        row[column] = None
        row[f"{column}_source"] = "unknown: a local folder (not a Hub repo)"
    row["revision"], row["revision_source"] = None, "a local folder: no Hub revision"
    try:
        stamps = [p.stat().st_mtime for p in folder.iterdir() if p.is_file()]
    except OSError:
        stamps = []
    row["last_modified"] = pd.Timestamp(max(stamps), unit="s", tz="UTC") if stamps else None
    row["last_modified_source"] = (
        "the newest file's modification time in the folder" if stamps else "unknown: empty folder"
    )
    row["card_fields"] = sorted(str(k) for k in card)
    row["card_fields_source"] = card_problem or (
        "the folder's README.md metadata" if readme.is_file() else "no README.md in the folder"
    )
    return row


# -- check -------------------------------------------------------------------------------------
def check(
    models: Any,
    *,
    policy: Policy | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    catalog: Any = None,
    revision: str | None = None,
    scan: str = "auto",
) -> pd.DataFrame:
    """May we use these models, and are they safe to load? One row per model.

    Args:
        models: model ids, a DataFrame with an ``id`` column (a search result, ``w.selected``)
            or local folders (``Path`` objects, or strings naming an existing folder that is
            not a catalog id).
        policy: a :class:`Policy`, a dict of its keys or a YAML file; ``None``: the default
            policy (see :mod:`hubwidgets.core.governance.policy`).
        catalog: where ids and base models are looked up; default the bundled starter catalog
            (pass ``hw.open_catalog(...)`` for a snapshot or the live Hub).
        revision: the revision to look for in the HF cache (default ``main``).
        scan: ``"hub"`` the Hub's verdicts from the catalog record, ``"local"`` scan files on
            disk (folders, the HF cache), ``"all"`` both, ``"none"``, ``"auto"`` what is
            available without downloading (local scans where there are files).

    Returns a DataFrame with :data:`CHECK_COLUMNS`; ``result.attrs["findings"]`` holds one row
    per finding (``model, file, scanner, severity, detail``), ``result.attrs["trees"]`` each
    model's tree (a list of ``TreeNode``) and ``result.attrs["policy"]`` the policy applied.

    Raises ``ValueError`` for ids neither in the catalog nor an existing folder (with close
    matches), a bad ``scan`` or a bad policy.
    """
    if not isinstance(scan, str) or scan not in SCAN_MODES:
        near = close_matches(str(scan), list(SCAN_MODES))
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise ValueError(f"scan must be one of {', '.join(SCAN_MODES)}, not {scan!r}{hint}")
    if revision is not None and (not isinstance(revision, str) or not revision.strip()):
        raise TypeError(f"revision must be a branch, tag or commit sha (a str), not {revision!r}")
    rules = as_policy(policy)
    items = _items(models)
    cat = _default_catalog() if catalog is None else catalog
    kinds = _resolve(items, cat)
    checked_at = pd.Timestamp(datetime.now(timezone.utc))
    findings: list[pd.DataFrame] = []
    rows: list[dict[str, Any]] = []
    trees: dict[str, Any] = {}
    for kind, item in kinds:
        if kind == "hub":
            row = _catalog_row(str(item), cat, revision, scan, findings)
        else:
            row = _folder_row(Path(item), cat, scan, findings)
        row["checked_at"] = checked_at
        trees[row["id"]] = row.pop("_tree")
        rows.append(row)
    frame = pd.DataFrame(
        rows, columns=[c for c in CHECK_COLUMNS if c not in ("verdict", "reasons")]
    )
    for column in _BOOL_COLUMNS:
        frame[column] = frame[column].astype("boolean")
    frame["last_modified"] = pd.to_datetime(frame["last_modified"], utc=True)
    out = rules.evaluate(frame)
    out["verdict"] = out["verdict"].astype(pd.CategoricalDtype(list(VERDICTS)))
    found = [f for f in findings if len(f)]
    out.attrs["findings"] = (
        pd.concat(found, ignore_index=True) if found else _scan.scan_findings_frame()
    )
    out.attrs["trees"] = trees
    out.attrs["policy"] = rules
    return out


def _resolve(items: list[str | Path], catalog: Any) -> list[tuple[str, str | Path]]:
    """(kind, item) per input: "hub" for a catalog id, "folder" for a folder on disk."""
    look = lookup(catalog)
    kinds: list[tuple[str, str | Path]] = []
    unknown: list[str] = []
    for item in items:
        if isinstance(item, Path):
            if not item.is_dir():
                raise ValueError(f"{str(item)!r} is not a folder on this machine")
            kinds.append(("folder", item))
        elif look.has(item):
            kinds.append(("hub", item))
        elif os.path.isdir(item):
            kinds.append(("folder", Path(item)))
        else:
            unknown.append(item)
    if unknown:
        raise ValueError(_unknown_message(catalog, unknown))
    return kinds


def _unknown_message(catalog: Any, ids: list[str]) -> str:
    message = getattr(catalog, "_unknown_message", None)
    if callable(message):
        text = str(message(ids))
    else:
        text = "not in this catalog: " + "; ".join(repr(i) for i in ids)
    return f"{text} (and not a folder on this machine)"
