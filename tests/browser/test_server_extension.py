"""The JupyterLab the browser tests start has hubwidgets' server extension loaded."""

from __future__ import annotations

from hubwidgets.testing.lab import Lab


def test_the_lab_sets_nodelay_on_kernel_websockets(lab: Lab) -> None:
    log = lab.log_path.read_text(encoding="utf-8", errors="replace")
    assert "hubwidgets: TCP_NODELAY on kernel websockets" in log, lab.log_tail()
