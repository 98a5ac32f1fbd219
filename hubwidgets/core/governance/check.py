"""``check``: may we use these models, and are they safe to load? One row per model.

>>> hw.check(["openai-community/gpt2", "meta-llama/Llama-2-7b-hf"])  # the starter catalog
>>> hw.check("./my-model", policy={"require_safetensors": True})   # a local folder

Facts come from the catalog record (license, base models, gating, sha, and where it has them
the file list, the config's auto_map and the Hub's repo-level scan verdict), the HF cache or a
local folder (file list, config, local scans) and, when the catalog is the live Hub, the Hub
itself: one ``model_info(securityStatus=True)`` per model and the per-file verdicts of its
pickle files and flagged files. No weights are downloaded and nothing checked is ever run or
unpickled. Every column that can be missing has a ``<column>_source`` saying where the value
came from or why it is missing; an unknown fact makes the verdict "review", never "allow".
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
#: Paths per paths-info request: the Hub answers at most 50 entries a page with ``expand``.
_PATHS_PER_REQUEST = 50
_NO_HUB_VERDICT = "the catalog record has no Hub scan verdict (securityRepoStatus)"
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


@dataclass
class _HubFacts:
    """What the catalog record (or the live Hub) says of a model's files and scans."""

    files: list[str] | None = None  # None: no file list
    files_where: str = ""
    config_code: list[str] | None = None  # code the config's auto_map names; None: no config
    config_where: str = ""
    config_missing: str = "config not in the catalog"  # why config_code is None
    repo_status: Mapping[str, Any] | None = None  # securityRepoStatus; None: none given
    file_status: dict[str, Any] = field(default_factory=dict)  # per-file records by path
    scan_where: str = _NO_HUB_VERDICT
    error: str | None = None  # why the live Hub could not be asked
    sha: str | None = None  # the revision the live Hub described


def _code_columns(files: Sequence[str], facts: _HubFacts) -> dict[str, Any]:
    """custom_code from a file list (``*.py``) and, when known, the config's auto_map."""
    py = sorted(n for n in files if n.lower().endswith(".py"))
    if facts.config_code is not None:
        return {
            "custom_code": sorted({*py, *facts.config_code}),
            "custom_code_source": (
                f"config auto_map of {facts.config_where} and *.py files of {facts.files_where}"
            ),
        }
    if py:  # *.py files in the repo: custom code for sure, whatever the config says
        return {
            "custom_code": py,
            "custom_code_source": (
                f"*.py files of {facts.files_where} (its auto_map unknown: {facts.config_missing})"
            ),
        }
    return {
        "custom_code": None,
        "custom_code_source": (
            f"unknown: {facts.config_missing} (no *.py files in {facts.files_where}, but a "
            "config auto_map can name code in another repo)"
        ),
    }


def _format_columns(folder: Path | None, where: str, facts: _HubFacts) -> dict[str, Any]:
    """formats, pickle files and custom code: from a folder on disk, else the file list the
    catalog record (or the live Hub) gives, else unknown."""
    if folder is not None:
        files = _list_files(folder)
        config, problem = _read_config(folder)
        wf = _scan.weight_formats(files)
        return {
            "formats": list(wf["formats"]),
            "pickle_files": list(wf["pickle_files"]),
            "pickle_only": bool(wf["pickle_only"]),
            "safetensors": bool(wf["safetensors"]),
            "formats_source": f"the file list of {where}",
            "custom_code": list(_scan.custom_code(config, files)),
            "custom_code_source": (
                f"config.json auto_map and *.py files of {where}"
                + (f" ({problem})" if problem else "")
            ),
        }
    if facts.files is not None:
        wf = _scan.weight_formats(facts.files)
        return {
            "formats": list(wf["formats"]),
            "pickle_files": list(wf["pickle_files"]),
            "pickle_only": bool(wf["pickle_only"]),
            "safetensors": bool(wf["safetensors"]),
            "formats_source": facts.files_where,
            **_code_columns(facts.files, facts),
        }
    if facts.config_code:  # no file list, but the config names code: a sure signal
        code: dict[str, Any] = {
            "custom_code": list(facts.config_code),
            "custom_code_source": f"config auto_map of {facts.config_where} (no file list)",
        }
    else:
        code = {
            "custom_code": None,
            "custom_code_source": "unknown: no file list or config (not in the HF cache)",
        }
    error = f" ({facts.error})" if facts.error else ""
    return {
        "formats": None,
        "pickle_files": None,
        "pickle_only": None,
        "safetensors": None,
        "formats_source": (
            "unknown: the catalog record has no file list and the model is not in the HF "
            f"cache (check a local folder or download it first){error}"
        ),
        **code,
    }


