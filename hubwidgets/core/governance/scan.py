"""Is a model safe to load? Weight formats, custom code, the Hub's scan verdicts and local scans.

Nothing here runs what it looks at: pickles are disassembled by picklescan (opcodes are listed,
never executed), safetensors files are read up to the end of their JSON header, config.json is
parsed as JSON and repository code is only listed. Every verdict that is not a completed, clean
scan is reported as such: a missing, queued, failed or unreadable scan is never "safe".

- :func:`weight_formats`: which weight formats a file list holds, pickle only or not.
- :func:`custom_code`: the files of code a model needs to run (config ``auto_map``, ``*.py``).
- :func:`hub_scan`: the Hub's verdicts (``securityRepoStatus``, ``securityFileStatus``)
  normalized to a summary and one finding row per issue.
- :func:`local_scan`: scan a folder (or one file) on disk, the same summary plus timing.

Findings are DataFrames with the columns :data:`FINDING_COLUMNS`; ``severity`` is one of
:data:`SEVERITIES`; summaries carry ``scan_status``, one of :data:`SCAN_STATUSES`.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import logging
import os
import re
import struct
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "FINDING_COLUMNS",
    "HUB_FILE_SCANNERS",
    "MODELSCAN_MISSING",
    "PICKLE_EXTENSIONS",
    "SCAN_STATUSES",
    "SEVERITIES",
    "custom_code",
    "hub_scan",
    "local_scan",
    "scan_findings_frame",
    "weight_formats",
    "worst_status",
]

#: The columns of every findings frame: one row per finding.
FINDING_COLUMNS = ("model", "file", "scanner", "severity", "detail")

#: Severities of a finding, mildest first ("error": the file could not be scanned).
SEVERITIES = ("info", "caution", "suspicious", "unsafe", "error")

#: Values of a summary's ``scan_status`` (the Hub's own repo levels).
SCAN_STATUSES = ("safe", "caution", "suspicious", "unsafe", "queued", "error", "unscanned")

#: How bad a status is, to take the worst over files and scanners. Known problems rank above
#: "we do not know" (error > queued > unscanned), and every one of them ranks above "safe".
_STATUS_RANK = {
    "safe": 0,
    "unscanned": 1,
    "queued": 2,
    "error": 3,
    "caution": 4,
    "suspicious": 5,
    "unsafe": 6,
}

#: The scanners of the Hub's per-file record (``securityFileStatus``), in display order.
HUB_FILE_SCANNERS = ("protectAiScan", "avScan", "pickleImportScan", "jFrogScan", "virusTotalScan")

#: snake_case spellings (huggingface_hub's ``BlobSecurityInfo``) of the per-file scanners.
_SCANNER_ALIASES = {
    "protect_ai_scan": "protectAiScan",
    "av_scan": "avScan",
    "pickle_import_scan": "pickleImportScan",
    "jfrog_scan": "jFrogScan",
    "j_frog_scan": "jFrogScan",
    "virus_total_scan": "virusTotalScan",
}

#: Extensions of files that are Python pickles (``torch.save`` writes them, ``torch.load`` and
#: ``pickle.load`` can run code while reading them). ``.bin`` is a pickle unless it is an
#: OpenVINO weights file (a ``.xml`` of the same stem beside it) or a GGML file ("ggml" in its
#: name): both are raw tensors. A ``.bin`` inside any other folder is still taken as a pickle.
PICKLE_EXTENSIONS = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")

#: Other weight formats, by extension.
_FORMAT_BY_EXTENSION = {
    ".safetensors": "safetensors",
    ".gguf": "gguf",
    ".onnx": "onnx",
    ".onnx_data": "onnx",
    ".h5": "h5",
    ".hdf5": "h5",
    ".keras": "keras",
    ".msgpack": "flax",
    ".tflite": "tflite",
    ".pb": "tensorflow",
    ".mlmodel": "coreml",
    ".npy": "numpy",
    ".npz": "numpy",
    ".joblib": "joblib",
}

#: The largest safetensors header the format allows (the safetensors library refuses more).
_MAX_SAFETENSORS_HEADER = 100_000_000

_HUB_LEVEL_DETAIL = {
    "unscanned": "the Hub has not scanned this file",
    "queued": "the Hub's scan of this file is queued (not done yet)",
    "error": "the Hub's scan of this file failed",
    "caution": "the Hub flags this file: caution",
    "suspicious": "the Hub flags this file as suspicious",
    "unsafe": "the Hub flags this file as unsafe",
}

_SIBLING_REPR = re.compile(r"rfilename=(['\"])(?P<name>.*?)\1")


# -- helpers -----------------------------------------------------------------------------------


def scan_findings_frame(rows: Iterable[Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """A findings DataFrame with exactly :data:`FINDING_COLUMNS` (string columns), from rows
    given as mappings; an empty frame with those columns when there are none."""
    records = [{c: row.get(c) for c in FINDING_COLUMNS} for row in (rows or [])]
    frame = pd.DataFrame(records, columns=list(FINDING_COLUMNS))
    for sev in frame["severity"]:
        if sev not in SEVERITIES:
            raise ValueError(f"unknown finding severity {sev!r}; use one of {list(SEVERITIES)}")
    return frame.astype(object)


def worst_status(statuses: Iterable[str]) -> str:
    """The worst of ``statuses`` (values of :data:`SCAN_STATUSES`); "unscanned" when empty."""
    worst: str | None = None
    for status in statuses:
        if status not in _STATUS_RANK:
            raise ValueError(f"unknown scan status {status!r}; use one of {list(SCAN_STATUSES)}")
        if worst is None or _STATUS_RANK[status] > _STATUS_RANK[worst]:
            worst = status
    return worst if worst is not None else "unscanned"


def _file_name(entry: Any) -> str | None:
    """A repo path from a file-list entry: a str, a mapping with ``rfilename``/``path``, an
    object with those attributes, or the repr of a huggingface_hub ``RepoSibling``."""
    if isinstance(entry, str):
        if entry.startswith("RepoSibling("):
            found = _SIBLING_REPR.search(entry)
            return found.group("name") if found else None
        return entry
    if isinstance(entry, Mapping):
        value = entry.get("rfilename", entry.get("path"))
        return value if isinstance(value, str) else None
    value = getattr(entry, "rfilename", getattr(entry, "path", None))
    return value if isinstance(value, str) else None


def _names(files: Sequence[Any] | None) -> list[str]:
    if files is None:
        return []
    if isinstance(files, (str, bytes)):
        raise TypeError(
            "files must be a list of repo paths (e.g. ['config.json', 'model.safetensors']), "
            f"not a single {type(files).__name__}"
        )
    return [name for name in (_file_name(f) for f in files) if name]


def _format_of(name: str, all_names: set[str]) -> str | None:
    """The weight format of one repo path (``None``: not a weights file)."""
    lower = name.lower()
    ext = os.path.splitext(lower)[1]
    if lower.endswith(".onnx.data"):
        return "onnx"
    if ext == ".bin":
        base = name.rsplit("/", 1)[-1].lower()
        if "ggml" in base:
            return "ggml"
        if name[: -len(ext)] + ".xml" in all_names:
            return "openvino"
        return "pickle"
    if ext in PICKLE_EXTENSIONS:
        return "pickle"
    return _FORMAT_BY_EXTENSION.get(ext)


# -- formats and custom code -------------------------------------------------------------------


def weight_formats(files: Sequence[Any]) -> dict[str, Any]:
    """Which weight formats a repository's file list holds.

    Args:
        files: repo paths (``["config.json", "model.safetensors"]``); mappings or
            ``RepoSibling`` objects (or their repr strings) with ``rfilename`` are accepted.

    Returns ``{"formats": sorted names, "pickle_files": sorted pickle paths, "pickle_only":
    bool, "safetensors": bool}``. Pickles are ``.bin .pt .pth .ckpt .pkl .pickle`` (see
    :data:`PICKLE_EXTENSIONS` for the ``.bin`` exceptions); other formats are safetensors,
    gguf, ggml, onnx, h5, keras, flax (msgpack), tflite, tensorflow (.pb), coreml, numpy,
    joblib, openvino. ``pickle_only``: pickle files and no weights in any other format.
    """
    names = _names(files)
    all_names = set(names)
    formats: set[str] = set()
    pickles: list[str] = []
    for name in names:
        fmt = _format_of(name, all_names)
        if fmt is None:
            continue
        formats.add(fmt)
        if fmt == "pickle":
            pickles.append(name)
    return {
        "formats": sorted(formats),
        "pickle_files": sorted(pickles),
        "pickle_only": bool(pickles) and formats == {"pickle"},
        "safetensors": "safetensors" in formats,
    }


def _auto_map_targets(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _auto_map_targets(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _auto_map_targets(item)


def _code_file(target: str) -> str | None:
    """``"modeling_x.MyModel"`` -> ``"modeling_x.py"``; ``"org/repo--modeling_x.MyModel"`` ->
    ``"org/repo--modeling_x.py"`` (the Hub's notation for code in another repository)."""
    target = target.strip()
    repo, sep, ref = target.rpartition("--")
    module = ref.rsplit(".", 1)[0] if "." in ref else ""
    if not module:
        return None
    path = module.replace(".", "/") + ".py"
    return f"{repo}--{path}" if sep else path


def custom_code(config: Mapping[str, Any] | None, files: Sequence[Any]) -> list[str]:
    """The files of code a model needs to run, sorted; ``[]`` when it needs none.

    From the config's ``auto_map`` (each ``module.Class`` target -> ``module.py``; a target in
    another repository keeps the Hub's ``org/repo--module.py`` notation) and its
    ``custom_pipelines`` implementations, plus every ``*.py`` file of the repository. The
    code is only listed, never imported.
    """
    if config is not None and not isinstance(config, Mapping):
        raise TypeError(
            f"config must be a mapping (a parsed config.json) or None, not {type(config).__name__}"
        )
    found: set[str] = set()
    if config:
        for key in ("auto_map", "custom_pipelines"):
            for target in _auto_map_targets(config.get(key)):
                path = _code_file(target)
                if path:
                    found.add(path)
    found.update(name for name in _names(files) if name.lower().endswith(".py"))
    return sorted(found)


# -- the Hub's verdicts ------------------------------------------------------------------------


def _get(record: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in record:
            return record[key]
    return None


def _as_mapping(value: Any) -> Mapping[str, Any] | None:
    if value is None or isinstance(value, Mapping):
        return value
    if hasattr(value, "__dict__"):
        return dict(vars(value))
    raise TypeError(f"expected a mapping (the Hub's scan JSON), not {type(value).__name__}")


def _level(value: Any) -> str:
    """A Hub status value as one of :data:`SCAN_STATUSES` (an unknown value -> "error")."""
    if isinstance(value, str) and value.lower() in _STATUS_RANK:
        return value.lower()
    if value is None:
        return "unscanned"
    return "error"


def _severity(level: str) -> str:
    return "info" if level in ("unscanned", "queued") else level


def _imports_detail(imports: Any) -> tuple[str, str]:
    """(worst level, words) of a pickleImportScan's imports list."""
    by_safety: dict[str, list[str]] = {}
    for item in imports or []:
        if not isinstance(item, Mapping):
            continue
        safety = str(item.get("safety") or "unknown").lower()
        by_safety.setdefault(safety, []).append(f"{item.get('module')}.{item.get('name')}")
    level = "safe"
    parts = []
    if by_safety.get("dangerous"):
        level = "unsafe"
        parts.append("dangerous imports: " + ", ".join(sorted(by_safety["dangerous"])))
    if by_safety.get("suspicious") or by_safety.get("unknown"):
        level = worst_status([level, "suspicious"])
        names = by_safety.get("suspicious", []) + by_safety.get("unknown", [])
        parts.append("suspicious imports: " + ", ".join(sorted(names)))
    return level, "; ".join(parts)


def _scanner_finding(scanner: str, result: Any) -> tuple[str, str]:
    """(level, detail) of one scanner's result in a per-file record (new or older shape)."""
    if not isinstance(result, Mapping):
        return ("unscanned", "no result") if result is None else ("error", f"result {result!r}")
    message = str(result.get("message") or "").strip()
    if "status" in result:
        level = _level(result.get("status"))
    elif scanner == "avScan" and "virusFound" in result:  # the older shape
        level = "unsafe" if result.get("virusFound") else "safe"
        if result.get("virusFound"):
            message = "viruses: " + ", ".join(map(str, result.get("virusNames") or [])) or message
    elif scanner == "pickleImportScan" and "highestSafetyLevel" in result:
        level = {"innocuous": "safe", "suspicious": "suspicious", "dangerous": "unsafe"}.get(
            str(result.get("highestSafetyLevel")).lower(), "error"
        )
    else:
        level = "unscanned"
    if scanner == "pickleImportScan":
        imports = result.get("pickleImports", result.get("imports"))
        import_level, words = _imports_detail(imports)
        level = worst_status([level, import_level])
        message = "; ".join(p for p in (words, message) if p)
    return level, message or _HUB_LEVEL_DETAIL.get(level, level)


def _file_record_findings(path: str, record: Any) -> tuple[str, list[tuple[str, str, str]]]:
    """(the file's level, [(scanner, level, detail)] for each scanner not safe)."""
    rec = _as_mapping(record)
    if not rec:
        return "unscanned", [("hub", "unscanned", _HUB_LEVEL_DETAIL["unscanned"])]
    rec = {_SCANNER_ALIASES.get(k, k): v for k, v in rec.items()}
    levels: list[str] = []
    issues: list[tuple[str, str, str]] = []
    for scanner in HUB_FILE_SCANNERS:
        if scanner not in rec:
            continue
        level, detail = _scanner_finding(scanner, rec[scanner])
        levels.append(level)
        if level != "safe":
            issues.append((scanner, level, detail))
    if "status" in rec:
        overall = _level(rec["status"])
    elif "safe" in rec:  # the older shape: a bool
        overall = "safe" if rec["safe"] is True else ("unsafe" if rec["safe"] is False else "error")
    else:
        overall = worst_status(levels) if levels else "unscanned"
    file_level = worst_status([overall, *levels])
    if file_level != "safe" and not issues:
        issues.append(("hub", file_level, _HUB_LEVEL_DETAIL.get(file_level, file_level)))
    return file_level, issues


def _repo_levels(repo: Mapping[str, Any]) -> tuple[bool | None, list[tuple[str, str]]]:
    """(scansDone, [(path, level)] of the files with issues) of a ``securityRepoStatus``."""
    done = _get(repo, "scansDone", "scans_done")
    out: list[tuple[str, str]] = []
    for item in _get(repo, "filesWithIssues", "files_with_issues") or []:
        if isinstance(item, str):
            path, level = item, "error"
        elif isinstance(item, Mapping):
            path, level = str(item.get("path")), _level(item.get("level"))
        else:
            continue
        if level != "safe":
            out.append((path, level))
    return (bool(done) if done is not None else None), out


def hub_scan(
    model: str,
    repo_status: Mapping[str, Any] | None,
    file_status: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """The Hub's security verdicts for ``model``, normalized.

    Args:
        model: the model id (copied into the findings' ``model`` column).
        repo_status: the repo-level ``securityRepoStatus`` (huggingface_hub:
            ``ModelInfo.security_repo_status``): ``{"scansDone": bool, "filesWithIssues":
            [{"path", "level"}]}``; ``None`` when the Hub gave none (-> "unscanned").
        file_status: per-file records (``securityFileStatus`` / ``RepoFile.security``) by path:
            ``{"status", "protectAiScan", "avScan", "pickleImportScan", "jFrogScan",
            "virusTotalScan"}`` (or the older ``{"safe", "avScan": {"virusFound"},
            "pickleImportScan": {"highestSafetyLevel", "imports"}}``).

    Returns ``(summary, findings)``: ``summary = {"scan_status", "scans_done",
    "files_with_issues"}`` where ``scan_status`` is the worst level over the repo (one of
    :data:`SCAN_STATUSES`; "queued" when the scans are not done, "unscanned" without any
    verdict: never "safe" unless the Hub said so), and one findings row per file with an
    issue and, from a per-file record, per scanner that is not safe (pickleImportScan's detail
    names the dangerous and suspicious imports). Queued / unscanned rows have severity "info".
    """
    if not isinstance(model, str) or not model:
        raise TypeError(f"model must be a model id (a non-empty str), not {model!r}")
    repo = _as_mapping(repo_status)
    files = _as_mapping(file_status) or {}
    levels: list[str] = []
    issues: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    scans_done: bool | None = None

    per_file: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
    for path, record in files.items():
        per_file[str(path)] = _file_record_findings(str(path), record)

    if repo:
        scans_done, repo_levels = _repo_levels(repo)
        for path, level in repo_levels:
            levels.append(level)
            issues[path] = worst_status([issues.get(path, "safe"), level])
            if not per_file.get(path, ("safe", []))[1]:  # no per-file rows say more
                rows.append(
                    {
                        "model": model,
                        "file": path,
                        "scanner": "hub",
                        "severity": _severity(level),
                        "detail": _HUB_LEVEL_DETAIL[level],
                    }
                )
        if scans_done is not True:
            levels.append("queued" if scans_done is False else "unscanned")
        elif not levels:
            levels.append("safe")

    for path, (level, found) in per_file.items():
        levels.append(level)
        if level != "safe":
            issues[path] = worst_status([issues.get(path, "safe"), level])
        for scanner, lvl, detail in found:
            rows.append(
                {
                    "model": model,
                    "file": path,
                    "scanner": scanner,
                    "severity": _severity(lvl),
                    "detail": detail,
                }
            )

    summary = {
        "scan_status": worst_status(levels) if levels else "unscanned",
        "scans_done": scans_done,
        "files_with_issues": sorted(issues),
    }
    return summary, scan_findings_frame(rows)


# -- local scans -------------------------------------------------------------------------------


#: Serializes picklescan calls: each one borrows picklescan's logger (CPU-bound anyway).
_PICKLESCAN_LOCK = threading.Lock()


class _PicklescanLog(logging.Handler):
    """Collects picklescan's warnings while one file is scanned (it reports a stream it could
    not parse only as a log line)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


#: The first pickle of a legacy (non-zip) ``torch.save`` file: its magic number.
_TORCH_LEGACY_MAGIC = (
    b"\x80\x02\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19."  # pickle of 0x1950a86a20f9469cfc6c
)

Finding = tuple[str, str, str]  # (scanner, severity, detail) of one file


def _pickle_tail_problem(path: Path, size: int) -> str | None:
    """Why a plain (non-zip) pickle file is cut short, else ``None``: a pickle stream ends with
    the STOP opcode ``.``. A legacy torch file (its magic-number pickle first) ends with raw
    tensor bytes instead and is not checked this way."""
    if size == 0:
        return "empty file"
    with path.open("rb") as fh:
        head = fh.read(len(_TORCH_LEGACY_MAGIC))
        if head[:4] == b"PK\x03\x04" or head == _TORCH_LEGACY_MAGIC:
            return None
        fh.seek(-1, os.SEEK_END)
        last = fh.read(1)
    return None if last == b"." else "truncated: the pickle stream does not end with STOP"


def _picklescan_file(path: Path) -> tuple[Any, list[str]]:
    """picklescan's result for one file and the warnings it logged meanwhile."""
    from picklescan.scanner import scan_file_path  # type: ignore[import-untyped]  # noqa: PLC0415

    logger = logging.getLogger("picklescan")
    handler = _PicklescanLog()
    with _PICKLESCAN_LOCK:  # one scan at a time owns the logger's settings
        old_level, old_propagate = logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = False  # picklescan's warnings become findings, not log noise
        try:
            return scan_file_path(str(path)), handler.messages
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
            logger.propagate = old_propagate


def _scan_pickle(path: Path, size: int) -> tuple[str, list[Finding]]:
    """(level, findings) of one pickle file (or zip torch checkpoint), disassembled by
    picklescan: nothing in it is unpickled."""
    from picklescan.scanner import SafetyLevel  # noqa: PLC0415

    tail = _pickle_tail_problem(path, size)
    if tail == "empty file":
        return "error", [("picklescan", "error", tail)]
    try:
        result, messages = _picklescan_file(path)
    except Exception as exc:  # a scanner failure is a finding, never a crash
        detail = f"could not scan: {type(exc).__name__}: {exc}"
        return "error", [("picklescan", "error", detail)]

    def imports(safety: Any) -> list[str]:
        return sorted({f"{g.module}.{g.name}" for g in result.globals if g.safety == safety})

    found: list[Finding] = []
    dangerous, suspicious = imports(SafetyLevel.Dangerous), imports(SafetyLevel.Suspicious)
    if dangerous:
        found.append(("picklescan", "unsafe", "dangerous imports: " + ", ".join(dangerous)))
    if suspicious:
        found.append(("picklescan", "suspicious", "suspicious imports: " + ", ".join(suspicious)))
    unparsed = f"could not parse {path} as pickle"
    if result.scan_err:
        found.append(("picklescan", "error", "the pickle stream is truncated or corrupt"))
    elif tail is not None:
        found.append(("picklescan", "error", tail))
    elif not result.globals and any(unparsed in m for m in messages):
        found.append(("picklescan", "error", "not a readable pickle (truncated or corrupt)"))
    elif result.scanned_files == 0:
        found.append(("picklescan", "error", "picklescan found nothing to scan in this file"))
    return worst_status([sev for _, sev, _ in found] or ["safe"]), found


#: What a local scan of pickles says when modelscan (the optional second scanner) is absent.
MODELSCAN_MISSING = "modelscan not installed (pip install hubwidgets[scan])"

#: modelscan's issue severities as finding severities.
_MODELSCAN_SEVERITY = {
    "CRITICAL": "unsafe",
    "HIGH": "unsafe",
    "MEDIUM": "suspicious",
    "LOW": "caution",
}


def modelscan_available() -> bool:
    """Whether modelscan (``pip install hubwidgets[scan]``) can be imported."""
    return importlib.util.find_spec("modelscan") is not None


def _modelscan_report(path: Path) -> dict[str, Any]:
    """modelscan's report on one file: its static analysis of the pickle opcodes (pickles,
    torch zip checkpoints), which unpickles nothing."""
    from modelscan.modelscan import ModelScan  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: PLC0415
    from modelscan.settings import DEFAULT_SETTINGS  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: PLC0415

    # its scanners read settings, never write them: a copy keeps the shared default safe anyway
    report: dict[str, Any] = ModelScan(settings=copy.deepcopy(DEFAULT_SETTINGS)).scan(str(path))
    return report


def _with_modelscan(path: Path, level: str, found: list[Finding]) -> tuple[str, list[Finding]]:
    """``(level, findings)`` of picklescan with modelscan's issues added (scanner
    "modelscan"). A file modelscan skips (a raw pickle named .bin is not a torch file to it)
    adds nothing; its errors count where picklescan read the file fine."""
    try:
        report = _modelscan_report(path)
    except Exception as exc:  # a scanner failure is a finding, never a crash
        return worst_status([level, "error"]), [
            *found,
            ("modelscan", "error", f"could not scan: {type(exc).__name__}: {exc}"),
        ]
    added: list[Finding] = []
    for issue in report.get("issues") or []:
        severity = _MODELSCAN_SEVERITY.get(str(issue.get("severity")).upper(), "suspicious")
        detail = str(issue.get("description") or "unsafe operator")
        inner = str(issue.get("source") or "")
        if ":" in inner:  # a member of a zip checkpoint: "model.pt:model/data.pkl"
            detail += f" (in {inner.split(':', 1)[1]})"
        added.append(("modelscan", f"{severity}", f"{detail}, severity {issue.get('severity')}"))
    if level != "error":
        for error in report.get("errors") or []:
            words = str(error.get("description") or error.get("category") or "failed")
            added.append(("modelscan", "error", f"could not scan: {words}"))
    levels = [level, *(sev for _, sev, _ in added)]
    return worst_status(levels), [*found, *added]


class _CorruptError(Exception):
    """A file's structure does not hold together (the message says how)."""


def _safetensors_header_end(path: Path, size: int) -> None:
    """Raise :class:`_CorruptError` unless ``path``'s JSON header parses and its tensors fit."""
    if size < 8:
        raise _CorruptError(f"truncated: {size} bytes, shorter than the 8-byte header length")
    with path.open("rb") as fh:
        (length,) = struct.unpack("<Q", fh.read(8))
        if length > _MAX_SAFETENSORS_HEADER:
            raise _CorruptError(
                f"corrupt header: declares {length} bytes (the format allows 100 MB)"
            )
        if 8 + length > size:
            raise _CorruptError(
                f"truncated: the header declares {length} bytes, the file has {size - 8}"
            )
        raw = fh.read(length)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _CorruptError(f"corrupt header: not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise _CorruptError("corrupt header: not a JSON object")
    end = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        offsets = info.get("data_offsets") if isinstance(info, dict) else None
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) for o in offsets)
            or offsets[0] > offsets[1]
        ):
            raise _CorruptError(f"corrupt header: tensor {name!r} has no valid data_offsets")
        end = max(end, offsets[1])
    data = size - 8 - length
    if end > data:
        raise _CorruptError(
            f"truncated: the header needs {end} bytes of tensor data, the file has {data}"
        )


def _scan_safetensors(path: Path, size: int) -> tuple[str, list[Finding]]:
    """Check a safetensors file from its JSON header only (no tensor is read)."""
    try:
        _safetensors_header_end(path, size)
    except _CorruptError as exc:
        return "error", [("safetensors", "error", str(exc))]
    return "safe", []


def _scan_gguf(path: Path, size: int) -> tuple[str, list[tuple[str, str, str]]]:
    """GGUF holds tensors and metadata, no code: check its magic number only."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != b"GGUF":
        return "error", [("gguf", "error", f"not a GGUF file (magic {magic!r}, {size} bytes)")]
    return "safe", []


def _walk(root: Path) -> Iterator[Path]:
    for base, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in (".git", ".cache", "__pycache__"))
        for name in sorted(names):
            yield Path(base) / name


def _scan_one(file: Path, fmt: str) -> tuple[str, list[Finding], int]:
    """(level, findings, size in bytes) of one weights file of format ``fmt``."""
    try:
        size = file.stat().st_size
        if fmt == "pickle":
            level, found = _scan_pickle(file, size)
            if modelscan_available():
                level, found = _with_modelscan(file, level, found)
            return level, found, size
        if fmt == "safetensors":
            return (*_scan_safetensors(file, size), size)
        if fmt == "gguf":
            return (*_scan_gguf(file, size), size)
    except OSError as exc:
        return "error", [("local", "error", f"unreadable: {exc.strerror or exc}")], 0
    return "unscanned", [("local", "info", f"{fmt} files are not scanned locally")], size


def _read_config(root: Path) -> tuple[Mapping[str, Any] | None, str | None]:
    """The folder's config.json parsed as JSON (never imported), or why it could not be."""
    path = root / "config.json"
    if not root.is_dir() or not path.is_file():
        return None, None
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"config.json is not readable JSON ({exc})"
    return (loaded if isinstance(loaded, dict) else None), None


def local_scan(model: str, path: str | Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """Scan the files of a folder (or one file) on disk without running any of them.

    - pickles (``.bin .pt .pth .ckpt .pkl .pickle``, also zip-based torch checkpoints) are
      disassembled with picklescan: dangerous imports -> "unsafe", imports it does not know ->
      "suspicious", a stream it cannot parse -> "error"; with modelscan installed
      (``pip install hubwidgets[scan]``) its static analysis runs on them too, its issues as
      findings of scanner "modelscan" (critical/high -> "unsafe", medium -> "suspicious",
      low -> "caution");
    - safetensors: only the 8-byte length and the JSON header are read; a header that is
      corrupt or promises more tensor bytes than the file holds -> "error";
    - gguf: the magic number is checked (the format holds no code);
    - other weight formats (onnx, h5, ...) are not scanned: an "info" finding, and the file
      counts as "unscanned";
    - code the model would run (config ``auto_map``, ``*.py``) -> one "caution" finding per
      file (scanner ``custom_code``), listed in ``summary["custom_code"]``; these do not change
      ``scan_status`` (a policy decides whether custom code is allowed).

    Returns ``(summary, findings)``: ``summary = {"scan_status", "scans_done",
    "files_with_issues", "files_scanned", "custom_code", "bytes_scanned", "seconds",
    "scanners", "scan_note"}``; ``scanners`` lists the scanners that ran, ``scan_note`` is
    :data:`MODELSCAN_MISSING` when there were pickles and modelscan is not installed, else "".
    ``scan_status`` is "safe" only if every weight file was scanned and found clean ("unscanned"
    when there is no weight file); ``bytes_scanned`` is the size of the weight files whose scan
    completed (a safetensors file counts whole: its header accounts for every byte).

    Raises ``ValueError`` when nothing exists at ``path``.
    """
    if not isinstance(model, str) or not model:
        raise TypeError(
            f"model must be a model id or a folder name (a non-empty str), not {model!r}"
        )
    root = Path(path).expanduser()
    if not root.exists():
        raise ValueError(f"no file or folder at {str(root)!r}: give the folder holding the model")
    started = time.perf_counter()
    files = [root] if root.is_file() else list(_walk(root))
    rel = {p: (p.name if p == root else p.relative_to(root).as_posix()) for p in files}
    names = set(rel.values())

    rows: list[dict[str, Any]] = []
    levels: list[str] = []
    issues: set[str] = set()
    bytes_scanned = 0
    scanned = 0
    seen: set[str] = set()  # the weight formats met

    def add(file: str, scanner: str, severity: str, detail: str) -> None:
        rows.append(
            {
                "model": model,
                "file": file,
                "scanner": scanner,
                "severity": severity,
                "detail": detail,
            }
        )

    for file in files:
        shown = rel[file]
        fmt = _format_of(shown, names)
        if fmt is None:
            continue
        level, found, size = _scan_one(file, fmt)
        seen.add(fmt)
        levels.append(level)
        if level not in ("safe", "unscanned"):
            issues.add(shown)
        if level not in ("error", "unscanned"):
            scanned += 1
            bytes_scanned += size
        for scanner, severity, detail in found:
            add(shown, scanner, severity, detail)

    config, problem = _read_config(root)
    if problem:
        add("config.json", "config", "error", problem)
        levels.append("error")
        issues.add("config.json")
    code = custom_code(config, sorted(names))
    auto_mapped = set(custom_code(config, [])) if config else set()
    for code_file in code:
        where = "config auto_map" if code_file in auto_mapped else "a Python file in the repository"
        missing = "" if code_file in names or "--" in code_file else " (missing from the folder)"
        add(code_file, "custom_code", "caution", f"runs its own code: {where}{missing}")

    summary = {
        "scan_status": worst_status(levels) if levels else "unscanned",
        "scans_done": all(lvl not in ("error", "unscanned") for lvl in levels) if levels else False,
        "files_with_issues": sorted(issues),
        "files_scanned": scanned,
        "custom_code": code,
        "bytes_scanned": bytes_scanned,
        "seconds": time.perf_counter() - started,
        **_scanners(seen),
    }
    return summary, scan_findings_frame(rows)


def _scanners(formats: set[str]) -> dict[str, Any]:
    """``scanners`` (those that ran on files of ``formats``) and ``scan_note`` of a summary."""
    ran = {_SCANNER_OF[f] for f in formats if f in _SCANNER_OF}
    note = ""
    if "pickle" in formats:
        if modelscan_available():
            ran.add("modelscan")
        else:
            note = MODELSCAN_MISSING
    return {"scanners": sorted(ran), "scan_note": note}


#: The scanner a local scan runs on each weight format it scans.
_SCANNER_OF = {"pickle": "picklescan", "safetensors": "safetensors", "gguf": "gguf"}
