"""What the SearchWidget's detail pane shows of one model: its record as JSON-safe values, its
governance (``hw.check``'s verdict, license, model tree and scan, see :func:`governance_part`)
and its model card as HTML that is safe to insert into the notebook page.

Cards are written by anyone who can push to the Hub, so they are untrusted input. The Markdown
is rendered by markdown-it with raw HTML disabled (a ``<script>``, an ``<img onerror=...>``, an
``<iframe>`` in a card comes out as text) and its link validation on (``javascript:``,
``vbscript:``, ``file:`` and non-image ``data:`` links are not made links); every link and image
that survives is then checked again to be http(s), mailto or an inline raster image. What
remains is markup markdown-it writes itself, with attributes it escaped.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import numpy as np
import pandas as pd
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from ..core.catalog.catalog import Catalog
from ..core.catalog.vocab import task_modality
from ..core.governance import CHECK_COLUMNS, check
from ..core.governance.policy import Policy, active_policy_source
from ..core.report import HUB_URL, hub_url

__all__ = [
    "DETAIL_FIELDS",
    "GOVERNANCE_FIELDS",
    "HUB_URL",
    "MAX_CARD_CHARS",
    "MODALITY_LABELS",
    "card_html",
    "detail_record",
    "governance_part",
    "hub_url",
    "json_value",
    "modality_label",
    "pane_policy",
]

#: Longest card rendered, in characters of Markdown (front matter excluded); a longer one is cut
#: and links to the whole card on the Hub. Rendering 200 K characters takes about a tenth of a
#: second and makes some hundreds of kilobytes of HTML.
MAX_CARD_CHARS = 200_000

#: The schema columns the detail pane lists (plus ``modality``, derived from the task), in order.
DETAIL_FIELDS: tuple[str, ...] = (
    "author",
    "task",
    "modality",
    "library",
    "license",
    "params",
    "downloads",
    "downloads_all_time",
    "likes",
    "created_at",
    "last_modified",
    "gated",
    "inference",
    "languages",
    "tags",
    "base_models",
    "providers",
    "sha",
)

#: The columns of ``hw.check``'s row the detail pane's governance part carries (each fact with
#: the ``*_source`` that says where it came from, or why it is unknown).
GOVERNANCE_FIELDS: tuple[str, ...] = (
    "verdict",
    "reasons",
    # hw.check's license, model tree, formats, custom code and scan columns, in its order
    *CHECK_COLUMNS[CHECK_COLUMNS.index("license") : CHECK_COLUMNS.index("scan_source") + 1],
)

#: The Hub's names of its task modalities (huggingface.js ``MODALITY_LABELS``).
MODALITY_LABELS: dict[str, str] = {
    "nlp": "Natural Language Processing",
    "cv": "Computer Vision",
    "audio": "Audio",
    "multimodal": "Multimodal",
    "tabular": "Tabular",
    "rl": "Reinforcement Learning",
    "other": "Other",
}

_FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(?:.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SAFE_IMAGE_DATA = re.compile(r"^data:image/(?:gif|png|jpeg|webp);", re.IGNORECASE)


def modality_label(task: str | None) -> str:
    """The Hub's name of the modality of ``task`` ('Computer Vision'); 'Other' for a task the
    Hub's task list does not know."""
    code = task_modality(task) if task else None
    return MODALITY_LABELS.get(code or "other", MODALITY_LABELS["other"])


# -- the record ---------------------------------------------------------------------------------


def detail_record(row: pd.Series[Any] | Mapping[str, Any]) -> dict[str, Any]:
    """The fields of :data:`DETAIL_FIELDS` of one model (a ``catalog.model(id)`` row) as
    JSON-safe values: str, int, bool, lists of str, timestamps as ISO 8601 strings (UTC); None
    for what the catalog does not know."""
    out: dict[str, Any] = {}
    for name in DETAIL_FIELDS:
        if name == "modality":
            task = json_value(row.get("task"))
            out[name] = modality_label(task) if isinstance(task, str) else None
        else:
            out[name] = json_value(row.get(name))
    return out


