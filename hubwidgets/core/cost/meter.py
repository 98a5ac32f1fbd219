"""What a remote run will cost before it runs, and what it cost after: the hooks the Playground,
``hw.benchmark`` and ``hw.apply`` call (pandas only; the tokenizer is loaded only when asked).

**Before a call** (:func:`predict_call`): the input tokens are counted with the model's own
tokenizer when it is on this machine (the Hugging Face cache or a local folder; never downloaded
for this), with its chat template for chat messages; the output tokens are bounded by the call's
``max_tokens`` / ``max_new_tokens``. The predicted cost is then ``input * $/1M in + output bound *
$/1M out`` (an upper bound: a reply may stop early). With a flat ``{(provider, model): usd}``
price per call, the prediction is that price. When no tokenizer, no output bound or no price is
known, the prediction is None and the reason says which: unknown is never taken as 0.

**After a call** (:func:`record_call`): the tokens the provider's reply reports (``usage``:
``prompt_tokens``, ``completion_tokens``), priced by the same table (:func:`.ledger.call_cost`),
go to the usage ledger. Only remote calls (an Inference Provider or an endpoint) are recorded:
runs on this machine cost no $.

**Budget** (:func:`guard_run`): with an active budget (:func:`hw.use_budget`), the predicted cost
of the whole run is checked first; a hard budget refuses it before any call.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .budget import active_budget
from .ledger import call_cost, record_usage

__all__ = [
    "count_input_tokens",
    "guard_run",
    "may_call_remote",
    "predict_call",
    "provider_of",
    "record_call",
    "sum_metrics",
]

_OUTPUT_BOUND_KEYS = ("max_tokens", "max_new_tokens", "max_completion_tokens")


def may_call_remote(backend: Any) -> bool:
    """Whether ``backend`` can send a paid call: a remote backend, or a fallback chain with one."""
    if getattr(backend, "name", None) == "remote":
        return True
    chain = getattr(backend, "backends", None)
    return isinstance(chain, Sequence) and any(may_call_remote(b) for b in chain)


def provider_of(backend: Any) -> str | None:
    """The provider a remote backend (or the first remote one of a chain) names, or None."""
    if getattr(backend, "name", None) == "remote":
        if getattr(backend, "base_url", None):
            return "endpoint"
        return str(getattr(backend, "provider", "") or "") or None
    for b in getattr(backend, "backends", None) or ():
        found = provider_of(b)
        if found:
            return found
    return None


@functools.lru_cache(maxsize=32)
def _tokenizer(model: str) -> Any:
    """The model's tokenizer if it is on this machine, else None (never downloaded here)."""
    try:
        from transformers import AutoTokenizer  # noqa: PLC0415 - heavy: only when asked

        return AutoTokenizer.from_pretrained(model, local_files_only=True)
    except Exception:  # not cached, not a folder, no transformers: unknown, not an error
        return None


def count_input_tokens(model: str, task: str, item: Any) -> tuple[int | None, str]:
    """The input tokens of one call and how they were counted (or why they are unknown)."""
    tok = _tokenizer(model)
    if tok is None:
        return None, f"no tokenizer for {model} on this machine"
    try:
        if task == "chat-completion":
            messages = [{"role": "user", "content": item}] if isinstance(item, str) else item
            ids = tok.apply_chat_template(list(messages), add_generation_prompt=True, tokenize=True)
            if isinstance(ids, Mapping):  # newer transformers return a BatchEncoding
                ids = ids["input_ids"]
            return len(ids), "the model's tokenizer and chat template"
        if isinstance(item, str):
            return len(tok(item)["input_ids"]), "the model's tokenizer"
    except Exception as err:  # a template the tokenizer lacks, odd input: say so
        return None, f"the tokenizer of {model} could not count the input: {err}"
    return None, f"token counts are for text inputs ({task} input is not text)"


def _output_bound(params: Mapping[str, Any]) -> int | None:
    for key in _OUTPUT_BOUND_KEYS:
        value = params.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None


