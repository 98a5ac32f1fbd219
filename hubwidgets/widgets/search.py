"""SearchWidget: search a catalog of Hub models from a notebook, with facets and a result grid.

The widget holds its state in traits and calls the core for everything else
(:mod:`hubwidgets.core.catalog.browse`): per change of the filters, ``first_results`` (one
``catalog.count``, one ``catalog.search`` for the first rows) and ``facet_counts``. What the
page draws first is state, so a view drawn from saved widget state (an exported notebook, a
notebook reopened without a kernel, Voilà) shows it with no kernel:

- ``_first_rows``: the first :attr:`SearchWidget.FIRST_ROWS` rows of the results (a ``Table``
  trait, Arrow IPC), sent in one update with ``total``, ``status`` and ``revision``: the answer
  to a keystroke reaches the page as one message;
- ``facets`` and ``_task_modality``, in the update right after (counting them takes longer than
  the rest, and the grid need not wait for them).

``revision`` changes whenever the result set does. Requests (see ``_protocol``), each answered
with the same id or a structured error:

- ``rows`` ``{start, stop}`` -> ``{start, stop, total, revision, table}``: rows beyond the first
  ones, ``table`` the Arrow IPC bytes of rows ``[start, stop)`` (at most :attr:`MAX_WINDOW`);
  the page drops a window whose ``revision`` is not the one it shows;
- ``select`` ``{start, stop, revision}`` -> ``{added}``: add rows ``[start, stop)`` to the
  selection (a shift-click; the page may never have fetched them); refused when ``revision`` is
  gone;
- ``detail`` ``{model}`` -> ``{model, url, record, governance, card_html}``: the detail pane's
  model (its record, ``hw.check``'s verdict, license chain and scan of it, and its card as safe
  HTML, see ``_card``), refused in words when it cannot be looked up; a check that fails leaves
  the rest of the answer whole (``governance`` is then ``{error}``).

Each view says ``view`` when drawn. Where none ever does (a notebook run headless), later
searches update the ``text/html`` table displayed beside the widget, for exported reports.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
import traitlets

from .. import charts as _charts
from ..core.catalog.browse import (
    Results,
    facet_counts,
    first_results,
    models_by_id,
    resorted,
    result_ids,
    result_rows,
    search_filters,
    searchable,
    sort_keys,
)
from ..core.catalog.hub import HubError
from ..core.catalog.query import make_query
from ..core.catalog.schema import SORT_KEYS
from ..core.catalog.searchable import Searchable
from ..core.catalog.sources import open_catalog
from ..core.report import html_table
from ._base import HubWidget
from ._protocol import RequestError, request
from ._search_state import (
    FILTERS,
    REPORT_COLUMNS,
    ROW_COLUMNS,
    Params,
    SortOrRising,
    Values,
    detail_body,
    task_modalities,
    window_bounds,
)
from ._serialization import Table, to_ipc

if TYPE_CHECKING:
    import altair as alt


__all__ = ["FILTERS", "ROW_COLUMNS", "SearchWidget"]


class SearchWidget(HubWidget):
    """Search a catalog of Hub models: a search box, facet filters and a virtually scrolled grid.

    >>> w = SearchWidget(task="text-generation", max_params="8B")   # doctest: +SKIP
    >>> w                        # the widget; select rows with click, shift-click, Space
    >>> w.results                # every current result, as a DataFrame
    >>> w.selected               # the selected models, in selection order
    >>> w.charts()["tasks"]      # Altair charts of the results

    The focused row's model (:attr:`focused_id`) is shown below the grid: its metadata, tags,
    a link to its Hub page, its governance (``hw.check``'s verdict and reasons, license, model
    tree and scan, under the session's policy) and its model card, when the catalog has one.

    Args:
        catalog: what to search (default: ``hubwidgets.open_catalog()``: the live Hub if it
            answers, else a snapshot).
        **filters: initial values of the filter traits (``query``, ``task``, ``library``,
            ``language``, ``license``, ``author``, ``min_params``, ``max_params``, ``gated``),
            of ``sort``, ``selected_ids`` and ``focused_id``, and of ipywidgets' own traits
            (``layout``...).

    Python-side mistakes raise at once: a misspelled argument a ``TypeError``, a bad value a
    ``traitlets.TraitError`` listing valid choices. What the catalog itself rejects or fails at
    (the live Hub down, say) goes to :attr:`status`, and the last good results stay shown. A bad
    value sent by the front-end is refused the same way, and the front-end reset to the kernel's.
    """

    WIDGET = "search"
    SELECTION = "selected_ids"

    #: How many values of each facet the front-end gets (the most frequent).
    FACET_TOP: ClassVar[int] = 30
    #: Rows of the results held in state: what the grid shows at once, without asking.
    FIRST_ROWS: ClassVar[int] = 50
    #: Largest number of rows one rows reply carries.
    MAX_WINDOW: ClassVar[int] = 500
    #: Largest number of rows one range selection adds.
    MAX_RANGE: ClassVar[int] = 10_000
    #: Rows of the HTML table that stands in for the widget where no widget can be drawn.
    REPORT_ROWS: ClassVar[int] = 50

    # -- filters (the front-end writes these too) ---------------------------------------------
    query = traitlets.Unicode("").tag(sync=True)
    """Words that must all appear in the model id (case-insensitive)."""

    task = Values().tag(sync=True)
    """Hub pipeline tags (any of), e.g. ``["text-generation"]``; empty: every task."""

    library = Values().tag(sync=True)
    """Libraries (any of), e.g. ``["transformers", "gguf"]``; empty: every library."""

    language = Values().tag(sync=True)
    """Language codes (any of), e.g. ``["en", "fr"]``; empty: every language."""

    license = Values().tag(sync=True)
    """License ids (any of), e.g. ``["apache-2.0", "mit"]``; empty: every license."""

    author = Values().tag(sync=True)
    """Users or organizations (any of), e.g. ``["meta-llama"]``; empty: every author."""

    min_params = Params().tag(sync=True)
    """Fewest parameters (None: no lower bound); accepts ``"7B"``-style strings. Models with an
    unknown count are left out while either bound is set."""

    max_params = Params().tag(sync=True)
    """Most parameters (None: no upper bound); accepts ``"7B"``-style strings."""

    gated = traitlets.Bool(None, allow_none=True).tag(sync=True)
    """True: gated models only; False: open ones only; None: both."""

    sort = SortOrRising().tag(sync=True)
    """Order of the results, best first: one of ``hubwidgets.SORT_KEYS``, or ``"rising"`` (the
    largest gain over the history's window first) when the catalog has a history attached
    (``catalog.with_history(hw.history(...))``)."""

    # -- results (the kernel writes these) -----------------------------------------------------
    total = traitlets.Int(0).tag(sync=True, kernel=True)
    """How many models match the filters of the results shown (read-only for the front-end)."""

    facets = traitlets.Dict().tag(sync=True, kernel=True)
    """Counts per facet value, ``{facet: [[value, count], ...]}`` for task, library, language,
    license and author; each facet counted under the *other* filters, most frequent first."""

    revision = traitlets.Int(0).tag(sync=True, kernel=True)
    """Bumped whenever the result set changes (filters or sort): rows of an older revision are
    stale."""

    # the first rows of the results, what the grid shows before it asks for anything (state, so
    # that a view drawn from saved state shows them); set together with total and revision
    _first_rows = Table(columns=ROW_COLUMNS)

    # the sort keys, for the front-end's menu (so that it never has a list of its own to update)
    _sort_keys = traitlets.List(traitlets.Unicode(), default_value=list(SORT_KEYS)).tag(
        sync=True, kernel=True
    )

    # the Hub's modality of each task listed in the task facet (or chosen), e.g.
    # {"text-to-image": "Computer Vision"}: the front-end groups tasks by it without a taxonomy of
    # its own
    _task_modality = traitlets.Dict(
        key_trait=traitlets.Unicode(), value_trait=traitlets.Unicode()
    ).tag(sync=True, kernel=True)

    # -- selection (the front-end writes these) -------------------------------------------------
    selected_ids = Values().tag(sync=True)
    """Ids of the selected models, in the order they were selected (``observe`` it)."""

    focused_id = traitlets.Unicode("").tag(sync=True)
    """Id of the row with keyboard focus in the grid, or last clicked ('' when none): the model
    the detail pane shows."""

    @traitlets.default("_sort_keys")
    def _default_sort_keys(self) -> list[str]:
        return sort_keys(self._catalog)  # "rising" where the catalog can answer it

    def __init__(self, catalog: Searchable | None = None, **filters: Any) -> None:
        self._check_arguments(filters)
        self._catalog = searchable(open_catalog() if catalog is None else catalog)
        self._good: Results | None = None
        self._batching = True  # no core calls while the initial values are set: one in open()
        super().__init__(**filters)

    def open(self) -> None:
        """Search before the comm opens, so that its first state holds the first results."""
        if self._batching and self.comm is None:
            self._batching = False
            self._refresh()
        super().open()

    # -- Python API ------------------------------------------------------------------------------
    @property
    def catalog(self) -> Searchable:
        """The catalog searched."""
        return self._catalog

    def search(self, **filters: Any) -> None:
        """Set several filters (and ``sort``) at once: validated together, one core call.

        Filters not named keep their values: ``w.search(task="translation", query="")``.

        Raises:
            TypeError: an unknown argument (the message names the valid ones).
            traitlets.TraitError: a bad value; no filter changes then.
        """
        self._check_arguments(filters, (*FILTERS, "sort"))
        with self._one_refresh():
            for name, value in filters.items():
                setattr(self, name, value)

    @property
    def results(self) -> pd.DataFrame:
        """Every result shown (all the matches, in the grid's order), computed on demand.

        The models of the last filters the catalog answered (after a failure, the previous ones).
        On the live Hub, at most the catalog's ``max_results``.
        """
        return result_rows(self._catalog, self._good)

    @property
    def selected(self) -> pd.DataFrame:
        """The selected models (rows in the catalog's schema), in selection order.

        Looked up by id with ``catalog.model`` (on the live Hub, one request per model), so a
        model selected in an earlier search is there too.

        Raises:
            hubwidgets.UnknownModelError: a selected id the catalog does not hold.
        """
        return models_by_id(self._catalog, list(self.selected_ids))

    def charts(self) -> dict[str, alt.Chart]:
        """Altair charts of the current results (:attr:`results`), by name: ``"tasks"``,
        ``"downloads_vs_params"``, ``"created_per_month"``
        (:func:`hubwidgets.charts.catalog_charts`).

        >>> charts = w.charts()                               # doctest: +SKIP
        >>> charts["tasks"] | charts["created_per_month"]     # side by side

        With no results the charts are empty and their titles say "no models". Each call
        searches again: the charts follow the filters as they are now.
        """
        return _charts.catalog_charts(self.results)

    def to_html(self, limit: int = 50) -> str:
        """The first ``limit`` results as an HTML table (for reports), with a caption saying what
        was searched and where."""
        frame = result_rows(self._catalog, self._good, limit=limit)
        return html_table(
            frame, REPORT_COLUMNS, caption=self.status, css_class="hubwidgets-results"
        )

    # -- display: a table for reports ------------------------------------------------------------
    def _report_html(self) -> str:
        """The ``text/html`` stand-in for the widget in exported reports: a table of the first
        results (:attr:`REPORT_ROWS`)."""
        try:
            return self.to_html(self.REPORT_ROWS)
        except HubError as err:  # the widget still shows; the report says why it has no rows
            return f"<p>{html.escape(self.status)} (rows unavailable: {html.escape(str(err))})</p>"

    @traitlets.observe("revision")
    def _on_revision(self, _change: Any) -> None:
        """Keep the report table of earlier outputs on the last results."""
        self._update_report()

    # -- trait validation ----------------------------------------------------------------------
    @traitlets.validate("task")
    def _valid_task(self, proposal: Any) -> list[str]:
        tasks: list[str] = proposal["value"]
        if tasks:
            try:
                # the catalog's own tasks count too (old pipeline tags a snapshot still holds)
                make_query(task=tasks, known_tasks=self._catalog._known_tasks())
            except ValueError as err:
                raise traitlets.TraitError(str(err)) from None
        return tasks

    @traitlets.validate("min_params", "max_params")
    def _valid_params(self, proposal: Any) -> int | None:
        value: int | None = proposal["value"]
        name = proposal["trait"].name
        lo = value if name == "min_params" else self.min_params
        hi = value if name == "max_params" else self.max_params
        if lo is not None and hi is not None and lo > hi:
            raise traitlets.TraitError(
                f"min_params ({lo:,}) is greater than max_params ({hi:,}); "
                "set both at once with search(min_params=..., max_params=...)"
            )
        return value

    # -- core calls ----------------------------------------------------------------------------
    def _page_batch(self) -> AbstractContextManager[Any]:
        """A page update is answered by one core call, after ipywidgets applied it (validated
        together, inside its property lock: so the page gets none of its own values back)."""
        return self._one_refresh(hold=False)

    @contextmanager
    def _one_refresh(self, *, hold: bool = True) -> Iterator[None]:
        """Trait writes inside are answered by one core call at the end (``hold``: validated
        together, too)."""
        if self._batching:
            yield
            return
        before = (self._filters(), self.sort)
        self._batching = True
        try:
            with self.hold_trait_notifications() if hold else nullcontext():
                yield
        finally:
            self._batching = False
        if (self._filters(), self.sort) != before:  # a selection alone asks the catalog nothing
            self._refresh()

    @traitlets.observe(*FILTERS, "sort")
    def _on_filter(self, _change: Any) -> None:
        if not self._batching:
            self._refresh()

    def _filters(self) -> dict[str, Any]:
        """The filter traits as ``catalog.search`` keyword arguments (empty lists -> None)."""
        return search_filters({name: getattr(self, name) for name in FILTERS})

    def _refresh(self) -> None:
        """Count the current filters and show the first rows (one update), then count the
        facets (the next one); or say why not."""
        filters = self._filters()
        good = self._good
        if good is not None and good.filters == filters:
            self._reorder(good)
            return
        try:
            good, first = first_results(self._catalog, filters, self.sort, self.FIRST_ROWS)
        except HubError as err:
            self._fail(f"the Hub did not answer: {err}")
            return
        except (ValueError, TypeError) as err:
            self._fail(str(err))
            return
        self._good = good
        with self.hold_sync():  # one message: the grid draws these rows as the revision arrives
            self._first_rows = first
            self.total = good.total
            self.error = ""
            self.status = good.status
            self.revision += 1
        try:
            facets = facet_counts(self._catalog, filters, self.FACET_TOP)
        except HubError as err:  # the rows are shown; only the counts beside them are old
            with self.hold_sync():
                self.error = f"the Hub did not answer the facet counts: {err}"
                self.status = f"{good.status} · facet counts not updated: {self.error}"
            return
        with self.hold_sync():
            self.facets = facets
            self._task_modality = task_modalities(facets["task"], self.task)

    def _reorder(self, good: Results) -> None:
        """The filters shown again: a new order of the same models (no count), or back to the
        results shown after a failure."""
        first = None
        if good.sort != self.sort:
            try:
                good, first = resorted(self._catalog, good, self.sort, self.FIRST_ROWS)
            except HubError as err:
                self._fail(f"the Hub did not answer: {err}")
                return
        with self.hold_sync():
            if first is not None:
                self._good = good
                self._first_rows = first
                self.revision += 1
            if self.error:
                self.error = ""
                self.status = good.status

    def _fail(self, message: str) -> None:
        shown = "; showing the previous results" if self._good is not None else ""
        with self.hold_sync():
            self.error = message
            self.status = f"{message}{shown}"

    # -- requests from the page ------------------------------------------------------------------
    @contextmanager
    def _hub_answers(self) -> Iterator[None]:
        """A request the catalog must answer: when the live Hub does not, the status says so
        (the results shown stay) and so does the reply."""
        try:
            yield
        except HubError as err:
            self._fail(f"the Hub did not answer: {err}")
            raise RequestError(f"the Hub did not answer: {err}") from None

    @request("rows")
    def _rows(self, body: dict[str, Any]) -> dict[str, Any]:
        """Rows ``[start, stop)`` of the results shown, as Arrow IPC bytes in ``table``."""
        start, stop = window_bounds(body, self.MAX_WINDOW)
        with self._hub_answers():
            rows = result_rows(self._catalog, self._good, offset=start, limit=stop - start)
        return {
            "start": start,
            "stop": start + len(rows),
            "total": self._good.total if self._good is not None else 0,
            "revision": self.revision,
            "table": to_ipc(rows, columns=ROW_COLUMNS),
        }

    @request("select")
    def _select(self, body: dict[str, Any]) -> dict[str, Any]:
        """Add rows ``[start, stop)`` of revision ``revision`` to the selection, in order."""
        if body.get("revision") != self.revision:
            raise RequestError(
                f"the rows to select belong to results no longer shown (revision "
                f"{body.get('revision')!r}, now {self.revision})"
            )
        start, stop = window_bounds(body, self.MAX_RANGE)
        with self._hub_answers():
            ids = result_ids(self._catalog, self._good, start, stop)
        current = list(self.selected_ids)
        seen = set(current)
        added = [i for i in ids if i not in seen]
        self.selected_ids = current + added
        return {"added": len(added)}

    @request("detail")
    def _detail(self, body: dict[str, Any]) -> dict[str, Any]:
        """The focused model's record and card (see ``_search_state.detail_body``)."""
        return detail_body(self._catalog, body.get("model"))
