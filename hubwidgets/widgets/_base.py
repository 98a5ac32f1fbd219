"""The one base every hubwidgets widget derives from (:class:`HubWidget`), and its runs
(:class:`RunningWidget`).

What every widget shares lives here, once:

- **the front-end code**: one bundle for every widget, sent once per page (see ``_bundle``);
  the class names its front-end component in :attr:`HubWidget.WIDGET`;
- **keyword checks**: a misspelled argument is a ``TypeError`` naming close matches
  (:meth:`HubWidget._check_arguments`);
- **kernel-only traits**: traits tagged ``kernel=True`` are the kernel's to write; a write from
  the page is refused, reported in :attr:`~HubWidget.status` and undone in the page;
- **the status line**: :attr:`~HubWidget.status` and :attr:`~HubWidget.error`, set by
  :meth:`~HubWidget._fail`; beside it, the health badge: :attr:`~HubWidget.health`, filled by
  :meth:`~HubWidget.check_health` (the page's "Check the Hub" button), never before it is asked;
- **requests**: handlers marked with :func:`~hubwidgets.widgets._protocol.request`, answered by
  id, errors as structured replies (see ``_protocol``); :meth:`~HubWidget.emit` for events;
- **linking**: ``source=`` any widget with a selection (:attr:`~HubWidget.selection`); the
  widget follows it through :meth:`~HubWidget._on_source_selection`;
- **the report**: a ``text/html`` stand-in beside the view for exports without widget state
  (``_report_html``), kept current where no page draws the widget;
- **charts**: :meth:`~HubWidget.charts` returns Altair charts by name; :meth:`~HubWidget.
  _chart_svgs` draws them as SVG in the kernel (offline) for the page;
- **runs** (:class:`RunningWidget`): a background thread, ``running``/``progress``/
  ``progress_text`` traits, cancel, and waiting from Python.

State lives in documented traits that serialize themselves (a DataFrame is a
:class:`~hubwidgets.widgets._serialization.Table` trait, sent as Arrow IPC), so a view drawn
from saved state alone shows the widget's results.
"""

from __future__ import annotations

import contextlib
import html
import os
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar

import anywidget
import traitlets

from ..core.catalog.searchable import Searchable
from ..core.catalog.sources import open_catalog
from ..core.catalog.vocab import close_matches
from . import _bundle
from ._protocol import VERSION, RequestError, handlers_of, pack, request, unpack

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

__all__ = ["HubWidget", "RequestError", "RunningWidget", "catalog_for"]

#: Seconds a health check asked from the page may take at most (the kernel answers nothing
#: else meanwhile).
MAX_HEALTH_TIMEOUT_S = 10.0

# ipywidgets' traits a user never passes
_PLUMBING = frozenset({"comm", "keys", "log"})


