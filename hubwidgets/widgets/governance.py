"""GovernanceWidget: may we use these models, and are they safe to load, under a team policy.

The widget holds the models and the policy in traits and calls the core for the rest: one
:func:`hubwidgets.check` per set of models (cached), then :meth:`hubwidgets.Policy.evaluate`
when only the policy changes, so a policy edit in the page re-evaluates at once. What the page
shows goes in synced traits, so a view drawn from saved state shows the verdicts: the check
table (``_table``, :data:`TABLE_COLUMNS`), the findings (``_findings``) and each model's tree
(``_trees``: model -> list of ``{id, relation, license, license_class, depth, source,
note}``).

The page edits ``policy`` (a dict on the wire, a :class:`~hubwidgets.Policy` in Python). A bad
policy from the page is refused and :attr:`GovernanceWidget.status` says why; from Python it
raises ``traitlets.TraitError``.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import traitlets

from ..core.catalog.searchable import Searchable
from ..core.governance import CHECK_COLUMNS, Policy, as_policy, check
from ..core.report import Column, html_table, hub_url
from ._base import HubWidget
from ._serialization import Table
from ._traits import ModelIds

__all__ = ["FINDING_COLUMNS", "TABLE_COLUMNS", "GovernanceWidget"]

#: The columns of the check table the page shows (formats and reasons as text).
TABLE_COLUMNS: tuple[str, ...] = (
    "id",
    "license",
    "license_link",
    "license_class",
    "commercial_use",
    "commercial_use_reason",
    "license_conflict",
    "formats",
    "pickle_only",
    "formats_source",
    "custom_code",
    "scan_status",
    "scan_source",
    "verdict",
    "reasons",
)

#: The columns of the findings table.
FINDING_COLUMNS: tuple[str, ...] = ("model", "file", "scanner", "severity", "detail")


class _PolicyTrait(traitlets.TraitType[Policy, Any]):
    """A :class:`Policy`; a dict of its keys is accepted too. On the wire: its dict."""

    info_text = "a hw.Policy or a dict of its keys"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_value=Policy(), **kwargs)
        self.tag(sync=True, to_json=lambda value, _widget: value.to_dict())

    def validate(self, obj: Any, value: Any) -> Policy:
        if isinstance(value, Policy):
            return value
        if not isinstance(value, Mapping):
            raise traitlets.TraitError(
                f"policy must be a hw.Policy or a dict of its keys, not {type(value).__name__}"
            )
        try:
            return Policy(value)
        except (ValueError, TypeError) as err:
            raise traitlets.TraitError(f"bad policy: {err}") from None


def _text(value: Any) -> str:
    """A cell as text: lists joined, missing values empty."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if hasattr(value, "tolist") and not isinstance(value, str):
        return _text(value.tolist())
    return str(value)


