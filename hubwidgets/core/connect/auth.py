"""Who you are on the Hub: log in with a token, look the account up, log out.

:func:`login` checks a token with the Hub (``HfApi(endpoint).whoami(token)``), then stores it
in huggingface_hub's token store the way ``hf auth login`` does (its own ``_save_token`` and
``_set_active_token``: the token under its name in ``stored_tokens``, and made the active one),
and remembers the user name for the audit trail's actor; each login (refused ones too) and
logout is an audit record (``auth.login`` / ``auth.logout``: the endpoint and the token's
label, its name; never the token). A refused token is
:class:`InvalidTokenError` ("invalid token"), whose words never contain any of the token.

The token is only ever passed on, never kept, logged or returned: :class:`Account` holds the
user's name, organizations and the token's name and role, not the token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Account", "InvalidTokenError", "account", "login", "logout"]

_LOG = logging.getLogger("hubwidgets.auth")


class InvalidTokenError(ValueError):
    """The Hub refused the token (its words never include the token)."""


@dataclass(frozen=True)
class Account:
    """A Hub account as ``whoami`` describes it (no token in it)."""

    name: str
    fullname: str = ""
    orgs: tuple[str, ...] = ()
    token_name: str = ""
    role: str = ""
    endpoint: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The account as JSON-able values (what a widget shows)."""
        return {
            "name": self.name,
            "fullname": self.fullname,
            "orgs": list(self.orgs),
            "token_name": self.token_name,
            "role": self.role,
            "endpoint": self.endpoint,
        }


def _account(info: dict[str, Any], endpoint: str) -> Account:
    access = (info.get("auth") or {}).get("accessToken") or {}
    orgs = tuple(
        str(o.get("name")) for o in info.get("orgs") or [] if isinstance(o, dict) and o.get("name")
    )
    return Account(
        name=str(info.get("name") or ""),
        fullname=str(info.get("fullname") or ""),
        orgs=orgs,
        token_name=str(access.get("displayName") or f"oauth-{info.get('name')}"),
        role=str(access.get("role") or ""),
        endpoint=endpoint,
        extra={k: v for k, v in info.items() if k not in ("auth",)},
    )


def _endpoint(endpoint: str | None) -> str:
    from huggingface_hub import constants  # noqa: PLC0415

    return (endpoint or constants.ENDPOINT).rstrip("/")


def whoami(token: str, *, endpoint: str | None = None) -> Account:
    """The account ``token`` belongs to, as the Hub at ``endpoint`` says.

    Raises:
        TypeError: ``token`` is not a string.
        InvalidTokenError: empty, an organization token, or refused by the Hub.
        ConnectionError: the Hub did not answer (or answered an error other than 401).
    """
    from huggingface_hub import HfApi  # noqa: PLC0415
    from huggingface_hub.errors import HfHubHTTPError  # noqa: PLC0415

    if not isinstance(token, str):
        raise TypeError(f"token must be a string, not {type(token).__name__}")
    token = token.strip()
    if not token:
        raise InvalidTokenError("invalid token: it is empty")
    if token.startswith("api_org"):
        raise InvalidTokenError("invalid token: an organization token; use a personal one")
    where = _endpoint(endpoint)
    try:
        info = HfApi(endpoint=where).whoami(token=token)
    except HfHubHTTPError as err:
        status = err.response.status_code if err.response is not None else None
        if status in (401, 403):
            raise InvalidTokenError("invalid token: the Hub refused it") from None
        raise ConnectionError(f"the Hub at {where} answered HTTP {status}") from None
    except Exception as err:  # offline, refused, timeout: no words of the client (no token)
        raise ConnectionError(f"the Hub at {where} did not answer ({type(err).__name__})") from None
    if not isinstance(info, dict) or not info.get("name"):
        raise ConnectionError(f"the Hub at {where} did not say who the token belongs to")
    return _account(info, where)


def login(token: str, *, endpoint: str | None = None) -> Account:
    """Check ``token`` with the Hub, store it as ``hf auth login`` does, and return the account.

    The token is saved in huggingface_hub's token store under its name and made the active
    token (not added to git credentials); the user name is remembered for the audit trail's
    actor (``hubwidgets.core.registry.audit.remember_hub_user``).

    Raises:
        TypeError, InvalidTokenError, ConnectionError: see :func:`whoami`; nothing is stored.
    """
    from huggingface_hub._login import _set_active_token  # noqa: PLC0415
    from huggingface_hub.utils._auth import _save_token  # noqa: PLC0415

    try:
        found = whoami(token, endpoint=endpoint)
    except (InvalidTokenError, ConnectionError) as err:  # refused logins are audited too
        _audit("auth.login", {"endpoint": _endpoint(endpoint)}, str(err))
        raise
    token = token.strip()
    # what huggingface_hub's login(token) does after its own whoami (which asks the default
    # Hub, not ``endpoint``): the token under its name, then made the active one
    _save_token(token=token, token_name=found.token_name)
    _set_active_token(token_name=found.token_name, add_to_git_credential=False)
    try:
        from ..registry.audit import remember_hub_user  # noqa: PLC0415

        remember_hub_user(found.name, token)
    except Exception as err:  # the login stands; the audit actor falls back to the OS user
        _LOG.warning("could not remember the Hub user for the audit trail: %s", type(err).__name__)
    _audit("auth.login", {"endpoint": found.endpoint, "label": found.token_name}, "ok")
    return found


def _audit(action: str, params: dict[str, Any], outcome: str) -> None:
    """One audit record (who logged in or out where, never the token); never raises."""
    from ..registry.audit import safe_append  # noqa: PLC0415

    safe_append(action, params=params, outcome=outcome)


def account(*, endpoint: str | None = None) -> Account | None:
    """The account of the stored token (``hf auth login`` / :func:`login`), or None when no
    token is stored. Raises like :func:`whoami` when the Hub refuses it or does not answer."""
    from huggingface_hub import get_token  # noqa: PLC0415

    token = get_token()
    return whoami(token, endpoint=endpoint) if token else None


def logout(token_name: str | None = None) -> None:
    """Forget the stored token ``token_name`` (default: every stored token), as
    ``hf auth logout`` does (``huggingface_hub.logout``)."""
    import huggingface_hub  # noqa: PLC0415
    from huggingface_hub.utils._auth import get_stored_tokens  # noqa: PLC0415

    if token_name is not None and token_name not in get_stored_tokens():
        return  # already gone (logged out elsewhere)
    huggingface_hub.logout(token_name)
    _audit("auth.logout", {"label": token_name or "all"}, "ok")
