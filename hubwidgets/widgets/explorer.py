"""HubExplorer: the four-panel app (Explorer · Details · Performance · Integration), linked.

It is the SearchWidget (its traits, first rows in state, ``rows``/``select``/``detail``
requests, facets grouped by modality) with three more panels that follow its focused row. The
Explorer panel is the search widget's own component (``js/src/lib/searchpanel.ts``); the
Details panel is its detail pane (``js/src/lib/detail.ts``) plus the card's sections. Each
panel asks for its part of the focused model on its own, so one failing source (the Hub down,
no benchmark yet) says so in its place while the others keep working.

Requests (see ``_protocol``), beyond the SearchWidget's:

- ``detail`` ``{model}``: the SearchWidget's answer plus ``sections`` ``{examples,
  usage_html, limitations_html, pipeline, providers}`` (:func:`~hubwidgets.core.choose.explore.
  model_details`);
- ``performance`` ``{model}`` -> ``{pending: true}``, then a ``performance`` event ``{model,
  rows, workload}`` (the rows of :func:`~hubwidgets.core.choose.explore.model_performance` as JSON
  records) or ``{model, error}``: computed in a thread, the latest model asked only, so that
  the next focus's Details never wait behind it;
- ``integration`` ``{model}`` -> ``{model, snippets}``: :func:`hubwidgets.deploy_snippets`;
- ``versions`` ``{model}`` -> ``{pending: true}``, then a ``versions`` event ``{model, rows}``
  or ``{model, error}`` (``hw.versions`` asks the Hub, which may take seconds: it runs in a
  thread and the kernel keeps answering the other panels);
- ``open`` ``{what, model}`` with ``what`` one of ``playground``, ``benchmark``, ``register``
  -> ``{opened}``: opens the widget for it in :attr:`HubExplorer.below`, the output shown under
  the explorer (an ``ipywidgets.Output`` shown right after the explorer, in its cell; the
  widget goes into its ``outputs`` state).
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import pandas as pd
import traitlets

from ..core.catalog.hub import HubError
from ..core.catalog.searchable import Searchable
from ..core.choose.explore import DEFAULT_WORKLOAD, model_details, model_performance
from ..core.governance import check
from ._card import card_html, json_value
from ._protocol import RequestError, request
from ._search_state import detail_body
from .search import SearchWidget

__all__ = ["OPENERS", "HubExplorer"]

#: What the Integration panel's buttons open below the explorer.
OPENERS: tuple[str, ...] = ("playground", "benchmark", "register")

#: The Explorer panel's toggles: what each one sorts by.
VIEWS: dict[str, str] = {"trending": "trending", "popular": "downloads", "recent": "created"}


class HubExplorer(SearchWidget):
    """Find a model, read about it, see how it performs and what it costs, get the code.

    >>> explorer = hw.HubExplorer()            # doctest: +SKIP
    >>> explorer                               # four panels; F6 / Shift+F6 move between them
    >>> explorer.focused                       # the focused model's record (a Series)
    >>> explorer.details                       # record, capabilities, card sections, check
    >>> explorer.performance                   # benchmarks, alternatives, quality, cost
    >>> explorer.selected                      # the selected models (a DataFrame)

    Args:
        catalog: what to search (default ``hw.open_catalog()``).
        backend: the backend of the playgrounds and benchmarks it opens (default: theirs).
        registry: the ``hw.Registry`` (or its URL) "Register" writes to (default: the
            session's default registry).
        **filters: the SearchWidget's (``query``, ``task``, ``sort``, ``focused_id``...).
    """

    WIDGET = "explorer"

    #: Cost panel workload (``hw.Workload``); set it to price another traffic.
    workload: ClassVar[Any] = DEFAULT_WORKLOAD

    view_mode = traitlets.Unicode("popular").tag(sync=True)
    """The Explorer panel's toggle: ``"trending"``, ``"popular"`` or ``"recent"`` (sets
    :attr:`sort`); ``""`` when :attr:`sort` is something else."""

    def __init__(
        self,
        catalog: Searchable | None = None,
        *,
        backend: Any = None,
        registry: Any = None,
        **filters: Any,
    ) -> None:
        self._backend = backend
        self._registry = registry
        self._benchmarks: list[Any] = []
        self._opened: list[Any] = []
        self._below: Any = None
        self._perf_lock = threading.Lock()
        self._perf_wanted: str | None = None
        self._perf_thread: threading.Thread | None = None
        super().__init__(catalog, **filters)

    # -- Python API ------------------------------------------------------------------------------
    @property
    def focused(self) -> pd.Series:
        """The focused model's record (the catalog's columns, no card); empty when none."""
        if not self.focused_id:
            return pd.Series(dtype=object)
        row: pd.Series = self.catalog.model(self.focused_id)  # type: ignore[attr-defined]
        return row.drop("card", errors="ignore")

    @property
    def details(self) -> pd.Series:
        """What the Details panel shows of the focused model: its record, ``pipeline``,
        ``examples``, ``usage``, ``limitations`` (the card's), and ``hw.check``'s ``verdict``,
        ``reasons``, ``license_class``, ``base_chain`` and ``scan_status`` (each with its
        ``*_source``); empty when no model is focused."""
        if not self.focused_id:
            return pd.Series(dtype=object)
        out = model_details(self.focused_id, catalog=self.catalog)
        checked = check([self.focused_id], catalog=self.catalog).iloc[0]
        keep = [
            c
            for c in checked.index
            if c.split("_source")[0]
            in {"verdict", "reasons", "license_class", "base_chain", "scan_status"}
        ]
        both: pd.Series = pd.concat([out, checked[keep]])
        return both

    @property
    def performance(self) -> pd.DataFrame:
        """What the Performance panel shows of the focused model
        (:func:`hubwidgets.core.choose.explore.model_performance`); empty when none is focused."""
        if not self.focused_id:
            return pd.DataFrame(columns=["section", "model", "metric", "value", "unit", "source"])
        return model_performance(
            self.focused_id,
            catalog=self.catalog,
            benchmarks=self._session_benchmarks(),
            workload=self.workload,
        )

    @property
    def benchmarks(self) -> list[Any]:
        """The ``BenchmarkResult`` objects the Performance panel reads (loaded or run here)."""
        return self._session_benchmarks()

    def load_benchmark(self, result: Any) -> None:
        """Show ``result`` (a ``hw.BenchmarkResult``) in the Performance panel.

        Raises:
            TypeError: ``result`` is not a BenchmarkResult.
        """
        from ..core.inference.benchmark import BenchmarkResult  # noqa: PLC0415

        if not isinstance(result, BenchmarkResult):
            raise TypeError(f"expected a hw.BenchmarkResult, not {type(result).__name__}")
        self._benchmarks.append(result)
        self.emit("refresh", {"panel": "performance"})

    @property
    def below(self) -> Any:
        """The output under the explorer where its buttons open widgets (``ipywidgets.Output``)."""
        if self._below is None:
            import ipywidgets  # type: ignore[import-untyped]  # noqa: PLC0415 (when asked)

            self._below = ipywidgets.Output()
            self._below.add_class("hubwidgets-explorer-below")
        return self._below

    @property
    def opened(self) -> list[Any]:
        """The widgets the explorer opened (playgrounds, benchmarks, registries), oldest first."""
        return list(self._opened)

    def open_below(self, what: str, model: str | None = None) -> Any:
        """Open a widget for a model below the explorer, as the Integration panel's buttons
        do, and return it.

        ``explorer.open_below("playground")`` opens an ``hw.Playground`` on the focused model;
        ``"benchmark"`` an ``hw.BenchmarkWidget``; ``"register"`` registers it and shows an
        ``hw.RegistryWidget``. ``model=`` another model.

        Raises:
            ValueError: an unknown ``what`` (the message lists the valid ones), or no model.
        """
        if what not in OPENERS:
            raise ValueError(f"cannot open {what!r}: valid: {', '.join(OPENERS)}")
        model = model or self.focused_id
        if not model:
            raise ValueError("no model to open: focus a result first (or pass model=)")
        task = self._task_of(model)
        widget = getattr(self, f"_make_{what}")(model, task)
        self._opened.append(widget)
        # into the Output's synced state, not through `with output: display(...)`: that routes
        # by the parent message id, which a request handler's message does not tie to the cell
        bundle = widget._display_bundle()
        if bundle is not None:
            data, metadata = bundle
            entry = {"output_type": "display_data", "data": data, "metadata": metadata}
            self.below.outputs = (*self.below.outputs, entry)
        return widget

    def _task_of(self, model: str) -> str | None:
        try:
            task = self.catalog.model(model).get("task")  # type: ignore[attr-defined]
        except Exception:  # a model outside the catalog: the widget asks for a task
            return None
        return task if isinstance(task, str) else None

    def _make_playground(self, model: str, task: str | None) -> Any:
        from .playground import Playground  # noqa: PLC0415

        return Playground(task, [model], backend=self._backend)

    def _make_benchmark(self, model: str, task: str | None) -> Any:
        from .benchmark import BenchmarkWidget  # noqa: PLC0415

        widget = BenchmarkWidget([model], task, backend=self._backend)
        self._benchmark_widgets.append(widget)
        return widget

    def _make_register(self, model: str, _task: str | None) -> Any:
        from ..core.registry import Registry  # noqa: PLC0415
        from .registry import RegistryWidget  # noqa: PLC0415

        registry = self._registry
        if not isinstance(registry, Registry):
            # the catalog's Hub (a test server, a mirror) is where revisions are resolved too
            registry = Registry(registry, endpoint=getattr(self.catalog, "endpoint", None))
            self._registry = registry
        try:
            registry.register(model, note="from the Hub Explorer")
        except HubError as err:  # offline, say: in words in the Integration panel
            raise RequestError(f"could not register {model}: {err}") from None
        return RegistryWidget(registry)

    @property
    def _benchmark_widgets(self) -> list[Any]:
        found: list[Any] = self.__dict__.setdefault("_bench_widgets", [])
        return found

    def _session_benchmarks(self) -> list[Any]:
        runs = [w.result for w in self._benchmark_widgets if w.result is not None]
        return [*self._benchmarks, *runs]

    # -- display: the explorer, then the output its buttons open widgets in ----------------------
    def _ipython_display_(self) -> None:
        super()._ipython_display_()
        from IPython.display import display  # noqa: PLC0415

        display(self.below)

    # -- the toggles -----------------------------------------------------------------------------
    @traitlets.validate("view_mode")
    def _valid_view(self, proposal: Any) -> str:
        value = proposal["value"]
        if value != "" and value not in VIEWS:
            raise traitlets.TraitError(
                f"view_mode must be one of {', '.join(VIEWS)} (or ''), not {value!r}"
            )
        return str(value)

    @traitlets.observe("view_mode")
    def _on_view(self, change: Any) -> None:
        if change["new"]:
            self.sort = VIEWS[change["new"]]

    @traitlets.observe("sort")
    def _on_sort(self, change: Any) -> None:
        mode = {v: k for k, v in VIEWS.items()}.get(change["new"], "")
        if mode != self.view_mode:
            self.view_mode = mode

    # -- requests from the page ------------------------------------------------------------------
    @request("detail")
    def _detail(self, body: dict[str, Any]) -> dict[str, Any]:
        """The SearchWidget's detail, plus the card's sections and the capabilities."""
        model = body.get("model")
        reply = detail_body(self.catalog, model)
        try:
            details = model_details(str(model), catalog=self.catalog)
        except Exception as err:  # the rest of the details still show
            reply["sections"] = {"error": str(err)}
            return reply
        sections: dict[str, Any] = {
            "pipeline": details.get("pipeline"),
            "providers": json_value(details.get("providers")),
            "examples": list(details.get("examples") or []),
            "card_source": details.get("card_source"),
        }
        for part in ("usage", "limitations"):
            text = details.get(part)
            sections[f"{part}_html"] = card_html(text, str(model)) if text else None
        reply["sections"] = sections
        return reply

    @request("performance")
    def _performance(self, body: dict[str, Any]) -> dict[str, Any]:
        """Answered later by a ``performance`` event: ranking alternatives and pricing take up
        to a second on a Hub-sized catalog, and the Details of the next focus must not wait
        behind them. Only the latest model asked for is computed."""
        model = _model_of(body)
        with self._perf_lock:
            self._perf_wanted = model
            if self._perf_thread is None:
                self._perf_thread = threading.Thread(
                    target=self._performance_loop, name="hubwidgets-performance", daemon=True
                )
                self._perf_thread.start()
        return {"pending": True}

    def _performance_loop(self) -> None:
        while True:
            with self._perf_lock:
                model, self._perf_wanted = self._perf_wanted, None
                if model is None:
                    self._perf_thread = None
                    return
            try:
                reply = self._performance_body(model)
            except Exception as err:  # said in place; the other panels keep working
                reply = {"model": model, "error": str(err)}
            self.emit("performance", reply)

    def _performance_body(self, model: str) -> dict[str, Any]:
        """The ``performance`` event's body: ``{model, rows, workload}``."""
        frame = model_performance(
            model,
            catalog=self.catalog,
            benchmarks=self._session_benchmarks(),
            workload=self.workload,
        )
        rows = [{k: json_value(v) for k, v in r.items()} for r in frame.to_dict("records")]
        w = self.workload
        text = (
            f"{w.requests_per_day:,.0f} requests a day, {w.input_tokens} tokens in and "
            f"{w.output_tokens} out each"
        )
        return {"model": model, "rows": rows, "workload": text}

    @request("integration")
    def _integration(self, body: dict[str, Any]) -> dict[str, Any]:
        from ..core.cost import deploy_snippets  # noqa: PLC0415

        model = _model_of(body)
        frame = deploy_snippets(model, catalog=self.catalog)
        rows = [{k: json_value(v) for k, v in r.items()} for r in frame.to_dict("records")]
        return {"model": model, "snippets": rows}

    @request("versions")
    def _versions(self, body: dict[str, Any]) -> dict[str, Any]:
        model = _model_of(body)

        def work() -> None:
            from ..core.registry import versions  # noqa: PLC0415

            endpoint = getattr(self.catalog, "endpoint", None)
            try:
                frame = versions(model, limit=10, endpoint=endpoint)
            except Exception as err:  # said in place; the other panels keep working
                self.emit("versions", {"model": model, "error": f"versions unavailable: {err}"})
                return
            rows = [{k: json_value(v) for k, v in r.items()} for r in frame.to_dict("records")]
            self.emit("versions", {"model": model, "rows": rows})

        threading.Thread(target=work, name="hubwidgets-versions", daemon=True).start()
        return {"pending": True}

    @request("open")
    def _open_request(self, body: dict[str, Any]) -> dict[str, Any]:
        what = body.get("what")
        if not isinstance(what, str):
            raise RequestError(f"bad open request: what={what!r}; valid: {', '.join(OPENERS)}")
        widget = self.open_below(what, _model_of(body))
        self.status = f"opened {type(widget).__name__} for {_model_of(body)} below the explorer"
        return {"opened": type(widget).__name__}


def _model_of(body: dict[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise RequestError(f"bad request: model={model!r} (need a model id)")
    return model
