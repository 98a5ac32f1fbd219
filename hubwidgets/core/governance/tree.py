"""The model tree: the chain of base models a model was built from, each with its license.

A model names its bases in its card (``base_model``: one id or a list) and the Hub adds
``base_model:<relation>:<id>`` tags, the relation being ``adapter``, ``finetune``,
``quantized`` or ``merge``; the catalog's ``base_models`` column holds the ids, its ``tags`` the
relations. :func:`model_tree` walks them up to the roots; :func:`license_conflict` says in words
when the model is offered under terms looser than an ancestor whose license binds it.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..choose.licenses import LICENSE_CLASSES, license_class
from ..report import missing as _missing

__all__ = [
    "RELATIONS",
    "TreeNode",
    "chain_labels",
    "license_conflict",
    "model_tree",
    "tree_frame",
]

#: How a model derives from its base, as the Hub's ``base_model:<relation>:<id>`` tags say;
#: ``base`` when only the card names the base.
RELATIONS: tuple[str, ...] = ("adapter", "finetune", "quantized", "merge", "base")

#: Deepest chain followed (real trees are a handful of levels deep).
MAX_DEPTH = 32

IN_CATALOG = "the catalog"
NOT_IN_CATALOG = "not in the catalog"


@dataclass(frozen=True)
class TreeNode:
    """One model of a tree. The first node of :func:`model_tree` is the model itself (depth 0,
    no parent); every other node is a base of ``parent`` by ``relation``."""

    id: str
    depth: int
    parent: str | None
    relation: str | None
    license: str | None
    license_class: str
    #: "the catalog", "not in the catalog", "the model card" (a local folder)...
    source: str
    #: a note when the walk stopped here ("cycle: ..." or "deeper than ...")
    note: str | None = None


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value if not _missing(v)]
    if _missing(value):
        return []
    return [str(value)]


class _Lookup:
    """id -> (license, base ids, tags) for one catalog, without building a row per lookup."""

    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog
        arrays = getattr(catalog, "_arrays", None)
        self._arrays: Mapping[str, Any] | None = arrays if isinstance(arrays, dict) else None
        self._positions: pd.Index | None = None

    def _position(self, model_id: str) -> int | None:
        if self._arrays is None:
            return None
        if self._positions is None:
            cached = getattr(self.catalog, "_positions", None)
            if cached is None:
                cached = pd.Index(self.catalog.df["id"])
                self.catalog._positions = cached
            self._positions = cached
        try:
            pos = self._positions.get_loc(model_id)
        except KeyError:
            return None
        return int(pos) if isinstance(pos, (int, np.integer)) else None

    def get(self, model_id: str, column: str) -> Any:
        """One cell of ``model_id``'s row; KeyError when the model is not in the catalog."""
        if self._arrays is not None:
            pos = self._position(model_id)
            if pos is None:
                raise KeyError(model_id)
            return self._arrays[column][int(pos)]
        try:  # any catalog-like object with .model(id) -> Series
            row = self.catalog.model(model_id)
        except (KeyError, ValueError):
            raise KeyError(model_id) from None
        return row.get(column)

    def has(self, model_id: str) -> bool:
        try:
            self.get(model_id, "id")
        except KeyError:
            return False
        return True


_LOOKUPS: weakref.WeakKeyDictionary[Any, _Lookup] = weakref.WeakKeyDictionary()


def lookup(catalog: Any) -> _Lookup:
    """The (cached) lookup of a catalog."""
    try:
        found = _LOOKUPS.get(catalog)
    except TypeError:  # not weak-referenceable
        return _Lookup(catalog)
    if found is None:
        found = _Lookup(catalog)
        _LOOKUPS[catalog] = found
    return found


def relations_from_tags(tags: Sequence[str]) -> dict[str, str]:
    """{base id: relation} from ``base_model:<relation>:<id>`` tags."""
    out: dict[str, str] = {}
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        rest = tag[len("base_model:") :]
        relation, sep, base = rest.partition(":")
        if sep and relation in RELATIONS and base:
            out.setdefault(base, relation)
    return out


