"""SearchWidget: search a catalog of Hub models from a notebook, with facets and a result grid.

The widget holds state (the filters, the selection, the totals) in traits and calls the core for
everything else: one ``catalog.count`` and one ``catalog.facets`` per change of the filters. Rows
never travel in traits. The front-end asks for the rows it is about to show with a custom message
``{"type": "rows", "id": n, "start": i, "stop": j}`` and gets them back, and only them, as one
Arrow IPC buffer (see :mod:`hubwidgets.widgets._serialization`)::

    {"type": "rows", "id": n, "start": i, "stop": j, "total": t, "revision": r} + [ipc bytes]

``revision`` changes whenever the result set does, so the front-end can drop rows of an older one.
A shift-click asks the kernel to add a range of rows to the selection (the front-end may never
have fetched them): ``{"type": "select", "start": i, "stop": j, "revision": r}``.

The detail pane asks for the focused model with ``{"type": "detail", "id": n, "model": m}`` and
gets ``{"type": "detail", "id": n, "model": m, "url": u, "record": {...}, "card_html": h}``, the
card as safe HTML or None (see :mod:`hubwidgets.widgets._card`); or ``"error"`` in words instead
of ``record`` and ``card_html`` (an id the catalog does not hold, the live Hub down).

Each view says ``{"type": "view"}`` when drawn. Where none ever does (a notebook run headless),
later searches update the ``text/html`` table displayed beside the widget, for exported reports.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeGuard, runtime_checkable

import pandas as pd
import traitlets

from .. import charts as _charts
from ..core.catalog.catalog import UnknownModelError
from ..core.catalog.hub import HubError
from ..core.catalog.query import FACETS, make_query, parse_params
from ..core.catalog.schema import SORT_KEYS, conform, empty_frame
from ..core.catalog.searchable import Searchable
from ..core.catalog.sources import open_catalog
from ..core.catalog.vocab import close_matches
from ._base import HubWidget
from ._card import card_html, detail_record, hub_url, modality_label
from ._serialization import to_ipc

if TYPE_CHECKING:
    import altair as alt

__all__ = ["FILTERS", "ROW_COLUMNS", "SearchWidget"]

STATIC = Path(__file__).parent / "static"

#: The traits that filter the results (each one a keyword argument of ``catalog.search``).
FILTERS: tuple[str, ...] = (
    "query",
    "task",
    "library",
    "language",
    "license",
    "author",
    "min_params",
    "max_params",
    "gated",
)

#: The columns a rows reply carries: what the grid shows, nothing more.
ROW_COLUMNS: tuple[str, ...] = (
    "id",
    "task",
    "library",
    "license",
    "params",
    "downloads",
    "likes",
    "last_modified",
)


def _bundle(name: str) -> Path:
    """A file of the front-end bundle, which the wheel build makes (it is not in git)."""
    path = STATIC / name
    if not path.is_file():
        raise FileNotFoundError(
            f"the widget front-end {path} is missing: it is built from js/ when the package is "
            "installed. In a checkout, run `pip install -e .` again, or `npm install && npm run "
            "build` in js/ (Node.js 20 or later)."
        )
    return path


class _Values(traitlets.List[str]):
    """A list of strings (any of). One string is taken as a list of one; repeats are dropped."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trait=traitlets.Unicode(), default_value=[], **kwargs)

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        elif isinstance(value, tuple):
            value = list(value)
        checked = super().validate(obj, value)
        return None if checked is None else list(dict.fromkeys(checked))


