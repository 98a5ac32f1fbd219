"""CostWidget: what serving these models costs, per option, at the user's workload.

The widget holds the models, the workload and the selected option in traits, and calls the core
for the rest: one :func:`hubwidgets.estimate_cost` per set of models and workload (cached), the
chart from :func:`hubwidgets.charts.cost.cost_vs_volume` drawn as SVG in the kernel, and the
budget's :meth:`~hubwidgets.Budget.status` for the budget bar. What the page shows goes in synced
traits, so a view drawn from saved state shows the estimate: the options table (``_table``,
:data:`TABLE_COLUMNS`), the chart (``_charts``), the budget bar (``_budget``) and the status.

The page edits the workload through a ``workload`` request (its fields as numbers, null for the
optional ones): the kernel builds the :class:`~hubwidgets.Workload` and re-estimates, or replies
with the core's error (``requests_per_day must be > 0, not 0``), which the page shows beside the
inputs, keeping what was typed. The page writes ``selected`` (a row's ``key``) to pick the option
whose month cost the budget bar shows, and whose model the chart draws.
"""

from __future__ import annotations

import html
import importlib
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
import traitlets

from ..core.catalog.searchable import Searchable
from ..core.cost import ESTIMATE_COLUMNS, Workload, estimate_cost
from ..core.report import Column, html_table, svg_divs
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
_REQUIRED = ("requests_per_day", "input_tokens", "output_tokens", "hours_per_day")

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


def as_workload(value: Any) -> Workload:
    """``value`` as a :class:`Workload`: one already, or a dict of its fields.

    Raises:
        ValueError: a zero or negative figure, a missing required field (the core's words).
        TypeError: not a Workload nor a dict, an unknown field (with the valid ones).
    """
    if isinstance(value, Workload):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"workload must be a hw.Workload or a dict of its fields, not {type(value).__name__}"
        )
    valid = [f.name for f in fields(Workload)]
    unknown = [k for k in value if k not in valid]
    if unknown:
        raise TypeError(f"unknown workload fields {unknown}; valid: {', '.join(valid)}")
    missing = [k for k in _REQUIRED[:3] if value.get(k) is None]
    if missing:
        raise ValueError(f"{missing[0]} is required: a number > 0")
    # None: the field's default (no peak, no SLO, 24 hours a day)
    return Workload(**{k: _number(v) for k, v in value.items() if v is not None})


def _number(value: Any) -> Any:
    """A number from the page: JSON has no ints apart from floats, so 500.0 is the int 500."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


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
        self._budget_given = _as_budget(budget)
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
        return _active_budget()

    @budget.setter
    def budget(self, value: Any) -> None:
        self._budget_given = _as_budget(value)
        if self._ready:
            self._send_budget()

    @property
    def selected_option(self) -> pd.Series | None:
        """The row of :attr:`result` that :attr:`selected` names; None when nothing is."""
        if self._table is None or not self.selected:
            return None
        result = self.result
        for i, row in enumerate(result.to_dict("records")):
            if option_key(row) == self.selected:
                return result.iloc[i]
        return None

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
        shown = options_table(full)
        keys = list(shown["key"])
        selected = self.selected if self.selected in keys else _default_key(shown)
        cheapest = int(full["cheapest"].fillna(False).sum())
        ms = self._took.get((tuple(ids), self.workload), 0.0)
        n = len(ids)
        sources = _sources_of(full)
        with self.hold_sync():
            self._table = shown
            self._sources = sources
            self._ready = False  # one refresh: the selection's own observer waits
            self.selected = selected
            self._ready = True
            self.error = ""
            self.status = (
                f"{n} model{'' if n == 1 else 's'}, {len(full):,} options · "
                f"cheapest marked for {cheapest} · {ms:.0f} ms"
            )
        self._send_charts()
        self._send_budget()
        self._update_report()

    def _chart_model(self) -> str | None:
        table = self._table
        if table is not None and self.selected:
            at = table.index[table["key"] == self.selected]
            if len(at):
                return str(table.loc[at[0], "model"])
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
        self._budget = budget_bar(self.budget, self.selected_option)

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
        frame = shown.assign(
            cheapest=["★ cheapest" if _present(c) and bool(c) else "" for c in shown["cheapest"]],
        )
        columns = [
            Column("model", "Model", header=True),
            Column("label", "Option"),
            Column("cheapest", "Cheapest"),
            Column("usd_per_month", "$/month", numeric=True, format=_usd),
            Column("usd_per_hour", "$/hour", numeric=True, format=_usd),
            Column("usd_per_1k_requests", "$/1k requests", numeric=True, format=_usd),
            Column("max_replicas", "Replicas at peak", numeric=True, format=_plain),
            Column("meets_slo", "Meets SLO", format=_plain),
            Column("break_even_requests_per_day", "Break-even req/day", numeric=True, format=_int),
            Column("price_source", "Price source"),
            Column("note", "Note"),
        ]
        caption = f"{self.status} · {self._sources}" if self._sources else self.status
        table = html_table(frame, columns, caption=caption, css_class="hubwidgets-cost")
        return table + svg_divs(self._charts)


# -- pure helpers (no widget state) ---------------------------------------------------------------
def option_label(row: Mapping[Any, Any] | pd.Series) -> str:
    """An option in words: "dedicated: aws-nvidia-l4-x1", "serverless: together",
    "this machine"; "dedicated: none fits" / "serverless: none known" for the rows that say so."""
    kind = str(row["option"])
    if kind == "dedicated":
        name = row.get("instance")
        return f"dedicated: {name}" if _present(name) else "dedicated: none fits"
    if kind == "serverless":
        name = row.get("provider")
        return f"serverless: {name}" if _present(name) else "serverless: none known"
    return kind


def option_key(row: Mapping[Any, Any] | pd.Series) -> str:
    """A row's ``key``: its model and :func:`option_label`, what ``selected`` names."""
    return f"{row['model']} · {option_label(row)}"


