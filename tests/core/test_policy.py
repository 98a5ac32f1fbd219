"""Policy: from a dict or YAML, each key's rule, unknown facts give review."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.governance.policy import DEFAULT_POLICY, Policy

NOW = datetime.now(timezone.utc)


def _row(**changes: Any) -> dict[str, Any]:
    """A row every default rule allows."""
    row: dict[str, Any] = {
        "id": "org/m",
        "license": "apache-2.0",
        "license_class": "permissive",
        "commercial_use": "yes",
        "commercial_use_reason": "permissive",
        "license_conflict": None,
        "pickle_only": False,
        "safetensors": True,
        "custom_code": [],
        "scan_status": "safe",
        "scans_done": True,
        "gated": False,
        "last_modified": pd.Timestamp(NOW - timedelta(days=10)),
        "card_fields": ["license", "language", "base_model"],
    }
    row.update(changes)
    return row


def _verdict(policy: Policy, **changes: Any) -> tuple[str, list[str]]:
    return policy.reasons(_row(**changes))


def test_exported() -> None:
    assert hw.Policy is Policy


def test_the_default() -> None:
    assert Policy() == DEFAULT_POLICY
    assert repr(Policy()) == "Policy(default)"
    d = Policy().to_dict()
    assert d["allow_license_classes"] == [
        "permissive",
        "copyleft",
        "gated-or-custom",
        "non-commercial",
    ]
    assert (d["require_scans_done"], d["allow_custom_code"], d["allow_gated"]) == (
        True,
        False,
        True,
    )
    assert _verdict(Policy()) == ("allow", [])


def test_from_dict_and_kwargs_agree() -> None:
    assert Policy({"allow_gated": False}) == Policy(allow_gated=False)
    assert Policy(Policy(allow_gated=False)) == Policy(allow_gated=False)
    assert "allow_gated=False" in repr(Policy(allow_gated=False))


def test_allow_license_classes() -> None:
    p = Policy({"allow_license_classes": ["Permissive"]})
    assert _verdict(p)[0] == "allow"
    verdict, reasons = _verdict(p, license="llama2", license_class="gated-or-custom")
    assert verdict == "deny" and "gated-or-custom" in reasons[0]


def test_unknown_license_is_review_whatever_the_classes() -> None:
    verdict, reasons = _verdict(Policy(), license=None, license_class="unknown")
    assert verdict == "review" and "unknown" in reasons[0]
    with pytest.raises(ValueError, match="always reviewed"):
        Policy({"allow_license_classes": ["unknown"]})


def test_allow_licenses_overrides_the_class() -> None:
    p = Policy({"allow_license_classes": ["permissive"], "allow_licenses": ["llama2"]})
    assert _verdict(p, license="llama2", license_class="gated-or-custom")[0] == "allow"


def test_deny_licenses() -> None:
    verdict, reasons = _verdict(Policy({"deny_licenses": ["Apache-2.0"]}))
    assert verdict == "deny" and "deny_licenses" in reasons[0]
    with pytest.raises(ValueError, match="both"):
        Policy({"allow_licenses": ["mit"], "deny_licenses": ["mit"]})


def test_license_conflict_is_review() -> None:
    verdict, reasons = _verdict(Policy(), license_conflict="looser than llama2")
    assert verdict == "review" and "llama2" in reasons[0]


@pytest.mark.parametrize(
    ("use", "verdict"),
    [
        ("yes", "allow"),
        ("no", "deny"),
        ("conditional", "review"),
        ("unknown", "review"),
        (None, "review"),
    ],
)
def test_require_commercial_use(use: str | None, verdict: str) -> None:
    p = Policy({"require_commercial_use": True})
    assert _verdict(p, commercial_use=use)[0] == verdict
    assert _verdict(Policy(), commercial_use=use)[0] == "allow"


@pytest.mark.parametrize(
    ("pickle_only", "verdict"),
    [(False, "allow"), (True, "deny"), (None, "review"), (pd.NA, "review")],
)
def test_require_safetensors(pickle_only: Any, verdict: str) -> None:
    assert _verdict(Policy({"require_safetensors": True}), pickle_only=pickle_only)[0] == verdict
    assert _verdict(Policy(), pickle_only=pickle_only)[0] == "allow"


def test_allow_custom_code() -> None:
    verdict, reasons = _verdict(Policy(), custom_code=["modeling_x.py"])
    assert verdict == "deny" and "modeling_x.py" in reasons[0]
    assert _verdict(Policy(), custom_code=None)[0] == "review"
    p = Policy({"allow_custom_code": True})
    assert _verdict(p, custom_code=["modeling_x.py"])[0] == "allow"
    assert _verdict(p, custom_code=None)[0] == "allow"


@pytest.mark.parametrize(
    ("status", "required", "optional"),
    [
        ("safe", "allow", "allow"),
        ("unscanned", "review", "allow"),
        ("queued", "review", "allow"),
        (None, "review", "allow"),
        ("error", "review", "review"),
        ("caution", "review", "review"),
        ("suspicious", "review", "review"),
        ("unsafe", "deny", "deny"),
    ],
)
def test_require_scans_done(status: str | None, required: str, optional: str) -> None:
    assert _verdict(Policy(), scan_status=status)[0] == required
    assert _verdict(Policy({"require_scans_done": False}), scan_status=status)[0] == optional


def test_scans_not_all_done_is_review() -> None:
    assert _verdict(Policy(), scans_done=False)[0] == "review"


def test_max_days_since_update() -> None:
    p = Policy({"max_days_since_update": 5})
    verdict, reasons = _verdict(p)
    assert verdict == "review" and "days ago" in reasons[0]
    assert _verdict(Policy({"max_days_since_update": 30}))[0] == "allow"
    assert _verdict(p, last_modified=pd.NaT)[0] == "review"
    naive = datetime(2000, 1, 1)
    assert _verdict(Policy({"max_days_since_update": 30}), last_modified=naive)[0] == "review"
    for bad in (-1, 1.5, "30", True):
        with pytest.raises(ValueError, match="max_days_since_update"):
            Policy({"max_days_since_update": bad})


def test_require_card_fields() -> None:
    p = Policy({"require_card_fields": ["license", "datasets"]})
    verdict, reasons = _verdict(p)
    assert verdict == "review" and reasons == ["card lacks datasets"]
    assert _verdict(p, card_fields=None)[0] == "review"
    assert _verdict(Policy({"require_card_fields": "license"}))[0] == "allow"


def test_allow_gated() -> None:
    p = Policy({"allow_gated": False})
    assert _verdict(p)[0] == "allow"
    assert _verdict(p, gated=True)[0] == "deny"
    assert _verdict(p, gated=None)[0] == "review"
    assert _verdict(Policy(), gated=True)[0] == "allow"


def test_deny_reasons_come_before_review_reasons() -> None:
    verdict, reasons = _verdict(Policy(), custom_code=["a.py"], scan_status="unscanned")
    assert verdict == "deny"
    assert reasons[0].startswith("needs custom code") and "scan" in reasons[1]


def test_unknown_keys_name_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"allow_license_classes.*the keys are"):
        Policy({"allow_licence_classes": ["permissive"]})
    with pytest.raises(ValueError, match="require_safetensors"):
        Policy(require_safetensor=True)


@pytest.mark.parametrize(
    ("keys", "match"),
    [
        ({"allow_license_classes": ["permisive"]}, "did you mean permissive"),
        ({"allow_license_classes": 3}, "list of strings"),
        ({"allow_licenses": [""]}, "non-empty"),
        ({"require_safetensors": "yes"}, "true or false"),
        ({"allow_gated": 1}, "true or false"),
    ],
)
def test_bad_values(keys: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Policy(keys)


def test_not_a_dict() -> None:
    with pytest.raises(TypeError, match="dict"):
        Policy(["allow_gated"])  # type: ignore[arg-type]


def test_from_yaml_text_and_file(tmp_path: Path) -> None:
    text = "allow_license_classes: [permissive, copyleft]\nrequire_safetensors: true\n"
    p = Policy.from_yaml(text)
    assert p.allow_license_classes == ("permissive", "copyleft")
    assert p.require_safetensors is True
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    assert Policy.from_yaml(path) == p
    assert Policy.from_yaml(str(path)) == p
    assert Policy.from_yaml(p.to_yaml()) == p
    assert Policy.from_yaml("") == Policy()


def test_invalid_yaml_names_the_line_and_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"not valid YAML: line 3, column \d+: .*\]'.*line 2"):
        Policy.from_yaml("allow_gated: false\nallow_licenses: [mit\nrequire_safetensors: true\n")
    path = tmp_path / "bad.yaml"
    path.write_text("allow_gated: false\n  bad: indent: here\n")
    with pytest.raises(ValueError, match=r"bad\.yaml.*line 2"):
        Policy.from_yaml(path)


def test_from_yaml_bad_documents(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mapping"):
        Policy.from_yaml("- allow_gated\n- false\n")
    with pytest.raises(ValueError, match="does not exist"):
        Policy.from_yaml(tmp_path / "missing.yaml")
    with pytest.raises(ValueError, match="does not exist"):
        Policy.from_yaml(str(tmp_path / "missing.yml"))
    with pytest.raises(ValueError, match="unknown policy key"):
        Policy.from_yaml("allow_gatd: false\n")
    with pytest.raises(TypeError):
        Policy.from_yaml(3)  # type: ignore[arg-type]


def test_evaluate() -> None:
    df = pd.DataFrame(
        [_row(), _row(id="org/b", custom_code=["x.py"]), _row(id="org/c", scan_status=None)]
    )
    out = Policy().evaluate(df)
    assert out["verdict"].tolist() == ["allow", "deny", "review"]
    assert out["reasons"].tolist()[0] == []
    assert "verdict" not in df.columns  # a copy


def test_evaluate_missing_columns_are_unknown_facts() -> None:
    out = Policy().evaluate(pd.DataFrame({"id": ["org/a"]}))
    assert out["verdict"].tolist() == ["review"]
    assert len(out["reasons"][0]) >= 2
    with pytest.raises(TypeError, match="DataFrame"):
        Policy().evaluate([_row()])  # type: ignore[arg-type]


def test_other_license_is_review_unless_allowed() -> None:
    verdict, reasons = _verdict(Policy(), license="other", license_class="gated-or-custom")
    assert verdict == "review" and "custom license" in reasons[0]
    allowed = Policy({"allow_licenses": ["other"]})
    assert _verdict(allowed, license="other", license_class="gated-or-custom")[0] == "allow"
