"""Logging in with a token (hubwidgets.core.connect.auth) against the test Hub server's whoami:
the token is checked with the Hub, stored as ``hf auth login`` stores it (huggingface_hub's
token files, here in a temporary folder), remembered for the audit actor, and never quoted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from huggingface_hub import constants, get_token
from huggingface_hub.utils._auth import get_stored_tokens

from hubwidgets.core.connect import InvalidTokenError, account, login, logout, whoami
from hubwidgets.core.registry import audit
from hubwidgets.testing import HubServer

TOKEN = "hf_authTestTOKENabcdef0123456789"


@pytest.fixture
def token_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """huggingface_hub's token files in a temporary folder (as HF_HOME=tmp would put them)."""
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "stored_tokens"))
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture(scope="module")
def hub() -> Iterator[HubServer]:
    with HubServer([{"id": "acme/model"}]) as server:
        server.add_user(TOKEN, "alice", orgs=["acme", "bigscience"], token_name="laptop")
        yield server


def test_login_stores_the_token_as_hf_auth_login_does(token_store: Path, hub: HubServer) -> None:
    found = login(f"  {TOKEN}\n", endpoint=hub.endpoint)
    assert found.name == "alice"
    assert found.orgs == ("acme", "bigscience")
    assert found.token_name == "laptop"
    assert get_token() == TOKEN  # the active token
    assert get_stored_tokens() == {"laptop": TOKEN}  # under its name
    assert TOKEN not in repr(found) and TOKEN not in str(found.to_dict())
    # the audit trail names the Hub user, with only a digest of the token on disk
    users = audit._users_file().read_text()
    assert "alice" in users and TOKEN not in users
    assert account(endpoint=hub.endpoint) == found
    logout("laptop")
    assert get_token() is None
    assert get_stored_tokens() == {}
    # audited: who logged in where, with which token's name, never the token
    log = audit.audit_path().read_text()
    assert TOKEN not in log
    records = [json.loads(line) for line in log.splitlines()]
    logins = [r for r in records if r["action"] == "auth.login" and r["outcome"] == "ok"]
    assert logins[-1]["actor"] == "alice"
    assert logins[-1]["params"] == {"endpoint": hub.endpoint, "label": "laptop"}
    assert records[-1]["action"] == "auth.logout"


def test_a_refused_token_is_invalid_and_never_quoted(token_store: Path, hub: HubServer) -> None:
    bad = "hf_notARealTokenXYZ987"
    with pytest.raises(InvalidTokenError, match="invalid token") as caught:
        login(bad, endpoint=hub.endpoint)
    text = f"{caught.value} {caught.value!r} {caught.value.__cause__} {caught.value.__context__}"
    assert bad not in text
    assert get_token() is None  # nothing stored
    assert not (token_store / "stored_tokens").exists()
    last = json.loads(audit.audit_path().read_text().splitlines()[-1])
    assert (last["action"], last["outcome"]) == ("auth.login", "invalid token: the Hub refused it")
    assert bad not in audit.audit_path().read_text()


@pytest.mark.parametrize(
    ("token", "error", "words"),
    [
        ("", InvalidTokenError, "empty"),
        ("api_org_abc", InvalidTokenError, "organization token"),
        (42, TypeError, "token must be a string"),
    ],
)
def test_bad_tokens(token_store: Path, token: object, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        whoami(token, endpoint="http://127.0.0.1:9")  # type: ignore[arg-type]


def test_an_unreachable_hub_is_a_connection_error(token_store: Path) -> None:
    with pytest.raises(ConnectionError, match="did not answer") as caught:
        login(TOKEN, endpoint="http://127.0.0.1:9")
    assert TOKEN not in str(caught.value)
    assert get_token() is None


def test_no_stored_token_means_no_account(token_store: Path) -> None:
    assert account(endpoint="http://127.0.0.1:9") is None
