"""License ids → classes: the table, the fallbacks, the vectorized form, and real Hub data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.choose.licenses import (
    LICENSE_CLASSES,
    LICENSE_IDS,
    license_class,
    license_classes,
)

STARTER = (
    Path(__file__).resolve().parents[2] / "hubwidgets" / "core" / "data" / "starter_models.jsonl"
)

#: Ids that are "unknown" on purpose: they do not say which license applies.
DELIBERATELY_UNKNOWN = {"unknown", "cc", "???"}


@pytest.mark.parametrize(
    ("license_id", "expected"),
    [
        ("apache-2.0", "permissive"),
        ("mit", "permissive"),
        ("bsd-3-clause", "permissive"),
        ("bsd-2-clause", "permissive"),
        ("cc-by-4.0", "permissive"),
        ("cc0-1.0", "permissive"),
        ("unlicense", "permissive"),
        ("openrail", "gated-or-custom"),
        ("openrail++", "gated-or-custom"),
        ("bigscience-openrail-m", "gated-or-custom"),
        ("creativeml-openrail-m", "gated-or-custom"),
        ("bigscience-bloom-rail-1.0", "gated-or-custom"),
        ("gpl-3.0", "copyleft"),
        ("agpl-3.0", "copyleft"),
        ("lgpl-3.0", "copyleft"),
        ("mpl-2.0", "copyleft"),
        ("cc-by-sa-4.0", "copyleft"),
        ("cc-by-nc-4.0", "non-commercial"),
        ("cc-by-nc-sa-4.0", "non-commercial"),
        ("cc-by-nc-nd-4.0", "non-commercial"),
        ("llama2", "gated-or-custom"),
        ("llama3", "gated-or-custom"),
        ("llama3.1", "gated-or-custom"),
        ("llama3.2", "gated-or-custom"),
        ("llama3.3", "gated-or-custom"),
        ("llama4", "gated-or-custom"),
        ("gemma", "gated-or-custom"),
        ("other", "gated-or-custom"),
        ("unknown", "unknown"),
        (None, "unknown"),
        ("", "unknown"),
    ],
)
def test_license_class_of_hub_ids(license_id: str | None, expected: str) -> None:
    assert license_class(license_id) == expected


@pytest.mark.parametrize("spelling", ["Apache-2.0", "APACHE-2.0", "  apache-2.0 ", "MIT"])
def test_license_class_ignores_case_and_spaces(spelling: str) -> None:
    assert license_class(spelling) == "permissive"


@pytest.mark.parametrize(
    ("license_id", "expected"),
    [
        ("cc-by-nc-1.0", "non-commercial"),
        ("cc-by-sa-2.0", "copyleft"),
        ("cc-by-1.0", "permissive"),
        ("gpl-1.0", "copyleft"),
        ("llama5", "gated-or-custom"),
        ("new-openrail-x", "gated-or-custom"),
        ("bsd-4-clause", "permissive"),
        ("some-made-up-license", "unknown"),
    ],
)
def test_license_class_falls_back_on_the_family(license_id: str, expected: str) -> None:
    assert license_class(license_id) == expected


def test_license_class_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="str or None"):
        license_class(3)  # type: ignore[arg-type]


def test_license_class_treats_nan_as_unknown() -> None:
    assert license_class(float("nan")) == "unknown"  # type: ignore[arg-type]


def test_every_table_entry_has_a_known_class() -> None:
    assert set(LICENSE_IDS.values()) <= set(LICENSE_CLASSES)
    assert all(k == k.strip().lower() for k in LICENSE_IDS)
    assert {k for k, v in LICENSE_IDS.items() if v == "unknown"} == DELIBERATELY_UNKNOWN


def test_license_classes_is_categorical_and_aligned() -> None:
    s = pd.Series(["MIT", None, "llama3.1", "cc-by-nc-4.0", "mit"], index=[5, 6, 7, 8, 9], name="x")
    out = license_classes(s)
    assert isinstance(out.dtype, pd.CategoricalDtype)
    assert list(out.cat.categories) == list(LICENSE_CLASSES)
    assert out.index.tolist() == [5, 6, 7, 8, 9]
    assert out.name == "x"
    assert out.tolist() == [
        "permissive",
        "unknown",
        "gated-or-custom",
        "non-commercial",
        "permissive",
    ]


def test_license_classes_of_a_categorical_column_with_nan() -> None:
    s = pd.Series(["gpl-3.0", np.nan, "apache-2.0"], dtype="category")
    assert license_classes(s).tolist() == ["copyleft", "unknown", "permissive"]


def test_license_classes_of_an_empty_series() -> None:
    out = license_classes(pd.Series([], dtype=object))
    assert len(out) == 0
    assert list(out.cat.categories) == list(LICENSE_CLASSES)


def test_license_classes_rejects_a_list() -> None:
    with pytest.raises(TypeError, match="pandas Series"):
        license_classes(["mit"])  # type: ignore[arg-type]


def _ids_seen(catalog: Catalog) -> set[str]:
    return set(catalog.df["license"].dropna().astype(str).str.strip().str.lower())


def _assert_all_deliberate(seen: set[str]) -> None:
    accidental = {i for i in seen if license_class(i) == "unknown"} - DELIBERATELY_UNKNOWN
    assert not accidental, f"license ids that fall to 'unknown' by accident: {sorted(accidental)}"
    # every id seen is in the table itself, not only caught by a family prefix
    assert seen <= set(LICENSE_IDS), sorted(seen - set(LICENSE_IDS))


def test_every_license_in_the_starter_catalog_has_a_deliberate_class() -> None:
    with STARTER.open(encoding="utf-8") as fh:
        records: list[dict[str, Any]] = [json.loads(line) for line in fh if line.strip()]
    catalog = Catalog.from_records([r for r in records if "_meta" not in r])
    seen = _ids_seen(catalog)
    assert {"apache-2.0", "mit", "gemma", "llama3.1", "openrail++"} <= seen
    _assert_all_deliberate(seen)


def test_every_license_in_the_recorded_hub_data_has_a_deliberate_class(
    real_catalog: Catalog,
) -> None:
    seen = _ids_seen(real_catalog)
    assert len(seen) > 30
    _assert_all_deliberate(seen)
