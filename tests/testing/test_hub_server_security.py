"""The test Hub's security scan answers, through the real huggingface_hub client: the repo
verdict with ``securityStatus=true``, the per-file records of the tree and paths-info endpoints
with expand, and faults aimed at one kind of request.

Records are invented (not Hub data); the per-file record in the Hub's shape is written here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import RepoFile, RepoFolder

from hubwidgets.testing import HubServer

SAFE_FILE = {
    "status": "safe",
    "protectAiScan": {"status": "safe", "message": "This file has no security findings."},
    "avScan": {"status": "safe", "message": "No security issues detected"},
    "pickleImportScan": {
        "status": "safe",
        "pickleImports": [{"module": "torch", "name": "FloatStorage", "safety": "innocuous"}],
    },
}
UNSAFE_FILE = {
    "status": "unsafe",
    "avScan": {"status": "safe", "message": "No security issues detected"},
    "pickleImportScan": {
        "status": "unsafe",
        "pickleImports": [{"module": "os", "name": "system", "safety": "dangerous"}],
    },
}
REPO_STATUS = {"scansDone": False, "filesWithIssues": []}

RECORDS: list[dict[str, Any]] = [
    {
        "id": "acme/scanned",
        "sha": "a" * 40,
        "lastModified": "2025-01-02T03:04:05.000Z",
        "siblings": [
            {"rfilename": "config.json"},
            {"rfilename": "pytorch_model.bin", "size": 1234, "blobId": "f" * 40},
            {"rfilename": "onnx/model.onnx"},
            {"rfilename": "onnx/extra/weights.bin"},
        ],
        "_files": {"config.json": "{}"},
        "_file_security": {"pytorch_model.bin": SAFE_FILE, "onnx/extra/weights.bin": UNSAFE_FILE},
    },
    {
        "id": "acme/given-status",
        "sha": "b" * 40,
        "siblings": [{"rfilename": "model.safetensors"}],
        "securityRepoStatus": REPO_STATUS,
    },
    {"id": "acme/never", "siblings": [{"rfilename": "model.safetensors"}]},
]


@pytest.fixture(scope="module")
def server() -> Iterator[HubServer]:
    with HubServer(RECORDS) as hub:
        yield hub


@pytest.fixture
def api(server: HubServer) -> HfApi:
    server.clear_requests()
    server.clear_faults()
    return HfApi(endpoint=server.endpoint)


def test_repo_status_only_when_asked(api: HfApi) -> None:
    assert api.model_info("acme/given-status").security_repo_status is None
    info = api.model_info("acme/given-status", securityStatus=True)
    assert info.security_repo_status == REPO_STATUS
    assert [s.rfilename for s in info.siblings or []] == ["model.safetensors"]


def test_repo_status_derived_from_per_file_records(api: HfApi) -> None:
    info = api.model_info("acme/scanned", securityStatus=True)
    assert info.security_repo_status == {
        "scansDone": True,
        "filesWithIssues": [{"path": "onnx/extra/weights.bin", "level": "unsafe"}],
    }
    # a record with no verdict at all gets none, and a sha-less record still answers on main
    assert api.model_info("acme/never", securityStatus=True).security_repo_status is None


def test_paths_info_with_expand_carries_the_per_file_records(api: HfApi, server: HubServer) -> None:
    found = api.get_paths_info(
        "acme/scanned", ["pytorch_model.bin", "onnx", "missing.bin"], expand=True
    )
    assert [type(e) for e in found] == [RepoFile, RepoFolder]
    file, folder = found
    assert isinstance(file, RepoFile) and isinstance(folder, RepoFolder)
    assert (file.path, file.size, file.blob_id) == ("pytorch_model.bin", 1234, "f" * 40)
    assert file.security is not None and file.security["status"] == "safe"
    assert file.last_commit is not None and file.last_commit.oid == "a" * 40
    assert folder.path == "onnx"
    (asked,) = server.requests
    assert asked["method"] == "POST"
    assert asked["path"] == "/api/models/acme/scanned/paths-info/main"
    assert asked["form"]["paths"] == ["pytorch_model.bin", "onnx", "missing.bin"]
    plain = api.get_paths_info("acme/scanned", ["pytorch_model.bin"])
    assert isinstance(plain[0], RepoFile) and plain[0].security is None


def test_tree_recursive_and_expanded(api: HfApi) -> None:
    top = list(api.list_repo_tree("acme/scanned"))
    assert [(type(e).__name__, e.path) for e in top] == [
        ("RepoFolder", "onnx"),
        ("RepoFile", "config.json"),
        ("RepoFile", "pytorch_model.bin"),
    ]
    every = list(api.list_repo_tree("acme/scanned", recursive=True, expand=True))
    files = {e.path: e for e in every if isinstance(e, RepoFile)}
    assert set(files) == {
        "config.json",
        "pytorch_model.bin",
        "onnx/model.onnx",
        "onnx/extra/weights.bin",
    }
    assert {e.path for e in every if isinstance(e, RepoFolder)} == {"onnx", "onnx/extra"}
    unsafe = files["onnx/extra/weights.bin"].security
    assert unsafe is not None and unsafe["status"] == "unsafe" and not unsafe["safe"]
    assert files["config.json"].security is None and files["config.json"].size == 2
    sub = list(api.list_repo_tree("acme/scanned", path_in_repo="onnx"))
    assert [e.path for e in sub] == ["onnx/extra", "onnx/model.onnx"]


def test_fail_next_can_aim_at_one_kind_of_request(api: HfApi, server: HubServer) -> None:
    server.fail_next(503, match="/paths-info/")
    assert api.model_info("acme/scanned").sha == "a" * 40  # not the aimed request: answered
    with pytest.raises(HfHubHTTPError) as caught:
        api.get_paths_info("acme/scanned", ["config.json"], expand=True)
    assert caught.value.response.status_code == 503
    assert len(api.get_paths_info("acme/scanned", ["config.json"])) == 1  # the fault is spent
