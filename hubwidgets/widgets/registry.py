"""RegistryWidget: a team's registry of pinned model revisions, in a notebook.

The widget holds a :class:`hubwidgets.Registry` and calls it for everything; each user action
is one call of the core:

- **register** the models selected in a linked widget (``source=``, any widget with a
  selection): :meth:`Registry.register` per model, the revision resolved to a sha by the core;
  a model that fails has its error in :attr:`RegistryWidget.outcomes` and the others are
  still registered;
- **set an alias** (:meth:`Registry.set_alias`), **set a stage** (:meth:`Registry.set_stage`,
  e.g. candidate -> production) and **deprecate** (:meth:`Registry.deprecate`) the selected
  entry: the page asks for an explicit confirmation before it sends any of them;
- **check drift** (:meth:`Registry.drift`): it asks the Hub, so it runs in the background with
  its progress; when the Hub cannot answer, the error shows in the widget and the table stays;
- the **audit timeline** of the selected model (:func:`hubwidgets.audit_log`), newest first.

What a view shows is synced state, so a view drawn from saved widget state (an export) shows
the registry table (``_entries``, :data:`ENTRY_SHOWN`) and the timeline (``_timeline``,
:data:`TIMELINE_COLUMNS`) with no kernel. The page writes one trait, :attr:`selected_key`
(the ``model@sha`` of the selected entry), and sends the requests ``register`` (``{revision,
alias, stage, note}``), ``set_alias`` (``{key, alias}``), ``set_stage`` (``{key, stage}``),
``deprecate`` (``{key, note}``), ``find`` (``{alias}``: select the entry an alias points
at), ``drift`` and ``refresh``. A refused request (an unknown
alias, a revision the Hub does not have, a locked database) is an error reply, and the error
goes to :attr:`~RegistryWidget.error` too; what the widget shows stays as it was.
"""

from __future__ import annotations

import html
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import traitlets

from ..core.catalog.hub import HubError
from ..core.registry.audit import AuditError, audit_log
from ..core.registry.store import OUTCOME_COLUMNS
from ..core.report import Column, html_table, hub_url
from ._base import HubWidget, RunningWidget
from ._protocol import RequestError, request
from ._serialization import Table

if TYPE_CHECKING:
    from ..core.registry.store import Registry

__all__ = ["ENTRY_SHOWN", "OUTCOME_COLUMNS", "TIMELINE_COLUMNS", "RegistryWidget"]

#: The columns of the registry table the page shows (all text).
ENTRY_SHOWN: tuple[str, ...] = (
    "key",
    "model",
    "revision",
    "aliases",
    "stage",
    "license",
    "license_class",
    "verdict",
    "note",
    "registered_by",
    "registered_at",
    "drift",
    "commits_since",
    "upstream_sha",
    "drift_source",
)

#: The columns of the audit timeline the page shows (all text), newest first.
TIMELINE_COLUMNS: tuple[str, ...] = (
    "time",
    "action",
    "actor",
    "revision",
    "details",
    "outcome",
)

#: Records of the selected model the timeline shows (the newest).
TIMELINE_ROWS = 200

#: The drift columns :attr:`RegistryWidget.df` adds to the registry's entries.
_DRIFT_KEPT = ("upstream_sha", "commits_since", "flags", "changes", "drift_source")

T = TypeVar("T")


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _text(value: Any) -> str:
    if _missing(value):
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return _text(value.tolist())
    if isinstance(value, (pd.Timestamp, datetime)):
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def _key(model: Any, revision: Any) -> str:
    return f"{model}@{revision}"


def _open_registry(registry: Any) -> Registry:
    from ..core.registry.store import Registry  # noqa: PLC0415 (SQLAlchemy on first use)

    if isinstance(registry, Registry):
        return registry
    if registry is None or isinstance(registry, (str, os.PathLike)):
        return Registry(registry)
    raise TypeError(
        "registry must be a hw.Registry, a database URL or a SQLite file path (or None for "
        f"the default registry), not {type(registry).__name__}"
    )


