"""EndpointsWidget: your Inference Endpoints, created, paused, resumed, scaled to zero and deleted
from the notebook, their status followed live.

Each action of the page is one request answered by one core function of
:mod:`hubwidgets.core.cost.endpoints`:

=================  =========================================  ==================================
request            body                                       core function
=================  =========================================  ==================================
``refresh``        {}                                         :func:`~hubwidgets.endpoints`
``instances``      {model}                                    :func:`endpoint_instances`
``preview``        {model, instance, name, min_replica,       :func:`create_endpoint`
                   max_replica}                               (``confirm=False``)
``create``         the same                                   :func:`create_endpoint`
``pause``          {name}                                     :func:`pause_endpoint`
``resume``         {name}                                     :func:`resume_endpoint`
``scale_to_zero``  {name}                                     :func:`scale_endpoint_to_zero`
``delete``         {name, confirm_name}                       :func:`delete_endpoint`
=================  =========================================  ==================================

An endpoint changing state (created, resumed...) is followed from the kernel: a background
thread (:class:`~hubwidgets.widgets._base.RunningWidget`'s run) reads :func:`hubwidgets.endpoints`
after :attr:`EndpointsWidget.poll` seconds, then twice as long each time (at most
:attr:`EndpointsWidget.max_poll`), until every followed endpoint settles, and writes the table.
An API error goes to :attr:`~EndpointsWidget.error` with the API's message; the table keeps its
last good rows. The token is kept in Python only: it is never in the widget's state.

What the page shows is synced state, so a view drawn from saved state shows the endpoints:
``_table`` (:data:`TABLE_COLUMNS`, Arrow IPC), ``_instances`` and ``_plan``.
"""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Mapping
from typing import Any

import pandas as pd
import traitlets

from ..core.catalog.searchable import Searchable
from ..core.cost.endpoint_summary import (
    SUMMARY_COLUMNS,
    endpoints_html,
    endpoints_line,
    endpoints_summary,
    instance_choices,
    plan_line,
    plan_record,
    still_changing,
)
from ..core.cost.endpoints import (
    ENDPOINT_COLUMNS,
    EndpointError,
    create_endpoint,
    delete_endpoint,
    endpoint_instances,
    endpoints,
    pause_endpoint,
    resume_endpoint,
    scale_endpoint_to_zero,
)
from ._base import RunningWidget, catalog_for
from ._protocol import RequestError, request
from ._serialization import Table

__all__ = ["TABLE_COLUMNS", "EndpointsWidget"]

#: The columns of the table the page shows: the core's ``endpoints_summary`` (its cells in words).
TABLE_COLUMNS: tuple[str, ...] = SUMMARY_COLUMNS


def _int(body: Mapping[str, Any], key: str, default: int) -> int:
    value = body.get(key, default)
    if value in (None, ""):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a whole number, not {value!r}") from None
    if not number.is_integer():
        raise ValueError(f"{key} must be a whole number, not {value!r}")
    return int(number)


