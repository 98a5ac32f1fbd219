"""The trait types of :class:`~hubwidgets.widgets.benchmark.BenchmarkWidget` (what it measures and
how), kept apart so that ``benchmark.py`` holds the widget: its traits, its Python API, its
requests and its run."""

from __future__ import annotations

from typing import Any

import traitlets

from ..core.inference.benchmark import check_batch_sizes
from ._traits import ModelIds

__all__ = ["INPUT_SOURCES", "BatchSizes", "Models"]

#: Where the inputs of a run come from.
INPUT_SOURCES = ("samples", "column", "files")


class Models(ModelIds):
    """Model ids or local paths: repeats and blanks dropped."""

    def check(self, ids: list[str]) -> list[str]:
        return list(dict.fromkeys(i.strip() for i in ids if i.strip()))


class BatchSizes(traitlets.List[int]):
    """Batch sizes, each at least 1; one int is a list of one; sorted, repeats dropped."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_value=[1], **kwargs)

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value]
        elif isinstance(value, tuple):
            value = list(value)
        checked = super().validate(obj, value) or []
        try:
            return sorted(check_batch_sizes(checked))
        except (TypeError, ValueError):
            raise traitlets.TraitError(
                f"batch_sizes must be a non-empty list of ints >= 1, e.g. [1, 8]; got {value!r}"
            ) from None