class _Params(traitlets.Int[int | None, Any]):
    """A parameter count or None: an int, or a number or string such as 7e9, '7B', '300M'."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, allow_none=True, **kwargs)

    def validate(self, obj: Any, value: Any) -> int | None:
        try:
            return parse_params(value, self.name or "params")
        except (TypeError, ValueError) as err:
            raise traitlets.TraitError(str(err)) from None


class _SortKey(traitlets.Enum[str]):
    """One of ``SORT_KEYS``; a wrong key is refused with the core's message ('did you mean')."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(tuple(SORT_KEYS), default_value="downloads", **kwargs)

    def validate(self, obj: Any, value: Any) -> str:
        if isinstance(value, str) and value in SORT_KEYS:
            return value
        try:
            make_query(sort=value)
        except (TypeError, ValueError) as err:
            raise traitlets.TraitError(str(err)) from None
        raise traitlets.TraitError(f"sort must be one of {', '.join(SORT_KEYS)}")  # not reached


@runtime_checkable
class _ModelLookup(Protocol):
    """A catalog that looks up one model by id (Catalog and HubCatalog do)."""

    def model(self, model_id: str) -> pd.Series: ...


@dataclass(frozen=True)
class _Results:
    """The last filters that the catalog answered, and what it said: the rows shown."""

    filters: dict[str, Any]
    sort: str
    total: int
    status: str