class RegistryWidget(RunningWidget):
    """The registered models of a :class:`hubwidgets.Registry`, with their aliases, stages,
    license and verdict at registration and drift flags; register what a linked widget has
    selected; promote or deprecate an entry (the page asks to confirm); the selected model's
    audit timeline.

    >>> r = hw.RegistryWidget(source=search)       # doctest: +SKIP
    >>> r.register(alias="candidate")              # search's selection, pinned at main's sha
    >>> r.set_stage("production", "openai-community/gpt2")
    >>> r.check_drift(wait=True); r.df             # entries with drift flags

    Args:
        registry: a :class:`hubwidgets.Registry`, a database URL or a SQLite file path
            (default: ``hw.Registry()``, the SQLite file under ``$HUBWIDGETS_HOME``).
        source: a widget whose selection the "Register selected" action registers (a
            SearchWidget, a CompareWidget, a GovernanceWidget...).
        selected_key: the entry shown selected (``"model@sha"``).

    Raises:
        TypeError: ``registry`` is not a registry, URL or path; ``source`` is not a widget with
            a selection; a misspelled keyword argument.
        hubwidgets.core.registry.RegistryError: the database cannot be opened (named).
    """

    WIDGET = "registry"

    selected_key = traitlets.Unicode("").tag(sync=True)
    """The selected entry, ``"model@sha"`` ("" for none): the page sets it when a row is
    picked; its model's audit timeline shows."""

    pending = traitlets.List(traitlets.Unicode()).tag(sync=True, kernel=True)
    """The source widget's selection now: what "Register selected" registers."""

    outcomes_rows = traitlets.List(traitlets.Dict()).tag(sync=True, kernel=True)
    """The last register's outcome per model (:data:`OUTCOME_COLUMNS` as dicts)."""

    drift_checked = traitlets.Unicode("").tag(sync=True, kernel=True)
    """When drift was last checked (UTC, ISO), "" when it was not."""

    timeline_note = traitlets.Unicode("").tag(sync=True, kernel=True)
    """Why the timeline is empty or incomplete (no records, an unreadable log)."""

    _entries = Table(columns=ENTRY_SHOWN)
    _timeline = Table(columns=TIMELINE_COLUMNS)

    def __init__(
        self,
        registry: Registry | str | os.PathLike[str] | None = None,
        source: HubWidget | None = None,
        **kwargs: Any,
    ) -> None:
        self._check_arguments(kwargs, [*self._writable_traits(), "registry", "source"])
        self._registry = _open_registry(registry)
        # a registry the widget opened is the widget's to close
        self._owns_registry = registry is None or isinstance(registry, (str, os.PathLike))
        self._drift: pd.DataFrame | None = None
        self._frame = pd.DataFrame()
        self._lock = threading.RLock()
        self._ready = False
        super().__init__(**kwargs)
        try:
            self._link_source(source)
        except Exception:
            self.close()
            raise
        if source is not None:
            self.pending = source.selection
        self._ready = True
        self._refresh(keep_error=False)

    # -- Python API ------------------------------------------------------------------------------
    @property
    def registry(self) -> Registry:
        """The registry shown."""
        return self._registry

    @property
    def df(self) -> pd.DataFrame:
        """The registry's entries (:attr:`Registry.df`), with the last drift check's columns
        (``upstream_sha``, ``commits_since``, the flags, ``flags``, ``changes``,
        ``drift_source``) when drift was checked; <NA> where it was not."""
        return self._frame.copy()

    @property
    def selected(self) -> pd.DataFrame:
        """The selected entry as a one-row frame (columns of :attr:`df`); empty for none."""
        frame = self._frame
        if frame.empty or not self.selected_key:
            return frame.iloc[0:0].copy()
        keys = frame["model"].astype(str) + "@" + frame["revision"].astype(str)
        return frame[keys == self.selected_key].reset_index(drop=True)

    @property
    def drift(self) -> pd.DataFrame | None:
        """The last :meth:`Registry.drift` result, None before the first check."""
        return None if self._drift is None else self._drift.copy()

    @property
    def timeline(self) -> pd.DataFrame:
        """The selected model's audit records, newest first (:func:`hw.audit_log`'s columns)."""
        model = self._selected_model()
        if model is None:
            return pd.DataFrame()
        return self._audit_frame(model)

    @property
    def outcomes(self) -> pd.DataFrame:
        """The last register's outcome per model (:data:`OUTCOME_COLUMNS`)."""
        return pd.DataFrame(self.outcomes_rows, columns=list(OUTCOME_COLUMNS))

    def refresh(self) -> None:
        """Read the registry again (another process may have changed it)."""
        self._act(lambda: None, lambda _: "refreshed")

    def select(self, model: str, revision: str | None = None) -> None:
        """Select the entry of ``model`` (its newest registered revision, or ``revision``)."""
        frame = self._frame
        rows = frame[frame["model"] == model] if not frame.empty else frame
        if revision is not None:
            rows = rows[rows["revision"].astype(str).str.startswith(revision)]
        if rows.empty:
            raise ValueError(self._not_shown(model, revision))
        last = rows.sort_values("registered_at").iloc[-1]
        self.selected_key = _key(last["model"], last["revision"])

    def select_alias(self, alias: str) -> None:
        """Select the entry ``alias`` points at (:meth:`Registry.get`); an unknown alias is
        a ``ValueError`` listing the aliases."""
        entry = self._registry.get(alias)
        self._refresh(keep_error=False)
        self.selected_key = _key(entry["model"], entry["revision"])
        self.status = f"alias {alias!r} points at {self.selected_key[:-28]} · {self._summary()}"

    def register(
        self,
        models: Sequence[str] | str | None = None,
        *,
        revision: str = "main",
        alias: str | None = None,
        stage: str = "candidate",
        note: str | None = None,
    ) -> pd.DataFrame:
        """Register ``models`` (default: the source's selection) at ``revision``, each with one
        :meth:`Registry.register`. A model that fails (unknown upstream, no such revision)
        has its error in its row of the returned :data:`OUTCOME_COLUMNS` frame; the others
        are registered all the same.

        Raises:
            ValueError: no models, or one ``alias`` for several models (an alias names one).
        """
        ids = [models] if isinstance(models, str) else list(models or self.pending)
        if not ids:
            raise ValueError(
                "no models to register: select some in the linked widget (source=) or pass "
                "models=[...]"
            )
        with self._lock:
            outcome = self._registry.register_many(
                ids, revision, alias=alias, stage=stage, note=note
            )
        rows: list[dict[str, str]] = outcome.to_dict(orient="records")  # type: ignore[assignment]
        done = [r for r in rows if r["outcome"] == "ok"]
        failed = [r for r in rows if r["outcome"] != "ok"]
        with self.hold_sync():
            self.outcomes_rows = rows
            self._refresh(keep_error=False)
            if done:
                self.selected_key = _key(done[-1]["model"], done[-1]["revision"])
            said = f"registered {len(done)} of {len(rows)}"
            if failed:
                self._fail(
                    f"{said}; not registered: "
                    + "; ".join(f"{r['model']}: {r['error']}" for r in failed)
                )
            else:
                self.status = f"{said}: " + ", ".join(
                    f"{r['model']}@{r['revision'][:12]}" for r in done
                )
        return self.outcomes

    def set_alias(self, alias: str, model: str | None = None, revision: str | None = None) -> None:
        """Point ``alias`` at the selected entry (or ``model`` at ``revision``)."""
        model, revision = self._target(model, revision)
        self._act(
            lambda: self._registry.set_alias(alias, model, revision),
            lambda e: f"alias {alias!r} now points at {_where(e)}",
        )

    def set_stage(self, stage: str, model: str | None = None, revision: str | None = None) -> None:
        """Move the selected entry (or ``model`` at ``revision``) to ``stage`` (promote)."""
        model, revision = self._target(model, revision)
        self._act(
            lambda: self._registry.set_stage(model, stage, revision),
            lambda e: f"{_where(e)} is now {stage}",
        )

    def deprecate(
        self, model: str | None = None, revision: str | None = None, *, note: str | None = None
    ) -> None:
        """Deprecate the selected entry (or ``model`` at ``revision``)."""
        model, revision = self._target(model, revision)
        self._act(
            lambda: self._registry.deprecate(model, revision, note=note or None),
            lambda changed: ", ".join(_where(e) for _, e in changed.iterrows()) + " deprecated",
        )

    def check_drift(self, *, wait: bool = False) -> bool:
        """Ask the Hub what changed since each pin (:meth:`Registry.drift`), in the
        background; ``wait``: return when it is done. False when a check is already going."""
        started = self._start(self._drift_work, name="registry-drift")
        if started and wait:
            self.wait()
        return started

    def close(self) -> None:
        """Close the widget (and the registry's connections, when the widget opened it)."""
        super().close()
        if getattr(self, "_owns_registry", False):
            self._registry.close()

    # -- the page's requests ---------------------------------------------------------------------
    @request("register")
    def _on_register(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            self.register(
                revision=str(body.get("revision") or "main"),
                alias=body.get("alias") or None,
                stage=str(body.get("stage") or "candidate"),
                note=body.get("note") or None,
            )
        except (ValueError, TypeError) as err:
            self._fail(str(err))
            raise RequestError(str(err)) from None
        return {"outcomes": list(self.outcomes_rows)}

    @request("set_alias")
    def _on_set_alias(self, body: dict[str, Any]) -> None:
        model, revision = self._body_target(body)
        self._page_action(lambda: self.set_alias(str(body.get("alias") or ""), model, revision))

    @request("set_stage")
    def _on_set_stage(self, body: dict[str, Any]) -> None:
        model, revision = self._body_target(body)
        self._page_action(lambda: self.set_stage(str(body.get("stage") or ""), model, revision))

    @request("deprecate")
    def _on_deprecate(self, body: dict[str, Any]) -> None:
        model, revision = self._body_target(body)
        self._page_action(lambda: self.deprecate(model, revision, note=body.get("note") or None))

    @request("find")
    def _on_find(self, body: dict[str, Any]) -> None:
        try:
            self.select_alias(str(body.get("alias") or ""))
        except (ValueError, TypeError, RuntimeError) as err:
            self._fail(str(err))
            raise RequestError(str(err)) from None

    @request("drift")
    def _on_drift(self, _body: dict[str, Any]) -> None:
        if not self.check_drift():
            raise RequestError("a drift check is already going on")

    @request("refresh")
    def _on_refresh(self, _body: dict[str, Any]) -> None:
        self._page_action(self.refresh)

    def _page_action(self, fn: Callable[[], None]) -> None:
        """Run a page's action: its error is refused in words (the error reply) and already in
        :attr:`error` (see :meth:`_act`)."""
        fn()
        if self.error:
            raise RequestError(self.error)

    def _body_target(self, body: dict[str, Any]) -> tuple[str, str]:
        key = str(body.get("key") or self.selected_key)
        model, _, revision = key.rpartition("@")
        if not model or not revision:
            raise RequestError("select an entry of the registry first")
        return model, revision

    # -- validation and the source --------------------------------------------------------------
    @traitlets.validate("selected_key")
    def _valid_key(self, proposal: Any) -> str:
        key = str(proposal["value"])
        if key and self._ready and not self._frame.empty:
            keys = set(self._frame["model"].astype(str) + "@" + self._frame["revision"].astype(str))
            if key not in keys:
                model, _, revision = key.rpartition("@")
                raise traitlets.TraitError(self._not_shown(model or key, revision or None))
        return key

    @traitlets.observe("selected_key")
    def _on_selected(self, _change: Any) -> None:
        if self._ready:
            self._draw_timeline()
            self._update_report()

    def _on_source_selection(self, ids: list[str]) -> None:
        self.pending = ids

    # -- internals -------------------------------------------------------------------------------
    def _target(self, model: str | None, revision: str | None) -> tuple[str, str | None]:
        if model is None:
            picked = self.selected
            if picked.empty:
                raise ValueError("select an entry of the registry first (or pass model=)")
            return str(picked["model"].iloc[0]), str(picked["revision"].iloc[0])
        return model, revision

    def _act(self, fn: Callable[[], T], done: Callable[[T], str]) -> None:
        """Call the core; an error it raises goes to :attr:`error` (the table stays); else the
        status says what was done (``done`` of what the core returned)."""
        try:
            with self._lock:
                result = fn()
        except (ValueError, TypeError, HubError, RuntimeError) as err:
            self._fail(str(err))
            return
        with self.hold_sync():
            self._refresh(keep_error=False)
            self.status = f"{done(result)} · {self._summary()}"

    def _drift_work(self, cancel: threading.Event) -> None:
        n = len(self._frame)
        self._progress(0.1, f"asking the Hub what changed since {n} pin(s)...")
        try:
            # without the lock: a page action during a long check must not wait for the Hub
            found = self._registry.drift()
        except (HubError, RuntimeError, ValueError) as err:
            self._fail(f"drift not checked: {err}")
            return
        if cancel.is_set():
            self._fail("drift check cancelled: the table shows the previous check")
            return
        unknown = found["drift_source"].astype(str).str.startswith("unknown")
        with self.hold_sync():
            self._drift = found
            self.drift_checked = datetime.now(timezone.utc).isoformat(timespec="seconds")
            self._refresh(keep_error=False)
            self._progress(1.0, "drift checked")
            if len(found) and unknown.all():
                first = str(found["drift_source"].iloc[0]).removeprefix("unknown: ")
                self._fail(
                    f"drift not checked: the Hub could not answer for any pinned model "
                    f"({first}); flags stay unknown"
                )
            else:
                flagged = int((found["flags"].map(len) > 0).sum())
                self.status = (
                    f"drift checked: {flagged} of {len(found)} pinned entr"
                    f"{'y' if len(found) == 1 else 'ies'} flagged"
                    + (f", {int(unknown.sum())} unknown" if unknown.any() else "")
                )

    def _refresh(self, *, keep_error: bool) -> None:
        """Read the registry and send the table and the timeline."""
        try:
            entries = self._registry.df
        except (RuntimeError, ValueError) as err:
            self._fail(str(err))
            return
        frame = entries
        if self._drift is not None and not entries.empty:
            kept = [c for c in self._drift.columns if c in _DRIFT_KEPT or c.endswith("_changed")]
            extra = ("gone", "gated")
            kept += [c for c in extra if c in self._drift.columns]
            frame = entries.merge(
                self._drift[["model", "revision", *kept]], on=["model", "revision"], how="left"
            )
        self._frame = frame
        shown = pd.DataFrame(
            {
                "key": [_key(m, r) for m, r in zip(frame["model"], frame["revision"], strict=True)],
                **{c: [_text(v) for v in frame[c]] for c in ENTRY_SHOWN[1:11]},
                "drift": [self._drift_words(row) for row in frame.to_dict("records")],
                **{
                    c: [_text(v) for v in frame[c]] if c in frame.columns else [""] * len(frame)
                    for c in ENTRY_SHOWN[12:]
                },
            },
            columns=list(ENTRY_SHOWN),
        )
        key = self.selected_key
        if key and key not in set(shown["key"]):
            key = ""
        with self.hold_sync():
            self._entries = shown
            self._ready = False  # the key was checked against the new table just now
            self.selected_key = key
            self._ready = True
            if not keep_error:
                self.error = ""
            self.status = self._summary()
            self._draw_timeline()
        self._update_report()

    def _drift_words(self, row: Mapping[Any, Any]) -> str:
        if self._drift is None:
            return "not checked"
        source = row.get("drift_source")
        if _missing(source):
            return "not checked (deprecated)" if row.get("stage") == "deprecated" else "not checked"
        flags = row.get("flags")
        if isinstance(flags, list) and flags:
            return ", ".join(flags)
        if str(source).startswith("unknown"):
            return "unknown"
        return "no drift"

    def _summary(self) -> str:
        frame = self._frame
        n = len(frame)
        models = frame["model"].nunique() if n else 0
        where = self._registry._where
        drift = f"drift checked {self.drift_checked}" if self.drift_checked else "drift not checked"
        return (
            f"{n} entr{'y' if n == 1 else 'ies'} of {models} model{'' if models == 1 else 's'} "
            f"in {where} · {drift}"
        )

    def _selected_model(self) -> str | None:
        key = self.selected_key
        return key.rpartition("@")[0] or None if key else None

    def _audit_frame(self, model: str) -> pd.DataFrame:
        log = audit_log(model=model)
        return log.iloc[::-1].head(TIMELINE_ROWS).reset_index(drop=True)

    def _draw_timeline(self) -> None:
        model = self._selected_model()
        if model is None:
            self._timeline, self.timeline_note = None, "Select an entry to see its audit trail."
            return
        try:
            log = self._audit_frame(model)
        except (AuditError, ValueError, OSError) as err:
            self._timeline, self.timeline_note = None, f"the audit log cannot be read: {err}"
            return
        rows = pd.DataFrame(
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
        self._timeline = rows
        self.timeline_note = "" if len(rows) else f"No audit records of {model} yet."

    def _not_shown(self, model: str, revision: str | None) -> str:
        frame = self._frame
        known = sorted(set(frame["model"].astype(str))) if not frame.empty else []
        at = f" at {revision!r}" if revision else ""
        from ..core.catalog.vocab import close_matches  # noqa: PLC0415

        near = close_matches(model, known)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        return (
            f"{model!r}{at} is not an entry of the registry{hint}; registered: "
            f"{', '.join(known[:20]) or 'none'}"
        )

    # -- display ---------------------------------------------------------------------------------
    def _report_html(self) -> str:
        shown = self._entries
        if shown is None or shown.empty:
            return f'<p class="hubwidgets-registry">{html.escape(self.status)}</p>'
        table = html_table(
            shown,
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
            caption=self.status,
            css_class="hubwidgets-registry",
        )
        timeline = self._timeline
        if timeline is None or timeline.empty:
            return table
        return table + html_table(
            timeline,
            [Column(c, c.capitalize()) for c in TIMELINE_COLUMNS],
            caption=f"Audit trail of {self._selected_model()}, newest first",
            css_class="hubwidgets-registry-timeline",
        )


def _where(entry: Any) -> str:
    """``model@sha12`` of an entry (a Series of the registry's columns)."""
    return f"{entry['model']}@{str(entry['revision'])[:12]}"


def _details(params: Any) -> str:
    if isinstance(params, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in params.items() if _text(v))
    return _text(params)
