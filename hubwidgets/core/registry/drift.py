"""Drift: what changed upstream since each pin of a registry.

>>> reg.drift()      # one row per pinned (model, revision), flags first-class columns

For every registered entry (deprecated ones only when asked), the Hub is asked for the model's
main branch now: its sha, how many commits were made since the pinned one, and what
:func:`hubwidgets.core.registry.versions.diff` finds between the pin and main. Flags are
nullable booleans: ``<NA>`` when the Hub could not tell (unreachable, no record of a fact),
never ``False`` for "unknown".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..catalog.hub import HubError
from .versions import (
    ModelGatedError,
    ModelNotFoundError,
    UnknownRevisionError,
    added,
    facts_frame,
    revision_facts,
)

if TYPE_CHECKING:
    from .store import Registry

__all__ = ["DRIFT_COLUMNS", "FLAGS", "drift"]

#: The flag columns of :func:`drift` (nullable booleans) and their words in ``flags``.
FLAGS: dict[str, str] = {
    "license_changed": "license changed",
    "pickle_files_added": "pickle files added",
    "scan_changed": "scan verdict changed",
    "verdict_changed": "policy verdict changed",
    "gone": "gone upstream",
    "gated": "became gated",
}

#: The columns of :func:`drift`.
DRIFT_COLUMNS: tuple[str, ...] = (
    "model",
    "revision",
    "aliases",
    "stage",
    "upstream_sha",
    "commits_since",
    *FLAGS,
    "flags",
    "changes",
    "drift_source",
)


def _words(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return "unknown" if value is None else str(value)


def _flag(frame: pd.DataFrame, *whats: str) -> Any:
    values = [frame.loc[frame["what"] == w, "changed"].iloc[0] for w in whats]
    if any(v is not pd.NA and bool(v) for v in values):
        return True
    if any(v is pd.NA for v in values):
        return pd.NA
    return False


class _Upstream:
    """The Hub's answers for one drift run, each asked once."""

    def __init__(self, registry: Registry) -> None:
        self.hub = registry.hub
        self.policy = registry.policy
        self._infos: dict[tuple[str, str], Any] = {}
        self._commits: dict[str, list[str]] = {}
        self._complete: dict[str, bool] = {}
        self._facts: dict[tuple[str, str], dict[str, tuple[Any, str]]] = {}

    def info(self, model: str, revision: str) -> Any:
        key = (model, revision)
        if key not in self._infos:
            self._infos[key] = self.hub.info(model, revision)
        return self._infos[key]

    def commits(self, model: str, until: str) -> list[str]:
        """main's shas, newest first, read down to ``until`` (all of them when it is not on
        main); one read per model serves every pin at or after the first one asked."""
        known = self._commits.get(model)
        if known is None or (until not in known and not self._complete.get(model)):
            found = [c["sha"] for c in self.hub.commits(model, "main", until=until)]
            self._complete[model] = until not in found
            self._commits[model] = found
        return self._commits[model]

    def facts(self, model: str, revision: str) -> dict[str, tuple[Any, str]]:
        key = (model, revision)
        if key not in self._facts:
            self._facts[key] = revision_facts(model, self.info(model, revision), self.policy)
        return self._facts[key]


def _unknown(row: dict[str, Any], why: str, **known: Any) -> dict[str, Any]:
    row.update(dict.fromkeys(FLAGS, pd.NA))
    row.update(known)
    row["drift_source"] = why
    return row


def _one(up: _Upstream, entry: dict[str, Any]) -> dict[str, Any]:
    model, sha = str(entry["model"]), str(entry["revision"])
    row: dict[str, Any] = {
        "model": model,
        "revision": sha,
        "aliases": entry["aliases"],
        "stage": entry["stage"],
        "upstream_sha": None,
        "commits_since": pd.NA,
        "changes": [],
    }
    try:
        current = up.info(model, "main")
    except ModelNotFoundError as err:
        return _unknown(row, f"the Hub: {err}", gone=True)
    except ModelGatedError as err:
        return _unknown(row, f"the Hub: {err}", gone=False, gated=True)
    except HubError as err:
        return _unknown(row, f"unknown: {err}")
    row["upstream_sha"] = current.sha
    try:
        history = up.commits(model, sha)
        row["commits_since"] = history.index(sha) if sha in history else pd.NA
        pinned = up.facts(model, sha)
        now = up.facts(model, str(current.sha))
    except UnknownRevisionError as err:
        return _unknown(
            row,
            f"the pinned commit is no longer on the Hub (history rewritten?): {err}",
            gone=True,
            gated=_gated_now(current),
        )
    except (HubError, ModelNotFoundError, ModelGatedError) as err:
        return _unknown(row, f"unknown: {err}")
    frame = facts_frame(pinned, now)
    row["license_changed"] = _flag(frame, "license", "license_class")
    pickles = added(frame, "pickle_files")
    row["pickle_files_added"] = (
        bool(pickles)
        if frame.loc[frame["what"] == "pickle_files", "changed"].notna().iloc[0]
        else pd.NA
    )
    row["scan_changed"] = _flag(frame, "scan_status")
    row["verdict_changed"] = _flag(frame, "verdict")
    row["gone"] = False
    gated_now = _gated_now(current)
    # gated at the pin too is no drift; gated now and not (or not known) at the pin is
    row["gated"] = (
        gated_now if gated_now is pd.NA else bool(gated_now) and pinned["gated"][0] is not True
    )
    row["changes"] = [
        f"{r['what']}: {_words(r['before'])} -> {_words(r['after'])}"
        for r in frame.to_dict("records")
        if r["changed"] is not pd.NA and bool(r["changed"]) and r["what"] != "sha"
    ]
    if sha not in history:
        where = "the pinned commit is not in main's history (another branch, or rewritten)"
    elif row["commits_since"] == 0:
        where = "up to date: main is the pinned commit"
    else:
        where = f"{row['commits_since']} commit(s) on main since the pin"
    row["drift_source"] = f"the Hub at {up.hub.endpoint}: {where}; facts compared by hw.diff"
    return row


def _gated_now(info: Any) -> Any:
    gated = getattr(info, "gated", None)
    if gated is None:
        return pd.NA
    return gated is not False


def drift(registry: Registry, *, include_deprecated: bool = False) -> pd.DataFrame:
    """One row per pinned (model, revision) of ``registry``: the upstream sha of main, commits
    since the pin, and flags (:data:`FLAGS`: license changed, pickle files added, scan verdict
    changed, policy verdict changed, gone (the model, or the pinned commit), gated (now, and
    not at the pin; or no access any more)), the raised ones also listed in words in
    ``flags``, the facts that changed in ``changes``, and where it all comes from in
    ``drift_source``. Deprecated entries are left out unless ``include_deprecated``."""
    entries = registry.df
    if not include_deprecated:
        entries = entries[entries["stage"] != "deprecated"]
    up = _Upstream(registry)
    rows = [_one(up, {str(k): v for k, v in e.items()}) for e in entries.to_dict("records")]
    for row in rows:
        row["flags"] = [words for flag, words in FLAGS.items() if row.get(flag) is True]
    frame = pd.DataFrame(rows, columns=list(DRIFT_COLUMNS))
    for flag in FLAGS:
        frame[flag] = frame[flag].astype("boolean")
    frame["commits_since"] = frame["commits_since"].astype("Int64")
    return frame
