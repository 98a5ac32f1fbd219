"""A benchmark's results as people read them (hubwidgets.core.inference.results), without a widget:
the table, the best rows, the live rows of a run, the line saying how it went, the report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hubwidgets.core.inference.results import (
    QUALITY_METRICS,
    RESULTS_COLUMNS,
    best_rows,
    done_text,
    live_rows,
    main_quality_metric,
    pending_rows,
    quality_info,
    results_html,
    results_table,
)


def summary(**extra: list[object]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": ["org/a", "org/b", "org/c"],
            "batch_size": [1, 1, 1],
            "status": ["ok", "ok", "error"],
            "error": [None, None, "cannot load org/c"],
            "p50_ms": [5.0, 3.0, np.nan],
            **extra,
        }
    )


def test_results_table_best_and_error_rates() -> None:
    frame = summary(p50_ms=[5.0, 3.0, 1.0], wer=[0.2, 0.3, 0.0])
    shown = results_table(frame)
    assert tuple(shown.columns) == RESULTS_COLUMNS
    assert shown["best_p50"].tolist() == [False, True, False]  # the failed row does not count
    assert shown["best_quality"].tolist() == [True, False, False]  # lower is better
    assert shown["quality"].tolist() == [0.2, 0.3, 0.0]
    assert shown["tokens_per_s"].isna().all()  # missing columns are empty, not an error
    assert shown["error"].tolist() == ["", "", "cannot load org/c"]  # None -> ""
    assert shown["backend"].tolist() == ["", "", ""]
    only_one = results_table(frame.iloc[:1])
    assert not only_one["best_p50"].any()  # nothing to beat: no highlight


def test_results_table_quality_and_its_interval() -> None:
    frame = summary(
        accuracy=[0.5, 0.9, np.nan], accuracy_lo=[0.4, 0.8, np.nan], accuracy_hi=[0.6, 1.0, None]
    )
    shown = results_table(frame)
    assert shown["quality"].tolist()[:2] == [0.5, 0.9]
    assert shown["quality_lo"].tolist()[:2] == [0.4, 0.8]
    assert shown["best_quality"].tolist() == [False, True, False]  # higher is better
    # another metric asked for by name: none here, so no quality
    assert results_table(frame, "f1")["quality"].isna().all()


def test_results_table_takes_odd_values_and_refuses_what_is_not_a_table() -> None:
    frame = pd.DataFrame(
        {
            "model": ["a", None],
            "batch_size": ["4", None],
            "status": ["ok", pd.NA],
            "p50_ms": ["x", 2],
        }
    )
    shown = results_table(frame)
    assert shown["model"].tolist() == ["a", ""]
    assert shown["batch_size"].tolist()[0] == 4.0 and np.isnan(shown["batch_size"].iloc[1])
    assert np.isnan(shown["p50_ms"].iloc[0])
    assert results_table(pd.DataFrame()).empty
    with pytest.raises(TypeError, match="expects a DataFrame"):
        results_table([1, 2])  # type: ignore[arg-type]


def test_best_rows_ties_and_too_few() -> None:
    ran = pd.Series([True, True, True])
    assert best_rows(pd.Series([2.0, 1.0, 1.0]), ran, lower=True).tolist() == [False, True, True]
    assert best_rows(pd.Series([2.0, 1.0, 1.0]), ran, lower=False).tolist() == [True, False, False]
    assert not best_rows(pd.Series([2.0, np.nan, np.nan]), ran, lower=True).any()


def test_main_quality_metric_and_its_words() -> None:
    assert main_quality_metric(pd.DataFrame({"f1": [0.5], "accuracy": [0.6]})) == "accuracy"
    assert main_quality_metric(pd.DataFrame({"accuracy": [np.nan], "wer": [0.2]})) == "wer"
    assert main_quality_metric(pd.DataFrame({"p50_ms": [1.0]})) is None
    assert quality_info("wer") == {
        "metric": "wer",
        "label": QUALITY_METRICS["wer"],
        "lower_is_better": True,
    }
    assert quality_info(None) == {}


def test_live_rows_in_the_order_of_the_run() -> None:
    assert pending_rows(["a", "b"], [1, 4])["status"].tolist() == ["pending"] * 4
    finished = {("a", 1): {"model": "a", "batch_size": 1, "status": "ok", "p50_ms": 2.0}}
    live = live_rows(["a", "b"], [1, 4], finished, ("a", 4))
    assert live["model"].tolist() == ["a", "a", "b", "b"]
    assert live["batch_size"].tolist() == [1, 4, 1, 4]
    assert live["status"].tolist() == ["ok", "running", "pending", "pending"]
    assert tuple(results_table(live).columns) == RESULTS_COLUMNS
    assert results_table(pending_rows([], [1])).empty


def test_done_text() -> None:
    frame = summary()
    assert done_text(frame, 2.04, cancelled=False) == (
        "Done · 2 of 3 ran in 2.0 s · 1 failed (see their rows)"
    )
    assert done_text(frame.iloc[:2], 1, cancelled=True, machine="8 cores") == (
        "Cancelled · 2 of 2 ran in 1.0 s · 8 cores"
    )


def test_results_html_escapes_links_and_marks_the_best() -> None:
    frame = summary(accuracy=[0.5, 0.9, np.nan], accuracy_lo=[0.4, 0.8, np.nan])
    frame.loc[0, "model"] = "/home/me/<model>"
    frame["accuracy_hi"] = [0.6, 1.0, np.nan]
    shown = results_table(frame)
    report = results_html(shown, caption="Done · <2>", quality_label="Accuracy")
    assert report.startswith('<table class="hubwidgets-benchmark">')
    assert "<caption>Done · &lt;2&gt; (★ best)</caption>" in report
    assert "/home/me/&lt;model&gt;" in report and 'href="https://huggingface.co/home' not in report
    assert '<a href="https://huggingface.co/org/b">org/b</a>' in report
    assert "<strong>3.0</strong> ★" in report  # the fastest
    assert "<strong>0.900 (0.800 to 1.000)</strong> ★" in report
    assert "error (cannot load org/c)" in report
    assert "Accuracy (95% CI)" in report
    plain = results_html(results_table(summary()), caption="x")
    assert "95% CI" not in plain  # no quality, no quality column
