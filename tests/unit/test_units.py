"""One unit per kind of data: 8-bit colour's likelihoods in bits per dimension, grey images' in nats; and codes
shown as what they are (a width, or a grid)."""
import math
import subprocess
import sys

import numpy as np
import pytest

import zoo
from zoo import comparison, units


def test_nll_text_is_bits_for_colour_and_nats_for_the_rest():
    nats = 3072 * math.log(2) * 4.5
    assert units.nll_text(nats, (32, 32, 3), "logistic_mixture") == "4.500 bits/dim"
    assert units.nll_text(81.384, (28, 28, 1), "bernoulli") == "81.38 nats"


@pytest.mark.parametrize("family, kw, shape", [
    ("vqvae", {"backbone": "resnet", "code_channels": 4, "codebook_size": 8, "hidden": (8, 8)}, (8, 8, 4)),
    ("vae", {"backbone": "resnet_grid", "latent_dim": 128, "hidden": (8, 8)}, (8, 8, 2)),
    ("vae", {"backbone": "resnet_grid", "latent_dim": 48, "hidden": (4, 8, 8)}, (4, 4, 3)),
    ("vae", {"backbone": "resnet", "latent_dim": 12}, (12,)),
])
def test_code_shape_is_the_networks(family, kw, shape):
    model = zoo.create(family, input_shape=(32, 32, 3), **kw)
    assert model.code_shape == shape
    assert units.code_shape(family, model.backbone, (32, 32, 3), model.latent_dim, {"hidden": model.hidden}) == shape
    assert math.prod(shape) == model.latent_dim


def test_a_colour_models_likelihoods_are_compared_in_bits_and_a_grey_models_in_nats():
    x = np.random.default_rng(0).integers(0, 256, (6, 16, 16, 3)).astype("uint8")
    colour = zoo.create("vae", input_shape=(16, 16, 3), latent_dim=4, backbone="conv",
                        likelihood="logistic_mixture", likelihood_components=2)
    row = comparison._row_on_images(colour, None, x, None)
    assert row.get("neg_elbo") is None and 0 < row["neg_elbo_bits"] < 20
    grey = zoo.create("vae", input_shape=(16, 16, 1), latent_dim=4)
    row = comparison._row_on_images(grey, None, x.mean(-1, keepdims=True).astype("uint8"), None)
    assert row["neg_elbo"] > 0 and row.get("neg_elbo_bits") is None


def test_zoo_list_shows_a_grid_code_as_a_grid_and_photo_likelihoods_in_bits():
    out = subprocess.run([sys.executable, "-m", "zoo.cli", "list", "*-cifar10"], capture_output=True, text=True,
                         check=True).stdout
    vq = next(line for line in out.splitlines() if line.startswith("vqvae-cifar10"))
    assert " 8x8x64 " in vq and "bits/dim" in vq
    assert "nats" not in out
