"""Trait types the widgets share."""

from __future__ import annotations

from typing import Any

import pandas as pd
import traitlets

__all__ = ["ModelIds"]


class ModelIds(traitlets.List[str]):
    """A list of model ids (or local folders): one string is a list of one, a tuple or a pandas
    Series a list. Each widget says what else holds in :meth:`check` (raise ``TraitError``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trait=traitlets.Unicode(), default_value=[], **kwargs)

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        elif isinstance(value, (tuple, pd.Series)):
            value = [str(v) for v in value]
        checked = super().validate(obj, value)
        if checked is None:
            return None
        return self.check(list(checked))

    def check(self, ids: list[str]) -> list[str]:
        """The ids to keep, in order; by default without repeats."""
        return list(dict.fromkeys(ids))
