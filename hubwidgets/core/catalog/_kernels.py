"""Compiled loops behind the search index (numba, cached on disk after the first run).

Each loop is one pass over memory that numpy would need several temporary arrays for: on a
3.1M-model catalog (about 120M bytes of ids) they build the trigram index in well under a second.
Ids are read as raw UTF-8 bytes; ASCII letters are folded to lower case on the fly.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._kernels_np import ALPHABET, EXACT_CHARS, LOWER, NGRAMS, OTHER, SYMBOL

__all__ = ["ALPHABET", "EXACT_CHARS", "LOWER", "NGRAMS", "OTHER", "SYMBOL"]


@njit(cache=True, nogil=True)
def _count_trigrams(
    offsets: np.ndarray, data: np.ndarray, sym: np.ndarray, lo: int, hi: int, counts: np.ndarray
) -> None:
    a = 41
    last = np.full(a * a * a, -1, dtype=np.int32)
    for r in range(lo, hi):
        s, e = offsets[r], offsets[r + 1]
        if e - s < 3:
            continue
        s0 = sym[data[s]]
        s1 = sym[data[s + 1]]
        for p in range(s + 2, e):
            s2 = sym[data[p]]
            t = (s0 * a + s1) * a + s2
            s0 = s1
            s1 = s2
            if last[t] != r:
                last[t] = r
                counts[t] += 1


@njit(cache=True, nogil=True)
def _fill_trigrams(
    offsets: np.ndarray,
    data: np.ndarray,
    sym: np.ndarray,
    lo: int,
    hi: int,
    cursor: np.ndarray,
    rows: np.ndarray,
) -> None:
    a = 41
    last = np.full(a * a * a, -1, dtype=np.int32)
    for r in range(lo, hi):
        s, e = offsets[r], offsets[r + 1]
        if e - s < 3:
            continue
        s0 = sym[data[s]]
        s1 = sym[data[s + 1]]
        for p in range(s + 2, e):
            s2 = sym[data[p]]
            t = (s0 * a + s1) * a + s2
            s0 = s1
            s1 = s2
            if last[t] != r:
                last[t] = r
                rows[cursor[t]] = r
                cursor[t] += 1


@njit(cache=True, nogil=True, parallel=True)
def trigram_postings(
    offsets: np.ndarray, data: np.ndarray, sym: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(starts[NGRAMS + 1], rows): rows[starts[t]:starts[t + 1]] hold trigram t, ascending, once.

    Two passes (count, then fill), each split over the cores by ranges of rows.
    """
    n = offsets.size - 1
    ngrams = 41 * 41 * 41
    parts = 8
    bounds = np.linspace(0, n, parts + 1).astype(np.int64)
    counts = np.zeros((parts, ngrams), dtype=np.int64)
    for p in prange(parts):
        _count_trigrams(offsets, data, sym, bounds[p], bounds[p + 1], counts[p])
    total = counts.sum(axis=0)
    starts = np.zeros(ngrams + 1, dtype=np.int64)
    starts[1:] = np.cumsum(total)
    rows = np.empty(starts[-1], dtype=np.int32)
    cursors = np.empty((parts, ngrams), dtype=np.int64)
    running = starts[:-1].copy()
    for p in range(parts):  # part p writes after the rows of parts before it: postings ascend
        cursors[p] = running
        running += counts[p]
    for p in prange(parts):
        _fill_trigrams(offsets, data, sym, bounds[p], bounds[p + 1], cursors[p], rows)
    return starts, rows


