from pathlib import Path

import numpy as np
import pytest

from tests import repo_scripts
from zoo import cards, checkpoints, recipes
from zoo.training import SAME_NETWORK_FIELDS as SAME

ROOT = Path(__file__).resolve().parents[2]


def test_model_cards_md_is_generated_from_the_cards():
    assert (ROOT / "MODEL_CARDS.md").read_text() == cards.render(), \
        "MODEL_CARDS.md is stale: run `python scripts/make_cards.py`"


@pytest.mark.parametrize("name", recipes.list_models())
def test_checkpoint_readme_is_generated_and_measured(name):
    card = checkpoints.read_card(checkpoints.root() / name)
    assert card is not None, f"{name} has no card.json"
    readme = (checkpoints.root() / name / "README.md").read_text()
    assert readme == cards.hf_readme(card), f"{name}/README.md is stale: run `python scripts/make_cards.py`"
    assert readme.startswith("---\nlibrary_name: keras\n") and "model-index:" in readme
    assert card.evaluation, f"{name} was not measured: run `zoo evaluate {name}`"
    if card.evaluation.disentanglement:  # a factor dataset: the scores and the labelled traversal
        assert "- Disentanglement: " in readme and "![latent traversal](traversal.png)" in readme
    elif "Latent traversal" in readme:  # the text names as many rows as the grid has: at most the code's units
        latent = card.recipe.latent_dim
        assert ("(all %d)" % latent if latent <= 8 else "(the 8 most varied)") in readme


@pytest.mark.parametrize("name", recipes.list_models())
def test_a_cards_reproduce_line_trains_what_the_card_records(name):
    """The command a card gives reruns its recipe as the registry has it now (its epochs and overrides named),
    so a recipe whose defaults moved on cannot leave a card pointing at another run."""
    from zoo.training import reproduce_line

    card = checkpoints.read_card(checkpoints.root() / name)
    first = card.reproduce.split("; then ")[0].removesuffix(" --mixed-precision")
    if "; then " not in card.reproduce:
        assert first == reproduce_line(card.recipe), f"{name}: {card.reproduce!r}"
    else:  # a continued run: its last command trains the recipe the card records
        last = card.reproduce.split("; then ")[-1].removesuffix(f" --continue-from ./{name}")
        assert last.removesuffix(" --mixed-precision") == reproduce_line(card.recipe), card.reproduce


def test_finetune_page_numbers_are_the_measured_ones():
    """docs/finetuning.md's fine-tuning table is rendered from docs/finetune/results.json (scripts/finetune_demo.py)."""
    import json

    demo, root = repo_scripts.load("finetune_demo"), Path(__file__).resolve().parents[2]
    res = json.loads((root / "docs" / "finetune" / "results.json").read_text())
    assert demo.doc_block(res) in (root / "docs" / "finetuning.md").read_text()
    assert (root / "docs" / "finetune" / "samples.png").exists()


def test_speed_page_tables_are_the_record():
    """docs/speed.md's tables are rendered from docs/benchmark.json by scripts/bench.py."""
    import json

    bench, root = repo_scripts.load("bench"), Path(__file__).resolve().parents[2]
    record = json.loads((root / "docs" / "benchmark.json").read_text())
    block = f"{bench.DOC_BEGIN}\n{bench.markdown(record)}\n{bench.DOC_END}"
    assert block in (root / "docs" / "speed.md").read_text()
    assert (root / "docs" / "benchmark.md").read_text() == bench.markdown(record) + "\n"


def test_a_gpu_record_names_the_gpu_and_pairs_the_precisions():
    bench = repo_scripts.load("bench")
    record = {"machine": {"platform": "Linux", "cpu_count": 16, "accelerator": "NVIDIA H200", "date": "2026-12-02"},
              "batch_size": 128,
              "precision": [{"backbone": "conv", "backend": "jax", "policy": "float32", "train_img_s": 1000.0,
                             "final_loss": 120.04},
                            {"backbone": "conv", "backend": "jax", "policy": "mixed_bfloat16", "train_img_s": 2500.0,
                             "final_loss": 120.26},
                            {"backbone": "conv", "backend": "torch", "policy": "float32", "error": "out of memory"}]}
    text = bench.markdown(record)
    assert text.startswith("Measured on Linux, an NVIDIA H200 GPU (16 CPU cores), 2026-12-02; batch 128.")
    assert "| conv | jax | 1,000 | 2,500 | 2.50x | 120.0 | 120.3 |" in text
    assert "| conv | torch | failed |  |  |  |  |" in text  # failed in float32, mixed not run


def _measured(name):
    card = checkpoints.read_card(checkpoints.root() / name)
    assert card and card.evaluation, f"{name} was not measured: run `zoo evaluate {name}`"
    return card


def _nll(name):
    return _measured(name).evaluation.likelihood.iwae_nll_nats


def test_the_likelihood_models_ship_for_their_likelihood():
    """iwae, vamp and hvae exist for a tighter bound than the plain VAE's, measured the same way."""
    for dataset in ("mnist", "fashion_mnist"):
        for family in ("iwae", "vamp", "hvae"):
            assert _nll(f"{family}-{dataset}") < _nll(f"vae-{dataset}"), (family, dataset)


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_some_n01_sampled_family_draws_better_than_the_plain_vae(dataset):
    best = min(_measured(f"{f}-{dataset}").evaluation.samples.fid for f in ("beta_vae", "wae", "aae", "iwae"))
    assert best < _measured(f"vae-{dataset}").evaluation.samples.fid


