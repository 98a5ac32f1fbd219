"""What the versions, registry and drift tests share: real Hub records to serve, the database
backends to run on, and the worker of the two-process test (importable, for spawn)."""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets.core
from hubwidgets.core.registry import Registry
from hubwidgets.testing.hub_server import HubServer, load_shared_records, shared_data_dir

POSTGRES_ENV = "HUBWIDGETS_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")

_RECORDS: list[dict[str, Any]] | None = None


def _starter_records() -> list[dict[str, Any]]:
    """Without the shared data: three records of the bundled starter (hand-written from public
    model pages), each given what the starter does not carry and these tests need: a sha (of
    its id), a file list, and for the first a config and safetensors dtype counts (Llama 2's
    real architecture and dtype)."""
    path = Path(hubwidgets.core.__file__).with_name("data") / "starter_models.jsonl"
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    licensed = [r for r in records if "id" in r and (r.get("cardData") or {}).get("license")]
    rich = next(r for r in licensed if r.get("safetensors") and r["id"].startswith("meta-llama/"))
    picked = [rich, *[r for r in licensed if r is not rich][:2]]
    for record in picked:
        record["sha"] = hashlib.sha1(record["id"].encode(), usedforsecurity=False).hexdigest()
        record["siblings"] = [
            {"rfilename": name} for name in (".gitattributes", "README.md", "model.safetensors")
        ]
        if record is not rich:
            record.pop("safetensors", None)  # the client needs per-dtype counts the starter lacks
    rich["config"] = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    total = rich["safetensors"]["total"]
    rich["safetensors"] = {"parameters": {"F16": total}, "total": total}  # Llama 2 ships F16
    return picked


def real_records() -> list[dict[str, Any]]:
    """Three real 2025 ``model_info`` records (recorded from the Hub, see shared/data): one
    with a license, safetensors totals and a config, two others with a license and a sha.
    Without the shared data, three bundled starter records completed by the test instead."""
    global _RECORDS  # noqa: PLW0603 - read once per test process
    if _RECORDS is None and shared_data_dir() is None:
        _RECORDS = _starter_records()
    if _RECORDS is None:
        records = load_shared_records("2025")
        rich = [
            r
            for r in records
            if r.get("safetensors")
            and (r.get("cardData") or {}).get("license")
            and (r.get("config") or {}).get("architectures")
            and r.get("sha")
            and r.get("siblings")
        ]
        others = [
            r
            for r in records
            if r.get("sha")
            and (r.get("cardData") or {}).get("license")
            and r.get("siblings")
            and r not in rich[:1]
        ]
        _RECORDS = [rich[0], *others[:2]]
    return copy.deepcopy(_RECORDS)


# fixtures are named with name=, so a test module imports them without shadowing its arguments
@pytest.fixture(name="records")
def records_fixture() -> list[dict[str, Any]]:
    return real_records()


@pytest.fixture(name="hub")
def hub_fixture(records: list[dict[str, Any]]) -> Iterator[HubServer]:
    with HubServer(records) as server:
        yield server


@pytest.fixture(name="reg")
def sqlite_reg_fixture(tmp_path: Path, hub: HubServer) -> Iterator[Registry]:
    """A SQLite registry in the test's folder, asking the test Hub server."""
    registry = Registry(tmp_path / "registry.sqlite", endpoint=hub.endpoint)
    yield registry
    registry.close()


def by_model(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """A registry frame's rows as dicts, by model id."""
    return {str(r["model"]): r for r in frame.to_dict("records")}


@pytest.fixture(name="own_home", autouse=True)
def own_home_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Registries, audit logs and tokens of this machine's user stay out of the tests."""
    monkeypatch.setenv("HUBWIDGETS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HUBWIDGETS_AUDIT", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    monkeypatch.setenv("HF_TOKEN_PATH", str(tmp_path / "no-token"))


def database_url(backend: str, tmp_path: Path) -> str:
    """A fresh, empty registry database on ``backend``: a SQLite file in ``tmp_path``, or the
    test PostgreSQL (tables of an earlier test dropped); skips without PostgreSQL."""
    if backend == "sqlite":
        return str(tmp_path / "registry.sqlite")
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"{POSTGRES_ENV} is not set: the PostgreSQL registry tests are skipped "
            '(`eval "$(.ci/start-postgres)"` starts one on 127.0.0.1, as .ci/run does)'
        )
    import sqlalchemy as sa  # noqa: PLC0415

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS registry_events, alembic_version")
    engine.dispose()
    return url


@pytest.fixture(name="db_url", params=BACKENDS)
def db_url_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(str(request.param), tmp_path)


def register_many(
    url: str, endpoint: str, model: str, worker: int, count: int, barrier: Any, home: str
) -> None:
    """One process of the concurrency test: open the registry, wait for the other process,
    then register ``count`` times under aliases of its own."""
    os.environ["HUBWIDGETS_HOME"] = home
    from hubwidgets.core.registry import Registry  # noqa: PLC0415

    registry = Registry(url, endpoint=endpoint)
    barrier.wait(timeout=60)
    for i in range(count):
        registry.register(model, alias=f"w{worker}-{i}", note=f"worker {worker}")
    registry.close()
