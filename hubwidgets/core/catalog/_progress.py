"""What a snapshot pull shows while it pages through the Hub: models so far, rate, how far back.

Why not a tqdm bar: written to a file or a CI log, a bar is a stream of carriage returns that
shows as one garbled line at the end (or nothing until then), and it has no place for what an
incremental pull (``since=``) most needs to say: how far back in ``lastModified`` it has gone
and where it will stop. So:

- on a terminal (stderr is a TTY), one status line redrawn in place a few times a second;
- elsewhere (CI logs, notebooks, ``2> file``), a plain line for the first page, then one every
  ``every`` seconds at most, then a last line with the totals: a log of a long pull shows that
  it moves without growing by a line per page.

Everything goes to stderr (stdout keeps the command's result). ``HF_HUB_DISABLE_PROGRESS_BARS``
silences it as it silences huggingface_hub's bars.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from typing import TextIO

from huggingface_hub.utils import are_progress_bars_disabled

from .._redact import printable

__all__ = ["PullProgress"]

#: Seconds between two plain lines when stderr is not a terminal.
EVERY = 10.0
#: Seconds between two redraws of the terminal's status line.
_REDRAW = 0.1


class PullProgress:
    """Progress of one pull: call :meth:`task`, :meth:`update` per page, then :meth:`close`.

    Args:
        enabled: False shows nothing (``progress=False``, ``--quiet``).
        total: the most models the pull keeps (its ``limit``), or None.
        initial: models fetched before this run (a resumed pull); the rate counts this run only.
        cutoff: for an incremental pull, the ``lastModified`` (ISO) it stops at.
        stream: where to write (default: stderr at the time of the call).
        tty: whether ``stream`` is a terminal (default: ask it).
    """

    def __init__(
        self,
        *,
        enabled: bool = True,
        total: int | None = None,
        initial: int = 0,
        cutoff: str | None = None,
        stream: TextIO | None = None,
        tty: bool | None = None,
        every: float = EVERY,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and not are_progress_bars_disabled("hubwidgets")
        self.tty = _is_tty(self.stream) if tty is None else tty
        self.total = total
        self.done = initial
        self.initial = initial
        self.cutoff = cutoff
        self.every = every
        self.label = "all tasks"
        self.back_to: str | None = None  # the oldest lastModified fetched (incremental pulls)
        self.start = time.monotonic()
        self._shown = -1.0  # when the last line was written (-1: never)
        self._width = 0

    def task(self, label: str) -> None:
        """The listing being crawled now (a pipeline tag, or all tasks)."""
        self.label = label

    def update(self, fetched: int, oldest_modified: str | None = None) -> None:
        """A page was saved: ``fetched`` new models, the oldest ``lastModified`` among them."""
        self.done += fetched
        if oldest_modified:
            self.back_to = oldest_modified
        if not self.enabled:
            return
        now = time.monotonic()
        wait = _REDRAW if self.tty else self.every
        if self._shown < 0 or now - self._shown >= wait:
            self._write(self.line(now))
            self._shown = now

    def close(self, *, finished: bool = True) -> None:
        """The last line with the totals when ``finished``; after a failure, only the
        terminal's status line ended (the error is said on a line of its own)."""
        if not self.enabled:
            return
        if finished:
            self._write(self.line(time.monotonic(), final=True))
        if self.tty and (finished or self._shown >= 0):
            self.stream.write("\n")
            self.stream.flush()

    def line(self, now: float, *, final: bool = False) -> str:
        """``text-generation: 12,000 of 50,000 models, 850/s, modified back to ...``."""
        took = max(now - self.start, 1e-9)
        count = f"{self.done:,}" + (f" of {self.total:,}" if self.total is not None else "")
        rate = (self.done - self.initial) / took
        noun = "model" if self.done == 1 and self.total is None else "models"
        parts = [f"{printable(self.label)}: {count} {noun}", _rate(rate)]
        if self.back_to is not None:
            parts.append(f"modified back to {_when(self.back_to)}")
        if self.cutoff is not None:
            parts.append(f"stops at {_when(self.cutoff)}")
        if final:
            parts.append(f"done in {took:.1f} s")
        return ", ".join(parts)

    def _write(self, text: str) -> None:
        if self.tty:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._width = len(text)
        else:
            self.stream.write(f"hubwidgets: {text}\n")
        self.stream.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _rate(per_second: float) -> str:
    return f"{per_second:,.0f}/s" if per_second >= 10 else f"{per_second:.1f}/s"


def _when(text: str) -> str:
    """``2026-11-30 14:02 UTC`` for an ISO time (the Hub's ``...Z`` too); else the text."""
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return printable(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