def _hub_verdict(
    model: str, facts: _HubFacts, findings: list[pd.DataFrame]
) -> dict[str, Any] | None:
    """The scan columns from the Hub's verdicts (None: the Hub gave none and nothing failed).
    A failure to ask is an "error" (never safe) beside whatever verdict was read."""
    if facts.repo_status is None and not facts.file_status:
        if facts.error is None:
            return None
        return {
            "scan_status": "error",
            "scans_done": None,
            "files_with_issues": None,
            "scan_source": f"the Hub's scan verdicts could not be read: {facts.error}",
        }
    summary, found = _scan.hub_scan(model, facts.repo_status, facts.file_status)
    findings.append(found)
    status, source = summary["scan_status"], facts.scan_where
    if facts.error is not None:
        status = _scan.worst_status([status, "error"])
        source += f"; {facts.error}"
    return {
        "scan_status": status,
        "scans_done": summary["scans_done"],
        "files_with_issues": list(summary["files_with_issues"]),
        "scan_source": source,
    }


def _file_columns(
    model: str,
    folder: Path | None,
    where: str,
    mode: str,
    findings: list[pd.DataFrame],
    facts: _HubFacts | None = None,
) -> dict[str, Any]:
    """formats, custom code and scan columns from a folder on disk (None: no local copy) and
    what the catalog record or the live Hub says (``facts``; None for a local folder)."""
    hub_facts = facts if facts is not None else _HubFacts(scan_where="")
    out = _format_columns(folder, where, hub_facts)
    no_verdict = _NO_HUB_VERDICT if facts is not None else "a local folder has no Hub verdicts"
    if mode == "none":
        out.update(
            scan_status="unscanned",
            scans_done=None,
            files_with_issues=None,
            scan_source="not scanned (scan='none')",
        )
        return out
    local = folder is not None and mode in ("local", "all", "auto")
    use_hub = mode in ("hub", "all") or (mode == "auto" and folder is None)
    hub = _hub_verdict(model, hub_facts, findings) if use_hub and facts is not None else None
    if local:
        assert folder is not None
        summary, found = _scan.local_scan(model, folder)
        findings.append(found)
        status = summary.get("scan_status", "error")
        done = summary.get("scans_done")
        issues = list(summary.get("files_with_issues") or [])
        source = f"local scan of {where}"
        if summary.get("scan_note"):  # e.g. modelscan not installed (pip install hubwidgets[scan])
            source += f" ({summary['scan_note']})"
        if mode == "all":
            source += f"; Hub verdicts: {hub['scan_source'] if hub else no_verdict}"
        if hub is not None:  # both asked for: the worse of the two, the issues of both
            status = _scan.worst_status([status, hub["scan_status"]])
            done = (
                None
                if done is None or hub["scans_done"] is None
                else (bool(done) and bool(hub["scans_done"]))
            )
            issues = sorted({*issues, *(hub["files_with_issues"] or [])})
        out.update(
            scan_status=status, scans_done=done, files_with_issues=issues, scan_source=source
        )
    elif hub is not None:
        out.update(hub)
    else:
        if mode == "local":
            why = (
                "no local copy to scan (not a folder and not in the HF cache; nothing is "
                "downloaded)"
            )
        else:
            why = no_verdict
        out.update(
            scan_status="unscanned", scans_done=None, files_with_issues=None, scan_source=why
        )
    return out


