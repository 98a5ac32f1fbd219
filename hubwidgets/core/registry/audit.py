"""The audit trail: one JSON line per action that changes state or reaches outside, each line
carrying the hash of the line before it, so an edit, a removal or a reordering shows.

>>> import hubwidgets as hw
>>> hw.audit_log(since="7d", action="inference.*")      # doctest: +SKIP
>>> hw.audit_verify()                                     # doctest: +SKIP
audit trail OK: 1,204 records in 1 file (...), head 3fa4c1d2e5b6

**A record** (one line of UTF-8 JSON) holds ``time`` (UTC, ISO 8601, microseconds), ``actor``
and ``actor_source`` (see below), ``action`` (a dotted name, :data:`KNOWN_ACTIONS`), ``model``
(an id, a list of ids, or null), ``revision`` (null when not known), ``params`` (an object),
``outcome`` (``"ok"``, ``"partial"``, ``"error"``, ``"cancelled"`` or a short text), ``cost``
(USD when a number; null when unknown, never 0 for "unknown"), ``prev`` (the previous record's
hash; 64 zeros for the first record ever) and ``hash``: the SHA-256 of the record's canonical JSON
without ``hash`` (keys sorted, no spaces, UTF-8; ``prev`` included, so each hash covers the whole
chain before it). The line is that canonical JSON with ``"hash"`` added as its last key, so
:func:`audit_verify` checks a line by hashing its bytes, without parsing them.

**Who** (``actor``): the ``actor=`` argument when given (``actor_source`` "given"); else
``$HF_USER`` ("HF_USER"); else, when a Hugging Face token is stored or in ``$HF_TOKEN``, the Hub
user name remembered for that token by :func:`remember_hub_user` ("hub"); else the operating
system user (``getpass.getuser()``, "os"); else "unknown". Recording never calls the network:
``HfApi().whoami()`` is a request, so hubwidgets only remembers a name it has already learned.

**Where**: :func:`set_audit_path` if called, else ``$HUBWIDGETS_AUDIT`` (a file, or a folder to
hold ``audit.jsonl``), else ``$HUBWIDGETS_HOME/audit/audit.jsonl``, else ``audit/audit.jsonl`` in
the user data folder (``platformdirs.user_data_dir("hubwidgets")``, e.g.
``~/.local/share/hubwidgets`` on Linux). :func:`audit_path` says which.

**Rotation**: when a record would make the log bigger than ``max_bytes`` (10 MB by default,
:func:`set_audit_path`), the log is renamed ``audit.1.jsonl`` (then ``audit.2.jsonl``...: the
higher the number, the newer; rotated files are never renamed again nor deleted) and a new
``audit.jsonl`` begins. The chain goes on across files: the first record of the new file carries
the last hash of the old one, and :func:`audit_verify` walks every file in order.

**Concurrency**: an append holds an exclusive lock on ``<log>.lock`` (``fcntl.flock`` on POSIX,
the ``filelock`` package elsewhere) while it reads the last hash and writes its line with one
``write`` in append mode, so records from several threads or processes form one valid chain.
Lines reach the operating system at once (a crash of the process loses nothing); ``fsync=True``
in :func:`set_audit_path` also survives a power cut, at about a millisecond per record.

**Secrets are never written**: values under keys that name a secret (``token``, ``hf_token``,
``api_key``, ``authorization``, ``password``, ``secret``, ``cookie``, ``credentials``...; not
``max_new_tokens``) become ``"***"``, and so does any text that looks like a credential (``hf_``
and ``api_org_`` tokens, ``Bearer ...``, ``sk-...``, GitHub and AWS keys, JWTs, passwords in
URLs, ``token=`` in query strings) or equals the current Hugging Face token or a secret-named
environment variable, wherever it appears (params, outcome, cost).

**What the chain proves**: a record edited, removed, reordered or duplicated in place, a line cut
short or garbage (:func:`audit_verify` names the file and line). Someone able to rewrite the
whole file could recompute every hash after an edit, and records cut from the end leave no gap:
keep ``audit_verify().head`` somewhere else and pass it back as ``anchor=`` to check that it is
still in the log.
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import functools
import getpass
import hashlib
import json
import logging
import math
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._filelock import locked

__all__ = [
    "AUDIT_COLUMNS",
    "AUDIT_ENV",
    "DEFAULT_MAX_BYTES",
    "GENESIS",
    "HOME_ENV",
    "KNOWN_ACTIONS",
    "PROBLEM_KINDS",
    "AuditError",
    "AuditReport",
    "append",
    "audit_log",
    "audit_path",
    "audit_run",
    "audit_verify",
    "remember_hub_user",
    "safe_append",
    "set_audit_path",
]

_LOG = logging.getLogger("hubwidgets.audit")

#: Where the log is, when set: a file path, or a folder that holds ``audit.jsonl``.
AUDIT_ENV = "HUBWIDGETS_AUDIT"
#: hubwidgets' own folder (the audit log is ``audit/audit.jsonl`` in it).
HOME_ENV = "HUBWIDGETS_HOME"
#: The size past which the log is rotated (bytes).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: The ``prev`` of the first record ever.
GENESIS = "0" * 64
#: How long an append waits for another process's append before giving up (seconds).
LOCK_TIMEOUT_S = 10.0
#: Longer texts in params or outcome are cut to this many characters (a log is not a data store).
MAX_TEXT = 2000

#: Actions hubwidgets records, with what each means. Other dotted names are accepted too.
KNOWN_ACTIONS: dict[str, str] = {
    "inference.playground": "a playground run: one input on one or more models",
    "inference.benchmark": "a benchmark run of one or more models on a set of inputs",
    "inference.batch": "a batch inference job",
    "policy.set": "the active governance policy was set or changed",
    "registry.register": "a model revision was registered",
    "registry.set_alias": "an alias was pointed at a registered revision",
    "registry.unset_alias": "an alias was removed",
    "registry.deprecate": "a registered revision was deprecated",
    "registry.stage": "a registered revision changed stage",
    "endpoint.create": "an inference endpoint was created",
    "endpoint.update": "an inference endpoint was changed",
    "endpoint.pause": "an inference endpoint was paused",
    "endpoint.resume": "an inference endpoint was resumed",
    "endpoint.scale_to_zero": "an inference endpoint was scaled to zero replicas",
    "endpoint.delete": "an inference endpoint was deleted",
}

#: The columns of :func:`audit_log`.
AUDIT_COLUMNS: tuple[str, ...] = (
    "time",
    "actor",
    "actor_source",
    "action",
    "model",
    "revision",
    "params",
    "outcome",
    "cost",
    "hash",
    "prev",
    "file",
    "line",
)

#: What :func:`audit_verify` reports, and what each kind means.
PROBLEM_KINDS: dict[str, str] = {
    "edited": "the record's content no longer matches its hash: it was changed after writing",
    "removed": "the record's previous hash is nowhere in the log: records before it are gone",
    "reordered": "the record's previous record is elsewhere in the log: lines were moved",
    "duplicated": "the same record appears twice",
    "unreadable": "the line is not an audit record (cut short, garbage, or empty)",
    "missing file": "a rotated file of the log is gone",
    "anchor": "the hash given as anchor= is not in the log: records were removed or replaced",
}

_ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
# the last 76 bytes of a well-formed line: ,"hash":"<64 hex>"}\n
_HASH_KEY = b',"hash":"'
_TAIL_RE = re.compile(rb',"hash":"([0-9a-f]{64})"\}\n\Z')
_PREV_KEY = b'"prev":"'


class AuditError(RuntimeError):
    """The audit log cannot be written or read (a corrupted line, a lock held too long...)."""


# -------------------------------------------------------------------------------------------------
# where the log is
# -------------------------------------------------------------------------------------------------


@dataclass
class _Config:
    path: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    fsync: bool = False


_CONFIG = _Config()


def _home() -> Path:
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs  # noqa: PLC0415 - only when no folder is configured

    return Path(platformdirs.user_data_dir("hubwidgets", appauthor=False))


def _as_log_file(path: Path) -> Path:
    return path / "audit.jsonl" if path.is_dir() or path.suffix == "" else path


# (HUBWIDGETS_AUDIT, HUBWIDGETS_HOME) -> the log file; appends look it up without pathlib
_PATHS: dict[tuple[str | None, str | None], Path] = {}


def audit_path() -> Path:
    """The audit log file appends go to (see the module docstring for the order of places)."""
    if _CONFIG.path is not None:
        return _CONFIG.path
    key = (os.environ.get(AUDIT_ENV), os.environ.get(HOME_ENV))
    found = _PATHS.get(key)
    if found is None:
        env = key[0]
        found = _as_log_file(Path(env).expanduser()) if env else _home() / "audit" / "audit.jsonl"
        _PATHS[key] = found = found.absolute()
    return found


def set_audit_path(
    path: str | os.PathLike[str] | None = None,
    *,
    max_bytes: int | None = None,
    fsync: bool | None = None,
) -> Path:
    """Write (and read) the audit trail at ``path`` from now on in this process; ``None`` goes
    back to the default place (``$HUBWIDGETS_AUDIT``, ``$HUBWIDGETS_HOME``, the user data folder).

    ``path`` is a ``.jsonl`` file, or a folder (then ``audit.jsonl`` in it). ``max_bytes`` sets
    the rotation size (default 10 MB, at least 1 KB); ``fsync=True`` flushes every record to the
    disk. Returns the log file now in use.
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file or folder path (str or Path), not {path!r}")
    if max_bytes is not None:
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool):
            raise TypeError(f"max_bytes must be an int (bytes), not {max_bytes!r}")
        if max_bytes < 1024:
            raise ValueError(f"max_bytes must be at least 1024 (bytes), not {max_bytes}")
        _CONFIG.max_bytes = max_bytes
    if fsync is not None:
        _CONFIG.fsync = bool(fsync)
    _CONFIG.path = None if path is None else _as_log_file(Path(path).expanduser()).absolute()
    return audit_path()


