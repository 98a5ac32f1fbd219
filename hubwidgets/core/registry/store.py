"""``Registry``: a team's registry of pinned model revisions, on a real database.

>>> reg = hw.Registry()                                   # a SQLite file in the user data dir
>>> reg = hw.Registry("postgresql+psycopg://host/db")     # any SQLAlchemy URL, for a team
>>> reg.register("openai-community/gpt2", alias="production", stage="production")
>>> reg.get("production")                                 # the entry, with its pinned sha
>>> reg.df, reg.history("openai-community/gpt2"), reg.drift()

The database holds one append-only table of events (``registry_events``): every change is a new
row and nothing is updated or deleted, so the history is complete by construction. The current
state is read from it: an entry ``(model, revision)`` is its newest state row (register, stage,
deprecate), an alias points where its newest alias row says. Appending rows never conflicts, so
two processes registering at once both keep their records; SQLite waits for a busy database
(WAL journal, busy timeout) and retries before it gives up with an error naming the file.

The schema is migrated with Alembic (scripts shipped in ``migrations/``) each time a registry is
opened, so a newer hubwidgets opens an older registry; a registry written by a newer hubwidgets
is refused, never downgraded. A file that is not a registry database is an error naming the
file: it is never reset or overwritten.
"""

from __future__ import annotations

import getpass
import os
import re
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from ..catalog.vocab import close_matches
from ..governance.policy import Policy, as_policy
from . import audit
from .versions import Hub, check_model, check_revision, revision_facts

__all__ = [
    "ENTRY_COLUMNS",
    "HISTORY_COLUMNS",
    "OUTCOME_COLUMNS",
    "STAGES",
    "Registry",
    "RegistryError",
    "RegistryLockedError",
    "as_registry",
    "default_registry_path",
]

#: One row per model of :meth:`Registry.register_many`: what was asked, the sha pinned (""
#: when it failed), ``outcome`` ("ok" or "error") and the error in words.
OUTCOME_COLUMNS: tuple[str, ...] = ("model", "requested_revision", "revision", "outcome", "error")

#: The stages an entry can be in, in promotion order; ``deprecated`` is set by ``deprecate``.
STAGES: tuple[str, ...] = ("candidate", "staging", "production", "archived", "deprecated")

#: The columns of ``Registry.df``: one row per registered (model, revision).
ENTRY_COLUMNS: tuple[str, ...] = (
    "model",
    "revision",
    "aliases",
    "stage",
    "license",
    "license_class",
    "verdict",
    "note",
    "registered_by",
    "registered_at",
    "updated_at",
    "requested_revision",
    "endpoint",
)

#: The columns of ``Registry.history()``: one row per event, oldest first.
HISTORY_COLUMNS: tuple[str, ...] = (
    "id",
    "at",
    "action",
    "model",
    "revision",
    "alias",
    "stage",
    "license",
    "license_class",
    "verdict",
    "note",
    "actor",
    "actor_source",
    "requested_revision",
    "endpoint",
)

#: Actions that write an entry's state (the others only move aliases).
_STATE_ACTIONS = ("register", "set_stage", "deprecate")
_ALIAS_ACTIONS = ("register", "set_alias", "unset_alias")
_ALIAS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,127}$")
_SHA_RE = re.compile(r"^[0-9a-f]{40}$")
_MIGRATIONS = Path(__file__).with_name("migrations")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_TRIES = 3
#: Revisions whose hw.check facts a registry keeps (see Registry._facts_of).
_FACTS_KEPT = 256
#: The PostgreSQL advisory lock key migrations hold (any constant shared by all openers).
_PG_MIGRATION_LOCK = 0x68775F726567  # "hw_reg"

_metadata = sa.MetaData()
#: The events table as the code sees it (the schema itself is made by the migrations).
EVENTS = sa.Table(
    "registry_events",
    _metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("model", sa.String(256), nullable=False),
    sa.Column("revision", sa.String(64), nullable=False),
    sa.Column("requested_revision", sa.String(256)),
    sa.Column("alias", sa.String(128)),
    sa.Column("stage", sa.String(32)),
    sa.Column("license", sa.String(128)),
    sa.Column("license_class", sa.String(64)),
    sa.Column("verdict", sa.String(16)),
    sa.Column("note", sa.Text()),
    sa.Column("actor", sa.String(256), nullable=False),
    sa.Column("actor_source", sa.String(64)),
    sa.Column("endpoint", sa.String(512)),
)