# -- the catalog record's file list and verdicts, and the live Hub -------------------------------
def _repo_status_of(scans_done: Any, issues: Any) -> dict[str, Any] | None:
    """A ``securityRepoStatus`` back from the schema's columns (None: the record had none)."""
    if not isinstance(issues, (list, tuple, np.ndarray)):  # <NA>: no securityRepoStatus
        return None
    files: list[dict[str, str]] = []
    for item in list(issues):
        text = str(item)
        path, sep, rest = text.rpartition(" (")
        if sep and rest.endswith(")"):
            files.append({"path": path, "level": rest[:-1]})
        else:
            files.append({"path": text, "level": "unknown"})
    done = None if _missing(scans_done) else bool(scans_done)
    return {"scansDone": done, "filesWithIssues": files}


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value]
    return None


def _record_facts(catalog: Any, look: Any, model_id: str) -> _HubFacts:
    """What the catalog record holds of files, config code and the Hub's repo verdict."""
    columns = ("files", "remote_code", "scans_done", "files_with_issues")
    arrays = getattr(catalog, "_arrays", None)
    try:
        if isinstance(arrays, dict):
            cells = {c: look.get(model_id, c) if c in arrays else None for c in columns}
        else:  # a catalog answering .model(id): one look-up for the four cells
            row = catalog.model(model_id)
            cells = {c: row.get(c) for c in columns}
    except Exception:  # a catalog that cannot say: the facts stay unknown
        cells = dict.fromkeys(columns)
    repo = _repo_status_of(cells["scans_done"], cells["files_with_issues"])
    return _HubFacts(
        files=_str_list(cells["files"]),
        files_where="the catalog record's file list",
        config_code=_str_list(cells["remote_code"]),
        config_where="the catalog record's config",
        repo_status=repo,
        scan_where=(
            "the Hub's securityRepoStatus (catalog record)" if repo is not None else _NO_HUB_VERDICT
        ),
    )


def _hub_error(err: Exception) -> str:
    status = getattr(getattr(err, "response", None), "status_code", None)
    kind = type(err).__name__
    said = str(err).strip().splitlines()[0] if str(err).strip() else ""
    head = f"HTTP {status} ({kind})" if status else kind
    return f"{head}: {said}" if said else head