class SearchWidget(HubWidget):
    """Search a catalog of Hub models: a search box, facet filters and a virtually scrolled grid.

    >>> w = SearchWidget(task="text-generation", max_params="8B")   # doctest: +SKIP
    >>> w                        # the widget; select rows with click, shift-click, Space
    >>> w.results                # every current result, as a DataFrame
    >>> w.selected               # the selected models, in selection order
    >>> w.charts()["tasks"]      # Altair charts of the results

    The focused row's model (:attr:`focused_id`) is shown below the grid: its metadata, tags,
    a link to its Hub page and its model card, when the catalog has one.

    Args:
        catalog: what to search (default: ``hubwidgets.open_catalog()``: the live Hub if it
            answers, else a snapshot).
        **filters: initial values of the filter traits (``query``, ``task``, ``library``,
            ``language``, ``license``, ``author``, ``min_params``, ``max_params``, ``gated``),
            of ``sort`` and ``selected_ids``, and of ipywidgets' own traits (``layout``...).

    Python-side mistakes raise at once: a misspelled argument a ``TypeError``, a bad value a
    ``traitlets.TraitError`` listing valid choices. What the catalog itself rejects or fails at
    (the live Hub down, say) goes to :attr:`status`, and the last good results stay shown. A bad
    value sent by the front-end is refused the same way, and the front-end reset to the kernel's.
    """

    WIDGET = "search"

    #: How many values of each facet the front-end gets (the most frequent).
    FACET_TOP: ClassVar[int] = 30
    #: Largest number of rows one rows reply carries.
    MAX_WINDOW: ClassVar[int] = 500
    #: Largest number of rows one range selection adds.
    MAX_RANGE: ClassVar[int] = 10_000

    # -- filters (the front-end writes these too) ---------------------------------------------
    query = traitlets.Unicode("").tag(sync=True)
    """Words that must all appear in the model id (case-insensitive)."""

    task = _Values().tag(sync=True)
    """Hub pipeline tags (any of), e.g. ``["text-generation"]``; empty: every task."""

    library = _Values().tag(sync=True)
    """Libraries (any of), e.g. ``["transformers", "gguf"]``; empty: every library."""

    language = _Values().tag(sync=True)
    """Language codes (any of), e.g. ``["en", "fr"]``; empty: every language."""

    license = _Values().tag(sync=True)
    """License ids (any of), e.g. ``["apache-2.0", "mit"]``; empty: every license."""

    author = _Values().tag(sync=True)
    """Users or organizations (any of), e.g. ``["meta-llama"]``; empty: every author."""

    min_params = _Params().tag(sync=True)
    """Fewest parameters (None: no lower bound); accepts ``"7B"``-style strings. Models with an
    unknown count are left out while either bound is set."""

    max_params = _Params().tag(sync=True)
    """Most parameters (None: no upper bound); accepts ``"7B"``-style strings."""

    gated = traitlets.Bool(None, allow_none=True).tag(sync=True)
    """True: gated models only; False: open ones only; None: both."""

    sort = _SortKey().tag(sync=True)
    """Order of the results, best first: one of ``hubwidgets.SORT_KEYS``."""

    # -- results (the kernel writes these) -----------------------------------------------------
    total = traitlets.Int(0).tag(sync=True, kernel=True)
    """How many models match the filters of the results shown (read-only for the front-end)."""

    facets = traitlets.Dict().tag(sync=True, kernel=True)
    """Counts per facet value, ``{facet: [[value, count], ...]}`` for task, library, language,
    license and author; each facet counted under the *other* filters, most frequent first."""

    revision = traitlets.Int(0).tag(sync=True, kernel=True)
    """Bumped whenever the result set changes (filters or sort): rows of an older revision are
    stale."""

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
    selected_ids = _Values().tag(sync=True)
    """Ids of the selected models, in the order they were selected (``observe`` it)."""

    focused_id = traitlets.Unicode("").tag(sync=True)
    """Id of the row with keyboard focus in the grid, or last clicked ('' when none): the model
    the detail pane shows."""

    def __init__(self, catalog: Searchable | None = None, **filters: Any) -> None:
        _check_arguments(filters, type(self))
        if catalog is None:
            catalog = open_catalog()
        if not isinstance(catalog, Searchable):
            raise TypeError(
                "catalog must be a hubwidgets catalog (hw.open_catalog(), hw.starter_catalog(), "
                f"hw.Catalog...), not {type(catalog).__name__}"
            )
        self._catalog = catalog
        self._good: _Results | None = None
        # the report table next to each displayed view (see ._report)
        self._batching = True  # no core calls while the initial values are set: one at the end
        try:
            super().__init__(**filters)
        finally:
            self._batching = False
        self.on_msg(self._on_custom_msg)
        self._refresh()

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
        _check_arguments(filters, type(self), only=(*FILTERS, "sort"))
        with self._one_refresh():
            for name, value in filters.items():
                setattr(self, name, value)

    @property
    def results(self) -> pd.DataFrame:
        """Every result shown (all the matches, in the grid's order), computed on demand.

        The models of the last filters the catalog answered (after a failure, the previous ones).
        On the live Hub, at most the catalog's ``max_results``.
        """
        good = self._good
        if good is None:
            return empty_frame()
        return self._catalog.search(**good.filters, sort=good.sort, limit=None)

    @property
    def selected(self) -> pd.DataFrame:
        """The selected models (rows in the catalog's schema), in selection order.

        Looked up by id with ``catalog.model`` (on the live Hub, one request per model), so a
        model selected in an earlier search is there too.

        Raises:
            hubwidgets.UnknownModelError: a selected id the catalog does not hold.
        """
        ids = list(self.selected_ids)
        if not ids:
            return empty_frame()
        catalog = self._catalog
        if not isinstance(catalog, _ModelLookup):
            raise TypeError(f"{type(catalog).__name__} cannot look up models by id")
        rows = [catalog.model(model_id).drop("card") for model_id in ids]
        return conform(pd.DataFrame(rows).reset_index(drop=True))

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

    # -- display: the widget, and a table for reports -------------------------------------------
    REPORT_ROWS: ClassVar[int] = 50
    """Rows of the HTML table that stands in for the widget where no widget can be drawn."""

    def _report_html(self) -> str:
        """The ``text/html`` stand-in for the widget in exported reports: a table of the first
        results (:attr:`REPORT_ROWS`). JupyterLab draws the widget; an export without a kernel or
        saved widget state shows the table instead of an empty box."""
        try:
            return self.to_html(self.REPORT_ROWS)
        except HubError as err:  # the widget still shows; the report says why it has no rows
            return f"<p>{html.escape(self.status)} (rows unavailable: {html.escape(str(err))})</p>"

    @traitlets.observe("revision")
    def _on_revision(self, _change: Any) -> None:
        """Keep the report table of earlier outputs on the last results (see ._report)."""
        self._update_report()

    def to_html(self, limit: int = 50) -> str:
        """The first ``limit`` results as an HTML table (for reports), with a caption saying what
        was searched and where."""
        good = self._good
        frame = (
            self._catalog.search(**good.filters, sort=good.sort, limit=limit)
            if good is not None
            else empty_frame()
        )
        return _html_table(frame, caption=self.status)

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

    # -- state from the front-end --------------------------------------------------------------
    def _page_batch(self) -> AbstractContextManager[Any]:
        """A page update's writes are validated together and answered by one core call."""
        return self._one_refresh()

    # -- core calls ----------------------------------------------------------------------------
    @contextmanager
    def _one_refresh(self) -> Iterator[None]:
        """Trait writes inside are validated together and answered by one core call at the end."""
        if self._batching:
            yield
            return
        before = (self._filters(), self.sort)
        self._batching = True
        try:
            with self.hold_trait_notifications():
                yield
        finally:
            self._batching = False
        if (self._filters(), self.sort) != before:  # a selection alone asks the catalog nothing
            self._refresh()

    @traitlets.observe(*FILTERS, "sort")
    def _on_filter(self, change: Any) -> None:
        if not self._batching:
            self._refresh()

    def _filters(self) -> dict[str, Any]:
        """The filter traits as ``catalog.search`` keyword arguments (empty lists -> None)."""
        out: dict[str, Any] = {}
        for name in FILTERS:
            value = getattr(self, name)
            out[name] = (list(value) or None) if isinstance(value, list) else value
        return out

    def _refresh(self) -> None:
        """Count the current filters and show the first rows, then count the facets; or say why
        not. The rows go out before the facets are counted, so the grid never waits for them."""
        filters = self._filters()
        good = self._good
        if good is not None and good.filters == filters:
            with self.hold_sync():
                if good.sort != self.sort:  # same models, new order: no need to count again
                    self._good = replace(good, sort=self.sort)
                    self._push_first_rows(self.revision + 1, good.total)
                    self.revision += 1
                if self.error:  # back to the filters shown, after a failure
                    self.error = ""
                    self.status = good.status
            return
        started = time.perf_counter()
        try:
            total = int(self._catalog.count(**filters))
        except HubError as err:
            self._fail(f"the Hub did not answer: {err}")
            return
        except (ValueError, TypeError) as err:
            self._fail(str(err))
            return
        status = self._summary(total, (time.perf_counter() - started) * 1000)
        self._good = _Results(filters, self.sort, total, status)
        self._push_first_rows(self.revision + 1, total)
        with self.hold_sync():
            self.total = total
            self.error = ""
            self.status = status
            self.revision += 1
        try:
            counts = self._catalog.facets(**filters, top=self.FACET_TOP)
        except HubError as err:  # the rows are shown; only the counts beside them are old
            with self.hold_sync():
                self.error = f"the Hub did not answer the facet counts: {err}"
                self.status = f"{status} · facet counts not updated: {self.error}"
            return
        with self.hold_sync():
            self.facets = _facet_lists(counts)
            self._task_modality = _task_modalities(self.facets["task"], self.task)

    #: Rows sent with each new result set, before the page asks: one round trip fewer.
    PUSH_ROWS: ClassVar[int] = 50

    def _push_first_rows(self, revision: int, total: int) -> None:
        """Send the first rows of the results about to be shown, ahead of their revision.

        The page keeps rows of a revision it has not seen yet and shows them as soon as the
        revision arrives, instead of asking for them. Only when a page draws the widget.
        """
        if not self._viewed or total == 0:
            return
        try:
            rows = self._page(0, min(total, self.PUSH_ROWS))
        except HubError:
            return  # the page asks for the rows itself, and hears the error then
        reply = {"type": "rows", "id": None, "start": 0, "stop": len(rows), "total": total}
        self.send({**reply, "revision": revision}, buffers=[to_ipc(rows, columns=ROW_COLUMNS)])

    def _fail(self, message: str) -> None:
        shown = "; showing the previous results" if self._good is not None else ""
        with self.hold_sync():
            self.error = message
            self.status = f"{message}{shown}"

    def _summary(self, total: int, ms: float) -> str:
        models = f"{total:,} model{'' if total == 1 else 's'}"
        if getattr(self._catalog, "capped", False):  # the live Hub: counted up to max_results
            models = f"at least {models} (counted up to the first {total:,} matches)"
        describe = getattr(self._catalog, "describe_source", None)
        source = describe() if callable(describe) else type(self._catalog).__name__
        took = f"{ms:.1f}" if ms < 10 else f"{ms:.0f}"  # "0 ms" would read as not timed
        return f"{models} · {took} ms · {source}"

    def _page(self, start: int, stop: int) -> pd.DataFrame:
        """Rows [start, stop) of the results shown."""
        good = self._good
        if good is None or stop <= start:
            return empty_frame()
        return self._catalog.search(
            **good.filters, sort=good.sort, offset=start, limit=stop - start
        )

    # -- custom messages -----------------------------------------------------------------------
    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "view":  # a live page draws the widget
            self._viewed = True
        kind = content.get("type")
        if kind == "rows":
            self._viewed = True
            self._send_rows(content)
        elif kind == "select":
            self._select_range(content)
        elif kind == "detail":
            self.send(self._detail_reply(content))

    def _send_rows(self, request: dict[str, Any]) -> None:
        reply: dict[str, Any] = {
            "type": "rows",
            "id": request.get("id"),
            "revision": self.revision,
        }
        bounds = _window_bounds(request, self.MAX_WINDOW)
        if isinstance(bounds, str):
            self.send({**reply, "error": bounds})
            return
        start, stop = bounds
        try:
            rows = self._page(start, stop)
        except HubError as err:
            self._fail(f"the Hub did not answer: {err}")
            self.send({**reply, "error": str(err)})
            return
        total = self._good.total if self._good is not None else 0
        buffer = to_ipc(rows, columns=ROW_COLUMNS)
        reply.update(start=start, stop=start + len(rows), total=total)
        self.send(reply, buffers=[buffer])

    def _select_range(self, request: dict[str, Any]) -> None:
        if request.get("revision") != self.revision:
            return  # the rows it names belong to a result set no longer shown
        bounds = _window_bounds(request, self.MAX_RANGE)
        if isinstance(bounds, str):
            return
        try:
            ids = [str(i) for i in self._page(*bounds)["id"]]
        except HubError as err:
            self._fail(f"the Hub did not answer: {err}")
            return
        current = list(self.selected_ids)
        seen = set(current)
        self.selected_ids = current + [i for i in ids if i not in seen]

    def _detail_reply(self, request: dict[str, Any]) -> dict[str, Any]:
        """The answer to a detail request ``{"type": "detail", "id": n, "model": m}``.

        ``{"type": "detail", "id": n, "model": m, "url": u, "record": r, "card_html": h}``:
        ``url`` the model's Hub page, ``record`` its :data:`~._card.DETAIL_FIELDS` as JSON
        values, ``card_html`` its card as safe HTML (None when the catalog has no card). When the
        model cannot be looked up, ``error`` says why in place of ``record`` and ``card_html``.
        Never raises: a failure here must not leave the front-end waiting.
        """
        model_id = request.get("model")
        reply: dict[str, Any] = {"type": "detail", "id": request.get("id"), "model": model_id}
        if not isinstance(model_id, str) or not model_id:
            return {**reply, "error": f"bad detail request: model={model_id!r} (need an id)"}
        reply["url"] = hub_url(model_id)
        catalog = self._catalog
        if not isinstance(catalog, _ModelLookup):
            return {**reply, "error": f"{type(catalog).__name__} cannot look up models by id"}
        try:
            row = catalog.model(model_id)
        except UnknownModelError as err:
            return {**reply, "error": str(err)}
        except HubError as err:
            return {**reply, "error": f"the Hub did not answer: {err}"}
        except Exception as err:  # whatever else a catalog raises: the page must get an answer
            return {**reply, "error": f"could not look up {model_id!r}: {err!r}"}
        card = row.get("card")
        html_card = card_html(card, model_id) if isinstance(card, str) and card.strip() else None
        return {**reply, "record": detail_record(row), "card_html": html_card}