class RegistryError(RuntimeError):
    """The registry database cannot be used: unreadable, not a registry, or too new."""


class RegistryLockedError(RegistryError):
    """Another process held the database locked for longer than the registry waits."""


def _audit(action: str, model: str, revision: str | None, **params: Any) -> None:
    """Tell the audit trail what the registry did; ``params["outcome"]`` is "ok" or the error
    in words. Never fails the registry's change, which is already stored: a log that cannot be
    written is a warning (hubwidgets.audit), as for every other hook."""
    outcome = params.pop("outcome", "ok")
    audit.safe_append(action, model=model, revision=revision, params=params, outcome=outcome)


def _remember_hub_user(name: str, token: str) -> None:
    """Let the audit trail name the same Hub user offline: it never asks the Hub itself, so
    it learns the name from whoever did."""
    audit.remember_hub_user(name, token)


def default_registry_path() -> Path:
    """``$HUBWIDGETS_HOME/registry.sqlite``, else ``registry.sqlite`` in the user data dir."""
    home = os.environ.get("HUBWIDGETS_HOME")
    if home:
        return Path(home).expanduser() / "registry.sqlite"
    import platformdirs  # noqa: PLC0415 (only the default location needs it)

    return Path(platformdirs.user_data_dir("hubwidgets", appauthor=False)) / "registry.sqlite"


def _url_of(url: str | os.PathLike[str] | None) -> tuple[sa.URL, Path | None]:
    """(the SQLAlchemy URL, the SQLite file or None) of ``url``: a URL, a file path or None."""
    if url is None:
        path = default_registry_path()
    elif isinstance(url, os.PathLike) or (isinstance(url, str) and "://" not in url):
        path = Path(url).expanduser()
    elif isinstance(url, str):
        try:
            parsed = sa.make_url(url)
        except sa.exc.ArgumentError as err:
            raise ValueError(
                f"not a database URL: {url!r} (e.g. sqlite:///registry.sqlite or "
                "postgresql+psycopg://user@host/db; a plain path means a SQLite file)"
            ) from err
        database = parsed.database
        if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
            return parsed, Path(database).expanduser()
        return parsed, None
    else:
        raise TypeError(f"url must be a database URL or a file path (a str), not {url!r}")
    return sa.URL.create("sqlite", database=str(path)), path


