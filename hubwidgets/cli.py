"""The ``hubwidgets`` command line: pull snapshots of the Hub and describe them.

Why a command line at all: pulling a full snapshot takes a while and belongs in a terminal, a
cron job or CI rather than in a notebook cell; ``info`` answers "what is this file?" without
starting Python by hand.

Usage::

    hubwidgets snapshot pull [--limit N] [--sort downloads] [--task T ...] [--endpoint URL]
                             [--token TOKEN] [--page-timeout S] [--max-retry-wait S]
                             [--no-progress | -q] [--restart] (-o FILE | --dir DIR [--keep N])
    hubwidgets snapshot info FILE [--json]
    hubwidgets snapshot pull --since SNAPSHOT [--full] ...   (incremental / removals)
    hubwidgets serve SNAPSHOT [--host 127.0.0.1] [--port N]   (a read-only Hub mirror)

Errors are one line on stderr (no traceback) and exit status 2; Ctrl-C during a pull says how to
resume and exits 130, the shell's convention for SIGINT.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from hubwidgets.core._redact import printable
from hubwidgets.core.catalog.pull import (
    MAX_PAGE_SIZE,
    MAX_RETRY_WAIT,
    PAGE_DEADLINE,
    SORTS,
    partial_dir,
    pull_snapshot,
    snapshot_info,
)

__all__ = ["main"]

PROG = "hubwidgets"
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class _UsageError(Exception):
    """Raised instead of argparse's exit, so ``main`` returns a status rather than exiting."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage dump) and do not exit the process.

    ``main(argv)`` is called from tests and other Python code, where ``SystemExit`` is rude.
    """

    def error(self, message: str) -> NoReturn:
        raise _UsageError(self.prog, message)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as err:
        _error(err.prog, f"{err} (see '{err.prog} --help')")
        return EXIT_ERROR
    except SystemExit as done:  # --help and --version exit through argparse
        return done.code if isinstance(done.code, int) else 0
    status: int = args.run(args)
    return status


def _build_parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Find, compare and try Hugging Face Hub models; manage offline snapshots.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    snapshot = commands.add_parser(
        "snapshot",
        help="pull or inspect snapshot files of the Hub's model list",
        description="Snapshots are parquet files of the Hub's model list for offline use.",
    )
    actions = snapshot.add_subparsers(dest="action", required=True, metavar="ACTION")

    pull = actions.add_parser(
        "pull",
        help="crawl the Hub's model list into a snapshot file (resumable)",
        description=(
            "Crawl GET /api/models page by page into a snapshot file. Finished pages are kept "
            "in FILE.partial/, so re-running the same command after a failure or Ctrl-C "
            "resumes where it stopped."
        ),
    )
    pull.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="snapshot to write (a path ending in '/' or an existing directory: a dated file "
        "in it)",
    )
    _add_history_options(pull)
    _add_since_options(pull)
    pull.add_argument(
        "--limit", type=_positive_int, metavar="N", help="keep at most N models (top by --sort)"
    )
    pull.add_argument(
        "--sort",
        default="downloads",
        choices=list(SORTS),
        help="order of the crawl, always descending (default: downloads)",
    )
    pull.add_argument(
        "--task",
        dest="tasks",
        action="extend",
        nargs="+",
        metavar="T",
        help="only models of these pipeline tags, e.g. text-generation (repeatable)",
    )
    pull.add_argument("--endpoint", metavar="URL", help="Hub URL (default: HF_ENDPOINT or the Hub)")
    pull.add_argument(
        "--token",
        metavar="TOKEN",
        help="Hugging Face token (default: HF_TOKEN or the token saved by 'hf auth login')",
    )
    pull.add_argument(
        "--page-size",
        type=_positive_int,
        default=MAX_PAGE_SIZE,
        metavar="N",
        help=f"models per request, at most {MAX_PAGE_SIZE} (default: {MAX_PAGE_SIZE})",
    )
    pull.add_argument(
        "--page-timeout",
        type=_positive_float,
        default=PAGE_DEADLINE,
        metavar="SECONDS",
        help=f"seconds one page may take in all, retries included (default: {PAGE_DEADLINE:g})",
    )
    pull.add_argument(
        "--max-retry-wait",
        type=_positive_float,
        default=MAX_RETRY_WAIT,
        metavar="SECONDS",
        help="longest Retry-After to wait when rate limited; a longer one stops the pull, "
        f"which a re-run resumes (default: {MAX_RETRY_WAIT:g})",
    )
    pull.add_argument(
        "--no-progress",
        action="store_true",
        help="do not show progress (models fetched, rate; on stderr: a line redrawn on a "
        "terminal, a plain line every 10 s in logs)",
    )
    pull.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress and no notes (resuming, starting afresh) on stderr; errors are "
        "still said",
    )
    pull.add_argument(
        "--restart", action="store_true", help="discard an unfinished pull instead of resuming it"
    )
    pull.set_defaults(run=_run_pull)

    info = actions.add_parser(
        "info",
        help="describe a snapshot file (rows, date, origin, query, size)",
        description="Describe a snapshot file from its metadata, without loading it.",
    )
    info.add_argument("file", metavar="FILE", help="snapshot file")
    info.add_argument("--json", action="store_true", help="print the description as JSON")
    info.set_defaults(run=_run_info)
    _add_serve_command(commands)
    return parser


# -- dated snapshots in a directory (issue 17: history) -----------------------------------------
def _add_history_options(pull: argparse.ArgumentParser) -> None:
    pull.add_argument(
        "--dir",
        metavar="DIR",
        help="write a dated snapshot (models-YYYY-MM-DDTHHMMSSZ.parquet) into DIR: pulled "
        "regularly, these make the history hw.history() reads",
    )
    pull.add_argument(
        "--keep",
        type=_positive_int,
        metavar="N",
        help="with --dir: keep the newest N dated snapshots, removing older ones",
    )


def _resolve_output(args: argparse.Namespace, prog: str) -> bool:
    """Turn --dir DIR (or -o DIR/) into the dated file to write; False after saying why not."""
    from hubwidgets.core.catalog.history import dated_snapshot_path  # noqa: PLC0415

    output, folder = args.output, args.dir
    if output is not None and folder is not None:
        _error(prog, "give either -o FILE or --dir DIR, not both")
        return False
    if output is None and folder is None:
        _error(prog, f"say where to write: -o/--output FILE or --dir DIR (see '{prog} --help')")
        return False
    if folder is None and (output.endswith(("/", "\\")) or Path(output).is_dir()):
        folder = output
    if folder is None:
        if args.keep is not None:
            _error(prog, "--keep N needs a directory of dated snapshots: --dir DIR (or -o DIR/)")
            return False
        return True
    if Path(folder).exists() and not Path(folder).is_dir():
        _error(prog, f"--dir {folder!r} is a file, not a directory")
        return False
    Path(folder).mkdir(parents=True, exist_ok=True)
    args.dir = folder
    args.output = str(dated_snapshot_path(folder))
    return True


def _prune_after_pull(args: argparse.Namespace, prog: str) -> int:
    """With --keep N, remove the dated snapshots older than the newest N; say which."""
    if args.dir is None or args.keep is None:
        return 0
    from hubwidgets.core.catalog.history import prune_snapshots  # noqa: PLC0415

    try:
        removed = prune_snapshots(args.dir, args.keep)
    except (ValueError, OSError) as err:
        _error(prog, f"the snapshot was written, but old ones could not be removed: {err}")
        return EXIT_ERROR
    for path in removed:
        print(f"removed {path} (keeping the newest {args.keep})")
    return 0


# -- incremental pulls and the mirror (issue 17 items 3 and 4) ----------------------------------
def _add_since_options(pull: argparse.ArgumentParser) -> None:
    pull.add_argument(
        "--since",
        metavar="SNAPSHOT",
        help="an earlier complete snapshot of the same endpoint (or a directory: its newest): "
        "fetch only the models modified "
        "since it was taken and merge them into its rows (removed models are found by --full)",
    )
    pull.add_argument(
        "--full",
        action="store_true",
        help="with --since: pull everything and report the models removed since SNAPSHOT",
    )


def _since_report(info: dict[str, Any]) -> None:
    """What an incremental pull merged, or which models a full pull found removed."""
    inc = info.get("incremental")
    if isinstance(inc, dict):
        print(
            f"incremental: {inc.get('fetched', 0):,} model(s) modified since "
            f"{inc.get('modified_after')} ({inc.get('added', 0):,} new, "
            f"{inc.get('updated', 0):,} updated), {inc.get('kept', 0):,} kept from "
            f"{inc.get('since')}"
        )
    compared = info.get("compared_with")
    if isinstance(compared, dict):
        removed = [str(i) for i in info.get("removed_ids") or []]
        shown = ", ".join(printable(i) for i in removed[:20])
        more = f" and {compared['removed'] - 20:,} more" if compared["removed"] > 20 else ""
        listing = f": {shown}{more}" if removed else ""
        print(
            f"compared with {compared.get('path')}: {compared.get('removed', 0):,} model(s) "
            f"removed{listing}; {compared.get('added', 0):,} new"
        )


def _add_serve_command(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve a snapshot as a read-only, Hub-compatible model API (a mirror)",
        description=(
            "Serve GET /api/models (search, filters, sort, cursor paging) and "
            "/api/models/{id} from a snapshot, so huggingface_hub clients pointed at it "
            "(HF_ENDPOINT=http://HOST:PORT) list and search models offline. Read-only; one "
            "log line per request on stderr; Ctrl-C stops it."
        ),
    )
    serve.add_argument("snapshot", metavar="SNAPSHOT", help="snapshot file to serve")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=_port, default=8000, metavar="N", help="port (default: 8000; 0: any free)"
    )
    serve.set_defaults(run=_run_serve)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return value


def _run_serve(args: argparse.Namespace) -> int:
    from hubwidgets.core.catalog.serve import Mirror  # noqa: PLC0415 - only this command

    prog = f"{PROG} serve"
    try:
        mirror = Mirror(args.snapshot, host=args.host, port=args.port, log=sys.stderr)
        mirror.start()
    except (ValueError, OSError) as err:
        _error(prog, str(err))
        return EXIT_ERROR
    print(
        f"serving {mirror.describe()} at {mirror.endpoint} (read-only); point clients at it "
        f"with HF_ENDPOINT={mirror.endpoint}; Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    try:
        mirror.wait()
    except KeyboardInterrupt:
        pass
    finally:
        mirror.stop()
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _run_pull(args: argparse.Namespace) -> int:
    prog = f"{PROG} snapshot pull"
    if not _resolve_output(args, prog):
        return EXIT_ERROR
    try:
        with _show_pull_messages(not args.quiet):
            path = pull_snapshot(
                args.output,
                limit=args.limit,
                sort=args.sort,
                tasks=args.tasks,
                endpoint=args.endpoint,
                token=args.token,
                page_size=args.page_size,
                progress=not (args.no_progress or args.quiet),
                resume=not args.restart,
                timeout=args.page_timeout,
                max_retry_wait=args.max_retry_wait,
                since=args.since,
                full=args.full,
            )
        info = snapshot_info(path)
    except KeyboardInterrupt:
        partial = partial_dir(args.output)
        kept = f"the pages fetched so far are kept in {partial}; " if partial.exists() else ""
        _error(prog, f"interrupted; {kept}re-run the same command to resume")
        return EXIT_INTERRUPTED
    except (ValueError, RuntimeError, OSError) as err:
        _error(prog, str(err))
        return EXIT_ERROR
    print(
        f"wrote {info['path']}: {info['rows']:,} models from {info['origin']} "
        f"({_size(info['size_bytes'])})"
    )
    _since_report(info)
    return _prune_after_pull(args, prog)


@contextmanager
def _show_pull_messages(show: bool = True) -> Iterator[None]:
    """Show the library's notes (resuming, starting afresh) on stderr while a pull runs
    (``show=False``, ``--quiet``: warnings only).

    The handler and level are set for one command only and then restored, so calling ``main``
    repeatedly (tests, other tools) never stacks handlers or changes the host's logging.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{PROG}: %(message)s"))
    handler.setLevel(logging.INFO if show else logging.WARNING)
    log = logging.getLogger("hubwidgets")
    level = log.level
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


