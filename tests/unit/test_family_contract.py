"""The family contract, for every registered family (from the registry, so a new family is tested the moment it
registers): build, train, save/load, config round trip, input checks, seeded sampling, declared capabilities."""
import keras
import numpy as np
import pytest

import zoo
import zoo.models
from tests.unit.conftest import FAMILIES, other_size, tiny


def test_every_registered_family_has_a_test_config():
    from tests.unit.conftest import TEST_CONFIGS
    from zoo import factory

    assert set(factory.FAMILIES) <= set(TEST_CONFIGS), set(factory.FAMILIES) - set(TEST_CONFIGS)


@pytest.mark.parametrize("family", FAMILIES)
def test_capabilities_are_declared_not_probed(family):
    """What callers read instead of hasattr: every flag is a bool on the class, and matches what it says."""
    model = tiny(family)
    for flag in ("conditional", "fitted_prior", "discrete_code", "has_likelihood", "binarizable"):
        assert isinstance(getattr(type(model), flag), bool), flag
    assert model.card is None
    assert type(model).log_weights is not zoo.models.Autoencoder.log_weights or not model.has_likelihood
    assert ("dynamic_binarization" in model.get_config()) == model.binarizable
    assert model.frozen_parts("encoder") and model.frozen_parts("decoder")


@pytest.mark.parametrize("family", FAMILIES)
def test_fit_reports_named_terms_and_loss_goes_down(family, images):
    model = tiny(family)
    hist = model.fit(images, epochs=15, batch_size=16, verbose=0).history
    for name in ("loss", *model.loss_names):
        assert np.all(np.isfinite(hist[name])), name
    assert hist["loss"][-1] < hist["loss"][0]
    # the total is the sum of the reported parts
    assert hist["loss"][-1] == pytest.approx(sum(hist[n][-1] for n in model.loss_names), rel=1e-4)


@pytest.mark.parametrize("family", FAMILIES)
def test_shapes_and_ranges(family, images):
    model = tiny(family)
    z = model.encode(images)
    assert z.shape == (64, model.latent_dim) and z.dtype == np.float32
    x_hat = model.decode(z)
    assert x_hat.shape == (64, 28, 28, 1) and x_hat.dtype == np.float32
    assert 0.0 <= x_hat.min() and x_hat.max() <= 1.0
    assert model.reconstruct(images[..., None] / 255.0).shape == (64, 28, 28, 1)


@pytest.mark.parametrize("family", FAMILIES)
def test_save_load_round_trip_safe_mode(family, images, tmp_path):
    model = tiny(family)
    model.fit(images, epochs=1, verbose=0)
    if model.fitted_prior:
        model.fit_prior(images)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert type(loaded) is type(model)
    np.testing.assert_allclose(loaded.encode(images), model.encode(images), atol=1e-5)
    np.testing.assert_allclose(loaded.sample(8, seed=3), model.sample(8, seed=3), atol=1e-5)
    again = zoo.load(str(path))  # zoo.load takes files too, and can keep training
    assert again.fit(images, epochs=1, verbose=0).history["loss"][0] > 0


@pytest.mark.parametrize("family", FAMILIES)
def test_config_round_trip(family):
    model = tiny(family)
    clone = type(model).from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    assert clone.count_params() == model.count_params()


@pytest.mark.parametrize("family", FAMILIES)
def test_same_seed_same_samples(family, images):
    model = tiny(family)
    if model.fitted_prior:
        model.fit_prior(images)
    a, b, c = model.sample(16, seed=1), model.sample(16, seed=1), model.sample(16, seed=2)
    assert a.shape == (16, 28, 28, 1)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert model.sample(4, seed=1, prior="normal").shape == (4, 28, 28, 1)


def test_ae_sampler_is_fitted_mixture(images):
    model = tiny("ae")
    with pytest.raises(RuntimeError, match="fit_prior"):
        model.sample(4)
    model.fit(images, epochs=3, verbose=0)
    model.fit_prior(images)
    codes = model.encode(images)
    drawn = model.prior.sample(4000, np.random.default_rng(0))
    # the fitted density matches the codes' moments, unlike N(0, I)
    np.testing.assert_allclose(drawn.mean(0), codes.mean(0), atol=0.15 * codes.std(0).max() + 0.05)
    np.testing.assert_allclose(drawn.std(0), codes.std(0), rtol=0.2)


def test_vae_fit_prior_is_refused(images):
    with pytest.raises(TypeError, match="not fitted to data"):
        tiny("vae").fit_prior(images)


def test_conv_backbone_other_shape():
    model = zoo.create("vae", input_shape=(30, 30, 3), latent_dim=4, backbone="conv", hidden=(8, 16))
    x = np.random.default_rng(0).random((5, 30, 30, 3)).astype("float32")
    assert model.reconstruct(x).shape == (5, 30, 30, 3)
    assert model.fit(x, epochs=1, verbose=0).history["loss"][0] > 0


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_builds_and_trains_at_another_image_size(family):
    """zoo.create(family, input_shape=(H, W, 3)) with the conv backbone: trains, samples and reconstructs."""
    model = other_size(family, (20, 24, 3))
    x = np.random.default_rng(0).random((32, 20, 24, 3)).astype("float32")
    model.fit(x, epochs=1, batch_size=16, verbose=0)
    if model.fitted_prior:
        model.fit_prior(x)
    assert model.sample(2, seed=0).shape == (2, 20, 24, 3)
    assert model.reconstruct(x[:2]).shape == (2, 20, 24, 3)
