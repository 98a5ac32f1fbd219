"""Plain numpy versions of the search kernels, for small catalogs.

Compiling the numba kernels takes seconds the first time after an install; a catalog of a few
thousand models (the bundled starter, a cache scan, a live page) is indexed faster by numpy than
that. Same signatures and results as :mod:`hubwidgets.core.catalog._kernels`; a test checks they
agree.
"""

from __future__ import annotations

import numpy as np

#: Symbols of the trigram alphabet: a-z, 0-9, '-', '_', '.', '/', and one class for the rest.
ALPHABET = 41
NGRAMS = ALPHABET**3
OTHER = 40
EXACT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_./")


def _make_tables() -> tuple[np.ndarray, np.ndarray]:
    sym = np.full(256, OTHER, dtype=np.int64)
    for i, ch in enumerate(b"abcdefghijklmnopqrstuvwxyz0123456789-_./"):
        sym[ch] = i
    for ch in range(ord("A"), ord("Z") + 1):
        sym[ch] = sym[ch + 32]
    lower = np.arange(256, dtype=np.uint8)
    lower[ord("A") : ord("Z") + 1] += 32
    return sym, lower


SYMBOL, LOWER = _make_tables()


def _unique_pairs(
    codes: np.ndarray, rows: np.ndarray, ncodes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Postings from (code, row) pairs: starts per code, rows ascending, each pair once."""
    keep = codes >= 0
    codes, rows = codes[keep].astype(np.int64), rows[keep].astype(np.int64)
    width = int(rows.max()) + 1 if rows.size else 1
    pairs = np.unique(codes * width + rows)  # sorted by code, then row
    pair_codes, pair_rows = pairs // width, pairs % width
    counts = np.bincount(pair_codes, minlength=ncodes)[:ncodes]
    starts = np.zeros(ncodes + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts, pair_rows.astype(np.int32)


def trigram_postings(
    offsets: np.ndarray, data: np.ndarray, sym: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    lens = np.diff(offsets).astype(np.int64)
    rows = np.repeat(np.arange(lens.size, dtype=np.int64), lens)
    symbols = sym[data[int(offsets[0]) : int(offsets[-1])]] if lens.size else np.empty(0, np.int64)
    if symbols.size < 3:
        return np.zeros(NGRAMS + 1, dtype=np.int64), np.empty(0, dtype=np.int32)
    tri = (symbols[:-2] * ALPHABET + symbols[1:-1]) * ALPHABET + symbols[2:]
    same_row = rows[:-2] == rows[2:]  # a trigram must not run into the next id
    return _unique_pairs(tri[same_row], rows[:-2][same_row], NGRAMS)


def group_rows(
    codes: np.ndarray, parents: np.ndarray, ncodes: int
) -> tuple[np.ndarray, np.ndarray]:
    rows = parents if parents.size > 0 else np.arange(codes.size, dtype=np.int64)
    return _unique_pairs(codes.astype(np.int64), rows, ncodes)


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.intersect1d(a, b, assume_unique=True).astype(np.int32)


def union_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.union1d(a, b).astype(np.int32)


def make_mask(rows: np.ndarray, n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def range_rows(
    values: np.ndarray, lo: int, hi: int, rows: np.ndarray, use_rows: bool
) -> np.ndarray:
    picked = values[rows] if use_rows else values
    keep = (picked >= 0) & (picked >= lo) & (picked <= hi)
    out = rows[keep] if use_rows else np.flatnonzero(keep)
    return out.astype(np.int32)


def _id(offsets: np.ndarray, data: np.ndarray, lower: np.ndarray, r: int) -> bytes:
    return lower[data[offsets[r] : offsets[r + 1]]].tobytes()


def filter_contains(
    rows: np.ndarray, offsets: np.ndarray, data: np.ndarray, word: np.ndarray, lower: np.ndarray
) -> np.ndarray:
    needle = word.tobytes()
    keep = [r for r in rows if needle in _id(offsets, data, lower, int(r))]
    return np.asarray(keep, dtype=np.int32)


def scan_ordered(
    order: np.ndarray,
    start: int,
    want: int,
    mask: np.ndarray,
    offsets: np.ndarray,
    data: np.ndarray,
    words: np.ndarray,
    word_starts: np.ndarray,
    lower: np.ndarray,
) -> tuple[np.ndarray, int]:
    needles = [
        words[word_starts[w] : word_starts[w + 1]].tobytes() for w in range(word_starts.size - 1)
    ]
    out: list[int] = []
    i = start
    while i < order.size and len(out) < want:
        r = int(order[i])
        i += 1
        if mask.size and not mask[r]:
            continue
        text = _id(offsets, data, lower, r) if needles else b""
        if all(n in text for n in needles):
            out.append(r)
    return np.asarray(out, dtype=np.int32), i
