"""Exported reports keep a widget's content: a ``text/html`` table next to the widget view.

JupyterLab draws the widget; an export without a kernel or saved widget state (``jupyter
nbconvert --to html``, GitHub's viewer) cannot, and shows the ``text/html`` part of the same
output instead of an empty box. Each view says ``{"type": "view"}`` when it is drawn; where none
ever does (a notebook run headless by nbconvert, nbclient or papermill), later kernel-side
changes update that table, so the exported report shows the widget's last state.

:class:`ReportDisplay` is mixed into an ``anywidget.AnyWidget`` subclass (before it, so that its
``_repr_mimebundle_`` wraps the widget's)::

    class MyWidget(ReportDisplay, anywidget.AnyWidget):
        def _report_html(self) -> str: ...

The widget calls :meth:`ReportDisplay._init_report` in its ``__init__``,
:meth:`ReportDisplay._update_report` after a kernel-side change of what the table shows, and
:meth:`ReportDisplay._note_view` on each custom message.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from typing import Any

import traitlets

__all__ = ["ReportDisplay"]


class ReportDisplay:
    """Display with a report table beside the widget view, kept up to date where no page is."""

    _display_id: str
    _displayed: bool  # shown at least once in this kernel's outputs
    _viewed: bool  # a live front-end drew the widget: never re-display under it
    _from_front_end: bool  # the change being handled came from the page

    def _init_report(self, kind: str) -> None:
        """Set the display bookkeeping up (before any trait observer can run)."""
        self._display_id = f"hubwidgets-{kind}-{uuid.uuid4().hex}"
        self._displayed = False
        self._viewed = False
        self._from_front_end = False

    def _report_html(self) -> str:
        """The ``text/html`` stand-in for the widget; must not raise for want of data."""
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The widget view, plus the ``text/html`` report of :meth:`_report_html`."""
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/html": self._report_html()}, metadata

    def _ipython_display_(self) -> None:
        """Display with a display id, so the report table can follow later changes."""
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
        """Keep the report table of earlier outputs on the widget's state (kernel-side changes).

        Only where no live front-end draws the widget: there an update would draw the widget
        again under the user's cursor.
        """
        if not getattr(self, "_displayed", False) or self._viewed or self._from_front_end:
            return
        from IPython.display import update_display  # noqa: PLC0415

        bundle = self._display_bundle()
        if bundle is not None:
            data, metadata = bundle
            update_display(data, metadata=metadata, raw=True, display_id=self._display_id)

    def _note_view(self, content: Any) -> None:
        """A ``{"type": "view"}`` message: a live page draws the widget."""
        if isinstance(content, dict) and content.get("type") == "view":
            self._viewed = True

    def _apply_page_state(
        self,
        sync_data: dict[str, Any],
        *,
        kernel_only: Collection[str],
        batch: AbstractContextManager[Any],
        fail: Callable[[str], None],
    ) -> None:
        """Apply a state update from the page, as the report's bookkeeping needs to know.

        The traits in ``kernel_only`` are not the page's to write; a value the traits refuse
        leaves every trait as it was and goes to ``fail``. Either way the page gets the kernel's
        values back for what was not applied. ``batch`` wraps the writes (one core call).
        """
        accepted = {k: v for k, v in sync_data.items() if k not in kernel_only}
        refused = [k for k in sync_data if k in kernel_only]
        self._from_front_end = True
        try:
            with batch:
                super().set_state(accepted)  # type: ignore[misc]
        except traitlets.TraitError as err:
            fail(str(err))
            refused = list(sync_data)
        finally:
            self._from_front_end = False
        if refused:
            self.send_state(refused)  # type: ignore[attr-defined]
