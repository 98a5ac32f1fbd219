"""hw.recommend: hard constraints, weighted scores, reasons, best_for labels and alternatives."""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.catalog.query import Query
from hubwidgets.core.catalog.searchable import Searchable
from hubwidgets.core.catalog.sources import starter_catalog
from hubwidgets.core.choose.licenses import LICENSE_CLASSES, license_class
from hubwidgets.core.choose.recommend import (
    CRITERIA,
    OUTPUT_COLUMNS,
    params_for_memory,
    recommend,
)

# the module, not the function hubwidgets.core re-exports under the same name
rec_module = importlib.import_module("hubwidgets.core.choose.recommend")


@pytest.fixture(scope="module")
def starter() -> Catalog:
    return starter_catalog()


class SearchOnly(Searchable):
    """A catalog seen only through the public search API (how the live Hub is used)."""

    def __init__(self, inner: Catalog) -> None:
        self.inner = inner

    def _known_tasks(self) -> list[str]:
        return self.inner._known_tasks()

    def _search(self, q: Query) -> pd.DataFrame:
        return self.inner._search(q)

    def _count(self, q: Query) -> int:
        return self.inner._count(q)

    def _facets(self, q: Query, top: int | None) -> pd.DataFrame:
        return self.inner._facets(q, top)


# -- output shape --------------------------------------------------------------------------------


def test_columns_ranks_and_order(starter: Catalog) -> None:
    out = recommend("text-generation", hardware=None, k=7, catalog=starter)
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert out["rank"].tolist() == list(range(1, 8))
    scores = out["score"].astype("float64").to_numpy()
    assert not np.isnan(scores).any()
    assert (np.diff(scores) <= 1e-12).all()
    assert (out["task"] == "text-generation").all()
    for col in (*CRITERIA, "score", "coverage"):
        known = out[col].dropna().astype("float64")
        assert ((known >= 0) & (known <= 1)).all(), col
    assert out["reasons"].str.startswith("#").all()


def test_default_catalog_is_the_bundled_starter(starter: Catalog) -> None:
    a = hw.recommend("text-classification", hardware=None)
    b = recommend("text-classification", hardware=None, catalog=starter)
    assert a["id"].tolist() == b["id"].tolist()
    assert "starter" in a.attrs["source"] or "snapshot" in a.attrs["source"]


def test_k_limits_the_rows(starter: Catalog) -> None:
    assert len(recommend("text-generation", hardware=None, k=1, catalog=starter)) == 1


# -- constraints ---------------------------------------------------------------------------------


def test_license_class_is_a_hard_filter(starter: Catalog) -> None:
    out = recommend("text-generation", license="permissive", hardware=None, k=50, catalog=starter)
    assert len(out)
    assert (out["license_class"] == "permissive").all()
    assert out["license"].map(license_class).eq("permissive").all()


def test_license_ids_and_classes_mix_case_insensitively(starter: Catalog) -> None:
    out = recommend(
        "text-generation", license=["LLAMA3.1", "copyleft"], hardware=None, k=50, catalog=starter
    )
    assert len(out)
    assert set(out["license"].str.lower()) <= {"llama3.1"} | {
        v for v in starter.df["license"].dropna().unique() if license_class(v) == "copyleft"
    }


def test_max_params_is_a_hard_filter_and_drops_unknown_sizes(starter: Catalog) -> None:
    out = recommend("text-generation", max_params="1B", hardware=None, k=50, catalog=starter)
    assert len(out)
    assert out["params"].notna().all()
    assert (out["params"] <= 1_000_000_000).all()
    assert [c["constraint"] for c in out.attrs["constraints"]] == ["max_params"]
    no_limit = starter.count(task="text-generation")
    known = starter.count(task="text-generation", min_params=0)
    assert f"{no_limit - known:,} models of unknown size" in out.attrs["summary"]


def test_language_is_a_hard_filter(starter: Catalog) -> None:
    out = recommend("fill-mask", language="fr", hardware=None, k=50, catalog=starter)
    full = starter.search(task="fill-mask", language="fr", limit=None)
    assert set(out["id"]) <= set(full["id"])
    assert len(out) == min(50, len(full))


