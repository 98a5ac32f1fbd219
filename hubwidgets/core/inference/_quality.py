"""Quality scores of model outputs against reference labels, with bootstrap confidence intervals.

- classification (text, zero-shot, image, zero-shot-image, audio): ``accuracy`` and macro ``f1``
  of the top label;
- question answering: ``exact_match`` and token ``qa_f1`` (SQuAD's normalization);
- speech recognition: ``wer`` and ``cer`` (jiwer), pooled over the corpus (lower is better).

Each score comes with a 95% percentile-bootstrap interval (``<metric>_lo``, ``<metric>_hi``):
inputs resampled with replacement, the score recomputed, 1,000 times, seeded. With ``groups``
(one label per input) the same per group, and ``<metric>_gap``: the largest difference between
two groups, a first check for bias.
"""

from __future__ import annotations

import collections
import re
import string
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "LOWER_IS_BETTER",
    "QUALITY_TASKS",
    "metrics_for",
    "predictions",
    "score",
    "score_groups",
]

_CLASSIFICATION = (
    "text-classification",
    "zero-shot-classification",
    "image-classification",
    "zero-shot-image-classification",
    "audio-classification",
)

#: The metrics scored per task, the main one first.
QUALITY_TASKS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(_CLASSIFICATION, ("accuracy", "f1")),
    "question-answering": ("exact_match", "qa_f1"),
    "automatic-speech-recognition": ("wer", "cer"),
}

#: Metrics where a lower value is better.
LOWER_IS_BETTER = frozenset({"wer", "cer"})

N_BOOTSTRAP = 1000
CONFIDENCE = 0.95


def metrics_for(task: str) -> tuple[str, ...]:
    """The metrics scored for ``task``; ``ValueError`` when labels cannot be scored for it."""
    try:
        return QUALITY_TASKS[task]
    except KeyError:
        raise ValueError(
            f"labels cannot be scored for {task}: quality is measured for "
            f"{', '.join(QUALITY_TASKS)}"
        ) from None


def predictions(task: str, outputs: Sequence[Any]) -> list[str]:
    """The text each output predicts: the top label, the answer, or the transcript."""
    out: list[str] = []
    for output in outputs:
        if task == "automatic-speech-recognition":
            out.append(str(output.get("text", "")) if isinstance(output, dict) else "")
        elif task == "question-answering":
            best = output[0] if isinstance(output, list) and output else output
            out.append(str(best.get("answer", "")) if isinstance(best, dict) else "")
        else:
            best = max(output, key=lambda o: o["score"]) if output else {"label": ""}
            out.append(str(best["label"]))
    return out


# ---------------------------------------------------------------------------- per-item statistics
# Every metric is written as a ratio of sums of per-item numbers, so a bootstrap resample only
# sums rows of a small matrix: ``score = sum(num) / sum(den)`` (macro-F1 aside).


