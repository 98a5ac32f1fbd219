#!/usr/bin/env python
"""Validate the bundled starter snapshot ``hubwidgets/core/data/starter_models.jsonl``.

Checks:
- line 1 is the ``{"_meta": {...}}`` header (with ``as_of``, ``origin``, ``approximate``, ``note``);
- every other line is one compact JSON object in the Hub's ``/api/models`` shape, with a unique
  ``id`` of the form ``owner/name`` and ``author`` equal to the owner;
- ``pipeline_tag`` is one of the Hub's pipeline tags (``task`` values of
  ``shared/data/pipeline-tasks.json``, when that file exists);
- ``library_name`` is a Hub library id (``model-libraries.json``, when it exists), or
  ``gguf``, which the Hub serves for GGUF repos though huggingface.js lists no such library;
- no placeholder values: no ``0``, ``""``, ``None``/``null``, empty list or empty dict anywhere;
- numbers (downloads, likes, safetensors/gguf totals) are positive ints, never floats or bools;
- ``createdAt`` is ``YYYY-MM-DDTHH:MM:SS.000Z``; ``gated`` is false, "auto" or "manual";
  ``private`` is false; tags are unique non-empty strings; ``cardData.license`` matches the
  ``license:`` tag and ``cardData.base_model`` has ``base_model:`` tags;
- the file is under 200 KB.

Prints counts per modality, task and library. Exits 1 on any problem.

Usage: python scripts/check_starter.py [PATH] [--shared DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PATH = REPO / "hubwidgets" / "core" / "data" / "starter_models.jsonl"
DEFAULT_SHARED = REPO.parent / "shared" / "data"
MAX_BYTES = 200 * 1024
EXTRA_LIBRARIES = {"gguf"}  # served by the Hub for GGUF repos; absent from model-libraries.ts
ALLOWED_KEYS = {
    "id",
    "author",
    "pipeline_tag",
    "library_name",
    "tags",
    "cardData",
    "createdAt",
    "safetensors",
    "gguf",
    "gated",
    "private",
    "downloads",
    "likes",
}
REQUIRED_KEYS = {"id", "author", "tags", "gated", "private"}
META_KEYS = {"as_of", "origin", "approximate", "note"}
CREATED_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")


def _load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def load_vocab(shared: Path) -> tuple[dict[str, str] | None, set[str] | None]:
    """({pipeline tag: modality} or None, {library id} or None) from the shared data folder."""
    tasks = _load_json(shared / "pipeline-tasks.json")
    libs = _load_json(shared / "model-libraries.json")
    task_mod = {t["task"]: t.get("modality", "?") for t in tasks["tasks"]} if tasks else None
    lib_ids = {entry["library"] for entry in libs["libraries"]} if libs else None
    return task_mod, lib_ids


def _placeholders(value: object, where: str) -> list[str]:
    """Paths of 0 / "" / null / [] / {} / float values inside a record (bools are fine)."""
    problem = None
    if value is None:
        problem = "is null"
    elif isinstance(value, float):
        problem = f"is a float ({value})"
    elif isinstance(value, int) and not isinstance(value, bool) and value <= 0:
        problem = f"is {value}"
    elif isinstance(value, str) and not value.strip():
        problem = "is an empty string"
    elif isinstance(value, (list, dict)) and not value:
        problem = "is empty"
    if problem:
        return [f"{where} {problem}"]
    if isinstance(value, (list, dict)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return [e for key, item in items for e in _placeholders(item, f"{where}.{key}")]
    return []


def _check_shape(rec: dict) -> list[str]:
    errs: list[str] = []
    unknown = set(rec) - ALLOWED_KEYS
    if unknown:
        errs.append(f"unexpected keys {sorted(unknown)}")
    missing = REQUIRED_KEYS - set(rec)
    if missing:
        errs.append(f"missing keys {sorted(missing)}")
    model_id = rec.get("id")
    if not isinstance(model_id, str) or not ID_RE.match(model_id):
        errs.append(f"bad id {model_id!r}")
    elif rec.get("author") != model_id.split("/", 1)[0]:
        errs.append(f"author {rec.get('author')!r} is not the id's owner")
    if rec.get("gated") not in (False, "auto", "manual"):
        errs.append(f"gated must be false, 'auto' or 'manual', not {rec.get('gated')!r}")
    if rec.get("private") is not False:
        errs.append("private must be false")
    created = rec.get("createdAt")
    if created is not None and (not isinstance(created, str) or not CREATED_RE.match(created)):
        errs.append(f"bad createdAt {created!r}")
    return errs


def _check_vocab(rec: dict, task_mod: dict[str, str] | None, lib_ids: set[str] | None) -> list[str]:
    errs: list[str] = []
    task = rec.get("pipeline_tag")
    if task is not None and task_mod is not None and task not in task_mod:
        errs.append(f"unknown pipeline_tag {task!r}")
    lib = rec.get("library_name")
    if lib is not None and lib_ids is not None and lib not in lib_ids | EXTRA_LIBRARIES:
        errs.append(f"unknown library_name {lib!r}")
    return errs


def _check_numbers(rec: dict) -> list[str]:
    errs = [
        f"{key} must be an int"
        for key in ("downloads", "likes")
        if key in rec and type(rec[key]) is not int
    ]
    for key in ("safetensors", "gguf"):
        info = rec.get(key)
        if key in rec and (
            not isinstance(info, dict) or set(info) != {"total"} or type(info["total"]) is not int
        ):
            errs.append(f"{key} must be {{'total': <int>}}")
    if "safetensors" in rec and "gguf" in rec:
        errs.append("both safetensors and gguf totals")
    return errs


def _check_tags_and_card(rec: dict) -> list[str]:
    errs: list[str] = []
    tags = rec.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        return ["tags must be a list of non-empty strings"]
    if len(set(tags)) != len(tags):
        errs.append("duplicate tags")
    lib = rec.get("library_name")
    if lib and lib not in tags:
        errs.append(f"library {lib!r} missing from tags")
    card = rec.get("cardData", {})
    if not isinstance(card, dict):
        return [*errs, "cardData must be an object"]
    lic = card.get("license")
    lic_tags = [t[len("license:") :] for t in tags if t.startswith("license:")]
    if (lic is None and lic_tags) or (lic is not None and lic_tags != [lic]):
        errs.append(f"cardData.license {lic!r} does not match license tags {lic_tags}")
    langs = card.get("language")
    if langs is not None and (
        not isinstance(langs, list) or not all(isinstance(x, str) and x for x in langs)
    ):
        errs.append("cardData.language must be a list of strings")
    base = card.get("base_model")
    bases = [base] if isinstance(base, str) else (base or [])
    errs += [
        f"base_model {b!r} has no base_model: tag" for b in bases if f"base_model:{b}" not in tags
    ]
    return errs


def check_record(rec: dict, task_mod: dict[str, str] | None, lib_ids: set[str] | None) -> list[str]:
    """Problems with one model record (empty when it is fine)."""
    return [
        *_check_shape(rec),
        *_placeholders(rec, "record"),
        *_check_vocab(rec, task_mod, lib_ids),
        *_check_numbers(rec),
        *_check_tags_and_card(rec),
    ]


def _check_header(first_line: str) -> list[str]:
    try:
        header = json.loads(first_line)
    except json.JSONDecodeError as err:
        return [f"line 1: not JSON ({err})"]
    meta = header.get("_meta") if isinstance(header, dict) else None
    if not isinstance(meta, dict) or set(header) != {"_meta"}:
        return ["line 1 must be the {'_meta': {...}} header"]
    if not set(meta) >= META_KEYS:
        return [f"header lacks {sorted(META_KEYS - set(meta))}"]
    return []


def _parse_line(line: str, lineno: int) -> tuple[dict | None, list[str]]:
    if not line.strip():
        return None, [f"line {lineno}: blank line"]
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as err:
        return None, [f"line {lineno}: not JSON ({err})"]
    if not isinstance(rec, dict) or "_meta" in rec:
        return None, [f"line {lineno}: not a model record"]
    if json.dumps(rec, separators=(",", ":"), ensure_ascii=False) != line:
        return rec, [f"line {lineno}: not written compactly (separators=(',', ':'))"]
    return rec, []


def check_file(path: Path, shared: Path) -> tuple[list[str], list[dict], dict[str, str] | None]:
    """(problems, model records, {pipeline tag: modality} or None) for one snapshot file."""
    raw = path.read_bytes()
    problems: list[str] = []
    if len(raw) >= MAX_BYTES:
        problems.append(f"file is {len(raw)} bytes, must be under {MAX_BYTES}")
    lines = raw.decode("utf-8").splitlines()
    if not lines:
        return [*problems, "file is empty"], [], None
    problems += _check_header(lines[0])
    task_mod, lib_ids = load_vocab(shared)
    for name, vocab in (("pipeline-tasks.json", task_mod), ("model-libraries.json", lib_ids)):
        if vocab is None:
            print(f"note: {shared / name} not found; not checked against it")
    records: list[dict] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(lines[1:], start=2):
        rec, errs = _parse_line(line, lineno)
        problems += errs
        if rec is None:
            continue
        problems += [
            f"line {lineno} ({rec.get('id')}): {e}" for e in check_record(rec, task_mod, lib_ids)
        ]
        key = str(rec.get("id")).lower()  # Hub ids are case-insensitive
        if key in seen:
            problems.append(f"line {lineno}: duplicate id {rec.get('id')} (line {seen[key]})")
        seen[key] = lineno
        records.append(rec)
    return problems, records, task_mod


def report(records: list[dict], task_mod: dict[str, str] | None, size: int) -> None:
    print(f"{len(records)} models, {size} bytes")
    modality = Counter(
        (task_mod or {}).get(r["pipeline_tag"], "?") if r.get("pipeline_tag") else "(no task)"
        for r in records
    )
    print("\nper modality:")
    for name, n in modality.most_common():
        print(f"  {n:4d}  {name}")
    print("\nper task:")
    for name, n in Counter(r.get("pipeline_tag") or "(none)" for r in records).most_common():
        print(f"  {n:4d}  {name}")
    print("\nper library:")
    for name, n in Counter(r.get("library_name") or "(none)" for r in records).most_common():
        print(f"  {n:4d}  {name}")
    counts = {
        "parameter count": sum("safetensors" in r or "gguf" in r for r in records),
        "createdAt": sum("createdAt" in r for r in records),
        "gated": sum(bool(r.get("gated")) for r in records),
        "downloads": sum("downloads" in r for r in records),
        "likes": sum("likes" in r for r in records),
    }
    print("\nwith " + "; ".join(f"{k}: {v}" for k, v in counts.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="folder with pipeline-tasks.json and model-libraries.json",
    )
    args = parser.parse_args(argv)
    problems, records, task_mod = check_file(args.path, args.shared)
    report(records, task_mod, args.path.stat().st_size)
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