def _check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not a SQLite database before SQLite touches it."""
    if path.is_dir():
        raise RegistryError(f"the registry path {path} is a folder, not a SQLite file")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as err:
        raise RegistryError(f"cannot read the registry database {path}: {err}") from err
    if head and head != _SQLITE_MAGIC:
        raise RegistryError(
            f"{path} is not a SQLite database (corrupted, or another kind of file); it was "
            "left untouched: restore it from a backup, or open a registry at another path"
        )


def _sqlite_engine(url: sa.URL, timeout: float) -> Engine:
    # the busy timeout is one try's wait; the registry tries _TRIES times
    engine = sa.create_engine(url, connect_args={"timeout": max(timeout / _TRIES, 0.05)})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy issues BEGIN itself (below), so that DDL is transactional too
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # writers take the lock at BEGIN: a transaction never has to upgrade a read lock,
        # which SQLite answers with an immediate "locked" instead of waiting
        mode = conn.get_execution_options().get("hw_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def upgrade(engine: Engine, where: str) -> str:
    """Migrate the registry schema of ``engine`` to the newest revision; returns it."""
    from alembic import command  # noqa: PLC0415 (alembic only when a registry opens)
    from alembic.config import Config  # noqa: PLC0415
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415
    from alembic.script import ScriptDirectory  # noqa: PLC0415
    from alembic.util.exc import CommandError  # noqa: PLC0415

    script = ScriptDirectory(str(_MIGRATIONS))
    head = str(script.get_current_head())
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return head
    if current is not None:
        try:
            script.get_revision(current)
        except CommandError:
            raise RegistryError(
                f"the registry {where} was written by a newer hubwidgets (schema revision "
                f"{current}; this version knows up to {head}): upgrade hubwidgets to open it"
            ) from None
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    # one migration at a time: SQLite's BEGIN IMMEDIATE, PostgreSQL's transaction-scoped
    # advisory lock; alembic reads the revision again inside, so a second opener finds head
    with engine.execution_options(hw_begin="IMMEDIATE").begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return head


class Registry:
    """A registry of pinned model revisions, with aliases and stages, kept in a database.

    Args:
        url: a SQLAlchemy database URL (``sqlite:///path``, ``postgresql+psycopg://...``) or
            a file path (a SQLite file); ``None``: :func:`default_registry_path`.
        endpoint: the Hub to resolve revisions on (default the Hub, or ``HF_ENDPOINT``).
        token: a Hub token (default the one logged in, if any).
        policy: the policy of the verdict recorded at registration (default policy if None).
        timeout: seconds to wait for a database locked by another process before the error.
    """

    def __init__(
        self,
        url: str | os.PathLike[str] | None = None,
        *,
        endpoint: str | None = None,
        token: str | None = None,
        policy: Policy | Mapping[str, Any] | str | None = None,
        timeout: float = 30.0,
    ) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise TypeError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.url, self.path = _url_of(url)
        self.timeout = float(timeout)
        self.policy = as_policy(policy)
        self._hub = Hub(endpoint, token)
        self._token = token
        self._actor: tuple[str, str] | None = None
        # hw.check's facts per revision record (see _facts_of): a sha's files, card and config
        # never change, so registering it again (or promoting a re-register) reuses them
        self._facts: OrderedDict[tuple[Any, ...], dict[str, tuple[Any, str]]] = OrderedDict()
        if self.path is not None:
            _check_sqlite_file(self.path)
            self._engine = _sqlite_engine(self.url, self.timeout)
        else:
            try:
                self._engine = sa.create_engine(self.url, pool_pre_ping=True)
            except (ImportError, sa.exc.ArgumentError) as err:
                raise ValueError(f"cannot use the database URL {self._where}: {err}") from err
        self.schema_revision = self._retry(lambda: upgrade(self._engine, self._where))

    # -- plumbing ----------------------------------------------------------------------------
    @property
    def _where(self) -> str:
        return str(self.path) if self.path is not None else self.url.render_as_string()

    @property
    def where(self) -> str:
        """Where the registry is kept, in words: the SQLite file, or the database URL (its
        password hidden)."""
        return self._where

    def __repr__(self) -> str:
        return f"Registry({self._where!r})"

    def close(self) -> None:
        """Close the database connections (the registry can be opened again)."""
        self._engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _retry(self, fn: Any) -> Any:
        """Run ``fn``; a locked SQLite database is tried again, then a clear error; a file that
        is not a database is an error naming it (never reset)."""
        for attempt in range(1, _TRIES + 1):
            try:
                return fn()
            except sa.exc.OperationalError as err:
                text = str(err.orig)
                if "locked" in text or "busy" in text:
                    if attempt < _TRIES:
                        time.sleep(0.05 * attempt)
                        continue
                    raise RegistryLockedError(
                        f"the registry database {self._where} is locked by another process: "
                        f"gave up after {self.timeout:g} s ({_TRIES} tries). Let the other "
                        "writer finish, or open the registry with a larger timeout="
                    ) from err
                raise RegistryError(f"the registry database {self._where}: {text}") from err
            except sa.exc.DatabaseError as err:
                raise RegistryError(
                    f"the registry database {self._where} is unreadable ({err.orig}); it was "
                    "left untouched: restore it from a backup, or open a registry elsewhere"
                ) from err
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._engine.execution_options(hw_begin="IMMEDIATE").begin() as conn:
            yield conn

    def _append(self, rows: list[dict[str, Any]]) -> None:
        full = self._stamped(rows)

        def write() -> None:
            with self._writing() as conn:
                conn.execute(EVENTS.insert(), full)

        self._retry(write)

    def _append_then_entry(self, rows: list[dict[str, Any]], model: str, sha: str) -> pd.Series:
        """Append ``rows``, then read the entry of ``model`` at ``sha`` in the same transaction:
        one connection and one commit for a change and its answer (a register on SQLite with
        10,000 entries: one round of BEGIN/COMMIT fewer)."""
        full = self._stamped(rows)

        def write() -> tuple[list[Any], list[Any], list[Any]]:
            with self._writing() as conn:
                conn.execute(EVENTS.insert(), full)
                return self._entry_rows_on(conn, model, sha)

        return self._entry_of(model, sha, *self._retry(write))

    def _stamped(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        at = datetime.now(timezone.utc)
        actor, actor_source = self.actor
        return [{"at": at, "actor": actor, "actor_source": actor_source, **row} for row in rows]

    def _read(self, query: Any) -> list[dict[str, Any]]:
        def read() -> list[dict[str, Any]]:
            with self._engine.connect() as conn:
                return [dict(r._mapping) for r in conn.execute(query)]

        rows: list[dict[str, Any]] = self._retry(read)
        return rows

    @property
    def actor(self) -> tuple[str, str]:
        """(who, where the name comes from): the Hub user when a token is there, else the OS
        user."""
        if self._actor is None:
            self._actor = self._find_actor()
        return self._actor

    def _find_actor(self) -> tuple[str, str]:
        from huggingface_hub import get_token  # noqa: PLC0415

        token = self._token or get_token()
        if token:
            try:
                name = self._hub.api.whoami(token=token).get("name")
            except Exception:  # any failure means "not known on the Hub"
                name = None
            if isinstance(name, str) and name:
                _remember_hub_user(name, token)
                return name, "the Hub account of the token"
        try:
            return getpass.getuser(), "the OS user"
        except (OSError, KeyError):
            return "unknown", "unknown: no Hub login and no OS user name"

    # -- state -------------------------------------------------------------------------------
    def _entry_rows(self, model: str | None = None) -> list[dict[str, Any]]:
        latest = sa.select(sa.func.max(EVENTS.c.id)).where(EVENTS.c.action.in_(_STATE_ACTIONS))
        if model is not None:
            latest = latest.where(EVENTS.c.model == model)
        latest = latest.group_by(EVENTS.c.model, EVENTS.c.revision)
        return self._read(sa.select(EVENTS).where(EVENTS.c.id.in_(latest)))

    def _alias_targets(self) -> dict[str, tuple[str, str]]:
        latest = (
            sa.select(sa.func.max(EVENTS.c.id))
            .where(EVENTS.c.alias.is_not(None), EVENTS.c.action.in_(_ALIAS_ACTIONS))
            .group_by(EVENTS.c.alias)
        )
        rows = self._read(
            sa.select(EVENTS.c.alias, EVENTS.c.action, EVENTS.c.model, EVENTS.c.revision).where(
                EVENTS.c.id.in_(latest)
            )
        )
        return {
            r["alias"]: (r["model"], r["revision"]) for r in rows if r["action"] != "unset_alias"
        }

    def _firsts(self) -> dict[tuple[str, str], dict[str, Any]]:
        first = (
            sa.select(sa.func.min(EVENTS.c.id))
            .where(EVENTS.c.action == "register")
            .group_by(EVENTS.c.model, EVENTS.c.revision)
        )
        rows = self._read(
            sa.select(EVENTS.c.model, EVENTS.c.revision, EVENTS.c.at, EVENTS.c.actor).where(
                EVENTS.c.id.in_(first)
            )
        )
        return {(r["model"], r["revision"]): r for r in rows}

    @property
    def df(self) -> pd.DataFrame:
        """The registered entries now: one row per (model, revision), columns
        :data:`ENTRY_COLUMNS` (``aliases`` a list; times in UTC)."""
        entries = self._entry_rows()
        aliases: dict[tuple[str, str], list[str]] = {}
        for alias, target in sorted(self._alias_targets().items()):
            aliases.setdefault(target, []).append(alias)
        firsts = self._firsts()
        rows = []
        for e in entries:
            key = (e["model"], e["revision"])
            first = firsts.get(key, {})
            rows.append(
                {
                    **{c: e.get(c) for c in ENTRY_COLUMNS},
                    "aliases": aliases.get(key, []),
                    "registered_by": first.get("actor"),
                    "registered_at": first.get("at"),
                    "updated_at": e["at"],
                }
            )
        frame = _typed(pd.DataFrame(rows, columns=list(ENTRY_COLUMNS)))
        return frame.sort_values(["model", "registered_at"], ignore_index=True)

    def __len__(self) -> int:
        return len(self._entry_rows())

    def models(self) -> list[str]:
        """The ids of the registered models, sorted."""
        rows = self._read(sa.select(EVENTS.c.model).distinct())
        return sorted(r["model"] for r in rows)

    def aliases(self) -> dict[str, tuple[str, str]]:
        """``{alias: (model, revision)}`` now."""
        return dict(sorted(self._alias_targets().items()))

    def history(self, model: str | None = None) -> pd.DataFrame:
        """Every event (of ``model``, or all), oldest first, columns :data:`HISTORY_COLUMNS`.

        Raises ``ValueError`` for a model that was never registered (with close matches).
        """
        query = sa.select(EVENTS).order_by(EVENTS.c.id)
        if model is not None:
            model = check_model(model)
            query = query.where(EVENTS.c.model == model)
        rows = self._read(query)
        if model is not None and not rows:
            raise ValueError(self._unknown_model(model))
        return _typed(pd.DataFrame(rows, columns=list(HISTORY_COLUMNS)))

    def _unknown_model(self, model: str) -> str:
        known = self.models()
        near = close_matches(model, known)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        listed = ", ".join(known[:20]) + (" ..." if len(known) > 20 else "")
        return f"{model!r} is not registered in {self._where}{hint}; registered: {listed or 'none'}"

    def get(self, alias: str) -> pd.Series:
        """The entry ``alias`` points at (a Series with :data:`ENTRY_COLUMNS`).

        Raises ``ValueError`` listing the aliases when ``alias`` is not one.
        """
        if not isinstance(alias, str):
            raise TypeError(f"alias must be a str such as 'production', not {alias!r}")
        latest = (
            sa.select(EVENTS.c.action, EVENTS.c.model, EVENTS.c.revision)
            .where(EVENTS.c.alias == alias, EVENTS.c.action.in_(_ALIAS_ACTIONS))
            .order_by(EVENTS.c.id.desc())
            .limit(1)
        )
        found = self._read(latest)
        if not found or found[0]["action"] == "unset_alias":
            known = sorted(self._alias_targets())
            near = close_matches(alias, known)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise ValueError(
                f"no alias {alias!r} in {self._where}{hint}; the aliases are: "
                f"{', '.join(known) or 'none (register with alias=...)'}"
            )
        return self.entry(found[0]["model"], found[0]["revision"])

    def entry(self, model: str, revision: str) -> pd.Series:
        """The entry of ``model`` pinned at ``revision`` (a full sha)."""

        def read() -> tuple[list[Any], list[Any], list[Any]]:
            with self._engine.connect() as conn:  # one connection, one snapshot
                return self._entry_rows_on(conn, model, revision)

        return self._entry_of(model, revision, *self._retry(read))

    @staticmethod
    def _entry_rows_on(
        conn: Connection, model: str, revision: str
    ) -> tuple[list[Any], list[Any], list[Any]]:
        """The rows an entry is made of: its newest state row, its first register row, and
        where each alias ever set on it points now."""
        here = (EVENTS.c.model == model, EVENTS.c.revision == revision)
        state = (
            sa.select(EVENTS)
            .where(*here, EVENTS.c.action.in_(_STATE_ACTIONS))
            .order_by(EVENTS.c.id.desc())
            .limit(1)
        )
        first = (
            sa.select(EVENTS.c.at, EVENTS.c.actor)
            .where(*here, EVENTS.c.action == "register")
            .order_by(EVENTS.c.id)
            .limit(1)
        )
        # the aliases ever set on this entry, and where each of them points now (index on alias)
        named = sa.select(EVENTS.c.alias).where(*here, EVENTS.c.alias.is_not(None)).distinct()
        latest = (
            sa.select(sa.func.max(EVENTS.c.id))
            .where(EVENTS.c.alias.in_(named), EVENTS.c.action.in_(_ALIAS_ACTIONS))
            .group_by(EVENTS.c.alias)
        )
        targets = sa.select(
            EVENTS.c.alias, EVENTS.c.action, EVENTS.c.model, EVENTS.c.revision
        ).where(EVENTS.c.id.in_(latest))
        return (
            list(conn.execute(state)),
            list(conn.execute(first)),
            list(conn.execute(targets)),
        )

    def _entry_of(
        self, model: str, revision: str, rows: list[Any], firsts: list[Any], aliases: list[Any]
    ) -> pd.Series:
        if not rows:
            raise ValueError(f"{model!r} at {revision!r} is not registered in {self._where}")
        e = rows[0]._mapping
        values = {c: e.get(c) for c in ENTRY_COLUMNS}
        values["aliases"] = sorted(
            a.alias
            for a in aliases
            if a.action != "unset_alias" and (a.model, a.revision) == (model, revision)
        )
        values["registered_by"] = firsts[0].actor if firsts else None
        values["registered_at"] = _utc(firsts[0].at) if firsts else None
        values["updated_at"] = _utc(e["at"])
        return pd.Series(values, name=f"{model}@{revision[:12]}")

    def _resolve_registered(self, model: str, revision: str | None) -> str:
        """A registered sha of ``model``: the newest registered when ``revision`` is None, else
        the one ``revision`` (a sha or its prefix of 7+ characters) names."""
        entries = sorted(self._entry_rows(model), key=lambda r: r["id"])
        if not entries:
            raise ValueError(self._unknown_model(model))
        if revision is None:
            return str(entries[-1]["revision"])
        shas = [str(e["revision"]) for e in entries]
        hits = [s for s in shas if s == revision or (len(revision) >= 7 and s.startswith(revision))]
        if len(hits) != 1:
            raise ValueError(
                f"{model!r} is not registered at {revision!r} in {self._where}; its registered "
                f"revisions: {', '.join(shas)} (register that revision first)"
            )
        return hits[0]

    # -- changes -----------------------------------------------------------------------------
    def register(
        self,
        model: str,
        revision: str = "main",
        *,
        alias: str | None = None,
        stage: str = "candidate",
        note: str | None = None,
    ) -> pd.Series:
        """Pin ``model`` at ``revision`` (resolved to its commit sha on the Hub), recording the
        license class and verdict :func:`hw.check` gives at that revision; ``alias`` (moved
        here if it pointed elsewhere), ``stage`` (one of :data:`STAGES`) and ``note`` go with
        it. Returns the entry.

        Raises ``ValueError`` (nothing written) for a model or revision the Hub does not have,
        a bad alias or stage.
        """
        model = check_model(model)
        revision = check_revision(model, revision)
        alias = _check_alias(alias)
        stage = _check_stage(stage)
        note = _check_note(note)
        try:
            info = self._hub.info(model, revision)
        except ValueError as err:
            _audit("registry.register", model, revision, outcome="error", error=str(err))
            raise
        sha = getattr(info, "sha", None)
        if not isinstance(sha, str) or not sha:
            raise ValueError(f"the Hub gave no commit sha for {model!r} at {revision!r}")
        facts = self._facts_of(model, sha, info)
        row = {
            "action": "register",
            "model": model,
            "revision": sha,
            "requested_revision": revision,
            "alias": alias,
            "stage": stage,
            "license": facts["license"][0],
            "license_class": facts["license_class"][0],
            "verdict": facts["verdict"][0],
            "note": note,
            "endpoint": self._hub.endpoint,
        }
        entry = self._append_then_entry([row], model, sha)
        _audit(
            "registry.register",
            model,
            sha,
            requested_revision=revision,
            alias=alias,
            stage=stage,
            note=note,
            license_class=row["license_class"],
            verdict=row["verdict"],
        )
        return entry

    def _facts_of(self, model: str, sha: str, info: Any) -> dict[str, tuple[Any, str]]:
        """:func:`revision_facts` of ``model`` at ``sha``, cached. hw.check is most of a
        register's cost (about 10 of 16 ms on 10,000 entries). What it reads at a commit (card,
        files, config) is fixed by the sha; what the Hub may change later at the same sha (its
        scan verdict, gating) is part of the key, as is the policy, so a cached verdict is the
        one hw.check would give now."""
        key = (
            model,
            sha,
            self.policy,
            repr(getattr(info, "security_repo_status", None)),
            repr(getattr(info, "gated", None)),
            repr(getattr(info, "disabled", None)),
        )
        facts = self._facts.get(key)
        if facts is None:
            facts = revision_facts(model, info, self.policy)
            self._facts[key] = facts
            if len(self._facts) > _FACTS_KEPT:
                self._facts.popitem(last=False)
        else:
            self._facts.move_to_end(key)
        return facts

    def register_many(
        self,
        models: list[str],
        revision: str = "main",
        *,
        alias: str | None = None,
        stage: str = "candidate",
        note: str | None = None,
    ) -> pd.DataFrame:
        """:meth:`register` each of ``models`` at ``revision``: a model that fails (unknown
        upstream, no such revision, the Hub unreachable) has its error in its row of the
        returned :data:`OUTCOME_COLUMNS` frame, and the others are registered all the same.

        Raises:
            ValueError: no models, or one ``alias`` for several models (an alias names one).
        """
        if not models:
            raise ValueError("no models to register: pass models=[...]")
        alias = alias or None
        if alias is not None and len(models) > 1:
            raise ValueError(
                f"an alias names one entry: register one model with alias {alias!r}, or "
                f"leave the alias empty for these {len(models)} models"
            )
        rows: list[dict[str, str]] = []
        for model in models:
            row = {"model": model, "requested_revision": revision, "revision": ""}
            try:
                entry = self.register(model, revision, alias=alias, stage=stage, note=note or None)
            except (ValueError, TypeError, RuntimeError) as err:  # HubError is a RuntimeError
                rows.append({**row, "outcome": "error", "error": str(err)})
                continue
            rows.append({**row, "revision": str(entry["revision"]), "outcome": "ok", "error": ""})
        return pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))

    def set_alias(self, alias: str, model: str, revision: str | None = None) -> pd.Series:
        """Point ``alias`` at a registered revision of ``model`` (the newest registered one
        when ``revision`` is None). Returns the entry it now points at."""
        name = _check_alias(alias)
        if name is None:
            raise TypeError("alias must be a name such as 'production', not None")
        model = check_model(model)
        sha = self._resolve_registered(model, revision)
        entry = self._append_then_entry(
            [{"action": "set_alias", "model": model, "revision": sha, "alias": name}], model, sha
        )
        _audit("registry.set_alias", model, sha, alias=name)
        return entry

    def unset_alias(self, alias: str) -> None:
        """Remove ``alias`` (the entry stays registered)."""
        target = self.get(alias)
        self._append(
            [
                {
                    "action": "unset_alias",
                    "model": target["model"],
                    "revision": target["revision"],
                    "alias": alias,
                }
            ]
        )
        _audit("registry.unset_alias", target["model"], target["revision"], alias=alias)

    def set_stage(
        self, model: str, stage: str, revision: str | None = None, *, note: str | None = None
    ) -> pd.Series:
        """Move a registered revision of ``model`` (the newest when None) to ``stage``."""
        model = check_model(model)
        stage = _check_stage(stage)
        sha = self._resolve_registered(model, revision)
        row = self._state_row("set_stage", model, sha, stage, _check_note(note))
        entry = self._append_then_entry([row], model, sha)
        _audit("registry.stage", model, sha, stage=stage, note=note)
        return entry

    def deprecate(
        self, model: str, revision: str | None = None, *, note: str | None = None
    ) -> pd.DataFrame:
        """Mark ``model`` deprecated: the given registered revision, or every one of them when
        ``revision`` is None. Aliases keep pointing where they did (``get`` shows the stage).
        Returns the entries changed."""
        model = check_model(model)
        note = _check_note(note)
        if revision is None:
            shas = [str(e["revision"]) for e in self._entry_rows(model)]
            if not shas:
                raise ValueError(self._unknown_model(model))
        else:
            shas = [self._resolve_registered(model, revision)]
        self._append([self._state_row("deprecate", model, s, "deprecated", note) for s in shas])
        for sha in shas:
            _audit("registry.deprecate", model, sha, note=note)
        frame = self.df
        return frame[(frame["model"] == model) & frame["revision"].isin(shas)].reset_index(
            drop=True
        )

    def _state_row(
        self, action: str, model: str, sha: str, stage: str, note: str | None
    ) -> dict[str, Any]:
        """A state row carrying the entry's facts forward, so the newest row is complete."""
        now = self.entry(model, sha)
        return {
            "action": action,
            "model": model,
            "revision": sha,
            "requested_revision": now["requested_revision"],
            "stage": stage,
            "license": now["license"],
            "license_class": now["license_class"],
            "verdict": now["verdict"],
            "note": note if note is not None else now["note"],
            "endpoint": now["endpoint"],
        }

    def drift(self, *, include_deprecated: bool = False) -> pd.DataFrame:
        """What changed upstream since each pin: see :func:`hubwidgets.core.registry.drift`."""
        from .drift import drift  # noqa: PLC0415 (drift needs the registry, not the reverse)

        return drift(self, include_deprecated=include_deprecated)

    def overview(self, drift: pd.DataFrame | None = None) -> pd.DataFrame:
        """The entries (:attr:`df`) with a drift check (``drift``, what :meth:`drift`
        returned) joined on, and ``drift_note``, what drifted in words ("not checked" for
        every entry when ``drift`` is None): see
        :func:`hubwidgets.core.registry.overview.entries_with_drift`."""
        from .overview import entries_with_drift  # noqa: PLC0415 (overview needs drift's columns)

        return entries_with_drift(self.df, drift)

    @property
    def hub(self) -> Hub:
        """The Hub the registry resolves revisions on."""
        return self._hub


