"""The search index a catalog builds once at load: what makes a query on millions of rows cheap.

Row sets are ascending ``int32`` arrays of row positions. The catalog keeps its rows sorted by id,
so "ties broken by id" is "ties broken by row position" and every sort order is a stable argsort.

- Text: trigram postings over the ids (case-folded; bytes outside ``a-z0-9-_./`` share one
  symbol). A word's candidates are the intersection of its trigrams' postings, checked with a real
  substring match unless the word is exactly one trigram of exact symbols.
- Scalar columns (task, library, license, author): dictionary codes plus postings per value.
- List columns (languages, tags, providers): postings per value.
- Sort keys: one permutation per key.

A query planner (:meth:`SearchIndex.plan_scan`) chooses between the index and a walk down the
sort order: a common word ('bert' in a quarter of all ids) fills a page of 50 after a few hundred
rows of the sort order, long before its postings could be intersected.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from types import ModuleType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import _kernels_np as kern
from .schema import SORT_KEYS

__all__ = ["Postings", "SearchIndex", "intersect"]


#: Below this many bytes of ids the numpy kernels index faster than numba compiles (the first
#: time after an install); above it the compiled kernels win by far.
SMALL_BYTES = 2_000_000


def kernels_for(nbytes: int) -> ModuleType:
    """The kernels module for a catalog with ``nbytes`` of ids (numba is imported only here)."""
    if nbytes < SMALL_BYTES:
        return kern
    return _load_kernels()


def _load_kernels() -> ModuleType:
    global _WARM  # noqa: PLW0603 - once per process
    with _KERNELS_LOCK:
        from . import _kernels  # noqa: PLC0415 - numba is a heavy import that small catalogs skip

        if not _WARM:
            # load the query kernels now, as part of opening, rather than on the first keystroke
            _kernels.warm_up()
            _WARM = True
    return _kernels


_WARM = False
_KERNELS_LOCK = threading.Lock()


def intersect(a: np.ndarray, b: np.ndarray, k: ModuleType = kern) -> np.ndarray:
    """Rows in both ascending row sets."""
    if a.size == 0 or b.size == 0:
        return np.empty(0, dtype=np.int32)
    found: np.ndarray = k.intersect_sorted(a, b)
    return found


class Postings:
    """Rows per code: ``rows[starts[c]:starts[c + 1]]`` are the rows (ascending) holding code c."""

    def __init__(self, starts: np.ndarray, rows: np.ndarray, k: ModuleType = kern):
        self.starts = starts
        self.rows = rows
        self.k = k

    def get(self, code: int) -> np.ndarray:
        return self.rows[self.starts[code] : self.starts[code + 1]]

    def size(self, code: int) -> int:
        return int(self.starts[code + 1] - self.starts[code])

    def union(self, codes: Sequence[int]) -> np.ndarray:
        parts = [self.get(c) for c in dict.fromkeys(codes)]
        if not parts:
            return np.empty(0, dtype=np.int32)
        if len(parts) > 16:
            # many values (an author list of 100,000): one sort of all their rows; merging
            # pairwise would cost a re-sort of the list per merge, quadratic in the values
            return _distinct(np.concatenate(parts)).astype(np.int32, copy=False)
        # merge smallest first, like a Huffman tree: each row is copied O(log k) times
        parts.sort(key=len)
        while len(parts) > 1:
            merged = self.k.union_sorted(parts[0], parts[1])
            parts = sorted([merged, *parts[2:]], key=len)
        return parts[0]


class _Column:
    """Dictionary codes of one scalar or list column, with postings per value."""

    def __init__(self, series: pd.Series, *, is_list: bool, keep_codes: bool, k: ModuleType):
        n = len(series)
        parents = np.empty(0, dtype=np.int32)
        if isinstance(series.dtype, pd.CategoricalDtype):  # codes are already there
            values = series.cat.categories.tolist()
            codes = series.cat.codes.to_numpy().astype(np.int32)
        else:
            arr = _arrow(series)
            if is_list:
                parents = pc.list_parent_indices(arr).to_numpy().astype(np.int32)
                arr = pc.list_flatten(arr)
            encoded = arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)
            values = encoded.dictionary.to_pylist()
            codes = encoded.indices.fill_null(-1).to_numpy().astype(np.int32, copy=False)
        self.values: list[str] = [str(v) for v in values]
        self.lookup: dict[str, int] = {v: i for i, v in enumerate(self.values)}
        starts, rows = k.group_rows(codes, parents, len(self.values))
        self.postings = Postings(starts, rows, k)
        # codes (and parents, for lists) are kept only where facets count them
        self.codes = codes if keep_codes else None
        self.parents = parents if (keep_codes and is_list) else None
        self.n = n

    @classmethod
    def restore(
        cls, values: list[str], arrays: dict[str, np.ndarray], n: int, k: ModuleType
    ) -> _Column:
        """A column from :meth:`arrays` output (memory-mapped arrays work)."""
        col = cls.__new__(cls)
        col.values = values
        col.lookup = {v: i for i, v in enumerate(values)}
        col.postings = Postings(arrays["starts"], arrays["rows"], k)
        col.codes = arrays.get("codes")
        col.parents = arrays.get("parents")
        col.n = n
        return col

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"starts": self.postings.starts, "rows": self.postings.rows}
        if self.codes is not None:
            out["codes"] = self.codes
        if self.parents is not None:
            out["parents"] = self.parents
        return out

    def rows_for(self, wanted: Sequence[str]) -> np.ndarray:
        return self.postings.union([self.lookup[v] for v in wanted if v in self.lookup])

    def counts(self, rows: np.ndarray | None) -> np.ndarray:
        """Rows holding each value, among ``rows`` (None: all rows)."""
        size = len(self.values)
        if rows is None or self.codes is None:
            if rows is not None:
                raise RuntimeError("counts under a filter need the column's codes")
            return np.diff(self.postings.starts)
        if self.parents is None:
            codes = self.codes[rows]
            return np.bincount(codes[codes >= 0], minlength=size)
        mask = np.zeros(self.n, dtype=bool)
        mask[rows] = True
        chosen = mask[self.parents]
        repeats = self._repeats()
        if repeats is not None:  # a value listed twice in one row counts once
            chosen &= ~repeats
        codes = self.codes[chosen]
        return np.bincount(codes[codes >= 0], minlength=size)

    def _repeats(self) -> np.ndarray | None:
        """Entries of a list column that repeat an earlier value of the same row (None: none
        do). Found once, by sorting the (row, code) pairs, then reused by every count."""
        if not hasattr(self, "_repeat_mask"):
            assert self.parents is not None and self.codes is not None
            width = len(self.values) + 1
            pairs = self.parents.astype(np.int64) * width + self.codes
            order = np.argsort(pairs, kind="stable")
            ordered = pairs[order]
            again = np.zeros(len(pairs), dtype=bool)
            again[order[1:]] = ordered[1:] == ordered[:-1]
            self._repeat_mask: np.ndarray | None = again if again.any() else None
        return self._repeat_mask


class SearchIndex:
    """Index over a catalog DataFrame whose rows are sorted by id."""

    SCALAR = ("task", "library", "license", "author")
    LISTS = ("languages", "tags", "providers")
    FACETED = ("task", "library", "license", "author", "languages")
    #: what building an index does, in order (``progress`` is called after each)
    STEPS = ("trigrams of the ids", "columns", "sort orders")

    def __init__(self, df: pd.DataFrame, progress: Callable[[str], None] | None = None):
        done = progress or (lambda _step: None)
        self._bind(df)
        n, k = self.n, self.k
        starts, rows = k.trigram_postings(self.offsets, self.data, kern.SYMBOL)
        self.trigrams = Postings(starts, rows, k)
        done(self.STEPS[0])
        self.columns: dict[str, _Column] = {}
        for name in self.SCALAR + self.LISTS:
            self.columns[name] = _Column(
                df[name], is_list=name in self.LISTS, keep_codes=name in self.FACETED, k=k
            )
        gated = df["gated"].to_numpy(dtype="int8", na_value=-1).astype(np.int32)
        starts, rows = k.group_rows(gated, np.empty(0, np.int32), 2)
        self.gated = Postings(starts, rows, k)  # code 0: open, 1: gated
        self.params = df["params"].to_numpy(dtype="int64", na_value=-1)
        done(self.STEPS[1])
        self._orders: dict[str, np.ndarray] = {}
        self._ranks: dict[str, np.ndarray] = {}  # position of each row in each order
        for key, col in SORT_KEYS.items():
            order = np.argsort(sort_key(df[col]), kind="stable").astype(np.int32)
            rank = np.empty(n, dtype=np.int32)
            rank[order] = np.arange(n, dtype=np.int32)
            self._orders[key], self._ranks[key] = order, rank
        done(self.STEPS[2])

    def _bind(self, df: pd.DataFrame) -> None:
        """Point at the ids' Arrow buffers (no copy) and pick the kernels for this size."""
        self.n = n = len(df)
        self.ids = _arrow(df["id"])
        bufs = self.ids.buffers()
        wide = pa.types.is_large_string(self.ids.type)
        self.offsets = np.frombuffer(bufs[1], dtype=np.int64 if wide else np.int32)[
            self.ids.offset : self.ids.offset + n + 1
        ]
        self.data = (
            np.frombuffer(bufs[2], dtype=np.uint8)
            if n and bufs[2] is not None
            else np.empty(0, np.uint8)
        )
        # Ids on the Hub are ASCII; if some are not, words are checked with Unicode case folding
        self.ascii = bool(self.data.size == 0 or self.data.max() < 128)
        self.k = kernels_for(self.data.size)
        self.short_rows = np.flatnonzero(np.diff(self.offsets) < 3).astype(np.int32)

    def arrays(self) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
        """Everything built, as named arrays plus each column's values (for an on-disk cache)."""
        arrays: dict[str, np.ndarray] = {
            "trigrams.starts": self.trigrams.starts,
            "trigrams.rows": self.trigrams.rows,
            "gated.starts": self.gated.starts,
            "gated.rows": self.gated.rows,
            "params": self.params,
        }
        for key in SORT_KEYS:
            arrays[f"order.{key}"] = self._orders[key]
            arrays[f"rank.{key}"] = self._ranks[key]
        for name, col in self.columns.items():
            for part, arr in col.arrays().items():
                arrays[f"{name}.{part}"] = arr
        return arrays, {name: col.values for name, col in self.columns.items()}

    @classmethod
    def restore(
        cls, df: pd.DataFrame, arrays: dict[str, np.ndarray], values: dict[str, list[str]]
    ) -> SearchIndex:
        """An index from :meth:`arrays` output for the same DataFrame, without rebuilding."""
        ix = cls.__new__(cls)
        ix._bind(df)
        k = ix.k
        ix.trigrams = Postings(arrays["trigrams.starts"], arrays["trigrams.rows"], k)
        ix.gated = Postings(arrays["gated.starts"], arrays["gated.rows"], k)
        ix.params = arrays["params"]
        ix._orders = {key: arrays[f"order.{key}"] for key in SORT_KEYS}
        ix._ranks = {key: arrays[f"rank.{key}"] for key in SORT_KEYS}
        ix.columns = {}
        for name in cls.SCALAR + cls.LISTS:
            parts = {
                part: arrays[f"{name}.{part}"]
                for part in ("starts", "rows", "codes", "parents")
                if f"{name}.{part}" in arrays
            }
            ix.columns[name] = _Column.restore(values[name], parts, ix.n, k)
        return ix

    # -- text --------------------------------------------------------------------------------
    @staticmethod
    def _trigram_codes(word: str) -> list[int]:
        # plain Python on purpose: words are short, and numpy's per-call overhead made a query
        # of 100,000 words take seconds
        sym = [_SYMBOLS[b] for b in word.encode("utf-8")]
        a = kern.ALPHABET
        return sorted({(sym[i] * a + sym[i + 1]) * a + sym[i + 2] for i in range(len(sym) - 2)})

    def word_stats(self, word: str) -> tuple[int, float]:
        """(:meth:`estimate`, :meth:`index_cost`) of ``word``, its trigrams looked up once."""
        if len(word.encode("utf-8")) < 3:
            return self.n, 3.0 * self.n + 40.0 * self.n
        starts = self.trigrams.starts
        sizes = [int(starts[c + 1] - starts[c]) for c in self._trigram_codes(word)]
        return min(sizes), 3.0 * sum(sizes) + 40.0 * min(sizes)

    def words_stats(self, words: Sequence[str]) -> dict[str, tuple[int, float]]:
        """:meth:`word_stats` of every word, in one numpy pass over all their bytes when there
        are many (a query of 100,000 words is then milliseconds, not 100,000 calls)."""
        if len(words) < 64:
            return {w: self.word_stats(w) for w in words}
        encoded = [w.encode("utf-8") for w in words]
        lens = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
        sym = kern.SYMBOL[np.frombuffer(b"".join(encoded), dtype=np.uint8)].astype(np.int64)
        est = np.full(len(words), self.n, dtype=np.int64)
        cost = np.full(len(words), 43.0 * self.n)
        if sym.size >= 3:
            a = kern.ALPHABET
            ends = np.cumsum(lens)
            owner = np.repeat(np.arange(len(words), dtype=np.int64), lens)[: sym.size - 2]
            keep = np.arange(sym.size - 2) + 2 < ends[owner]  # trigrams within one word
            tri = ((sym[:-2] * a + sym[1:-1]) * a + sym[2:])[keep]
            # each distinct trigram of a word once, as in word_stats; sorted by word
            pairs = _distinct(owner[keep] * kern.NGRAMS + tri)
            owner, tri = pairs // kern.NGRAMS, pairs % kern.NGRAMS
            starts = self.trigrams.starts
            sizes = (starts[tri + 1] - starts[tri]).astype(np.int64)
            long = np.flatnonzero(lens >= 3)
            first = np.searchsorted(owner, long)
            mins = np.minimum.reduceat(sizes, first)
            est[long] = mins
            cost[long] = 3.0 * np.add.reduceat(sizes, first) + 40.0 * mins
        return dict(zip(words, zip(est.tolist(), cost.tolist(), strict=True), strict=True))

    def index_cost(self, word: str) -> float:
        """Rough cost (ns) of finding ``word`` through the postings: merges plus checks."""
        return self.word_stats(word)[1]

    def params_rows(self, lo: int | None, hi: int | None, rows: np.ndarray | None) -> np.ndarray:
        """Rows (all, or among ``rows``) with a known parameter count within [lo, hi]."""
        top = int(np.iinfo(np.int64).max)  # counts beyond int64 mean "no bound"
        lo, hi = min(lo or 0, top), top if hi is None else min(hi, top)
        if rows is None:
            # the params order lists known counts from the largest down: [lo, hi] is one slice
            order, params = self._orders["params"], self.params
            start = _first(order.size, lambda i: params[order[i]] <= hi)
            stop = _first(order.size, lambda i: params[order[i]] < lo)
            if (stop - start) * 16 < self.n:
                found: np.ndarray = np.sort(order[start:stop])
                return found
        within = rows if rows is not None else np.empty(0, np.int32)
        return self.k.range_rows(self.params, lo, hi, within, rows is not None)

    def estimate(self, word: str) -> int:
        """An upper bound of the rows containing ``word``, read off the postings."""
        return self.word_stats(word)[0]

    def word_rows(self, word: str, within: np.ndarray | None = None) -> np.ndarray:
        """Rows whose id contains ``word`` (lower case), optionally only among ``within``."""
        raw = word.encode("utf-8")
        exact = False
        if len(raw) >= 3:
            codes = sorted(self._trigram_codes(word), key=self.trigrams.size)
            cand = self.trigrams.get(codes[0])
            if within is not None and within.size * 4 < cand.size:
                return self._check(within, word)  # fewer rows to check than to merge
            if within is not None:
                cand = intersect(cand, within, self.k)
            for code in codes[1:]:
                if cand.size < 256:  # the substring check is cheaper than another intersection
                    break
                cand = intersect(cand, self.trigrams.get(code), self.k)
            exact = len(raw) == 3 and set(word) <= kern.EXACT_CHARS
        elif len(raw) == 2 and within is None:
            a = kern.ALPHABET
            first, second = (int(s) for s in kern.SYMBOL[np.frombuffer(raw, dtype=np.uint8)])
            codes = [(first * a + second) * a + x for x in range(a)]
            codes += [(x * a + first) * a + second for x in range(a)]
            mask = np.zeros(self.n, dtype=bool)
            for code in codes:
                mask[self.trigrams.get(code)] = True
            mask[self.short_rows] = True
            cand = np.flatnonzero(mask).astype(np.int32)
        else:
            cand = within if within is not None else np.arange(self.n, dtype=np.int32)
        if exact or cand.size == 0:
            return cand
        return self._check(cand, word)

    def _check(self, rows: np.ndarray, word: str) -> np.ndarray:
        """The rows whose id really contains ``word``."""
        if self.ascii and word.isascii():
            return self.k.filter_contains(
                rows, self.offsets, self.data, _word_bytes(word), kern.LOWER
            )
        lowered = pc.utf8_lower(self.ids.take(pa.array(rows)))
        hits = pc.match_substring(lowered, word).to_numpy(zero_copy_only=False)
        found: np.ndarray = rows[hits]
        return found

    def scan(
        self, key: str, words: Sequence[str], rows: np.ndarray | None, want: int, budget: int
    ) -> np.ndarray | None:
        """The first ``want`` rows in ``key`` order that are in ``rows`` (None: all) and contain
        every word, looking at no more than ``budget`` rows of the order; None when the budget
        ran out first (the caller then takes the index path)."""
        if not (self.ascii and all(w.isascii() for w in words)):
            return None
        mask = np.empty(0, dtype=bool) if rows is None else self.k.make_mask(rows, self.n)
        encoded = [_word_bytes(w) for w in words]
        word_starts = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([e.size for e in encoded], out=word_starts[1:])
        flat = np.concatenate(encoded) if encoded else np.empty(0, np.uint8)
        order = self._orders[key][:budget]
        found, seen = self.k.scan_ordered(
            order, 0, want, mask, self.offsets, self.data, flat, word_starts, kern.LOWER
        )
        if found.size < want and seen < self.n and seen >= order.size:
            return None
        return found

    # -- sorting -----------------------------------------------------------------------------
    def order(self, key: str) -> np.ndarray:
        """Row positions sorted by ``key`` descending, missing last, ties by id."""
        return self._orders[key]

    def top(self, rows: np.ndarray | None, key: str, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of ``rows`` (None: all rows) in ``key`` order."""
        if stop <= start:
            return np.empty(0, dtype=np.int32)
        order = self._orders[key]
        if rows is None:
            return order[start:stop]
        if rows.size == 0:
            return rows
        if rows.size * 8 < self.n or stop > rows.size // 2:  # sort the rows by their rank
            ranks = self._ranks[key][rows]
            if stop < rows.size:
                keep = np.argpartition(ranks, stop - 1)[:stop]
                return rows[keep[np.argsort(ranks[keep])]][start:stop]
            return rows[np.argsort(ranks)][start:stop]
        mask = self.k.make_mask(rows, self.n)
        found, _ = self.k.scan_ordered(
            order, 0, stop, mask, self.offsets, self.data, _NO_BYTES, _NO_WORDS, kern.LOWER
        )
        return found[start:stop]


_SYMBOLS: list[int] = kern.SYMBOL.tolist()
_NO_BYTES = np.empty(0, np.uint8)
_NO_WORDS = np.zeros(1, np.int64)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (a sort and a mask: faster here than ``np.unique``)."""
    if values.size == 0:
        return values
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    found: np.ndarray = ordered[keep]
    return found


def _first(n: int, past: Callable[[int], bool]) -> int:
    """The first i in [0, n) where ``past(i)`` holds, for a predicate that stays true once true."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if past(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _word_bytes(word: str) -> np.ndarray:
    return np.frombuffer(word.encode("utf-8"), dtype=np.uint8).copy()


def _arrow(series: pd.Series) -> pa.Array:
    """The Arrow data behind a column (zero-copy for Arrow-backed columns)."""
    arr = series.array
    if isinstance(arr, pd.arrays.ArrowExtensionArray) or hasattr(arr, "_pa_array"):
        data = arr._pa_array
    else:
        data = pa.array(arr, from_pandas=True)
    if isinstance(data, pa.ChunkedArray):
        # one chunk (a memory-mapped table): that chunk, not a copy of the whole column
        data = data.chunk(0) if data.num_chunks == 1 else data.combine_chunks()
    if pa.types.is_dictionary(data.type):
        data = data.dictionary_decode()
    return data


def sort_key(series: pd.Series) -> np.ndarray:
    """int64 key whose ascending order is the column's descending order, missing last."""
    na = series.isna().to_numpy()
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        values = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().view("int64")
        key = -values.astype(np.int64)
    else:
        key = -series.to_numpy(dtype="int64", na_value=0)
    out: np.ndarray = np.array(key, dtype=np.int64)
    out[na] = np.iinfo(np.int64).max
    return out
