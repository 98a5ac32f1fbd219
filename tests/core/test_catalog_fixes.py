"""Issue 17's "Fix" list: what a new user met in the catalog, each now said instead of silent."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.catalog.hub import HubCatalog
from hubwidgets.core.catalog.normalize import DroppedColumnsWarning
from hubwidgets.core.catalog.query import UnknownValueWarning
from hubwidgets.core.catalog.sources import starter_catalog
from hubwidgets.core.choose.licenses import license_class
from hubwidgets.core.choose.recommend import hardware_presets as hw_presets
from hubwidgets.testing.hub_server import HubServer, shared_data_dir

from .test_hub import RECORDS


@pytest.fixture(scope="module")
def starter() -> Catalog:
    return starter_catalog()


# -- 1. license classes, and values no model has ------------------------------------------------
def test_license_class_selects_every_id_of_that_class(starter: Catalog) -> None:
    found = starter.search(license="permissive", limit=None)
    assert len(found) == starter.count(license="permissive") > 0
    assert {license_class(x) for x in found["license"]} == {"permissive"}
    every = starter.df["license"].astype(object).map(license_class)
    assert len(found) == int((every == "permissive").sum())
    # a class and an id mix (any of), in any case
    both = starter.count(license=["Copyleft", "mit"])
    assert both == int((every == "copyleft").sum() + (starter.df["license"] == "mit").sum())


@pytest.mark.parametrize(
    ("kwargs", "hint"),
    [
        ({"license": "permisive"}, "did you mean 'permissive'"),
        ({"language": "english"}, "did you mean 'en'"),
        ({"library": "transfomers"}, "did you mean 'transformers'"),
        ({"tags": "text-generatoin"}, "did you mean 'text-generation'"),
        ({"license": "MIT"}, "did you mean 'mit'"),
    ],
)
def test_a_value_no_model_has_is_an_error_with_close_matches(
    starter: Catalog, kwargs: dict[str, str], hint: str
) -> None:
    for call in (starter.search, starter.count, starter.facets):
        with pytest.raises(ValueError, match=hint) as err:
            call(**kwargs)
        assert "\n" not in str(err.value)


def test_an_unknown_value_beside_known_ones_keeps_the_known(starter: Catalog) -> None:
    """Any of: the known values still select their models."""
    assert starter.count(language=["en", "xx"]) == starter.count(language="en")


def test_live_hub_warns_in_one_line_and_still_asks(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    with pytest.warns(UnknownValueWarning, match="did you mean 'transformers'") as caught:
        assert hub.count(library="transfomers") == 0
    assert len(caught) == 1 and "\n" not in str(caught[0].message)
    assert server.requests  # asked anyway: the Hub may know it
    # a license class is sent as its ids, one request each, merged; a class of more ids than
    # the live Hub should be asked for is refused with what to do instead
    server.clear_requests()
    assert hub.count(license="non-commercial") == 0
    sent = {q["filter"][0] for q in (r["query"] for r in server.requests)}
    assert "license:cc-by-nc-4.0" in sent and len(sent) > 5
    with pytest.raises(ValueError, match="name the ids you accept"):
        hub.search(license="permissive")


@pytest.fixture
def server() -> Iterator[HubServer]:
    with HubServer(RECORDS) as srv:
        yield srv


# -- 2. models of unknown size under a params range --------------------------------------------
def test_unknown_sizes_left_out_are_counted_and_can_be_kept(starter: Catalog) -> None:
    task = "text-classification"
    every = starter.df[starter.df["task"] == task]
    unknown = int(every["params"].isna().sum())
    small = int((every["params"] <= 1e9).sum())
    assert unknown > 0
    found = starter.search(task=task, max_params="1B", limit=None)
    assert len(found) == small
    assert found.attrs["params_unknown_left_out"] == unknown
    kept = starter.search(task=task, max_params="1B", include_unknown_params=True, limit=None)
    assert (
        len(kept)
        == small + unknown
        == starter.count(task=task, max_params="1B", include_unknown_params=True)
    )
    assert kept.attrs["params_unknown_left_out"] == 0
    assert "params_unknown_left_out" not in starter.search(task=task).attrs


def test_include_unknown_params_is_refused_on_the_live_hub(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    with pytest.raises(ValueError, match="search a snapshot"):
        hub.search(max_params="1B", include_unknown_params=True)
    assert hub.search(max_params="2B").attrs["params_unknown_left_out"] is None  # not known
    with pytest.raises(TypeError, match="include_unknown_params must be True or False"):
        hub.search(max_params="1B", include_unknown_params="yes")


# -- 3. Catalog.from_records on exported tables -----------------------------------------------
def test_from_records_reads_alternative_names_and_missing_dates() -> None:
    df = pd.DataFrame(
        {
            "modelId": ["acme/a", "acme/b"],
            "task_category": ["fill-mask", None],
            "creation_time": pd.to_datetime(["2022-03-01T10:00:00Z", None], utc=True),
            "downloads": [10.0, float("nan")],
            "has_modelcard": [True, False],
        }
    )
    for records in (df, df.to_dict("records")):
        with pytest.warns(DroppedColumnsWarning, match="has_modelcard") as caught:
            catalog = Catalog.from_records(records)
        assert len(caught) == 1
        got = catalog.df.set_index("id")
        assert got.loc["acme/a", "task"] == "fill-mask"
        assert pd.isna(got.loc["acme/b", "task"])
        assert got.loc["acme/a", "created_at"] == pd.Timestamp("2022-03-01T10:00:00Z")
        assert pd.isna(got.loc["acme/b", "created_at"])  # missing, not an error
        assert pd.isna(got.loc["acme/b", "downloads"])
        # the data's date is the records' latest date, not the day they were loaded
        assert catalog.fetched_at == datetime(2022, 3, 1, 10, tzinfo=timezone.utc)
        assert "latest" in catalog.meta["as_of_source"]


def test_from_records_takes_as_of_and_warns_nothing_for_hub_fields() -> None:
    records = [{"id": "acme/a", "modelId": "acme/a", "_id": "x", "siblings": [], "spaces": []}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        catalog = Catalog.from_records(records, as_of="2024-05-01")
    assert catalog.fetched_at == datetime(2024, 5, 1, tzinfo=timezone.utc)
    assert catalog.meta["as_of_source"] == "argument"
    with pytest.raises(ValueError, match="as_of must be"):
        Catalog.from_records(records, as_of="someday")


def test_the_2022_table_loads_with_its_tasks_and_creation_dates() -> None:
    data = shared_data_dir()
    path = None if data is None else data / "hub-models-2022-75k.parquet"
    if path is None or not path.exists():
        pytest.skip("../shared/data/hub-models-2022-75k.parquet not found (recorded Hub data)")
    full = pd.read_parquet(path)
    # the table's kinds of rows, not its 75,000 rows (normalizing them all takes ~15 s): every
    # row without a creation date, every legacy id without an author, the first row of each task
    # category and domain (bert-base-uncased is the very first) and every 20th row (~4,000 rows)
    table = full[
        full["creation_time"].isna()
        | ~full["modelId"].str.contains("/")
        | ~full["task_category"].duplicated()
        | ~full["task_domain"].duplicated()
        | (full.index % 20 == 0)
    ]
    with pytest.warns(DroppedColumnsWarning, match="task_domain"):
        catalog = hw.Catalog.from_records(table)
    assert len(catalog) == table["modelId"].nunique()
    assert catalog.df["task"].notna().sum() == table["task_category"].notna().sum()
    assert catalog.df["created_at"].notna().sum() == table["creation_time"].notna().sum()
    assert catalog.fetched_at.year == 2022  # as of the data, not of today
    assert catalog.count(task="fill-mask") > 0
    row = catalog.model("bert-base-uncased")
    assert row["task"] == "fill-mask" and row["created_at"].year == 2018


# -- 4. offline without HF_HUB_OFFLINE: one line --------------------------------------------------
def test_unreachable_hub_says_one_line_only(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HUBWIDGETS_SNAPSHOT", raising=False)
    for endpoint in ("http://127.0.0.1:9", "https://no-such-host.invalid"):
        catalog = hw.open_catalog(endpoint=endpoint, timeout=2)
        assert catalog.meta["name"] == "starter"
        out, err = capfd.readouterr()
        assert err == ""
        (line,) = out.splitlines()
        assert line.startswith("hubwidgets: using the bundled") and "could not be reached" in line


def test_the_probe_keeps_huggingface_hubs_own_log_line_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """huggingface_hub logs a failed request itself; during the probe only its thread's lines
    are held back (another thread's still show)."""
    from hubwidgets.core.catalog.sources import _quiet_hub_logs  # noqa: PLC0415

    hub_log = logging.getLogger("huggingface_hub.utils._http")
    caplog.set_level(logging.WARNING)
    with _quiet_hub_logs():
        hub_log.warning("'[Errno -2] Name or service not known' thrown while requesting GET x")
        other = threading.Thread(target=hub_log.warning, args=("from another thread",))
        other.start()
        other.join()
    hub_log.warning("after the probe")
    assert [r.getMessage() for r in caplog.records] == ["from another thread", "after the probe"]


# -- 5. recommend: a topic, named machines ----------------------------------------------------
def _topic_catalog() -> Catalog:
    task = "text-classification"
    records = [
        {"id": "a/plain-bert", "pipeline_tag": task, "downloads": 900, "card": "# Plain"},
        {"id": "b/sentiment-bert", "pipeline_tag": task, "downloads": 100},
        {"id": "c/tagged", "pipeline_tag": task, "tags": ["Sentiment-Analysis"], "downloads": 50},
        {
            "id": "d/carded",
            "pipeline_tag": task,
            "downloads": 10,
            "card": "---\nlicense: mit\n---\n# D\nClassifies the sentiment of tweets.",
        },
        {  # the word only in the front matter or far down the card: not in its summary
            "id": "e/deep",
            "pipeline_tag": task,
            "downloads": 5,
            "card": "---\nnote: sentiment\n---\n" + "x " * 600 + "sentiment",
        },
    ]
    return Catalog.from_records(records, as_of="2026-01-01")


def test_recommend_query_matches_id_tags_and_card_summary() -> None:
    rec = hw.recommend(
        "text-classification", query="Sentiment", catalog=_topic_catalog(), hardware=None, k=10
    )
    assert sorted(rec["id"]) == ["b/sentiment-bert", "c/tagged", "d/carded"]
    assert "query='sentiment': left out 2" in rec.attrs["summary"]
    both = hw.recommend(
        "text-classification", query="sentiment tweets", catalog=_topic_catalog(), hardware=None
    )
    assert list(both["id"]) == ["d/carded"]


def test_recommend_query_on_the_live_hub_goes_to_its_search(server: HubServer) -> None:
    hub = HubCatalog(endpoint=server.endpoint)
    rec = hw.recommend("fill-mask", query="tiny", catalog=hub, hardware=None)
    assert list(rec["id"]) == ["acme/bert-tiny"]
    assert any(r["query"].get("search") == ["tiny"] for r in server.requests)


def test_named_hardware_presets() -> None:
    presets = hw_presets().set_index("name")
    assert {"laptop-16gb", "t4", "a10g", "l4", "a100-80gb"} <= set(presets.index)
    assert presets.loc["t4", "memory_bytes"] == 16 * 10**9
    assert presets.loc["a100-80gb", "memory_bytes"] == 80 * 10**9
    assert presets["memory_bytes_source"].str.len().gt(0).all()
    starter = starter_catalog()
    rec = hw.recommend("text-generation", hardware="T4", catalog=starter, k=20)
    limit = 16e9 / (2 * 1.2)
    assert (rec["params"].astype("float64") <= limit).all()
    assert "t4's 16.0 GB" in rec.attrs["summary"]
    same = hw.recommend("text-generation", hardware=16e9, catalog=starter, k=20)
    assert list(rec["id"]) == list(same["id"])
    with pytest.raises(ValueError, match="did you mean 'a10g'"):
        hw.recommend("text-generation", hardware="a10", catalog=starter)