def json_value(value: Any) -> Any:  # noqa: PLR0911 - one return per kind of value
    """One schema value as JSON: NA/NaT/NaN -> None, numpy scalars -> int/float/bool,
    timestamps -> ISO 8601 strings, list-likes -> lists of str."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, datetime | np.datetime64):
        if isinstance(value, np.datetime64) and np.isnat(value):
            return None
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return stamp.isoformat()
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value if v is not None and not _is_missing(v)]
    return None if _is_missing(value) else str(value)


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array-like: not one missing value
        return False


# -- governance ---------------------------------------------------------------------------------


def pane_policy() -> tuple[Policy, str]:
    """The policy the detail pane's verdict follows, and where it comes from in words: the
    session's (``hw.use_policy``, else ``$HUBWIDGETS_POLICY``, else the default), as read at
    each request, so that the pane follows a policy set after the widget was made.

    Raises:
        ValueError: ``$HUBWIDGETS_POLICY`` names a missing or bad file.
    """
    return active_policy_source()


def governance_part(
    catalog: Any, model_id: str, row: pd.Series[Any] | None = None
) -> dict[str, Any]:
    """``hw.check([model_id], catalog=catalog)`` under :func:`pane_policy`, as JSON values:
    :data:`GOVERNANCE_FIELDS`, ``chain`` (the model tree, the model first: ``{id, depth,
    parent, relation, license, license_class, source, note}`` per node), ``policy`` (the
    policy in words, e.g. ``"Policy(require_safetensors=True)"``) and ``policy_source``
    (``"hw.use_policy"``, ``"$HUBWIDGETS_POLICY (path)"`` or ``"the default policy"``).

    ``row`` is the model's ``catalog.model(model_id)`` when the caller has it already. The
    check looks each model up once (on the live Hub a lookup is a request, and the check asks
    for one fact at a time): the focused model costs nothing more, each base model one lookup.

    Never raises: a check that fails gives ``{"error": why}``, so that the rest of the pane
    still shows.
    """
    try:
        policy, policy_source = pane_policy()
        if not isinstance(catalog, Catalog):  # a Catalog looks up from its arrays, at once
            catalog = _LookedUpOnce(catalog, {model_id: row} if row is not None else {})
        result = check([model_id], catalog=catalog, policy=policy)
        row = result.iloc[0]
        tree = result.attrs["trees"][row["id"]]
        out = {name: json_value(row[name]) for name in GOVERNANCE_FIELDS}
        out["chain"] = [_node(node) for node in tree]
    except Exception as err:  # whatever fails, the pane says why in words
        return {"error": str(err) or type(err).__name__}
    out["policy"] = repr(policy)
    out["policy_source"] = policy_source
    return out


class _LookedUpOnce:
    """``catalog`` for one check, with each model's ``model()`` asked once and remembered
    (everything else is the catalog's own)."""

    def __init__(self, catalog: Any, known: dict[str, pd.Series[Any]]) -> None:
        self._catalog = catalog
        self._known = dict(known)

    def model(self, model_id: str) -> pd.Series[Any]:
        found = self._known.get(model_id)
        if found is None:
            found = self._catalog.model(model_id)
            self._known[model_id] = found
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._catalog, name)


def _node(node: Any) -> dict[str, Any]:
    return {
        "id": str(node.id),
        "depth": int(node.depth),
        "parent": json_value(node.parent),
        "relation": json_value(node.relation),
        "license": json_value(node.license),
        "license_class": json_value(node.license_class),
        "source": json_value(node.source),
        "note": json_value(node.note),
    }


# -- the card -----------------------------------------------------------------------------------


