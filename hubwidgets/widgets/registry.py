"""RegistryWidget: a team's registry of pinned model revisions, in a notebook.

The widget holds a :class:`hubwidgets.Registry` and calls the core for everything, one call per
user action: **register** a linked widget's selection (:meth:`Registry.register_many`: a model
that fails has its error in :attr:`RegistryWidget.outcomes`, the others are registered),
**set an alias**, **set a stage** and **deprecate** the selected entry (the page asks to confirm
first), **check drift** (:meth:`Registry.drift`, in the background: the Hub may be slow or
unreachable). What it shows is made in the core too (``hubwidgets.core.registry.overview``):
the table is :meth:`Registry.overview` as text, the selected model's audit timeline
:func:`hubwidgets.audit_log` newest first, the status lines the core's summaries.

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

import os
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

import pandas as pd
import traitlets

from ..core.catalog.hub import HubError
from ..core.registry.audit import AuditError, audit_log
from ..core.registry.overview import (
    OVERVIEW_TEXT_COLUMNS,
    TIMELINE_COLUMNS,
    drift_answered,
    drift_summary,
    find_pin,
    overview_html,
    overview_summary,
    overview_text,
    pin_key,
    pin_label,
    pin_rows,
    register_summary,
    timeline_text,
)
from ..core.registry.store import OUTCOME_COLUMNS, Registry, as_registry
from ._base import HubWidget, RunningWidget
from ._protocol import RequestError, request
from ._serialization import Table

__all__ = ["ENTRY_SHOWN", "OUTCOME_COLUMNS", "TIMELINE_COLUMNS", "RegistryWidget"]

#: The columns of the registry table the page shows (all text): :func:`overview_text`'s.
ENTRY_SHOWN: tuple[str, ...] = OVERVIEW_TEXT_COLUMNS

#: Records of the selected model the timeline shows (the newest).
TIMELINE_ROWS = 200

T = TypeVar("T")


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
        self._registry = as_registry(registry)
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
        """The registry's entries with the last drift check joined on
        (:meth:`Registry.overview`: ``upstream_sha``, ``commits_since``, the flags, ``flags``,
        ``changes``, ``drift_source``, <NA> where drift was not checked; ``drift_note``)."""
        return self._frame.copy()

    @property
    def selected(self) -> pd.DataFrame:
        """The selected entry as a one-row frame (columns of :attr:`df`); empty for none."""
        try:
            return pin_rows(self._frame, self.selected_key)
        except ValueError:  # the registry was read again without it
            return self._frame.iloc[0:0].copy()

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
        return audit_log(model=model, newest_first=True, limit=TIMELINE_ROWS)

    @property
    def outcomes(self) -> pd.DataFrame:
        """The last register's outcome per model (:data:`OUTCOME_COLUMNS`)."""
        return pd.DataFrame(self.outcomes_rows, columns=list(OUTCOME_COLUMNS))

    def refresh(self) -> None:
        """Read the registry again (another process may have changed it)."""
        self._act(lambda: None, lambda _: "refreshed")

    def select(self, model: str, revision: str | None = None) -> None:
        """Select the entry of ``model`` (its newest registered revision, or ``revision``)."""
        self.selected_key = find_pin(self._frame, model, revision)

    def select_alias(self, alias: str) -> None:
        """Select the entry ``alias`` points at (:meth:`Registry.get`); an unknown alias is
        a ``ValueError`` listing the aliases."""
        entry = self._registry.get(alias)
        self._refresh(keep_error=False)
        self.selected_key = pin_key(entry["model"], entry["revision"])
        self.status = f"alias {alias!r} points at {pin_label(entry)} · {self._summary()}"

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
        with self.hold_sync():
            self.outcomes_rows = rows
            self._refresh(keep_error=False)
            if done:
                self.selected_key = pin_key(done[-1]["model"], done[-1]["revision"])
            if len(done) == len(rows):
                self.status = register_summary(outcome)
            else:
                self._fail(register_summary(outcome))
        return self.outcomes

    def set_alias(self, alias: str, model: str | None = None, revision: str | None = None) -> None:
        """Point ``alias`` at the selected entry (or ``model`` at ``revision``)."""
        model, revision = self._target(model, revision)
        self._act(
            lambda: self._registry.set_alias(alias, model, revision),
            lambda e: f"alias {alias!r} now points at {pin_label(e)}",
        )

    def set_stage(self, stage: str, model: str | None = None, revision: str | None = None) -> None:
        """Move the selected entry (or ``model`` at ``revision``) to ``stage`` (promote)."""
        model, revision = self._target(model, revision)
        self._act(
            lambda: self._registry.set_stage(model, stage, revision),
            lambda e: f"{pin_label(e)} is now {stage}",
        )

    def deprecate(
        self, model: str | None = None, revision: str | None = None, *, note: str | None = None
    ) -> None:
        """Deprecate the selected entry (or ``model`` at ``revision``)."""
        model, revision = self._target(model, revision)
        self._act(
            lambda: self._registry.deprecate(model, revision, note=note or None),
            lambda changed: ", ".join(pin_label(e) for _, e in changed.iterrows()) + " deprecated",
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
        # no error check after it: a partly failed register is an answer (its outcomes)
        self._page_action(
            lambda: self.register(
                revision=str(body.get("revision") or "main"),
                alias=body.get("alias") or None,
                stage=str(body.get("stage") or "candidate"),
                note=body.get("note") or None,
            ),
            refuse_error=False,
        )
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
        self._page_action(lambda: self.select_alias(str(body.get("alias") or "")))

    @request("drift")
    def _on_drift(self, _body: dict[str, Any]) -> None:
        if not self.check_drift():
            raise RequestError("a drift check is already going on")

    @request("refresh")
    def _on_refresh(self, _body: dict[str, Any]) -> None:
        self._page_action(self.refresh)

    def _page_action(self, fn: Callable[[], Any], *, refuse_error: bool = True) -> None:
        """Run a page's action: what it raises, or (``refuse_error``) the error it left in
        :attr:`error` (see :meth:`_act`), is refused in words (the error reply)."""
        try:
            fn()
        except (ValueError, TypeError, RuntimeError) as err:
            self._fail(str(err))
            raise RequestError(str(err)) from None
        if refuse_error and self.error:
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
            try:
                pin_rows(self._frame, key)
            except ValueError as err:
                raise traitlets.TraitError(str(err)) from None
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
            model, _, revision = self.selected_key.rpartition("@")
            if not model:
                raise ValueError("select an entry of the registry first (or pass model=)")
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
        with self.hold_sync():
            self._drift = found
            self.drift_checked = datetime.now(timezone.utc).isoformat(timespec="seconds")
            self._refresh(keep_error=False)
            self._progress(1.0, "drift checked")
            if drift_answered(found):
                self.status = drift_summary(found)
            else:
                self._fail(drift_summary(found))

    def _refresh(self, *, keep_error: bool) -> None:
        """Read the registry and send the table and the timeline."""
        try:
            frame = self._registry.overview(self._drift)
        except (RuntimeError, ValueError) as err:
            self._fail(str(err))
            return
        self._frame = frame
        shown = overview_text(frame)
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

    def _summary(self) -> str:
        return overview_summary(self._frame, self._registry.where, self.drift_checked)

    def _selected_model(self) -> str | None:
        key = self.selected_key
        return key.rpartition("@")[0] or None if key else None

    def _draw_timeline(self) -> None:
        model = self._selected_model()
        if model is None:
            self._timeline, self.timeline_note = None, "Select an entry to see its audit trail."
            return
        try:
            rows = timeline_text(audit_log(model=model, newest_first=True, limit=TIMELINE_ROWS))
        except (AuditError, ValueError, OSError) as err:
            self._timeline, self.timeline_note = None, f"the audit log cannot be read: {err}"
            return
        self._timeline = rows
        self.timeline_note = "" if len(rows) else f"No audit records of {model} yet."

    # -- display ---------------------------------------------------------------------------------
    def _report_html(self) -> str:
        return overview_html(
            self._entries, self._timeline, caption=self.status, model=self._selected_model()
        )
