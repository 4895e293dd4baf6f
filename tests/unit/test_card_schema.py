"""The card schema: every shipped card follows it exactly; cards of the first format are read by a migration;
what breaks it is refused naming the key, and nothing is written without the current version."""
import json

import pytest

from zoo import card, checkpoints

pytestmark = pytest.mark.backend_agnostic

SHIPPED = sorted(p.parent for p in checkpoints.root().glob("*/card.json"))
PROVENANCE = {"hardware": {"cpu_count": 2, "keras_backend": "jax", "versions": {}},
              "code_version": {"zoo": "0.1.0", "git_commit": "abc"},
              "created": "2026-11-25T23:21:30+00:00"}


def test_every_shipped_card_is_at_the_current_schema_and_round_trips_exactly():
    assert len(SHIPPED) >= 40
    for folder in SHIPPED:
        raw = json.loads((folder / "card.json").read_text())
        assert raw["schema_version"] == card.SCHEMA_VERSION, folder.name
        typed = card.Card.from_dict(raw)
        assert typed.to_dict() == raw, folder.name  # no key the schema does not know, none lost
        assert typed.metrics.on == "test" and typed.metrics.images == 10000 and typed.metrics.values, folder.name
        assert typed.model_sha256 and typed.provenance.code_version.zoo and typed.provenance.hardware.cpu_count
        if typed.kind == "autoencoder":
            assert typed.recipe.name == typed.name and typed.training.epochs == typed.recipe.epochs
            assert "mse" in typed.metrics.values
            ev = typed.evaluation  # every section typed: a reader meets attributes, never the JSON's keys
            assert isinstance(ev, card.Evaluation) and isinstance(ev.reconstruction, card.Reconstruction)
            assert (ev.disentanglement is None) == (ev.samples is not None), folder.name
        else:
            assert 0.8 < typed.metrics.values["accuracy"] <= 1 and typed.feature_layer


def test_a_trained_card_of_the_first_format_migrates():
    old = {"name": "vae-mnist", "family": "vae", "dataset": "mnist", "params": 10, "reproduce": "zoo train vae-mnist",
           "metrics": {"test": {"test_images": 10000, "mse": 0.01}}, "training": {"epochs": 3, "prior_fit_s": None},
           **PROVENANCE, "files": {"model.keras": {"sha256": "ab", "bytes": 4}}}
    new = card.upgrade(old)
    assert new["schema_version"] == 2 and new["kind"] == "autoencoder"
    assert new["metrics"] == {"on": "test", "values": {"mse": 0.01}, "images": 10000}
    assert new["training"] == {"epochs": 3} and "schema_version" not in old  # the input is not changed
    assert card.Card.from_dict(new).to_dict() == new


def test_a_finetuned_card_and_an_evaluator_of_the_first_format_migrate():
    tuned = {"name": "mine", "family": "ae", "dataset": None, "params": 10, **PROVENANCE,
             "parent": {"name": "ae-mnist", "sha256": "ab"}, "finetune": {"epochs": 1, "learning_rate": 1e-4},
             "data": {"source": "a folder", "images": 50, "train_images": 40, "heldout_images": 10},
             "metrics": {"heldout": {"before": {"mse": 0.2}, "after": {"mse": 0.1}, "note": "reconstruction"}}}
    typed = card.Card.from_dict(tuned)
    assert typed.metrics == card.Metrics("heldout", {"mse": 0.1}, 10, {"mse": 0.2}, "reconstruction")
    assert typed.lineage == card.Lineage("finetune", {"epochs": 1, "learning_rate": 1e-4})
    assert typed.parent == card.Parent("ae-mnist", "ab")
    assert typed.to_dict()["dataset"] is None and typed.to_dict()["finetune"]["epochs"] == 1
    evaluator = {"name": "evaluator-mnist", "dataset": "mnist", "test_accuracy": 0.99, "test_images": 10000,
                 "epochs": 8, "wall_time_s": 585.4, "params": 5, "feature_layer": "features", **PROVENANCE}
    typed = card.Card.from_dict(evaluator)
    assert typed.kind == "evaluator" and typed.metrics.values == {"accuracy": 0.99} and typed.training.epochs == 8


