"""CompareWidget: 2 to 8 models side by side, the best value of each row highlighted.

The widget holds the models and the options in traits and calls the core for the rest: one
:func:`hubwidgets.compare` per change (cached per models and options), then
:func:`hubwidgets.core.choose.matrix.matrix_and_badges` for what the page shows. The matrix goes
to the page in the synced ``_matrix`` :class:`~hubwidgets.widgets._serialization.Table` trait
(Arrow IPC: one row per metric and model, its values already formatted for people, see
:data:`MATRIX_COLUMNS`), the badges and the two charts of :mod:`hubwidgets.charts.compare` (SVG
drawn in the kernel) in synced traits too: a view drawn from saved state shows the comparison.

The verdict row follows a team policy: ``policy=`` (or the :attr:`CompareWidget.policy`
setter, which compares again), else the session's (:func:`hw.use_policy`).

Linked to any widget with a selection (``source=``: a SearchWidget, another CompareWidget...),
the widget follows it: the first 8 selected models, saying so when there are more.

Bad input from the page never raises: an unknown id typed in "Add model", or too many models,
leaves the models as they were, and :attr:`CompareWidget.status` says what was wrong and what
to do. From Python a bad value raises ``traitlets.TraitError``.
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
import traitlets

from ..core.catalog.hub import HubError
from ..core.catalog.searchable import Searchable
from ..core.choose.compare import MAX_MODELS, MIN_MODELS, compare
from ..core.choose.matrix import MATRIX_COLUMNS, by_metric, matrix, matrix_and_badges
from ..core.governance.policy import Policy, as_policy
from ..core.report import Column, html_table, hub_url, svg_divs
from ._base import HubWidget
from ._serialization import Table
from ._traits import ModelIds

if TYPE_CHECKING:
    import altair as alt

# matrix and MATRIX_COLUMNS: re-exported from the core, where they live (notebooks import them)
__all__ = ["MATRIX_COLUMNS", "CompareWidget", "matrix"]


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
        source: a widget whose selection this one follows (the first 8 models): a
            SearchWidget, another CompareWidget...
        catalog: where the models are looked up (default: the source's catalog when it has
            one, else ``hw.open_catalog()``).
        context_length, batch_size: the KV cache is sized for them (see :func:`hw.compare`).
        policy: the team policy of the verdict row (a :class:`hw.Policy`, a dict of its keys or
            a YAML file); default: the session's (:func:`hw.use_policy`), as it is at each
            comparison.

    Raises:
        traitlets.TraitError: a bad value from Python: more than 8 models, an unknown id (the
            message lists close matches), a context length below 1...
        TypeError: ``source`` is not a widget with a selection, ``catalog`` is not a catalog,
            ``policy`` is not a policy, or a misspelled keyword argument.
        ValueError: a bad policy (an unknown key or value, invalid YAML).
    """

    WIDGET = "compare"
    SELECTION = "models"

    models = _Models().tag(sync=True)
    """Ids of the compared models, in column order (the page adds and removes them too)."""

    context_length = _Positive(4096).tag(sync=True)
    """Tokens the KV cache is sized for."""

    batch_size = _Positive(1).tag(sync=True)
    """Sequences the KV cache is sized for."""

    # the matrix (MATRIX_COLUMNS, one row per metric and model); None below 2 models
    _matrix = Table(columns=MATRIX_COLUMNS)
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
        source: HubWidget | None = None,
        *,
        catalog: Searchable | None = None,
        context_length: int = 4096,
        batch_size: int = 1,
        policy: Policy | Mapping[str, Any] | str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        # the named arguments are valid too: a misspelled "sourc" is told about "source"
        self._check_arguments(kwargs, [*self._writable_traits(), "source", "catalog", "policy"])
        self._policy = None if policy is None else as_policy(policy)
        self._cache: dict[tuple[Any, ...], pd.DataFrame] = {}
        self._took: dict[tuple[Any, ...], float] = {}  # ms each comparison took
        self._note = ""  # e.g. "9 selected: comparing the first 8"
        self._following = False  # the models being set are the source's selection
        self._svg_key: tuple[Any, ...] | None = None  # what the charts in _charts show
        self._ready = False  # no comparison until every option is set
        super().__init__(context_length=context_length, batch_size=batch_size, **kwargs)
        self._catalog = self._link_catalog(source, catalog)
        self._ready = True
        self._first_models(models, source)
        if not self.error and len(self.models) < MIN_MODELS:  # else _on_change has refreshed
            self._refresh()

    # -- Python API ------------------------------------------------------------------------------
    @property
    def catalog(self) -> Searchable:
        """The catalog the models are looked up in."""
        return self._catalog

    @property
    def policy(self) -> Policy:
        """The policy the verdict row follows: the one given, else the session's. Setting it
        (a :class:`hw.Policy`, a dict, a YAML file; None: the session's again) compares again.

        Raises:
            TypeError, ValueError: a value that is not a policy (nothing changes then).
        """
        return self._policy if self._policy is not None else as_policy(None)

    @policy.setter
    def policy(self, value: Policy | Mapping[str, Any] | str | os.PathLike[str] | None) -> None:
        self._policy = None if value is None else as_policy(value)
        if self._ready:
            self._refresh()

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

    # -- the source ------------------------------------------------------------------------------
    def _on_source_selection(self, ids: list[str]) -> None:
        """Compare the first :data:`MAX_MODELS` of the source's selection, saying so when it
        has more."""
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
        rules = self.policy
        key = (tuple(ids), context_length, batch_size, rules)
        cached = self._cache.get(key)
        if cached is None:
            started = time.perf_counter()
            cached = compare(
                ids,
                catalog=self._catalog,
                context_length=context_length,
                batch_size=batch_size,
                policy=rules,
            )
            if len(self._cache) >= self.CACHE_SIZE:
                self._took.pop(next(iter(self._cache)), None)
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = cached
            self._took[key] = (time.perf_counter() - started) * 1000
        return cached

    def _what_to_do(self) -> str:
        source = self._source
        where = (
            f"in the linked {source.WIDGET or 'widget'}, or add them by id"
            if source is not None
            else "add them by id"
        )
        return f"select at least {MIN_MODELS} models to compare ({where})"

    def _refresh(self) -> None:
        """Send the matrix, badges, charts and status of the current models."""
        ids = list(self.models)
        if len(ids) < MIN_MODELS:
            summary = f"{len(ids)} model{'' if len(ids) == 1 else 's'}: {self._what_to_do()}"
            with self.hold_sync():
                self._matrix, self._badges, self._charts = None, {}, {}
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
        shown, badges = matrix_and_badges(
            wide, context_length=self.context_length, batch_size=self.batch_size
        )
        warning = str(wide["warning"].iloc[0]) if "warning" in wide.columns else ""
        describe = getattr(self._catalog, "describe_source", None)
        source = describe() if callable(describe) else type(self._catalog).__name__
        ms = self._took.get((tuple(ids), self.context_length, self.batch_size, self.policy), 0.0)
        parts = [f"Comparing {len(ids)} models", f"{ms:.0f} ms", source]
        if warning:
            parts.append(f"{warning}: compare with care")
        verdicts = wide["verdict"].tolist() if "verdict" in wide.columns else []
        denied = sum(1 for v in verdicts if isinstance(v, str) and v == "deny")
        if denied:
            parts.append(f"{denied} denied by the policy (see the Verdict row)")
        svgs = self._svgs(ids)
        with self.hold_sync():
            self._matrix = shown
            self._badges = badges
            self.error = ""
            self.status = self._with_note(" · ".join(parts))
            self._charts = svgs
        self._update_report()

    def _with_note(self, text: str) -> str:
        return f"{self._note} · {text}" if self._note else text

    def _fail(self, message: str) -> None:
        shown = "; showing the previous comparison" if self._matrix is not None else ""
        with self.hold_sync():
            self.error = message
            self.status = f"{message}{shown}"

    def _svgs(self, ids: list[str]) -> dict[str, str]:
        """The charts as SVG (:meth:`_chart_svgs`), redrawn only when the comparison changes:
        drawing takes a while, and a status-only refresh must not pay it again."""
        key = (tuple(ids), self.context_length, self.batch_size)  # the policy changes no chart
        if key == self._svg_key:
            return dict(self._charts)
        svgs = self._chart_svgs()
        self._svg_key = key if svgs else None  # a chart that failed is tried again next time
        return svgs

    # -- display: the widget, and a table for reports ---------------------------------------------
    def _report_html(self) -> str:
        """The matrix as an HTML table (metrics x models, a first row linking each model's Hub
        page) plus the charts' SVGs, for exported reports; below 2 models the status line."""
        shown = self._matrix
        if shown is None or shown.empty:
            return f'<p class="hubwidgets-compare">{html.escape(self.status)}</p>'
        frame, ids = by_metric(shown)
        slots = [f"model_{k}" for k in range(len(ids))]
        pages: dict[str, Any] = {"metric": "id", "label": "Hub page"}
        for slot, model_id in zip(slots, ids, strict=True):
            pages.update({slot: model_id, f"{slot}_best": False, f"{slot}_source": ""})
        frame = pd.concat([pd.DataFrame([pages]), frame], ignore_index=True)
        columns = [Column("label", "Metric", header=True)] + [
            Column(slot, model_id, best=f"{slot}_best", link=_page_of(model_id))
            for slot, model_id in zip(slots, ids, strict=True)
        ]
        table = html_table(frame, columns, caption=self.status, css_class="hubwidgets-compare")
        return table + svg_divs(self._charts)


def _page_of(model_id: str) -> Callable[[Any], str | None]:
    """The link of a model's column: its Hub page, on the cell holding its id (the first row)."""
    return lambda value: hub_url(model_id) if value == model_id else None
