"""LoginWidget (``hw.login()``): log in to the Hub with a token, see who you are, log out.

The token never enters widget state: the page sends it once, in the body of a ``login``
request (a custom message, not a synced trait), the kernel hands it to
:func:`hubwidgets.core.connect.login` (``whoami`` on the Hub, then huggingface_hub's token
store, as ``hf auth login``) and forgets it; the reply carries only the account. What the
page shows comes from synced traits that hold no secret: :attr:`LoginWidget.user` (name, full
name, organizations, the token's name and role) and the status line, so a view drawn from saved
state shows who was logged in, never the token.
"""

from __future__ import annotations

import html
import threading
from typing import Any

import traitlets

from ..core.connect import Account, InvalidTokenError
from ..core.connect import auth as _auth
from ._health import HealthChecked
from ._protocol import request

__all__ = ["LoginWidget", "login"]


class LoginWidget(HealthChecked):
    """A password field that logs this machine in to the Hub, then the account and Log out,
    and a badge of the Hub's health checked on demand (:meth:`check_health`, or the page's
    "Check the Hub" button: :func:`hw.health` against this widget's endpoint).

    >>> w = hw.login()           # doctest: +SKIP
    >>> w.user                   # {"name": "alice", "orgs": ["acme"], ...} once logged in

    Args:
        endpoint: the Hub to log in to (default: ``$HF_ENDPOINT``, else https://huggingface.co).
        check: when a token is already stored, ask the Hub whose it is (in the background).

    Raises:
        TypeError: a misspelled keyword argument.
    """

    WIDGET = "login"

    user = traitlets.Dict().tag(sync=True, kernel=True)
    """The logged-in account (``name``, ``fullname``, ``orgs``, ``token_name``, ``role``,
    ``endpoint``); empty when logged out. Never the token."""

    endpoint = traitlets.Unicode("").tag(sync=True, kernel=True)
    """The Hub logged in to."""

    def __init__(self, endpoint: str | None = None, *, check: bool = True, **kwargs: Any) -> None:
        self._check_arguments(kwargs, [])
        super().__init__(endpoint=_auth._endpoint(endpoint), **kwargs)
        self._lock = threading.Lock()
        self.status = "Not logged in: paste a token from https://huggingface.co/settings/tokens"
        if check:
            self._check_stored()

    # -- Python API ------------------------------------------------------------------------------
    def _health_arguments(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint}

    @property
    def logged_in(self) -> bool:
        """Whether this widget logged in (or found a stored token the Hub accepts)."""
        return bool(self.user)

    def logout(self) -> None:
        """Forget the token (huggingface_hub.logout) and show the password field again."""
        self._logout({})

    # -- requests from the page ------------------------------------------------------------------
    @request("login")
    def _login(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"token": str}`` -> ``{"ok": bool, "user": {...}}`` or ``{"ok": False,
        "error": str}``. Every failure is answered in words without any of the token."""
        token = body.get("token")
        if not isinstance(token, str) or not token.strip():
            return self._refuse("invalid token: it is empty")
        with self._lock:
            try:
                found = _auth.login(token, endpoint=self.endpoint)
            except InvalidTokenError:
                return self._refuse("invalid token: the Hub refused it")
            except ConnectionError as err:
                return self._refuse(f"could not log in: {err}")
            except Exception as err:  # never the client's words: they could quote the token
                return self._refuse(f"could not log in ({type(err).__name__})")
            finally:
                del token
                body.clear()
        self._show(found)
        return {"ok": True, "user": dict(self.user)}

    @request("logout")
    def _logout(self, body: dict[str, Any]) -> dict[str, Any]:
        name = str(self.user.get("token_name") or "") or None
        try:
            _auth.logout(name)
        except OSError as err:  # HF_TOKEN is set in the environment: still logged in by it
            self._fail(str(err).replace("\n", " "))
            return {"ok": False, "error": self.error}
        with self.hold_sync():
            self.user = {}
            self.error = ""
            self.status = "Logged out: the token is no longer stored on this machine"
        self._update_report()
        return {"ok": True}

    # -- the account -----------------------------------------------------------------------------
    def _refuse(self, message: str) -> dict[str, Any]:
        self._fail(message)
        return {"ok": False, "error": message}

    def _show(self, found: Account) -> None:
        with self.hold_sync():
            self.user = found.to_dict()
            self.error = ""
            orgs = f" ({', '.join(found.orgs)})" if found.orgs else ""
            self.status = f"Logged in as {found.name}{orgs} at {found.endpoint}"
        self._update_report()

    def _check_stored(self) -> None:
        from huggingface_hub import get_token  # noqa: PLC0415

        if not get_token():
            return
        self.status = "A token is stored: asking the Hub whose it is..."

        def check() -> None:
            try:
                found = _auth.account(endpoint=self.endpoint)
            except InvalidTokenError:
                self._fail("the stored token is invalid: log in again")
                return
            except Exception as err:
                self._fail(f"a token is stored, but the Hub did not say whose ({err})")
                return
            if found is not None and not self.user:
                self._show(found)

        threading.Thread(target=check, name="hubwidgets-login-check", daemon=True).start()

    # -- display ---------------------------------------------------------------------------------
    def _report_html(self) -> str:
        return f'<p class="hubwidgets-login">{html.escape(self.status)}</p>'


def login(*, endpoint: str | None = None) -> LoginWidget:
    """Log this machine in to the Hub from a notebook: a password field, checked with
    ``whoami`` and stored as ``hf auth login`` stores it; then your account and Log out.

    >>> hw.login()               # doctest: +SKIP
    """
    return LoginWidget(endpoint=endpoint)
