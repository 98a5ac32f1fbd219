"""Pin, register, drift: model versions and what changed between two (``versions``, ``diff``),
a team registry of pinned revisions on a real database (``Registry``: SQLAlchemy, Alembic
migrations; SQLite by default, PostgreSQL or any SQLAlchemy URL for a team) and the drift of
its pins from upstream (``Registry.drift``)."""

from .audit import AuditError, AuditReport, audit_log, audit_verify, set_audit_path
from .drift import DRIFT_COLUMNS, FLAGS, drift
from .store import (
    ENTRY_COLUMNS,
    HISTORY_COLUMNS,
    STAGES,
    Registry,
    RegistryError,
    RegistryLockedError,
    default_registry_path,
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

__all__ = [
    "DIFF_COLUMNS",
    "DIFF_FACTS",
    "DRIFT_COLUMNS",
    "ENTRY_COLUMNS",
    "FLAGS",
    "HISTORY_COLUMNS",
    "STAGES",
    "VERSION_COLUMNS",
    "AuditError",
    "AuditReport",
    "ModelGatedError",
    "ModelNotFoundError",
    "Registry",
    "RegistryError",
    "RegistryLockedError",
    "UnknownRevisionError",
    "audit_log",
    "audit_verify",
    "default_registry_path",
    "diff",
    "drift",
    "set_audit_path",
    "versions",
]