def _license_str(value: Any) -> str | None:
    if _missing(value):
        return None
    text = str(value).strip()
    return text or None


def model_tree(
    model: str,
    catalog: Any,
    *,
    license: str | None = None,  # noqa: A002 (the schema's column name)
    base_models: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    source: str | None = None,
    max_depth: int = MAX_DEPTH,
) -> list[TreeNode]:
    """The model and its ancestors, breadth first: ``[model, its bases, their bases, ...]``.

    ``model`` is looked up in ``catalog`` unless ``base_models`` is given (a local folder's
    card): then ``license``, ``base_models`` and ``tags`` describe it. An ancestor missing from
    the catalog gets license ``None`` (class "unknown") and source "not in the catalog"; a
    cycle (a model that is its own ancestor) stops the walk there with a note. Each ancestor is
    listed once, at its shallowest depth.
    """
    if not isinstance(model, str) or not model:
        raise TypeError(f"model must be a non-empty model id, not {model!r}")
    if not isinstance(max_depth, int) or max_depth < 0:
        raise ValueError(f"max_depth must be an int >= 0, not {max_depth!r}")
    look = lookup(catalog)
    if base_models is None:
        try:
            lic = _license_str(look.get(model, "license"))
            bases = _as_list(look.get(model, "base_models"))
            rels = relations_from_tags(_as_list(look.get(model, "tags")))
            where = IN_CATALOG
        except KeyError:
            lic, bases, rels, where = license, [], {}, NOT_IN_CATALOG
    else:
        lic, bases = license, [str(b) for b in base_models]
        rels, where = relations_from_tags(list(tags or [])), source or "the model card"
    root = TreeNode(model, 0, None, None, lic, license_class(lic), where)
    nodes = [root]
    seen = {model}
    # (base id, depth, parent id, relation, path of ids from the model to the parent)
    queue: deque[tuple[str, int, str, str, tuple[str, ...]]] = deque(
        (b, 1, model, rels.get(b, "base"), (model,)) for b in dict.fromkeys(bases)
    )
    while queue:
        base, depth, parent, relation, path = queue.popleft()
        if base in path:
            nodes.append(
                TreeNode(
                    base,
                    depth,
                    parent,
                    relation,
                    None,
                    "unknown",
                    IN_CATALOG,
                    note=f"cycle: {base} is listed as its own ancestor ({' -> '.join(path)})",
                )
            )
            continue
        if base in seen:
            continue
        seen.add(base)
        try:
            lic = _license_str(look.get(base, "license"))
            parents = _as_list(look.get(base, "base_models"))
            base_rels = relations_from_tags(_as_list(look.get(base, "tags")))
            where = IN_CATALOG
        except KeyError:
            lic, parents, base_rels, where = None, [], {}, NOT_IN_CATALOG
        note = None
        if parents and depth >= max_depth:
            note, parents = f"deeper than {max_depth} levels: not followed further", []
        nodes.append(TreeNode(base, depth, parent, relation, lic, license_class(lic), where, note))
        for p in dict.fromkeys(parents):
            queue.append((p, depth + 1, base, base_rels.get(p, "base"), (*path, base)))
    return nodes


def tree_frame(nodes: Sequence[TreeNode]) -> pd.DataFrame:
    """The nodes of :func:`model_tree` as a DataFrame, one row per node."""
    columns = ["id", "depth", "parent", "relation", "license", "license_class", "source", "note"]
    return pd.DataFrame([asdict(n) for n in nodes], columns=columns)


def chain_labels(nodes: Sequence[TreeNode]) -> list[str]:
    """The ancestors as ``"id (license)"`` strings (``"id (relation of ...)"`` left out)."""
    out = []
    for n in nodes[1:]:
        if n.note and n.note.startswith("cycle"):
            continue
        lic = n.license or ("unknown: not in the catalog" if n.source == NOT_IN_CATALOG else "none")
        out.append(f"{n.id} ({lic})")
    return out