def _task_modalities(counts: list[list[Any]], chosen: list[str]) -> dict[str, str]:
    """``{task: modality name}`` for the tasks of the task facet and the chosen ones."""
    tasks = [str(value) for value, _count in counts] + list(chosen)
    return {task: modality_label(task) for task in tasks}


def _check_arguments(
    given: dict[str, Any], cls: type[SearchWidget], only: tuple[str, ...] | None = None
) -> None:
    """Refuse a misspelled keyword argument, naming the valid ones."""
    if only is None:
        valid = (*FILTERS, "sort", "selected_ids")
        # and ipywidgets' public traits (layout, tooltip...), not its plumbing
        public = {n for n in cls.class_trait_names() if not n.startswith("_")}
        allowed = set(valid) | (public - cls._kernel_only() - {"comm", "keys", "log"})
    else:
        valid = only
        allowed = set(only)
    for name in given:
        if name not in allowed:
            hint = close_matches(name, list(valid))
            also = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise TypeError(
                f"unexpected argument {name!r}{also}; valid arguments: {', '.join(valid)}"
            )


def _window_bounds(request: dict[str, Any], most: int) -> tuple[int, int] | str:
    """``(start, stop)`` of a request, ``stop`` capped at ``start + most``; or what is wrong."""
    start, stop = request.get("start"), request.get("stop")
    if _is_index(start) and _is_index(stop) and start <= stop:
        return start, min(stop, start + most)
    return f"bad window: start={start!r}, stop={stop!r} (need integers 0 <= start <= stop)"


