"""Corrupt snapshot files and hostile text (issue 18, items 4, 7 and 8).

Snapshot files are made here with pyarrow, each damaged one way; ``hubwidgets snapshot info``
runs through the command line's ``main``. Text cleaning is checked where it happens:
``BackendError`` (every backend's errors, torch's coloured ones included) and the redactor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hubwidgets as hw
from hubwidgets.cli import main
from hubwidgets.core import _redact
from hubwidgets.core.catalog.catalog import SNAPSHOT_META_KEY
from hubwidgets.core.inference.backends import BackendError

from .servers import Timer

TOKEN = "hf_FilesAndTextToken0123456789ab"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    records = [{"id": "acme/a", "downloads": 2}, {"id": "acme/b", "downloads": 1}]
    path = tmp_path_factory.mktemp("snap") / "base.parquet"
    return hw.Catalog.from_records(records).to_parquet(path, name="base")


def _rewrite(base: Path, out: Path, meta: str | None = None, table: pa.Table | None = None) -> Path:
    """``base`` rewritten with other snapshot metadata (raw JSON text) or another table."""
    original = pq.read_table(base)
    table = original if table is None else table
    raw = meta if meta is not None else original.schema.metadata[SNAPSHOT_META_KEY].decode()
    pq.write_table(table.replace_schema_metadata({SNAPSHOT_META_KEY: raw}), out)
    return out


def _meta(base: Path, **changes: object) -> str:
    meta = json.loads(pq.read_table(base).schema.metadata[SNAPSHOT_META_KEY])
    return json.dumps({**meta, **changes})


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def _info(path: Path, capsys: pytest.CaptureFixture[str]) -> Done:
    """``hubwidgets snapshot info PATH``, run in this process (as tests/test_cli.py does)."""
    capsys.readouterr()
    status = main(["snapshot", "info", str(path)])
    out, err = capsys.readouterr()
    return Done(status, out, err)


def _refused(path: Path, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Opening refuses the file with one line naming it; ``snapshot info`` too, exit 2."""
    with pytest.raises(ValueError, match=says) as err:
        hw.open_catalog("snapshot", path=path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    done = _info(path, capsys)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_metadata_nested_100k_levels_is_one_line(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = '{"origin": ' + "[" * 100_000 + "]" * 100_000 + "}"
    _refused(_rewrite(base, tmp_path / "deep.parquet", deep), "nested too deeply", capsys)


@pytest.mark.parametrize("taken_at", [1733000000, 20261205, ["2026-01-01"]])
def test_taken_at_that_is_not_an_iso_string_is_one_line(
    base: Path, tmp_path: Path, taken_at: object, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _rewrite(base, tmp_path / "taken.parquet", _meta(base, taken_at=taken_at))
    _refused(path, "taken_at that is not an ISO date string", capsys)


def test_an_id_that_is_not_utf8_names_the_file(base: Path, tmp_path: Path) -> None:
    table = pq.read_table(base)
    offsets = pa.py_buffer(bytes([0, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 0]))
    bad = pa.Array.from_buffers(pa.string(), 2, [None, offsets, pa.py_buffer(b"a/\xffc/d")])
    path = _rewrite(base, tmp_path / "bytes.parquet", table=table.set_column(0, "id", bad))
    with pytest.raises(ValueError, match="the id column holds text that is not UTF-8") as err:
        hw.open_catalog("snapshot", path=path).search()
    assert str(path) in str(err.value)


def test_snapshot_info_prints_no_terminal_escapes(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = _meta(base, origin="\x1b]0;pwn\x07evil.example", note="\x1b[31mred\x1b[0m\x00!")
    done = _info(_rewrite(base, tmp_path / "escapes.parquet", hostile), capsys)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout and "\x00" not in done.stdout
    assert "origin:     evil.example" in done.stdout
    assert "note:       red!" in done.stdout


# -- text from servers and libraries -------------------------------------------------------------
def test_backend_errors_drop_torch_colour_codes_and_tokens() -> None:
    # what torch prints for a shape mismatch, colours and all, plus an echoed credential
    torch_text = (
        "\x1b[1m\x1b[31mRuntimeError\x1b[0m: mat1 and mat2 shapes cannot be multiplied "
        f"(1x8 and 4x4); request had Authorization: Bearer {TOKEN}"
    )
    err = BackendError(torch_text, backend="local", reason="run")
    assert str(err) == (
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x8 and 4x4); request had "
        "Authorization: [redacted]"
    )


def test_a_real_torch_error_reaches_a_backend_error_clean() -> None:
    torch = pytest.importorskip("torch", reason="needs torch (hubwidgets[inference])")
    try:
        torch.ones(2, 3) @ torch.ones(4, 5)
    except RuntimeError as exc:
        err = BackendError(f"local run failed: \x1b[31m{exc}\x1b[0m", backend="local")
    assert "\x1b" not in str(err) and "shapes cannot be multiplied" in str(err)


@pytest.mark.parametrize(
    "text",
    [
        f'{{"error": "bad token", "headers": {{"Authorization": "Bearer {TOKEN}"}}}}',
        f"authorization: Bearer {TOKEN}",
        f"your token {TOKEN} is invalid",
        f"token={TOKEN}&x=1",
        "Bearer abc123def456ghi789",
    ],
)
def test_redact_removes_anything_shaped_like_a_token(text: str) -> None:
    cleaned = _redact.redact(text)
    assert TOKEN not in cleaned and "abc123def456ghi789" not in cleaned
    assert "[redacted]" in cleaned


def test_redact_removes_a_registered_token_of_any_shape_and_keeps_prose() -> None:
    _redact.remember("custom-secret-42-xyz")
    assert _redact.redact("the key custom-secret-42-xyz failed") == "the key [redacted] failed"
    prose = "HTTP 401: the token is missing or invalid. Bearer tokens expire."
    assert _redact.redact(prose) == prose


def test_clean_is_one_bounded_line() -> None:
    with Timer() as t:
        text = _redact.clean("a\nb\x1b[2J\tc" + "x" * 10_000, limit=50)
    assert text.startswith("a b c") and len(text) == 50 and "\n" not in text
    assert t.seconds < 1.0
