"""Altair chart of a cost estimate (``hw.estimate_cost(models, workload)``): cost against volume.

:func:`cost_vs_volume` draws, for one model, the $/month of each priced option as the daily
volume grows (both axes log): serverless providers grow in proportion, dedicated endpoints stay
flat until their replicas are full and then step up. Where a dedicated endpoint and the cheapest
serverless provider cross, a point marks the break-even; a rule marks the workload's volume.

The curves come from :func:`hubwidgets.core.cost.estimate.cost_at_volumes` (the same billing
as the estimate), so at the workload's volume each curve is the estimate's ``usd_per_month``.
Like the other charts it takes plain pandas, embeds small plain data, and says in the subtitle
what it left out and why. Draw it offline with :func:`hubwidgets.charts.svg.to_svg`.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from hubwidgets.core.cost.estimate import cost_at_volumes

from .catalog import WIDTH, _color, _plural, _title

__all__ = ["OPTION_COLORS", "cost_vs_volume"]

#: Height of the chart in pixels.
HEIGHT = 320

#: Dedicated endpoints drawn at most (the cheapest at the workload's volume); the rest are named
#: in the subtitle as left out.
MAX_DEDICATED = 5

#: Colours: dedicated endpoints in blues and greens, serverless providers in warm tones.
OPTION_COLORS: dict[str, tuple[str, ...]] = {
    "dedicated": ("#4c78a8", "#54a24b", "#72b7b2", "#9ecae9", "#88d27a", "#3a6e8f"),
    "serverless": ("#f58518", "#e45756", "#b279a2", "#ff9da6", "#eeca3b", "#9d755d"),
}

#: How far the volume axis reaches on each side of the workload's volume (a factor).
SPAN = 100.0

_POINTS = 121  # volumes on the curve: 20 a decade over four decades, plus the workload's


def cost_vs_volume(
    estimate: pd.DataFrame,
    *,
    model: str | None = None,
    max_dedicated: int = MAX_DEDICATED,
    span: float = SPAN,
) -> alt.LayerChart:
    """Lines of $/month against requests a day (log-log) for each priced option of ``model``
    (default: the first model of the estimate), the crossovers between each dedicated endpoint
    and the cheapest serverless provider as points, and a rule at the workload's volume.

    Only the ``max_dedicated`` dedicated endpoints cheapest at the workload's volume are drawn
    (and never deprecated ones when others are there); every serverless provider with a price
    is. Options without a price are left out and counted in the subtitle.

    Raises:
        TypeError: ``estimate`` is not a DataFrame.
        ValueError: it is not the DataFrame of ``hw.estimate_cost`` (its columns or its
            ``attrs["workload"]`` are missing), or ``model`` is not in it.
    """
    frame = _check(estimate, model)
    work = frame.attrs["workload"]
    chosen = model if model is not None else str(frame["model"].iloc[0])
    rows = frame[frame["model"] == chosen]
    rows.attrs = frame.attrs
    if max_dedicated < 1 or not span > 1:
        raise ValueError("max_dedicated must be >= 1 and span > 1")
    priced = rows[rows["usd_per_month"].notna() & rows["option"].isin(["dedicated", "serverless"])]
    drawn, notes = _pick(rows, priced, max_dedicated)
    volume = float(work["requests_per_day"])
    grid = np.unique(
        np.concatenate([np.geomspace(volume / span, volume * span, _POINTS), [volume]])
    )
    drawn.attrs = frame.attrs
    curves = cost_at_volumes(drawn, grid.tolist()) if len(drawn) else _empty_curves()
    crossings = _crossings(curves)
    labels = list(dict.fromkeys(curves["label"]))
    palette = _palette(labels)
    has_both = curves["option"].nunique() == 2
    if has_both and not len(crossings):
        notes.append("no crossover in this range: one kind is cheaper at every volume drawn")
    if len(crossings):
        notes.append(
            f"{_plural(len(crossings), 'crossover')} with the cheapest serverless provider "
            "marked (below it, serverless is cheaper)"
        )
    notes.append(
        f"workload: {volume:,.0f} requests/day, {work['input_tokens']:,} tokens in, "
        f"{work['output_tokens']:,} out"
    )
    title = _title(f"Cost against volume: {chosen}", notes)
    encoding = (
        alt.Chart(curves)
        .mark_line()
        .encode(
            x=alt.X(
                "requests_per_day:Q",
                title="Requests a day (log scale)",
                scale=alt.Scale(type="log"),
            ),
            y=alt.Y("usd_per_month:Q", title="$ a month (log scale)", scale=alt.Scale(type="log")),
            color=_color("label:N", "Option", labels, palette),
            strokeDash=alt.StrokeDash(
                "option:N",
                title="Kind",
                scale=alt.Scale(domain=["dedicated", "serverless"], range=[[1, 0], [6, 3]]),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Option"),
                alt.Tooltip("requests_per_day:Q", title="Requests a day", format=",.0f"),
                alt.Tooltip("usd_per_month:Q", title="$ a month", format="$,.2f"),
            ],
        )
    )
    # dedicated costs step up a replica at a time; serverless grows smoothly
    layers: list[alt.Chart] = [
        encoding.transform_filter(alt.datum.option == "dedicated").mark_line(
            interpolate="step-after"
        ),
        encoding.transform_filter(alt.datum.option == "serverless"),
    ]
    if len(crossings):
        layers.append(
            alt.Chart(crossings)
            .mark_point(shape="diamond", size=110, filled=True, color="#222")
            .encode(
                x="requests_per_day:Q",
                y="usd_per_month:Q",
                tooltip=[
                    alt.Tooltip("dedicated:N", title="Dedicated"),
                    alt.Tooltip("serverless:N", title="Serverless"),
                    alt.Tooltip(
                        "requests_per_day:Q", title="Break-even requests/day", format=",.0f"
                    ),
                    alt.Tooltip("usd_per_month:Q", title="$ a month", format="$,.2f"),
                ],
            )
        )
    here = pd.DataFrame({"requests_per_day": [volume], "label": ["your workload"]})
    rule = alt.Chart(here).encode(
        x="requests_per_day:Q", tooltip=[alt.Tooltip("label:N", title="")]
    )
    layers.append(rule.mark_rule(color="#888", strokeDash=[2, 2]))
    layers.append(
        rule.mark_text(align="left", baseline="top", dx=4, dy=4, color="#555").encode(
            y=alt.value(0), text="label:N"
        )
    )
    return alt.LayerChart(layer=layers, title=title, width=WIDTH, height=HEIGHT)


def _check(estimate: object, model: str | None) -> pd.DataFrame:
    if not isinstance(estimate, pd.DataFrame):
        raise TypeError(
            f"cost_vs_volume() expects the DataFrame of hw.estimate_cost, got "
            f"{type(estimate).__name__}"
        )
    needed = (
        "model",
        "option",
        "usd_per_month",
        "usd_per_1k_requests",
        "throughput_rps",
        "instance",
        "provider",
    )
    missing = [c for c in needed if c not in estimate.columns]
    if missing or "workload" not in estimate.attrs:
        raise ValueError(
            "cost_vs_volume() needs the DataFrame of hw.estimate_cost (its columns and "
            f"attrs['workload']); missing {missing or ['attrs workload']}"
        )
    if not len(estimate):
        raise ValueError("cost_vs_volume() got an empty estimate")
    if model is not None and model not in set(estimate["model"]):
        raise ValueError(
            f"model {model!r} is not in the estimate; it has {sorted(set(estimate['model']))}"
        )
    return estimate


def _pick(
    rows: pd.DataFrame, priced: pd.DataFrame, max_dedicated: int
) -> tuple[pd.DataFrame, list[str]]:
    notes: list[str] = []
    dedicated = priced[priced["option"] == "dedicated"]
    # without a throughput the replicas at other volumes are unknown: no curve to draw
    unknown = dedicated["throughput_rps"].isna()
    if unknown.any():
        notes.append(
            f"{_plural(int(unknown.sum()), 'dedicated endpoint')} of unknown throughput left out "
            "(cost at other volumes unknown)"
        )
    dedicated = dedicated[~unknown]
    live = dedicated[dedicated["status"].fillna("") != "deprecated"]
    pool = live if len(live) else dedicated
    keep = pool.sort_values("usd_per_month", kind="stable").head(max_dedicated)
    served = priced[priced["option"] == "serverless"]
    left = len(dedicated) - len(keep)
    if left:
        notes.append(
            f"{_plural(len(keep), 'dedicated endpoint')} cheapest at this volume drawn, "
            f"{left:,} more left out"
        )
    unpriced = rows[rows["usd_per_month"].isna() & rows["option"].isin(["dedicated", "serverless"])]
    if len(unpriced):
        notes.append(f"{_plural(len(unpriced), 'option')} without a price left out")
    if not len(served):
        notes.append("no serverless price known: no crossover to mark")
    return pd.concat([keep, served]), notes


def _empty_curves() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": pd.Series(dtype=str),
            "label": pd.Series(dtype=str),
            "option": pd.Series(dtype=str),
            "requests_per_day": pd.Series(dtype=float),
            "usd_per_month": pd.Series(dtype=float),
        }
    )


def _crossings(curves: pd.DataFrame) -> pd.DataFrame:
    """Where each dedicated curve crosses the cheapest serverless one (interpolated in log-log)."""
    records: list[dict[str, Any]] = []
    served = curves[curves["option"] == "serverless"]
    if len(served):
        # the cheapest provider: the lowest cost at any volume (they grow in proportion)
        first = served[served["requests_per_day"] == served["requests_per_day"].min()]
        cheapest = str(first.sort_values("usd_per_month")["label"].iloc[0])
        s = served[served["label"] == cheapest].set_index("requests_per_day")["usd_per_month"]
        for label, curve in curves[curves["option"] == "dedicated"].groupby("label", sort=False):
            d = curve.set_index("requests_per_day")["usd_per_month"].reindex(s.index)
            diff = np.log(d.to_numpy(float)) - np.log(s.to_numpy(float))
            x = np.log(s.index.to_numpy(float))
            for k in np.flatnonzero(np.sign(diff[:-1]) * np.sign(diff[1:]) < 0):
                t = diff[k] / (diff[k] - diff[k + 1])
                at = float(np.exp(x[k] + t * (x[k + 1] - x[k])))
                cost = float(np.exp(np.log(s.iloc[k]) + t * (np.log(s.iloc[k + 1] / s.iloc[k]))))
                records.append(
                    {
                        "dedicated": str(label),
                        "serverless": cheapest,
                        "requests_per_day": at,
                        "usd_per_month": cost,
                    }
                )
    columns = ["dedicated", "serverless", "requests_per_day", "usd_per_month"]
    return pd.DataFrame.from_records(records, columns=columns)


def _palette(labels: list[str]) -> list[str]:
    counters = {"dedicated": 0, "serverless": 0}
    out = []
    for label in labels:
        kind = "serverless" if label.startswith("serverless") else "dedicated"
        colors = OPTION_COLORS[kind]
        out.append(colors[counters[kind] % len(colors)])
        counters[kind] += 1
    return out