def predict_call(
    prices: Any,
    provider: str | None,
    model: str,
    task: str,
    item: Any,
    params: Mapping[str, Any] | None = None,
) -> tuple[float | None, str]:
    """The cost of one call predicted before it is made, and how (or why it is unknown)."""
    if prices is None:
        return None, f"no price for {provider or '?'} / {model}: pass prices="
    if isinstance(prices, Mapping):  # a flat price per call needs no token count
        return call_cost(prices, provider, model, None, None)
    n_in, how = count_input_tokens(model, task, item)
    if n_in is None:
        return None, how
    bound = _output_bound(params or {})
    if bound is None:
        return None, "no max_tokens / max_new_tokens to bound the reply's length"
    cost, source = call_cost(prices, provider, model, n_in, bound)
    if cost is None:
        return None, source
    return cost, f"{n_in} input tokens ({how}) + at most {bound} output tokens, {source}"


def guard_run(
    backend: Any,
    task: str,
    models: Sequence[str],
    items: Sequence[Any],
    params: Mapping[str, Any] | None,
    prices: Any,
    what: str,
    *,
    calls_per_item: float = 1,
) -> tuple[float | None, str | None]:
    """Check a run against the active budget before it starts: ``(predicted_usd, warning)``.

    Nothing to check (no budget, or a backend that cannot call remotely): ``(None, None)``.
    A hard budget raises :class:`~.budget.BudgetExceededError`; a soft one returns its warning.
    """
    budget = active_budget()
    if budget is None or not may_call_remote(backend):
        return None, None
    provider = provider_of(backend)
    total = 0.0
    for model in models:
        for item in items:
            cost, _ = predict_call(prices, provider, model, task, item, params)
            if cost is None:
                return None, budget.check(None, what)
            total += cost * calls_per_item
    return total, budget.check(total, what)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def record_call(
    kind: str,
    result: Any,
    prices: Any,
    *,
    predicted_usd: float | None = None,
    action: str = "run",
    audit: bool = True,
    calls: int = 1,
) -> tuple[float | None, str] | None:
    """Write one remote result (an ``InferenceResult``, or a mapping with ``backend``,
    ``provider``, ``model``, ``metrics``) to the usage ledger; ``(cost_usd, cost_source)``, or
    None when it ran on this machine (nothing recorded). Never raises: a ledger that cannot be
    written must not sink the user's run (a warning is logged)."""
    get = result.get if isinstance(result, Mapping) else lambda k: getattr(result, k, None)
    if get("backend") != "remote":
        return None
    metrics = get("metrics") or {}
    n_in = _number(metrics.get("input_tokens"))
    n_out = _number(metrics.get("output_tokens"))
    provider = get("provider")
    model = str(get("model"))
    if isinstance(prices, Mapping) and calls > 1:
        flat, source = call_cost(prices, provider, model, None, None)
        cost = None if flat is None else flat * calls
    else:
        cost, source = call_cost(prices, provider, model, n_in, n_out)
    try:
        record_usage(
            kind=kind,
            action=action,
            model=model,
            provider=None if provider is None else str(provider),
            input_tokens=None if n_in is None else int(n_in),
            output_tokens=None if n_out is None else int(n_out),
            cost_usd=cost,
            cost_source=source,
            predicted_usd=predicted_usd,
            revision=get("model_sha"),
            endpoint=str(provider) if provider == "endpoint" else None,
            audit=audit,
        )
    except (OSError, ValueError, TypeError) as err:
        import logging  # noqa: PLC0415

        logging.getLogger("hubwidgets.usage").warning("could not record usage: %s", err)
    return cost, source


def sum_metrics(results: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Token counts summed over calls; a key missing from any call is left out (unknown)."""
    out: dict[str, float] = {}
    for key in ("input_tokens", "output_tokens"):
        values = [m.get(key) for m in results]
        if values and all(v is not None and not pd.isna(v) for v in values):
            out[key] = float(sum(values))  # type: ignore[arg-type]
    return out