def options_table(estimate: pd.DataFrame) -> pd.DataFrame:
    """The estimate as the page shows it: per model (in the order given) the cheapest first,
    then the priced options by $/month, then those without a price; with ``key`` and ``label``.
    """
    records = estimate.to_dict("records")
    order = {m: k for k, m in enumerate(dict.fromkeys(estimate["model"]))}

    def rank(i: int) -> tuple[Any, ...]:
        r = records[i]
        month = r["usd_per_month"]
        priced = _present(month)
        best = _present(r["cheapest"]) and bool(r["cheapest"])
        return (order[r["model"]], not best, not priced, month if priced else 0, i)

    at = sorted(range(len(records)), key=rank)
    out = estimate.iloc[at].reset_index(drop=True)
    labels = [option_label(records[i]) for i in at]
    out.insert(0, "label", pd.Series(labels, dtype="string"))
    keys = [option_key(records[i]) for i in at]
    out.insert(0, "key", pd.Series(keys, dtype="string"))
    return out[list(TABLE_COLUMNS)]


def budget_bar(budget: Any, option: pd.Series | None) -> dict[str, Any]:
    """What the budget bar shows: the budget's :meth:`status` (budget, spent, remaining,
    fraction, month, hard) and the selected option's month cost against what is left; {} with
    no budget."""
    if budget is None:
        return {}
    status = budget.status()
    out: dict[str, Any] = {
        k: _json(status.get(k)) for k in ("budget", "spent", "remaining", "fraction", "month")
    }
    out["hard"] = bool(status.get("hard", False))
    unpriced = status.get("unpriced_calls")
    out["unpriced_calls"] = int(unpriced) if _present(unpriced) else 0
    out["option"] = ""
    out["option_usd"] = None
    out["note"] = "no option selected"
    if option is not None:
        out["option"] = option_key(option)
        month = option["usd_per_month"]
        if _present(month):
            cost = float(month)
            out["option_usd"] = cost
            left = float(out["remaining"] or 0.0)
            if cost <= left:
                out["note"] = f"fits: ${left - cost:,.2f} would remain this month"
            else:
                out["note"] = f"over the budget by ${cost - left:,.2f} a month"
        else:
            why = option.get("cost_source") if _present(option.get("cost_source")) else None
            out["note"] = f"no $ for this option ({why or option.get('note') or 'unknown price'})"
    return out


def _default_key(shown: pd.DataFrame) -> str:
    """The first model's cheapest option, else its first row."""
    if shown.empty:
        return ""
    first = shown[shown["model"] == shown["model"].iloc[0]]
    best = first[first["cheapest"].fillna(False).astype(bool)]
    return str((best if len(best) else first)["key"].iloc[0])


def _sources_of(estimate: pd.DataFrame) -> str:
    attrs = estimate.attrs
    parts = [f"instances: {attrs.get('prices_note') or 'unknown'}"]
    providers = attrs.get("providers_note")
    parts.append(f"serverless: {providers}" if providers else "serverless: none known")
    return " · ".join(parts)


def _as_budget(value: Any) -> Any:
    """A budget given: None, a hw.Budget (anything with ``status()``), or $ a month."""
    if value is None:
        return None
    if callable(getattr(value, "status", None)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _budget_module().Budget(float(value))
    raise TypeError(f"budget must be a hw.Budget or $ a month, not {type(value).__name__}")


def _active_budget() -> Any:
    try:
        module = _budget_module()
    except ImportError:  # budgets not shipped in this build
        return None
    return module.active_budget()


def _budget_module() -> Any:
    return importlib.import_module("hubwidgets.core.cost.budget")


def _present(value: Any) -> bool:
    if value is None or value is pd.NA:
        return False
    return not (isinstance(value, float) and math.isnan(value))


def _json(value: Any) -> Any:
    """A budget field as JSON: numbers as float, NA as None, the rest as text."""
    if not _present(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) or hasattr(value, "__float__"):
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _usd(value: Any) -> str:
    return f"${float(value):,.2f}" if _present(value) else ""


def _int(value: Any) -> str:
    return f"{float(value):,.0f}" if _present(value) else ""


def _plain(value: Any) -> str:
    return "" if not _present(value) else str(value)
