"""Every license id we can meet is classed on purpose, with commercial use in words."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

import hubwidgets as hw
from hubwidgets.core.choose.licenses import LICENSE_IDS, license_class
from hubwidgets.core.governance.licenses import (
    COMMERCIAL_USE,
    HUB_LICENSE_IDS,
    commercial_use,
    license_info,
)

# classed "unknown" on purpose: they name no license
DELIBERATELY_UNKNOWN = {"unknown", "cc", "???"}


def _assert_deliberate(ids: set[str], where: str) -> None:
    silent = sorted(i for i in ids if i.strip().lower() not in LICENSE_IDS)
    assert not silent, f"license ids in {where} with no deliberate class: {silent}"
    for i in ids:
        info = license_info(i)
        assert info.deliberate
        if info.license_class == "unknown":
            assert i.lower() in DELIBERATELY_UNKNOWN, i
        assert info.commercial_use in COMMERCIAL_USE
        assert info.commercial_use_reason


def test_the_hub_license_list_is_classed() -> None:
    assert len(HUB_LICENSE_IDS) >= 70
    _assert_deliberate(set(HUB_LICENSE_IDS), "the Hub's license list")
    for lic, name in HUB_LICENSE_IDS.items():
        info = license_info(lic)
        assert info.name == name
        assert info.source in ("the Hub's license list", "not given on the card")
        if lic not in ("unknown", "other"):
            assert info.link and info.link.startswith("http"), lic


def test_the_starter_snapshot_licenses_are_classed() -> None:
    ids = {str(v) for v in hw.starter_catalog().df["license"].dropna().unique()}
    assert ids
    _assert_deliberate(ids, "the starter snapshot")


def _card_licenses(rec: dict[str, Any]) -> set[str]:
    meta = rec["metadata"]
    out: set[str] = set()
    card = meta.get("card_data") or meta.get("cardData")
    if isinstance(card, str):
        try:
            card = yaml.safe_load(card)
        except yaml.YAMLError:
            card = None
    if isinstance(card, dict):
        lic = card.get("license")
        out.update(str(x) for x in (lic if isinstance(lic, list) else [lic]) if x)
    out.update(t[len("license:") :] for t in meta.get("tags") or [] if t.startswith("license:"))
    return out


def test_the_2025_records_licenses_are_classed(raw_2025_records: list[dict[str, Any]]) -> None:
    ids: set[str] = set()
    for rec in raw_2025_records:
        ids |= _card_licenses(rec)
    assert len(ids) > 20
    _assert_deliberate(ids, "hub-model-info-2025.jsonl.gz")


@pytest.mark.parametrize(
    ("lic", "use"),
    [
        ("apache-2.0", "yes"),
        ("MIT", "yes"),
        ("gpl-3.0", "yes"),
        ("llama2", "conditional"),
        ("llama3.1", "conditional"),
        ("gemma", "conditional"),
        ("creativeml-openrail-m", "conditional"),
        ("cc-by-nd-4.0", "conditional"),
        ("cc-by-nc-4.0", "no"),
        ("cc-by-nc-nd-4.0", "no"),
        ("fair-noncommercial-research-license", "no"),
        ("apple-amlr", "no"),
        ("other", "unknown"),
        ("unknown", "unknown"),
        ("cc", "unknown"),
        (None, "unknown"),
        ("", "unknown"),
    ],
)
def test_commercial_use(lic: str | None, use: str) -> None:
    got, reason = commercial_use(lic)
    assert got == use
    assert len(reason) > 10


def test_the_class_is_the_one_compare_uses() -> None:
    for lic in [*HUB_LICENSE_IDS, "cc-by-nc-1.0", "llama9", "made-up", None]:
        assert license_info(lic).license_class == license_class(lic)


def test_other_takes_name_and_link_from_the_card() -> None:
    info = license_info("other", license_name="acme-1.0", license_link="https://acme/LICENSE")
    assert (info.name, info.link, info.source) == (
        "acme-1.0",
        "https://acme/LICENSE",
        "the model card",
    )
    assert "acme-1.0" in info.commercial_use_reason
    bare = license_info("other")
    assert bare.link is None
    assert bare.source == "not given on the card"


def test_unlisted_ids_fall_back_to_their_family() -> None:
    info = license_info("CC-BY-NC-1.0")
    assert (info.license, info.license_class, info.commercial_use) == (
        "cc-by-nc-1.0",
        "non-commercial",
        "no",
    )
    assert not info.deliberate
    assert info.link == "https://creativecommons.org/licenses/by-nc/1.0/"
    odd = license_info("my-own-terms")
    assert (odd.license_class, odd.commercial_use, odd.deliberate) == ("unknown", "unknown", False)


def test_no_license() -> None:
    info = license_info(None)
    assert (info.license, info.name, info.link, info.license_class) == (None, None, None, "unknown")


def test_bad_input() -> None:
    with pytest.raises(TypeError, match="str or None"):
        license_info(3)  # type: ignore[arg-type]
