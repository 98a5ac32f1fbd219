"""Governance: may we use a model (its license through the model tree, a team policy), and is
it safe to load (weight formats, custom code, the Hub's and local scans)."""

from .check import CHECK_COLUMNS, SCAN_MODES, check
from .licenses import COMMERCIAL_USE, HUB_LICENSE_IDS, LicenseInfo, commercial_use, license_info
from .policy import (
    DEFAULT_POLICY,
    POLICY_ENV,
    VERDICTS,
    Policy,
    PolicyScope,
    active_policy,
    as_policy,
    session_policy,
    use_policy,
)
from .tree import RELATIONS, TreeNode, chain_labels, license_conflict, model_tree, tree_frame

__all__ = [
    "CHECK_COLUMNS",
    "COMMERCIAL_USE",
    "DEFAULT_POLICY",
    "HUB_LICENSE_IDS",
    "POLICY_ENV",
    "RELATIONS",
    "SCAN_MODES",
    "VERDICTS",
    "LicenseInfo",
    "Policy",
    "PolicyScope",
    "TreeNode",
    "active_policy",
    "as_policy",
    "chain_labels",
    "check",
    "commercial_use",
    "license_conflict",
    "license_info",
    "model_tree",
    "session_policy",
    "tree_frame",
    "use_policy",
]
