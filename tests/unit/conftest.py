import numpy as np
import pytest

import zoo
from zoo import factory

# A small config per family, so its contract tests run in seconds: "tiny" for 28x28 grey images, "other_size"
# for 20x24 RGB ones. A family registers itself and gets the contract tests at once; without an entry here they
# fail, asking for one.
MLP = {"latent_dim": 2, "hidden": (16,), "seed": 0}
TEST_CONFIGS = {
    "ae": {"tiny": MLP},
    "dae": {"tiny": MLP},
    "sae": {"tiny": MLP},
    "cae": {"tiny": MLP, "other_size": {"backbone": "mlp"}},  # the exact Jacobian penalty needs the MLP
    "rae": {"tiny": MLP},
    "vae": {"tiny": MLP},
    "beta_vae": {"tiny": MLP},
    "beta_tcvae": {"tiny": MLP},
    "dip_vae": {"tiny": MLP},
    "factor_vae": {"tiny": {**MLP, "discriminator_units": (8, 8)}},
    "iwae": {"tiny": MLP},
    "wae": {"tiny": MLP},
    "aae": {"tiny": MLP},
    "cvae": {"tiny": MLP},
    "vamp": {"tiny": MLP},
    "hvae": {"tiny": {**MLP, "top_dim": 1}},  # its code is z1 and z2 side by side
    "vqvae": {"tiny": {"code_channels": 2, "codebook_size": 8, "hidden": (8, 8), "prior_channels": 8,  # a 7x7 grid
                       "prior_depth": 2, "prior_epochs": 1, "seed": 0}, "other_size": {}},  # conv already
}
FAMILIES = sorted(name for name, cls in factory.FAMILIES.items() if not cls.conditional)  # cvae: its own tests


def tiny(family, **kw):
    """A small model of `family` that trains in a second."""
    config = TEST_CONFIGS.get(family)
    assert config is not None, f"add a small test config for {family!r} to TEST_CONFIGS in {__file__}"
    return zoo.create(family, **{**config["tiny"], **kw})


def other_size(family, input_shape):
    """A small model of `family` for other images: the conv backbone unless its config says otherwise."""
    return tiny(family, input_shape=input_shape, **TEST_CONFIGS[family].get("other_size", {"backbone": "conv"}))


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
