"""best_values / best_for: which compared model is best per metric, and the badges."""

from __future__ import annotations

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.choose._best import BADGES, DIRECTIONS, best_for, best_values


def _wide(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"id": ["a/x", "b/y", "c/z"], **columns})


def _best(wide: pd.DataFrame, metric: str) -> list[str]:
    table = best_values(wide).set_index("metric")
    return list(table.loc[metric, "best"])


def test_lower_and_higher_is_better() -> None:
    wide = _wide(
        params=pd.array([7, 1, 3], dtype="Int64"),
        downloads=pd.array([5, 50, 10], dtype="Int64"),
        days_since_update=pd.array([30, 2, 2], dtype="Int64"),
    )
    assert _best(wide, "params") == ["b/y"]
    assert _best(wide, "downloads") == ["b/y"]
    assert _best(wide, "days_since_update") == ["b/y", "c/z"]  # ties share it
    table = best_values(wide).set_index("metric")
    assert table.loc["params", "direction"] == "lower"
    assert table.loc["params", "value"] == 1


def test_no_best_when_all_equal_or_too_few_known() -> None:
    wide = _wide(
        likes=pd.array([3, 3, 3], dtype="Int64"),
        params=pd.array([7, None, None], dtype="Int64"),
    )
    assert _best(wide, "likes") == []
    assert _best(wide, "params") == []  # one known value: nothing to compare it with


def test_a_missing_value_is_never_best() -> None:
    wide = _wide(memory_int4=pd.array([None, 4, 2], dtype="Int64"))
    assert _best(wide, "memory_int4") == ["c/z"]


def test_fits_and_license_class() -> None:
    wide = _wide(
        fits_int8=pd.array([True, False, True], dtype="boolean"),
        license_class=pd.array(["non-commercial", "permissive", "copyleft"], dtype="string"),
    )
    assert _best(wide, "fits_int8") == ["a/x", "c/z"]
    assert _best(wide, "license_class") == ["b/y"]


def test_badges() -> None:
    wide = _wide(
        params=pd.array([7, 1, 3], dtype="Int64"),
        likes=pd.array([1, 2, 9], dtype="Int64"),
        license_class=pd.array(["permissive"] * 3, dtype="string"),
    )
    assert best_for(wide) == {"a/x": [], "b/y": ["smallest"], "c/z": ["most liked"]}
    assert set(BADGES) <= set(DIRECTIONS)


def test_on_a_real_comparison() -> None:
    catalog = hw.starter_catalog()
    ids = catalog.search(task="text-generation", limit=3)["id"].tolist()
    wide = hw.compare(ids, catalog=catalog)
    table = best_values(wide)
    assert set(table["metric"]) <= set(DIRECTIONS)
    smallest = wide.loc[wide["params"].idxmin(), "id"]
    assert "smallest" in best_for(wide)[smallest]


def test_needs_an_id_column() -> None:
    with pytest.raises(ValueError, match="'id' column"):
        best_values(pd.DataFrame({"params": [1, 2]}))
