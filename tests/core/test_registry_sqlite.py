"""What only a SQLite registry meets: a database locked by another process (wait, retry, then
an error naming the file) and a file that is not a registry (an error naming it, never a
reset)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hubwidgets.core.registry import Registry, RegistryError, RegistryLockedError
from hubwidgets.testing.hub_server import HubServer

from .registry_support import hub_fixture, own_home_fixture, records_fixture  # noqa: F401


def test_a_locked_database_is_retried_then_named_in_the_error(
    tmp_path: Path, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    path = tmp_path / "registry.sqlite"
    model = records[0]["id"]
    reg = Registry(path, endpoint=hub.endpoint, timeout=0.6)
    reg.register(model, alias="production")

    other = sqlite3.connect(path, isolation_level=None)  # another process's writer, say
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(RegistryLockedError, match="is locked by another process") as err:
            reg.register(model, alias="candidate")
        assert str(path) in str(err.value)
        assert "3 tries" in str(err.value)
    finally:
        other.execute("ROLLBACK")
        other.close()

    # nothing half-written, and the registry works again once the lock is gone
    assert reg.history()["alias"].tolist() == ["production"]
    reg.register(model, alias="candidate")
    assert sorted(reg.aliases()) == ["candidate", "production"]
    reg.close()


def test_a_writer_that_finishes_within_the_timeout_is_waited_for(
    tmp_path: Path, hub: HubServer, records: list[dict[str, Any]]
) -> None:
    import threading  # noqa: PLC0415

    path = tmp_path / "registry.sqlite"
    reg = Registry(path, endpoint=hub.endpoint, timeout=30)
    reg.register(records[0]["id"])
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        reg.register(records[1]["id"], alias="candidate")  # waits for the commit, then writes
    finally:
        release.join()
        other.close()
    assert reg.get("candidate")["model"] == records[1]["id"]
    reg.close()


@pytest.mark.parametrize(
    "content",
    [b"this is not a database, just text\n" * 20, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["text", "damaged-sqlite"],
)
def test_a_corrupted_file_is_named_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "registry.sqlite"
    path.write_bytes(content)
    with pytest.raises(RegistryError, match="registry") as err:
        Registry(path)
    assert str(path) in str(err.value)
    assert "untouched" in str(err.value)
    assert path.read_bytes() == content  # never reset
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry.sqlite"]


def test_a_folder_is_not_a_registry_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="is a folder"):
        Registry(tmp_path)


def test_bad_urls_and_arguments_say_what_is_valid(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot use the database URL|not a database URL"):
        Registry("nosuchdriver://x/y")
    with pytest.raises(TypeError, match="url must be"):
        Registry(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timeout must be"):
        Registry(tmp_path / "r.sqlite", timeout=0)
