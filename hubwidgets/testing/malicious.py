"""A model folder that would run code if anything loaded it: for tests and the governance tour.

:func:`malicious_folder` writes a folder shaped like a saved transformers model, with two traps:

- ``pytorch_model.bin`` is a pickle whose ``__reduce__`` calls ``builtins.exec`` on code that
  writes the *pickle marker* file: unpickling it (``pickle.load``, ``torch.load`` without
  ``weights_only``) creates the marker;
- ``config.json`` has an ``auto_map`` pointing at ``modeling_evil.py``, whose top level writes
  the *code marker* file: importing the repository's code (``trust_remote_code=True``) creates
  it.

Nothing here runs either trap: the pickle is written with ``pickle.dumps`` (which only records
the call), and the module is written as text. So a scan that leaves both markers absent has
provably neither unpickled nor imported what it scanned.
"""

from __future__ import annotations

import builtins
import collections
import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MaliciousFolder", "MarkerPayload", "malicious_folder"]


@dataclass(frozen=True)
class MaliciousFolder:
    """Where :func:`malicious_folder` put the model and the files its traps would write."""

    folder: Path
    """The model folder (``pytorch_model.bin``, ``config.json``, ``modeling_evil.py``)."""
    pickle_marker: Path
    """Written if ``pytorch_model.bin`` is ever unpickled."""
    code_marker: Path
    """Written if ``modeling_evil.py`` is ever imported."""

    def markers_written(self) -> list[str]:
        """The names of the markers that exist: ``[]`` means nothing was run."""
        return [p.name for p in (self.pickle_marker, self.code_marker) if p.exists()]


class MarkerPayload:
    """Pickles as a call of ``builtins.exec`` on code writing ``marker`` (dumping runs nothing)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (builtins.exec, (f"open({str(self.marker)!r}, 'w').write('x')",))


def malicious_folder(root: str | Path, name: str = "evil-model") -> MaliciousFolder:
    """Write the trapped model folder ``root/name`` and return where everything is.

    The markers go in ``root`` (beside the folder, not inside it, so a scan of the folder does
    not see them); ``root`` is created when missing. An existing ``root/name`` is refused
    (``FileExistsError``) rather than overwritten.
    """
    base = Path(root)
    base.mkdir(parents=True, exist_ok=True)
    folder = base / name
    folder.mkdir()
    found = MaliciousFolder(
        folder=folder,
        pickle_marker=base / f"{name}.MARKER_PICKLE",
        code_marker=base / f"{name}.MARKER_CODE",
    )
    state = collections.OrderedDict(weight=MarkerPayload(found.pickle_marker))
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps(state, protocol=4))
    config = {
        "model_type": "bert",
        "architectures": ["EvilForSequenceClassification"],
        "auto_map": {
            "AutoConfig": "modeling_evil.EvilConfig",
            "AutoModelForSequenceClassification": "modeling_evil.EvilForSequenceClassification",
        },
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2), "utf-8")
    (folder / "modeling_evil.py").write_text(
        f"open({str(found.code_marker)!r}, 'w').write('x')\n\n"
        "class EvilConfig: ...\n\n"
        "class EvilForSequenceClassification: ...\n",
        "utf-8",
    )
    return found
