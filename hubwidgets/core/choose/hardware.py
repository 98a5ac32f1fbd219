"""What this machine can hold: its RAM and GPUs, as a DataFrame.

GPUs are found through torch when it is importable (CUDA devices); without torch the machine is
reported as CPU only, and the table says so in its ``source`` column.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["available_memory", "hardware"]

COLUMNS = ("device", "kind", "name", "memory_bytes", "available_bytes", "source")


def _ram() -> tuple[int | None, int | None, str]:
    """(total, available, how it was measured) of the system RAM."""
    try:
        import psutil  # noqa: PLC0415 - optional

        vm = psutil.virtual_memory()
        return int(vm.total), int(vm.available), "psutil.virtual_memory()"
    except ImportError:
        pass
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        values: dict[str, int] = {}
        for line in meminfo.read_text().splitlines():
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[0].isdigit():
                values[key] = int(parts[0]) * 1024  # kB
        if "MemTotal" in values:
            return values["MemTotal"], values.get("MemAvailable"), "/proc/meminfo"
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        total = page * os.sysconf("SC_PHYS_PAGES")
        avail = page * os.sysconf("SC_AVPHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None, None, "unknown: neither psutil, /proc/meminfo nor os.sysconf"
    return int(total), int(avail), "os.sysconf"


def _gpus() -> tuple[list[dict[str, Any]], str]:
    """CUDA devices through torch, and a note on how (or why not) they were looked for."""
    try:
        import torch  # type: ignore[import-not-found, unused-ignore]  # noqa: PLC0415
    except ImportError:
        return [], "torch is not installed: GPUs not detected, CPU only"
    try:
        if not torch.cuda.is_available():
            return [], "torch.cuda.is_available() is False: CPU only"
        rows = []
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            free, total = torch.cuda.mem_get_info(i)
            rows.append(
                {
                    "device": f"cuda:{i}",
                    "kind": "cuda",
                    "name": str(props.name),
                    "memory_bytes": int(total),
                    "available_bytes": int(free),
                    "source": "torch.cuda",
                }
            )
    except Exception as err:  # a broken driver must not break a comparison
        return [], f"torch.cuda failed ({err!r}): CPU only"
    return rows, "torch.cuda"


def hardware() -> pd.DataFrame:
    """This machine's memory devices, one row each: the CPU's RAM, then each CUDA GPU.

    Columns: ``device`` ('cpu', 'cuda:0', ...), ``kind`` ('cpu' or 'cuda'), ``name``,
    ``memory_bytes`` (total), ``available_bytes`` (free now), ``source`` (how it was measured;
    the CPU row also says whether GPUs were looked for).
    """
    total, avail, how = _ram()
    gpus, gpu_note = _gpus()
    cpu = {
        "device": "cpu",
        "kind": "cpu",
        "name": _cpu_name(),
        "memory_bytes": total,
        "available_bytes": avail,
        "source": how if gpus else f"{how}; {gpu_note}",
    }
    df = pd.DataFrame([cpu, *gpus], columns=list(COLUMNS))
    for col in ("memory_bytes", "available_bytes"):
        df[col] = df[col].astype("Int64")
    for col in ("device", "kind", "name", "source"):
        df[col] = df[col].astype("string")
    return df


@cache
def _cpu_name() -> str | None:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return None


def available_memory(hw: pd.DataFrame | None = None) -> tuple[int | None, str]:
    """(bytes, which device) a model can be loaded into: the largest GPU's total memory when
    there is a GPU, else the RAM available now."""
    hw = hardware() if hw is None else hw
    gpus = hw[hw["kind"] == "cuda"]
    if len(gpus):
        best = gpus.iloc[int(np.argmax(gpus["memory_bytes"].to_numpy(dtype="float64")))]
        return int(best["memory_bytes"]), f"{best['device']} ({best['name']}) total memory"
    cpu = hw[hw["kind"] == "cpu"].iloc[0]
    if pd.isna(cpu["available_bytes"]):
        return None, "RAM available unknown"
    return int(cpu["available_bytes"]), "RAM available (no GPU detected)"
