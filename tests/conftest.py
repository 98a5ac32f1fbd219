"""Fixtures shared by the test suite.

- ``shared_data``: the folder of recorded Hub data (skips when this machine does not have it).
- ``real_catalog``: a catalog of a fixed sample of those records (session-scoped).
- ``tiny_records`` / ``tiny_catalog``: a dozen hand-written modern records that between them
  exercise every search filter, every sort key and every kind of missing value. They are
  invented (not Hub data) and always available.

Hooks: when tests/test_binder.py's fresh-venv build test is selected, it is moved to the end of
the run and its build starts in the background with the first test outside tests/browser
(tests/_binder_build.py).
"""

from __future__ import annotations

import copy
import gzip
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import _binder_build
import pytest

from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.testing.clock import FakeClock

REPO_ROOT = Path(__file__).resolve().parents[1]

#: How many 2022 list records the real catalog takes (the first ones of the file: a fixed sample).
REAL_2022_SAMPLE = 8_000

#: fetched_at of the hand-written catalog, so its rows are reproducible.
TINY_FETCHED_AT = datetime(2026, 8, 1, 12, 0, tzinfo=timezone.utc)


def shared_data_path() -> Path:
    """Where the recorded Hub data is expected (whether or not it exists)."""
    env = os.environ.get("HUBWIDGETS_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of recorded Hub data; skips when it is absent."""
    path = shared_data_path()
    if not path.is_dir():
        pytest.skip(
            f"recorded Hub data not found at {path} (set HUBWIDGETS_SHARED_DATA or provide "
            "<repo>/../shared/data); tests on real records are skipped"
        )
    return path


def _read_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(out) >= limit:
                break
            if line.strip():
                out.append(json.loads(line))
    return out


@pytest.fixture(scope="session")
def raw_2025_records(shared_data: Path) -> list[dict[str, Any]]:
    """The 2025 recordings as stored ({"metadata": ..., "card": ...}), failed fetches left out."""
    path = shared_data / "hub-model-info-2025.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"{path.name} is not in {shared_data}")
    records = _read_jsonl(path)
    return [r for r in records if isinstance(r.get("metadata"), dict) and "id" in r["metadata"]]


@pytest.fixture(scope="session")
def raw_2022_records(shared_data: Path) -> list[dict[str, Any]]:
    """The first REAL_2022_SAMPLE records of the 2022 ``/api/models?full=true`` recording."""
    path = shared_data / "hub-models-2022.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"{path.name} is not in {shared_data}")
    return _read_jsonl(path, REAL_2022_SAMPLE)


@pytest.fixture(scope="session")
def real_catalog(
    raw_2022_records: list[dict[str, Any]], raw_2025_records: list[dict[str, Any]]
) -> Catalog:
    """Every 2025 recording with metadata plus the first 8,000 2022 records, as recorded (the
    raw vintages go through the normalizer; no conversion by the test helpers)."""
    return Catalog.from_records(
        [*raw_2022_records, *raw_2025_records],
        fetched_at=datetime(2025, 4, 30, tzinfo=timezone.utc),
        meta={"name": "real-sample"},
    )


# ---------------------------------------------------------------------------------------------
# Hand-written records (invented; modern camelCase /api/models JSON)
# ---------------------------------------------------------------------------------------------

TINY_RECORDS: list[dict[str, Any]] = [
    {  # everything known; a live and a staging provider; gated manually
        "id": "acme/Llama-2-7B-Chat",
        "author": "acme",
        "sha": "1" * 40,
        "createdAt": "2023-07-18T10:00:00.000Z",
        "lastModified": "2024-01-10T08:30:00.000Z",
        "private": False,
        "gated": "manual",
        "downloads": 5000,
        "downloadsAllTime": 90000,
        "likes": 120,
        "trendingScore": 30,
        "library_name": "transformers",
        "pipeline_tag": "text-generation",
        "tags": [
            "transformers",
            "safetensors",
            "llama",
            "text-generation",
            "conversational",
            "en",
            "license:llama2",
            "base_model:meta-llama/Llama-2-7b-hf",
            "base_model:finetune:meta-llama/Llama-2-7b-hf",
        ],
        "cardData": {"license": "llama2", "language": ["en"]},
        "safetensors": {"parameters": {"BF16": 6_738_415_616}, "total": 6_738_415_616},
        "inference": "warm",
        "inferenceProviderMapping": [
            {"provider": "together", "providerId": "x", "status": "live", "task": "conversational"},
            {
                "provider": "fal-ai",
                "providerId": "y",
                "status": "staging",
                "task": "conversational",
            },
        ],
    },
    {  # license and languages only from tags; providers as a dict; ties Llama-2-7B on downloads
        "id": "acme/llama-2-70b",
        "author": "acme",
        "createdAt": "2023-07-18T12:00:00.000Z",
        "lastModified": "2023-09-01T00:00:00.000Z",
        "private": False,
        "gated": "auto",
        "downloads": 5000,
        "likes": 300,
        "library_name": "transformers",
        "pipeline_tag": "text-generation",
        "tags": ["transformers", "llama", "text-generation", "en", "fr", "license:llama2"],
        "safetensors": {"total": 68_976_648_192},
        "inference": "cold",
        "inferenceProviderMapping": {
            "together": {"status": "live", "providerId": "a", "task": "conversational"},
            "nebius": {"status": "live", "providerId": "b", "task": "conversational"},
        },
    },
    {  # library from a tag only; no providers at all (empty list)
        "id": "zeta/bert-tiny",
        "author": "zeta",
        "createdAt": "2022-02-02T00:00:00.000Z",
        "lastModified": "2022-03-03T00:00:00.000Z",
        "private": False,
        "gated": False,
        "downloads": 800,
        "likes": 3,
        "trendingScore": 2,
        "pipeline_tag": "fill-mask",
        "tags": ["transformers", "pytorch", "bert", "fill-mask", "license:mit"],
        "cardData": {"license": "mit", "language": "en"},
        "safetensors": {"total": 4_400_000},
        "inferenceProviderMapping": [],
    },
    {  # downloads unknown; params from gguf; multilingual from a tag
        "id": "zeta/whisper-large-v3",
        "author": "zeta",
        "createdAt": "2023-11-07T00:00:00.000Z",
        "lastModified": "2024-02-02T00:00:00.000Z",
        "private": False,
        "gated": False,
        "likes": 40,
        "trendingScore": 12,
        "library_name": "transformers",
        "pipeline_tag": "automatic-speech-recognition",
        "tags": ["transformers", "whisper", "multilingual", "license:apache-2.0"],
        "gguf": {"total": 1_550_000_000, "architecture": "whisper"},
        "inference": "warm",
        "inferenceProviderMapping": [{"provider": "hf-inference", "status": "live"}],
    },
    {  # legacy id without an author; created and gated unknown
        "id": "gpt2",
        "lastModified": "2024-02-19T00:00:00.000Z",
        "private": False,
        "downloads": 9_000_000,
        "likes": 2500,
        "trendingScore": 5,
        "library_name": "transformers",
        "pipeline_tag": "text-generation",
        "tags": ["transformers", "gpt2", "text-generation", "en", "license:mit"],
        "safetensors": {"total": 137_022_720},
    },
    {  # a two-character id; languages from card data (a list); params unknown
        "id": "t5",
        "createdAt": "2022-03-02T00:00:00.000Z",
        "private": False,
        "gated": False,
        "downloads": 700,
        "library_name": "transformers",
        "pipeline_tag": "text2text-generation",
        "tags": ["transformers", "t5", "text2text-generation", "en", "license:apache-2.0"],
        "cardData": {"license": "apache-2.0", "language": ["en", "fr", "de"]},
    },
    {  # ties Llama-2-7B-Chat on downloads, likes and trending; one live provider of two
        "id": "beta/sd-turbo",
        "author": "beta",
        "createdAt": "2023-11-28T00:00:00.000Z",
        "lastModified": "2023-11-30T00:00:00.000Z",
        "private": False,
        "gated": False,
        "downloads": 5000,
        "likes": 120,
        "trendingScore": 30,
        "library_name": "diffusers",
        "pipeline_tag": "text-to-image",
        "tags": ["diffusers", "safetensors", "text-to-image", "license:other"],
        "cardData": {"license": "other"},
        "inferenceProviderMapping": {
            "fal-ai": {"status": "live", "providerId": "c", "task": "text-to-image"},
            "replicate": {"status": "error", "providerId": "d", "task": "text-to-image"},
        },
    },
    {  # a gguf repo
        "id": "beta/Qwen2-0.5B-GGUF",
        "author": "beta",
        "createdAt": "2024-06-06T00:00:00.000Z",
        "lastModified": "2024-06-07T00:00:00.000Z",
        "private": False,
        "gated": False,
        "downloads": 250,
        "likes": 7,
        "trendingScore": 1,
        "library_name": "gguf",
        "pipeline_tag": "text-generation",
        "tags": ["gguf", "text-generation", "en", "zh", "license:apache-2.0"],
        "gguf": {"total": 494_032_768, "architecture": "qwen2"},
    },
    {  # private, gated (a bool), zeros (known, not missing), no tags, exactly 300M params
        "id": "gamma/secret-model",
        "author": "gamma",
        "createdAt": "2025-01-01T00:00:00.000Z",
        "lastModified": "2025-01-02T00:00:00.000Z",
        "private": True,
        "gated": True,
        "downloads": 0,
        "likes": 0,
        "trendingScore": 0,
        "safetensors": {"total": 300_000_000},
    },
    {  # nothing but the id
        "id": "gamma/empty",
    },
    {  # languages and base model from card data; exactly 7B params
        "id": "delta/bert-base-multilingual-cased-finetuned",
        "author": "delta",
        "createdAt": "2024-03-03T00:00:00.000Z",
        "lastModified": "2024-03-04T00:00:00.000Z",
        "private": False,
        "gated": False,
        "downloads": 5,
        "likes": 1,
        "trendingScore": 1,
        "library_name": "transformers",
        "pipeline_tag": "fill-mask",
        "tags": ["transformers", "bert", "fill-mask", "multilingual"],
        "cardData": {
            "license": "apache-2.0",
            "language": "multilingual",
            "base_model": ["google-bert/bert-base-multilingual-cased"],
        },
        "safetensors": {"total": 7_000_000_000},
    },
    {  # upper-case author; library from a tag; license from a card-data list
        "id": "Delta/UPPER-CASE-Model",
        "author": "Delta",
        "createdAt": "2024-05-05T00:00:00.000Z",
        "lastModified": "2024-05-06T00:00:00.000Z",
        "private": False,
        "gated": False,
        "downloads": 60,
        "likes": 60,
        "pipeline_tag": "text-classification",
        "tags": ["setfit", "text-classification", "en"],
        "cardData": {"license": ["cc-by-4.0"], "language": ["en"]},
        "safetensors": {"total": 109_482_240},
    },
    {  # a one-character name; ties UPPER-CASE-Model on downloads
        "id": "epsilon/x",
        "author": "epsilon",
        "createdAt": "2024-05-05T00:00:00.000Z",
        "private": False,
        "gated": False,
        "downloads": 60,
        "library_name": "sentence-transformers",
        "pipeline_tag": "sentence-similarity",
        "tags": ["sentence-transformers", "sentence-similarity", "en", "de"],
        "inferenceProviderMapping": [{"provider": "hf-inference"}],
    },
]


@pytest.fixture
def tiny_records() -> list[dict[str, Any]]:
    """A fresh copy of the hand-written records (tests may mutate it)."""
    return copy.deepcopy(TINY_RECORDS)


@pytest.fixture(scope="session")
def tiny_catalog() -> Catalog:
    """A catalog of the hand-written records; always available."""
    return Catalog.from_records(
        copy.deepcopy(TINY_RECORDS), fetched_at=TINY_FETCHED_AT, meta={"name": "tiny"}
    )


@pytest.fixture
def backoff_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """huggingface_hub's retries record their waits instead of sleeping."""
    import huggingface_hub.utils._http as hf_http  # noqa: PLC0415

    fake = FakeClock()
    monkeypatch.setattr(hf_http, "time", fake)
    return fake


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Invented random-weight models, one folder per task (``{task: model_dir}``), made once.

    Made by :func:`hubwidgets.testing.models.make_tiny_models`; skips where torch or
    transformers are not installed (``pip install hubwidgets[inference]``).
    """
    pytest.importorskip("torch", reason="local models need torch (hubwidgets[inference])")
    pytest.importorskip("transformers", reason="local models need transformers")
    from hubwidgets.testing.models import make_tiny_models  # noqa: PLC0415

    return make_tiny_models(tmp_path_factory.mktemp("tiny-models"))


# ---------------------------------------------------------------------------------------------
# tests/test_binder.py's fresh-venv build, in the background (tests/_binder_build.py)
# ---------------------------------------------------------------------------------------------


def _is_binder_build_test(item: pytest.Item) -> bool:
    return item.name == _binder_build.TEST_NAME and item.path == REPO_ROOT / _binder_build.TEST_FILE


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fresh-venv build test runs last, so its background build has the whole run to
    finish (it is independent of every other test)."""
    items.sort(key=_is_binder_build_test)  # stable: the others keep their order


#: The browser tests drive Chromium, JupyterLab and kernels on both CPUs: the build waits for them.
BROWSER_TESTS = REPO_ROOT / "tests" / "browser"

_BINDER_PENDING = pytest.StashKey[bool]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Plan the fresh-venv build when its test is selected (after -k, -m, --deselect): it starts
    with the first test outside tests/browser (see below)."""
    option = session.config.option
    if option.collectonly or option.setuponly or option.setupplan:
        return
    if not any(_is_binder_build_test(item) for item in session.items):
        return
    if _binder_build.missing_tools():
        return  # the test skips, saying why
    session.config.stash[_BINDER_PENDING] = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Start the planned build as the first test outside tests/browser begins (the browser
    tests, which come first, keep both CPUs; measured: a niced job beside them still slowed
    one by 30%); kill it at the end of the session, however it ends."""
    config = item.config
    if not config.stash.get(_BINDER_PENDING, False) or BROWSER_TESTS in item.path.parents:
        return
    config.stash[_BINDER_PENDING] = False
    # at a lower CPU priority when other tests run beside it (they keep the CPUs they need)
    alone = _is_binder_build_test(item)
    build = _binder_build.start(nice=not alone)
    config.stash[_binder_build.BINDER_BUILD] = build
    config.add_cleanup(build.stop)
