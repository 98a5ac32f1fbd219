"""The ``%hub`` line magic: ``%load_ext hubwidgets``, then one line per question.

::

    %hub search llama --task text-generation --max-params 8B   -> DataFrame
    %hub explore [query]      -> the Hub Explorer (a SearchWidget until it exists)
    %hub compare a b c        -> hw.compare's DataFrame
    %hub check a b            -> hw.check's DataFrame
    %hub login                -> hw.login()'s widget
    %hub health               -> hw.health()'s DataFrame

Every command calls one public function of the package; this module only parses the line.
Mistakes are one line (IPython's ``UsageError``) naming what is valid, with close matches. Tab
completes commands, options, tasks (``--task``) and model ids of the catalog the magics use
(opened on first use: ``hw.open_catalog()``; :func:`use_catalog` sets another).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from IPython.core.completer import (
    CompletionContext,
    SimpleCompletion,
    SimpleMatcherResult,
    context_matcher,
)
from IPython.core.error import UsageError

from .core.catalog.searchable import Searchable
from .core.catalog.vocab import TASKS, close_matches

__all__ = ["COMMANDS", "hub", "load_ipython_extension", "use_catalog"]


@dataclass(frozen=True)
class _Command:
    usage: str
    help: str
    #: option name (without --) -> what it takes ("" for a flag)
    options: Mapping[str, str]
    run: Callable[[list[str], dict[str, Any]], Any]


_STATE: dict[str, Any] = {"catalog": None}


def use_catalog(catalog: Searchable | None) -> None:
    """The catalog ``%hub`` searches and completes from (None: ``hw.open_catalog()`` again on
    the next use)."""
    if catalog is not None and not isinstance(catalog, Searchable):
        raise TypeError(
            "catalog must be a hubwidgets catalog (hw.open_catalog()...), "
            f"not {type(catalog).__name__}"
        )
    _STATE["catalog"] = catalog


def _catalog() -> Searchable:
    found = _STATE["catalog"]
    if found is None:
        from .core.catalog.sources import open_catalog  # noqa: PLC0415

        found = _STATE["catalog"] = open_catalog()
    return found  # type: ignore[no-any-return]


# -- the commands --------------------------------------------------------------------------------
_SEARCH_OPTIONS = {
    "task": "TASK",
    "library": "LIB",
    "language": "LANG",
    "license": "LICENSE",
    "author": "AUTHOR",
    "tags": "TAG",
    "provider": "PROVIDER",
    "min-params": "SIZE",
    "max-params": "SIZE",
    "sort": "KEY",
    "limit": "N",
    "gated": "",
    "open": "",
}
#: options that may be given more than once (any of the values)
_LISTS = frozenset({"task", "library", "language", "license", "author", "tags", "provider"})


def _int(option: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UsageError(f"--{option} takes a whole number, not {value!r}") from None


def _search(args: list[str], opts: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for name, value in opts.items():
        key = name.replace("-", "_")
        if name in ("gated", "open"):
            kwargs["gated"] = name == "gated"
        elif name == "limit":
            kwargs["limit"] = _int(name, value)
        elif name in _LISTS:
            kwargs[key] = value if len(value) > 1 else value[0]
        else:
            kwargs[key] = value
    return _catalog().search(" ".join(args), **kwargs)


def _explore(args: list[str], opts: dict[str, Any]) -> Any:
    from . import widgets  # noqa: PLC0415

    query = " ".join(args)
    if "HubExplorer" in widgets.WIDGETS:
        explorer = widgets.__getattr__("HubExplorer")
        return explorer(catalog=_catalog()) if not query else _explorer_with(explorer, query)
    print("hubwidgets: the Hub Explorer is not available yet; here is a SearchWidget instead.")
    return widgets.__getattr__("SearchWidget")(_catalog(), query=query)


def _explorer_with(explorer: Any, query: str) -> Any:
    app = explorer(catalog=_catalog())
    search = getattr(app, "search", None)
    if callable(search):
        search(query=query)
    return app


def _models(args: list[str], command: str, least: int) -> list[str]:
    if len(args) < least:
        raise UsageError(
            f"%hub {command} needs at least {least} model id(s): {COMMANDS[command].usage}"
        )
    return args


def _compare(args: list[str], opts: dict[str, Any]) -> Any:
    from .core.choose.compare import compare  # noqa: PLC0415

    length = _int("context-length", opts["context-length"]) if "context-length" in opts else 4096
    return compare(_models(args, "compare", 2), catalog=_catalog(), context_length=length)


def _check(args: list[str], opts: dict[str, Any]) -> Any:
    from .core.governance import check  # noqa: PLC0415

    return check(_models(args, "check", 1), catalog=_catalog(), **opts)


def _login(args: list[str], opts: dict[str, Any]) -> Any:
    from .widgets.login import login  # noqa: PLC0415

    _no_arguments("login", args)
    return login(endpoint=opts.get("endpoint"))


def _health(args: list[str], opts: dict[str, Any]) -> Any:
    from .core.connect import health  # noqa: PLC0415

    _no_arguments("health", args)
    kwargs: dict[str, Any] = {}
    if "timeout" in opts:
        try:
            kwargs["timeout"] = float(opts["timeout"])
        except ValueError:
            raise UsageError(f"--timeout takes seconds, not {opts['timeout']!r}") from None
    if "providers" in opts:
        kwargs["providers"] = [p for v in opts["providers"] for p in v.split(",") if p]
    if "endpoint" in opts:
        kwargs["endpoint"] = opts["endpoint"]
    return health(**kwargs)


def _no_arguments(command: str, args: list[str]) -> None:
    if args:
        raise UsageError(f"%hub {command} takes no arguments, got {' '.join(args)!r}")


#: The commands of ``%hub``, in the order the help lists them.
COMMANDS: dict[str, _Command] = {
    "search": _Command(
        "%hub search [words] [--task T] [--library L] [--license L] [--max-params 8B] "
        "[--sort likes] [--limit N] ...",
        "models matching the words and filters, as a DataFrame",
        _SEARCH_OPTIONS,
        _search,
    ),
    "explore": _Command("%hub explore [words]", "the Hub Explorer on the catalog", {}, _explore),
    "compare": _Command(
        "%hub compare MODEL MODEL [MODEL...] [--context-length N]",
        "memory, license, popularity... side by side (hw.compare)",
        {"context-length": "N"},
        _compare,
    ),
    "check": _Command(
        "%hub check MODEL [MODEL...] [--policy FILE]",
        "may we use them, are they safe to load (hw.check)",
        {"policy": "FILE"},
        _check,
    ),
    "login": _Command(
        "%hub login", "log in to the Hub with a token (hw.login)", {"endpoint": "URL"}, _login
    ),
    "health": _Command(
        "%hub health [--timeout 3] [--providers a,b]",
        "is the Hub there, and the providers and your endpoints (hw.health)",
        {"timeout": "S", "providers": "A,B", "endpoint": "URL"},
        _health,
    ),
}


def _help() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["%hub COMMAND ...: the Hugging Face Hub from a notebook (hubwidgets)", ""]
    lines += [
        f"  {name:<{width}}  {c.help}\n  {'':<{width}}  {c.usage}" for name, c in COMMANDS.items()
    ]
    lines += ["", "%hub --help: this list. Tab completes commands, options, tasks and model ids."]
    return "\n".join(lines)


def _parse(command: str, words: Sequence[str]) -> tuple[list[str], dict[str, Any]]:
    """Positional words and ``{option: value}`` (list options: a list of values)."""
    valid = COMMANDS[command].options
    args: list[str] = []
    opts: dict[str, Any] = {}
    items = list(words)
    i = 0
    while i < len(items):
        word = items[i]
        i += 1
        if not word.startswith("--") or word == "--":
            args.append(word)
            continue
        name, eq, value = word[2:].partition("=")
        if name not in valid:
            names = [f"--{n}" for n in valid]
            hint = close_matches(f"--{name}", names)
            near = f" (did you mean {hint[0]}?)" if hint else ""
            listed = ", ".join(names) if names else "none"
            raise UsageError(f"unknown option --{name} for %hub {command}{near}; valid: {listed}")
        if valid[name] == "":  # a flag
            opts[name] = True
            continue
        if not eq:
            if i >= len(items):
                raise UsageError(f"--{name} needs a value ({valid[name]})")
            value = items[i]
            i += 1
        if (command == "search" and name in _LISTS) or name == "providers":
            opts.setdefault(name, []).append(value)
        else:
            opts[name] = value
    return args, opts


def hub(line: str) -> Any:
    """The Hugging Face Hub from a notebook (hubwidgets). Commands:

    %hub search [words] [--task T] [--library L] [--license L] [--language L] [--author A]
                [--min-params 1B] [--max-params 8B] [--sort likes] [--limit N] [--gated|--open]
                                  models as a DataFrame (sizes like 8B, 350M)
    %hub explore [words]          the Hub Explorer (a SearchWidget until it exists)
    %hub compare A B [C...]       hw.compare's table (--context-length N)
    %hub check A [B...]           hw.check's verdicts (--policy FILE)
    %hub login                    log in with a token (hw.login)
    %hub health                   hw.health(): the Hub, providers, your endpoints (--timeout S)
    %hub --help                   this list
    """
    try:
        words = shlex.split(line)
    except ValueError as err:
        raise UsageError(f"cannot read the line: {err}") from None
    if not words or words[0] in ("--help", "-h", "help"):
        print(_help())
        return None
    name, rest = words[0], words[1:]
    command = COMMANDS.get(name)
    if command is None:
        hint = close_matches(name, list(COMMANDS))
        near = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise UsageError(f"unknown command {name!r}{near}; commands: {', '.join(COMMANDS)}")
    if "--help" in rest or "-h" in rest:
        print(f"{command.usage}\n  {command.help}")
        return None
    args, opts = _parse(name, rest)
    try:
        return command.run(args, opts)
    except UsageError:
        raise
    except (ValueError, TypeError, KeyError) as err:  # bad input to the core: its words, one line
        message = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
        raise UsageError(" ".join(message.split())) from None


# -- tab completion --------------------------------------------------------------------------------
_MAX_MODELS = 50


def _model_ids(prefix: str) -> list[str]:
    """Model ids of the catalog starting with ``prefix`` (case-insensitive)."""
    try:
        found = _catalog().search(prefix, sort="downloads", limit=_MAX_MODELS * 4)
    except Exception:  # a completion must never raise
        return []
    low = prefix.lower()
    ids = [str(i) for i in found["id"] if str(i).lower().startswith(low)]
    return ids[:_MAX_MODELS]


def _candidates(before: Sequence[str], word: str) -> tuple[list[str], str]:  # noqa: PLR0911
    """What may follow the words ``before`` (the command and what follows it), and the type."""
    if not before:
        return [n for n in [*COMMANDS, "--help"] if n.startswith(word)], "command"
    command = COMMANDS.get(before[0])
    if command is None:
        return [], ""
    if word.startswith("--"):
        return [f"--{o}" for o in command.options if f"--{o}".startswith(word)], "option"
    previous = before[-1] if len(before) > 1 else ""
    if previous == "--task":
        return [t for t in TASKS if t.startswith(word)], "task"
    if previous.startswith("--") and previous[2:] in command.options:
        return [], ""
    if before[0] in ("compare", "check") and word:
        return _model_ids(word), "model"
    return [], ""


@context_matcher()  # type: ignore[untyped-decorator]
def hub_matcher(context: CompletionContext) -> SimpleMatcherResult:
    """Completions for a ``%hub`` line: commands, options, tasks after ``--task``, model ids."""
    text = context.text_until_cursor
    stripped = text.lstrip()
    if not stripped.startswith("%hub ") or "\n" in context.full_text[: context.cursor_position]:
        return {"completions": [], "suppress": False}
    words = stripped.split()
    if stripped.endswith(" "):
        before, word = words[1:], ""
    else:
        before, word = words[1:-1], words[-1]
    found, kind = _candidates(before, word)
    # IPython replaces its own token (which may stop at / or -): complete that tail only
    token = context.token
    cut = len(word) - len(token) if word.endswith(token) else 0
    completions = [SimpleCompletion(text=c[cut:], type=kind) for c in found if c[cut:]]
    return {"completions": completions, "suppress": bool(completions)}


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%hub`` and its completions in ``ipython`` (``%load_ext hubwidgets``)."""
    ipython.register_magic_function(hub, "line", "hub")
    matchers = ipython.Completer.custom_matchers
    if hub_matcher not in matchers:
        matchers.append(hub_matcher)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext hubwidgets``: the completions go (IPython keeps the magic's name)."""
    matchers = ipython.Completer.custom_matchers
    if hub_matcher in matchers:
        matchers.remove(hub_matcher)
