"""Report tables: what an export without widget state shows in place of each widget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hubwidgets.core.report import Column, compact, html_table, hub_url, missing, svg_divs


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["org/a<b>", "org/c"],
            "downloads": pd.array([1_234_567, None], dtype="Int64"),
            "p50": [1.5, np.nan],
            "best": np.array([True, False]),
        }
    )


def test_a_table_escapes_links_aligns_and_marks_the_best() -> None:
    out = html_table(
        _frame(),
        [
            Column("id", "Model", link=hub_url, header=True),
            Column("downloads", "Downloads", numeric=True, format=compact),
            Column("p50", "p50 (ms)", numeric=True, format=lambda v: f"{v:.1f}", best="best"),
        ],
        caption="2 models <fast>",
        css_class="hubwidgets-test",
    )
    assert out.startswith('<table class="hubwidgets-test">')
    assert "<caption>2 models &lt;fast&gt; (★ best)</caption>" in out
    assert (
        '<th scope="row" style="text-align:left"><a href="https://huggingface.co/org/a%3Cb%3E">org/a&lt;b&gt;</a></th>'
        in out
    )
    assert '<td style="text-align:right">1.2M</td>' in out
    assert "<strong>1.5</strong> ★" in out
    # missing values are empty cells, never "nan" or "<NA>"
    assert "nan" not in out and "&lt;NA&gt;" not in out
    assert out.count("<tr>") == 3


def test_a_column_the_frame_lacks_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"no columns \['size'\]"):
        html_table(_frame(), [Column("size", "Size")], caption="", css_class="x")


def test_compact_and_missing() -> None:
    assert [compact(v) for v in (7_241_000_000, 1234, 950, None, np.nan)] == [
        "7.2B",
        "1.2K",
        "950",
        "",
        "",
    ]
    assert missing(pd.NA) and missing(pd.NaT) and missing(float("nan")) and missing(None)
    assert not missing("") and not missing([1]) and not missing(0)


def test_svg_divs_keep_order_and_names() -> None:
    out = svg_divs({"b": "<svg>1</svg>", "a": "<svg>2</svg>"})
    assert out == '<div data-chart="b"><svg>1</svg></div><div data-chart="a"><svg>2</svg></div>'
