"""Metrics and zoo.compare on the shipped checkpoints and classifiers."""
import numpy as np
import pytest

import zoo
from zoo import classifiers, data, evaluation, metrics
from zoo.card import as_json


@pytest.mark.parametrize("dataset, floor", [("mnist", 0.99), ("fashion_mnist", 0.90)])
def test_evaluator_is_accurate_and_real_images_are_valid(dataset, floor):
    ev = classifiers.load(dataset)
    x, y = data.load_split(dataset, "test")
    feats, probs = ev(x[:2000])
    assert ev.card.metrics.values["accuracy"] >= floor
    assert (probs.argmax(1) == y[:2000]).mean() >= floor - 0.01
    assert feats.shape == (2000, 128)
    # the classifier on its own test images: validity close to 1 on MNIST (measured 0.79 on Fashion-MNIST,
    # whose shirt/T-shirt/pullover classes overlap), FID between two halves close to 0
    assert metrics.validity(probs) > (0.95 if dataset == "mnist" else 0.75)
    assert metrics.frechet_distance(feats[:1000], feats[1000:]) < 0.1 * metrics.frechet_distance(
        feats, ev(np.random.default_rng(0).random((2000, 28, 28)).astype("float32"))[0])


def test_iwae_is_tighter_than_elbo_on_trained_vae():
    model = zoo.load("vae-mnist")
    x = data.load_split("mnist", "test")[0][:50]
    out = metrics.likelihood(model, x, k=200)
    assert out["iwae_nll_nats"] < out["neg_elbo_nats"] - 1.0  # several nats tighter on a trained model


def test_ex_post_section_matches_the_card_and_fills_iwae_holes():
    """evaluate(sections=["ex_post"]) on a shipped card: the mixture refitted to the training codes gives the
    card's numbers again, and it samples far more recognisable digits than iwae-mnist's own N(0, I)."""
    model = zoo.load("iwae-mnist")
    card = as_json(model.card.evaluation)
    protocol = {"samples": 2000}
    fresh = evaluation.evaluate(model, "mnist", protocol, log=lambda *a: None, sections=["ex_post"],
                                previous=card)
    assert fresh["ex_post"]["components"] == card["ex_post"]["components"] == 10
    assert fresh["ex_post"]["validity"] == pytest.approx(card["ex_post"]["validity"], abs=0.03)
    assert fresh["ex_post"]["validity"] > card["holes"]["normal_prior"]["validity"] + 0.1
    assert fresh["holes"] == card["holes"]  # the other sections are carried over untouched


def test_compare_uses_cards_and_draws(tmp_path):
    names = zoo.list_models("*-mnist")  # every family, the conditional one included
    table = zoo.compare(names, figure=tmp_path / "c.png")
    assert [r["source"] for r in table.rows] == ["card"] * len(names)
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    text = str(table)
    assert "ae-mnist" in text and "FID N(0,I)" in text
    ae, vae = table["ae-mnist"], table["vae-mnist"]
    # The seed chapter's thesis, as measured: naive N(0, I) codes land in the AE's holes.
    assert ae["validity_normal"] < ae["validity"] and ae["fid_normal"] > ae["fid"]
    assert ae["validity_normal"] < vae["validity"] and ae["fid_normal"] > vae["fid"]


def test_compare_computes_missing_metrics_for_a_cardless_model(tmp_path):
    model = zoo.load("ae-mnist")
    model.save(tmp_path / "mine.keras")
    small = {"samples": 300, "iwae_k": 10, "iwae_images": 10}
    table = zoo.compare([str(tmp_path / "mine.keras")], dataset="mnist", protocol=small)
    row = table.rows[0]
    assert row["source"] == "computed" and row["fid"] > 0 and 0 <= row["validity"] <= 1
    assert any("computed now" in n for n in table.notes)
    with pytest.raises(ValueError, match="at least one"):
        zoo.compare([])
