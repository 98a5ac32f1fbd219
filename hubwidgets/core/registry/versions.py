"""Which revisions a model has, and what changed between two of them.

>>> hw.versions("openai-community/gpt2")                 # commits, newest first, with refs
>>> hw.diff("openai-community/gpt2", "v1.0", "main")    # one row per fact that matters

Everything is read from the Hub (``HfApi.list_repo_commits``, ``list_repo_refs`` and
``model_info(revision=...)``, or a Hub-compatible server given as ``endpoint=``); nothing is
downloaded. A fact a revision's record does not hold is reported as unknown (``None``, with the
reason in ``source``) and its ``changed`` is unknown too (``<NA>``), never "unchanged".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx2
import numpy as np
import pandas as pd
from huggingface_hub import HfApi
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import build_hf_headers, paginate, parse_datetime

from ..catalog.hub import HubError
from ..catalog.normalize import normalize_record
from ..governance import check
from ..governance import scan as _scan
from ..governance.policy import Policy, as_policy
from ..report import missing

__all__ = ["DIFF_COLUMNS", "DIFF_FACTS", "VERSION_COLUMNS", "diff", "versions"]

#: The columns of :func:`versions`.
VERSION_COLUMNS: tuple[str, ...] = ("sha", "date", "title", "authors", "refs")

#: The columns of :func:`diff`.
DIFF_COLUMNS: tuple[str, ...] = ("what", "before", "after", "changed", "source")

#: The facts :func:`diff` compares, in the order of its rows.
DIFF_FACTS: tuple[str, ...] = (
    "sha",
    "license",
    "license_class",
    "commercial_use",
    "base_model",
    "params",
    "weight_files",
    "formats",
    "pickle_files",
    "custom_code",
    "architecture",
    "dtype",
    "gated",
    "scan_status",
    "verdict",
)

T = TypeVar("T")


def check_model(model: Any) -> str:
    if not isinstance(model, str) or not model.strip() or model.count("/") > 1:
        raise TypeError(f"model must be a Hub model id such as 'org/name' (a str), not {model!r}")
    return model.strip()


def check_revision(model: str, revision: Any) -> str:
    if not isinstance(revision, str) or not revision.strip():
        raise TypeError(
            f"a revision of {model!r} must be a branch, tag or commit sha (a str), not {revision!r}"
        )
    return revision.strip()


class ModelNotFoundError(ValueError):
    """The Hub has no such model (deleted, renamed, private without a token)."""


class ModelGatedError(ValueError):
    """The model is gated and this caller has no access."""


class UnknownRevisionError(ValueError):
    """The model has no such branch, tag or commit."""


class Hub:
    """The few Hub calls versions, diffs and the registry make, with errors in words.

    A missing model or revision is a ``ValueError`` naming it; the Hub unreachable or
    answering an error is a :class:`~hubwidgets.core.catalog.hub.HubError`.
    """

    def __init__(self, endpoint: str | None = None, token: str | bool | None = None) -> None:
        self.api = HfApi(endpoint=endpoint, token=token)
        self.endpoint: str = self.api.endpoint
        self.token = token

    def call(self, model: str, revision: str | None, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except RevisionNotFoundError:
            raise UnknownRevisionError(self._revision_message(model, revision)) from None
        except GatedRepoError:
            raise ModelGatedError(
                f"{model!r} is gated on the Hub at {self.endpoint}: accept its conditions on "
                "the model page and pass a token (or log in) to read it"
            ) from None
        except RepositoryNotFoundError:
            raise ModelNotFoundError(
                f"model {model!r} not found on the Hub at {self.endpoint} (or it is private "
                "and no token with access was given)"
            ) from None
        except (HfHubHTTPError, httpx2.HTTPError, OSError, ValueError) as err:
            raise HubError(
                f"the Hub at {self.endpoint} could not answer for {model!r}: {err}"
            ) from err

    def _revision_message(self, model: str, revision: str | None) -> str:
        text = f"revision {revision!r} of {model!r} not found on the Hub at {self.endpoint}"
        try:
            refs = self.api.list_repo_refs(model)
        except (HfHubHTTPError, httpx2.HTTPError, OSError, ValueError):
            return text
        names = [r.name for r in refs.branches] + [r.name for r in refs.tags]
        return f"{text}; its branches and tags: {', '.join(names) or 'none'} (or a full commit sha)"

    def info(self, model: str, revision: str | None = None) -> Any:
        return self.call(
            model,
            revision,
            lambda: self.api.model_info(model, revision=revision, securityStatus=True),
        )

    def commits(
        self,
        model: str,
        revision: str | None = None,
        *,
        limit: int | None = None,
        until: str | None = None,
    ) -> list[dict[str, Any]]:
        """Commits of ``revision`` (default main), newest first: ``{"sha", "date", "title",
        "authors"}``. Pages are read only as far as needed: ``limit`` commits, or down to the
        commit ``until`` (included). ``HfApi.list_repo_commits`` would read every page."""
        path = quote(revision or "main", safe="")
        url = f"{self.endpoint}/api/models/{model}/commits/{path}"

        def read() -> list[dict[str, Any]]:
            headers = build_hf_headers(token=self.token)
            out: list[dict[str, Any]] = []
            for item in paginate(url, params={}, headers=headers):
                out.append(
                    {
                        "sha": item["id"],
                        "date": parse_datetime(item["date"]),
                        "title": item.get("title"),
                        "authors": [a.get("user") for a in item.get("authors") or []],
                    }
                )
                if (limit is not None and len(out) >= limit) or item["id"] == until:
                    break
            return out

        return self.call(model, revision, read)

    def refs(self, model: str) -> Any:
        return self.call(model, None, lambda: self.api.list_repo_refs(model))


# -- versions ------------------------------------------------------------------------------------
def versions(
    model: str,
    *,
    limit: int = 50,
    endpoint: str | None = None,
    token: str | bool | None = None,
) -> pd.DataFrame:
    """The commits of ``model``'s main branch, newest first, with the refs pointing at each.

    Columns :data:`VERSION_COLUMNS`: ``sha``, ``date`` (UTC), ``title``, ``authors`` (a list of
    Hub user names) and ``refs`` (the branches and tags that point at the commit, e.g.
    ``["main", "v1.0"]``). ``result.attrs["refs"]`` holds every branch and tag (``name, kind,
    sha``), including those pointing at commits beyond ``limit`` or off main.

    Raises ``ValueError`` for an unknown model, ``TypeError`` for a bad ``limit``, and
    :class:`HubError` when the Hub cannot answer.
    """
    model = check_model(model)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise TypeError(f"limit must be a positive int (how many commits), not {limit!r}")
    hub = Hub(endpoint, token)
    commits = hub.commits(model, limit=limit)
    refs = hub.refs(model)
    ref_rows = [{"name": r.name, "kind": "branch", "sha": r.target_commit} for r in refs.branches]
    ref_rows += [{"name": r.name, "kind": "tag", "sha": r.target_commit} for r in refs.tags]
    by_sha: dict[str, list[str]] = {}
    for row in ref_rows:
        by_sha.setdefault(row["sha"], []).append(row["name"])
    frame = pd.DataFrame(
        {
            "sha": [c["sha"] for c in commits],
            "date": pd.to_datetime([c["date"] for c in commits], utc=True),
            "title": [c["title"] for c in commits],
            "authors": [c["authors"] for c in commits],
            "refs": [by_sha.get(c["sha"], []) for c in commits],
        },
        columns=list(VERSION_COLUMNS),
    )
    frame.attrs["refs"] = pd.DataFrame(ref_rows, columns=["name", "kind", "sha"])
    frame.attrs["model"] = model
    return frame


# -- facts of one revision -----------------------------------------------------------------------
def _files(info: Any) -> list[str] | None:
    siblings = getattr(info, "siblings", None)
    if siblings is None:
        return None
    return sorted(str(s.rfilename) for s in siblings)


def _weight_files(files: list[str]) -> list[str]:
    return [f for f in files if _scan.weight_formats([f])["formats"]]


def _config(info: Any) -> Mapping[str, Any] | None:
    config = getattr(info, "config", None)
    return config if isinstance(config, Mapping) else None


def _dtype(info: Any, where: str) -> tuple[Any, str]:
    config = _config(info) or {}
    for key in ("torch_dtype", "dtype"):
        if isinstance(config.get(key), str):
            return config[key], f"config.{key} of {where}"
    st = getattr(info, "safetensors", None)
    params = getattr(st, "parameters", None) if st is not None else None
    if isinstance(params, Mapping) and params:
        return sorted(str(k) for k in params), f"the safetensors tensor dtypes of {where}"
    return None, f"unknown: no dtype in the config or safetensors metadata of {where}"


class _RevisionRecord:
    """One revision's record as the catalog :func:`hw.check` looks models up in (it answers
    ``.model(id)``, which check accepts from any catalog): the record normalized like a
    Catalog's rows, without building a Catalog's Arrow table for a single row."""

    source = "hub revision"

    def __init__(self, info: Any) -> None:
        row, card = normalize_record(info, source=self.source)
        self.id = str(row["id"])
        self.row = pd.Series(row, dtype=object)
        self._cards = {self.id: card} if card else {}

    def model(self, model_id: str) -> pd.Series:
        if model_id != self.id:
            raise KeyError(model_id)
        return self.row

    def _unknown_message(self, ids: list[str]) -> str:
        return f"not in the revision's record of {self.id!r}: " + ", ".join(map(repr, ids))


def _as_list(value: Any) -> list[str] | None:
    if isinstance(value, (list, tuple, np.ndarray)):
        return sorted(str(v) for v in value)
    return None


def revision_facts(
    model: str, info: Any, policy: Policy | None = None
) -> dict[str, tuple[Any, str]]:
    """``{fact: (value, source)}`` for one revision's ``ModelInfo``, the facts of
    :data:`DIFF_FACTS`. License, commercial use, formats, pickle files, custom code, the scan
    status and the verdict are :func:`hw.check`'s over this revision's record alone (its file
    list, config and the Hub's ``securityRepoStatus``; nothing local is scanned); weight files,
    parameters, architecture, dtype and gating are read from the record."""
    sha = getattr(info, "sha", None)
    where = "the revision's Hub record"  # the same words on both sides: the sha row says which
    rules = policy or as_policy(None)
    record = _RevisionRecord(info)
    row = check(model, catalog=record, scan="hub", revision=sha, policy=rules).iloc[0]

    def said(column: str) -> str:
        return str(row[f"{column}_source"]).replace("the catalog record", where)

    out: dict[str, tuple[Any, str]] = {"sha": (sha, "the Hub's record" if sha else "unknown")}
    out["license"] = (_opt(row["license"]), said("license"))
    out["license_class"] = (_opt(row["license_class"]), said("license"))
    out["commercial_use"] = (_opt(row["commercial_use"]), str(row["commercial_use_reason"]))
    bases = record.row["base_models"]
    out["base_model"] = (_as_list(bases) or [], f"card base_model / base_model tags of {where}")
    params = record.row["params"]
    out["params"] = (
        (int(params), f"safetensors/gguf totals of {where}")
        if not pd.isna(params)
        else (None, f"unknown: no safetensors or gguf parameter totals in {where}")
    )
    files = _files(info)
    out["weight_files"] = (
        (_weight_files(files), f"the file list of {where}")
        if files is not None
        else (None, f"unknown: {where} lists no files")
    )
    out["formats"] = (_as_list(row["formats"]), said("formats"))
    out["pickle_files"] = (_as_list(row["pickle_files"]), said("formats"))
    out["custom_code"] = (_as_list(row["custom_code"]), said("custom_code"))
    config = _config(info)
    archs = config.get("architectures") if config else None
    out["architecture"] = (
        (sorted(str(a) for a in archs), f"config.architectures of {where}")
        if isinstance(archs, list) and archs
        else (None, f"unknown: no config.architectures in {where}")
    )
    out["dtype"] = _dtype(info, where)
    gated = getattr(info, "gated", None)
    out["gated"] = (
        (gated is not False, f"gated ({gated!r}) in {where}")
        if gated is not None
        else (None, f"unknown: {where} does not say whether it is gated")
    )
    out["scan_status"] = (
        str(row["scan_status"]),
        said("scan")
        if getattr(info, "security_repo_status", None) is not None
        else f"unknown: {where} carries no scan verdict (unscanned is never safe)",
    )
    reasons = "; ".join(str(r) for r in row["reasons"]) or "every rule allows it"
    out["verdict"] = (str(row["verdict"]), f"hw.check under {rules!r}: {reasons}")
    return out


def _opt(value: Any) -> Any:
    return None if missing(value) else value


def _changed(before: Any, after: Any) -> Any:
    if before is None or after is None:
        return pd.NA
    return bool(before != after)


def facts_frame(
    before: Mapping[str, tuple[Any, str]], after: Mapping[str, tuple[Any, str]]
) -> pd.DataFrame:
    """The diff table of two :func:`revision_facts`: one row per fact, files as lists; for the
    file facts ``before``/``after`` hold the lists and ``source`` also names what was added
    and removed."""
    rows = []
    for what in DIFF_FACTS:
        b, b_src = before[what]
        a, a_src = after[what]
        source = b_src if b_src == a_src else f"before: {b_src}; after: {a_src}"
        if isinstance(a, list) and isinstance(b, list) and what != "base_model":
            added = sorted(set(a) - set(b))
            removed = sorted(set(b) - set(a))
            if added or removed:
                plus, minus = ", ".join(added) or "none", ", ".join(removed) or "none"
                source += f" (added: {plus}; removed: {minus})"
        rows.append(
            {"what": what, "before": b, "after": a, "changed": _changed(b, a), "source": source}
        )
    frame = pd.DataFrame(rows, columns=list(DIFF_COLUMNS))
    frame["changed"] = frame["changed"].astype("boolean")
    return frame


def added(frame: pd.DataFrame, what: str) -> list[str]:
    """The items of a list fact (``weight_files``, ``pickle_files``...) present after and not
    before, from a :func:`diff` frame ([] when unknown on either side)."""
    row = frame.loc[frame["what"] == what].iloc[0]
    if not isinstance(row["before"], list) or not isinstance(row["after"], list):
        return []
    return sorted(set(row["after"]) - set(row["before"]))


def diff(
    model: str,
    rev_a: str,
    rev_b: str = "main",
    *,
    policy: Policy | Mapping[str, Any] | str | None = None,
    endpoint: str | None = None,
    token: str | bool | None = None,
) -> pd.DataFrame:
    """What changed for a user of ``model`` between revision ``rev_a`` and ``rev_b``.

    Revisions are branches, tags or commit shas. One row per fact of :data:`DIFF_FACTS`
    (license and its class, commercial use, card ``base_model``, parameters, weight files,
    formats, pickle files, custom code, config architecture and dtype, gating, the Hub's scan
    status and the :func:`hw.check` verdict under ``policy``), with the columns
    :data:`DIFF_COLUMNS`: ``before``, ``after``, ``changed`` (``<NA>`` when either side is
    unknown) and ``source``. ``result.attrs`` holds ``model``, ``rev_a``/``rev_b`` and the
    resolved ``sha_a``/``sha_b``.

    Raises ``ValueError`` naming the model and revision when either does not exist (with the
    model's branches and tags), :class:`HubError` when the Hub cannot answer.
    """
    model = check_model(model)
    rev_a = check_revision(model, rev_a)
    rev_b = check_revision(model, rev_b)
    rules = as_policy(policy)
    hub = Hub(endpoint, token)
    before = revision_facts(model, hub.info(model, rev_a), rules)
    after = revision_facts(model, hub.info(model, rev_b), rules)
    frame = facts_frame(before, after)
    frame.attrs.update(
        model=model, rev_a=rev_a, rev_b=rev_b, sha_a=before["sha"][0], sha_b=after["sha"][0]
    )
    return frame
