"""What a license id lets a data scientist do: its name, its link, its class and commercial use.

>>> info = license_info("llama2")
>>> info.license_class, info.commercial_use
('gated-or-custom', 'conditional')

The class comes from :func:`hubwidgets.core.choose.licenses.license_class` (one classification
shared with ``compare``). ``commercial_use`` is one of :data:`COMMERCIAL_USE`:

``yes``
    Commercial use allowed (permissive and copyleft licenses; copyleft adds share-alike duties).
``no``
    Non-commercial or research-only licenses.
``conditional``
    Allowed under conditions that have to be read: the Llama and Gemma licenses (acceptable-use
    policies, a user threshold), every RAIL variant (use restrictions passed downstream),
    CC-BY-ND (no derivatives), C-UDA (computational use only).
``unknown``
    No license, the Hub's ``unknown``, ``cc`` alone, or ``other`` (a custom license named on the
    card, which nobody here has read).

This is an engineer's summary to sort models for review, not legal advice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..choose.licenses import LICENSE_IDS, license_class

__all__ = [
    "COMMERCIAL_USE",
    "HUB_LICENSE_IDS",
    "LicenseInfo",
    "commercial_use",
    "license_info",
]

#: The values of ``commercial_use``.
COMMERCIAL_USE: tuple[str, ...] = ("yes", "no", "conditional", "unknown")

#: The license ids the Hub offers in a model card's ``license:`` field, as published in the Hub
#: documentation "Licenses" table (https://huggingface.co/docs/hub/repositories-licenses, as of
#: 2025-2026), with each license's full name.
HUB_LICENSE_IDS: dict[str, str] = {
    "apache-2.0": "Apache License 2.0",
    "mit": "MIT",
    "openrail": "OpenRAIL license family",
    "bigscience-openrail-m": "BigScience OpenRAIL-M",
    "creativeml-openrail-m": "CreativeML OpenRAIL-M",
    "bigscience-bloom-rail-1.0": "BigScience BLOOM RAIL 1.0",
    "bigcode-openrail-m": "BigCode Open RAIL-M v1",
    "afl-3.0": "Academic Free License v3.0",
    "artistic-2.0": "Artistic License 2.0",
    "bsl-1.0": "Boost Software License 1.0",
    "bsd": "BSD license family",
    "bsd-2-clause": 'BSD 2-clause "Simplified" license',
    "bsd-3-clause": 'BSD 3-clause "New" or "Revised" license',
    "bsd-3-clause-clear": "BSD 3-clause Clear license",
    "c-uda": "Computational Use of Data Agreement",
    "cc": "Creative Commons license family",
    "cc0-1.0": "Creative Commons Zero v1.0 Universal",
    "cc-by-2.0": "Creative Commons Attribution 2.0",
    "cc-by-2.5": "Creative Commons Attribution 2.5",
    "cc-by-3.0": "Creative Commons Attribution 3.0",
    "cc-by-4.0": "Creative Commons Attribution 4.0",
    "cc-by-sa-3.0": "Creative Commons Attribution Share Alike 3.0",
    "cc-by-sa-4.0": "Creative Commons Attribution Share Alike 4.0",
    "cc-by-nc-2.0": "Creative Commons Attribution Non Commercial 2.0",
    "cc-by-nc-3.0": "Creative Commons Attribution Non Commercial 3.0",
    "cc-by-nc-4.0": "Creative Commons Attribution Non Commercial 4.0",
    "cc-by-nd-4.0": "Creative Commons Attribution No Derivatives 4.0",
    "cc-by-nc-nd-3.0": "Creative Commons Attribution Non Commercial No Derivatives 3.0",
    "cc-by-nc-nd-4.0": "Creative Commons Attribution Non Commercial No Derivatives 4.0",
    "cc-by-nc-sa-2.0": "Creative Commons Attribution Non Commercial Share Alike 2.0",
    "cc-by-nc-sa-3.0": "Creative Commons Attribution Non Commercial Share Alike 3.0",
    "cc-by-nc-sa-4.0": "Creative Commons Attribution Non Commercial Share Alike 4.0",
    "cdla-sharing-1.0": "Community Data License Agreement - Sharing, Version 1.0",
    "cdla-permissive-1.0": "Community Data License Agreement - Permissive, Version 1.0",
    "cdla-permissive-2.0": "Community Data License Agreement - Permissive, Version 2.0",
    "wtfpl": "Do What The F*ck You Want To Public License",
    "ecl-2.0": "Educational Community License v2.0",
    "epl-1.0": "Eclipse Public License 1.0",
    "epl-2.0": "Eclipse Public License 2.0",
    "etalab-2.0": "Etalab Open License 2.0",
    "eupl-1.1": "European Union Public License 1.1",
    "eupl-1.2": "European Union Public License 1.2",
    "agpl-3.0": "GNU Affero General Public License v3.0",
    "gfdl": "GNU Free Documentation License family",
    "gpl": "GNU General Public License family",
    "gpl-2.0": "GNU General Public License v2.0",
    "gpl-3.0": "GNU General Public License v3.0",
    "lgpl": "GNU Lesser General Public License family",
    "lgpl-2.1": "GNU Lesser General Public License v2.1",
    "lgpl-3.0": "GNU Lesser General Public License v3.0",
    "isc": "ISC",
    "h-research": "H Research License",
    "intel-research": "Intel Research Use License Agreement",
    "lppl-1.3c": "LaTeX Project Public License v1.3c",
    "ms-pl": "Microsoft Public License",
    "apple-ascl": "Apple Sample Code License",
    "apple-amlr": "Apple Model License for Research",
    "mpl-2.0": "Mozilla Public License 2.0",
    "odc-by": "Open Data Commons License Attribution family",
    "odbl": "Open Database License family",
    "openmdw-1.0": "OpenMDW License Agreement v1.0",
    "openrail++": "Open Rail++-M License",
    "osl-3.0": "Open Software License 3.0",
    "postgresql": "PostgreSQL License",
    "ofl-1.1": "SIL Open Font License 1.1",
    "ncsa": "University of Illinois/NCSA Open Source License",
    "unlicense": "The Unlicense",
    "zlib": "zLib License",
    "pddl": "Open Data Commons Public Domain Dedication and License",
    "lgpl-lr": "Lesser General Public License For Linguistic Resources",
    "deepfloyd-if-license": "DeepFloyd IF Research License Agreement",
    "fair-noncommercial-research-license": "FAIR Noncommercial Research License",
    "llama2": "Llama 2 Community License Agreement",
    "llama3": "Llama 3 Community License Agreement",
    "llama3.1": "Llama 3.1 Community License Agreement",
    "llama3.2": "Llama 3.2 Community License Agreement",
    "llama3.3": "Llama 3.3 Community License Agreement",
    "llama4": "Llama 4 Community License Agreement",
    "grok2-community": "Grok 2 Community License Agreement",
    "gemma": "Gemma Terms of Use",
    "unknown": "Unknown",
    "other": "Other",
}

_SPDX = "https://spdx.org/licenses/{}.html"
_LINKS: dict[str, str] = {
    "llama2": "https://ai.meta.com/llama/license/",
    "llama3": "https://llama.meta.com/llama3/license/",
    "llama3.1": "https://llama.meta.com/llama3_1/license/",
    "llama3.2": "https://www.llama.com/llama3_2/license/",
    "llama3.3": "https://www.llama.com/llama3_3/license/",
    "llama4": "https://www.llama.com/llama4/license/",
    "gemma": "https://ai.google.dev/gemma/terms",
    "openrail": "https://www.licenses.ai/",
    "openrail++": "https://huggingface.co/stabilityai/stable-diffusion-xl-base-1.0/blob/main/LICENSE.md",
    "bigscience-openrail-m": "https://bigscience.huggingface.co/blog/bigscience-openrail-m",
    "creativeml-openrail-m": "https://huggingface.co/spaces/CompVis/stable-diffusion-license",
    "bigscience-bloom-rail-1.0": "https://bigscience.huggingface.co/blog/the-bigscience-rail-license",
    "bigcode-openrail-m": "https://huggingface.co/spaces/bigcode/bigcode-model-license-agreement",
    "c-uda": "https://github.com/microsoft/Computational-Use-of-Data-Agreement",
    "cc": "https://creativecommons.org/licenses/",
    "wtfpl": "http://www.wtfpl.net/",
    "deepfloyd-if-license": "https://huggingface.co/spaces/DeepFloyd/deepfloyd-if-license",
    "fair-noncommercial-research-license": "https://huggingface.co/facebook/fasttext-language-identification/blob/main/LICENSE",
    "grok2-community": "https://huggingface.co/xai-org/grok-2/blob/main/LICENSE",
    "h-research": "https://huggingface.co/spaces/h-company/LICENSE/blob/main/LICENSE",
    "intel-research": "https://huggingface.co/Intel/ldm3d-4c/blob/main/LICENSE",
    "apple-amlr": "https://huggingface.co/apple/DepthPro/blob/main/LICENSE",
    "apple-ascl": "https://developer.apple.com/support/downloads/terms/apple-sample-code/Apple-Sample-Code-License.pdf",
    "openmdw-1.0": "https://openmdw.ai/license/",
    "lgpl-lr": "https://github.com/UniversalDependencies/UD_Czech-PDT/blob/master/LICENSE.txt",
    "gfdl": "https://www.gnu.org/licenses/fdl-1.3.html",
    "gpl": "https://www.gnu.org/licenses/gpl-3.0.html",
    "lgpl": "https://www.gnu.org/licenses/lgpl-3.0.html",
    "bsd": "https://opensource.org/license/bsd-3-clause",
    "odc-by": "https://opendatacommons.org/licenses/by/",
    "odbl": "https://opendatacommons.org/licenses/odbl/",
    "pddl": "https://opendatacommons.org/licenses/pddl/",
}
# ids whose SPDX identifier differs from the Hub's spelling only in case or suffix
_SPDX_IDS: dict[str, str] = {
    "apache-2.0": "Apache-2.0",
    "mit": "MIT",
    "afl-3.0": "AFL-3.0",
    "artistic-2.0": "Artistic-2.0",
    "bsl-1.0": "BSL-1.0",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd-3-clause-clear": "BSD-3-Clause-Clear",
    "cc0-1.0": "CC0-1.0",
    "cdla-sharing-1.0": "CDLA-Sharing-1.0",
    "cdla-permissive-1.0": "CDLA-Permissive-1.0",
    "cdla-permissive-2.0": "CDLA-Permissive-2.0",
    "ecl-2.0": "ECL-2.0",
    "epl-1.0": "EPL-1.0",
    "epl-2.0": "EPL-2.0",
    "etalab-2.0": "etalab-2.0",
    "eupl-1.1": "EUPL-1.1",
    "eupl-1.2": "EUPL-1.2",
    "agpl-3.0": "AGPL-3.0-only",
    "gpl-2.0": "GPL-2.0-only",
    "gpl-3.0": "GPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only",
    "lgpl-3.0": "LGPL-3.0-only",
    "isc": "ISC",
    "lppl-1.3c": "LPPL-1.3c",
    "ms-pl": "MS-PL",
    "mpl-2.0": "MPL-2.0",
    "osl-3.0": "OSL-3.0",
    "postgresql": "PostgreSQL",
    "ofl-1.1": "OFL-1.1",
    "ncsa": "NCSA",
    "unlicense": "Unlicense",
    "zlib": "Zlib",
}


def _cc_link(key: str) -> str | None:
    if not key.startswith("cc-by"):
        return None
    kind, _, version = key[3:].rpartition("-")
    return f"https://creativecommons.org/licenses/{kind}/{version}/" if version else None


# -- commercial use ---------------------------------------------------------------------------
_BY_CLASS: dict[str, tuple[str, str]] = {
    "permissive": ("yes", "a permissive license: commercial use allowed, keeping the notice"),
    "copyleft": (
        "yes",
        "a copyleft license: commercial use allowed, but what you distribute from it must be "
        "shared under the same license",
    ),
    "gated-or-custom": (
        "conditional",
        "a model-specific license with use restrictions: commercial use depends on its terms",
    ),
    "non-commercial": ("no", "a non-commercial license: no commercial use"),
    "unknown": ("unknown", "no license the Hub can name: commercial use cannot be assumed"),
}
_RAIL = (
    "conditional",
    "a RAIL license: royalty-free commercial use, under a list of forbidden uses that must be "
    "passed on to every downstream user",
)
_LLAMA = (
    "conditional",
    "the Llama community license: commercial use allowed under Meta's acceptable use policy, "
    "and not for products with over 700 million monthly active users without a separate license",
)
_BY_ID: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        (
            "openrail",
            "openrail++",
            "bigscience-openrail-m",
            "creativeml-openrail-m",
            "bigcode-openrail-m",
            "bigscience-bloom-rail-1.0",
        ),
        _RAIL,
    ),
    **dict.fromkeys(("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"), _LLAMA),
    "gemma": (
        "conditional",
        "the Gemma terms of use: commercial use allowed under Google's prohibited use policy, "
        "which must be passed on",
    ),
    "grok2-community": (
        "conditional",
        "the Grok 2 community license: commercial use only within its terms (read them)",
    ),
    "cc-by-nd-4.0": (
        "conditional",
        "CC-BY-ND: commercial use of the model as is, but no derivatives (no fine-tunes to ship)",
    ),
    "c-uda": (
        "conditional",
        "the Computational Use of Data Agreement: computational use only, no redistribution of "
        "the data",
    ),
    "other": (
        "unknown",
        "a custom license ('other'): read the license named on the card before any use",
    ),
    "unknown": ("unknown", "the card says the license is unknown: assume no rights"),
    "cc": (
        "unknown",
        "'cc' names no particular Creative Commons license (CC0 and CC-BY-NC-ND are both 'cc')",
    ),
    "fair-noncommercial-research-license": ("no", "FAIR's license: non-commercial research only"),
    "deepfloyd-if-license": ("no", "DeepFloyd IF's license: non-commercial research only"),
    "apple-amlr": ("no", "Apple's model license for research: research use only"),
    "h-research": ("no", "H company's research license: non-commercial research only"),
    "intel-research": ("no", "Intel's research use license: research only"),
    "apple-ascl": (
        "yes",
        "Apple's sample code license: use and redistribution allowed, keeping the notice",
    ),
}


def commercial_use(license_id: str | None) -> tuple[str, str]:
    """``(commercial_use, reason in words)`` of one license id; see :data:`COMMERCIAL_USE`."""
    key = _key(license_id)
    if key is None:
        return "unknown", "no license given: commercial use cannot be assumed"
    found = _BY_ID.get(key)
    if found is not None:
        return found
    cls = license_class(key)
    if cls == "gated-or-custom" and "rail" in key:
        return _RAIL
    if cls == "gated-or-custom" and key.startswith("llama"):
        return _LLAMA
    if key.startswith("cc-by-nc-nd") and cls == "non-commercial":
        return "no", "CC-BY-NC-ND: no commercial use and no derivatives"
    return _BY_CLASS[cls]


@dataclass(frozen=True)
class LicenseInfo:
    """One license id, resolved: what a check row shows."""

    license: str | None
    name: str | None
    link: str | None
    license_class: str
    commercial_use: str
    commercial_use_reason: str
    #: where the name and link come from ("the Hub's license list", "the model card"...)
    source: str
    #: True when the id was classed on purpose (False: a family prefix or nothing matched)
    deliberate: bool


def _key(license_id: object) -> str | None:
    if license_id is None or (isinstance(license_id, float) and math.isnan(license_id)):
        return None
    if not isinstance(license_id, str):
        raise TypeError(f"license_id must be a str or None, not {type(license_id).__name__}")
    key = license_id.strip().lower()
    return key or None


def license_info(
    license_id: str | None,
    *,
    license_name: str | None = None,
    license_link: str | None = None,
) -> LicenseInfo:
    """Resolve one license id.

    ``license_name`` / ``license_link`` are the card's fields of the same names: used for
    ``other`` (the Hub's way to name a custom license), and for any id the Hub does not list.
    """
    key = _key(license_id)
    cls = license_class(key)
    use, reason = commercial_use(key)
    if key is None:
        return LicenseInfo(None, None, None, cls, use, reason, "no license given", False)
    deliberate = key in LICENSE_IDS
    card_name = license_name.strip() if isinstance(license_name, str) else ""
    card_link = license_link.strip() if isinstance(license_link, str) else ""
    if key == "other" or key not in HUB_LICENSE_IDS:
        name = card_name or HUB_LICENSE_IDS.get(key)
        link = card_link or _LINKS.get(key) or _cc_link(key)
        if key == "other" and card_name:
            reason = f"a custom license ({card_name}): read it before any use"
        source = "the model card" if (card_name or card_link) else "not given on the card"
        return LicenseInfo(key, name, link, cls, use, reason, source, deliberate)
    spdx = _SPDX_IDS.get(key)
    link = _LINKS.get(key) or _cc_link(key) or (_SPDX.format(spdx) if spdx else None)
    return LicenseInfo(
        key, HUB_LICENSE_IDS[key], link, cls, use, reason, "the Hub's license list", deliberate
    )
