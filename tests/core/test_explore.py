"""What the Hub Explorer's panels show of one model (hubwidgets/core/choose/explore.py), on real
catalogs: the starter snapshot, and a catalog whose model has a card."""

from __future__ import annotations

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.choose.explore import (
    PERFORMANCE_COLUMNS,
    card_sections,
    model_details,
    model_performance,
)

CARD = """---
license: mit
widget:
- text: I loved this film
  example_title: Positive
model-index:
- name: tiny
  results:
  - task: {type: text-classification}
    dataset: {name: imdb, type: imdb}
    metrics:
    - {type: accuracy, value: 0.91}
---
# Tiny

## How to use

```python
# a comment, not a heading
from transformers import pipeline
```

### With a GPU
Pass device=0.

## Bias, Risks, and Limitations

It was trained on film reviews only.

## Training
Details.
"""


@pytest.fixture(scope="module")
def starter() -> hw.Catalog:
    return hw.starter_catalog()


@pytest.fixture(scope="module")
def carded(starter: hw.Catalog) -> tuple[hw.Catalog, str]:
    frame = starter.search(task="text-classification", limit=None)
    model = str(frame["id"].iloc[0])
    return hw.Catalog(frame, cards={model: CARD}), model


def test_card_sections_finds_examples_usage_and_limitations() -> None:
    parts = card_sections(CARD)
    assert parts["examples"] == ["Positive: I loved this film"]
    usage = parts["usage"]
    assert usage.startswith("## How to use")
    assert "# a comment, not a heading" in usage  # a code comment does not end the section
    assert "Pass device=0." in usage  # subsections belong to it
    assert "Bias" not in usage
    assert parts["limitations"].endswith("trained on film reviews only.")


def test_card_sections_of_no_card() -> None:
    assert card_sections(None) == {"examples": [], "usage": None, "limitations": None}
    with pytest.raises(TypeError, match="card must be Markdown"):
        card_sections(42)  # type: ignore[arg-type]


def test_model_details_say_where_the_card_parts_come_from(
    carded: tuple[hw.Catalog, str], starter: hw.Catalog
) -> None:
    catalog, model = carded
    details = model_details(model, catalog=catalog)
    assert isinstance(details, pd.Series)
    assert details["id"] == model
    assert details["card_source"] == "the model card"
    assert "film reviews" in details["limitations"]
    other = str(starter.search(limit=1)["id"].iloc[0])
    bare = model_details(other, catalog=starter)
    assert bare["limitations"] is None
    assert bare["card_source"].startswith("unknown")


def test_model_details_refuses_bad_ids(starter: hw.Catalog) -> None:
    with pytest.raises(ValueError, match="model id"):
        model_details("", catalog=starter)
    with pytest.raises(hw.UnknownModelError):
        model_details("nobody/nothing-here", catalog=starter)


def test_performance_is_honest_about_what_is_unknown(starter: hw.Catalog) -> None:
    model = str(starter.search(task="sentence-similarity", limit=1)["id"].iloc[0])
    perf = model_performance(model, catalog=starter)
    assert list(perf.columns) == list(PERFORMANCE_COLUMNS)
    bench = perf[perf["section"] == "benchmark"]
    assert bench["value"].isna().all()
    assert bench["source"].iloc[0] == "no benchmark yet in this session"
    alternatives = perf[perf["section"] == "alternative"]
    assert 1 <= len(alternatives) <= 3
    assert model not in set(alternatives["model"])  # alternatives, not the model itself
    cost = perf[perf["section"] == "cost"]
    assert cost["value"].notna().any()
    assert (cost["unit"] == "$/month").all()


def test_performance_reads_quality_from_the_card_and_a_loaded_benchmark(
    carded: tuple[hw.Catalog, str],
) -> None:
    catalog, model = carded
    summary = pd.DataFrame(
        [
            {
                "model": model,
                "backend": "local",
                "batch_size": 1,
                "status": "ok",
                "p50_ms": 12.5,
                "p90_ms": 20.0,
                "items_per_s": 80.0,
            }
        ]
    )
    result = hw.BenchmarkResult(runs=pd.DataFrame(), summary=summary)
    perf = model_performance(model, catalog=catalog, benchmarks=[result])
    bench = perf[perf["section"] == "benchmark"].set_index("metric")["value"]
    assert bench["p50_ms"] == 12.5
    quality = perf[perf["section"] == "quality"]
    assert quality["metric"].iloc[0] == "accuracy on imdb"
    assert quality["value"].iloc[0] == pytest.approx(0.91)