def test_hardware_bytes_limit_params(starter: Catalog) -> None:
    out = recommend("text-generation", hardware=4e9, k=50, catalog=starter)
    assert (out["params"] <= params_for_memory(4e9)).all()
    assert params_for_memory(16e9) == 6_666_666_666


def test_hardware_local_uses_this_machines_ram(
    starter: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rec_module, "local_memory_bytes", lambda: (8_000_000_000, "test"))
    out = recommend("text-generation", k=50, catalog=starter)
    assert (out["params"] <= params_for_memory(8e9)).all()
    rule = _constraint(out, "hardware")["rule"]
    assert "8.0 GB RAM" in rule
    assert "3.33B params" in rule


def test_left_out_counts_agree_with_catalog_counts(starter: Catalog) -> None:
    out = recommend(
        "text-generation", license="permissive", max_params="8B", hardware=None, catalog=starter
    )
    left = {c["constraint"]: c["left_out"] for c in out.attrs["constraints"]}
    both = starter.count(
        task="text-generation", license=_ids(starter, "permissive"), max_params="8B"
    )
    no_license = starter.count(task="text-generation", max_params="8B")
    no_size = starter.count(task="text-generation", license=_ids(starter, "permissive"))
    assert left["license"] == no_license - both
    assert left["max_params"] == no_size - both
    assert f"license=permissive: left out {left['license']:,}" in out.attrs["summary"]
    assert f"license=permissive left out {left['license']:,}" in out["reasons"].iloc[0]


def _constraint(out: pd.DataFrame, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in out.attrs["constraints"] if c["constraint"] == name)
    return found


def _ids(catalog: Catalog, cls: str) -> list[str]:
    return [v for v in catalog.df["license"].cat.categories if license_class(v) == cls]


def test_examples_name_models_the_constraint_left_out(starter: Catalog) -> None:
    out = recommend("text-generation", license="permissive", hardware=None, catalog=starter)
    examples = _constraint(out, "license")["examples"]
    assert examples
    for model_id in examples:
        assert license_class(starter.model(model_id)["license"]) != "permissive"
        assert model_id in out.attrs["summary"]


def test_the_index_path_and_the_search_path_agree(starter: Catalog) -> None:
    kwargs: dict[str, Any] = {
        "license": ["permissive", "gated-or-custom"],
        "language": "en",
        "max_params": "10B",
        "hardware": 30e9,
        "k": 10,
    }
    fast = recommend("text-generation", catalog=starter, **kwargs)
    slow = recommend("text-generation", catalog=SearchOnly(starter), **kwargs)
    pd.testing.assert_frame_equal(
        fast.drop(columns=["reasons"]), slow.drop(columns=["reasons"]), check_dtype=False
    )
    left = [c["left_out"] for c in fast.attrs["constraints"]]
    assert left == [c["left_out"] for c in slow.attrs["constraints"]]
    assert len(left) == 4


def test_no_candidates_gives_an_empty_frame_that_says_why(starter: Catalog) -> None:
    out = recommend(
        "text-generation", license="non-commercial", max_params="1M", hardware=None, catalog=starter
    )
    assert len(out) == 0
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert "0 meet every constraint" in out.attrs["summary"]


def test_a_license_class_absent_from_the_catalog_matches_nothing(tiny_catalog: Catalog) -> None:
    out = recommend("text-generation", license="copyleft", hardware=None, catalog=tiny_catalog)
    assert len(out) == 0


# -- scores --------------------------------------------------------------------------------------