@njit(cache=True, nogil=True)
def group_rows(
    codes: np.ndarray, parents: np.ndarray, ncodes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Counting sort of rows by code: (starts[ncodes + 1], rows), each row once per code.

    ``parents[i]`` is the row of item i (list columns); an empty ``parents`` means item i is row i.
    Codes < 0 (missing) are skipped.
    """
    use_parents = parents.size > 0
    counts = np.zeros(ncodes + 1, dtype=np.int64)
    last = np.full(ncodes, -1, dtype=np.int64)
    for i in range(codes.size):
        c = codes[i]
        r = parents[i] if use_parents else i
        if c >= 0 and last[c] != r:
            last[c] = r
            counts[c + 1] += 1
    starts = np.cumsum(counts)
    rows = np.empty(starts[-1], dtype=np.int32)
    cursor = starts[:-1].copy()
    last[:] = -1
    for i in range(codes.size):
        c = codes[i]
        r = parents[i] if use_parents else i
        if c >= 0 and last[c] != r:
            last[c] = r
            rows[cursor[c]] = r
            cursor[c] += 1
    return starts, rows


@njit(cache=True, nogil=True)
def intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows in both ascending arrays (linear merge, or binary search when sizes differ a lot)."""
    if a.size > b.size:
        a, b = b, a
    out = np.empty(a.size, dtype=np.int32)
    k = 0
    if a.size * 32 < b.size:
        lo = 0
        for x in a:
            hi = b.size
            while lo < hi:
                mid = (lo + hi) >> 1
                if b[mid] < x:
                    lo = mid + 1
                else:
                    hi = mid
            if lo < b.size and b[lo] == x:
                out[k] = x
                k += 1
        return out[:k]
    i = 0
    j = 0
    while i < a.size and j < b.size:
        x = a[i]
        y = b[j]
        if x == y:
            out[k] = x
            k += 1
            i += 1
            j += 1
        elif x < y:
            i += 1
        else:
            j += 1
    return out[:k]


@njit(cache=True, nogil=True, inline="always")
def _contains(data: np.ndarray, s: int, e: int, word: np.ndarray, lower: np.ndarray) -> bool:
    m = word.size
    first = word[0]
    for p in range(s, e - m + 1):
        if lower[data[p]] == first:
            ok = True
            for j in range(1, m):
                if lower[data[p + j]] != word[j]:
                    ok = False
                    break
            if ok:
                return True
    return False


@njit(cache=True, nogil=True)
def filter_contains(
    rows: np.ndarray, offsets: np.ndarray, data: np.ndarray, word: np.ndarray, lower: np.ndarray
) -> np.ndarray:
    """The rows whose id contains ``word`` (lower-case ASCII bytes), case-insensitively."""
    out = np.empty(rows.size, dtype=np.int32)
    k = 0
    for r in rows:
        if _contains(data, offsets[r], offsets[r + 1], word, lower):
            out[k] = r
            k += 1
    return out[:k]


@njit(cache=True, nogil=True)
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
    """Walk ``order`` from ``start`` and collect up to ``want`` rows that pass ``mask`` (empty:
    no mask) and contain every word. Returns (rows, position after the last row looked at)."""
    out = np.empty(want, dtype=np.int32)
    k = 0
    use_mask = mask.size > 0
    nwords = word_starts.size - 1
    i = start
    while i < order.size and k < want:
        r = order[i]
        i += 1
        if use_mask and not mask[r]:
            continue
        ok = True
        for w in range(nwords):
            if not _contains(
                data, offsets[r], offsets[r + 1], words[word_starts[w] : word_starts[w + 1]], lower
            ):
                ok = False
                break
        if ok:
            out[k] = r
            k += 1
    return out[:k], i


@njit(cache=True, nogil=True)
def make_mask(rows: np.ndarray, n: int) -> np.ndarray:
    """A boolean mask of ``n`` rows, True at ``rows``."""
    mask = np.zeros(n, dtype=np.bool_)
    for r in rows:
        mask[r] = True
    return mask


@njit(cache=True, nogil=True)
def range_rows(
    values: np.ndarray, lo: int, hi: int, rows: np.ndarray, use_rows: bool
) -> np.ndarray:
    """Rows (all, or among ``rows``) whose value is within [lo, hi]; values < 0 are missing."""
    size = rows.size if use_rows else values.size
    out = np.empty(size, dtype=np.int32)
    k = 0
    for i in range(size):
        r = rows[i] if use_rows else i
        v = values[r]
        if v >= 0 and lo <= v <= hi:
            out[k] = r
            k += 1
    return out[:k]


@njit(cache=True, nogil=True)
def union_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows in either ascending array, ascending, each once (linear merge)."""
    out = np.empty(a.size + b.size, dtype=np.int32)
    i = 0
    j = 0
    k = 0
    while i < a.size and j < b.size:
        x = a[i]
        y = b[j]
        if x == y:
            out[k] = x
            i += 1
            j += 1
        elif x < y:
            out[k] = x
            i += 1
        else:
            out[k] = y
            j += 1
        k += 1
    while i < a.size:
        out[k] = a[i]
        i += 1
        k += 1
    while j < b.size:
        out[k] = b[j]
        j += 1
        k += 1
    return out[:k]


def warm_up() -> None:
    """Load every query-time kernel from numba's on-disk cache (compiling it if needed).

    The first call of a kernel in a process loads its machine code (a few hundred ms in all);
    doing it while a catalog opens keeps that off the first keystroke.
    """
    rows = np.arange(4, dtype=np.int32)
    offsets = np.array([0, 3, 6, 9, 12, 15], dtype=np.int32)
    data = np.frombuffer(b"abcdefghijklmno", dtype=np.uint8)
    word = np.frombuffer(b"bc", dtype=np.uint8)
    intersect_sorted(rows, rows)
    union_sorted(rows, rows)
    mask = make_mask(rows, 5)
    range_rows(rows.astype(np.int64), 0, 2, rows, True)
    filter_contains(rows, offsets, data, word, LOWER)
    scan_ordered(rows, 0, 2, mask, offsets, data, word, np.array([0, 2], np.int64), LOWER)
    offsets64 = offsets.astype(np.int64)
    filter_contains(rows, offsets64, data, word, LOWER)
    scan_ordered(rows, 0, 2, mask, offsets64, data, word, np.array([0, 2], np.int64), LOWER)