def _is_index(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _facet_lists(counts: pd.DataFrame) -> dict[str, list[list[Any]]]:
    """``facets()`` output as ``{facet: [[value, count], ...]}`` (every facet, maybe empty)."""
    out: dict[str, list[list[Any]]] = {facet: [] for facet in FACETS}
    for facet, value, count in counts[["facet", "value", "count"]].itertuples(index=False):
        out.setdefault(str(facet), []).append([str(value), int(count)])
    return out


def _html_table(frame: pd.DataFrame, caption: str) -> str:
    """Rows as a small self-contained HTML table (numbers compact, dates as days)."""
    labels = {
        "id": "Model",
        "task": "Task",
        "library": "Library",
        "license": "License",
        "params": "Params",
        "downloads": "Downloads",
        "likes": "Likes",
        "last_modified": "Updated",
    }
    numeric = {"params", "downloads", "likes"}

    # inline alignment: notebook exports right-align every cell of a table
    def align(column: str) -> str:
        side = "right" if column in numeric else "left"
        return f' style="text-align:{side}"'

    head = "".join(f'<th scope="col"{align(c)}>{labels[c]}</th>' for c in ROW_COLUMNS)
    body = []
    for row in frame[list(ROW_COLUMNS)].itertuples(index=False):
        cells = []
        for column, value in zip(ROW_COLUMNS, row, strict=True):
            text = _cell_text(column, value)
            if column == "id" and text:
                link = html.escape(hub_url(text), quote=True)
                cells.append(f'<td{align(column)}><a href="{link}">{html.escape(text)}</a></td>')
            else:
                cells.append(f"<td{align(column)}>{html.escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<table class="hubwidgets-results">'
        f"<caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _cell_text(column: str, value: Any) -> str:
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if column == "last_modified":
        return str(pd.Timestamp(value).strftime("%Y-%m-%d"))
    if column in {"params", "downloads", "likes"}:
        return _compact(int(value))
    return str(value)


def _compact(n: int) -> str:
    """7_241_000_000 -> '7.2B', 1234 -> '1.2K', 950 -> '950'."""
    for unit, size in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if abs(n) >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + unit
    return str(n)
