"""hw.Ensemble: several tiny models that disagree, combined by vote, mean and weights."""

from __future__ import annotations

import pandas as pd
import pytest

import hubwidgets as hw
from hubwidgets.core.inference.playground import PlaygroundSession
from hubwidgets.core.workflows import Ensemble, Pipeline, Step

pytest.importorskip("torch", reason="local models need torch (hubwidgets[inference])")
pytest.importorskip("transformers", reason="local models need transformers")

from hubwidgets.testing import models as tiny

TEXTS = ["a good day", "the film was bad", "fine words here"]
CLASSIFY, TOKENS = "text-classification", "token-classification"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Classifiers that always say one label (so they disagree as the tests need)."""
    root = tmp_path_factory.mktemp("ensemble-models")
    return {
        "neg": tiny.tiny_text_classifier(root / "neg", favour="negative"),
        "pos": tiny.tiny_text_classifier(root / "pos", favour="positive"),
        "pos2": tiny.tiny_text_classifier(root / "pos2", favour="positive"),
        "per": tiny.tiny_token_classifier(root / "per", favour="B-PER"),
        "per2": tiny.tiny_token_classifier(root / "per2", favour="B-PER"),
        "none": tiny.tiny_token_classifier(root / "none", favour="O"),
    }


def frame() -> pd.DataFrame:
    return pd.DataFrame({"text": TEXTS})


def test_vote_takes_the_majority_label_with_agreement_and_each_models_answer(
    models: dict[str, str],
) -> None:
    ens = Ensemble([models["neg"], models["pos"], models["pos2"]], CLASSIFY)
    out = hw.apply(frame(), ens, column="text", progress=False)
    assert list(out.columns) == [
        "text",
        "label",
        "score",
        "agreement",
        "neg.label",
        "neg.score",
        "pos.label",
        "pos.score",
        "pos2.label",
        "pos2.score",
        "error",
        "latency_ms",
    ]
    assert (out["label"] == "positive").all()
    assert out["score"].tolist() == pytest.approx([2 / 3] * 3)  # the share of the votes
    assert out["agreement"].tolist() == pytest.approx([2 / 3] * 3)
    assert (out["neg.label"] == "negative").all() and (out["pos.label"] == "positive").all()
    assert (out["error"] == "").all()
    assert out.attrs["model"] == ens.id == "ensemble(vote: neg, pos, pos2)"
    assert out.attrs["backend"] == "ensemble"
    # each member's columns are what that model alone gives
    alone = hw.apply(frame(), models["neg"], column="text", progress=False)
    assert out["neg.score"].tolist() == pytest.approx(alone["score"].tolist())


def test_mean_and_weighted_average_the_scores(models: dict[str, str]) -> None:
    members = [models["neg"], models["pos"]]
    alone = {
        m: hw.apply(frame(), m, column="text", progress=False).iloc[0]["score"] for m in members
    }
    mean = hw.apply(
        frame(), Ensemble(members, CLASSIFY, strategy="mean"), column="text", progress=False
    )
    # neg says negative with p, pos says positive with q: mean(positive) = ((1 - p) + q) / 2
    p, q = alone[models["neg"]], alone[models["pos"]]
    top = max((1 - p + q) / 2, (p + 1 - q) / 2)
    assert mean["score"].iloc[0] == pytest.approx(top, abs=1e-5)
    assert mean["agreement"].iloc[0] == pytest.approx(0.5)
    weighted = Ensemble(members, CLASSIFY, strategy="weighted", weights=[5, 1])
    heavy_neg = hw.apply(frame(), weighted, column="text", progress=False)
    assert (heavy_neg["label"] == "negative").all()
    assert heavy_neg["score"].iloc[0] == pytest.approx((5 * p + (1 - q)) / 6, abs=1e-5)
    by_name = Ensemble(
        members, CLASSIFY, strategy="weighted", weights={models["neg"]: 1, models["pos"]: 5}
    )
    assert (hw.apply(frame(), by_name, column="text", progress=False)["label"] == "positive").all()


def test_token_labels_keep_the_spans_most_models_found(models: dict[str, str]) -> None:
    ens = Ensemble([models["per"], models["per2"], models["none"]], TOKENS)
    out = hw.apply(frame(), ens, column="text", progress=False)
    assert {"entities", "agreement", "per.entities", "none.entities"} <= set(out.columns)
    first = out["entities"].iloc[0]
    assert first and {e["entity_group"] for e in first} == {"PER"}
    assert [e["score"] for e in first] == pytest.approx([2 / 3] * len(first))
    assert out["none.entities"].iloc[0] == []
    assert out["agreement"].tolist() == pytest.approx([2 / 3] * 3)
    # two of three found nothing: nothing is kept
    quiet = Ensemble([models["per"], models["none"], models["none"] + "/"], TOKENS)
    assert hw.apply(frame(), quiet, column="text", progress=False)["entities"].iloc[0] == []
    # weighted: the PER tagger outweighs the two others
    heavy = Ensemble(
        [models["per"], models["none"], models["none"] + "/"],
        TOKENS,
        strategy="weighted",
        weights=[3, 1, 1],
    )
    assert hw.apply(frame(), heavy, column="text", progress=False)["entities"].iloc[0]


def test_an_ensemble_is_accepted_where_a_model_is(models: dict[str, str]) -> None:
    ens = Ensemble([models["neg"], models["pos"], models["pos2"]], CLASSIFY)
    # hw.benchmark, beside a plain model, with labels
    result = hw.benchmark(
        [ens, models["neg"]],
        CLASSIFY,
        TEXTS,
        labels=["positive"] * 3,
        warmup=0,
        min_iterations=1,
        min_duration_s=0,
        progress=False,
    )
    summary = result.summary.set_index("model")
    assert (summary["status"] == "ok").all()
    assert summary.loc[ens.id, "accuracy"] == pytest.approx(1.0)
    assert summary.loc[models["neg"], "accuracy"] == pytest.approx(0.0)
    # the playground's session: one row per model
    session = PlaygroundSession(CLASSIFY, [ens, models["neg"]])
    rows = session.run("a good day")
    assert rows["model"].tolist() == [ens.id, models["neg"]]
    assert (rows["error"] == "").all()
    # a pipeline step
    pipe = Pipeline([Step(CLASSIFY, ens, name="panel")])
    out = pipe.apply(frame(), "text", progress=False)
    assert (out["panel.label"] == "positive").all()
    assert out["panel.agreement"].tolist() == pytest.approx([2 / 3] * 3)
    assert (out["panel.neg.label"] == "negative").all()
    assert (pipe.run("a day").output or {})["label"] == "positive"
    # and as a backend, with the task's output schema
    answer = ens.run(CLASSIFY, ens.id, "a good day")
    assert answer.outputs[0][0]["label"] == "positive"


def test_bad_ensembles_say_what_is_valid(models: dict[str, str]) -> None:
    two = [models["neg"], models["pos"]]
    with pytest.raises(ValueError, match="two or more"):
        Ensemble([models["neg"]], CLASSIFY)
    with pytest.raises(ValueError, match="'vote', 'mean', 'weighted'"):
        Ensemble(two, CLASSIFY, strategy="average")
    with pytest.raises(ValueError, match="needs weights"):
        Ensemble(two, CLASSIFY, strategy="weighted")
    with pytest.raises(ValueError, match="weights apply to strategy='weighted'"):
        Ensemble(two, CLASSIFY, weights=[1, 2])
    with pytest.raises(ValueError, match="3 numbers for 2 models"):
        Ensemble(two, CLASSIFY, strategy="weighted", weights=[1, 2, 3])
    with pytest.raises(ValueError, match="positive number"):
        Ensemble(two, CLASSIFY, strategy="weighted", weights=[1, 0])
    with pytest.raises(ValueError, match=r"combines labels.*token-classification"):
        Ensemble(two, "text-generation")
    with pytest.raises(ValueError, match="appears twice"):
        Ensemble([models["neg"], models["neg"]], CLASSIFY)
    with pytest.raises(ValueError, match="own backend"):
        hw.apply(frame(), Ensemble(two, CLASSIFY), column="text", backend="local")


def test_image_classifiers_combine_too(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("ensemble-vit")
    first = tiny.tiny_vit_classifier(root / "vit-a")
    second = tiny.tiny_vit_classifier(root / "vit-b")  # the same weights: they agree
    image = tiny.sample_image(root / "x.png")
    df = pd.DataFrame({"image": [image]})
    alone = hw.apply(df, first, column="image", progress=False)
    out = hw.apply(
        df, Ensemble([first, second], "image-classification", strategy="mean"), column="image"
    )
    assert out["label"].iloc[0] == alone["label"].iloc[0]
    assert out["score"].iloc[0] == pytest.approx(alone["score"].iloc[0], abs=1e-5)
    assert out["agreement"].iloc[0] == 1.0


def test_the_playground_widget_takes_an_ensemble(models: dict[str, str]) -> None:
    pytest.importorskip("anywidget", reason="the widgets need anywidget")
    ens = Ensemble([models["neg"], models["pos"], models["pos2"]], CLASSIFY)
    pg = hw.Playground(CLASSIFY, [ens, models["neg"]])
    try:
        assert pg.models == [ens.id, models["neg"]]
        rows = pg.run("a good day")
        assert (rows["error"] == "").all()
        assert '"positive"' in rows.set_index("model").loc[ens.id, "output"]
    finally:
        pg.close()