def test_score_formulas_on_hand_written_records(tiny_catalog: Catalog) -> None:
    out = recommend("text-generation", hardware=None, k=10, catalog=tiny_catalog).set_index("id")
    # downloads: gpt2 9M, two at 5000 (tied), Qwen 250; likes: 2500, 300, 120, 7
    pop = out["popularity"].astype("float64")
    assert pop["gpt2"] == 1.0
    assert pop["beta/Qwen2-0.5B-GGUF"] == 0.0
    assert pop["acme/llama-2-70b"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert pop["acme/Llama-2-7B-Chat"] == pytest.approx((0.5 + 1 / 3) / 2)
    cost = out["cost"].astype("float64")
    lo, hi = math.log10(137_022_720), math.log10(68_976_648_192)
    assert cost["gpt2"] == 1.0
    assert cost["acme/llama-2-70b"] == 0.0
    assert cost["beta/Qwen2-0.5B-GGUF"] == pytest.approx((hi - math.log10(494_032_768)) / (hi - lo))
    # equal default weights over the criteria known for the model
    assert out["score"]["beta/Qwen2-0.5B-GGUF"] == pytest.approx(cost["beta/Qwen2-0.5B-GGUF"] / 2)
    assert out["coverage"].astype("float64").eq(0.5).all()  # speed and quality unknown
    assert out.index[0] == "gpt2"


def test_speed_and_quality_are_missing_not_invented(starter: Catalog) -> None:
    out = recommend("text-generation", hardware=None, catalog=starter)
    assert out["speed"].isna().all()
    assert out["quality"].isna().all()
    assert not out["best_for"].str.contains("speed|quality").any()
    assert out["reasons"].str.contains("no speed data: run hw.benchmark").all()
    assert out["reasons"].str.contains("no quality data").all()
    assert "no speed data" in out.attrs["summary"]
    assert out["alt_faster"].isna().all()


def test_unknown_size_gives_na_cost(tiny_catalog: Catalog) -> None:
    out = recommend("text2text-generation", hardware=None, catalog=tiny_catalog)
    assert out["id"].tolist() == ["t5"]
    assert pd.isna(out["cost"].iloc[0])
    assert "cost (size unknown)" in out["reasons"].iloc[0]


def test_priorities_weigh_the_criteria(starter: Catalog) -> None:
    by_cost = recommend(
        "text-generation", priorities={"cost": 1}, hardware=None, k=10, catalog=starter
    )
    known = by_cost.dropna(subset=["cost"])
    assert (np.diff(known["params"].astype("float64")) >= 0).all()
    assert by_cost["score"].equals(by_cost["score"].where(by_cost["cost"].isna(), by_cost["cost"]))
    as_list = recommend(
        "text-generation", priorities=["popularity"], hardware=None, k=5, catalog=starter
    )
    as_str = recommend(
        "text-generation", priorities="popularity", hardware=None, k=5, catalog=starter
    )
    assert as_list["id"].tolist() == as_str["id"].tolist()
    assert as_list.attrs["weights"] == {"quality": 0, "speed": 0, "cost": 0, "popularity": 1}


def test_priorities_only_on_missing_data_leave_the_score_na(starter: Catalog) -> None:
    out = recommend("text-generation", priorities={"speed": 1}, hardware=None, catalog=starter)
    assert out["score"].isna().all()
    assert out["reasons"].str.contains("no score").all()
    # the labels do not depend on the weights: cost is known, so its best model is labelled
    assert not out["best_for"].str.contains("overall|speed|quality").any()
    assert out["best_for"].str.contains("cost").sum() == 1


# -- benchmark results -----------------------------------------------------------------------------

FAST, MID, SLOW = (
    "openai-community/gpt2",
    "Qwen/Qwen2.5-0.5B-Instruct",
    "mistralai/Mistral-7B-Instruct-v0.2",
)


def _bench() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": [FAST, FAST, MID, SLOW, "not/in-the-catalog"],
            "p50_ms": [10.0, 12.0, 100.0, 1000.0, 5.0],
            "accuracy": [0.30, 0.30, 0.55, 0.70, 0.99],
        }
    )


def test_benchmark_feeds_speed_and_quality(starter: Catalog) -> None:
    out = recommend(
        "text-generation",
        hardware=None,
        k=200,
        priorities={"speed": 1, "quality": 1},
        benchmark=_bench(),
        catalog=starter,
    ).set_index("id")
    assert out.loc[FAST, "latency_ms"] == 11.0  # the median of its runs
    speed = out["speed"].astype("float64")
    assert speed[FAST] == 1.0
    assert speed[SLOW] == 0.0
    assert speed[MID] == pytest.approx((3 - 2) / (3 - math.log10(11)), rel=1e-9)
    quality = out["quality"].astype("float64")
    assert quality[SLOW] == 1.0
    assert quality[FAST] == 0.0
    assert "speed" in out.loc[FAST, "best_for"]
    assert "quality" in out.loc[SLOW, "best_for"]
    assert "not/in-the-catalog" not in out.index
    unmeasured = out[out["latency_ms"].isna()]
    assert unmeasured["reasons"].str.contains("not measured in benchmark= \\(p50_ms\\)").all()