def _normalize_answer(text: str) -> str:
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def _token_f1(prediction: str, reference: str) -> float:
    pred = _normalize_answer(prediction).split()
    ref = _normalize_answer(reference).split()
    if not pred or not ref:
        return float(pred == ref)
    common = collections.Counter(pred) & collections.Counter(ref)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def _ratio_items(metric: str, preds: list[str], refs: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per-item numerators and denominators of a ratio metric."""
    n = len(refs)
    if metric == "accuracy":
        num = np.array([p == r for p, r in zip(preds, refs, strict=True)], dtype=float)
        return num, np.ones(n)
    if metric == "exact_match":
        num = np.array(
            [
                _normalize_answer(p) == _normalize_answer(r)
                for p, r in zip(preds, refs, strict=True)
            ],
            dtype=float,
        )
        return num, np.ones(n)
    if metric == "qa_f1":
        return np.array([_token_f1(p, r) for p, r in zip(preds, refs, strict=True)]), np.ones(n)
    if metric in ("wer", "cer"):
        import jiwer  # noqa: PLC0415

        process = jiwer.process_words if metric == "wer" else jiwer.process_characters
        num, den = np.zeros(n), np.zeros(n)
        for i, (p, r) in enumerate(zip(preds, refs, strict=True)):
            ref = r if r.strip() else " "
            hyp = p if p.strip() else ""
            out = process(ref, hyp)
            num[i] = out.substitutions + out.deletions + out.insertions
            den[i] = out.substitutions + out.deletions + out.hits
        return num, den
    raise ValueError(f"unknown metric {metric!r}")


def _macro_f1(codes_pred: np.ndarray, codes_ref: np.ndarray, n_classes: int) -> float:
    """Macro-F1 over the classes that occur in the references or the predictions."""
    tp = np.bincount(codes_ref[codes_pred == codes_ref], minlength=n_classes)
    pred_count = np.bincount(codes_pred, minlength=n_classes)
    ref_count = np.bincount(codes_ref, minlength=n_classes)
    present = (pred_count + ref_count) > 0
    denom = pred_count + ref_count
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    return float(f1[present].mean()) if present.any() else float("nan")


def _scorer(metric: str, preds: list[str], refs: list[str]) -> Callable[[np.ndarray], float]:
    """A function of resampled item indices giving the metric on those items."""
    if metric == "f1":
        classes = {c: i for i, c in enumerate(sorted(set(refs) | set(preds)))}
        cp = np.array([classes[p] for p in preds], dtype=np.int64)
        cr = np.array([classes[r] for r in refs], dtype=np.int64)
        return lambda idx: _macro_f1(cp[idx], cr[idx], len(classes))
    num, den = _ratio_items(metric, preds, refs)

    def ratio(idx: np.ndarray) -> float:
        d = den[idx].sum()
        return float(num[idx].sum() / d) if d > 0 else float("nan")

    return ratio


def _with_interval(
    metric: str, preds: list[str], refs: list[str], *, seed: int
) -> tuple[float, float, float]:
    fn = _scorer(metric, preds, refs)
    n = len(refs)
    value = fn(np.arange(n))
    if n < 2:
        return value, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    samples = np.array([fn(rng.integers(0, n, n)) for _ in range(N_BOOTSTRAP)])
    samples = samples[~np.isnan(samples)]
    if not len(samples):
        return value, float("nan"), float("nan")
    alpha = (1 - CONFIDENCE) / 2
    lo, hi = np.quantile(samples, [alpha, 1 - alpha])
    return value, float(lo), float(hi)


def _check_refs(refs: Any, n: int, what: str) -> list[str]:
    if isinstance(refs, str) or (not isinstance(refs, Sequence) and not hasattr(refs, "tolist")):
        raise TypeError(
            f"{what} must be a list with one entry per input, not {type(refs).__name__}"
        )
    values = list(refs.tolist() if hasattr(refs, "tolist") else refs)
    if len(values) != n:
        raise ValueError(
            f"{what} has {len(values)} entries but there are {n} inputs: give one each"
        )
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            raise ValueError(f"{what} entry {i} is missing: give every input a value")
    return [str(v) for v in values]


def score(
    task: str, outputs: Sequence[Any], labels: Sequence[Any], *, seed: int = 0
) -> dict[str, float]:
    """``{metric: value, metric_lo: ..., metric_hi: ...}`` for every metric of ``task``."""
    metrics = metrics_for(task)
    refs = _check_refs(labels, len(outputs), "labels")
    preds = predictions(task, outputs)
    out: dict[str, float] = {}
    for metric in metrics:
        value, lo, hi = _with_interval(metric, preds, refs, seed=seed)
        out[metric], out[f"{metric}_lo"], out[f"{metric}_hi"] = value, lo, hi
    return out


def score_groups(
    task: str,
    outputs: Sequence[Any],
    labels: Sequence[Any],
    groups: Sequence[Any],
    *,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Per-group scores (columns group, n, metric, value, lo, hi) and ``{metric_gap: ...}``."""
    metrics = metrics_for(task)
    refs = _check_refs(labels, len(outputs), "labels")
    keys = _check_refs(groups, len(outputs), "groups")
    preds = predictions(task, outputs)
    rows: list[dict[str, Any]] = []
    for group in sorted(set(keys)):
        idx = [i for i, k in enumerate(keys) if k == group]
        gp, gr = [preds[i] for i in idx], [refs[i] for i in idx]
        for metric in metrics:
            value, lo, hi = _with_interval(metric, gp, gr, seed=seed)
            rows.append(
                {
                    "group": group,
                    "n": len(idx),
                    "metric": metric,
                    "value": value,
                    "lo": lo,
                    "hi": hi,
                }
            )
    table = pd.DataFrame(rows, columns=["group", "n", "metric", "value", "lo", "hi"])
    gaps: dict[str, float] = {}
    for metric in metrics:
        values = table.loc[table["metric"] == metric, "value"].dropna()
        gaps[f"{metric}_gap"] = float(values.max() - values.min()) if len(values) > 1 else 0.0
    return table, gaps
