"""Model cards as safe HTML, and model records as JSON, for the SearchWidget's detail pane.

Cards are untrusted: every test of a hostile card checks the whole output with
:func:`executable`, an HTML parser that lists anything a browser could run.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hubwidgets.core.catalog.catalog import Catalog
from hubwidgets.widgets._card import (
    DETAIL_FIELDS,
    MODALITY_LABELS,
    card_html,
    detail_record,
    hub_url,
    modality_label,
    strip_front_matter,
)

MODEL = "acme/tiny-llm"
PAGE = "https://huggingface.co/acme/tiny-llm"

#: Elements that run code, load a document or restyle the page.
_ACTIVE_TAGS = frozenset(
    {"script", "iframe", "frame", "object", "embed", "style", "link", "meta", "base", "form"}
    | {"svg", "math", "video", "audio", "source", "input", "button", "textarea", "template"}
)
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcset"})


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ACTIVE_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in _URL_ATTRIBUTES and value is not None:
                scheme = value.split(":", 1)[0].strip().lower() if ":" in value else ""
                image = tag == "img" and value.lower().startswith("data:image/png")
                if scheme not in {"http", "https", "mailto"} and not image:
                    self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and tag not in {"th", "td"}:
                self.problems.append(f"<{tag} style=...>")

    handle_startendtag = handle_starttag


def executable(fragment: str) -> list[str]:
    """Everything in an HTML fragment a browser could run or that could load a document."""
    checker = _Checker()
    checker.feed(fragment)
    checker.close()
    return checker.problems


def render(markdown: str, **kwargs: Any) -> str:
    out = card_html(markdown, MODEL, **kwargs)
    assert executable(out) == [], out
    return out


# -- hostile cards ----------------------------------------------------------------------------


def test_script_tags_are_text() -> None:
    out = render("Hello\n\n<script>alert(document.cookie)</script>\n\nin <script>x()</script> text")
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in out
    assert "in &lt;script&gt;x()&lt;/script&gt; text" in out


@pytest.mark.parametrize(
    "markup",
    [
        "<img src=x onerror=alert(1)>",
        '<img src="x" onerror="alert(1)">',
        "<svg onload=alert(1)>",
        "<body onload=alert(1)>",
        '<a href="https://ok.org" onclick="alert(1)">x</a>',
        "<details open ontoggle=alert(1)>",
    ],
)
def test_event_handler_attributes_are_text(markup: str) -> None:
    for card in (markup, f"text {markup} inline"):
        out = render(card)
        assert "&lt;" in out


@pytest.mark.parametrize(
    "card",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](&#106;avascript:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](file:///etc/passwd)",
        "<javascript:alert(1)>",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    ],
)
def test_unsafe_links_are_not_links(card: str) -> None:
    out = render(card)
    # no link at all, or (a tab is no scheme) a harmless path in the repo
    for url in re.findall(r'(?:href|src)="([^"]*)"', out):
        assert url.startswith(f"{PAGE}/"), url


@pytest.mark.parametrize(
    "block",
    [
        '<iframe src="https://evil.example"></iframe>',
        "<div>\n<script>alert(1)</script>\n</div>",
        "<style>body { display: none }</style>",
        '<object data="x.swf"></object>',
        '<form action="https://evil.example"><input name=a></form>',
        '<meta http-equiv="refresh" content="0; url=https://evil.example">',
        '<base href="https://evil.example/">',
    ],
)
def test_raw_html_blocks_are_text(block: str) -> None:
    out = render(f"# Card\n\n{block}\n\nafter")
    assert "&lt;" in out
    assert "<p>after</p>" in out


def test_html_comments_are_dropped_outside_code() -> None:
    card = (
        "# Model <!-- title -->\n\n"
        "<!-- Provide a quick summary\nof what the model is. -->\n\n"
        "Text <!-- hidden --> shown.\n\n"
        "Code `<!-- kept -->` here.\n\n"
        "```html\n<!-- kept too -->\n```\n"
    )
    out = render(card)
    assert "<h1>Model</h1>" in out
    assert "summary" not in out
    assert "hidden" not in out
    assert "Text  shown." in out
    assert "<code>&lt;!-- kept --&gt;</code>" in out
    assert "&lt;!-- kept too --&gt;" in out
    assert "<p></p>" not in out


# -- what a card looks like ---------------------------------------------------------------------


def test_front_matter_is_removed() -> None:
    card = "---\nlicense: mit\ntags:\n- a\n---\n# Title\n\ntext\n\n---\n\nmore"
    out = render(card)
    assert "license" not in out
    assert out.startswith("<h1>Title</h1>")
    assert "<hr />" in out  # a later rule is a rule
    assert strip_front_matter("---\r\nlicense: mit\r\n---\r\nbody") == "body"
    assert strip_front_matter("---\n---\nbody") == "body"
    assert strip_front_matter("\ufeff---\na: 1\n...\nbody") == "body"
    assert strip_front_matter("no front matter\n---\n") == "no front matter\n---\n"


def test_tables_and_strikethrough_are_rendered() -> None:
    out = render("| Metric | Score |\n|:--|--:|\n| MMLU | 61.2 |\n\n~~old~~")
    assert "<table>" in out
    assert '<th style="text-align:left">Metric</th>' in out
    assert '<td style="text-align:right">61.2</td>' in out
    assert "<s>old</s>" in out


def test_relative_links_resolve_into_the_repo() -> None:
    out = render(
        "![chart](images/chart.png) ![dot](./dot.png) [config](config.json) "
        "[base](/meta-llama/Llama-3.1-8B) [usage](#usage) [paper](https://arxiv.org/abs/1)"
    )
    assert f'src="{PAGE}/resolve/main/images/chart.png"' in out
    assert f'src="{PAGE}/resolve/main/dot.png"' in out
    assert f'href="{PAGE}/blob/main/config.json"' in out
    assert 'href="https://huggingface.co/meta-llama/Llama-3.1-8B"' in out
    assert f'href="{PAGE}#usage"' in out
    assert 'href="https://arxiv.org/abs/1"' in out


def test_links_open_in_a_new_tab_without_the_opener() -> None:
    out = render("[a](https://a.org) <https://b.org> [c](mailto:c@d.org)")
    assert out.count('target="_blank" rel="noopener noreferrer"') == 3
    assert 'loading="lazy"' in render("![x](https://a.org/x.png)")


def test_long_cards_are_cut_at_a_line_end_with_a_link() -> None:
    card = "".join(f"line {i}\n\n" for i in range(1000))
    out = render(card, max_chars=100)
    assert "line 0" in out
    assert "line 99" not in out
    assert "was cut here" in out
    assert "100 characters" in out
    assert f'href="{PAGE}"' in out
    assert "was cut" not in render(card)  # under the default cap: whole


def test_an_open_code_fence_does_not_swallow_the_cut_note() -> None:
    out = render("```\n" + "x\n" * 100, max_chars=50)
    assert out.rstrip().endswith("</em></p>")


def test_card_must_be_text() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        card_html(None, MODEL)  # type: ignore[arg-type]


def test_hub_url_quotes_nothing_a_model_id_holds() -> None:
    assert hub_url("meta-llama/Llama-3.1-8B") == "https://huggingface.co/meta-llama/Llama-3.1-8B"
    assert hub_url("gpt2") == "https://huggingface.co/gpt2"


@pytest.mark.slow
def test_every_recorded_card_renders_safely(raw_2025_records: list[dict[str, Any]]) -> None:
    cards = [(r["metadata"]["id"], r["card"]) for r in raw_2025_records]
    cards = [(i, c) for i, c in cards if isinstance(c, str) and c.strip() not in ("", "N/A")]
    assert len(cards) > 500
    for model_id, card in cards:
        out = card_html(card, model_id)
        assert executable(out) == [], model_id


# -- records ------------------------------------------------------------------------------------


def test_modality_label_uses_the_hubs_names() -> None:
    assert modality_label("text-to-image") == "Computer Vision"
    assert modality_label("text-generation") == "Natural Language Processing"
    assert modality_label("no-such-task") == "Other"
    assert modality_label(None) == "Other"
    assert set(MODALITY_LABELS.values()) >= {"Audio", "Multimodal", "Tabular"}


def test_detail_record_is_json_values_with_none_for_missing() -> None:
    row = pd.Series(
        {
            "id": MODEL,
            "author": "acme",
            "task": "text-to-image",
            "library": pd.NA,
            "params": np.int64(7_000_000_000),
            "downloads": np.int64(12),
            "likes": pd.NA,
            "created_at": pd.Timestamp("2024-05-01 12:30", tz="UTC"),
            "last_modified": pd.NaT,
            "gated": np.bool_(True),
            "inference": pd.NA,
            "languages": ["en", "fr"],
            "tags": np.array(["a", "b"], dtype=object),
            "base_models": pd.NA,
            "sha": "abc",
            "card": "# not in the record",
        },
        dtype=object,
    )
    record = detail_record(row)
    assert list(record) == list(DETAIL_FIELDS)
    assert json.loads(json.dumps(record)) == record
    assert record["modality"] == "Computer Vision"
    assert record["params"] == 7_000_000_000
    assert record["created_at"] == "2024-05-01T12:30:00+00:00"
    assert record["gated"] is True
    assert record["tags"] == ["a", "b"]
    assert record["library"] is None
    assert record["likes"] is None
    assert record["last_modified"] is None
    assert record["providers"] is None  # not in the row at all
    assert "card" not in record


def test_detail_record_of_a_catalog_row() -> None:
    catalog = Catalog.from_records(
        [
            {
                "id": MODEL,
                "createdAt": "2024-05-01T00:00:00.000Z",
                "pipeline_tag": "text-generation",
                "tags": ["transformers", "en"],
                "downloads": 3,
            }
        ]
    )
    record = detail_record(catalog.model(MODEL))
    assert json.loads(json.dumps(record)) == record
    assert record["author"] == "acme"
    assert record["task"] == "text-generation"
    assert record["created_at"] == "2024-05-01T00:00:00+00:00"
    assert record["downloads"] == 3
    assert record["likes"] is None
