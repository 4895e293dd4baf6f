"""One metric catalogue: every metric zoo compare prints, zoo info headlines and MODEL_CARDS.md's tables name is
in it, named one way, with which way is better."""
import pytest

from zoo import cards, catalogue, checkpoints, comparison

pytestmark = pytest.mark.backend_agnostic


def test_every_metric_column_is_the_catalogues():
    metric_columns = [c for c in comparison.COLUMNS if c[0] not in comparison._ABOUT]
    assert metric_columns and all(c[1:] == (catalogue.get(c[0]).label, catalogue.get(c[0]).fmt) for c in metric_columns)
    labels = [m.label for m in catalogue.METRICS.values()]
    titles = [m.title for m in catalogue.METRICS.values()]
    assert len(set(labels)) == len(labels) and len(set(titles)) == len(titles)
    assert {m.better for m in catalogue.METRICS.values()} <= {"", "lower", "higher"}
    assert list(cards.DISENTANGLEMENT_HEAD.values()) == [catalogue.get(k).title for k in catalogue.DISENTANGLEMENT]


def test_zoo_info_and_model_cards_use_the_catalogues_names():
    card = checkpoints.read_card(checkpoints.root() / "beta_tcvae-dsprites")
    text = cards.summary(card)
    mig = catalogue.get("mig")
    assert f"{mig.title}" in text and mig.explained() in text and mig.explained().endswith("higher is better")
    card = checkpoints.read_card(checkpoints.root() / "vae-mnist")
    fid = catalogue.get("fid")
    assert f"{fid.title}" in cards.summary(card) and "lower is better" in fid.explained()
    rendered = cards.render()
    assert "| DCI disentanglement | DCI completeness | DCI informativeness |" in rendered
