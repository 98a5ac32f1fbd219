"""CompareWidget: 2 to 8 models side by side, the best value of each row highlighted.

The widget holds the models and the options in traits and calls the core for the rest: one
:func:`hubwidgets.compare` per change (cached per models and options), then
:func:`hubwidgets.core.choose._best.best_values` for the highlights and badges. The matrix goes to
the
page as Arrow IPC bytes (the synced ``_matrix`` trait, one row per metric and model, its values
already formatted for people, see :data:`MATRIX_COLUMNS`); the two charts of
:mod:`hubwidgets.charts.compare` as SVG strings drawn in the kernel by vl-convert (offline).

Linked to a :class:`~hubwidgets.widgets.search.SearchWidget` (``source=``), the widget follows
its selection: the first 8 selected models, saying so when there are more.

Bad input from the page never raises: an unknown id typed in "Add model", or too many models,
leaves the models as they were, and :attr:`CompareWidget.status` says what was wrong and what
to do. From Python a bad value raises ``traitlets.TraitError``.
"""

from __future__ import annotations

import contextlib
import html
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
import traitlets

from ..core.catalog.hub import HubError
from ..core.catalog.searchable import Searchable
from ..core.catalog.sources import open_catalog
from ..core.choose._best import best_for, best_values
from ..core.choose.compare import MAX_MODELS, MIN_MODELS, compare
from ._base import HubWidget
from ._card import hub_url
from ._serialization import to_ipc
from ._traits import ModelIds
from .search import SearchWidget, _compact

if TYPE_CHECKING:
    import altair as alt

__all__ = ["MATRIX_COLUMNS", "CompareWidget", "matrix"]

#: The columns of the matrix sent to the page (one row per metric and model).
MATRIX_COLUMNS: tuple[str, ...] = ("metric", "label", "unit", "model", "text", "source", "best")


_BYTES = "bytes"


def _rows(context_length: int, batch_size: int) -> list[tuple[str, str, str]]:
    """The matrix's rows, in order: ``(column of the wide form, label, unit)``."""
    fits = [
        (f"fits_{d}", f"Fits this machine ({d})", "weights + KV cache")
        for d in ("fp32", "fp16/bf16", "int8", "int4")
    ]
    memory = [
        (f"memory_{d}", f"Memory to load ({d})", "weights only")
        for d in ("fp32", "fp16/bf16", "int8", "int4")
    ]
    sequences = f"{batch_size} sequence{'s' if batch_size != 1 else ''}"
    return [
        ("task", "Task", ""),
        ("library", "Library", ""),
        ("license", "License", ""),
        ("license_class", "License class", ""),
        ("params", "Parameters", ""),
        ("weights_bytes", "Weights on disk", ""),
        *memory,
        ("kv_cache_bytes", "KV cache", f"{context_length:,} tokens, {sequences}"),
        *fits,
        ("downloads", "Downloads", "last 30 days"),
        ("likes", "Likes", ""),
        ("popularity_pct", "Popularity", "percentile in its task"),
        ("days_since_update", "Last updated", "days ago"),
        ("inference", "Inference API", ""),
        ("providers", "Providers", ""),
        ("base_models", "Base models", ""),
        ("children_count", "Fine-tunes, quantizations…", "model tree"),
        ("evals", "Evaluations", "the card's model-index"),
        ("warning", "Warning", ""),
    ]


def _text(column: str, value: Any) -> str:
    """A value as people read it ('' when unknown)."""
    if value is None or value is pd.NA or (not isinstance(value, (str, list)) and pd.isna(value)):
        text = ""
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif column in {"weights_bytes", "kv_cache_bytes"} or column.startswith("memory_"):
        text = f"{int(value) / 1e9:.2f} GB"
    elif column in {"params", "downloads", "likes"}:
        text = _compact(int(value))
    elif column == "popularity_pct":
        text = f"{float(value):.0f}%"
    elif column == "evals":  # [{dataset, metric, value, ...}]: what a card reports, compactly
        text = "; ".join(_eval_text(e) for e in value if isinstance(e, Mapping))
    elif isinstance(value, (list, tuple)):
        text = ", ".join(map(str, value))
    else:
        text = str(value)
    return text


