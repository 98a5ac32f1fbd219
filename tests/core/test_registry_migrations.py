"""The registry's schema is migrated with Alembic when a registry is opened: a database at the
base revision (empty) or at an older revision is brought up to the newest, keeping its rows;
one written by a newer hubwidgets is refused. On SQLite and, where configured, PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

import hubwidgets.core.registry.store as store
from hubwidgets.core.registry import Registry, RegistryError
from hubwidgets.testing.hub_server import HubServer

from .registry_support import (  # noqa: F401
    db_url_fixture,
    hub_fixture,
    own_home_fixture,
    records_fixture,
)

MIGRATIONS = Path(store.__file__).with_name("migrations")


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url if "://" in url else f"sqlite:///{url}")


def _alembic(engine: sa.Engine, target: str) -> None:
    """Migrate as a script of an earlier hubwidgets would have: alembic's own command."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)


def _version(engine: sa.Engine) -> Any:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def test_the_migrations_form_one_line_from_the_first(tmp_path: Path) -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    revisions = list(script.walk_revisions())
    assert len(script.get_heads()) == 1
    assert revisions[-1].revision == "0001"
    assert revisions[-1].down_revision is None


def test_an_empty_database_is_migrated_to_the_newest_schema_on_open(
    db_url: str, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    engine = _engine(db_url)
    assert "alembic_version" not in sa.inspect(engine).get_table_names()  # revision base

    with Registry(db_url, endpoint=hub.endpoint) as reg:
        head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
        assert reg.schema_revision == head
        reg.register(records[0]["id"], alias="production")

    tables = set(sa.inspect(engine).get_table_names())
    assert {"alembic_version", "registry_events"} <= tables
    assert _version(engine) == head
    engine.dispose()


def test_a_registry_written_at_the_first_revision_opens_with_its_rows(
    db_url: str, hub: HubServer
) -> None:
    engine = _engine(db_url)
    _alembic(engine, "0001")  # a registry as the first schema made it
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO registry_events (at, action, model, revision, alias, stage, "
                "license_class, verdict, actor) VALUES (:at, 'register', 'acme/old-model', "
                ":sha, 'production', 'production', 'permissive', 'allow', 'alice')"
            ),
            {"at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), "sha": "a" * 40},
        )

    with Registry(db_url, endpoint=hub.endpoint) as reg:
        entry = reg.get("production")
        assert entry["model"] == "acme/old-model"
        assert entry["revision"] == "a" * 40
        assert entry["registered_by"] == "alice"
        assert entry["registered_at"] == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert _version(engine) == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    engine.dispose()


def test_a_registry_from_a_newer_hubwidgets_is_refused_untouched(db_url: str) -> None:
    engine = _engine(db_url)
    _alembic(engine, "head")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(RegistryError, match=r"newer hubwidgets.*9999_future"):
        Registry(db_url)
    assert _version(engine) == "9999_future"
    engine.dispose()
