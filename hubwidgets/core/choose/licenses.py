"""License ids of the Hub, sorted into the five classes a data scientist decides with.

>>> license_class("Apache-2.0")
'permissive'
>>> license_class("llama3.1")
'gated-or-custom'

The classes, most permissive first (the order of :data:`LICENSE_CLASSES`, used to rank "more
permissive" alternatives):

``permissive``
    Use, modify and ship, commercially too, keeping the notice: Apache, MIT, BSD, ISC, zlib,
    CC-BY, CC0, the Unlicense, PDDL, ODC-By, CDLA-Permissive, Artistic-2.0, AFL...
``copyleft``
    Commercial use allowed, but derived works (strong) or changed files (weak) must be shared
    under the same license: GPL, AGPL, LGPL, MPL, EPL, EUPL, CC-BY-SA, ODbL, GFDL...
``gated-or-custom``
    A model-specific license with use restrictions that a lawyer has to read: the Llama and
    Gemma licenses, Grok's community license, every RAIL / OpenRAIL variant, CC-BY-ND (no
    derivatives, so no fine-tunes to ship), C-UDA, and the Hub's ``other``. Commercial use is
    usually allowed but conditional (an acceptable-use policy, a user threshold, attribution in
    the product name...).
``non-commercial``
    No commercial use at all: CC-BY-NC (and -SA, -ND), research-only licenses (FAIR
    non-commercial, DeepFloyd IF, Apple AMLR, h-research, intel-research).
``unknown``
    No license given, the Hub's ``unknown``, or an id that does not say which license it is
    (``cc`` alone: CC0 and CC-BY-NC-ND are both "cc").

Why the RAIL family (``openrail``, ``openrail++``, ``bigscience-openrail-m``,
``creativeml-openrail-m``, ``bigcode-openrail-m``, ``bigscience-bloom-rail-1.0``) is
``gated-or-custom`` and not ``permissive``: the Hub lists them among its open licenses and they
are royalty-free, but each carries a list of forbidden uses that must be passed on to every
downstream user, which no OSI license does. Someone filtering for "permissive" wants to ship
without reading a license; a RAIL model does not allow that, so it sits with the other licenses
that need a read.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["LICENSE_CLASSES", "LICENSE_IDS", "license_class", "license_classes"]

#: The classes :func:`license_class` returns, from most to least permissive.
LICENSE_CLASSES: tuple[str, ...] = (
    "permissive",
    "copyleft",
    "gated-or-custom",
    "non-commercial",
    "unknown",
)

_PERMISSIVE = (
    "apache-2.0 apache-2 mit bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear bsd-3 isc zlib"
    " postgresql ncsa bsl-1.0 afl-3.0 artistic-2.0 wtfpl unlicense cc0-1.0 pddl odc-by"
    " cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cdla-permissive-1.0 cdla-permissive-2.0 ecl-2.0"
    " etalab-2.0 lppl-1.3c openmdw-1.0 apple-ascl"
)
_COPYLEFT = (
    "gpl gpl-2.0 gpl-3.0 agpl-3.0 lgpl lgpl-2.1 lgpl-3.0 lgpl-lr mpl-2.0 epl-1.0 epl-2.0"
    " eupl-1.1 eupl-1.2 osl-3.0 cc-by-sa-3.0 cc-by-sa-4.0 cdla-sharing-1.0 odbl gfdl ofl-1.1"
    " ms-pl"
)
_CUSTOM = (
    "openrail openrail++ bigscience-openrail-m creativeml-openrail-m bigcode-openrail-m"
    " bigscience-bloom-rail-1.0 llama2 llama3 llama3.1 llama3.2 llama3.3 llama4 gemma"
    " grok2-community cc-by-nd-4.0 c-uda other"
)
_NON_COMMERCIAL = (
    "cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0"
    " cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 fair-noncommercial-research-license deepfloyd-if-license"
    " apple-amlr h-research intel-research"
)
# "cc" alone names no particular license; "???" is what some cards literally say.
_UNKNOWN = "unknown cc ???"

#: Every license id with a deliberate class (lower case). Ids outside it still get a class from
#: their family prefix (``cc-by-nc-`` ...) or fall to ``unknown``.
LICENSE_IDS: dict[str, str] = {
    **dict.fromkeys(_PERMISSIVE.split(), "permissive"),
    **dict.fromkeys(_COPYLEFT.split(), "copyleft"),
    **dict.fromkeys(_CUSTOM.split(), "gated-or-custom"),
    **dict.fromkeys(_NON_COMMERCIAL.split(), "non-commercial"),
    **dict.fromkeys(_UNKNOWN.split(), "unknown"),
    # spelled out by some cards instead of the id
    "academic free license v3.0": "permissive",
}

# Family prefixes for versions the table does not list (cc-by-nc-1.0, llama5, gpl-1.0...).
# Checked in order: the more specific prefix first.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("cc-by-nc", "non-commercial"),
    ("cc-by-nd", "gated-or-custom"),
    ("cc-by-sa", "copyleft"),
    ("cc-by-", "permissive"),
    ("cc0", "permissive"),
    ("agpl", "copyleft"),
    ("lgpl", "copyleft"),
    ("gpl", "copyleft"),
    ("mpl", "copyleft"),
    ("eupl", "copyleft"),
    ("bsd", "permissive"),
    ("apache", "permissive"),
    ("llama", "gated-or-custom"),
    ("gemma", "gated-or-custom"),
)


def license_class(license_id: str | None) -> str:
    """Return the class of one license id: one of :data:`LICENSE_CLASSES`.

    Case and surrounding spaces are ignored; ``None``, NaN and the empty string are
    ``"unknown"``. Any other type raises ``TypeError``.
    """
    value: object = license_id  # callers pass pandas cells too: NaN is a missing license
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    if not isinstance(license_id, str):
        raise TypeError(f"license_id must be a str or None, not {type(license_id).__name__}")
    key = license_id.strip().lower()
    if not key:
        return "unknown"
    found = LICENSE_IDS.get(key)
    if found is not None:
        return found
    if "rail" in key:  # new RAIL variants: use-restricted like the rest of the family
        return "gated-or-custom"
    for prefix, cls in _PREFIXES:
        if key.startswith(prefix):
            return cls
    return "unknown"


def license_classes(series: pd.Series) -> pd.Series:
    """Return the class of every license id in ``series``, as a categorical Series.

    The categories are :data:`LICENSE_CLASSES` in that order (unordered, so ``<`` is not
    defined; rank with ``.cat.codes`` for "more permissive"). Each distinct id is classified
    once, so a 3M-row column costs one ``map`` over its categories.
    """
    if not isinstance(series, pd.Series):
        raise TypeError(f"license_classes expects a pandas Series, not {type(series).__name__}")
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    classes = [license_class(u if isinstance(u, str) else None) for u in uniques]
    class_codes = np.array(
        [LICENSE_CLASSES.index(c) for c in classes] + [LICENSE_CLASSES.index("unknown")],
        dtype=np.int8,
    )
    # code -1 (missing) indexes the trailing "unknown"
    out = pd.Categorical.from_codes(
        class_codes[codes], dtype=pd.CategoricalDtype(list(LICENSE_CLASSES))
    )
    return pd.Series(out, index=series.index, name=series.name)