def _eval_text(result: Mapping[str, Any]) -> str:
    """'mmlu accuracy 0.68' from one evaluation result of a card."""
    value = result.get("value")
    shown = f"{value:.3g}" if isinstance(value, (int, float)) else str(value)
    parts = (result.get("dataset"), result.get("metric"), shown)
    return " ".join(str(p) for p in parts if p not in (None, ""))


def matrix(wide: pd.DataFrame, *, context_length: int = 4096, batch_size: int = 1) -> pd.DataFrame:
    """The wide form of :func:`hubwidgets.compare` as the widget shows it: one row per metric
    and model, with :data:`MATRIX_COLUMNS` (``text`` formatted for people, ``source`` where the
    figure comes from, ``best`` whether it is the best value of its row). The ``warning`` row is
    left out when the models' tasks agree."""
    winners = best_values(wide)
    best = {str(m): set(w) for m, w in zip(winners["metric"], winners["best"], strict=True)}
    ids = [str(i) for i in wide["id"]]
    origin = [f"catalog ({s})" for s in wide["source"].astype("object").fillna("unknown")]
    records: list[tuple[Any, ...]] = []
    for column, label, unit in _rows(context_length, batch_size):
        if column not in wide.columns:
            continue
        values = wide[column].tolist()
        if column == "warning" and not any(values):
            continue
        sources = (
            wide[f"{column}_source"].astype("object").fillna("").tolist()
            if f"{column}_source" in wide.columns
            else origin
        )
        for k, model_id in enumerate(ids):
            text = _text(column, values[k])
            records.append(
                (
                    column,
                    label,
                    unit,
                    model_id,
                    text,
                    str(sources[k]),
                    model_id in best.get(column, ()),
                )
            )
    out = pd.DataFrame.from_records(records, columns=list(MATRIX_COLUMNS))
    out["best"] = out["best"].astype(bool)
    return out


class _Models(ModelIds):
    """Model ids, at most :data:`MAX_MODELS`; repeats dropped."""

    def check(self, ids: list[str]) -> list[str]:
        ids = list(dict.fromkeys(ids))
        if any(not i.strip() for i in ids):
            raise traitlets.TraitError("a model id cannot be empty")
        if len(ids) > MAX_MODELS:
            raise traitlets.TraitError(
                f"compare at most {MAX_MODELS} models, got {len(ids)}: pick fewer "
                f"(e.g. models[:{MAX_MODELS}])"
            )
        return ids