class GovernanceWidget(HubWidget):
    """Check models against a team policy: their licenses (through the model tree), weight
    formats, custom code and scans, with a verdict (allow / review / deny) and its reasons.

    >>> g = hw.GovernanceWidget(["openai-community/gpt2"])      # doctest: +SKIP
    >>> g.table                    # hw.check's DataFrame under the current policy
    >>> g.policy = {"require_safetensors": True}                  # re-evaluates

    Args:
        models: model ids (or local folders). Default: the source's selection, else none.
        source: a widget whose selection this one follows (a SearchWidget, a CompareWidget...).
        policy: a :class:`hw.Policy`, a dict of its keys or a YAML file (default: the
            session's policy, :func:`hw.active_policy`: what ``hw.use_policy`` set, else
            ``$HUBWIDGETS_POLICY``, else the default policy).
        catalog: where the models are looked up (default: the source's, else
            ``hw.open_catalog()``).

    Raises:
        traitlets.TraitError: an unknown id (with close matches) or a bad policy from Python.
        TypeError: ``source`` is not a widget with a selection, ``catalog`` is not a catalog,
            or a misspelled keyword argument.
    """

    WIDGET = "governance"
    SELECTION = "models"

    models = ModelIds().tag(sync=True)
    """Ids (or folders) of the checked models."""

    policy = _PolicyTrait()
    """The policy the verdicts follow (the page edits it)."""

    _table = Table(columns=TABLE_COLUMNS)
    _findings = Table(columns=FINDING_COLUMNS)
    # {model id: [{id, relation, license, depth}, ...]}
    _trees = traitlets.Dict().tag(sync=True, kernel=True)

    #: Checks kept per widget (one per set of models).
    CACHE_SIZE: ClassVar[int] = 16

    def __init__(
        self,
        models: Sequence[str | Path] | str | None = None,
        source: HubWidget | None = None,
        policy: Policy | Mapping[str, Any] | str | Path | None = None,
        catalog: Searchable | None = None,
        **kwargs: Any,
    ) -> None:
        self._check_arguments(kwargs, [*self._writable_traits(), "source", "catalog"])
        self._cache: dict[tuple[str, ...], pd.DataFrame] = {}
        self._took: dict[tuple[str, ...], float] = {}
        self._ready = False
        super().__init__(**kwargs)
        self._catalog = self._link_catalog(source, catalog)
        try:
            # None: the session's policy; a path: its YAML; a dict is checked by the trait
            as_file = policy is None or isinstance(policy, (str, Path))
            self.policy = as_policy(policy) if as_file else policy
        except Exception:
            self.close()
            raise
        self._ready = True
        self._first_models(models, source)
        if not self.error and not self.models:
            self._refresh()

    # -- Python API ------------------------------------------------------------------------------
    @property
    def catalog(self) -> Searchable:
        """The catalog the models are looked up in."""
        return self._catalog

    @property
    def table(self) -> pd.DataFrame:
        """:func:`hubwidgets.check`'s DataFrame of the models under :attr:`policy`."""
        ids = list(self.models)
        if not ids:
            return pd.DataFrame(columns=list(CHECK_COLUMNS))
        return self._evaluated(ids)

    @property
    def findings(self) -> pd.DataFrame:
        """One row per finding of the scans (model, file, scanner, severity, detail)."""
        found = self.table.attrs.get("findings")
        if not isinstance(found, pd.DataFrame):
            return pd.DataFrame(columns=list(FINDING_COLUMNS))
        return found.copy()

    def charts(self) -> dict[str, Any]:
        """No charts: the table says it all."""
        return {}

    # -- validation ------------------------------------------------------------------------------
    @traitlets.validate("models")
    def _valid_models(self, proposal: Any) -> list[str]:
        ids: list[str] = proposal["value"]
        if self._ready and ids:
            try:
                self._facts(ids)  # an unknown id is refused here, with close matches
            except (ValueError, TypeError) as err:
                raise traitlets.TraitError(str(err)) from None
        return ids

    # -- the source ------------------------------------------------------------------------------
    def _on_source_selection(self, ids: list[str]) -> None:
        self.models = ids

    @traitlets.observe("models", "policy")
    def _on_change(self, change: Any) -> None:
        if self._ready:
            self._refresh()

    # -- the check -------------------------------------------------------------------------------
    def _facts(self, ids: list[str]) -> pd.DataFrame:
        """hw.check's result for ``ids`` (default policy), cached: a policy change only
        re-evaluates it."""
        key = tuple(ids)
        cached = self._cache.get(key)
        if cached is None:
            started = time.perf_counter()
            cached = check(ids, catalog=self._catalog)
            if len(self._cache) >= self.CACHE_SIZE:
                first = next(iter(self._cache))
                self._cache.pop(first)
                self._took.pop(first, None)
            self._cache[key] = cached
            self._took[key] = (time.perf_counter() - started) * 1000
        return cached

    def _evaluated(self, ids: list[str]) -> pd.DataFrame:
        facts = self._facts(ids)
        out = self.policy.evaluate(facts)
        out.attrs = {**facts.attrs, "policy": self.policy}
        return out

    def _refresh(self) -> None:
        """Send the table, findings, trees and status of the current models and policy."""
        ids = list(self.models)
        if not ids:
            with self.hold_sync():
                self._table, self._findings, self._trees = None, None, {}
                self.error = ""
                self.status = "No models: pass model ids, or link a widget with a selection"
            self._update_report()
            return
        try:
            full = self._evaluated(ids)
        except (ValueError, TypeError) as err:  # validated already; the catalog may have changed
            self._fail(str(err))
            return
        shown = pd.DataFrame({c: [_text(v) for v in full[c]] for c in TABLE_COLUMNS})
        findings = full.attrs.get("findings")
        if not isinstance(findings, pd.DataFrame):
            findings = pd.DataFrame(columns=list(FINDING_COLUMNS))
        findings = pd.DataFrame({c: [_text(v) for v in findings[c]] for c in FINDING_COLUMNS})
        counts = full["verdict"].astype(str).value_counts()
        summary = ", ".join(f"{counts.get(v, 0)} {v}" for v in ("allow", "review", "deny"))
        ms = self._took.get(tuple(ids), 0.0)
        n = len(ids)
        with self.hold_sync():
            self._table = shown
            self._findings = findings
            self._trees = _trees_of(full.attrs.get("trees") or {})
            self.error = ""
            self.status = f"{n} model{'' if n == 1 else 's'}: {summary} · {ms:.0f} ms"
        self._update_report()

    # -- display ---------------------------------------------------------------------------------
    def _report_html(self) -> str:
        """The check table as HTML (id linked to its Hub page), for exported reports."""
        shown = self._table
        if shown is None or shown.empty:
            return f'<p class="hubwidgets-governance">{html.escape(self.status)}</p>'
        columns = [
            Column("id", "Model", header=True, link=_hub_page),
            Column("verdict", "Verdict"),
            Column("license", "License"),
            Column("license_class", "License class"),
            Column("commercial_use", "Commercial use"),
            Column("license_conflict", "License conflict"),
            Column("formats", "Formats"),
            Column("scan_status", "Scan"),
            Column("reasons", "Reasons"),
        ]
        return html_table(shown, columns, caption=self.status, css_class="hubwidgets-governance")


def _hub_page(model: Any) -> str | None:
    """The Hub page of a model id; None for a local folder (which has none)."""
    text = str(model)
    if text.startswith(("/", ".", "~")) or "\\" in text or Path(text).is_dir():
        return None
    return hub_url(text)


def _trees_of(trees: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each model's tree as JSON-able nodes."""
    out: dict[str, list[dict[str, Any]]] = {}
    for model, nodes in trees.items():
        out[str(model)] = [
            {
                "id": str(getattr(node, "id", "")),
                "relation": _text(getattr(node, "relation", None)),
                "license": _text(getattr(node, "license", None)),
                "license_class": _text(getattr(node, "license_class", None)),
                "depth": int(getattr(node, "depth", 0) or 0),
                "source": _text(getattr(node, "source", None)),
                "note": _text(getattr(node, "note", None)),
            }
            for node in nodes or []
        ]
    return out
