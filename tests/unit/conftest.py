import numpy as np
import pytest

import zoo

FAMILIES = ["ae", "vae", "dae", "sae", "cae", "beta_vae", "iwae", "wae", "rae", "aae", "vamp", "hvae", "vqvae"]


def tiny(family, **kw):
    """A small model of `family` that trains in a second."""
    if family == "hvae":  # its code is z1 and z2 side by side
        kw.setdefault("top_dim", 1)
    if family == "vqvae":  # its code is a 7x7 grid of vectors
        return zoo.create(family, code_channels=2, codebook_size=8, hidden=(8, 8), prior_channels=8,
                          prior_depth=2, prior_epochs=1, seed=0, **kw)
    return zoo.create(family, latent_dim=2, hidden=(16,), seed=0, **kw)


@pytest.fixture
def images():
    """64 structured 28x28 uint8 images (bright blobs at random places), seeded."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:28, :28]
    cy, cx = rng.uniform(6, 22, (2, 64, 1, 1))
    return (255 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 18.0)).astype("uint8")


@pytest.fixture(autouse=True)
def _seeded():
    """Every unit test starts from the same random state (weights, shuffles), on every backend."""
    import keras

    keras.utils.set_random_seed(0)