def test_wae_ships_for_diverse_samples_and_its_small_code_variant_for_recognisable_ones():
    """wae-mnist keeps the code that covers every kind of digit; wae_d6-mnist trades that for validity."""
    wae, d6 = (_measured(n).evaluation.samples for n in ("wae-mnist", "wae_d6-mnist"))
    assert wae.recall > 2 * d6.recall and d6.validity > wae.validity


def test_iwae_d6_beats_the_vae_of_its_own_network():
    """The small-code IWAE still earns its cost: its NLL is below a plain vae's with its network and training."""
    card = _measured("iwae_d6-mnist")
    assert card.baseline, "run `python scripts/baseline.py iwae_d6-mnist` (the card lost it when retrained)"
    base, lik = card.baseline, card.evaluation.likelihood
    assert base.family == "vae"
    assert {f: getattr(base.recipe, f) for f in SAME} == {f: getattr(card.recipe, f) for f in SAME}
    assert (base.likelihood.k, base.likelihood.images, base.likelihood.binarized) == (lik.k, lik.images, lik.binarized)
    assert lik.iwae_nll_nats < base.likelihood.iwae_nll_nats
    assert "Same network trained as a plain `vae`" in (checkpoints.root() / "iwae_d6-mnist" / "README.md").read_text()


def test_photo_finetune_numbers_are_the_measured_ones():
    """docs/photographs.md's photo fine-tuning table is rendered from docs/finetune/photos.json (scripts/finetune_photos.py)."""
    import json

    demo, root = repo_scripts.load("finetune_photos"), Path(__file__).resolve().parents[2]
    res = json.loads((root / "docs" / "finetune" / "photos.json").read_text())
    assert demo.doc_block(res) in (root / "docs" / "photographs.md").read_text()
    assert (root / "docs" / "finetune" / "photos.png").exists()


def test_photo_channel_split_adds_up_and_is_the_pages():
    """scripts/photo_channels.py: red alone plus green and blue given red is the model's reconstruction NLL,
    the MSE is the mean image's, and docs/photographs.md's table is rendered from the measured docs/photo_channels.json."""
    import json

    import zoo

    script = repo_scripts.load("photo_channels")
    model = zoo.create("ae", input_shape=(32, 32, 3), latent_dim=8, backbone="resnet", likelihood="logistic_mixture",
                       seed=0)
    x = np.random.default_rng(0).integers(0, 256, (6, 32, 32, 3)).astype("float32") / 255.0
    r = script.split(model, x, None, batch=4)
    out = model.decoder(model.encode(x), training=False)
    nats = np.asarray(model.likelihood.nll(x, out))
    assert r["nats"] == pytest.approx(float(nats.mean()), rel=1e-5)
    assert r["red_nats"] + r["green_blue_given_red_nats"] == pytest.approx(r["nats"], rel=1e-6)
    assert 0 < r["red_nats"] < r["nats"] and r["red_bits_per_value"] == pytest.approx(r["red_nats"] / 1024 / np.log(2))
    mse = ((model.reconstruct(x) - x) ** 2).mean(axis=(0, 1, 2))
    assert r["mse_per_channel"] == pytest.approx(list(mse), rel=1e-4)
    per_image = ((model.reconstruct(x) - x) ** 2).mean(axis=(1, 2, 3))
    assert r["psnr_db"] == pytest.approx(float(np.mean(10 * np.log10(1 / per_image))), rel=1e-4)
    rows = json.loads((ROOT / "docs" / "photo_channels.json").read_text())
    assert script.doc_block(rows) in (ROOT / "docs" / "photographs.md").read_text()


def test_benchmark_counts_multiply_adds_and_builds_pythaes_photo_network():
    """The photographs part's FLOP rates rest on `multiply_adds`: checked on layers counted by hand, and on the
    peer network, whose size is pythae 0.1.2's CIFAR ResNet VAE's (2,161,795 parameters at code 64: encoder
    convolutions 3,136 + 131,200 + 147,584, two residual blocks of 41,120, two 8192 x 64 heads of 524,352;
    decoder 532,480 + the blocks + 131,136 + 3,075)."""
    import keras

    bench = repo_scripts.load("bench")
    inp = keras.Input((4, 4, 1))
    x = keras.layers.Conv2D(2, 3, padding="same")(inp)  # 16 positions x 9 x 1 x 2 = 288
    y = keras.layers.Conv2DTranspose(1, 2, strides=2)(x)  # 16 input positions x 4 x 2 x 1 = 128
    out = keras.layers.Dense(5)(keras.layers.Flatten()(y))  # 64 x 5 = 320
    assert bench.multiply_adds(keras.Model(inp, out)) == 288 + 128 + 320
    peer = bench.pythae_resnet_vae(64)
    assert peer.encoder.count_params() + peer.decoder.count_params() == 2_161_795
    assert peer.encoder.output[0].shape == (None, 64) and peer.decoder.output.shape == (None, 32, 32, 3)
    assert bench.multiply_adds(peer.encoder, peer.decoder) == 39_845_888


def test_label_use_sees_a_decoder_that_ignores_the_label():
    """scripts/label_use.py: with the label's weights into the decoder zeroed, the picture cannot move with the
    class (variance across classes 0); with them in place it does."""
    import zoo

    script = repo_scripts.load("label_use")
    model = zoo.create("cvae", input_shape=(28, 28, 1), latent_dim=4, seed=0)
    r = script.label_use(model, codes=8)
    assert r["variance_across_labels"] > 0 and r["ratio"] == pytest.approx(
        r["variance_across_labels"] / r["variance_across_codes"])
    first = next(layer for layer in model.decoder.layers if layer.get_weights() and layer.get_weights()[0].ndim == 2)
    w, *rest = first.get_weights()
    w[model.latent_dim:] = 0.0
    first.set_weights([w, *rest])
    assert script.label_use(model, codes=8)["variance_across_labels"] < 1e-12
