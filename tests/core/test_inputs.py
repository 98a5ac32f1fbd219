"""The inputs people bring to a run (hubwidgets.core.inference.samples), without a widget: given
from Python, uploaded as files, and the Inputs that holds them by source."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hubwidgets.core.inference.samples import (
    Inputs,
    given_inputs,
    per_input,
    sample_inputs,
    uploaded_inputs,
)

TEXTS = ["great film", "awful food"]


@pytest.mark.parametrize(
    ("inputs", "items", "label"),
    [
        (None, None, ""),
        (TEXTS, TEXTS, "the given list"),
        (tuple(TEXTS), TEXTS, "the given list"),
        (np.array(TEXTS), TEXTS, "the given list"),
        (pd.Series(TEXTS, name="text"), TEXTS, "column 'text'"),
        (pd.Series(TEXTS), TEXTS, "the given Series"),
        ((pd.DataFrame({"text": TEXTS}), "text"), TEXTS, "column 'text'"),
        ("one text", ["one text"], "the given input"),
        ({"question": "q", "context": "c"}, [{"question": "q", "context": "c"}], "the given input"),
    ],
)
def test_given_inputs(inputs: object, items: list[object] | None, label: str) -> None:
    assert given_inputs(inputs) == (items, label)


@pytest.mark.parametrize(
    ("inputs", "words"),
    [
        ((pd.DataFrame({"text": TEXTS}), "txt"), "'txt' is not a column; the columns: text"),
        (pd.DataFrame({"text": TEXTS}), "pass one column"),
        (42, "not int"),
    ],
)
def test_given_inputs_refused(inputs: object, words: str) -> None:
    with pytest.raises(TypeError, match=words):
        given_inputs(inputs)


def test_per_input() -> None:
    assert per_input(None, "labels") is None
    assert per_input(pd.Series(["a", "b"]), "labels") == ["a", "b"]
    assert per_input(("a",), "groups") == ["a"]
    with pytest.raises(TypeError, match="labels must be a list"):
        per_input("positive", "labels")


def test_uploaded_inputs_by_kind() -> None:
    files = [
        ("a.txt", b"one\n\n two \r\nthree"),
        ("b.JSON", b'[{"question": "q", "context": "c"}, "x"]'),
        ("c.json", b'{"k": 1}'),
        ("d.jsonl", b'"first"\n\n{"k": 2}\n'),
    ]
    assert uploaded_inputs("text-classification", files) == [
        "one",
        "two",
        "three",
        {"question": "q", "context": "c"},
        "x",
        {"k": 1},
        "first",
        {"k": 2},
    ]
    png = sample_inputs("image-classification")[0]
    # images, sounds (and anything before a task is chosen) are one input each, as bytes
    assert uploaded_inputs("image-classification", [("x.png", memoryview(png))]) == [png]
    assert uploaded_inputs("", [("a.txt", b"one\ntwo")]) == [b"one\ntwo"]
    assert uploaded_inputs("text-classification", [("bad.txt", b"\xff\xfeok")]) == [
        "\ufffd\ufffdok"
    ]


def test_bad_json_names_the_file_and_line() -> None:
    with pytest.raises(ValueError, match=r"b\.jsonl is not valid JSON \(line 3"):
        uploaded_inputs("text-classification", [("b.jsonl", b'"a"\n\n{oops\n')])
    with pytest.raises(ValueError, match=r"a\.json is not valid JSON \(line 2"):
        uploaded_inputs("text-classification", [("a.json", b'[\n"a",,\n]')])


def test_inputs_by_source() -> None:
    inputs = Inputs(TEXTS, "column 'text'")
    task = "text-classification"
    n = len(sample_inputs(task))
    assert inputs.items("column", task) == TEXTS
    assert inputs.items("samples", task) == sample_inputs(task)
    assert inputs.items("samples", "") == []
    assert inputs.describe("column", task) == "2 inputs from column 'text'"
    assert inputs.describe("samples", task) == f"{n} built-in samples"
    assert inputs.describe("samples", "") == "the built-in samples"
    assert "no files uploaded" in inputs.missing("files")
    assert inputs.missing("column") == inputs.missing("samples") == ""
    assert "no inputs were given" in Inputs().missing("column")
    inputs.files = [("a.json", b"not json")]
    assert inputs.count("files", task) == 0  # unreadable: Run says why
    assert inputs.count("files", "image-classification") == 1
    with pytest.raises(ValueError, match="not valid JSON"):
        inputs.items("files", task)
    assert inputs.describe("files", task) == "0 inputs from 1 uploaded file(s)"
    assert inputs.counts(task) == {
        "samples": n,
        "column": 2,
        "column_label": "column 'text'",
        "files": ["a.json"],
        "file_items": 0,
    }
