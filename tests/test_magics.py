"""``%load_ext hubwidgets`` and ``%hub`` in a real IPython shell (IPython's own test shell):
each command's result, one-line errors naming what is valid, the help, and tab completion of
commands, options, tasks and model ids through the shell's completer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from IPython.core.completer import provisionalcompleter
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.testing.globalipapp import start_ipython

import hubwidgets as hw
from hubwidgets import magics
from hubwidgets.widgets import WIDGETS


@pytest.fixture(scope="module")
def ip() -> Iterator[InteractiveShell]:
    shell = start_ipython()
    assert shell is not None
    shell.run_line_magic("load_ext", "hubwidgets")
    magics.use_catalog(hw.starter_catalog())
    jedi = shell.Completer.use_jedi
    shell.Completer.use_jedi = False  # IPython's own (slow) Python completions are not tested
    yield shell
    shell.Completer.use_jedi = jedi
    magics.use_catalog(None)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def hub(ip: InteractiveShell, line: str) -> Any:
    return ip.run_line_magic("hub", line)


def _error(ip: InteractiveShell, line: str) -> str:
    with pytest.raises(UsageError) as caught:
        hub(ip, line)
    message = str(caught.value)
    assert "\n" not in message  # one line
    return message


def completions(ip: InteractiveShell, text: str) -> list[str]:
    with provisionalcompleter():
        found = ip.Completer.completions(text, len(text))
        return [text[: c.start] + c.text for c in found]


def test_search_with_filters_and_sizes(ip: InteractiveShell) -> None:
    df = hub(ip, "search llama --task text-generation --max-params 8B --limit 5")
    assert isinstance(df, pd.DataFrame)
    assert 0 < len(df) <= 5
    assert df["id"].str.lower().str.contains("llama").all()
    assert (df["task"] == "text-generation").all()
    assert (df["params"] <= 8e9).all()
    small = hub(ip, "search --max-params 350M --sort likes --limit 10")
    assert (small["params"] <= 350e6).all() and len(small) > 0
    both = hub(ip, "search --task text-generation --task fill-mask --limit 200")
    assert set(both["task"]) == {"text-generation", "fill-mask"}


def test_compare_and_check(ip: InteractiveShell) -> None:
    ids = ["openai-community/gpt2", "Qwen/Qwen2.5-1.5B-Instruct"]
    table = hub(ip, " ".join(["compare", *ids]))
    assert list(table["id"]) == ids
    verdicts = hub(ip, f"check {ids[0]}")
    assert list(verdicts["id"]) == [ids[0]]
    assert verdicts["verdict"].iloc[0] in ("allow", "review", "deny")


def test_explore_login_and_health(ip: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    shown = hub(ip, "explore whisper")
    try:
        if "HubExplorer" in WIDGETS:
            assert type(shown).__name__ == "HubExplorer"
        else:  # said in one line, and the search widget stands in
            assert "not available yet" in capsys.readouterr().out
            assert isinstance(shown, hw.SearchWidget)
            assert shown.query == "whisper"
    finally:
        shown.close()
    widget = hub(ip, "login")
    try:
        assert isinstance(widget, hw.LoginWidget)
    finally:
        widget.close()
    health = hub(ip, "health --timeout 1 --providers together,fal-ai")
    assert list(health["service"]) == ["hub", "router", "provider", "provider", "endpoints"]
    assert set(health["status"]) == {"unreachable"}  # offline: not contacted, never "ok"


def test_mistakes_are_one_line_naming_what_is_valid(ip: InteractiveShell) -> None:
    message = _error(ip, "serch llama")
    assert "did you mean 'search'?" in message
    assert "commands: search, explore, compare, check, login, health" in message
    message = _error(ip, "search llama --tsk text-generation")
    assert "unknown option --tsk" in message and "did you mean --task?" in message
    assert "--max-params" in message
    assert "unknown task 'text-gen'" in _error(ip, "search --task text-gen")
    assert "whole number" in _error(ip, "search --limit many")
    assert "needs a value" in _error(ip, "search --task")
    assert "at least 2" in _error(ip, "compare openai-community/gpt2")
    assert "takes no arguments" in _error(ip, "health now")
    # through the shell, a mistake is one line, not a traceback
    result = ip.run_cell("%hub serch llama")
    assert isinstance(result.error_in_exec, UsageError)


def test_help_lists_the_commands(ip: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    assert hub(ip, "--help") is None
    out = capsys.readouterr().out
    for name in magics.COMMANDS:
        assert f"  {name}" in out
    # %hub? shows the magic's docstring
    doc = ip.find_line_magic("hub").__doc__
    for name in magics.COMMANDS:
        assert f"%hub {name}" in doc
    ip.run_cell("%hub?")
    assert "%hub search" in capsys.readouterr().out


def test_tab_completion(ip: InteractiveShell) -> None:
    assert "%hub search" in completions(ip, "%hub se")
    assert set(completions(ip, "%hub search --ta")) >= {"%hub search --task", "%hub search --tags"}
    assert completions(ip, "%hub search --task text-g") == ["%hub search --task text-generation"]
    gpt2 = completions(ip, "%hub compare openai-community/gp")
    assert "%hub compare openai-community/gpt2" in gpt2
    found = completions(ip, "%hub check Qwen/Qwen2.5-")
    assert found and all(f.startswith("%hub check Qwen/Qwen2.5-") for f in found)
    # other lines are left to IPython's own completers
    assert "%hub search" not in completions(ip, "x = 1; se")
