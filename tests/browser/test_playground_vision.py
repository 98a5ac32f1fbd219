"""Playground in JupyterLab on the four vision tasks whose renderers draw more than bars.

Object detection (boxes over the image, each with its label), image segmentation (mask layers
over the image and a legend), image-to-text (the caption) and zero-shot image classification
(score bars for candidate labels typed in the page), on tiny random-weight models made in the
kernel (offline). Each test picks a built-in sample image in the page and presses Run. One
notebook and one kernel serve the four tests (importing torch and transformers takes ~10 s per
kernel). The outputs mean nothing: the tests check what the page draws against what the kernel
recorded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, FloatRect, Locator, Page, expect

from . import conftest as jl

SETUP = (
    jl.MODEL_SETUP
    + """\
detector = tiny.tiny_object_detector(f"{root}/detector")
segmenter = tiny.tiny_image_segmenter(f"{root}/segmenter")
captioner = tiny.tiny_captioner(f"{root}/captioner")
clip = tiny.tiny_clip(f"{root}/clip")"""
)

CELLS = (
    SETUP,
    'det = hw.Playground("object-detection", [detector], backend=backend)\ndet',
    'seg = hw.Playground("image-segmentation", [segmenter], backend=backend)\nseg',
    'cap = hw.Playground("image-to-text", [captioner], backend=backend)\ncap',
    'zero = hw.Playground("zero-shot-image-classification", [clip], backend=backend)\nzero',
)
DETECTOR_LABELS = {"disc", "stripes", "checkerboard"}  # tiny_object_detector's defaults
SEGMENTER_LABELS = {"background", "disc", "stripes"}  # tiny_image_segmenter's defaults


@pytest.fixture(scope="module")
def shared(browser: Browser, lab: jl.Lab) -> Iterator[Page]:
    """One page with the notebook run: the tests share its kernel."""
    with jl.shared_page(browser, lab, "playground_vision.ipynb", *CELLS) as page:
        yield page


@pytest.fixture
def page(shared: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield shared
    jl.screenshot_if_failed(shared, request)


def _widget(page: Page, index: int) -> Locator:
    return jl.notebook_panel(page).locator(".hubwidgets-playground").nth(index)


def _run_on_sample(widget: Locator, sample: str = "sample-1.png", run: int = 1) -> Locator:
    """Pick a built-in sample image in the page, press Run; the model's cell once run ``run``
    of the widget is over."""
    widget.get_by_role("button", name=sample, exact=True).click()
    expect(widget.locator(".hw-hint")).to_contain_text(f"{sample} ready")
    expect(widget.get_by_role("img", name=f"Chosen image: {sample}")).to_be_visible()
    widget.get_by_role("button", name="Run", exact=True).click()
    status = widget.get_by_role("status")
    expect(status).to_contain_text(f"run {run}: 1 answered, 0 failed", timeout=60_000)
    cell = widget.locator(".hw-cell.hw-done")
    expect(cell).to_have_count(1)
    expect(cell.locator(".hw-cell-meta")).to_contain_text(re.compile(r"\d+ ms · local / cpu"))
    return cell


def _last_output(page: Page, name: str) -> Any:
    """The output the kernel's history recorded for the last run of Playground ``name``."""
    printed = jl.kernel_eval(page, f"print({name}.history['output'].iloc[-1])")
    return json.loads(printed)


def _inside(inner: FloatRect | None, outer: FloatRect | None, slack: float = 1.0) -> bool:
    assert inner is not None and outer is not None
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


def test_object_detection_draws_labelled_boxes_over_the_image(page: Page) -> None:
    cell = _run_on_sample(_widget(page, 0))
    image = cell.get_by_role("img", name="The input image")
    expect(image).to_be_visible()
    detections = _last_output(page, "det")
    assert detections, "the tiny detector always finds something"
    boxes = cell.locator(".hw-overlay .hw-box")
    expect(boxes).to_have_count(len(detections))
    # each box: its label and score, drawn where the kernel's box is, over the 64 px image
    shown = cell.locator(".hw-box-label").all_inner_texts()
    assert shown == [f"{d['label']} {d['score']:.2f}" for d in detections]
    assert {text.split()[0] for text in shown} <= DETECTOR_LABELS
    picture = image.bounding_box()
    assert picture is not None and picture["width"] > 0
    scale = picture["width"] / 64
    for box, found in zip(boxes.all(), detections, strict=True):
        drawn = box.bounding_box()
        assert drawn is not None and _inside(drawn, picture)
        assert drawn["x"] - picture["x"] == pytest.approx(found["box"]["xmin"] * scale, abs=2)
        assert drawn["width"] == pytest.approx(
            (found["box"]["xmax"] - found["box"]["xmin"]) * scale, abs=2
        )
    # and the detections as score bars below the image
    bars = cell.get_by_role("list", name="Detections").locator(".hw-bar-label")
    assert bars.all_inner_texts() == [d["label"] for d in detections]


