"""Report tables: a DataFrame as a small, self-contained HTML table, for exported notebooks.

Every widget displays such a table beside its view (``text/html``): JupyterLab draws the widget,
and an export without a kernel or widget state (``jupyter nbconvert --to html`` with the state
stripped, GitHub's viewer) shows the table instead of an empty box. One builder for all of them,
so they escape, align and mark the best values the same way.

>>> html_table(df, [Column("id", "Model", link=hub_url, header=True),
...                 Column("downloads", "Downloads", numeric=True, format=compact)],
...            caption="104 models", css_class="hubwidgets-results")
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pandas as pd

__all__ = ["HUB_URL", "Column", "compact", "html_table", "hub_url", "missing", "svg_divs"]

#: The Hub's address, for links to model pages.
HUB_URL = "https://huggingface.co"


def hub_url(model_id: str) -> str:
    """The model's page on the Hub."""
    return f"{HUB_URL}/{quote(str(model_id), safe='/')}"


def missing(value: Any) -> bool:
    """Whether a value is missing: None, ``pd.NA``, ``NaT`` or a float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, list, tuple, dict)) else False
    except (TypeError, ValueError):  # an array-like: not one missing value
        return False


def compact(n: Any) -> str:
    """7_241_000_000 -> '7.2B', 1234 -> '1.2K', 950 -> '950'; '' when missing."""
    if missing(n):
        return ""
    value = int(n)
    for unit, size in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + unit
    return str(value)


@dataclass(frozen=True)
class Column:
    """One column of a report table.

    Attributes:
        key: the DataFrame column shown.
        label: its header.
        numeric: right-aligned (notebook exports right-align every cell otherwise).
        format: value -> text (default: ``str``); missing values are '' before it is called.
        link: value -> URL (or None for no link) of the cell.
        best: the name of a bool column: the cells of rows where it is True are bold, with ★.
        header: the cell is its row's header (``<th scope="row">``).
    """

    key: str
    label: str
    numeric: bool = False
    format: Callable[[Any], str] | None = None
    link: Callable[[Any], str | None] | None = None
    best: str | None = None
    header: bool = False


def html_table(
    frame: pd.DataFrame, columns: Sequence[Column], *, caption: str, css_class: str
) -> str:
    """``frame``'s rows as an HTML table of ``columns``; every text escaped.

    Raises:
        ValueError: a column (or a ``best`` column) the frame does not have.
    """
    needed = [c.key for c in columns] + [c.best for c in columns if c.best]
    absent = [k for k in needed if k not in frame.columns]
    if absent:
        raise ValueError(f"the table has no columns {absent}; it has {list(frame.columns)}")
    head = "".join(f'<th scope="col"{_align(c)}>{html.escape(c.label)}</th>' for c in columns)
    body = "".join(f"<tr>{_cells(row, columns)}</tr>" for row in _records(frame, needed))
    marks = any(c.best for c in columns)
    note = " (★ best)" if marks else ""
    return (
        f'<table class="{html.escape(css_class, quote=True)}">'
        f"<caption>{html.escape(caption)}{note}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def svg_divs(svgs: Mapping[str, str]) -> str:
    """Charts drawn in the kernel (SVG from :mod:`hubwidgets.charts.svg`), one ``<div>`` each."""
    return "".join(
        f'<div data-chart="{html.escape(name, quote=True)}">{svg}</div>'
        for name, svg in svgs.items()
    )


def _records(frame: pd.DataFrame, keys: Iterable[str]) -> Iterable[dict[str, Any]]:
    names = list(dict.fromkeys(keys))
    for values in frame[names].itertuples(index=False, name=None):
        yield dict(zip(names, values, strict=True))


def _align(column: Column) -> str:
    return f' style="text-align:{"right" if column.numeric else "left"}"'


def _cells(row: Mapping[str, Any], columns: Sequence[Column]) -> str:
    out = []
    for column in columns:
        value = row[column.key]
        text = "" if missing(value) else (column.format or str)(value)
        cell = html.escape(text)
        url = column.link(value) if column.link is not None and text else None
        if url:
            cell = f'<a href="{html.escape(url, quote=True)}">{cell}</a>'
        best = row[column.best] if column.best else None
        if best is not None and not missing(best) and bool(best):
            cell = f"<strong>{cell}</strong> ★"
        tag = "th" if column.header else "td"
        scope = ' scope="row"' if column.header else ""
        out.append(f"<{tag}{scope}{_align(column)}>{cell}</{tag}>")
    return "".join(out)
