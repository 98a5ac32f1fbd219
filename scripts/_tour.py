"""What every tour generator (``scripts/make_*_tour.py``) shares: the cell makers, and the ending
that writes ``notebooks/<name>`` and says how to execute it.

Each generator ends with ``write_tour(name, cells)``, which reads its command line:

- no option: write the notebook, unless its cells are already the generator's (then the
  executed notebook, outputs and all, stays as it is);
- ``--check``: write nothing; exit with 1 and name the first different cell when the notebook's
  cells (kinds and sources; outputs are not compared) are not the generator's.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat as nbf
from nbformat import NotebookNode

__all__ = ["CHECK", "NOTEBOOKS", "code", "md", "write_tour"]

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
#: A code cell starting with this has its output checked when the tours are tested (nbval).
CHECK = "# NBVAL_CHECK_OUTPUT\n"


def _cells(notebook: NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def _first_difference(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> str:
    for index, (was, now) in enumerate(zip(old, new, strict=False)):
        if was != now:
            return f"cell {index}: {was[1][:60]!r} is now {now[1][:60]!r}"
    return f"{len(old)} cells, the generator makes {len(new)}"


def write_tour(
    name: str,
    cells: Sequence[NotebookNode],
    *,
    then: str = "",
    argv: Sequence[str] | None = None,
) -> None:
    """Write ``notebooks/<name>`` from ``cells`` (or check it with ``--check``; see the module
    docstring), then print how to execute it; ``then``: a further step to print."""
    args = sys.argv[1:] if argv is None else list(argv)
    notebook = nbf.v4.new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    out = NOTEBOOKS / name
    existing = _cells(nbf.read(out, as_version=4)) if out.is_file() else None
    same = existing == _cells(notebook)
    if "--check" in args:
        if not same:
            why = (
                "it is missing"
                if existing is None
                else _first_difference(existing, _cells(notebook))
            )
            sys.exit(f"{out} is not what {Path(sys.argv[0]).name} writes ({why}): run it")
        print(f"{out} is up to date")
        return
    if same:
        print(f"{out} is up to date: not written (its outputs are kept)")
        return
    nbf.write(notebook, out)
    print(f"wrote {out}")
    print(
        "then: HF_HUB_OFFLINE=1 jupyter nbconvert --to notebook --execute --inplace "
        f"--ExecutePreprocessor.store_widget_state=False notebooks/{name}" + (then and f", {then}")
    )
