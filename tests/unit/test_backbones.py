"""The residual backbone for 32x32 colour photographs: its shapes at the size it is made for and at others, its
skips, and a vqvae built on it; every model on it saves and loads with safe_mode."""
import keras
import numpy as np
import pytest

import zoo
from zoo.models import backbones


def test_resnet_goes_down_to_4x4_and_back_for_32x32_colour():
    encoder, decoder = backbones.build("resnet", (32, 32, 3), decoder_in_dim=8, encoder_out_dim=16, out_channels=100)
    assert encoder.output_shape == (None, 16) and decoder.output_shape == (None, 32, 32, 100)
    grids = [layer.output.shape[1:3] for layer in encoder.layers if layer.name.startswith("down")]
    assert grids == [(16, 16), (8, 8), (4, 4)]
    adds = [layer for layer in encoder.layers + decoder.layers if isinstance(layer, keras.layers.Add)]
    assert len(adds) == 2 * len(backbones.DEFAULT_HIDDEN["resnet"])  # one residual block per width, each way


@pytest.mark.parametrize("shape", [(28, 28, 1), (20, 24, 3)])
def test_resnet_crops_sizes_that_are_no_multiple_of_its_scale(shape):
    model = zoo.create("vae", input_shape=shape, latent_dim=3, backbone="resnet", hidden=(4, 8, 8))
    x = np.random.default_rng(0).random((4, *shape)).astype("float32")
    assert model.reconstruct(x).shape == (4, *shape)
    assert np.all(np.isfinite(model.evaluate(x, verbose=0)))


def test_vqvae_on_the_residual_networks_trains_and_round_trips(tmp_path):
    model = zoo.create("vqvae", input_shape=(16, 16, 3), backbone="resnet", code_channels=4, codebook_size=8,
                       hidden=(8, 8), prior_channels=8, prior_depth=2, prior_epochs=1, seed=0,
                       likelihood="logistic_mixture", likelihood_components=2)
    x = np.random.default_rng(0).integers(0, 256, (16, 16, 16, 3)).astype("uint8")
    model.fit(x, epochs=1, batch_size=8, verbose=0)
    model.fit_prior(x, verbose=0)
    assert model.encode_indices(x).shape == (16, 4, 4)
    path = tmp_path / "vq.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.reconstruct(x[:4]), model.reconstruct(x[:4]), atol=1e-5)
    with pytest.raises(ValueError, match="'conv' or 'resnet'"):
        zoo.create("vqvae", backbone="mlp")