def _str(body: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(f"{key} is required")
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text, not {type(value).__name__}")
    return value.strip()


_ARGUMENTS = ("namespace", "token", "endpoint", "prices", "catalog", "poll", "max_poll", "load")


class EndpointsWidget(RunningWidget):
    """Your Inference Endpoints: the table, and create / pause / resume / scale to zero /
    delete, with the status followed live.

    >>> w = hw.EndpointsWidget()                        # doctest: +SKIP
    >>> w.table                 # hw.endpoints()'s DataFrame, as last read

    Args:
        namespace: the user or organisation (default: the token's user).
        token: a Hub token (default: the one huggingface_hub finds). Kept in Python only.
        endpoint: the API's address (see :mod:`hubwidgets.core.cost.endpoints`), e.g. a local
            test server's; default huggingface_hub's.
        prices: :func:`hw.hardware_prices`' table (default: that function, live else bundled).
        catalog: where model sizes come from for the fit (default ``hw.open_catalog()``).
        poll, max_poll: seconds before the first status read of a changing endpoint, and the
            most between two reads (the wait doubles in between).
        load: read the endpoints at once (False: wait for :meth:`refresh`).

    Raises:
        TypeError: a misspelled keyword argument.
    """

    WIDGET = "endpoints"

    namespace = traitlets.Unicode("").tag(sync=True, kernel=True)
    """Whose endpoints are shown."""

    following = traitlets.List(traitlets.Unicode()).tag(sync=True, kernel=True)
    """The endpoints whose status is being followed (they are changing state)."""

    _table = Table(columns=TABLE_COLUMNS)
    # the instances that hold the model of the create form: [{instance, ..., price}] and the
    # model they are for
    _instances = traitlets.Dict().tag(sync=True, kernel=True)
    # the create form's preview: create_endpoint(confirm=False)'s row as a dict ({} = none)
    _plan = traitlets.Dict().tag(sync=True, kernel=True)

    def __init__(
        self,
        namespace: str | None = None,
        *,
        token: str | bool | None = None,
        endpoint: str | None = None,
        prices: pd.DataFrame | None = None,
        catalog: Searchable | None = None,
        poll: float = 1.0,
        max_poll: float = 30.0,
        load: bool = True,
        **kwargs: Any,
    ) -> None:
        self._check_arguments(kwargs, list(_ARGUMENTS))
        for what, value in (("poll", poll), ("max_poll", max_poll)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{what} must be a number of seconds > 0, not {value!r}")
        if namespace is not None and (not isinstance(namespace, str) or not namespace):
            raise TypeError(f"namespace must be a user or organisation name, not {namespace!r}")
        self._token = token
        self._endpoint = endpoint
        self._prices = prices
        self._catalog_given = catalog
        self._catalog: Searchable | None = None
        self.poll = float(poll)
        self.max_poll = float(max_poll)
        self._frame: pd.DataFrame | None = None
        self._watch: set[str] = set()
        self._watch_lock = threading.Lock()
        self._live = False  # a follow run is polling (and will read a newly added name)
        super().__init__(namespace=namespace or "")
        if load:
            self.refresh()

    # -- Python API --------------------------------------------------------------------------
    @property
    def table(self) -> pd.DataFrame:
        """:func:`hubwidgets.endpoints`' DataFrame as last read (empty before the first)."""
        if self._frame is None:
            return pd.DataFrame(columns=list(ENDPOINT_COLUMNS))
        return self._frame.copy()

    def refresh(self) -> bool:
        """Read the endpoints again; False (and the error in :attr:`error`) when the API
        refused, the table keeping its last rows."""
        try:
            df = endpoints(self.namespace or None, **self._where())
        except EndpointError as err:
            self._fail(str(err))
            return False
        self._show(df)
        return True

    def _where(self) -> dict[str, Any]:
        return {"token": self._token, "endpoint": self._endpoint, "prices": self._prices}

    def _kw(self) -> dict[str, Any]:
        return {"namespace": self.namespace or None, **self._where()}

    def _show(self, df: pd.DataFrame, status: str | None = None) -> None:
        self._frame = df
        if not self.namespace and len(df):
            self.namespace = str(df["namespace"].iloc[0])
        with self.hold_sync():
            self._table = endpoints_summary(df)
            self.error = ""
            self.status = status or endpoints_line(df, self.namespace)
        self._update_report()

    def _catalog_for_fit(self) -> Searchable:
        if self._catalog is None:
            self._catalog = catalog_for(self._catalog_given, None)
        return self._catalog

    # -- requests ----------------------------------------------------------------------------
    def _guard(self, fn: Any) -> Any:
        """Run an action; an API error goes to the status line (the table stays) and back to
        the page as the request's error."""
        try:
            return fn()
        except EndpointError as err:
            self._fail(str(err))
            raise RequestError(str(err)) from None
        except (ValueError, TypeError) as err:
            self._fail(str(err))
            raise

    @request("refresh")
    def _on_refresh(self, _body: dict[str, Any]) -> dict[str, Any]:
        if not self.refresh():
            raise RequestError(self.error)
        return {}

    @request("instances")
    def _on_instances(self, body: dict[str, Any]) -> dict[str, Any]:
        model = _str(body, "model")
        assert model is not None
        found = self._guard(
            lambda: endpoint_instances(model, **self._kw(), catalog=self._catalog_for_fit())
        )
        rows = instance_choices(found)
        note = str(found.attrs.get("note") or "")
        with self.hold_sync():
            self._instances = {"model": model, "rows": rows, "note": note}
            self._plan = {}
            self.error = ""
            self.status = (
                f"{len(rows)} instance{'' if len(rows) == 1 else 's'} can serve {model}"
                if rows
                else f"no instance can serve {model}: {note}"
            )
        return {"count": len(rows)}

    def _create_args(self, body: dict[str, Any]) -> dict[str, Any]:
        model = _str(body, "model")
        return {
            "model": model,
            "instance": _str(body, "instance"),
            "name": _str(body, "name", required=False),
            "min_replica": _int(body, "min_replica", 0),
            "max_replica": _int(body, "max_replica", 1),
            **self._kw(),
            "catalog": self._catalog_for_fit(),
        }

    @request("preview")
    def _on_preview(self, body: dict[str, Any]) -> dict[str, Any]:
        args = self._create_args(body)
        plan = plan_record(self._guard(lambda: create_endpoint(**args, confirm=False)))
        with self.hold_sync():
            self._plan = plan
            self.error = ""
            self.status = plan_line(plan)
        return {"plan": plan}

    @request("create")
    def _on_create(self, body: dict[str, Any]) -> dict[str, Any]:
        args = self._create_args(body)
        row = self._guard(lambda: create_endpoint(**args, confirm=True)).iloc[0]
        name = str(row["name"])
        self._plan = {}
        self._after_action(name, f"created {name}: {row['status']}", follow=True)
        return {"name": name}

    def _action(self, body: dict[str, Any], fn: Any, verb: str, *, follow: bool) -> dict[str, Any]:
        name = _str(body, "name")
        assert name is not None
        row = self._guard(lambda: fn(name, **self._kw())).iloc[0]
        self._after_action(name, f"{verb} {name}: {row['status']}", follow=follow)
        return {"status": str(row["status"])}

    @request("pause")
    def _on_pause(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._action(body, pause_endpoint, "paused", follow=False)

    @request("resume")
    def _on_resume(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._action(body, resume_endpoint, "resumed", follow=True)

    @request("scale_to_zero")
    def _on_scale_to_zero(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._action(body, scale_endpoint_to_zero, "scaled to zero", follow=False)

    @request("delete")
    def _on_delete(self, body: dict[str, Any]) -> dict[str, Any]:
        name = _str(body, "name")
        typed = str(body.get("confirm_name") or "")
        assert name is not None
        self._guard(lambda: delete_endpoint(name, confirm_name=typed, **self._kw()))
        with self._watch_lock:
            self._watch.discard(name)
        self._after_action(name, f"deleted {name}", follow=False)
        return {}

    # Python twins of the page's actions -----------------------------------------------------
    def pause(self, name: str) -> None:
        """Pause ``name`` (as the page's Pause button); errors go to :attr:`error`."""
        self._quiet(lambda: self._on_pause({"name": name}))

    def resume(self, name: str) -> None:
        """Resume ``name`` and follow it until it runs."""
        self._quiet(lambda: self._on_resume({"name": name}))

    def scale_to_zero(self, name: str) -> None:
        """Scale ``name`` to zero."""
        self._quiet(lambda: self._on_scale_to_zero({"name": name}))

    def delete(self, name: str, confirm_name: str) -> None:
        """Delete ``name``; ``confirm_name`` must be the name typed again."""
        self._quiet(lambda: self._on_delete({"name": name, "confirm_name": confirm_name}))

    def _quiet(self, fn: Any) -> None:
        with contextlib.suppress(RequestError, ValueError, TypeError):
            fn()  # a failure is said in self.error already

    # -- following -----------------------------------------------------------------------------
    def _after_action(self, name: str, said: str, *, follow: bool) -> None:
        self.refresh()
        if not self.error:
            self.status = said
        if follow:
            self.follow(name)

    def follow(self, name: str) -> None:
        """Follow ``name``'s status live until it settles (running, paused, failed...)."""
        with self._watch_lock:
            self._watch.add(name)
            self.following = sorted(self._watch)
        while not self._start(self._follow_run, name="endpoints-follow", announce=False):
            with self._watch_lock:
                if self._live:  # the run going reads the new name at its next poll
                    return
            thread = self._thread  # a run that just ended: start a new one once it is gone
            if thread is not None:
                thread.join(0.05)

    def _follow_run(self, cancel: threading.Event) -> None:
        delay = self.poll
        with self._watch_lock:
            self._live = True
        with self.hold_sync():
            self.running = True
            self.progress_text = "following " + ", ".join(self.following)
        while not cancel.wait(delay):
            try:
                df = endpoints(self.namespace or None, **self._where())
            except EndpointError as err:
                self._fail(f"{err} (showing the last rows read; still following)")
            else:
                self._settle(df)
            with self._watch_lock:
                if not self._watch:
                    self._live = False  # decided with the lock held: follow() sees it
                    break
                self.progress_text = "following " + ", ".join(sorted(self._watch))
            delay = min(delay * 2, self.max_poll)
        with self._watch_lock:
            if self._live:  # cancelled (closed): stop following
                self._live = False
                self._watch.clear()
                self.following = []
        self.progress_text = ""

    def _settle(self, df: pd.DataFrame) -> None:
        with self._watch_lock:
            changing, failed = still_changing(df, self._watch)
            self._watch.intersection_update(changing)
            self.following = sorted(self._watch)
        self._show(df)
        if failed:
            self._fail("; ".join(failed))

    def close(self) -> None:
        """Stop following and close the widget."""
        cancel = getattr(self, "_cancel", None)  # None: refused before it was made
        if cancel is not None:
            cancel.set()
        super().close()

    # -- display -------------------------------------------------------------------------------
    def _report_html(self) -> str:
        shown = self._table
        if shown is None or shown.empty:
            return f'<p class="hubwidgets-endpoints">{html.escape(self.status)}</p>'
        return endpoints_html(shown, caption=self.status)