def _run_info(args: argparse.Namespace) -> int:
    try:
        info = snapshot_info(args.file)
    except (ValueError, OSError) as err:
        _error(f"{PROG} snapshot info", str(err))
        return EXIT_ERROR
    if args.json:
        print(json.dumps(info, indent=2, sort_keys=True, default=str))
    else:
        for label, value in _info_lines(info):
            # metadata is anyone's text: an escape sequence in it must not drive the terminal
            print(f"{label + ':':<12}{' '.join(printable(value).split())}")
    return 0


def _info_lines(info: dict[str, Any]) -> list[tuple[str, str]]:
    """The human-readable description: one (label, value) per line, unknown values left out."""
    lines = [("file", str(info["path"])), ("name", str(info["name"]))]
    lines.append(("rows", f"{info['rows']:,} models"))
    if info.get("taken_at"):
        lines.append(("taken at", _when(str(info["taken_at"]))))
    origin = info.get("origin") or "unknown"
    lines.append(("origin", f"{origin} ({info['source']})" if info.get("source") else origin))
    if info.get("query"):
        lines.append(("query", _query_text(info["query"])))
    if info.get("approximate"):
        lines.append(("approximate", ", ".join(map(str, info["approximate"]))))
    if info.get("note"):
        lines.append(("note", str(info["note"])))
    lines.append(("size", _size(int(info["size_bytes"]))))
    return lines


def _when(text: str) -> str:
    """``2026-08-01 12:00:00 UTC`` for a UTC timestamp; other offsets are kept in ISO form."""
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return text
    if moment.utcoffset() == timedelta(0):
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.isoformat(sep=" ", timespec="seconds")


def _query_text(query: Any) -> str:
    """``key=value`` pairs; the long ``expand`` list is summarized by its length."""
    if not isinstance(query, dict):
        return str(query)
    parts = []
    for key, value in query.items():
        if value is None:
            continue
        if key == "expand" and isinstance(value, list):
            parts.append(f"expand=[{len(value)} properties]")
        elif isinstance(value, list):
            parts.append(f"{key}={','.join(map(str, value))}")
        else:
            parts.append(f"{key}={value}")
    return " ".join(parts)


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _error(prog: str, message: str) -> None:
    """One line on stderr: multi-line messages (e.g. HTTP errors) are folded."""
    print(f"{prog}: error: {' '.join(printable(message).split())}", file=sys.stderr)
