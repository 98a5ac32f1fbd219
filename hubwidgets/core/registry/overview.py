"""The registry at a glance: its entries with the last drift check joined on, in words.

>>> frame = reg.overview(reg.drift())     # entries + drift columns + ``drift_note``
>>> overview_text(frame)                  # the same, one text cell per fact (for a table)
>>> overview_summary(frame, reg.where, drift_checked="2026-12-05T07:00:00+00:00")
'2 entries of 2 models in /home/me/registry.sqlite · drift checked 2026-12-05T07:00:00+00:00'
>>> timeline_text(hw.audit_log(model="openai-community/gpt2", newest_first=True))

A registry entry is named by its pin key ``"model@sha"`` (:func:`pin_key`); :func:`find_pin`
and :func:`pin_rows` look entries up by model (and revision prefix) or by key, with close
matches in the error when there is none. Drift that was not checked is never "no drift": its
note says "not checked" (or "unknown" where the Hub could not answer).

The RegistryWidget shows exactly these: its table is :func:`overview_text`, its timeline
:func:`timeline_text`, its status :func:`overview_summary` and :func:`drift_summary`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from ..catalog.vocab import close_matches
from ..report import Column, html_table, hub_url, missing
from .drift import DRIFT_COLUMNS, FLAGS
from .store import ENTRY_COLUMNS

__all__ = [
    "DRIFT_ADDED",
    "OVERVIEW_TEXT_COLUMNS",
    "TIMELINE_COLUMNS",
    "drift_answered",
    "drift_note",
    "drift_summary",
    "entries_with_drift",
    "find_pin",
    "overview_html",
    "overview_summary",
    "overview_text",
    "pin_key",
    "pin_label",
    "pin_rows",
    "register_summary",
    "timeline_text",
]

#: The drift columns :func:`entries_with_drift` adds to the entries (<NA> where not checked).
DRIFT_ADDED: tuple[str, ...] = tuple(
    c for c in DRIFT_COLUMNS if c not in ("model", "revision", "aliases", "stage")
)

#: The columns of :func:`overview_text` (all text): the pin key, the entry, the drift note
#: (``drift``) and the drift facts.
OVERVIEW_TEXT_COLUMNS: tuple[str, ...] = (
    "key",
    *ENTRY_COLUMNS[: ENTRY_COLUMNS.index("registered_at") + 1],  # model ... registered_at
    "drift",
    "commits_since",
    "upstream_sha",
    "drift_source",
)

#: The columns of :func:`timeline_text` (all text).
TIMELINE_COLUMNS: tuple[str, ...] = ("time", "action", "actor", "revision", "details", "outcome")


def _check_frame(name: str, frame: Any, needed: Sequence[str]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame, not {type(frame).__name__}")
    lacking = [c for c in needed if c not in frame.columns]
    if lacking:
        raise ValueError(
            f"{name} lacks the column(s) {', '.join(lacking)}: pass the frame the registry "
            f"gives ({name} has {', '.join(map(str, frame.columns)) or 'no columns'})"
        )
    return frame


def _text(value: Any) -> str:
    """One cell in words: "" when missing, lists joined with ", ", times in UTC."""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return _text(value.tolist())
    if missing(value):
        return ""
    if isinstance(value, (pd.Timestamp, datetime)):
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def pin_key(model: Any, revision: Any) -> str:
    """The key of an entry: ``"model@sha"``."""
    return f"{model}@{revision}"


def pin_label(entry: Mapping[Any, Any] | pd.Series) -> str:
    """An entry (a row of the registry's columns) in short: ``"model@sha12"``."""
    return f"{entry['model']}@{str(entry['revision'])[:12]}"


def drift_note(entry: Mapping[Any, Any], *, checked: bool = True) -> str:
    """What drifted of one entry (a row of :func:`entries_with_drift`), in words: the raised
    flags, "no drift", "unknown" (the Hub could not answer), or "not checked" (no check, or an
    entry the check left out: "not checked (deprecated)")."""
    if not checked:
        return "not checked"
    source = entry.get("drift_source")
    if missing(source):
        deprecated = str(entry.get("stage")) == "deprecated"
        return "not checked (deprecated)" if deprecated else "not checked"
    flags = entry.get("flags")
    if isinstance(flags, list) and flags:
        return ", ".join(flags)
    if str(source).startswith("unknown"):
        return "unknown"
    return "no drift"


def entries_with_drift(entries: pd.DataFrame, drift: pd.DataFrame | None = None) -> pd.DataFrame:
    """The registry's entries (``Registry.df``) with a drift check (``Registry.drift()``)
    joined on per (model, revision): its columns :data:`DRIFT_ADDED` (<NA> for an entry the
    check did not cover, or all of them when ``drift`` is None) and ``drift_note``
    (:func:`drift_note`).

    Raises:
        TypeError: ``entries`` or ``drift`` is not a DataFrame.
        ValueError: a frame lacks the columns that identify an entry (model, revision...).
    """
    _check_frame("entries", entries, ("model", "revision", "stage"))
    checked = drift is not None
    if drift is None:
        drift = pd.DataFrame(columns=list(DRIFT_COLUMNS))
    _check_frame("drift", drift, ("model", "revision", "flags", "drift_source"))
    kept = [c for c in DRIFT_ADDED if c in drift.columns]
    right = drift[["model", "revision", *kept]].astype({"model": "string", "revision": "string"})
    frame = entries.astype({"model": "string", "revision": "string"}).merge(
        right, on=["model", "revision"], how="left"
    )
    for column in DRIFT_ADDED:
        if column not in frame.columns:
            frame[column] = pd.NA
    for flag in FLAGS:
        frame[flag] = frame[flag].astype("boolean")
    frame["commits_since"] = frame["commits_since"].astype("Int64")
    frame["drift_note"] = [drift_note(e, checked=checked) for e in frame.to_dict("records")]
    return frame


def overview_text(overview: pd.DataFrame) -> pd.DataFrame:
    """:func:`entries_with_drift`'s frame as text, one string per cell, columns
    :data:`OVERVIEW_TEXT_COLUMNS` (``drift`` is the drift note)."""
    _check_frame("overview", overview, ("model", "revision", "drift_note"))
    cells = {
        c: [_text(v) for v in overview[c]] if c in overview.columns else [""] * len(overview)
        for c in OVERVIEW_TEXT_COLUMNS[1:]
    }
    pins = zip(overview["model"], overview["revision"], strict=True)
    cells["key"] = [pin_key(m, r) for m, r in pins]
    cells["drift"] = [_text(v) for v in overview["drift_note"]]
    return pd.DataFrame(cells, columns=list(OVERVIEW_TEXT_COLUMNS))


def overview_summary(overview: pd.DataFrame, where: str, drift_checked: str | None = None) -> str:
    """The registry in one line: how many entries of how many models, where, and when drift
    was checked (``drift_checked``, a time in words; None or "" for never)."""
    _check_frame("overview", overview, ("model",))
    n = len(overview)
    models = int(overview["model"].nunique()) if n else 0
    drift = f"drift checked {drift_checked}" if drift_checked else "drift not checked"
    return (
        f"{n} entr{'y' if n == 1 else 'ies'} of {models} model{'' if models == 1 else 's'} "
        f"in {where} · {drift}"
    )


def _unknown(drift: pd.DataFrame) -> pd.Series:
    return drift["drift_source"].astype(str).str.startswith("unknown")


def drift_answered(drift: pd.DataFrame) -> bool:
    """Whether the Hub answered for at least one pin of a drift check (an empty check is
    answered: there was nothing to ask)."""
    _check_frame("drift", drift, ("drift_source",))
    return drift.empty or not bool(_unknown(drift).all())


def drift_summary(drift: pd.DataFrame) -> str:
    """A drift check (``Registry.drift()``) in one line: how many pins are flagged and how
    many unknown; or, when the Hub answered for none (:func:`drift_answered`), why not."""
    _check_frame("drift", drift, ("flags", "drift_source"))
    n = len(drift)
    unknown = _unknown(drift)
    if not drift_answered(drift):
        first = str(drift["drift_source"].iloc[0]).removeprefix("unknown: ")
        return (
            f"drift not checked: the Hub could not answer for any pinned model ({first}); "
            "flags stay unknown"
        )
    flagged = int(drift["flags"].map(lambda f: isinstance(f, list) and bool(f)).sum())
    return f"drift checked: {flagged} of {n} pinned entr{'y' if n == 1 else 'ies'} flagged" + (
        f", {int(unknown.sum())} unknown" if unknown.any() else ""
    )


def register_summary(outcomes: pd.DataFrame) -> str:
    """What ``Registry.register_many`` did, in one line: how many of the models were
    registered, and either their pins or why the others were not."""
    _check_frame("outcomes", outcomes, ("model", "revision", "outcome", "error"))
    rows = outcomes.to_dict("records")
    done = [r for r in rows if r["outcome"] == "ok"]
    failed = [r for r in rows if r["outcome"] != "ok"]
    said = f"registered {len(done)} of {len(rows)}"
    if failed:
        why = "; ".join(f"{r['model']}: {r['error']}" for r in failed)
        return f"{said}; not registered: {why}"
    return f"{said}: " + ", ".join(pin_label(r) for r in done)


def _not_an_entry(frame: pd.DataFrame, model: str, revision: str | None) -> str:
    known = sorted(set(frame["model"].astype(str))) if not frame.empty else []
    at = f" at {revision!r}" if revision else ""
    near = close_matches(model, known)
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    return (
        f"{model!r}{at} is not an entry of the registry{hint}; registered: "
        f"{', '.join(known[:20]) or 'none'}"
    )


def find_pin(frame: pd.DataFrame, model: str, revision: str | None = None) -> str:
    """The key of ``model``'s newest registered entry in ``frame`` (the registry's entries),
    or of the one whose sha starts with ``revision``.

    Raises:
        TypeError: ``model`` or ``revision`` is not a str.
        ValueError: no such entry (with the registered models and close matches).
    """
    _check_frame("frame", frame, ("model", "revision", "registered_at"))
    if not isinstance(model, str) or not (revision is None or isinstance(revision, str)):
        raise TypeError(f"model and revision must be str, not {model!r} and {revision!r}")
    rows = frame[frame["model"] == model] if not frame.empty else frame
    if revision is not None:
        rows = rows[rows["revision"].astype(str).str.startswith(revision)]
    if rows.empty:
        raise ValueError(_not_an_entry(frame, model, revision))
    last = rows.sort_values("registered_at").iloc[-1]
    return pin_key(last["model"], last["revision"])


def pin_rows(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The entry of ``frame`` whose key (:func:`pin_key`) is ``key``, as a one-row frame (no
    rows for ``key=""``).

    Raises:
        ValueError: ``key`` is not an entry of ``frame`` (with close matches).
    """
    _check_frame("frame", frame, ("model", "revision"))
    if not key:
        return frame.iloc[0:0].copy()
    keys = frame["model"].astype(str) + "@" + frame["revision"].astype(str)
    rows = frame[keys == key].reset_index(drop=True)
    if rows.empty:
        model, _, revision = str(key).rpartition("@")
        raise ValueError(_not_an_entry(frame, model or str(key), revision or None))
    return rows


def _details(params: Any) -> str:
    if isinstance(params, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in params.items() if _text(v))
    return _text(params)


def timeline_text(log: pd.DataFrame) -> pd.DataFrame:
    """Audit records (:func:`hubwidgets.audit_log`'s frame, in the order given) as text,
    columns :data:`TIMELINE_COLUMNS`: the revision cut to 12 characters, ``params`` as
    ``key=value`` pairs in ``details``."""
    _check_frame("log", log, ("time", "action", "actor", "revision", "params", "outcome"))
    return pd.DataFrame(
        {
            "time": [_text(t) for t in log["time"]],
            "action": [_text(a) for a in log["action"]],
            "actor": [_text(a) for a in log["actor"]],
            "revision": [_text(r)[:12] for r in log["revision"]],
            "details": [_details(p) for p in log["params"]],
            "outcome": [_text(o) for o in log["outcome"]],
        },
        columns=list(TIMELINE_COLUMNS),
    )


def overview_html(
    table: pd.DataFrame | None,
    timeline: pd.DataFrame | None = None,
    *,
    caption: str = "",
    model: str | None = None,
) -> str:
    """:func:`overview_text`'s table (and ``model``'s :func:`timeline_text`, when there are
    records) as self-contained HTML for an exported notebook; ``caption`` alone when the
    registry is empty."""
    if table is None or table.empty:
        return f'<p class="hubwidgets-registry">{html.escape(caption)}</p>'
    shown = html_table(
        table,
        [
            Column("model", "Model", header=True, link=hub_url),
            Column("revision", "Revision", format=lambda v: str(v)[:12]),
            Column("aliases", "Aliases"),
            Column("stage", "Stage"),
            Column("license", "License"),
            Column("verdict", "Verdict at registration"),
            Column("drift", "Drift"),
            Column("registered_by", "Registered by"),
            Column("registered_at", "Registered at"),
        ],
        caption=caption,
        css_class="hubwidgets-registry",
    )
    if timeline is None or timeline.empty:
        return shown
    return shown + html_table(
        timeline,
        [Column(c, c.capitalize()) for c in TIMELINE_COLUMNS],
        caption=f"Audit trail of {model}, newest first",
        css_class="hubwidgets-registry-timeline",
    )
