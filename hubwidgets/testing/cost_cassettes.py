"""How close hubwidgets' own token count comes to what a provider bills, on recorded replies.

The recorded chat completions of ``/work/shared/data/inference-cassettes`` (huggingface_hub's
test-suite, real providers, 2025) hold the request and the reply's ``usage`` (``prompt_tokens``,
``completion_tokens``): what the provider billed. :func:`prediction_table` counts the same tokens
on this side, with the Llama 3 tokenizer (the ``tokenizer.model`` that Meta's ``llama-models``
package ships, read with ``tiktoken``; both optional test dependencies) and the models' chat
template:

- input: the request's messages through the chat template (Llama 3.0: headers only; Llama 3.1
  and later: the system header also holds the "Cutting Knowledge Date" lines);
- output: the reply's text, plus the end-of-turn token the server generated.

Then ``predicted_usd`` (our counts) and ``billed_usd`` (the reply's ``usage``) are priced with
the same table; ``error_pct`` is their relative difference. The input count is what hubwidgets
can know before the call; the output count is known as soon as the text is (a stream's end),
before any bill.

Excluded, with the reason in :data:`EXCLUDED`: recordings whose reply text was cut short in the
cassette (the text no longer matches its own ``usage``).
"""

from __future__ import annotations

import functools
import json
import statistics
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.cost.ledger import call_cost
from .replay import load_cassette

__all__ = [
    "EXCLUDED",
    "PREDICTION_COLUMNS",
    "llama3_counter",
    "llama3_prompt",
    "prediction_error",
    "prediction_table",
]

#: Recordings left out, and why.
EXCLUDED: dict[str, str] = {
    "TestInferenceClient.test_chat_completion_no_stream[cerebras,conversational].yaml": (
        "the recorded reply text was cut to 35 tokens while its usage says 637"
    ),
}

PREDICTION_COLUMNS: tuple[str, ...] = (
    "cassette",
    "provider",
    "model",
    "billed_input_tokens",
    "billed_output_tokens",
    "counted_input_tokens",
    "counted_output_tokens",
    "billed_usd",
    "predicted_usd",
    "error_pct",
)

_DATE_HEADER = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"


@functools.cache
def llama3_counter() -> Callable[[str], int] | None:
    """Counts Llama 3 tokens (special tokens allowed), or None without llama-models/tiktoken."""
    try:
        from llama_models.llama3.tokenizer import (  # type: ignore[import-untyped]  # noqa: PLC0415
            Tokenizer,
        )
    except ImportError:
        return None
    tok = Tokenizer.get_instance()
    return lambda text: len(tok.encode(text, bos=False, eos=False, allowed_special="all"))


def llama3_prompt(model: str, messages: Sequence[Mapping[str, Any]]) -> str:
    """The prompt the model's chat template makes of ``messages`` (with the generation header)."""
    msgs = list(messages)
    out = "<|begin_of_text|>"
    if not _is_llama30(model):  # Llama 3.1+: the system turn always opens with the dates
        system = ""
        if msgs and msgs[0].get("role") == "system":
            system, msgs = str(msgs[0]["content"]).strip(), msgs[1:]
        out += f"<|start_header_id|>system<|end_header_id|>\n\n{_DATE_HEADER}{system}<|eot_id|>"
    for m in msgs:
        content = str(m["content"]).strip()
        out += f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{content}<|eot_id|>"
    return out + "<|start_header_id|>assistant<|end_header_id|>\n\n"


def _is_llama30(model: str) -> bool:
    name = model.lower()
    return "llama-3-" in name and "llama-3-1" not in name


def _hub_model(exchanges: Sequence[Any], request: Mapping[str, Any], url: str) -> str:
    """The Hub id the test asked for (its model-info request), else the payload's model."""
    for e in exchanges:
        if e.method == "GET" and "/api/models/" in e.url:
            return str(e.url.split("/api/models/", 1)[1].split("?", 1)[0])
    if "/models/" in url:
        return url.split("/models/", 1)[1].split("/v1/", 1)[0]
    return str(request.get("model", ""))


def _provider(url: str) -> str:
    host_path = url.split("://", 1)[-1]
    parts = host_path.split("/")
    if parts[0] == "router.huggingface.co" and len(parts) > 1:
        return parts[1]
    return "hf-inference"


def prediction_table(cassettes: str | Path, prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per recorded Llama 3 chat completion with ``usage`` (:data:`PREDICTION_COLUMNS`).

    ``prices``: a :func:`hw.provider_prices` table; default: one stand-in price for every row
    ($0.20 in, $0.60 out per 1M tokens; the error depends only on their ratio), said in
    ``attrs["prices"]``. Raises ``RuntimeError`` without the Llama 3 tokenizer.
    """
    count = llama3_counter()
    if count is None:
        raise RuntimeError("needs the Llama 3 tokenizer: pip install llama-models tiktoken")
    rows: list[dict[str, Any]] = []
    for path in sorted(Path(cassettes).glob("*.yaml")):
        if path.name in EXCLUDED:
            continue
        exchanges = load_cassette(path)
        for e in exchanges:
            request = e.json_body
            if e.method != "POST" or not isinstance(request, dict) or "messages" not in request:
                continue
            try:
                reply = json.loads(e.content)
            except ValueError:
                continue
            use = reply.get("usage") if isinstance(reply, dict) else None
            model = _hub_model(exchanges, request, e.url)
            if not use or "llama-3" not in model.lower().replace(".", "-"):
                continue
            text = str(reply["choices"][0]["message"]["content"] or "")
            rows.append(
                {
                    "cassette": path.name,
                    "provider": _provider(e.url),
                    "model": model,
                    "billed_input_tokens": int(use["prompt_tokens"]),
                    "billed_output_tokens": int(use["completion_tokens"]),
                    "counted_input_tokens": count(llama3_prompt(model, request["messages"])),
                    "counted_output_tokens": count(text) + 1,  # + the end-of-turn token
                }
            )
    df = pd.DataFrame(rows, columns=list(PREDICTION_COLUMNS))
    if prices is None:
        prices = pd.DataFrame(
            {
                "model": df["model"],
                "provider": df["provider"],
                "input_usd_per_1m": 0.20,
                "output_usd_per_1m": 0.60,
                "source": "stand-in price",
            }
        ).drop_duplicates(["model", "provider"])
        df.attrs["prices"] = "stand-in: $0.20 in / $0.60 out per 1M tokens"
    for i, r in df.iterrows():
        billed, _ = call_cost(
            prices, r["provider"], r["model"], r["billed_input_tokens"], r["billed_output_tokens"]
        )
        predicted, _ = call_cost(
            prices, r["provider"], r["model"], r["counted_input_tokens"], r["counted_output_tokens"]
        )
        df.loc[i, "billed_usd"] = billed
        df.loc[i, "predicted_usd"] = predicted
    df["error_pct"] = (df["predicted_usd"] - df["billed_usd"]).abs() / df["billed_usd"] * 100
    return df


def prediction_error(table: pd.DataFrame) -> dict[str, float]:
    """``median_pct``, ``max_pct`` and ``n`` of a :func:`prediction_table`."""
    errors = [float(x) for x in table["error_pct"].dropna()]
    return {
        "median_pct": statistics.median(errors) if errors else float("nan"),
        "max_pct": max(errors) if errors else float("nan"),
        "n": float(len(errors)),
    }
