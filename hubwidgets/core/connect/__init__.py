"""Your connection to the Hub: who you are (:mod:`.auth`) and whether its services answer
(:mod:`.health`)."""

from .auth import Account, InvalidTokenError, account, login, logout, whoami
from .health import HEALTH_COLUMNS, STATUSES, health

__all__ = [
    "HEALTH_COLUMNS",
    "STATUSES",
    "Account",
    "InvalidTokenError",
    "account",
    "health",
    "login",
    "logout",
    "whoami",
]