def _rotated(path: Path) -> list[tuple[int, Path]]:
    """The rotated files of ``path`` as (number, file), oldest first."""
    pattern = re.compile(rf"^{re.escape(path.stem)}\.(\d+){re.escape(path.suffix)}$")
    try:
        names = os.listdir(path.parent)
    except FileNotFoundError:
        return []
    found = [(int(m.group(1)), path.parent / n) for n in names if (m := pattern.match(n))]
    return sorted(found)


def _log_files(path: Path) -> list[Path]:
    files = [f for _, f in _rotated(path)]
    return [*files, path] if path.exists() else files


# -------------------------------------------------------------------------------------------------
# who, and which secrets to keep out
# -------------------------------------------------------------------------------------------------

_SECRET_WORDS = frozenset(
    {
        "token",
        "apikey",
        "auth",
        "authorization",
        "password",
        "passwd",
        "pwd",
        "secret",
        "secrets",
        "cookie",
        "cookies",
        "credential",
        "credentials",
        "bearer",
    }
)
_SECRET_PAIRS = ("api_key", "access_key", "secret_key", "private_key", "client_secret")

# (cheap substrings one of which the text must hold, pattern, replacement): the substring test
# skips the regular expression for the texts (nearly all) that hold no credential
_SECRET_TEXT: list[tuple[tuple[str, ...], re.Pattern[str], str]] = [
    (("earer", "EARER"), re.compile(r"\b(?i:bearer)\s+[A-Za-z0-9._~+/=-]+"), "Bearer ***"),
    (("hf_", "api_org_"), re.compile(r"\b(?:hf|api_org)_[A-Za-z0-9]{16,}"), "***"),
    (("sk-",), re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), "***"),
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), "***"),
    (("AKIA", "ASIA"), re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "***"),
    (("eyJ",), re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), "***"),
    (("://",), re.compile(r"(://)[^/\s:@]+:[^/\s@]+@"), r"\1***@"),
    (
        ("=",),
        re.compile(r"\b((?i:token|access_token|api[_-]?key|key|password|secret|sig))=[^&\s]+"),
        r"\1=***",
    ),
]