def test_alternatives_of_each_row(starter: Catalog) -> None:
    full = recommend(
        "text-generation",
        hardware=None,
        priorities={"quality": 1},
        benchmark=_bench(),
        catalog=starter,
        k=500,
    )
    table = full.set_index("id")
    top = full.iloc[0]
    assert top["id"] == SLOW
    assert top["alt_faster"] in {FAST, MID}
    assert table.loc[top["alt_faster"], "latency_ms"] < top["latency_ms"]
    assert table.loc[top["alt_smaller"], "params"] < top["params"]
    assert table.loc[top["alt_more_popular"], "downloads"] > top["downloads"]
    for _, row in full.head(20).iterrows():
        for column, kind in (("alt_smaller", "params"), ("alt_more_popular", "downloads")):
            alt = row[column]
            if pd.isna(row[kind]):
                assert pd.isna(alt)
            elif pd.notna(alt):
                # the best-ranked candidate that beats the row: nothing ranked above it does
                better = full[
                    (full[kind] < row[kind]) if kind == "params" else (full[kind] > row[kind])
                ]
                assert better["id"].iloc[0] == alt
    assert pd.isna(table.loc[FAST, "alt_faster"])  # nothing measured is faster


def test_more_permissive_alternative(starter: Catalog) -> None:
    out = recommend("text-generation", license="gated-or-custom", hardware=None, catalog=starter)
    assert out["alt_more_permissive"].isna().all()
    wide = recommend(
        "text-generation", hardware=None, priorities=["popularity"], k=50, catalog=starter
    )
    for _, row in wide.iterrows():
        alt = row["alt_more_permissive"]
        rank = LICENSE_CLASSES.index(row["license_class"])
        if pd.notna(alt):
            assert LICENSE_CLASSES.index(license_class(starter.model(alt)["license"])) < rank
        else:
            assert rank == 0


def test_results_concatenate(starter: Catalog) -> None:
    a = recommend("text-generation", hardware=None, catalog=starter)
    b = recommend("fill-mask", hardware=None, catalog=starter)
    both = pd.concat([a, b], ignore_index=True)
    assert len(both) == len(a) + len(b)
    assert pd.DataFrame(a.attrs["constraints"]).empty
    assert len(pd.concat([a.head(2), a.tail(2)])) == 4


def test_benchmarked_models_outside_the_pool_are_scored(starter: Catalog) -> None:
    out = recommend(
        "text-generation", hardware=None, k=50, pool=1, benchmark=_bench(), catalog=starter
    )
    assert {FAST, MID, SLOW} <= set(out["id"])
    assert "plus benchmarked ones" in out.attrs["summary"]


# -- validation ----------------------------------------------------------------------------------


