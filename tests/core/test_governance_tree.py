"""The model tree from catalog rows: chains, relations, missing ancestors, cycles, conflicts."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.governance.tree import (
    TreeNode,
    chain_labels,
    license_conflict,
    model_tree,
    tree_frame,
)

LLAMA = "meta-llama/Llama-2-7b-hf"


def _rec(
    model_id: str, lic: str | None, bases: Any = None, tags: list[str] | None = None
) -> dict[str, Any]:
    card: dict[str, Any] = {}
    if lic:
        card["license"] = lic
    if bases:
        card["base_model"] = bases
    return {"id": model_id, "cardData": card, "tags": tags or []}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    records = [
        _rec(LLAMA, "llama2"),
        _rec("org/ft", "apache-2.0", LLAMA, [f"base_model:finetune:{LLAMA}"]),
        _rec("org/quant", "mit", "org/ft", ["base_model:quantized:org/ft"]),
        _rec("org/nc-base", "cc-by-nc-4.0"),
        _rec(
            "org/merge",
            "apache-2.0",
            ["org/ft", "org/nc-base"],
            ["base_model:merge:org/ft", "base_model:merge:org/nc-base"],
        ),
        _rec("org/adapter", "llama2", LLAMA, [f"base_model:adapter:{LLAMA}"]),
        _rec("org/orphan", "mit", "ghost/missing"),
        _rec("cyc/a", "mit", "cyc/b"),
        _rec("cyc/b", "mit", "cyc/a"),
        _rec("org/nd", "cc-by-nd-4.0"),
        _rec("org/nd-ft", "cc-by-nd-4.0", "org/nd"),
        _rec("org/apache", "apache-2.0"),
        _rec("org/gpl-ft", "gpl-3.0", "org/apache"),
        _rec("org/nolicense-ft", None, LLAMA),
        _rec("org/root", "mit"),
    ]
    return Catalog.from_records(records, fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_a_root_has_no_chain(catalog: Catalog) -> None:
    tree = model_tree("org/root", catalog)
    assert [n.id for n in tree] == ["org/root"]
    assert tree[0].license == "mit"
    assert tree[0].source == "the catalog"
    assert chain_labels(tree) == []
    assert license_conflict(tree) is None


def test_the_chain_walks_up_to_the_root_with_relations(catalog: Catalog) -> None:
    tree = model_tree("org/quant", catalog)
    assert [(n.id, n.depth, n.parent, n.relation) for n in tree] == [
        ("org/quant", 0, None, None),
        ("org/ft", 1, "org/quant", "quantized"),
        (LLAMA, 2, "org/ft", "finetune"),
    ]
    assert chain_labels(tree) == ["org/ft (apache-2.0)", f"{LLAMA} (llama2)"]
    assert tree[2].license_class == "gated-or-custom"


def test_a_merge_lists_every_base_once(catalog: Catalog) -> None:
    tree = model_tree("org/merge", catalog)
    ids = [n.id for n in tree]
    assert ids == ["org/merge", "org/ft", "org/nc-base", LLAMA]
    assert {n.relation for n in tree[1:3]} == {"merge"}


def test_a_base_named_only_by_the_card_has_relation_base(catalog: Catalog) -> None:
    tree = model_tree("org/gpl-ft", catalog)
    assert tree[1].relation == "base"


def test_a_missing_ancestor_is_unknown_not_in_the_catalog(catalog: Catalog) -> None:
    tree = model_tree("org/orphan", catalog)
    ghost = tree[1]
    assert (ghost.id, ghost.license, ghost.license_class, ghost.source) == (
        "ghost/missing",
        None,
        "unknown",
        "not in the catalog",
    )
    assert chain_labels(tree) == ["ghost/missing (unknown: not in the catalog)"]
    assert license_conflict(tree) is None


def test_a_model_not_in_the_catalog_is_a_lone_node(catalog: Catalog) -> None:
    tree = model_tree("nobody/here", catalog)
    assert len(tree) == 1
    assert tree[0].source == "not in the catalog"


def test_a_cycle_stops_with_a_note(catalog: Catalog) -> None:
    tree = model_tree("cyc/a", catalog)
    assert [n.id for n in tree] == ["cyc/a", "cyc/b", "cyc/a"]
    assert tree[-1].note is not None
    assert tree[-1].note.startswith("cycle")
    assert chain_labels(tree) == ["cyc/b (mit)"]
    assert license_conflict(tree) is None


def test_max_depth(catalog: Catalog) -> None:
    tree = model_tree("org/quant", catalog, max_depth=1)
    assert [n.id for n in tree] == ["org/quant", "org/ft"]
    assert tree[1].note is not None and "deeper" in tree[1].note
    with pytest.raises(ValueError, match="max_depth"):
        model_tree("org/quant", catalog, max_depth=-1)


def test_a_local_card_is_walked_in_the_catalog(catalog: Catalog) -> None:
    tree = model_tree(
        "./folder",
        catalog,
        license="mit",
        base_models=[LLAMA],
        tags=[f"base_model:adapter:{LLAMA}"],
    )
    assert tree[0].source == "the model card"
    assert (tree[1].id, tree[1].relation) == (LLAMA, "adapter")
    assert license_conflict(tree) is not None


def test_conflict_permissive_finetune_of_llama2(catalog: Catalog) -> None:
    text = license_conflict(model_tree("org/ft", catalog))
    assert text is not None
    assert "org/ft" in text and "apache-2.0" in text and LLAMA in text and "llama2" in text
    assert "finetuned from" in text


def test_conflict_through_two_levels(catalog: Catalog) -> None:
    text = license_conflict(model_tree("org/quant", catalog))
    assert text is not None
    assert "mit" in text and "llama2" in text
    assert (
        f"org/quant (mit), quantized from org/ft (apache-2.0), finetuned from {LLAMA} (llama2)"
        in text
    )


def test_conflict_non_commercial_base_of_a_merge(catalog: Catalog) -> None:
    text = license_conflict(model_tree("org/merge", catalog))
    assert text is not None
    assert "cc-by-nc-4.0" in text and "llama2" in text


def test_no_derivatives_base_conflicts_with_any_derivative(catalog: Catalog) -> None:
    text = license_conflict(model_tree("org/nd-ft", catalog))
    assert text is not None and "no derivatives" in text


@pytest.mark.parametrize("model", ["org/adapter", "org/gpl-ft", "org/nolicense-ft", "org/root"])
def test_no_conflict(catalog: Catalog, model: str) -> None:
    assert license_conflict(model_tree(model, catalog)) is None


def test_tree_frame_round_trips_for_conflicts(catalog: Catalog) -> None:
    tree = model_tree("org/merge", catalog)
    frame = tree_frame(tree)
    assert list(frame.columns) == [
        "id",
        "depth",
        "parent",
        "relation",
        "license",
        "license_class",
        "source",
        "note",
    ]
    assert len(frame) == len(tree)
    assert license_conflict(frame) == license_conflict(tree)


def test_bad_input(catalog: Catalog) -> None:
    with pytest.raises(TypeError):
        model_tree("", catalog)
    with pytest.raises(TypeError):
        license_conflict(["org/ft"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="missing columns"):
        license_conflict(tree_frame(model_tree("org/ft", catalog))[["id"]])
    assert license_conflict([TreeNode("x", 0, None, None, "mit", "permissive", "x")]) is None


def test_real_2025_records(raw_2025_records: list[dict[str, Any]]) -> None:
    real = Catalog.from_records(raw_2025_records)
    with_bases = real.df[real.df["base_models"].notna()]["id"].tolist()
    assert len(with_bases) > 500
    depths = [max(n.depth for n in model_tree(i, real)) for i in with_bases]
    assert max(depths) >= 2
    model = "ChengsenWang/ChatTime-1-7B-Base"
    if model not in set(with_bases):
        pytest.skip(f"{model} is not in this recording")
    text = license_conflict(model_tree(model, real))
    assert text is not None and "llama2" in text
