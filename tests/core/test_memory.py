"""Memory estimates: bytes per dtype, weights on disk, the KV cache, checked by hand and against
tiny models saved with the safetensors package."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hubwidgets.core.choose.memory import (
    BYTES_PER_PARAM,
    kv_cache_bytes,
    kv_cache_shape,
    load_memory,
    safetensors_bytes_by_dtype,
    weights_size,
)

MIB = 1024 * 1024

LLAMA_2_7B = {  # the shape keys of meta-llama/Llama-2-7b-hf's config.json
    "architectures": ["LlamaForCausalLM"],
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 32,
    "torch_dtype": "float16",
}


def test_llama_2_7b_needs_half_a_mib_per_token() -> None:
    assert kv_cache_bytes(LLAMA_2_7B, context_length=1, batch_size=1) == MIB // 2
    # 2 (K, V) x 32 layers x 32 heads x 128 dims x 4096 tokens x 2 bytes = 2 GiB
    assert kv_cache_bytes(LLAMA_2_7B, context_length=4096) == 2 * 1024 * MIB
    assert kv_cache_bytes(LLAMA_2_7B, context_length=4096, batch_size=3) == 6 * 1024 * MIB


def test_grouped_query_attention_needs_proportionally_less() -> None:
    gqa = {**LLAMA_2_7B, "num_key_value_heads": 8}
    assert kv_cache_bytes(gqa, 1024) * 4 == kv_cache_bytes(LLAMA_2_7B, 1024)
    mqa = {**LLAMA_2_7B, "num_key_value_heads": 1}
    assert kv_cache_bytes(mqa, 1024) * 32 == kv_cache_bytes(LLAMA_2_7B, 1024)


def test_kv_heads_default_to_the_attention_heads() -> None:
    without = {k: v for k, v in LLAMA_2_7B.items() if k != "num_key_value_heads"}
    assert kv_cache_bytes(without, 7) == kv_cache_bytes(LLAMA_2_7B, 7)


def test_gpt2_config_keys() -> None:
    gpt2 = {"n_layer": 12, "n_head": 12, "n_embd": 768, "n_positions": 1024}
    assert kv_cache_shape(gpt2) == (12, 12, 64)
    assert kv_cache_bytes(gpt2, 1024) == 2 * 12 * 12 * 64 * 1024 * 2


def test_an_explicit_head_dim_wins_over_hidden_size() -> None:
    gemma = {  # google/gemma-7b: 16 heads of 256, hidden 3072 (not 16 x 256)
        "num_hidden_layers": 28,
        "num_attention_heads": 16,
        "num_key_value_heads": 16,
        "head_dim": 256,
        "hidden_size": 3072,
    }
    assert kv_cache_shape(gemma) == (28, 16, 256)


def test_a_multimodal_config_is_read_from_its_text_config() -> None:
    config = {"model_type": "llava", "text_config": LLAMA_2_7B}
    assert kv_cache_bytes(config, 1) == MIB // 2


def test_missing_keys_are_named() -> None:
    with pytest.raises(ValueError, match="num_hidden_layers") as err:
        kv_cache_bytes({"hidden_size": 64, "num_attention_heads": 4}, 16)
    assert "missing" in str(err.value)
    with pytest.raises(ValueError, match="head_dim or hidden_size"):
        kv_cache_bytes({"num_hidden_layers": 2, "num_attention_heads": 4}, 16)


@pytest.mark.parametrize(("context_length", "batch_size"), [(0, 1), (1, 0), (-5, 1), (1.5, 1)])
def test_context_and_batch_must_be_positive_ints(context_length: object, batch_size: int) -> None:
    with pytest.raises(ValueError, match="must be a positive int"):
        kv_cache_bytes(LLAMA_2_7B, context_length, batch_size)  # type: ignore[arg-type]


def test_load_memory_per_dtype() -> None:
    assert BYTES_PER_PARAM == {"fp32": 4, "fp16/bf16": 2, "int8": 1, "int4": 0.5}
    assert load_memory(7_000_000_000) == {
        "fp32": 28e9,
        "fp16/bf16": 14e9,
        "int8": 7e9,
        "int4": 3.5e9,
    }
    assert load_memory(None) == dict.fromkeys(BYTES_PER_PARAM)
    with pytest.raises(ValueError, match="non-negative"):
        load_memory(-1)


def test_weights_size_prefers_safetensors_and_never_sums_formats() -> None:
    files = [
        ("model-00001-of-00002.safetensors", 100),
        ("model-00002-of-00002.safetensors", 50),
        ("pytorch_model.bin", 150),
        ("model.gguf", 80),
        ("config.json", 1),
    ]
    assert weights_size(files) == (150, "safetensors")
    assert weights_size(files[2:]) == (150, "pytorch")
    assert weights_size([("a.pt", 3), ("b.ckpt", 4), ("README.md", 9)]) == (7, "pytorch")


def test_weights_size_leaves_training_state_out() -> None:
    files = [
        ("pytorch_model.bin", 100),
        ("optimizer.pt", 200),
        ("scheduler.pt", 1),
        ("checkpoint-500/pytorch_model.bin", 100),
    ]
    assert weights_size(files) == (100, "pytorch")


def test_gguf_counts_the_smallest_quantization() -> None:
    files = [("m.Q4_K_M.gguf", 400), ("m.Q8_0.gguf", 800), ("m.F16.gguf", 1500)]
    assert weights_size(files) == (400, "gguf (smallest of 3)")


def test_weights_size_unknown() -> None:
    assert weights_size([("config.json", 1)]) == (None, None)
    assert weights_size([("model.safetensors", None)]) == (None, "safetensors")


def test_safetensors_bytes_by_dtype() -> None:
    assert safetensors_bytes_by_dtype({"BF16": 6_738_415_616}) == (13_476_831_232, [])
    mixed = {"F32": 10, "F16": 10, "F8_E4M3": 10, "I8": 10, "U8": 10, "I64": 1, "Q9": 5}
    assert safetensors_bytes_by_dtype(mixed) == (40 + 20 + 10 + 10 + 10 + 8, ["Q9"])


# -- against real files ------------------------------------------------------------------------
TINY_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 256,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "num_hidden_layers": 2,
    "vocab_size": 1000,
}


def save_tiny_model(folder: Path, dtype: str) -> int:
    """A tiny Llama-shaped model saved with safetensors' numpy API; returns its parameter count."""
    from safetensors.numpy import save_file  # noqa: PLC0415

    rng = np.random.default_rng(0)
    h, i, v = TINY_CONFIG["hidden_size"], TINY_CONFIG["intermediate_size"], 1000
    kv = h // 4 * 2
    shapes = {"model.embed_tokens.weight": (v, h), "lm_head.weight": (v, h)}
    for layer in range(2):
        p = f"model.layers.{layer}"
        shapes |= {
            f"{p}.self_attn.q_proj.weight": (h, h),
            f"{p}.self_attn.k_proj.weight": (kv, h),
            f"{p}.self_attn.v_proj.weight": (kv, h),
            f"{p}.self_attn.o_proj.weight": (h, h),
            f"{p}.mlp.gate_proj.weight": (i, h),
            f"{p}.mlp.up_proj.weight": (i, h),
            f"{p}.mlp.down_proj.weight": (h, i),
            f"{p}.input_layernorm.weight": (h,),
        }
    tensors = {k: rng.standard_normal(s).astype(dtype) for k, s in shapes.items()}
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps({**TINY_CONFIG, "torch_dtype": dtype}))
    return sum(t.size for t in tensors.values())


@pytest.mark.parametrize(("dtype", "key"), [("float32", "fp32"), ("float16", "fp16/bf16")])
def test_estimate_matches_the_saved_file_within_one_percent(
    tmp_path: Path, dtype: str, key: str
) -> None:
    params = save_tiny_model(tmp_path, dtype)
    on_disk = (tmp_path / "model.safetensors").stat().st_size
    estimate = load_memory(params)[key]
    assert estimate is not None
    assert abs(estimate - on_disk) / on_disk < 0.01
    assert weights_size([("model.safetensors", on_disk), ("config.json", 10)])[0] == on_disk
    config = json.loads((tmp_path / "config.json").read_text())
    # 2 x 2 layers x 2 kv heads x 16 dims x 128 tokens x 2 bytes
    assert kv_cache_bytes(config, 128) == 2 * 2 * 2 * 16 * 128 * 2