class _Positive(traitlets.Int[int, int]):
    """A positive int."""

    def validate(self, obj: Any, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise traitlets.TraitError(f"{self.name} must be a positive int, not {value!r}")
        return int(value)


class CompareWidget(HubWidget):
    """Compare 2 to 8 models side by side: a matrix of metrics x models, the best value of each
    row highlighted, badges ("smallest", "most downloaded"...), and two charts.

    >>> s = hw.SearchWidget(hw.starter_catalog())        # doctest: +SKIP
    >>> c = hw.CompareWidget(source=s)    # follows the models selected in s
    >>> c.table                           # the comparison as a DataFrame (hw.compare's wide form)
    >>> c.charts()["memory"]              # Altair charts of it

    Args:
        models: model ids (0 to 8; the widget asks for more below 2). Default: the source's
            selection, else none.
        source: a SearchWidget whose selection the widget follows (the first 8 models).
        catalog: where the models are looked up (default: the source's catalog, else
            ``hw.open_catalog()``).
        context_length, batch_size: the KV cache is sized for them (see :func:`hw.compare`).

    Raises:
        traitlets.TraitError: a bad value from Python: more than 8 models, an unknown id (the
            message lists close matches), a context length below 1...
        TypeError: ``source`` is not a SearchWidget, or ``catalog`` is not a catalog.
    """

    WIDGET = "compare"

    models = _Models().tag(sync=True)
    """Ids of the compared models, in column order (the page adds and removes them too)."""

    context_length = _Positive(4096).tag(sync=True)
    """Tokens the KV cache is sized for."""

    batch_size = _Positive(1).tag(sync=True)
    """Sequences the KV cache is sized for."""

    # the matrix (MATRIX_COLUMNS) as Arrow IPC bytes; empty below 2 models
    _matrix = traitlets.Bytes(b"").tag(sync=True, kernel=True)
    # {model id: [badge, ...]}
    _badges = traitlets.Dict().tag(sync=True, kernel=True)
    # {chart name: SVG}, drawn in the kernel (offline); empty when the charts cannot be drawn
    _charts = traitlets.Dict().tag(sync=True, kernel=True)
    _max_models = traitlets.Int(MAX_MODELS).tag(sync=True, kernel=True)

    #: Comparisons kept per widget (models x options).
    CACHE_SIZE: ClassVar[int] = 16

    def __init__(
        self,
        models: Sequence[str] | None = None,
        source: SearchWidget | None = None,
        *,
        catalog: Searchable | None = None,
        context_length: int = 4096,
        batch_size: int = 1,
        **kwargs: Any,
    ) -> None:
        if source is not None and not isinstance(source, SearchWidget):
            raise TypeError(f"source must be a hw.SearchWidget, not {type(source).__name__}")
        if catalog is None:
            catalog = source.catalog if source is not None else open_catalog(verbose=False)
        if not isinstance(catalog, Searchable):
            raise TypeError(
                "catalog must be a hubwidgets catalog (hw.open_catalog(), hw.starter_catalog(), "
                f"hw.Catalog...), not {type(catalog).__name__}"
            )
        self._catalog = catalog
        self._source = source
        self._cache: dict[tuple[Any, ...], pd.DataFrame] = {}
        self._took: dict[tuple[Any, ...], float] = {}  # ms each comparison took
        self._note = ""  # e.g. "9 selected: comparing the first 8"
        self._following = False  # the models being set are the source's selection
        self._svg_key: tuple[Any, ...] | None = None
        self._ready = False  # no comparison until every option is set
        super().__init__(context_length=context_length, batch_size=batch_size, **kwargs)
        self._ready = True
        self.on_msg(self._on_custom_msg)
        if models is not None:  # from Python: a bad value raises
            try:
                self.models = [models] if isinstance(models, str) else list(models)
            except Exception:
                self.close()
                raise
        elif source is not None:  # the source's selection: a bad one goes to the status
            self._on_source({"new": source.selected_ids})
        if source is not None:
            source.observe(self._on_source, names="selected_ids")
        if not self.error and len(self.models) < MIN_MODELS:  # else _on_change has refreshed
            self._refresh()

    # -- Python API ------------------------------------------------------------------------------
    @property
    def catalog(self) -> Searchable:
        """The catalog the models are looked up in."""
        return self._catalog

    @property
    def source(self) -> SearchWidget | None:
        """The SearchWidget whose selection the widget follows, or None."""
        return self._source

    @property
    def table(self) -> pd.DataFrame:
        """The comparison: :func:`hubwidgets.compare`'s wide form, one row per model.

        Raises:
            ValueError: fewer than 2 models.
            hubwidgets.HubError: the live Hub did not answer.
        """
        if len(self.models) < MIN_MODELS:
            raise ValueError(
                f"compare needs {MIN_MODELS} to {MAX_MODELS} models; the widget has "
                f"{len(self.models)}: {self._what_to_do()}"
            )
        return self._table(list(self.models)).copy()

    def charts(self) -> dict[str, alt.LayerChart]:
        """Altair charts of :attr:`table`, by name: ``"memory"`` (memory by dtype, this
        machine's memory as a rule) and ``"popularity"`` (params vs popularity)."""
        from ..charts.compare import compare_charts  # noqa: PLC0415 (altair is slow to import)

        return compare_charts(self.table)

    def close(self) -> None:
        """Close the widget and stop following the source's selection."""
        source = getattr(self, "_source", None)  # None too when __init__ failed early
        if source is not None:
            with contextlib.suppress(ValueError):  # not observed (any more)
                source.unobserve(self._on_source, names="selected_ids")
        super().close()

    # -- validation ------------------------------------------------------------------------------
    @traitlets.validate("models")
    def _valid_models(self, proposal: Any) -> list[str]:
        ids: list[str] = proposal["value"]
        if self._ready and len(ids) >= MIN_MODELS:
            try:
                self._table(ids)  # an unknown id is refused here, with close matches
            except (ValueError, TypeError) as err:
                raise traitlets.TraitError(str(err)) from None
            except HubError:
                pass  # not the value's fault: the status says so (see _refresh)
        return ids

    @traitlets.validate("context_length", "batch_size")
    def _valid_option(self, proposal: Any) -> int:
        value: int = proposal["value"]
        name = proposal["trait"].name
        ids = list(self.models)
        if self._ready and len(ids) >= MIN_MODELS:
            options = {"context_length": self.context_length, "batch_size": self.batch_size}
            try:
                self._table(ids, **{**options, name: value})
            except (ValueError, TypeError) as err:
                raise traitlets.TraitError(str(err)) from None
            except HubError:
                pass  # not the value's fault: the status says so (see _refresh)
        return value

    # -- state from the front-end ----------------------------------------------------------------
    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "view":
            self._viewed = True

    # -- the source ------------------------------------------------------------------------------
    def _on_source(self, change: Any) -> None:
        try:
            self._follow(change["new"])
        except traitlets.TraitError as err:  # e.g. an id the catalog does not hold
            self._fail(str(err))

    def _follow(self, selected: Sequence[str]) -> None:
        ids = list(selected)
        self._note = (
            f"{len(ids)} selected: comparing the first {MAX_MODELS}"
            if len(ids) > MAX_MODELS
            else ""
        )
        before = list(self.models)
        self._following = True
        try:
            self.models = ids[:MAX_MODELS]
        finally:
            self._following = False
        if list(self.models) == before:  # no change event: the note may still have changed
            self._refresh()

    @traitlets.observe("models", "context_length", "batch_size")
    def _on_change(self, change: Any) -> None:
        if change["name"] == "models" and not self._following:
            self._note = ""  # the models are no longer the source's selection as it was
        if self._ready:
            self._refresh()

    # -- the comparison --------------------------------------------------------------------------
    def _table(self, ids: list[str], **options: int) -> pd.DataFrame:
        context_length = options.get("context_length", self.context_length)
        batch_size = options.get("batch_size", self.batch_size)
        key = (tuple(ids), context_length, batch_size)
        cached = self._cache.get(key)
        if cached is None:
            started = time.perf_counter()
            cached = compare(
                ids, catalog=self._catalog, context_length=context_length, batch_size=batch_size
            )
            if len(self._cache) >= self.CACHE_SIZE:
                self._took.pop(next(iter(self._cache)), None)
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = cached
            self._took[key] = (time.perf_counter() - started) * 1000
        return cached

    def _what_to_do(self) -> str:
        where = "in the linked search, or add them by id" if self._source else "add them by id"
        return f"select at least {MIN_MODELS} models to compare ({where})"

    def _refresh(self) -> None:
        """Send the matrix, badges, charts and status of the current models."""
        ids = list(self.models)
        if len(ids) < MIN_MODELS:
            summary = f"{len(ids)} model{'' if len(ids) == 1 else 's'}: {self._what_to_do()}"
            with self.hold_sync():
                self._matrix, self._badges, self._charts = b"", {}, {}
                self.error = ""
                self.status = self._with_note(summary[0].upper() + summary[1:])
            self._update_report()
            return
        try:
            wide = self._table(ids)
        except (ValueError, TypeError) as err:  # validated already; the catalog may have changed
            self._fail(str(err))
            return
        except HubError as err:
            self._fail(f"the Hub did not answer: {err}; try again later")
            return
        best = best_values(wide)
        shown = matrix(wide, context_length=self.context_length, batch_size=self.batch_size)
        warning = str(wide["warning"].iloc[0]) if "warning" in wide.columns else ""
        describe = getattr(self._catalog, "describe_source", None)
        source = describe() if callable(describe) else type(self._catalog).__name__
        ms = self._took.get((tuple(ids), self.context_length, self.batch_size), 0.0)
        parts = [f"Comparing {len(ids)} models", f"{ms:.0f} ms", source]
        if warning:
            parts.append(f"{warning}: compare with care")
        with self.hold_sync():
            self._matrix = to_ipc(shown)
            self._badges = best_for(wide, best)
            self.error = ""
            self.status = self._with_note(" · ".join(parts))
            self._charts = self._svg_charts(wide)
        self._update_report()

    def _with_note(self, text: str) -> str:
        return f"{self._note} · {text}" if self._note else text

    def _fail(self, message: str) -> None:
        shown = "; showing the previous comparison" if len(self.models) >= MIN_MODELS else ""
        with self.hold_sync():
            self.error = message
            self.status = f"{message}{shown}"

    def _svg_charts(self, wide: pd.DataFrame) -> dict[str, str]:
        """The charts as SVG, drawn in the kernel (offline); redrawn only when the table
        changes. A chart is a bonus: when it cannot be drawn the matrix still shows."""
        key = (tuple(wide["id"]), self.context_length, self.batch_size)
        if key == self._svg_key:
            return dict(self._charts)
        try:
            import vl_convert  # noqa: PLC0415 (slow to import; only with a comparison)

            from ..charts.compare import compare_charts  # noqa: PLC0415

            charts = compare_charts(wide)
            svgs = {
                name: str(vl_convert.vegalite_to_svg(c.to_dict())) for name, c in charts.items()
            }
        except Exception:  # whatever the chart stack raises, the matrix stays
            return {}
        self._svg_key = key
        return svgs

    # -- display: the widget, and a table for reports ---------------------------------------------
    def _report_html(self) -> str:
        """The matrix as an HTML table (metrics x models) plus the charts' SVGs, for exported
        reports; below 2 models the status line."""
        ids = list(self.models)
        if len(ids) < MIN_MODELS or not self._matrix:
            return f'<p class="hubwidgets-compare">{html.escape(self.status)}</p>'
        try:
            wide = self._table(ids)
        except (ValueError, TypeError, HubError) as err:  # a report must not sink the display
            why = html.escape(f"{self.status} (table unavailable: {err})")
            return f'<p class="hubwidgets-compare">{why}</p>'
        shown = matrix(wide, context_length=self.context_length, batch_size=self.batch_size)
        return _html_matrix(shown, ids, caption=self.status) + "".join(
            f"<div>{svg}</div>" for svg in self._charts.values()
        )


def _html_matrix(shown: pd.DataFrame, ids: list[str], caption: str) -> str:
    head = "".join(
        f'<th scope="col"><a href="{html.escape(hub_url(i), quote=True)}">{html.escape(i)}</a></th>'
        for i in ids
    )
    body = []
    for metric, rows in shown.groupby("metric", sort=False):
        label, unit = str(rows["label"].iloc[0]), str(rows["unit"].iloc[0])
        name = html.escape(label) + (f" <small>({html.escape(unit)})</small>" if unit else "")
        cells = []
        by_model = {str(r.model): r for r in rows.itertuples(index=False)}
        for model_id in ids:
            row = by_model[model_id]
            text = html.escape(str(row.text)) or "—"
            title = html.escape(str(row.source), quote=True)
            if row.best:
                cells.append(f'<td title="{title}"><strong>{text}</strong> ★</td>')
            else:
                cells.append(f'<td title="{title}">{text}</td>')
        header = f'<th scope="row" style="text-align:left">{name}</th>'
        body.append(f'<tr data-metric="{html.escape(str(metric))}">{header}{"".join(cells)}</tr>')
    return (
        '<table class="hubwidgets-compare">'
        f"<caption>{html.escape(caption)} (★ best of the row)</caption>"
        f'<thead><tr><th scope="col">Metric</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