def _live_facts(catalog: Any, model_id: str, revision: str | None) -> _HubFacts:
    """Ask the live Hub: ``model_info(securityStatus=True)`` (file list, config, repo verdict),
    then the per-file verdicts of the pickle files and of the files the repo verdict flags.

    The per-file records are read from the paths-info JSON directly: huggingface_hub's
    ``RepoFile`` keeps only ``status``, ``avScan`` and ``pickleImportScan`` of them (it drops
    protectAi, jFrog and VirusTotal) and fails on a record without those keys. A failure gives
    facts with ``error`` set, never an exception.
    """
    from huggingface_hub.utils import (  # noqa: PLC0415 (only the live Hub needs it)
        build_hf_headers,
        get_session,
        hf_raise_for_status,
    )

    timeout = getattr(catalog, "timeout", None)
    endpoint = str(catalog.endpoint).rstrip("/")
    where = f"the Hub at {endpoint}"
    try:
        info = catalog.api.model_info(
            model_id, revision=revision, securityStatus=True, timeout=timeout
        )
    except Exception as err:  # unreachable, not found, refused...: said, never raised
        return _HubFacts(error=f"model_info from {where} failed: {_hub_error(err)}")
    sha = getattr(info, "sha", None)
    siblings = getattr(info, "siblings", None)
    files = None if siblings is None else [str(s.rfilename) for s in siblings]
    config = getattr(info, "config", None)
    config_code = _scan.custom_code(config, []) if isinstance(config, Mapping) else None
    if config_code is None and files is not None and "config.json" not in files:
        config_code = []  # no config.json: no auto_map (model_info sends the config it has)
    repo = getattr(info, "security_repo_status", None)
    rev = f" (revision {sha})" if sha else ""
    facts = _HubFacts(
        files=files,
        files_where=f"the file list {where} gave{rev}",
        config_code=config_code,
        config_where=f"the config {where} gave",
        config_missing=f"{where} sent no config though the repo has a config.json",
        repo_status=repo if isinstance(repo, Mapping) else None,
        scan_where=f"the Hub's securityRepoStatus and per-file scans ({where}, at check time)",
        sha=sha,
    )
    flagged = [
        str(item.get("path"))
        for item in (facts.repo_status or {}).get("filesWithIssues") or []
        if isinstance(item, Mapping) and item.get("path")
    ]
    pickles = _scan.weight_formats(files or [])["pickle_files"]
    paths = sorted({*flagged, *pickles})
    url = f"{endpoint}/api/models/{model_id}/paths-info/{quote(sha or revision or 'main', safe='')}"
    try:
        for start in range(0, len(paths), _PATHS_PER_REQUEST):
            response = get_session().post(
                url,
                data={"paths": paths[start : start + _PATHS_PER_REQUEST], "expand": True},
                headers=build_hf_headers(token=getattr(catalog, "token", None)),
                timeout=timeout,
            )
            hf_raise_for_status(response)
            for entry in response.json():
                status = entry.get("securityFileStatus") if isinstance(entry, Mapping) else None
                if status is not None:
                    facts.file_status[str(entry.get("path"))] = status
    except Exception as err:  # the repo verdict stands; the per-file detail is missing
        facts.error = f"per-file scans from {where} failed: {_hub_error(err)}"
    return facts


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
    live = getattr(catalog, "source", None) == "hub" and hasattr(catalog, "api")
    ask = live and (mode in ("hub", "all") or (mode == "auto" and folder is None))
    facts = _live_facts(catalog, model_id, revision) if ask else None
    if facts is None or (facts.files is None and facts.sha is None):  # not asked, or failed
        record = _record_facts(catalog, look, model_id)
        if facts is not None:
            record.error = facts.error
        facts = record
    row.update(_file_columns(model_id, folder, where, mode, findings, facts))
    for column in ("gated", "private"):
        value = _opt(look.get(model_id, column))
        row[column] = None if value is None else bool(value)
        row[f"{column}_source"] = (
            "the catalog record" if value is not None else "unknown: not in the catalog record"
        )
    record_sha = _opt(look.get(model_id, "sha"))
    if folder is not None:
        row["revision"], row["revision_source"] = sha, "the HF cache snapshot checked"
    elif facts.sha is not None:
        row["revision"] = facts.sha
        row["revision_source"] = "the Hub's model_info at check time (the revision checked)"
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
        revision: the revision to look for in the HF cache (default ``main``), and to ask the
            live Hub about.
        scan: ``"hub"`` the Hub's verdicts (the catalog record's ``securityRepoStatus``; on the
            live Hub, ``model_info(securityStatus=True)`` and the per-file verdicts of pickle
            and flagged files, one model at a time), ``"local"`` scan files on disk (folders,
            the HF cache), ``"all"`` both (the worse of the two), ``"none"``, ``"auto"`` what
            is available without downloading weights (a local scan where there are files, else
            the Hub's verdicts).

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
    if not isinstance(getattr(cat, "_arrays", None), dict) and callable(
        getattr(cat, "model", None)
    ):
        cat = _OnceEach(cat)  # the live Hub: one look-up per model, not one per fact
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


class _OnceEach:
    """A catalog answering ``.model(id)`` over HTTP (the live Hub), seen through one check:
    each model is looked up once, not once per fact read from its record (license, gating,
    sha, each base model...). Failures are not kept; everything else is the catalog's own."""

    def __init__(self, catalog: Any) -> None:
        self._catalog = catalog
        self._rows: dict[str, Any] = {}

    def model(self, model_id: str) -> Any:
        if model_id not in self._rows:
            self._rows[model_id] = self._catalog.model(model_id)
        return self._rows[model_id]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._catalog, name)


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