def as_registry(registry: Registry | str | os.PathLike[str] | None) -> Registry:
    """``registry`` itself, or the registry kept at a database URL or SQLite file path
    (None: :func:`default_registry_path`).

    Raises:
        TypeError: ``registry`` is none of these.
        RegistryError: the database cannot be opened (named).
    """
    if isinstance(registry, Registry):
        return registry
    if registry is None or isinstance(registry, (str, os.PathLike)):
        return Registry(registry)
    raise TypeError(
        "registry must be a hw.Registry, a database URL or a SQLite file path (or None for "
        f"the default registry), not {type(registry).__name__}"
    )


_TIME_COLUMNS = ("at", "registered_at", "updated_at")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The same dtypes whatever the rows hold (or whether there are any): times in UTC, ids
    Int64, ``aliases`` lists, text as nullable strings."""
    for column in frame.columns:
        if column in _TIME_COLUMNS:
            frame[column] = pd.to_datetime(frame[column], utc=True)
        elif column == "id":
            frame[column] = frame[column].astype("Int64")
        elif column != "aliases":
            frame[column] = frame[column].astype("string")
    return frame


def _utc(value: Any) -> pd.Timestamp:
    """A stored time as UTC (SQLite gives it back naive, PostgreSQL in the session's zone)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _check_alias(alias: Any) -> str | None:
    if alias is None:
        return None
    if not isinstance(alias, str) or not _ALIAS_RE.match(alias) or _SHA_RE.match(alias):
        raise ValueError(
            f"an alias is a name such as 'production' or 'candidate-2' (a letter, then letters, "
            f"digits, '.', '_' or '-'; not a sha), not {alias!r}"
        )
    return alias


def _check_stage(stage: Any) -> str:
    if stage not in STAGES:
        near = close_matches(str(stage), list(STAGES))
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise ValueError(f"stage must be one of {', '.join(STAGES)}, not {stage!r}{hint}")
    return str(stage)


def _check_note(note: Any) -> str | None:
    if note is not None and not isinstance(note, str):
        raise TypeError(f"note must be a str or None, not {type(note).__name__}")
    return note