def card_html(markdown_text: str, model_id: str, *, max_chars: int = MAX_CARD_CHARS) -> str:
    """A model card (Markdown, maybe with YAML front matter) as an HTML fragment that is safe
    to insert into a page.

    - Raw HTML in the card is shown as text, never as markup; HTML comments (the Hub's card
      template is full of them) are dropped.
    - Only http(s), mailto and inline raster images make links and images.
    - Relative links point into the repo on the Hub: images at ``resolve/main/`` (the file),
      links at ``blob/main/`` (its page); ``#anchors`` and ``/paths`` at the Hub.
    - Links open in a new tab, without access to this page (``rel="noopener noreferrer"``).
    - Front matter is removed (the detail pane lists that metadata already), GitHub-style tables
      and ~~strikethrough~~ are rendered.
    - Beyond ``max_chars`` characters the card is cut at a line end, and says so, with a link
      to the whole card on the Hub.
    """
    if not isinstance(markdown_text, str):
        raise TypeError(f"markdown_text must be a str, not {type(markdown_text).__name__}")
    text = strip_front_matter(markdown_text)
    cut = len(text) > max_chars
    if cut:
        end = text.rfind("\n", 0, max_chars)
        text = text[: end if end > 0 else max_chars]
    page = hub_url(model_id)
    env = {"page": page, "images": f"{page}/resolve/main/", "links": f"{page}/blob/main/"}
    out: str = _markdown().render(text, env)
    if cut:
        href = html.escape(page, quote=True)
        out += (
            '<p class="hw-card-cut"><em>This card is longer than '
            f"{max_chars:,} characters and was cut here: "
            f'<a href="{href}" target="_blank" rel="noopener noreferrer">read the whole card '
            "on the Hub</a>.</em></p>\n"
        )
    return out


def strip_front_matter(text: str) -> str:
    """``text`` without a leading YAML front matter block (``---`` ... ``---``)."""
    return _FRONT_MATTER.sub("", text, count=1)


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # before "inline": the block structure is known, inline content not yet parsed
    md.core.ruler.after("block", "hw_drop_comments", _drop_comments)
    md.core.ruler.push("hw_links", _rewrite_links)
    return md


def _drop_comments(state: StateCore) -> None:
    """Remove HTML comments from the text of paragraphs, headings and table cells (never from
    code, and not from a paragraph holding a code span), and paragraphs that held nothing else."""
    tokens = state.tokens
    for token in tokens:
        if token.type == "inline" and "<!--" in token.content and "`" not in token.content:
            token.content = _COMMENT.sub("", token.content).strip()
    kept = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (
            token.type == "paragraph_open"
            and i + 2 < len(tokens)
            and tokens[i + 1].type == "inline"
            and not tokens[i + 1].content
            and tokens[i + 2].type == "paragraph_close"
        ):
            i += 3
            continue
        kept.append(token)
        i += 1
    state.tokens = kept


def _rewrite_links(state: StateCore) -> None:
    """Resolve relative links and images against the repo, drop any unsafe one that got
    through, and open links in a new tab."""
    env = state.env
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "link_open":
                href = _resolve(str(token.attrGet("href") or ""), env["links"], env["page"])
                if href is None:
                    token.attrs.pop("href", None)
                else:
                    token.attrSet("href", href)
                    token.attrSet("target", "_blank")
                    token.attrSet("rel", "noopener noreferrer")
            elif token.type == "image":
                src = str(token.attrGet("src") or "")
                resolved = src if _SAFE_IMAGE_DATA.match(src) else None
                resolved = resolved or _resolve(src, env["images"], env["page"])
                if resolved is None:
                    token.attrs.pop("src", None)
                else:
                    token.attrSet("src", resolved)
                    token.attrSet("loading", "lazy")
                    token.attrSet("referrerpolicy", "no-referrer")


def _resolve(url: str, base: str, page: str) -> str | None:
    """``url`` made absolute (``#x`` and ``/x`` on the Hub, ``x`` under ``base``), or None
    when its scheme is not one a card may link to."""
    if not url:
        return None
    if url.startswith("#"):
        absolute = page + url
    elif url.startswith("/") and not url.startswith("//"):
        absolute = urljoin(HUB_URL, url)
    else:
        absolute = urljoin(base, url)
    return absolute if urlsplit(absolute).scheme.lower() in _SAFE_SCHEMES else None
