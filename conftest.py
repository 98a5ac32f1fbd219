"""Fixtures for everything pytest collects: tests/ and the tour notebooks (nbval)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# ---------------------------------------------------------------------------------------------
# hubwidgets' own folder (the audit trail, the registry's SQLite file...)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def hubwidgets_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``$HUBWIDGETS_HOME`` is a temporary folder for the whole run (and for the kernels and
    servers tests start and the tour notebooks' kernels, which inherit it), so no test writes
    an audit record or a registry into the real user data folder. ``$HUBWIDGETS_AUDIT`` is
    unset for the same reason."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HUBWIDGETS_HOME", str(tmp_path_factory.mktemp("hubwidgets-home")))
        mp.delenv("HUBWIDGETS_AUDIT", raising=False)
        yield Path(os.environ["HUBWIDGETS_HOME"])