@pytest.mark.parametrize("change, message", [
    ({"colour": "red"}, "unknown key(s) 'colour'"),
    ({"params": "many"}, "params should be int"),
    ({"params": True}, "params should be int"),
    ({"metrics": {"on": "yesterday", "values": {}}}, "metrics.on should be one of"),
    ({"metrics": {"values": {}}}, "metrics lacks on"),
    ({"training": {"epochs": 3, "speed": 1}}, "training has unknown key(s) 'speed'"),
    ({"files": {"model.keras": {"sha256": 5, "bytes": 1}}}, "files.model.keras.sha256 should be str"),
    ({"schema_version": 9}, "schema_version 9 is not one this zoo reads"),
    ({"kind": "poem"}, "kind should be one of"),
    ({"hardware": {"cpu_count": "two", "keras_backend": "jax", "versions": {}}}, "hardware.cpu_count should be int"),
    ({"evaluation": {"protocol": {"seed": 0}, "test_images": 10, "reconstruction": {"mse": 0.1},
                     "likelihood": {"neg_elbo_nats": 1, "iwae_nll_nats": 1, "k": 4.5, "images": 8,
                                    "binarized": True}}}, "evaluation.likelihood.k should be int"),
    ({"evaluation": {"protocol": {"seed": 0}, "test_images": 10, "reconstruction": {"mse": 0.1},
                     "denoising": {"gaussian@0.5": {"mse": 0.1}}}}, "evaluation.denoising.gaussian@0.5 lacks psnr"),
    ({"seeds": [{"seed": 1}]}, "seeds[0] lacks scores"),
])
def test_a_card_that_breaks_the_schema_is_refused_naming_the_key(change, message):
    good = {"schema_version": 2, "name": "m", "kind": "autoencoder", "dataset": None, "params": 1, **PROVENANCE}
    card.Card.from_dict(good)
    with pytest.raises(card.CardError) as e:
        card.Card.from_dict({**good, **change})
    assert message in str(e.value)


def test_reading_names_the_file_and_writing_needs_the_current_version(tmp_path):
    (tmp_path / "card.json").write_text(json.dumps({"name": "m", "params": "many", **PROVENANCE}))
    with pytest.raises(ValueError, match=r"card\.json is not a zoo card: params should be int"):
        checkpoints.read_card(tmp_path)
    with pytest.raises(card.CardError, match="must say schema_version 2"):
        checkpoints.write_card(tmp_path, {"name": "m", "kind": "autoencoder", "params": 1, **PROVENANCE})


def test_rendering_reads_only_the_root_it_is_given(tmp_path, monkeypatch):
    """MODEL_CARDS.md from another root shows that root's models and evaluators, whatever the shipped folder."""
    import shutil

    from zoo import cards

    for name in ("ae-mnist", "evaluator-mnist"):
        shutil.copytree(checkpoints.root() / name, tmp_path / name)
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path / "nowhere"))
    text = cards.render(tmp_path)
    assert "\n## ae-mnist\n" in text and "\n## vae-mnist\n" not in text
    assert "| evaluator-mnist |" in text and "evaluator-fashion_mnist" not in text
    assert "latent.png" in text  # the pictures a card lists are shown, without looking for the files


def test_a_vqvae_card_with_a_pixel_likelihood_states_its_code_grid_bound():
    """A VQ-VAE whose decoder is a likelihood of the pixels gets a likelihood bound on its card: the measured
    reconstruction NLL plus the prior's NLL of the code grid, also in bits/dim; a Bernoulli one gets none."""
    import dataclasses
    import math

    from zoo.cards import common, model_cards

    c = checkpoints.read_card(checkpoints.root() / "vqvae-mnist")
    assert not any(line.startswith("- Likelihood: NLL <=") for line in common.body(c, ""))  # Bernoulli: no bound
    ev = c.evaluation
    rec = dataclasses.replace(ev.reconstruction, bce_nats=None, nll_nats=1000.0)
    photo = dataclasses.replace(c, evaluation=dataclasses.replace(ev, reconstruction=rec))
    line = next(line for line in common.body(photo, "") if line.startswith("- Likelihood: NLL <="))
    nats = 1000.0 + ev.codebook.prior_nll_nats_per_grid
    assert f"NLL <= {nats:.2f} nats/image ({nats / (28 * 28 * math.log(2)):.3f} bits/dim)" in line
    assert photo.evaluation.code_grid_bound_nats == nats and c.evaluation.code_grid_bound_nats is None
    _, rows = model_cards.likelihood_rows([photo, c])  # ranked with the IWAE bounds; the Bernoulli one is not there
    assert [(r[1], r[4], r[6], r[9]) for r in rows] == [("vqvae-mnist", f"{nats:.2f}", "code grid", "10,000")]
