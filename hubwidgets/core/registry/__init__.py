"""Pin, register, drift: model versions and what changed between two (``versions``, ``diff``),
a team registry of pinned revisions on a real database (``Registry``: SQLAlchemy, Alembic
migrations; SQLite by default, PostgreSQL or any SQLAlchemy URL for a team) and the drift of
its pins from upstream (``Registry.drift``)."""

from importlib import import_module
from typing import Any

from .audit import AuditError, AuditReport, audit_log, audit_verify, set_audit_path
from .drift import DRIFT_COLUMNS, FLAGS, drift
from .overview import (
    DRIFT_ADDED,
    OVERVIEW_TEXT_COLUMNS,
    TIMELINE_COLUMNS,
    drift_answered,
    drift_note,
    drift_summary,
    entries_with_drift,
    find_pin,
    overview_html,
    overview_summary,
    overview_text,
    pin_key,
    pin_label,
    pin_rows,
    register_summary,
    timeline_text,
)
from .versions import (
    DIFF_COLUMNS,
    DIFF_FACTS,
    VERSION_COLUMNS,
    ModelGatedError,
    ModelNotFoundError,
    UnknownRevisionError,
    diff,
    versions,
)

# The store is loaded on first use: it needs SQLAlchemy and Alembic (about 0.5 s to import),
# which an inference run that only appends to the audit trail must not pay for.
_LAZY: dict[str, str] = dict.fromkeys(
    (
        "ENTRY_COLUMNS",
        "HISTORY_COLUMNS",
        "OUTCOME_COLUMNS",
        "STAGES",
        "Registry",
        "RegistryError",
        "RegistryLockedError",
        "as_registry",
        "default_registry_path",
    ),
    "store",
)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "DIFF_COLUMNS",
    "DIFF_FACTS",
    "DRIFT_ADDED",
    "DRIFT_COLUMNS",
    "ENTRY_COLUMNS",
    "FLAGS",
    "HISTORY_COLUMNS",
    "OUTCOME_COLUMNS",
    "OVERVIEW_TEXT_COLUMNS",
    "STAGES",
    "TIMELINE_COLUMNS",
    "VERSION_COLUMNS",
    "AuditError",
    "AuditReport",
    "ModelGatedError",
    "ModelNotFoundError",
    "Registry",
    "RegistryError",
    "RegistryLockedError",
    "UnknownRevisionError",
    "as_registry",
    "audit_log",
    "audit_verify",
    "default_registry_path",
    "diff",
    "drift",
    "drift_answered",
    "drift_note",
    "drift_summary",
    "entries_with_drift",
    "find_pin",
    "overview_html",
    "overview_summary",
    "overview_text",
    "pin_key",
    "pin_label",
    "pin_rows",
    "register_summary",
    "set_audit_path",
    "timeline_text",
    "versions",
]