class HubWidget(anywidget.AnyWidget):
    """Base of every hubwidgets widget (see the module docstring for what it owns)."""

    #: The front-end component that draws this widget (``js/src/<WIDGET>.ts``).
    WIDGET: ClassVar[str] = ""
    #: The trait holding this widget's selection (model ids), if it has one: what a widget
    #: linked with ``source=`` follows.
    SELECTION: ClassVar[str | None] = None

    _handlers: ClassVar[dict[str, str]] = {}

    # the code: the full bundle or a stub (see _bundle); the component; the bundle's id
    _esm = traitlets.Unicode("").tag(sync=True)
    _widget = traitlets.Unicode("").tag(sync=True, kernel=True)
    _bundle = traitlets.Unicode("").tag(sync=True, kernel=True)

    status = traitlets.Unicode("").tag(sync=True, kernel=True)
    """One line for people: what is shown and where it comes from, how the last action went,
    or what to do."""

    error = traitlets.Unicode("").tag(sync=True, kernel=True)
    """What went wrong with the last action, in words; empty when it went well."""

    health = traitlets.Dict().tag(sync=True, kernel=True)
    """The badge beside the status line: the last check of the Hub's services
    (:meth:`check_health`; empty before one): ``status`` (ok / degraded / unreachable /
    unauthorized / error), ``ok`` and ``total`` rows, ``checked_at`` and ``problems``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = handlers_of(cls)

    def __init__(self, **kwargs: Any) -> None:
        self._display_id = f"hubwidgets-{self.WIDGET or 'widget'}-{uuid.uuid4().hex}"
        self._displayed = False  # shown at least once in this kernel's outputs
        self._viewed = False  # a live page drew the widget: never re-display under it
        self._from_page = False  # the change being handled came from the page
        self._source: HubWidget | None = None
        kwargs.setdefault("_esm", _bundle.esm_for(self))
        super().__init__(_widget=self.WIDGET, _bundle=_bundle.bundle_id(), **kwargs)
        self.on_msg(self._on_message)

    # -- keyword arguments --------------------------------------------------------------------
    @classmethod
    def _check_arguments(cls, given: Iterable[str], valid: Iterable[str] | None = None) -> None:
        """Refuse a misspelled keyword argument with a ``TypeError`` naming close matches.

        ``valid``: the names allowed (default: the public traits the page may write, and
        ipywidgets' own such as ``layout``)."""
        names = list(valid) if valid is not None else cls._writable_traits()
        for name in given:
            if name not in names:
                hint = close_matches(name, names)
                also = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise TypeError(
                    f"unexpected argument {name!r}{also}; valid arguments: "
                    f"{', '.join(n for n in names if n not in _PUBLIC_IPYWIDGETS)}"
                )

    @classmethod
    def _writable_traits(cls) -> list[str]:
        kernel = cls._kernel_only()
        return [
            n
            for n in cls.class_trait_names()
            if not n.startswith("_") and n not in kernel and n not in _PLUMBING
        ]

    @classmethod
    def _kernel_only(cls) -> frozenset[str]:
        """The traits only the kernel writes (tagged ``kernel=True``)."""
        return frozenset(cls.class_trait_names(kernel=True))

    # -- state from the page --------------------------------------------------------------------
    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Apply an update from the page: its traits at once, inside :meth:`_page_batch`.

        Writes to kernel-only traits are refused; a value the traits refuse leaves every trait
        as it was. Either way the error goes to :attr:`status` and the page gets the kernel's
        values back.
        """
        kernel = self._kernel_only()
        accepted = {k: v for k, v in sync_data.items() if k not in kernel}
        refused = [k for k in sync_data if k in kernel]
        self._from_page = True
        try:
            with self._page_batch():
                super().set_state(accepted)
        except traitlets.TraitError as err:
            self._fail(str(err))
            refused = list(sync_data)
        finally:
            self._from_page = False
        if refused:
            denied = sorted(k for k in refused if k in kernel)
            if denied:  # reported, and what the widget shows stays as it was
                self.error = f"the page cannot set {', '.join(denied)}: only the kernel does"
            self.send_state(refused)

    def _page_batch(self) -> AbstractContextManager[Any]:
        """What wraps a page update's writes (default: notifications held, one refresh)."""
        batch: AbstractContextManager[Any] = self.hold_trait_notifications()
        return batch

    # -- the status line ------------------------------------------------------------------------
    def _fail(self, message: str) -> None:
        """Say what went wrong (what the widget shows stays as it was)."""
        with self.hold_sync():
            self.error = message
            self.status = message

    # -- the health badge -----------------------------------------------------------------------
    def _health_arguments(self) -> dict[str, Any]:
        """Keyword arguments of :func:`hw.health` for the badge (override: e.g. the widget's
        Hub ``endpoint``)."""
        return {}

    def check_health(self, timeout: float = 3) -> pd.DataFrame:
        """Check the Hub's services now (:func:`hw.health`, one row per service); the badge
        beside the status line shows the summary. Offline every row is ``unreachable``."""
        from ..core.connect import health  # noqa: PLC0415
        from ._health import health_summary  # noqa: PLC0415

        df = health(timeout=timeout, **self._health_arguments())
        self.health = health_summary(df)
        return df

    @request("check_health")
    def _check_health(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"timeout": s}`` (optional, at most ``MAX_HEALTH_TIMEOUT_S``) -> the summary."""
        timeout = body.get("timeout", 3)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            timeout = 3
        self.check_health(min(float(timeout), MAX_HEALTH_TIMEOUT_S))
        return dict(self.health)

    # -- requests from the page ----------------------------------------------------------------
    def _on_message(self, _widget: Any, content: Any, buffers: list[Any]) -> None:
        if not isinstance(content, dict) or content.get("hw") != VERSION:
            return
        kind = content.get("kind")
        rid = content.get("id")
        if kind == "view":  # a live page draws the widget
            self._viewed = True
        try:
            body = unpack(content.get("body") or {}, content.get("paths"), list(buffers or []))
            if not isinstance(body, dict):
                raise RequestError(f"a {kind!r} request needs a body object")
            method = self._handlers.get(str(kind))
            if method is None:
                if kind == "view":
                    return
                raise RequestError(f"unknown request {kind!r}")
            reply = getattr(self, method)(body)
        except Exception as err:  # every request gets an answer, never a traceback in the page
            message = (
                str(err)
                if isinstance(err, (RequestError, ValueError, TypeError))
                else (f"{type(err).__name__}: {err}")
            )
            if not isinstance(err, (RequestError, ValueError, TypeError)):
                traceback.print_exc()
            if rid is None:
                self._fail(message)
            else:
                error = {"message": message, "type": type(err).__name__}
                self.send({"hw": VERSION, "kind": kind, "id": rid, "error": error})
            return
        if rid is not None:
            self._send_message(str(kind), rid, reply or {})

    def emit(self, kind: str, body: Mapping[str, Any]) -> None:
        """Send an event the page did not ask for (binary values as buffers)."""
        self._send_message(kind, None, dict(body))

    def _send_message(self, kind: str, rid: Any, body: Any) -> None:
        packed, paths, buffers = pack(body)
        message = {"hw": VERSION, "kind": kind, "id": rid, "body": packed, "paths": paths}
        self.send(message, buffers or None)

    # -- linking --------------------------------------------------------------------------------
    @property
    def selection(self) -> list[str]:
        """This widget's selected model ids (what a widget linked to it follows)."""
        name = self.SELECTION
        return list(getattr(self, name)) if name else []

    @property
    def source(self) -> HubWidget | None:
        """The widget whose selection this one follows, or None."""
        return self._source

    def _link_source(self, source: Any) -> HubWidget | None:
        """Follow ``source``'s selection; None leaves the widget unlinked.

        Raises:
            TypeError: ``source`` is not a hubwidgets widget with a selection.
        """
        if source is None:
            return None
        if not isinstance(source, HubWidget) or source.SELECTION is None:
            raise TypeError(
                "source must be a hubwidgets widget with a selection (hw.SearchWidget, "
                f"hw.CompareWidget...), not {type(source).__name__}"
            )
        self._source = source
        source.observe(self._on_source_change, names=source.SELECTION)
        return source

    def _on_source_change(self, change: Any) -> None:
        try:
            self._on_source_selection(list(change["new"]))
        except (traitlets.TraitError, ValueError, TypeError) as err:
            self._fail(str(err))

    def _link_catalog(self, source: Any, catalog: Any) -> Searchable:
        """Follow ``source`` and return the catalog to look models up in (:func:`catalog_for`);
        on a bad ``source`` or ``catalog`` the widget is closed and the error raised."""
        try:
            self._link_source(source)  # a source without a selection is a TypeError
            return catalog_for(catalog, source)
        except Exception:
            self.close()
            raise

    def _first_models(self, models: Any, source: HubWidget | None, trait: str = "models") -> None:
        """Set ``trait`` to the models given from Python (a bad value raises, and the widget is
        closed), else follow the source's selection as it is now (a bad one goes to the
        status line)."""
        if models is not None:
            items = [models] if isinstance(models, (str, os.PathLike)) else list(models)
            try:
                setattr(
                    self, trait, [os.fspath(m) if isinstance(m, os.PathLike) else m for m in items]
                )
            except Exception:
                self.close()
                raise
        elif source is not None:
            try:
                self._on_source_selection(source.selection)
            except traitlets.TraitError as err:  # e.g. an id the catalog does not hold
                self._fail(str(err))

    def _on_source_selection(self, ids: list[str]) -> None:
        """The source's selection changed (override: what to follow)."""

    def close(self) -> None:
        """Close the widget, stop following its source, and hand the front-end code over."""
        source = getattr(self, "_source", None)
        if source is not None and source.SELECTION is not None:
            with contextlib.suppress(ValueError):  # not observed (any more)
                source.unobserve(self._on_source_change, names=source.SELECTION)
        _bundle.handover(self)
        super().close()

    # -- charts ---------------------------------------------------------------------------------
    def charts(self) -> Mapping[str, alt.TopLevelMixin]:
        """Altair charts of the widget's results, by name (empty when there is nothing)."""
        return {}

    def _chart_svgs(self) -> dict[str, str]:
        """:meth:`charts` as SVG drawn in the kernel (offline); {} when they cannot be drawn."""
        from ..charts.svg import to_svg  # noqa: PLC0415 (vl-convert is slow to import)

        try:
            return to_svg(self.charts())
        except Exception:  # a chart is a bonus: what it is drawn from still shows
            return {}

    # -- display: the widget, and a report beside it for exports ------------------------------
    def _report_html(self) -> str:
        """The ``text/html`` stand-in for the view; must not raise for want of data."""
        return f"<p>{html.escape(self.status)}</p>"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The widget view, plus the ``text/html`` report of :meth:`_report_html`."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/html": self._safe_report()}, metadata

    def _safe_report(self) -> str:
        try:
            return self._report_html()
        except Exception as err:  # a report must not sink the display
            why = html.escape(f"{self.status} (report unavailable: {err})")
            return f"<p>{why}</p>"

    def _ipython_display_(self) -> None:
        """Display with a display id, so the report can follow later changes."""
        from IPython.display import display  # noqa: PLC0415 (only when displayed)

        bundle = self._display_bundle()
        if bundle is None:
            return
        data, metadata = bundle
        display(data, metadata=metadata, raw=True, display_id=self._display_id)
        self._displayed = True

    def _display_bundle(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        make = self._repr_mimebundle_  # ipywidgets sets it to None when the widget is closed
        return make() if callable(make) else None

    def _update_report(self) -> None:
        """Keep the report of earlier outputs on the widget's state (kernel-side changes),
        only where no live page draws the widget: there an update would draw it again under
        the user's cursor."""
        if not self._displayed or self._viewed or self._from_page:
            return
        from IPython.display import update_display  # noqa: PLC0415

        bundle = self._display_bundle()
        if bundle is not None:
            data, metadata = bundle
            update_display(data, metadata=metadata, raw=True, display_id=self._display_id)


def catalog_for(catalog: Any, source: HubWidget | None) -> Searchable:
    """The catalog given, else the source's, else ``open_catalog()``.

    Raises:
        TypeError: ``catalog`` is not a catalog.
    """
    if catalog is None:
        found = getattr(source, "catalog", None) if source is not None else None
        catalog = found if isinstance(found, Searchable) else open_catalog(verbose=False)
    if not isinstance(catalog, Searchable):
        raise TypeError(
            "catalog must be a hubwidgets catalog (hw.open_catalog(), hw.starter_catalog(), "
            f"hw.Catalog...), not {type(catalog).__name__}"
        )
    return catalog


_PUBLIC_IPYWIDGETS = frozenset(
    {"layout", "tabbable", "tooltip", "_dom_classes", "_model_id", "model_id"}
)


class RunningWidget(HubWidget):
    """A widget whose main action runs in a background thread, with progress and cancel.

    The kernel keeps handling messages while the run goes on, so the page's Cancel or Stop
    reaches it. Subclasses call :meth:`_start` with the work; the work gets an Event that is set
    on cancel, and reports with :meth:`_progress`.
    """

    running = traitlets.Bool(False).tag(sync=True, kernel=True)
    """Whether a run is going on (Cancel is enabled while it is)."""

    progress = traitlets.Float(0.0).tag(sync=True, kernel=True)
    """How far the run is, 0 to 1."""

    progress_text = traitlets.Unicode("").tag(sync=True, kernel=True)
    """What the run is doing now, in words."""

    def __init__(self, **kwargs: Any) -> None:
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._run_lock = threading.Lock()
        super().__init__(**kwargs)

    def _start(
        self, work: Callable[[threading.Event], None], *, name: str, announce: bool = True
    ) -> bool:
        """Run ``work(cancel)`` in a thread; False (and nothing started) when one is running.

        ``work`` must not raise: it reports its own failure (the thread would only print it).
        ``announce=False``: the work sets ``running`` itself (a quick run's first message to
        the page is then its result, not a state update that would hold it back).
        """
        if not self._run_lock.acquire(blocking=False):
            return False
        self._cancel = threading.Event()
        cancel = self._cancel

        def target() -> None:
            try:
                work(cancel)
            except Exception as err:  # a bug must not leave the page waiting forever
                self._fail(f"the run stopped: {type(err).__name__}: {err}")
            finally:
                with self.hold_sync():
                    self.running = False
                self._run_lock.release()

        if announce:
            with self.hold_sync():
                self.running = True
                self.progress = 0.0
                self.progress_text = "starting..."
        self._thread = threading.Thread(target=target, name=f"hubwidgets-{name}", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        """Stop the run at the next point it checks (between two calls)."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends; False if it is still going after ``timeout`` seconds."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _progress(self, fraction: float, text: str) -> None:
        with self.hold_sync():
            self.progress = float(min(max(fraction, 0.0), 1.0))
            self.progress_text = text
