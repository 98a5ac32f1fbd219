"""A team's rules for adopting a model, and their verdict on :func:`hw.check`'s rows.

>>> policy = Policy({"allow_license_classes": ["permissive"], "require_safetensors": True})
>>> policy.evaluate(hw.check(["openai-community/gpt2"]))  # adds verdict and reasons

The keys and the default (:data:`DEFAULT_POLICY`, what ``Policy()`` means):

``allow_license_classes`` (default: permissive, copyleft, gated-or-custom, non-commercial)
    License classes allowed; a known class outside the list is ``deny``. A license of class
    "unknown" is always ``review``.
``allow_licenses`` (default: none)
    License ids allowed even when their class is not (and ``other``, a custom license, which is
    otherwise ``review``).
``deny_licenses`` (default: none)
    License ids that are ``deny`` whatever their class.
``require_commercial_use`` (default: false)
    When true, ``commercial_use`` "no" is ``deny``, "conditional" and "unknown" are ``review``.
``require_safetensors`` (default: false)
    When true, pickle-only weights are ``deny``; unknown formats are ``review``.
``allow_custom_code`` (default: false)
    When false, a repo that needs custom code (config ``auto_map``, ``*.py``) is ``deny``; an
    unknown file list is ``review``.
``require_scans_done`` (default: true)
    When true, a model whose scan is not "safe" (unscanned, queued, error...) is ``review``.
    Whatever this key says, an "unsafe" scan or a dangerous finding is ``deny`` and an "error",
    "caution" or "suspicious" one is ``review``: nothing unscanned is reported as safe.
``max_days_since_update`` (default: none)
    A model last updated longer ago is ``review``; an unknown date too.
``require_card_fields`` (default: none)
    Card fields that must be present (``license``, ``language``, ``base_model``...); a missing
    one is ``review``.
``allow_gated`` (default: true)
    When false, a gated model is ``deny``; an unknown gating is ``review``.

A ``license_conflict`` is always ``review``. The verdict is the worst of the rules' verdicts:
``deny`` over ``review`` over ``allow``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd
import yaml

from ..catalog.vocab import close_matches
from ..choose.licenses import LICENSE_CLASSES
from ..report import missing as _missing

__all__ = [
    "DEFAULT_POLICY",
    "POLICY_ENV",
    "VERDICTS",
    "Policy",
    "PolicyScope",
    "active_policy",
    "active_policy_source",
    "as_policy",
    "use_policy",
]

#: The verdicts, best first.
VERDICTS: tuple[str, ...] = ("allow", "review", "deny")

_KNOWN_CLASSES = tuple(c for c in LICENSE_CLASSES if c != "unknown")
_SAFE = "safe"
_DENY_SCANS = frozenset({"unsafe", "dangerous", "malicious", "infected"})
_REVIEW_SCANS = frozenset({"error", "caution", "suspicious"})


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"policy key {name!r} must be true or false, not {value!r}")
    return value


def _str_tuple(name: str, value: Any, valid: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise ValueError(f"policy key {name!r} must be a list of strings, not {value!r}")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"policy key {name!r} must list non-empty strings, not {item!r}")
        word = item.strip().lower()
        if valid is not None and word not in valid:
            near = close_matches(word, list(valid))
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            extra = (
                "; unknown licenses are always reviewed, so 'unknown' cannot be allowed"
                if word == "unknown"
                else ""
            )
            raise ValueError(
                f"policy key {name!r}: {item!r} is not one of {', '.join(valid)}{hint}{extra}"
            )
        out.append(word if valid is not None or name != "require_card_fields" else item.strip())
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Policy:
    """A team policy; build it with ``Policy({...})``, ``Policy(**keys)`` or
    :meth:`from_yaml`. Unknown keys or bad values raise ``ValueError`` naming the valid ones."""

    allow_license_classes: tuple[str, ...] = _KNOWN_CLASSES
    allow_licenses: tuple[str, ...] = ()
    deny_licenses: tuple[str, ...] = ()
    require_commercial_use: bool = False
    require_safetensors: bool = False
    allow_custom_code: bool = False
    require_scans_done: bool = True
    max_days_since_update: int | None = None
    require_card_fields: tuple[str, ...] = field(default=())
    allow_gated: bool = True

    def __init__(self, keys: Mapping[str, Any] | Policy | None = None, /, **kwargs: Any) -> None:
        if isinstance(keys, Policy):
            keys = keys.to_dict()
        if keys is not None and not isinstance(keys, Mapping):
            raise TypeError(f"a policy is built from a dict of keys, not {type(keys).__name__}")
        merged = {**dict(keys or {}), **kwargs}
        valid = [f.name for f in fields(Policy)]
        for key in merged:
            if key not in valid:
                near = close_matches(str(key), valid)
                hint = f" (did you mean {', '.join(near)}?)" if near else ""
                raise ValueError(
                    f"unknown policy key {key!r}{hint}; the keys are {', '.join(valid)}"
                )
        values: dict[str, Any] = {f.name: f.default for f in fields(Policy)}
        for key, value in merged.items():
            if key in ("allow_license_classes",):
                values[key] = _str_tuple(key, value, _KNOWN_CLASSES)
            elif key in ("allow_licenses", "deny_licenses", "require_card_fields"):
                values[key] = _str_tuple(key, value)
            elif key == "max_days_since_update":
                ok = value is None or (
                    isinstance(value, int) and not isinstance(value, bool) and value >= 0
                )
                if not ok:
                    raise ValueError(
                        f"policy key 'max_days_since_update' must be a whole number of days "
                        f">= 0 or null, not {value!r}"
                    )
                values[key] = value
            else:
                values[key] = _bool(key, value)
        both = set(values["allow_licenses"]) & set(values["deny_licenses"])
        if both:
            raise ValueError(
                f"licenses {sorted(both)} are both in allow_licenses and deny_licenses; "
                "keep each in one list"
            )
        for key, value in values.items():
            object.__setattr__(self, key, value)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, path_or_text: str | os.PathLike[str]) -> Policy:
        """A policy from a YAML file or YAML text (a mapping of the keys above).

        Text that is not valid YAML raises ``ValueError`` naming the line and the problem.
        """
        where = "policy text"
        if isinstance(path_or_text, os.PathLike):
            path = Path(path_or_text)
            if not path.is_file():
                raise ValueError(f"policy file {str(path)!r} does not exist")
            text, where = path.read_text("utf-8"), f"policy file {str(path)!r}"
        elif isinstance(path_or_text, str):
            text = path_or_text
            looks_like_path = "\n" not in text and ":" not in text.replace(":\\", "")
            if looks_like_path and Path(text).is_file():
                text, where = Path(text).read_text("utf-8"), f"policy file {path_or_text!r}"
            elif looks_like_path and text.strip().endswith((".yaml", ".yml")):
                raise ValueError(f"policy file {text!r} does not exist")
        else:
            raise TypeError(
                f"from_yaml takes a path or YAML text, not {type(path_or_text).__name__}"
            )
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            line = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
            context = getattr(err, "context", None)
            context_mark = getattr(err, "context_mark", None)
            if context and context_mark and context_mark is not mark:
                problem += f" ({context} on line {context_mark.line + 1})"
            raise ValueError(f"{where} is not valid YAML: {line}: {problem}") from None
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ValueError(
                f"{where} must be a mapping of policy keys (key: value lines), "
                f"not a {type(data).__name__}"
            )
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        """The keys and values, lists as lists (what :meth:`from_yaml` reads back)."""
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in fields(self)
        }

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    # -- evaluation -----------------------------------------------------------------------
    def reasons(self, row: Mapping[Any, Any], now: datetime | None = None) -> tuple[str, list[str]]:
        """``(verdict, reasons)`` for one check row (a dict or Series of check()'s columns)."""
        deny: list[str] = []
        review: list[str] = []
        for rule in (
            self._license_rules,
            self._commercial_rule,
            self._format_rules,
            self._scan_rule,
            self._card_rules,
        ):
            rule(row, deny, review)
        if self.max_days_since_update is not None:
            self._age_rule(row, now or datetime.now(timezone.utc), review)
        if deny:
            return "deny", deny + review
        if review:
            return "review", review
        return "allow", []

    def _license_rules(self, row: Mapping[Any, Any], deny: list[str], review: list[str]) -> None:
        lic = row.get("license")
        lic = None if _missing(lic) else str(lic).lower()
        cls = row.get("license_class")
        cls = "unknown" if _missing(cls) else str(cls)
        if lic is not None and lic in self.deny_licenses:
            deny.append(f"license {lic} is in deny_licenses")
        elif lic is not None and lic in self.allow_licenses:
            pass
        elif cls == "unknown":
            review.append(f"license {lic or 'not given'}: its terms are unknown")
        elif cls not in self.allow_license_classes:
            deny.append(
                f"license {lic} is {cls}, not an allowed class "
                f"({', '.join(self.allow_license_classes) or 'none'})"
            )
        elif lic == "other":
            review.append(
                "license other: a custom license whose terms nobody here has read "
                "(list it in allow_licenses to accept it)"
            )
        conflict = row.get("license_conflict")
        if not _missing(conflict) and conflict:
            review.append(f"license conflict: {conflict}")

    def _commercial_rule(self, row: Mapping[Any, Any], deny: list[str], review: list[str]) -> None:
        if not self.require_commercial_use:
            return
        use = row.get("commercial_use")
        use = "unknown" if _missing(use) else str(use)
        why = row.get("commercial_use_reason")
        why = "" if _missing(why) else f" ({why})"
        if use == "no":
            deny.append(f"commercial use is not allowed{why}")
        elif use in ("conditional", "unknown"):
            review.append(f"commercial use is {use}{why}")

    def _format_rules(self, row: Mapping[Any, Any], deny: list[str], review: list[str]) -> None:
        pickle_only = row.get("pickle_only")
        if self.require_safetensors:
            if _missing(pickle_only):
                review.append("weight formats unknown: safetensors required")
            elif bool(pickle_only):
                deny.append("pickle weights only, no safetensors (require_safetensors)")
        code = row.get("custom_code")
        if not self.allow_custom_code:
            if code is None or (not isinstance(code, (list, tuple)) and _missing(code)):
                review.append("whether it needs custom code is unknown (no file list)")
            elif len(code):
                deny.append(f"needs custom code: {', '.join(map(str, code))}")
        if not self.allow_gated:
            gated = row.get("gated")
            if _missing(gated):
                review.append("gating unknown (allow_gated is false)")
            elif bool(gated):
                deny.append("gated model (allow_gated is false)")

    def _scan_rule(self, row: Mapping[Any, Any], deny: list[str], review: list[str]) -> None:
        status = row.get("scan_status")
        status = "unscanned" if _missing(status) else str(status).lower()
        if status in _DENY_SCANS:
            deny.append(f"scan verdict {status}")
        elif status in _REVIEW_SCANS:
            review.append(f"scan verdict {status}")
        elif status != _SAFE and self.require_scans_done:
            review.append(f"not scanned as safe (scan status {status})")
        elif status == _SAFE and self.require_scans_done and row.get("scans_done") is False:
            review.append("the scans are not all done")

    def _card_rules(self, row: Mapping[Any, Any], deny: list[str], review: list[str]) -> None:
        del deny  # a missing card field is never a deny on its own
        if not self.require_card_fields:
            return
        have = row.get("card_fields")
        if have is None or (not isinstance(have, (list, tuple)) and _missing(have)):
            review.append(f"card fields unknown (required: {', '.join(self.require_card_fields)})")
            return
        lacking = [f for f in self.require_card_fields if f not in set(have)]
        if lacking:
            review.append(f"card lacks {', '.join(lacking)}")

    def _age_rule(self, row: Mapping[Any, Any], now: datetime, review: list[str]) -> None:
        when = row.get("last_modified")
        if _missing(when) or not isinstance(when, (str, datetime, pd.Timestamp)):
            review.append("last update unknown (max_days_since_update)")
            return
        stamp = pd.Timestamp(when)
        if stamp.tzinfo is None:
            stamp = stamp.tz_localize("UTC")
        days = (now - stamp.to_pydatetime()).days
        if self.max_days_since_update is not None and days > self.max_days_since_update:
            review.append(f"last updated {days} days ago (max {self.max_days_since_update})")

    def evaluate(self, df: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``df`` (check()'s columns) with ``verdict`` and ``reasons`` set per row.

        A column ``df`` lacks is an unknown fact: it gives ``review`` where a rule needs it.
        """
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"evaluate expects a DataFrame (hw.check's), not {type(df).__name__}")
        now = datetime.now(timezone.utc)
        verdicts: list[str] = []
        reasons: list[list[str]] = []
        for row in df.to_dict("records"):
            v, r = self.reasons(row, now)
            verdicts.append(v)
            reasons.append(r)
        out = df.copy()
        out["verdict"] = pd.Categorical(verdicts, categories=list(VERDICTS))
        out["reasons"] = pd.Series(reasons, index=df.index, dtype=object)
        return out

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.to_dict().items() if v != DEFAULT_POLICY.to_dict()[k]}
        if not changed:
            return "Policy(default)"
        return "Policy(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"


DEFAULT_POLICY = Policy()


def as_policy(policy: Any) -> Policy:
    """``policy=`` as every function takes it: a :class:`Policy`, a dict of its keys, a YAML
    file, or None: the session's policy (:func:`active_policy`: what :func:`use_policy` set,
    else ``$HUBWIDGETS_POLICY``, else the default), so a team sets its policy once.

    Raises:
        TypeError: anything else.
        ValueError: unknown keys or bad values (naming the valid ones), or invalid YAML.
    """
    if policy is None:
        return active_policy()
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Mapping):
        return Policy(policy)
    if isinstance(policy, (str, os.PathLike)):
        return Policy.from_yaml(policy)
    raise TypeError(
        "policy must be a hw.Policy, a dict of policy keys or a YAML file, "
        f"not {type(policy).__name__}"
    )


# -- the session's policy ----------------------------------------------------------------------
#: The environment variable naming a YAML policy file, read when the session set none.
POLICY_ENV = "HUBWIDGETS_POLICY"


# A module global, not a ContextVar: the Playground and benchmarks load models in their own
# threads, which would not see a ContextVar set in the notebook's thread.
class _Session:
    lock = threading.Lock()
    #: what use_policy set (None: nothing)
    policy: Policy | None = None
    #: the policy file of $HUBWIDGETS_POLICY as last read: ((path, mtime_ns, size), policy)
    from_env: tuple[tuple[str, int, int], Policy] | None = None


def _env_policy() -> tuple[Policy, str] | None:
    """The policy ``$HUBWIDGETS_POLICY`` names and where it came from (None: not set), read
    again only when the file changes."""
    name = os.environ.get(POLICY_ENV, "").strip()
    if not name:
        return None
    path = Path(name).expanduser()
    try:
        stat = path.stat()
    except OSError:
        raise ValueError(
            f"${POLICY_ENV} names the policy file {name!r}, which does not exist: fix the "
            f"variable or unset it (the default policy applies then)"
        ) from None
    if not path.is_file():
        raise ValueError(f"${POLICY_ENV} names {name!r}, which is not a file (a YAML policy)")
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    cached = _Session.from_env
    if cached is not None and cached[0] == key:
        return cached[1], f"${POLICY_ENV} ({name})"
    policy = Policy.from_yaml(path)  # a bad file: ValueError naming the file, line and problem
    _Session.from_env = (key, policy)
    return policy, f"${POLICY_ENV} ({name})"


def active_policy_source() -> tuple[Policy, str]:
    """The session's policy and where it comes from, in words: "hw.use_policy",
    "$HUBWIDGETS_POLICY (path)" or "the default policy"."""
    current = _Session.policy
    if current is not None:
        return current, "hw.use_policy"
    found = _env_policy()
    return found if found is not None else (DEFAULT_POLICY, "the default policy")


def session_policy() -> Policy | None:
    """The policy the team set for this session (:func:`use_policy`, else
    ``$HUBWIDGETS_POLICY``), or None when neither is set: for functions that filter only when a
    team asked them to (``hw.recommend``)."""
    if _Session.policy is not None:
        return _Session.policy
    found = _env_policy()
    return None if found is None else found[0]


def active_policy() -> Policy:
    """The policy every ``policy=None`` follows in this session: the one :func:`use_policy`
    set, else the YAML file ``$HUBWIDGETS_POLICY`` names, else :data:`DEFAULT_POLICY`.

    Raises:
        ValueError: ``$HUBWIDGETS_POLICY`` names a missing file or a bad policy (the message
            names the file, the line and the problem).
    """
    return active_policy_source()[0]


def use_policy(
    policy: Policy | Mapping[str, Any] | str | os.PathLike[str] | None,
) -> PolicyScope:
    """Set the session's policy: what ``hw.check``, ``hw.compare``, ``LocalBackend`` (and so
    the Playground and ``hw.benchmark``) follow when given no ``policy=``.

    >>> hw.use_policy({"require_safetensors": True})        # from now on
    >>> with hw.use_policy("team-policy.yaml"):              # for a block only
    ...     hw.check(models)
    >>> hw.use_policy(None)                                  # back to the default

    Args:
        policy: a :class:`Policy`, a dict of its keys, a YAML file (or YAML text), or None to
            forget the session's policy (then ``$HUBWIDGETS_POLICY``, else the default,
            applies).

    Returns a :class:`PolicyScope`: used in a ``with`` block it gives the policy set and puts
    the previous one back at the end of the block.

    Raises:
        TypeError, ValueError: as :func:`as_policy`, or a bad ``$HUBWIDGETS_POLICY`` file when
            ``policy`` is None; the session's policy is then unchanged.
    """
    new = None if policy is None else as_policy(policy)
    if new is None:
        found = _env_policy()  # a bad file raises here, before anything changed
        shown = found[0] if found is not None else DEFAULT_POLICY
    else:
        shown = new
    with _Session.lock:
        previous, _Session.policy = _Session.policy, new
    from ..registry.audit import safe_append  # noqa: PLC0415 - a state change; never raises

    given = os.fspath(policy) if isinstance(policy, (str, os.PathLike)) else type(policy).__name__
    safe_append(
        "policy.set",
        params={"given": given, **{f.name: getattr(shown, f.name) for f in fields(shown)}},
    )
    return PolicyScope(shown, previous)


class PolicyScope:
    """What :func:`use_policy` returns: the policy set (``.policy``), and a context manager
    that puts the session's previous policy back on exit."""

    def __init__(self, policy: Policy, previous: Policy | None) -> None:
        self.policy = policy
        self._previous = previous

    def __enter__(self) -> Policy:
        return self.policy

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with _Session.lock:
            _Session.policy = self._previous

    def __repr__(self) -> str:
        return f"use_policy({self.policy!r})"