@functools.lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    """Does a parameter named ``key`` hold a secret? (``hf_token`` yes, ``max_new_tokens`` no)"""
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower()
    words = [w for w in re.split(r"[^a-z0-9]+", snake) if w]
    joined = "_".join(words)
    return any(w in _SECRET_WORDS for w in words) or any(p in joined for p in _SECRET_PAIRS)


@dataclass(frozen=True)
class _Identity:
    actor: str
    source: str
    secrets: tuple[str, ...]


_IDENTITY: dict[tuple[Any, ...], _Identity] = {}
# when the token file and the remembered users were last looked at, and their mtimes
_FILES_SEEN: list[float] = [-1e9, 0, 0]


_USERS: dict[str | None, Path] = {}


def _users_file() -> Path:
    home = os.environ.get(HOME_ENV)
    found = _USERS.get(home)
    if found is None:
        found = _USERS[home] = _home() / "hub_users.json"
    return found


def _mtime(path: Path | str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def _token_id(token: str) -> str:
    # the file maps a digest of the token to the name, never the token itself
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _read_users() -> dict[str, str]:
    try:
        data = json.loads(_users_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def remember_hub_user(name: str, token: str | None = None) -> None:
    """Remember that ``token`` (default: the stored Hugging Face token) belongs to the Hub user
    ``name``, so audit records name that user offline (call it after ``HfApi().whoami()``).
    Only a digest of the token is stored (``$HUBWIDGETS_HOME/hub_users.json``)."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a Hub user name, not {name!r}")
    if token is None:
        from huggingface_hub import get_token  # noqa: PLC0415

        token = get_token()
    if not token:
        raise ValueError("no Hugging Face token is stored or given: log in first (hf auth login)")
    users = _read_users()
    users[_token_id(token)] = name.strip()
    target = _users_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(users, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, target)
    _IDENTITY.clear()
    _FILES_SEEN[0] = -1e9


def _identity() -> _Identity:
    """Who appends, and the secret values to scrub; cached until the environment, the token file
    or the remembered users change."""
    from huggingface_hub import constants  # noqa: PLC0415 - cheap once imported

    environ = os.environ
    now = time.monotonic()
    if now - _FILES_SEEN[0] > 1.0:  # a login or remember_hub_user elsewhere: seen within 1 s
        _FILES_SEEN[:] = [now, _mtime(constants.HF_TOKEN_PATH), _mtime(_users_file())]
    key = (
        environ.get("HF_USER"),
        environ.get("HF_TOKEN"),
        environ.get(HOME_ENV),
        len(environ),
        _FILES_SEEN[1],
        _FILES_SEEN[2],
    )
    found = _IDENTITY.get(key)
    if found is None:
        _IDENTITY.clear()
        found = _IDENTITY[key] = _resolve_identity()
    return found


def _resolve_identity() -> _Identity:
    from huggingface_hub import get_token  # noqa: PLC0415

    try:
        token = get_token()
    except Exception:  # a broken token file must not stop the record
        token = None
    secrets = {v for k, v in os.environ.items() if _secret_key(k) and len(v) >= 8}
    if token:
        secrets.add(token)
    ordered = tuple(sorted(secrets, key=len, reverse=True))
    user = os.environ.get("HF_USER", "").strip()
    if user:
        return _Identity(user, "HF_USER", ordered)
    if token and (name := _read_users().get(_token_id(token))):
        return _Identity(name, "hub", ordered)
    try:
        return _Identity(getpass.getuser(), "os", ordered)
    except Exception:  # no login name in some containers
        return _Identity("unknown", "unknown", ordered)


# -------------------------------------------------------------------------------------------------
# making a record
# -------------------------------------------------------------------------------------------------


_TRIGGERS = re.compile("|".join(re.escape(t) for triggers, _, _ in _SECRET_TEXT for t in triggers))


def _text(value: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret in value:
            value = value.replace(secret, "***")
    if _TRIGGERS.search(value):
        for triggers, pattern, repl in _SECRET_TEXT:
            if any(t in value for t in triggers):
                value = pattern.sub(repl, value)
    if len(value) > MAX_TEXT:
        value = f"{value[:MAX_TEXT]}… (+{len(value) - MAX_TEXT} characters)"
    return value


def _clean(value: Any, secrets: Sequence[str], depth: int = 0) -> Any:  # noqa: PLR0911
    """``value`` as plain JSON (str keys, finite floats), secrets scrubbed."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return _text(value, secrets)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth > 12:
        return "…"
    if isinstance(value, Mapping):
        return {
            str(k): "***"
            if _secret_key(str(k)) and v is not None
            else _clean(v, secrets, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_clean(v, secrets, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return [_clean(v, secrets, depth + 1) for v in sorted(value, key=repr)]
    if isinstance(value, np.generic):
        return _clean(value.item(), secrets, depth + 1)
    return _text(_describe(value), secrets)


def _describe(value: Any) -> str:
    """A text for a value JSON has no type for (a date, a table, bytes, a path...)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return f"<{type(value).__name__} of {len(value)} rows>"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, os.PathLike):
        return str(os.fspath(value))
    return str(value)


def _check_action(action: Any) -> str:
    if not isinstance(action, str):
        raise TypeError(f"action must be a dotted name such as 'registry.register', not {action!r}")
    if not _ACTION_RE.match(action):
        close = difflib.get_close_matches(action, KNOWN_ACTIONS, n=3)
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        raise ValueError(
            f"action {action!r} is not a dotted lower-case name like 'registry.register'{hint}; "
            f"hubwidgets records: {', '.join(KNOWN_ACTIONS)}"
        )
    return action


def _check_model(model: Any) -> str | list[str] | None:
    if model is None or isinstance(model, str):
        return model
    if isinstance(model, os.PathLike):
        return str(os.fspath(model))
    items = list(model) if isinstance(model, Iterable) else None
    if items is not None and all(isinstance(m, (str, os.PathLike)) for m in items):
        models = [str(os.fspath(m)) for m in items]
        return models[0] if len(models) == 1 else models
    raise TypeError(f"model must be a model id, a list of ids or None, not {model!r}")


def _check_optional_text(name: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a string or None, not {value!r}")


def _canonical(record: Mapping[str, Any]) -> bytes:
    return json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


# -------------------------------------------------------------------------------------------------
# writing: lock, last hash, rotation, one write
# -------------------------------------------------------------------------------------------------

_THREAD_LOCK = threading.Lock()
# log file -> (st_dev, st_ino, st_size, last hash) after this process's last append
_TAIL: dict[str, tuple[int, int, int, str]] = {}


def _locked(path: Path) -> contextlib.AbstractContextManager[None]:
    return locked(
        path, _THREAD_LOCK, timeout=LOCK_TIMEOUT_S, what="the audit log", error=AuditError
    )


def _line_number(file: Path, offset: int) -> int:
    with file.open("rb") as fh:
        return fh.read(offset).count(b"\n") + 1


def _tail_hash(file: Path) -> str | None:
    """The hash of the last record of ``file``; None when the file is empty or missing."""
    try:
        fh = file.open("rb")
    except FileNotFoundError:
        return None
    with fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return None
        chunk = b""
        start = size
        while start > 0 and chunk.count(b"\n") < 2:  # the last full line
            step = min(start, 4096)
            start -= step
            fh.seek(start)
            chunk = fh.read(step) + chunk
    cut = chunk.rfind(b"\n", 0, len(chunk) - 1)
    last = chunk[cut + 1 :]
    found = _TAIL_RE.search(last)
    if found is None:
        line = _line_number(file, start + cut + 1)
        shown = last[:60].decode("utf-8", "replace")
        why = "is cut short" if not last.endswith(b"\n") else "is not an audit record"
        raise AuditError(
            f"the audit log {file} is damaged: its last line (line {line}) {why}: {shown!r}. "
            "Nothing was written; see hw.audit_verify() and move the damaged file aside "
            "(records are never dropped or reset silently)."
        )
    return found.group(1).decode()


def _prev_hash(path: Path) -> tuple[str, int]:
    """The hash to chain to, and the current file's size."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None and st.st_size > 0:
        cached = _TAIL.get(str(path))
        if cached is not None and cached[:3] == (st.st_dev, st.st_ino, st.st_size):
            return cached[3], st.st_size
        last = _tail_hash(path)
        if last is not None:
            return last, st.st_size
    for _, older in reversed(_rotated(path)):
        last = _tail_hash(older)
        if last is not None:
            return last, 0
    return GENESIS, 0


def _rotate(path: Path) -> None:
    numbers = [n for n, _ in _rotated(path)]
    target = path.with_name(f"{path.stem}.{max(numbers, default=0) + 1}{path.suffix}")
    os.rename(path, target)
    _TAIL.pop(str(path), None)


def _write(path: Path, line: bytes) -> os.stat_result:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view) :]
        if _CONFIG.fsync:
            os.fsync(fd)
        return os.fstat(fd)
    finally:
        os.close(fd)


def append(
    action: str,
    *,
    model: str | Sequence[str] | None = None,
    revision: str | None = None,
    params: Mapping[str, Any] | None = None,
    outcome: str = "ok",
    cost: Any = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Append one record to the audit trail and return it (with its ``hash``).

    Args:
        action: a dotted lower-case name, e.g. ``"registry.register"`` (:data:`KNOWN_ACTIONS`).
        model: the model id (or ids) acted on.
        revision: the revision (a commit sha when known).
        params: what the action was given (JSON-able; secrets are replaced by ``"***"``).
        outcome: ``"ok"``, ``"partial"``, ``"error"``, ``"cancelled"`` or a short text.
        cost: the cost in USD when known (or a mapping such as ``{"usd": 0.01, ...}``).
        actor: who acted; default: the Hub user, else the OS user (module docstring).

    Raises:
        TypeError, ValueError: a bad argument (says what is valid).
        AuditError: the log cannot be written (damaged last line, lock held too long, disk).
    """
    action = _check_action(action)
    model_id = _check_model(model)
    revision = _check_optional_text("revision", revision)
    if not isinstance(outcome, str) or not outcome:
        raise TypeError(
            f"outcome must be a non-empty string such as 'ok' or 'error', not {outcome!r}"
        )
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping (dict) or None, not {type(params).__name__}")
    actor = _check_optional_text("actor", actor)
    who = _identity()
    secrets = who.secrets
    record: dict[str, Any] = {
        "action": action,
        "actor": _text(actor, secrets) if actor else who.actor,
        "actor_source": "given" if actor else who.source,
        "cost": _clean(cost, secrets),
        "model": _clean(model_id, secrets),
        "outcome": _text(outcome, secrets),
        "params": _clean(dict(params or {}), secrets),
        "revision": None if revision is None else _text(revision, secrets),
    }
    path = audit_path()
    key = str(path)
    if not os.path.isdir(path.parent):
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _locked(path):
            prev, size = _prev_hash(path)
            record["prev"] = prev
            record["time"] = _now()
            body = _canonical(record)
            digest = hashlib.sha256(body).hexdigest()
            line = body[:-1] + b',"hash":"' + digest.encode() + b'"}\n'
            if size > 0 and size + len(line) > _CONFIG.max_bytes:
                _rotate(path)
            st = _write(path, line)
            _TAIL[key] = (st.st_dev, st.st_ino, st.st_size, digest)
    except OSError as err:
        raise AuditError(f"could not write the audit log {path}: {err}") from err
    record["hash"] = digest
    return record


def safe_append(action: str, **fields: Any) -> dict[str, Any] | None:
    """:func:`append` that never raises: a failure is logged as a warning (``hubwidgets.audit``)
    and None returned. For hooks, where the user's action must go on whatever the log does."""
    try:
        return append(action, **fields)
    except Exception as err:
        _LOG.warning("hubwidgets could not write the audit record %r: %s", action, err)
        return None


def _failed(row: Mapping[Any, Any]) -> bool:
    status = row.get("status")
    if status is not None:
        return str(status) != "ok"
    return bool(str(row.get("error") or ""))


def audit_run(
    action: str,
    *,
    task: str,
    rows: Sequence[Mapping[Any, Any]],
    n_inputs: int,
    backend: Any = None,
    **params: Any,
) -> None:
    """One record for one inference run; never raises (see :func:`safe_append`).

    ``rows``: one mapping per model (or per model and batch size) with ``model`` and either
    ``status`` (``"ok"``, ``"error"``, ``"cancelled"``) or ``error`` (empty when it worked), and
    when known ``model_sha`` and ``cost_usd``. The outcome is ``ok`` (nothing failed),
    ``cancelled``, ``error`` (everything failed) or ``partial``; params keep the task, the models,
    the number of inputs, the backend and the first error of each failed model.
    """
    try:
        models = list(dict.fromkeys(str(r.get("model")) for r in rows))
        shas = {str(r["model"]): str(r["model_sha"]) for r in rows if _known(r.get("model_sha"))}
        failed = [r for r in rows if _failed(r)]
        errors = {str(r.get("model")): str(r.get("error") or r.get("status")) for r in failed}
        costs = [float(r["cost_usd"]) for r in rows if _known(r.get("cost_usd"))]
        if any(str(r.get("status")) == "cancelled" for r in rows):
            outcome = "cancelled"
        elif not failed:
            outcome = "ok"
        else:
            outcome = "error" if len(failed) == len(rows) else "partial"
        providers = sorted({str(r["provider"]) for r in rows if r.get("provider")})
        details: dict[str, Any] = {
            "task": task,
            "models": models,
            "n_inputs": int(n_inputs),
            "backend": None if backend is None else type(backend).__name__,
            **({"providers": providers} if providers else {}),
            **params,
            **({"revisions": shas} if len(models) > 1 and shas else {}),
            **({"errors": errors} if errors else {}),
        }
        safe_append(
            action,
            model=models[0] if len(models) == 1 else models,
            revision=shas.get(models[0]) if len(models) == 1 else None,
            params=details,
            outcome=outcome,
            cost=sum(costs) if costs else None,
        )
    except Exception as err:  # the user's run has finished: never break it for the log
        _LOG.warning("hubwidgets could not write the audit record %r: %s", action, err)


def _known(value: Any) -> bool:
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float):
        return not math.isnan(value)
    return bool(str(value))


# -------------------------------------------------------------------------------------------------
# reading
# -------------------------------------------------------------------------------------------------


def _resolve(path: str | os.PathLike[str] | None) -> Path:
    if path is None:
        return audit_path()
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be the audit log file or its folder, not {path!r}")
    return _as_log_file(Path(path).expanduser())


_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$")
_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "seconds"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("w", "wk", "week", "weeks"), "weeks"),
}
_SINCE_HELP = (
    "since must be a datetime, an ISO date or time ('2026-12-01', '2026-12-01T10:00Z'; "
    "naive times are UTC), or a duration back from now ('7d', '12h', '30min', "
    "a timedelta or pd.Timedelta)"
)


def _since(since: Any) -> pd.Timestamp | None:
    if since is None:
        return None
    now = pd.Timestamp.now(tz="UTC")
    if isinstance(since, (timedelta, pd.Timedelta, np.timedelta64)):
        delta = pd.Timedelta(since)
        if delta < pd.Timedelta(0):
            raise ValueError(f"since={since!r} is negative: give how far back, e.g. '7d'")
        return now - delta
    if isinstance(since, (datetime, date, pd.Timestamp, np.datetime64, str)):
        if isinstance(since, str) and (found := _DURATION_RE.match(since)):
            unit = _UNITS.get(found.group(2).lower())
            if unit is None:
                raise ValueError(f"{_SINCE_HELP}; got {since!r} (units: {', '.join(_UNITS)})")
            return _since(timedelta(**{unit: float(found.group(1))}))
        try:
            stamp = pd.Timestamp(since)
        except (ValueError, TypeError) as err:
            raise ValueError(f"{_SINCE_HELP}; got {since!r}") from err
        if pd.isna(stamp):
            raise ValueError(f"{_SINCE_HELP}; got {since!r}")
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    raise TypeError(f"{_SINCE_HELP}; got {type(since).__name__} {since!r}")


def _names(name: str, value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and all(isinstance(v, str) for v in value):
        out = list(value)
        if out:
            return out
    raise TypeError(f"{name} must be a string, a list of strings or None, not {value!r}")


def _read_records(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for file in _log_files(path):
        with file.open("rb") as fh:
            for number, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                    if not isinstance(record, dict) or "hash" not in record:
                        raise ValueError("not an audit record")
                except ValueError as err:
                    shown = raw[:60].decode("utf-8", "replace")
                    raise AuditError(
                        f"the audit log {file} is damaged at line {number} ({err}): {shown!r}; "
                        "hw.audit_verify() lists every problem"
                    ) from None
                record["file"] = file.name
                record["line"] = number
                rows.append(record)
    return rows


def _check_actions(wanted: list[str], present: set[str]) -> None:
    valid = set(KNOWN_ACTIONS) | present
    for name in wanted:
        if any(c in name for c in "*?[") or name in valid:
            continue
        close = difflib.get_close_matches(name, sorted(valid), n=3)
        hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
        raise ValueError(
            f"unknown action {name!r}: {hint}valid actions: {', '.join(sorted(valid))} "
            "(patterns such as 'registry.*' work too)"
        )


def _matches_model(value: Any, wanted: set[str]) -> bool:
    if isinstance(value, list):
        return any(v in wanted for v in value)
    return value in wanted


def audit_log(
    since: Any = None,
    action: str | Sequence[str] | None = None,
    model: str | Sequence[str] | None = None,
    *,
    path: str | os.PathLike[str] | None = None,
    newest_first: bool = False,
    limit: int | None = None,
) -> pd.DataFrame:
    """The audit trail as a DataFrame, one row per record, oldest first (:data:`AUDIT_COLUMNS`).

    Args:
        since: keep records from then on: a datetime, an ISO string (naive = UTC), or a duration
            back from now (``"7d"``, ``"12h"``, ``"30min"``, a ``timedelta``).
        action: one action or several; patterns work (``"registry.*"``). An unknown name raises
            ``ValueError`` listing the valid ones.
        model: one model id or several; a record of several models matches when one of them
            does. A model without records gives an empty frame.
        path: read this log (a file or its folder) instead of :func:`audit_path`.
        newest_first: the newest record first (a timeline) instead of the oldest.
        limit: keep only the newest ``limit`` records (of those the filters keep).

    ``params`` is a dict per row; ``file`` and ``line`` say where each record is. Raises
    :class:`AuditError` naming the file and line when a line cannot be read (see
    :func:`audit_verify`).
    """
    if not isinstance(newest_first, bool):
        raise TypeError(f"newest_first must be True or False, not {newest_first!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
        raise TypeError(f"limit must be a whole number of records or None, not {limit!r}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1 (None for every record), not {limit}")
    cutoff = _since(since)
    actions = _names("action", action)
    models = _names("model", model)
    records = _read_records(_resolve(path))
    if actions is not None:
        _check_actions(actions, {str(r.get("action")) for r in records})
        records = [
            r for r in records if any(fnmatch.fnmatchcase(str(r.get("action")), a) for a in actions)
        ]
    if models is not None:
        wanted = set(models)
        records = [r for r in records if _matches_model(r.get("model"), wanted)]
    frame = pd.DataFrame.from_records(records, columns=list(AUDIT_COLUMNS))
    frame["time"] = pd.to_datetime(frame["time"], utc=True, format="ISO8601")
    frame["line"] = frame["line"].astype("int64")
    if cutoff is not None:
        frame = frame[frame["time"] >= cutoff]
    if limit is not None:
        frame = frame.tail(limit)
    if newest_first:
        frame = frame.iloc[::-1]
    return frame.reset_index(drop=True)


# -------------------------------------------------------------------------------------------------
# verifying
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AuditReport:
    """What :func:`audit_verify` found. ``ok`` is True only when every line is a record, every
    hash matches and every record follows the one before it; ``bool(report)`` is ``ok``."""

    #: True when nothing is wrong (a log that does not exist yet is ok with 0 records).
    ok: bool
    #: How many records were read (with a valid or invalid hash).
    records: int
    #: The files walked, oldest first.
    files: tuple[str, ...]
    #: The last record's hash (keep it elsewhere; pass it back as ``anchor=``); GENESIS if empty.
    head: str
    #: One row per problem: file, line, kind (:data:`PROBLEM_KINDS`), detail.
    problems: pd.DataFrame
    #: The log checked.
    path: str

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        files = len(self.files)
        where = f"{files} file{'s' if files != 1 else ''} ({self.path})"
        if not self.files:
            return f"audit trail OK: no records yet at {self.path} (nothing to verify)"
        if self.ok:
            return f"audit trail OK: {self.records:,} records in {where}, head {self.head[:12]}"
        kinds = self.problems["kind"].value_counts()
        counted = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
        return f"audit trail BROKEN: {counted} among {self.records:,} records in {where}"

    def __repr__(self) -> str:
        if self.ok:
            return self.summary()
        return f"{self.summary()}\n{self.problems.to_string(index=False)}"

    def _repr_html_(self) -> str:
        import html  # noqa: PLC0415

        head = f"<p><b>{html.escape(self.summary())}</b></p>"
        return head if self.ok else head + self.problems.to_html(index=False)


# one record as verify sees it: (file, line, prev, hash), hashes as hex bytes
_Entry = tuple[str, int, bytes, bytes]


def _slow(raw: bytes, last_line: bool) -> tuple[str, str, str | None] | str:
    """(prev, hash, problem or None) of a line the fast path refused; a string says why the
    line is unreadable."""
    if not raw.strip():
        return "an empty line"
    if last_line and not raw.endswith(b"\n"):
        return f"the last line is cut short (no line end): {raw[:60].decode('utf-8', 'replace')!r}"
    try:
        record = json.loads(raw)
    except ValueError:
        return f"not JSON: {raw[:60].decode('utf-8', 'replace')!r}"
    if not isinstance(record, dict) or not isinstance(record.get("hash"), str):
        return "a JSON line without a hash: not an audit record"
    if not isinstance(record.get("prev"), str):
        return "a JSON line without a previous hash: not an audit record"
    stored = record.pop("hash")
    try:
        expected = hashlib.sha256(_canonical(record)).hexdigest()
    except ValueError:
        expected = ""
    problem = None
    if expected != stored:
        problem = (
            f"{record.get('action')!r} of {record.get('time')!r}: content does not match its "
            "hash (changed after it was written)"
        )
    return str(record["prev"]), stored, problem


def _scan(path: Path, problems: list[dict[str, Any]]) -> tuple[list[_Entry], list[str]]:
    entries: list[_Entry] = []
    numbers = [n for n, _ in _rotated(path)]
    for expected, n in enumerate(numbers, 1):
        if n != expected:
            missing = ", ".join(f"{path.stem}.{k}{path.suffix}" for k in range(expected, n))
            problems.append(_problem(missing, 0, "missing file", f"{missing} is missing"))
            break
    files = _log_files(path)
    sha256, hash_key, prev_key, end = hashlib.sha256, _HASH_KEY, _PREV_KEY, b'"}\n'
    add = entries.append
    for file in files:
        name = file.name
        with file.open("rb") as fh:
            lines = fh.readlines()
        for number, raw in enumerate(lines, 1):
            # the fast path: a line as append wrote it, ending ,"hash":"<64 hex>"}\n, whose
            # hash matches its bytes; "prev" is found from the right (only "revision" and
            # "time", strings whose quotes are escaped, follow it in sorted order)
            if raw[-76:-67] == hash_key and raw[-3:] == end:
                body = raw[:-76] + b"}"
                stored = raw[-67:-3]
                at = body.rfind(prev_key) + 8
                if at > 7 and sha256(body).hexdigest().encode() == stored:
                    add((name, number, body[at : at + 64], stored))
                    continue
            slow = _slow(raw, number == len(lines))
            if isinstance(slow, str):
                problems.append(_problem(name, number, "unreadable", slow))
                continue
            prev, digest, problem = slow
            if problem is not None:
                problems.append(_problem(name, number, "edited", problem))
            add((name, number, prev.encode(), digest.encode()))
    return entries, [f.name for f in files]


def _problem(file: str, line: int, kind: str, detail: str) -> dict[str, Any]:
    return {"file": file, "line": line, "kind": kind, "detail": detail}


def _chain(entries: list[_Entry], problems: list[dict[str, Any]]) -> None:
    expected = GENESIS.encode()
    where: dict[bytes, int] | None = None
    for i, (file, line, prev, digest) in enumerate(entries):
        if prev != expected:
            if where is None:  # built only when the chain breaks
                where = {}
                for k, e in enumerate(entries):
                    where.setdefault(e[3], k)
            if where[digest] < i:
                kind, detail = "duplicated", "this record already appears earlier in the log"
            elif prev in where:
                before = entries[where[prev]]
                kind = "reordered"
                detail = (
                    f"comes right after {before[0]} line {before[1]} in the chain, "
                    f"but sits after {_place(entries, i - 1)}"
                )
            else:
                kind = "removed"
                detail = (
                    f"the record before it (hash {prev[:12].decode()}) is missing: records "
                    f"between {_place(entries, i - 1)} and this line were removed or replaced"
                )
            problems.append(_problem(file, line, kind, detail))
        expected = digest


def _place(entries: list[_Entry], i: int) -> str:
    return "the start of the log" if i < 0 else f"{entries[i][0]} line {entries[i][1]}"


def audit_verify(
    *, path: str | os.PathLike[str] | None = None, anchor: str | None = None
) -> AuditReport:
    """Walk the whole audit trail (rotated files included, oldest first) and check every line:
    its hash, and that it follows the record before it.

    Finds an edited record (``edited``), records removed (``removed``: the gap), lines moved
    (``reordered``) or copied (``duplicated``), a line cut short or garbage (``unreadable``) and
    a rotated file gone (``missing file``), each with the file and line. ``anchor``: a ``head``
    kept from an earlier check; records cut from the end are found only this way.

    Returns an :class:`AuditReport` (``.ok``, ``.problems`` DataFrame, ``.records``, ``.head``).
    """
    if anchor is not None and not (
        isinstance(anchor, str) and re.fullmatch(r"[0-9a-f]{64}", anchor)
    ):
        raise ValueError(f"anchor must be a record hash (64 hex digits), not {anchor!r}")
    log = _resolve(path)
    problems: list[dict[str, Any]] = []
    entries, files = _scan(log, problems)
    _chain(entries, problems)
    if anchor is not None and anchor != GENESIS and all(e[3] != anchor.encode() for e in entries):
        problems.append(_problem(log.name, 0, "anchor", f"{anchor[:12]}... is not in the log"))
    order = {name: i for i, name in enumerate(files)}
    problems.sort(key=lambda p: (order.get(p["file"], -1), p["line"]))
    frame = pd.DataFrame(problems, columns=["file", "line", "kind", "detail"])
    frame = frame.astype({"line": "int64"})
    return AuditReport(
        ok=not problems,
        records=len(entries),
        files=tuple(files),
        head=entries[-1][3].decode() if entries else GENESIS,
        problems=frame,
        path=str(log),
    )
