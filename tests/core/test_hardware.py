"""hw.hardware(): this machine's RAM and GPUs (torch when importable, else CPU only)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.choose.hardware import COLUMNS, available_memory


def test_reports_the_ram_of_this_machine() -> None:
    df = hw.hardware()
    assert tuple(df.columns) == COLUMNS
    cpu = df.iloc[0]
    assert cpu["device"] == "cpu" and cpu["kind"] == "cpu"
    assert cpu["memory_bytes"] > 0
    assert 0 < cpu["available_bytes"] <= cpu["memory_bytes"]
    assert str(df["memory_bytes"].dtype) == "Int64"


@pytest.mark.skipif("torch" in sys.modules, reason="torch is loaded in this process")
def test_without_torch_it_says_cpu_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    df = hw.hardware()
    assert list(df["kind"]) == ["cpu"]
    assert "torch is not installed" in df.iloc[0]["source"]
    room, where = available_memory(df)
    assert room == df.iloc[0]["available_bytes"]
    assert "RAM available" in where


@pytest.mark.skipif(not Path("/proc/meminfo").is_file(), reason="needs /proc/meminfo")
def test_without_psutil_it_reads_proc_meminfo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psutil", None)
    cpu = hw.hardware().iloc[0]
    assert cpu["source"].startswith("/proc/meminfo")
    total_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    assert cpu["memory_bytes"] == total_kb * 1024


def _fake_torch(gpus: list[tuple[str, int, int]]) -> types.ModuleType:
    """A stand-in for torch.cuda with the given (name, total, free) devices."""
    torch = types.ModuleType("torch")
    cuda = types.SimpleNamespace(
        is_available=lambda: bool(gpus),
        device_count=lambda: len(gpus),
        get_device_properties=lambda i: types.SimpleNamespace(name=gpus[i][0]),
        mem_get_info=lambda i: (gpus[i][2], gpus[i][1]),
    )
    torch.cuda = cuda  # type: ignore[attr-defined]
    return torch


def test_gpus_come_from_torch_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    gpus = [("Tesla T4", 16 * 2**30, 15 * 2**30), ("NVIDIA A100", 80 * 2**30, 70 * 2**30)]
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(gpus))
    df = hw.hardware()
    assert list(df["device"]) == ["cpu", "cuda:0", "cuda:1"]
    assert list(df["kind"]) == ["cpu", "cuda", "cuda"]
    assert df.iloc[2]["name"] == "NVIDIA A100"
    assert df.iloc[2]["memory_bytes"] == 80 * 2**30
    assert df.iloc[2]["available_bytes"] == 70 * 2**30
    room, where = available_memory(df)
    assert room == 80 * 2**30  # the largest GPU, whatever the RAM
    assert where.startswith("cuda:1 (NVIDIA A100)")


def test_torch_without_cuda_is_cpu_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", _fake_torch([]))
    df = hw.hardware()
    assert list(df["kind"]) == ["cpu"]
    assert "is_available() is False" in df.iloc[0]["source"]


def test_unknown_ram_gives_no_room() -> None:
    df = pd.DataFrame(
        {
            "device": ["cpu"],
            "kind": ["cpu"],
            "name": [None],
            "memory_bytes": pd.array([None], dtype="Int64"),
            "available_bytes": pd.array([None], dtype="Int64"),
            "source": ["?"],
        }
    )
    assert available_memory(df) == (None, "RAM available unknown")
