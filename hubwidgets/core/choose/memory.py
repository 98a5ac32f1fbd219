"""How much memory a model needs: weights on disk, weights loaded at a dtype, the KV cache.

Pure functions over numbers, file lists and config dicts (no I/O):
:mod:`~hubwidgets.core.choose.compare`
gathers the inputs and says where each came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "BYTES_PER_PARAM",
    "DTYPE_BYTES",
    "kv_cache_bytes",
    "kv_cache_shape",
    "load_memory",
    "safetensors_bytes_by_dtype",
    "weights_size",
]

#: Bytes one parameter takes when loaded at each dtype (int4: two parameters a byte).
BYTES_PER_PARAM: dict[str, float] = {"fp32": 4, "fp16/bf16": 2, "int8": 1, "int4": 0.5}

#: Bytes per value of the safetensors dtypes (the keys of the Hub's ``safetensors.parameters``).
DTYPE_BYTES: dict[str, float] = {
    "F64": 8,
    "I64": 8,
    "U64": 8,
    "F32": 4,
    "I32": 4,
    "U32": 4,
    "F16": 2,
    "BF16": 2,
    "I16": 2,
    "U16": 2,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "F8_E8M0": 1,
    "I8": 1,
    "U8": 1,
    "BOOL": 1,
    "F6_E2M3": 0.75,
    "F6_E3M2": 0.75,
    "F4": 0.5,
    "I4": 0.5,
    "U4": 0.5,
}

# Weight formats by preference; one format is counted, never the sum of several copies.
_FORMATS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("safetensors", (".safetensors",)),
    ("pytorch", (".bin", ".pt", ".pth", ".ckpt")),
    ("gguf", (".gguf",)),
)
# Files that hold training state, not the weights a user loads.
_NOT_WEIGHTS = re.compile(
    r"(^|/)(optimizer|scheduler|rng_state|training_args|trainer_state|scaler)[^/]*$"
    r"|(^|/)(checkpoint-\d+|runs|logs)/",
    re.IGNORECASE,
)


def load_memory(params: int | None) -> dict[str, float | None]:
    """Bytes to hold ``params`` parameters at each dtype of :data:`BYTES_PER_PARAM`.

    Only the weights: activations, the KV cache and framework overhead come on top. None (each
    value) when the parameter count is not known.
    """
    if params is None:
        return dict.fromkeys(BYTES_PER_PARAM)
    if isinstance(params, bool) or params < 0:
        raise ValueError(f"params must be a non-negative count, not {params!r}")
    return {dtype: float(params) * size for dtype, size in BYTES_PER_PARAM.items()}


def weights_size(files: Iterable[tuple[str, int | None]]) -> tuple[int | None, str | None]:
    """(bytes, format) of a repo's weights, from its files as (name, size) pairs.

    Picks one format: safetensors, else PyTorch pickles (``.bin/.pt/.pth/.ckpt``), else GGUF
    (a GGUF repo usually holds one file per quantization: then the *smallest* file, the least a
    user must download; the name says so in the format, e.g. ``'gguf (smallest of 4)'``).
    Optimizer and training-state files are left out. (None, None) when no weights are listed;
    (None, format) when some of the chosen files have no size.
    """
    listed = [(name, size) for name, size in files if not _NOT_WEIGHTS.search(name)]
    for fmt, suffixes in _FORMATS:
        chosen = [(n, s) for n, s in listed if n.lower().endswith(suffixes)]
        if not chosen:
            continue
        if any(s is None for _, s in chosen):
            return None, fmt
        sizes = [int(s) for _, s in chosen if s is not None]
        if fmt == "gguf" and len(sizes) > 1:
            return min(sizes), f"gguf (smallest of {len(sizes)})"
        return sum(sizes), fmt
    return None, None


_LAYER_KEYS = ("num_hidden_layers", "n_layer", "num_layers", "n_layers")
_HEAD_KEYS = ("num_attention_heads", "n_head", "num_heads", "n_heads")
_KV_KEYS = ("num_key_value_heads", "n_head_kv", "num_kv_heads", "multi_query_group_num")
_HIDDEN_KEYS = ("hidden_size", "n_embd", "d_model", "dim")


def _first(config: Mapping[str, Any], keys: tuple[str, ...]) -> int | None:
    for key in keys:
        value = config.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def kv_cache_shape(config: Mapping[str, Any]) -> tuple[int, int, int]:
    """(layers, key/value heads, head dim) from a transformers ``config.json`` dict.

    Reads the usual keys of each family (``num_hidden_layers``/``n_layer``/``num_layers``,
    ``num_attention_heads``/``n_head``, ``num_key_value_heads`` defaulting to the attention heads,
    ``head_dim`` defaulting to ``hidden_size``/``n_embd`` over the heads); a multimodal config's
    ``text_config`` is read when the top level has no layers. ValueError naming the missing keys.
    """
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a mapping (a config.json dict), not {type(config)}")
    text = config.get("text_config")
    if _first(config, _LAYER_KEYS) is None and isinstance(text, Mapping):
        config = text
    layers = _first(config, _LAYER_KEYS)
    heads = _first(config, _HEAD_KEYS)
    kv_heads = _first(config, _KV_KEYS) or heads
    head_dim = _first(config, ("head_dim",))
    hidden = _first(config, _HIDDEN_KEYS)
    if head_dim is None and hidden is not None and heads is not None:
        head_dim = hidden // heads
    missing = []
    if layers is None:
        missing.append(" or ".join(_LAYER_KEYS))
    if heads is None and (kv_heads is None or head_dim is None):
        missing.append(" or ".join(_HEAD_KEYS))
    if head_dim is None:
        missing.append("head_dim or " + " or ".join(_HIDDEN_KEYS))
    if missing or layers is None or kv_heads is None or head_dim is None:
        raise ValueError(
            "config has no usable attention shape for a KV-cache estimate; missing: "
            + "; ".join(missing)
        )
    return layers, kv_heads, head_dim


def kv_cache_bytes(
    config: Mapping[str, Any],
    context_length: int = 4096,
    batch_size: int = 1,
    bytes_per_value: float = 2,
) -> int:
    """Bytes of a decoder's key/value cache:
    2 (K and V) x layers x key/value heads x head dim x context x batch x bytes per value.

    ``bytes_per_value`` is 2 for an fp16/bf16 cache. Llama-2-7B (32 layers, 32 heads of 128) needs
    2 x 32 x 32 x 128 x 2 = 524,288 bytes (0.5 MiB) per token; grouped-query attention with 8
    key/value heads needs a quarter of that. Sliding windows and cache quantization are not
    modelled. Raises ValueError when the config lacks the keys (see :func:`kv_cache_shape`).
    """
    for name, value in (("context_length", context_length), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, not {value!r}")
    if not bytes_per_value > 0:
        raise ValueError(f"bytes_per_value must be > 0, not {bytes_per_value!r}")
    layers, kv_heads, head_dim = kv_cache_shape(config)
    return int(2 * layers * kv_heads * head_dim * context_length * batch_size * bytes_per_value)


def safetensors_bytes_by_dtype(parameters: Mapping[str, int]) -> tuple[int, list[str]]:
    """(bytes, unknown dtypes) of the Hub's ``safetensors.parameters`` breakdown, e.g.
    ``{"BF16": 6_738_415_616}`` -> 13,476,831,232 bytes. Dtypes not in :data:`DTYPE_BYTES`
    are not counted and are returned so the caller can say so."""
    total = 0.0
    unknown: list[str] = []
    for dtype, count in parameters.items():
        size = DTYPE_BYTES.get(str(dtype).upper())
        if size is None:
            unknown.append(str(dtype))
            continue
        total += size * int(count)
    return int(total), unknown
