"""The shipped checkpoints, loaded by name as a user would: shapes, measured error, fine-tuning, CLI."""
import json
import subprocess
import sys

import numpy as np
import pytest

import zoo
from tests import repo_scripts
from zoo import checkpoints, data, factory, metrics, recipes
from zoo.models import corruption
from zoo.models.dae import DAE

NAMES = zoo.list_models()
OTHER = {"mnist": "fashion_mnist", "fashion_mnist": "mnist"}  # new data for fine-tuning a digits-sized model


def one_per_family(names, also=("vae-shapes3d",)):
    """The first shipped model of each family (fine-tuning runs the family's own training code, whatever the
    dataset), and `also`: a colour model."""
    first = {}
    for name in names:
        first.setdefault(recipes.get_recipe(name).family, name)
    return sorted({*first.values(), *(n for n in also if n in names)})


FINETUNED = one_per_family(NAMES)


@pytest.fixture(scope="module")
def split():
    cache = {}

    def get(dataset, name, labels=False):
        """The split's images, or (images, labels) with labels=True."""
        if (dataset, name) not in cache:
            cache[dataset, name] = data.load_split(dataset, name)
        return cache[dataset, name] if labels else cache[dataset, name][0]

    return get


def given(model, y):
    """The labels a conditional model needs, as keyword arguments; nothing for the others."""
    return {"labels": y} if model.conditional else {}


@pytest.mark.parametrize("name", NAMES)
def test_loads_by_name_works_and_reconstructs_as_its_card_says(name, split):
    model = zoo.load(name)
    card = model.card
    assert model.compiled and model.family == card.family == zoo.info(name)["recipe"]["family"]
    x, y = (a[:1000] for a in split(card.dataset, "test", labels=True))
    grey = model.image_shape[-1] == 1
    z = model.encode(x[:50, ..., 0] if grey else x[:50], **given(model, y[:50]))  # grey without a channel axis
    assert z.shape == (50, model.latent_dim)
    assert model.decode(z, **given(model, y[:50])).shape == (50, *model.image_shape)
    s = model.sample(64, seed=0)
    assert s.shape == (64, *model.image_shape) and 0 <= s.min() and s.max() <= 1
    np.testing.assert_array_equal(s, model.sample(64, seed=0))
    mse = float(np.mean((model.reconstruct(x, **given(model, y)) - x / 255.0) ** 2))
    stated = card.metrics.values["mse_first_1000"]
    assert mse <= stated * 1.01 + 1e-6, (mse, stated)
    assert mse == pytest.approx(stated, rel=0.01)  # the card's number is reproducible


@pytest.mark.parametrize("name", FINETUNED)
def test_finetune_on_new_data_lowers_loss(name, split):
    model = zoo.load(name)
    dataset, batch, epochs = model.card.dataset, 64, 1
    if dataset in OTHER:
        x, y = (a[:1000] for a in split(OTHER[dataset], "train", labels=True))
    elif not data.DATASETS[dataset].rendered:  # photographs: test images, which it never trained on
        x, y = (a[:512] for a in split(dataset, "test", labels=True))
        # at zoo.finetune's rate for photo models (measured by scripts/finetune_photos.py): the recipe's own
        # rate throws a fresh Adam far off at its first steps
        batch, epochs = 32, 2
        factory.compile_model(model, model.finetune_rate())
    else:  # a rendered dataset: its images in negative, new to the model (as Fashion-MNIST is to an MNIST one)
        x, y = 255 - data.factor_sample(dataset, 512, seed=7)[0], None
        batch = 16
    data_ = (x, y) if model.conditional else x  # a conditional model trains on (images, labels)

    def objective():  # with a learned critic (aae, factor_vae) its terms jump as it adapts: use the reconstruction
        if isinstance(model, DAE):  # what it trains for: clean images from noisy copies (fixed noise here)
            return float(np.mean(model.reconstruction_nll(clean, model.decoder(model.encode(noisy)))))
        logs = model.evaluate(data_, verbose=0, return_dict=True)
        return logs["reconstruction"] if model.critic_terms else logs["loss"]

    if isinstance(model, DAE):  # fed clean images it never saw in training, its loss can rise as it learns
        clean = x.astype("float32") / 255.0
        noisy = np.asarray(corruption.corrupt(clean, model.noise, model.noise_level, seed=0))

    before = objective()
    model.fit(data_, epochs=epochs, batch_size=batch, verbose=0)
    assert objective() < before


