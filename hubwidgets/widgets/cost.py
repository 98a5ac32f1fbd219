"""CostWidget: what serving these models costs, per option, at the user's workload.

The widget holds the models, the workload and the selected option in traits, and calls the core
for the rest: one :func:`hubwidgets.estimate_cost` per set of models and workload (cached),
ranked by :func:`hubwidgets.rank_options` for the table, the chart from
:func:`hubwidgets.charts.cost.cost_vs_volume` drawn as SVG in the kernel, and
:func:`hubwidgets.budget_fit` for the budget bar (all in :mod:`hubwidgets.core.cost.options`).
What the page shows goes in synced traits, so a view drawn from saved state shows the estimate:
the options table (``_table``, :data:`TABLE_COLUMNS`), the chart (``_charts``), the budget bar
(``_budget``) and the status.

The page edits the workload through a ``workload`` request (its fields as numbers, null for the
optional ones): the kernel builds the :class:`~hubwidgets.Workload` (``as_workload``) and
re-estimates, or replies with the core's error (``requests_per_day must be > 0, not 0``), which
the page shows beside the inputs, keeping what was typed. The page writes ``selected`` (a row's
``key``) to pick the option whose month cost the budget bar shows, and whose model the chart
draws.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
import traitlets

from ..core.catalog.searchable import Searchable
from ..core.cost.budget import active_budget, as_budget
from ..core.cost.estimate import ESTIMATE_COLUMNS, Workload, as_workload, estimate_cost
from ..core.cost.options import (
    budget_fit,
    find_option,
    options_html,
    options_line,
    price_sources,
    rank_options,
)
from ..core.report import svg_divs
from ._base import HubWidget
from ._protocol import request
from ._serialization import Table
from ._traits import ModelIds

if TYPE_CHECKING:
    import altair as alt

__all__ = ["DEFAULT_WORKLOAD", "TABLE_COLUMNS", "WORKLOAD_FIELDS", "CostWidget"]

#: The workload before the user sets one: a small chat service.
DEFAULT_WORKLOAD = Workload(requests_per_day=10_000, input_tokens=500, output_tokens=200)

#: The workload's fields the page edits, in order (``peak_hours_per_day`` stays as given).
WORKLOAD_FIELDS: tuple[str, ...] = (
    "requests_per_day",
    "input_tokens",
    "output_tokens",
    "peak_requests_per_s",
    "hours_per_day",
    "latency_slo_ms",
)

#: The columns of the options table the page shows: ``key`` (model and option, what
#: ``selected`` names), ``label`` (the option: "dedicated: aws-nvidia-l4-x1", "serverless:
#: together", "this machine"), then the estimate's own columns.
#: The estimate's columns the label stands for (the option's place) or the page does not show.
_NOT_SHOWN = frozenset(
    {"model", "instance", "provider", "vendor", "region", "instance_type", "instance_size"}
    | {"dtype", "replicas_needed_at_peak", "scale_to_zero"}
)
TABLE_COLUMNS: tuple[str, ...] = (
    "key",
    "model",
    "label",
    *(c for c in ESTIMATE_COLUMNS if c not in _NOT_SHOWN),
)


# the named arguments: a misspelled "workloud" is told about "workload"
_ARGUMENTS = (
    "source",
    "workload",
    "budget",
    "catalog",
    "prices",
    "provider_table",
    "options",
    "dtype",
)


class _WorkloadTrait(traitlets.TraitType[Workload, Any]):
    """A :class:`Workload`; a dict of its fields is accepted too. On the wire: its dict."""

    info_text = "a hw.Workload or a dict of its fields"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_value=DEFAULT_WORKLOAD, **kwargs)
        self.tag(sync=True, kernel=True, to_json=lambda value, _widget: asdict(value))

    def validate(self, obj: Any, value: Any) -> Workload:
        try:
            return as_workload(value)
        except (ValueError, TypeError) as err:
            raise traitlets.TraitError(str(err)) from None


class CostWidget(HubWidget):
    """What serving models costs at a workload: dedicated endpoints, serverless providers and
    this machine side by side, the cheapest per model highlighted, the cost against volume with
    the break-even, and the month's spend against a budget.

    >>> c = hw.CostWidget(["Qwen/Qwen2.5-7B-Instruct"])                  # doctest: +SKIP
    >>> c.workload = hw.Workload(20_000, 500, 200, peak_requests_per_s=2)  # re-estimates
    >>> c.result                  # hw.estimate_cost's DataFrame
    >>> c.chart()                 # the Altair chart of cost against volume

    Args:
        models: model ids. Default: the source's selection, else none.
        source: a widget whose selection this one follows (a SearchWidget, a CompareWidget...).
        workload: a :class:`hw.Workload` or a dict of its fields (default
            :data:`DEFAULT_WORKLOAD`: 10,000 requests a day, 500 tokens in, 200 out).
        budget: a :class:`hw.Budget` or a monthly amount in $ (default: the session's budget,
            ``hw.active_budget()``, as it is at each refresh; none: the bar says so).
        catalog: where the parameter counts come from (default: the source's, else
            ``hw.open_catalog()``).
        prices: the instances (default ``hw.hardware_prices()``: live, else bundled).
        provider_table: serverless prices (default ``hw.provider_prices()``: live, else none).
        options: which options to estimate (``estimate_cost``'s ``options=``; default all).
        dtype: the weights' dtype on the instances (default ``"fp16/bf16"``).

    Raises:
        traitlets.TraitError: what ``estimate_cost`` refuses, in its words: an unknown model id
            (with close matches), a bad workload (``requests_per_day must be > 0, not 0``), an
            unknown option or dtype (with the valid ones), a price table without its columns.
        TypeError: ``source`` is not a widget with a selection, ``catalog`` is not a catalog,
            ``budget`` is not a budget, or a misspelled keyword argument.
    """

    WIDGET = "cost"
    SELECTION = "models"

    models = ModelIds().tag(sync=True)
    """Ids of the models whose serving is estimated."""

    workload = _WorkloadTrait()
    """The traffic to serve (a :class:`hw.Workload`; the page edits it through a request, so a
    bad value is refused with the core's words and the typed inputs stay)."""

    selected = traitlets.Unicode("").tag(sync=True)
    """The ``key`` of the option the budget bar weighs (the page picks it; default the first
    model's cheapest option)."""

    _table = Table(columns=TABLE_COLUMNS)
    # {chart name: SVG}, drawn in the kernel (offline); empty when there is nothing to draw
    _charts = traitlets.Dict().tag(sync=True, kernel=True)
    # the budget bar: {budget, spent, remaining, fraction, month, hard, option, option_usd,
    # note}; {} when no budget is set
    _budget = traitlets.Dict().tag(sync=True, kernel=True)
    # where the prices come from, in words (the hardware table's and the providers' notes)
    _sources = traitlets.Unicode("").tag(sync=True, kernel=True)

    #: Estimates kept per widget (one per set of models and workload).
    CACHE_SIZE: ClassVar[int] = 16

    def __init__(
        self,
        models: Sequence[str] | str | None = None,
        source: HubWidget | None = None,
        workload: Workload | Mapping[str, Any] | None = None,
        *,
        budget: Any = None,
        catalog: Searchable | None = None,
        prices: pd.DataFrame | None = None,
        provider_table: pd.DataFrame | None = None,
        options: str | Sequence[str] = "all",
        dtype: str = "fp16/bf16",
        **kwargs: Any,
    ) -> None:
        self._check_arguments(kwargs, [*self._writable_traits(), *_ARGUMENTS])
        self._cache: dict[tuple[Any, ...], pd.DataFrame] = {}
        self._took: dict[tuple[Any, ...], float] = {}
        self._svg_key: tuple[Any, ...] | None = None
        self._ready = False
        self._prices = prices
        self._provider_table = provider_table
        self._options = options
        self._dtype = dtype
        self._budget_given = as_budget(budget)
        super().__init__(**kwargs)
        self._catalog = self._link_catalog(source, catalog)
        try:
            if workload is not None:
                self.workload = workload
        except Exception:
            self.close()
            raise
        self._ready = True
        self._first_models(models, source)
        if not self.error and not self.models:
            self._refresh()

    # -- Python API ------------------------------------------------------------------------------
    @property
    def catalog(self) -> Searchable:
        """The catalog the parameter counts come from."""
        return self._catalog

    @property
    def result(self) -> pd.DataFrame:
        """:func:`hubwidgets.estimate_cost`'s DataFrame for :attr:`models` under
        :attr:`workload` (empty, with its columns, when there are no models)."""
        ids = list(self.models)
        if not ids:
            return pd.DataFrame(columns=list(ESTIMATE_COLUMNS))
        return self._estimate(ids, self.workload).copy()

    @property
    def budget(self) -> Any:
        """The budget the bar weighs against: the one given, else the session's
        (``hw.active_budget()``); None when there is none."""
        if self._budget_given is not None:
            return self._budget_given
        return active_budget()

    @budget.setter
    def budget(self, value: Any) -> None:
        self._budget_given = as_budget(value)
        if self._ready:
            self._send_budget()

    @property
    def selected_option(self) -> pd.Series | None:
        """The row of :attr:`result` that :attr:`selected` names; None when nothing is."""
        if self._table is None:
            return None
        return find_option(self.result, self.selected)

    def chart(self, model: str | None = None) -> alt.LayerChart:
        """The cost against volume of ``model``'s options (default: the selected option's
        model, else the first), with the crossovers with serverless marked
        (:func:`hubwidgets.charts.cost.cost_vs_volume`).

        Raises:
            ValueError: no models, or ``model`` is not one of them.
        """
        from ..charts.cost import cost_vs_volume  # noqa: PLC0415 (altair is slow to import)

        result = self.result
        if result.empty:
            raise ValueError("no models: pass model ids, or link a widget with a selection")
        return cost_vs_volume(result, model=model if model is not None else self._chart_model())

    def charts(self) -> dict[str, alt.TopLevelMixin]:
        """``{"cost": chart()}``; empty without models."""
        return {"cost": self.chart()} if self.models else {}

    # -- validation ------------------------------------------------------------------------------
    @traitlets.validate("models")
    def _valid_models(self, proposal: Any) -> list[str]:
        ids: list[str] = proposal["value"]
        if self._ready and ids:
            try:
                self._estimate(ids, self.workload)  # an unknown id is refused, with matches
            except (ValueError, TypeError) as err:
                raise traitlets.TraitError(str(err)) from None
        return ids

    @traitlets.validate("workload")
    def _valid_workload(self, proposal: Any) -> Workload:
        work: Workload = proposal["value"]
        ids = list(self.models)
        if self._ready and ids:
            try:
                self._estimate(ids, work)
            except (ValueError, TypeError) as err:
                raise traitlets.TraitError(str(err)) from None
        return work

    # -- the source ------------------------------------------------------------------------------
    def _on_source_selection(self, ids: list[str]) -> None:
        self.models = ids

    @traitlets.observe("models", "workload")
    def _on_change(self, change: Any) -> None:
        if self._ready:
            self._refresh()

    @traitlets.observe("selected")
    def _on_selected(self, change: Any) -> None:
        if self._ready:
            self._send_budget()
            self._send_charts()
            self._update_report()

    # -- requests from the page ------------------------------------------------------------------
    @request("workload")
    def _set_workload(self, body: dict[str, Any]) -> dict[str, Any]:
        """The page's workload inputs: applied, or refused with the core's words (the page
        keeps what was typed and shows the message beside the inputs)."""
        given = body.get("workload")
        if not isinstance(given, Mapping):
            raise TypeError("a workload request needs {'workload': {field: number}}")
        kept = asdict(self.workload)
        values = {**kept, **{k: given[k] for k in WORKLOAD_FIELDS if k in given}}
        work = as_workload(values)
        if work != self.workload:
            ids = list(self.models)
            if ids:
                self._estimate(ids, work)  # a ValueError here is the reply, nothing changes
            self.workload = work
        return {"workload": asdict(self.workload)}

    # -- the estimate ----------------------------------------------------------------------------
    def _estimate(self, ids: list[str], work: Workload) -> pd.DataFrame:
        key = (tuple(ids), work)
        cached = self._cache.get(key)
        if cached is None:
            started = time.perf_counter()
            cached = estimate_cost(
                ids,
                work,
                options=self._options,
                catalog=self._catalog,
                prices=self._prices,
                provider_table=self._provider_table,
                dtype=self._dtype,
            )
            if len(self._cache) >= self.CACHE_SIZE:
                first = next(iter(self._cache))
                self._cache.pop(first)
                self._took.pop(first, None)
            self._cache[key] = cached
            self._took[key] = (time.perf_counter() - started) * 1000
        return cached

    def _refresh(self) -> None:
        """Send the table, chart, budget bar and status of the current models and workload."""
        ids = list(self.models)
        if not ids:
            with self.hold_sync():
                self._table, self._charts, self._sources = None, {}, ""
                self._svg_key = None
                self.selected = ""
                self.error = ""
                self.status = "No models: pass model ids, or link a widget with a selection"
            self._send_budget()
            self._update_report()
            return
        try:
            full = self._estimate(ids, self.workload)
        except (ValueError, TypeError) as err:  # validated already; the catalog may have changed
            self._fail(str(err))
            return
        shown = rank_options(full)
        keys = list(shown["key"])
        # kept while the table still has it, else the first model's cheapest (ranked first)
        selected = self.selected if self.selected in keys else (keys[0] if keys else "")
        ms = self._took.get((tuple(ids), self.workload), 0.0)
        with self.hold_sync():
            self._table = shown
            self._sources = price_sources(full)
            self._ready = False  # one refresh: the selection's own observer waits
            self.selected = selected
            self._ready = True
            self.error = ""
            self.status = f"{options_line(full)} · {ms:.0f} ms"
        self._send_charts()
        self._send_budget()
        self._update_report()

    def _chart_model(self) -> str | None:
        option = None if self._table is None else find_option(self._table, self.selected)
        if option is not None:
            return str(option["model"])
        return str(self.models[0]) if self.models else None

    def _send_charts(self) -> None:
        """The chart as SVG, redrawn only when what it shows changes (drawing takes a while)."""
        ids = list(self.models)
        if not ids:
            return
        key = (tuple(ids), self.workload, self._chart_model())
        if key == self._svg_key:
            return
        svgs = self._chart_svgs()
        self._svg_key = key if svgs else None  # a chart that failed is tried again next time
        self._charts = svgs

    def _send_budget(self) -> None:
        self._budget = budget_fit(self.budget, self.selected_option)

    def _fail(self, message: str) -> None:
        shown = "; showing the previous estimate" if self._table is not None else ""
        with self.hold_sync():
            self.error = message
            self.status = f"{message}{shown}"

    # -- display ---------------------------------------------------------------------------------
    def _report_html(self) -> str:
        """The options table and the chart, for exported reports."""
        shown = self._table
        if shown is None or shown.empty:
            return f'<p class="hubwidgets-cost">{html.escape(self.status)}</p>'
        caption = f"{self.status} · {self._sources}" if self._sources else self.status
        return options_html(shown, caption=caption) + svg_divs(self._charts)