def test_image_segmentation_overlays_masks_with_a_legend(page: Page) -> None:
    cell = _run_on_sample(_widget(page, 1))
    image = cell.get_by_role("img", name="The input image")
    expect(image).to_be_visible()
    segments = _last_output(page, "seg")
    labels = [s["label"] for s in segments]
    assert labels and set(labels) <= SEGMENTER_LABELS
    masks = cell.locator(".hw-overlay .hw-mask")
    expect(masks).to_have_count(len(segments))
    picture = image.bounding_box()
    for mask, label in zip(masks.all(), labels, strict=True):
        assert mask.get_attribute("title") == label
        assert _inside(mask.bounding_box(), picture)
        # the mask PNG the kernel sent, as the layer's CSS mask over its color
        style = mask.evaluate("el => getComputedStyle(el).maskImage || el.style.webkitMaskImage")
        assert "blob:" in style
        # the PNG decodes in the page, at the image's size
        size = mask.evaluate(
            """async (el) => {
              const url = el.style.getPropertyValue('mask-image').match(/url\\("?([^")]+)/)[1];
              const bitmap = await createImageBitmap(await (await fetch(url)).blob());
              return [bitmap.width, bitmap.height];
            }"""
        )
        assert size == [64, 64]
    legend = cell.get_by_role("list", name="Legend").locator("li")
    assert legend.all_inner_texts() == labels
    # one color per label, the same in the legend as over the image
    swatches = cell.locator(".hw-legend .hw-swatch")
    legend_colors = [
        s.evaluate("el => getComputedStyle(el).backgroundColor") for s in swatches.all()
    ]
    mask_colors = [m.evaluate("el => getComputedStyle(el).backgroundColor") for m in masks.all()]
    assert legend_colors == mask_colors and len(set(mask_colors)) == len(labels)


def test_image_to_text_shows_the_caption(page: Page) -> None:
    widget = _widget(page, 2)
    cell = _run_on_sample(widget)
    caption = cell.locator(".hw-generated")
    expect(caption).to_be_visible()
    text = caption.inner_text()
    assert re.fullmatch(r"[a-z]([a-z ]*[a-z])?", text), text  # letters and spaces, see the maker
    assert _last_output(page, "cap") == {"generated_text": text}
    # another sample image: another caption in the same place
    cell = _run_on_sample(widget, "sample-3.png", run=2)
    expect(cell.locator(".hw-generated")).to_have_text(_last_output(page, "cap")["generated_text"])


def test_zero_shot_bars_for_labels_typed_in_the_page(page: Page) -> None:
    widget = _widget(page, 3)
    labels = widget.get_by_role("textbox", name="Candidate labels (comma-separated)")
    expect(labels).to_have_value("a disc, stripes, a checkerboard, a gradient")  # the samples'
    labels.fill("a red square, a blue circle,  green stripes ")
    cell = _run_on_sample(widget, "sample-2.png")
    bars = cell.get_by_role("list", name="Scores")
    names = bars.locator(".hw-bar-label").all_inner_texts()
    assert sorted(names) == ["a blue circle", "a red square", "green stripes"]
    scores = [float(s) for s in bars.locator(".hw-bar-value").all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and sum(scores) == pytest.approx(1, abs=0.01)
    recorded = _last_output(page, "zero")
    assert [r["label"] for r in recorded] == names
    # each bar as wide as its score
    for bar, entry in zip(bars.locator(".hw-bar").all(), recorded, strict=True):
        width = bar.evaluate("el => el.style.width")
        assert float(width.rstrip("%")) == pytest.approx(entry["score"] * 100, abs=0.1)
    # the four widgets, drawn: kept as an artifact like the other browser tests
    _widget(page, 0).scroll_into_view_if_needed()
    jl.screenshot_notebook(page, jl.ARTIFACTS / "playground_vision.png")
