"""A run streamed through a FallbackBackend is metered like the same run unstreamed: the provider
that answered, the tokens its reply billed and their cost reach the usage ledger.

Real providers' recorded replies go through the real ``InferenceClient`` (``CassetteReplay``);
the first backend of the chain fails for real: the recorded provider mapping has no ``groq``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hubwidgets as hw
from hubwidgets.core.inference.backends import FallbackBackend, RemoteBackend
from hubwidgets.core.inference.backends.fallback import AllBackendsFailedError
from hubwidgets.testing.replay import CassetteReplay, load_cassette

from .spend_support import cassettes_fixture, home_fixture, price_table  # noqa: F401

TOKEN = "hf_replayed_not_a_real_token"
MODEL = "meta-llama/Llama-3.3-70B-Instruct"
RUN = "TestInferenceClient.test_chat_completion_no_stream[cerebras,conversational].yaml"
STREAM = "TestInferenceClient.test_chat_completion_with_stream[cerebras,conversational].yaml"
MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
PRICES = price_table(MODEL, "cerebras")


def chain() -> FallbackBackend:
    groq, cerebras = (RemoteBackend(provider=p, token=TOKEN) for p in ("groq", "cerebras"))
    return FallbackBackend([groq, cerebras])


def billed(path: Path) -> tuple[int, int]:
    """The (prompt, completion) tokens the recorded reply billed (a stream: its last usage)."""
    post = next(e for e in load_cassette(path) if e.method == "POST")
    text = post.content.decode()
    replies = [json.loads(text)] if text.lstrip().startswith("{") else []
    for line in text.splitlines():
        if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
            replies.append(json.loads(line[5:]))
    use = [r["usage"] for r in replies if r.get("usage")][-1]
    return use["prompt_tokens"], use["completion_tokens"]


def test_a_streamed_fallback_run_is_metered_like_the_same_run_unstreamed(
    home: Path, cassettes: Path
) -> None:
    lines = []
    for name in (RUN, STREAM):
        session = hw.PlaygroundSession(
            "chat-completion",
            [MODEL],
            chain(),
            prices=hw.provider_prices(table=PRICES),
            params={"max_tokens": 20},
        )
        with CassetteReplay(cassettes / name):
            if name == RUN:
                row = session.run(MESSAGES).iloc[0].to_dict()
            else:
                row = list(session.stream(MESSAGES))[-1].cell.row
        assert row["error"] == ""
        assert (row["backend"], row["provider"]) == ("remote", "cerebras")
        assert "groq" in row["fell_back_from"]
        n_in, n_out = billed(cassettes / name)
        line = hw.usage().iloc[-1]
        assert (line["provider"], line["input_tokens"], line["output_tokens"]) == (
            "cerebras",
            n_in,
            n_out,
        )
        assert line["cost_usd"] == pytest.approx((n_in + n_out) * 0.18 / 1e6)
        assert row["cost_usd"] == pytest.approx(line["cost_usd"])
        lines.append(line)
    assert len(hw.usage(kind="playground")) == 2
    assert lines[0]["cost_source"] == lines[1]["cost_source"]


def test_a_fallback_stream_says_who_served_it_and_what_it_billed(cassettes: Path) -> None:
    with CassetteReplay(cassettes / STREAM):
        stream = chain().stream("chat-completion", MODEL, MESSAGES, max_tokens=20)
        assert stream.backend == "remote"
        assert [(a.backend, a.reason) for a in stream.attempts] == [("remote", "unsupported")]
        text = "".join(stream)
    assert text.startswith("Deep learning")
    n_in, n_out = billed(cassettes / STREAM)
    assert stream.usage == {"input_tokens": n_in, "output_tokens": n_out}
    assert stream.provider == "cerebras"
    only_groq = FallbackBackend([RemoteBackend(provider="groq", token=TOKEN)])
    with CassetteReplay(cassettes / STREAM), pytest.raises(AllBackendsFailedError) as info:
        only_groq.stream("chat-completion", MODEL, MESSAGES, max_tokens=20)
    assert [a.reason for a in info.value.attempts] == ["unsupported"]
    assert "every backend failed" in str(info.value) and "groq" in str(info.value)
