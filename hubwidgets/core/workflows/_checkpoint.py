"""A run's checkpoint: one parquet part per finished batch and a manifest saying what ran.

``dir/manifest.json`` holds the model, task, column, row count and a hash of the input column;
``dir/part-000123.parquet`` the outputs of one batch, with ``_position`` (the rows' positions in
the input frame). Resuming reads the parts back and runs only the rows none of them holds.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

MANIFEST = "manifest.json"
POSITION = "_position"
#: columns stored as JSON text in the parts (lists of dicts, arrays), by their last part
#: (a pipeline's ``"<step>.entities"`` too)
_JSON_COLUMNS = ("entities", "embedding", "neighbors")


def _json_column(name: object) -> bool:
    return str(name).rsplit(".", 1)[-1] in _JSON_COLUMNS


def column_hash(values: pd.Series) -> str:
    """A hash of the input column's values in order (what a checkpoint is for)."""
    keys = values.map(lambda v: v if isinstance(v, (str, bytes)) else repr(v))
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(keys, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:32]


class Checkpoint:
    """The checkpoint folder of one run (created, or checked against the run when it exists)."""

    def __init__(self, folder: str | os.PathLike[str], manifest: dict[str, Any]) -> None:
        if not isinstance(folder, (str, os.PathLike)):
            raise TypeError(f"checkpoint must be a folder path such as 'run1/', not {folder!r}")
        self.folder = Path(folder).expanduser()
        if self.folder.exists() and not self.folder.is_dir():
            raise ValueError(f"checkpoint {str(self.folder)!r} is a file, not a folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / MANIFEST
        if path.is_file():
            found = json.loads(path.read_text(encoding="utf-8"))
            differ = [k for k in manifest if found.get(k) != manifest[k]]
            if differ:
                said = "; ".join(
                    f"{k}: {found.get(k)!r} there, {manifest[k]!r} now" for k in differ
                )
                raise ValueError(
                    f"checkpoint {str(self.folder)!r} is from a different run ({said}). Use "
                    "another folder, or delete this one to start again."
                )
        else:
            path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")

    def done(self) -> pd.DataFrame:
        """The finished rows (``_position`` and the output columns), none when new."""
        parts = sorted(self.folder.glob("part-*.parquet"))
        if not parts:
            return pd.DataFrame()
        frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
        for name in frame.columns:
            if _json_column(name):
                frame[name] = frame[name].map(_load(str(name)))
        return frame.drop_duplicates(POSITION, keep="last")

    def write(self, positions: list[int], rows: dict[str, list[Any]]) -> None:
        """One finished batch, written whole (a temporary name, then renamed)."""
        frame = pd.DataFrame({POSITION: positions, **rows})
        for name in frame.columns:
            if _json_column(name):
                frame[name] = frame[name].map(_dump)
        final = self.folder / f"part-{positions[0]:09d}.parquet"
        temporary = final.with_suffix(".tmp")
        frame.to_parquet(temporary, index=False)
        os.replace(temporary, final)


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return json.dumps(value, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _load(name: str) -> Any:
    def load(text: Any) -> Any:
        if text is None or (isinstance(text, float) and np.isnan(text)):
            return None
        value = json.loads(text)
        embedding = name.rsplit(".", 1)[-1] == "embedding"
        return np.asarray(value, dtype=np.float32) if embedding else value

    return load