@pytest.mark.parametrize("name", NAMES)
def test_info_is_the_card(name):
    info = zoo.info(name)
    for key in ("recipe", "metrics", "params", "files", "paths", "training", "hardware", "code_version"):
        assert key in info, key
    path = info["paths"]["model.keras"]
    assert checkpoints.sha256(path) == info["files"]["model.keras"]["sha256"]
    assert info["params"] == zoo.load(name).count_params()


def test_cvae_draws_the_requested_classes():
    """The card's label agreement is reproducible from a fresh draw, and far above chance wherever the decoder reads
    its label (scripts/label_use.py: the picture moves with the class at least a tenth as much as with the code; a
    decoder that ignores the label cannot draw a chosen class, and docs/photographs.md says which does)."""
    from zoo import classifiers

    label_use = repo_scripts.load("label_use").label_use
    for name in zoo.list_models("cvae-*"):
        model, ev = zoo.load(name), classifiers.load(name.split("-", 1)[1])
        asked = np.arange(1000) % 10
        agreement = metrics.label_agreement(ev(model.sample(1000, seed=1, labels=asked))[1], asked)
        stated = model.card.evaluation.samples.label_agreement
        assert agreement["label_agreement"] == pytest.approx(stated, abs=0.04), name
        if label_use(model, codes=50)["ratio"] > 0.1:
            assert stated > 0.5, name  # chance is 0.1


def test_ae_samples_from_fitted_mixture_and_vae_from_normal():
    ae, vae = zoo.load("ae-mnist"), zoo.load("vae-mnist")
    assert type(ae.prior).__name__ == "GaussianMixture" and ae.prior.is_fitted
    assert type(vae.prior).__name__ == "StandardNormal"


def test_finetuned_model_reloads(tmp_path, split):
    model = zoo.load("vae-mnist")
    model.fit(split("fashion_mnist", "train")[:256], epochs=1, verbose=0)
    model.save(tmp_path / "my.keras")
    again = zoo.load(str(tmp_path / "my.keras"))
    np.testing.assert_allclose(again.sample(4, seed=0), model.sample(4, seed=0), atol=1e-5)


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "zoo.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_cli_sample_reconstruct_info_list(tmp_path, capsys):
    from zoo import cli

    r = run_cli("sample", "vae-mnist", "-n", "16", "-o", "s.png", cwd=tmp_path)  # as a user's shell runs it
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", "TensorFlow's native start-up lines reach the user"
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli.main(["reconstruct", "ae-mnist", "-n", "8", "-o", str(tmp_path / "r.png")]) == 0
    from PIL import Image

    with Image.open(tmp_path / "r.png") as grid:  # 8 test images over their 8 reconstructions: two rows of 8
        assert grid.format == "PNG" and grid.width > 3 * grid.height
    capsys.readouterr()
    assert cli.main(["info", "vae-mnist", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "vae-mnist"
    assert cli.main(["list"]) == 0
    listed = capsys.readouterr().out
    assert all(n in listed for n in NAMES)
    assert cli.main(["compare", "ae-mnist", "vae-mnist", "-o", str(tmp_path / "c.png"), "--no-compute"]) == 0
    assert "FID N(0,I)" in capsys.readouterr().out
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli.main(["sample", "vae-mnsit"]) == 2
    assert "Did you mean: vae-mnist" in capsys.readouterr().err


def test_dae_denoises_better_than_plain_ae(split):
    from keras import ops

    from zoo.models import corruption

    x = split("mnist", "test")[:1000].astype("float32") / 255.0
    # dae-mnist trained on Gaussian noise (sigma 0.5): a large gain there, a small one on unseen masking noise
    for kind, level, margin in (("gaussian", 0.5, 5.0), ("masking", 0.5, 0.0)):
        noisy = ops.convert_to_numpy(corruption.corrupt(x, kind, level, seed=0))
        dae, ae = zoo.load("dae-mnist").denoise(noisy), zoo.load("ae-mnist").reconstruct(noisy)
        assert metrics.psnr(x, dae) > metrics.psnr(x, ae) + margin, kind