def test_unknown_task_suggests_close_matches(starter: Catalog) -> None:
    with pytest.raises(ValueError, match="did you mean 'text-generation'"):
        recommend("text-generaton", catalog=starter)
    with pytest.raises(ValueError, match="did you mean 'text-generation'"):
        recommend("text-generaton", catalog=SearchOnly(starter))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"priorities": {"speedd": 1}}, ValueError, "did you mean 'speed'"),
        ({"priorities": ["cheap"]}, ValueError, "unknown priority"),
        ({"priorities": {"cost": -1}}, ValueError, ">= 0"),
        ({"priorities": {"cost": float("nan")}}, ValueError, "finite"),
        ({"priorities": {"cost": 0}}, ValueError, "weight of 0"),
        ({"priorities": {"cost": "high"}}, TypeError, "must be a number"),
        ({"priorities": 3}, TypeError, "priorities must be"),
        ({"k": 0}, ValueError, "k must be >= 1"),
        ({"k": "5"}, TypeError, "k must be an int"),
        ({"k": True}, TypeError, "k must be an int"),
        ({"hardware": "gpu"}, ValueError, "hardware must be 'local'"),
        ({"hardware": -1}, ValueError, "positive number of bytes"),
        ({"hardware": [1]}, TypeError, "hardware must be"),
        ({"license": "permisive"}, ValueError, "did you mean 'permissive'"),
        ({"license": 3}, TypeError, "license must be"),
        ({"language": 3}, TypeError, "language must be"),
        ({"max_params": "huge"}, ValueError, "not a parameter count"),
        ({"catalog": "hub"}, TypeError, "catalog must be"),
        ({"benchmark": {"model": []}}, TypeError, "DataFrame"),
        ({"benchmark": pd.DataFrame({"model": ["x"]})}, ValueError, "latency"),
        ({"benchmark": pd.DataFrame({"model": ["x"], "p50_ms": [0.0]})}, ValueError, "> 0"),
        ({"licence": "mit"}, TypeError, "did you mean 'license'"),
        ({"policy": {"allow_gatd": True}}, ValueError, "unknown policy key"),
        ({"policy": {"allow_license_classes": ["permisive"]}}, ValueError, "permissive"),
        ({"policy": 3}, TypeError, "policy must be"),
        ({"policy": {"require_safetensors": "yes"}}, ValueError, "true or false"),
    ],
)
def test_invalid_arguments(
    starter: Catalog, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    args: dict[str, Any] = {"catalog": starter, **kwargs}
    with pytest.raises(error, match=match):
        recommend("text-generation", **args)


def test_task_must_be_a_string(starter: Catalog) -> None:
    with pytest.raises(TypeError, match="task must be a string"):
        recommend(["text-generation"], catalog=starter)  # type: ignore[arg-type]


def test_local_memory_is_measured() -> None:
    nbytes, how = rec_module.local_memory_bytes()
    assert nbytes is not None
    assert nbytes > 100_000_000
    assert how in {"psutil", "os.sysconf"}


# -- policy= ---------------------------------------------------------------------------------------
PERMISSIVE_ONLY = {"allow_license_classes": ["permissive"], "allow_custom_code": True}


def test_policy_removes_denied_models_and_says_how_many(starter: Catalog) -> None:
    free = recommend("text-generation", hardware=None, k=10, catalog=starter)
    out = recommend("text-generation", hardware=None, k=10, catalog=starter, policy=PERMISSIVE_ONLY)
    assert list(out.columns) == [*OUTPUT_COLUMNS[:-1], "verdict", "reasons"]
    assert len(out) == 10
    assert out["rank"].tolist() == list(range(1, 11))
    assert set(out["verdict"]) <= {"allow", "review"}
    assert (out["license_class"] == "permissive").all()  # every other class is denied
    # the survivors keep their order: the ranking without a policy, denied ones taken out
    order = [i for i in free["id"] if i in set(out["id"])]
    assert order == [i for i in out["id"] if i in set(free["id"])]
    checked = out.attrs["policy_checked"]
    assert checked >= 10
    # each rule's count is the number of checked candidates it denies
    ranked = recommend("text-generation", hardware=None, k=500, catalog=starter)
    top = ranked.head(checked)
    denied = int((top["license_class"].astype(str) != "permissive").sum())
    assert denied > 0
    assert out.attrs["policy_removed"] == {"allow_license_classes": denied}
    summary = out.attrs["summary"]
    assert f"checked the {checked:,} best-ranked of {len(ranked):,} candidates" in summary
    assert f"deny removed {denied:,} (allow_license_classes removed {denied:,})" in summary
    assert f"Scored {len(ranked):,} candidates" in summary  # scored before the policy
    assert out.attrs["candidates"] == len(ranked)
    assert out.attrs["policy"] == hw.Policy(PERMISSIVE_ONLY).to_dict()


def test_the_teams_session_policy_filters_when_none_is_given(starter: Catalog) -> None:
    free = recommend("text-generation", hardware=None, k=10, catalog=starter)
    assert "verdict" not in free.columns  # no policy set: no filter
    assert (free["license_class"].astype(str) != "permissive").any()
    with hw.use_policy(PERMISSIVE_ONLY):
        out = recommend("text-generation", hardware=None, k=10, catalog=starter)
    assert (out["license_class"] == "permissive").all()
    assert out.attrs["policy"] == hw.Policy(PERMISSIVE_ONLY).to_dict()


def test_review_is_kept_with_the_policys_reasons(starter: Catalog) -> None:
    out = recommend("text-classification", hardware=None, k=5, catalog=starter, policy={})
    # the starter catalog has no file lists or scans: nothing can be allowed outright
    assert (out["verdict"] == "review").all()
    assert out["reasons"].str.contains(r"Policy: review \(.*not scanned as safe").all()
    assert "none denied" in out.attrs["summary"]
    assert "kept for review" in out.attrs["summary"]
    assert out.attrs["policy_removed"] == {}


def test_several_rules_are_counted_apart(starter: Catalog) -> None:
    policy = {
        "allow_license_classes": ["permissive"],
        "allow_custom_code": True,
        "deny_licenses": ["mit"],
    }
    out = recommend("text-generation", hardware=None, k=5, catalog=starter, policy=policy)
    removed = out.attrs["policy_removed"]
    assert set(removed) == {"allow_license_classes", "deny_licenses"}
    assert "mit" not in set(out["license"].astype(str))
    for rule, n in removed.items():
        assert f"{rule} removed {n:,}" in out.attrs["summary"]


def test_only_the_best_ranked_are_checked(
    starter: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[list[str]] = []
    real = rec_module.check

    def counting(models: Any, **kwargs: Any) -> pd.DataFrame:
        checked.append(list(models))
        assert kwargs["scan"] == "hub"  # no files read for a recommendation
        return real(models, **kwargs)

    monkeypatch.setattr(rec_module, "check", counting)
    monkeypatch.setattr(rec_module, "POLICY_BATCH", 4)
    monkeypatch.setattr(rec_module, "POLICY_MAX_CHECKS", 12)
    ranked = recommend("text-generation", hardware=None, k=500, catalog=starter)
    # k=1: one batch of max(4, 4 * k) = 4 is enough when one of them passes
    out = recommend("text-generation", hardware=None, k=1, catalog=starter, policy=PERMISSIVE_ONLY)
    assert checked == [ranked["id"].head(4).tolist()]
    assert out.attrs["policy_checked"] == 4
    assert f"{len(ranked) - 4:,} lower-ranked candidates were not checked" in out.attrs["summary"]
    # nothing passes: batches until the cap, then an empty result that says why
    checked.clear()
    strict = {**PERMISSIVE_ONLY, "deny_licenses": ["apache-2.0", "mit"], "allow_licenses": []}
    out = recommend("text-generation", hardware=None, k=3, catalog=starter, policy=strict)
    assert [len(c) for c in checked] == [12]  # max(4, 4 * 3) = 12 = the cap
    assert sum(len(c) for c in checked) == 12
    assert out.attrs["policy_checked"] == 12


def test_everything_denied_gives_an_empty_frame() -> None:
    records = [
        {
            "id": f"org/m{i}",
            "pipeline_tag": "text-generation",
            "downloads": 10 * i,
            "cardData": {"license": "cc-by-nc-4.0"},
        }
        for i in range(1, 4)
    ]
    catalog = Catalog.from_records(records)
    out = recommend("text-generation", hardware=None, catalog=catalog, policy=PERMISSIVE_ONLY)
    assert out.empty
    assert list(out.columns) == [*OUTPUT_COLUMNS[:-1], "verdict", "reasons"]
    assert out.attrs["policy_removed"] == {"allow_license_classes": 3}
    assert "deny removed 3 (allow_license_classes removed 3)" in out.attrs["summary"]


def test_policy_needs_a_catalog_that_looks_models_up(starter: Catalog) -> None:
    with pytest.raises(TypeError, match=r"\.model\(id\)"):
        recommend("text-generation", catalog=SearchOnly(starter), policy={})
    assert len(recommend("text-generation", catalog=SearchOnly(starter)))  # no policy: fine
