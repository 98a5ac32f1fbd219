"""Hub records for registry demos and tests that run offline: models of the bundled starter
catalog, completed with what a Hub ``model_info`` record carries and the starter does not.

>>> from hubwidgets.testing.hub_server import HubServer
>>> with HubServer(starter_records()) as hub:                       # doctest: +SKIP
...     reg = hw.Registry(path, endpoint=hub.endpoint)
...     reg.register("openai-community/gpt2")

The starter records are hand-written from public model pages; each gets a commit sha (the sha1
of its id, so it is stable) and a file list (a README and ``model.safetensors``), which the
registry needs to pin a revision and hw.check needs to judge the weights. Per-dtype safetensors
counts, which the starter does not record, are dropped.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DEMO_IDS", "starter_records"]

#: The models a registry demo serves by default: small, ungated, permissively licensed.
DEMO_IDS: tuple[str, ...] = (
    "openai-community/gpt2",
    "Qwen/Qwen2.5-0.5B-Instruct",
    "HuggingFaceTB/SmolLM2-135M-Instruct",
)


@cache
def _starter() -> dict[str, dict[str, Any]]:
    path = Path(__file__).resolve().parents[1] / "core" / "data" / "starter_models.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return {str(r["id"]): r for r in rows if "id" in r}


def starter_records(ids: Sequence[str] = DEMO_IDS) -> list[dict[str, Any]]:
    """The starter's records of ``ids`` as a Hub serves them (see the module docstring).

    Raises:
        ValueError: an id the starter catalog does not hold.
    """
    starter = _starter()
    missing = [i for i in ids if i not in starter]
    if missing:
        raise ValueError(f"not in the starter catalog: {', '.join(missing)}")
    out = []
    for model in ids:
        record = copy.deepcopy(starter[model])
        record["sha"] = hashlib.sha1(model.encode(), usedforsecurity=False).hexdigest()
        record["siblings"] = [
            {"rfilename": name} for name in (".gitattributes", "README.md", "model.safetensors")
        ]
        record.pop("safetensors", None)
        out.append(record)
    return out
