"""Issue 17's "Fix" list: what a new user met in the catalog, each now said instead of silent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.core.catalog.hub import HubCatalog
from hubwidgets.core.catalog.query import UnknownValueWarning
from hubwidgets.core.catalog.sources import starter_catalog
from hubwidgets.core.choose.licenses import license_class
from hubwidgets.testing.hub_server import HubServer

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