# Classes whose terms follow a model into what is built from it, ranked by restriction.
_RANK = {c: i for i, c in enumerate(LICENSE_CLASSES) if c != "unknown"}
_BINDS = {"copyleft", "gated-or-custom", "non-commercial"}


def _nodes(chain: Sequence[TreeNode] | pd.DataFrame) -> list[TreeNode]:
    if isinstance(chain, pd.DataFrame):
        fields = ("id", "depth", "parent", "relation", "license", "license_class", "source")
        missing = [f for f in fields if f not in chain.columns]
        if missing:
            raise ValueError(f"chain is missing columns {missing}; pass model_tree()'s result")
        rows = chain.to_dict("records")
        return [
            TreeNode(
                **{f: (None if _missing(r[f]) else r[f]) for f in fields},  # type: ignore[arg-type]
                note=None if _missing(r.get("note")) else r.get("note"),
            )
            for r in rows
        ]
    nodes = list(chain)
    if not all(isinstance(n, TreeNode) for n in nodes):
        raise TypeError("chain must be model_tree()'s list of TreeNode or tree_frame()'s frame")
    return nodes


def _path(nodes: Sequence[TreeNode], target: TreeNode) -> str:
    by_id = {n.id: n for n in nodes if not (n.note and n.note.startswith("cycle"))}
    steps = [target]
    current = target
    while current.parent is not None and current.parent in by_id and len(steps) <= len(nodes):
        current = by_id[current.parent]
        steps.append(current)
    order = list(reversed(steps))  # the model first, the ancestor last
    words = [f"{order[0].id} ({order[0].license or 'no license'})"]
    for node in order[1:]:
        verb = _VERBS.get(node.relation or "base", "built on")
        words.append(f"{verb} {node.id} ({node.license or 'no license'})")
    return ", ".join(words)


_VERBS = {
    "adapter": "an adapter on",
    "finetune": "finetuned from",
    "quantized": "quantized from",
    "merge": "merged from",
    "base": "built on",
}


def license_conflict(chain: Sequence[TreeNode] | pd.DataFrame) -> str | None:
    """In words, how the model (the chain's first node) is offered under terms looser than an
    ancestor whose license binds what is built from it; None when there is no such ancestor.

    A binding ancestor is copyleft, model-specific (Llama, Gemma, RAIL, ``other``...) or
    non-commercial; looser means a class earlier in :data:`LICENSE_CLASSES` (an apache-2.0
    finetune of a llama2 or cc-by-nc-4.0 base). A no-derivatives base (CC-BY-ND, CC-BY-NC-ND)
    conflicts with any derivative. A model with no known license has no conflict here (its
    unknown license is reported on its own).
    """
    nodes = _nodes(chain)
    if len(nodes) < 2:
        return None
    model = nodes[0]
    mine = _RANK.get(model.license_class)
    found: list[str] = []
    said: set[str] = set()  # one sentence per binding license: the nearest ancestor under it
    for node in nodes[1:]:
        lic = (node.license or "").lower()
        if lic in said:
            continue
        if lic.startswith(("cc-by-nd", "cc-by-nc-nd")):
            found.append(
                f"{model.id} derives from {node.id}, whose license {node.license} allows no "
                f"derivatives: {_path(nodes, node)}"
            )
            said.add(lic)
            continue
        theirs = _RANK.get(node.license_class)
        if mine is None or theirs is None or node.license_class not in _BINDS:
            continue
        if mine < theirs:
            found.append(
                f"{model.id} is offered under {model.license} ({model.license_class}), looser "
                f"than its ancestor {node.id}'s {node.license} ({node.license_class}), whose "
                f"terms bind what is built from it: {_path(nodes, node)}"
            )
            said.add(lic)
    return "; ".join(found) if found else None
