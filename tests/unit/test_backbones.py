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


def test_resnet_grid_keeps_the_code_a_grid_of_cells_each_way():
    """The code is an 8x8 grid of vectors for 32x32 images: a change to one cell's code changes the decoded
    image near that cell more than far from it, and a VAE's mean and log-variance are each a whole grid."""
    encoder, decoder = backbones.build("resnet_grid", (32, 32, 3), decoder_in_dim=64 * 2, encoder_out_dim=64 * 4,
                                       out_channels=3)
    assert encoder.output_shape == (None, 256) and decoder.output_shape == (None, 32, 32, 3)
    assert not [layer for layer in decoder.layers if isinstance(layer, keras.layers.Dense)]
    z = np.random.default_rng(0).standard_normal((1, 128)).astype("float32")
    moved = z.copy()
    moved[0, [0, 64]] += 5.0  # both channels of the top-left cell (channel-major layout)
    change = np.abs(keras.ops.convert_to_numpy(decoder(moved)) - keras.ops.convert_to_numpy(decoder(z)))[0].sum(-1)
    assert change[:8, :8].sum() > 10 * change[16:, 16:].sum()
    model = zoo.create("vae", input_shape=(32, 32, 3), latent_dim=128, backbone="resnet_grid", hidden=(8, 8))
    x = np.random.default_rng(1).random((2, 32, 32, 3)).astype("float32")
    features = keras.ops.convert_to_numpy(model.encoder(x))
    moved_x = x.copy()
    moved_x[:, :4, :4] = 1.0 - moved_x[:, :4, :4]
    delta = np.abs(keras.ops.convert_to_numpy(model.encoder(moved_x)) - features)
    mean_delta, log_var_delta = delta[:, :128].reshape(2, 2, 64), delta[:, 128:].reshape(2, 2, 64)
    for part in (mean_delta, log_var_delta):  # cell 63 (bottom right) is outside the corner's reach
        assert part[..., 0].sum() > 0 and part[..., 63].sum() == 0


def test_resnet_grid_takes_a_label_beside_its_grid_and_refuses_codes_that_are_no_grid(tmp_path):
    model = zoo.create("cvae", input_shape=(16, 16, 3), latent_dim=32, backbone="resnet_grid", hidden=(4, 8),
                       likelihood="logistic_mixture", likelihood_components=2)
    x = np.random.default_rng(0).integers(0, 256, (4, 16, 16, 3)).astype("uint8")
    labels = np.array([0, 1, 2, 3])
    z = model.encode(x, labels=labels)
    assert z.shape == (4, 32)
    assert not np.allclose(model.decode(z, labels=labels), model.decode(z, labels=labels[::-1]))
    path = tmp_path / "cvae.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.decode(z, labels=labels), model.decode(z, labels=labels), atol=1e-5)
    with pytest.raises(ValueError, match="multiple of 16"):
        zoo.create("vae", input_shape=(16, 16, 3), latent_dim=20, backbone="resnet_grid", hidden=(4, 8))
