"""The ex-post sampler: a Gaussian mixture fitted to any model's codes, drawn through `sample(prior=...)`."""
import numpy as np
import pytest

import zoo
from tests.unit.conftest import FAMILIES, tiny
from zoo import factory


@pytest.mark.parametrize("family", [f for f in FAMILIES if not factory.get_family(f).discrete_code])
def test_mixture_fits_the_codes_and_samples_reproducibly(family, images):
    model = tiny(family)
    model.fit(images, epochs=1, batch_size=16, verbose=0)
    mixture = model.fit_ex_post(images, components=2)
    codes = model.encode(images)
    w = np.asarray(mixture.mix) / np.sum(mixture.mix)
    # EM leaves the mixture's overall mean at the mean of the codes it was fitted to
    np.testing.assert_allclose(w @ np.asarray(mixture.means), codes.mean(0), atol=1e-3 * (1 + np.abs(codes).max()))
    a = model.sample(6, seed=3, prior=mixture)
    assert a.shape == (6, 28, 28, 1) and 0.0 <= a.min() and a.max() <= 1.0
    np.testing.assert_array_equal(a, model.sample(6, seed=3, prior=mixture))
    assert not np.array_equal(a, model.sample(6, seed=4, prior=mixture))


def test_conditional_model_fits_on_labelled_codes(images):
    model = tiny("cvae")
    labels = np.arange(len(images)) % 10
    model.fit((images, labels), epochs=1, batch_size=16, verbose=0)
    mixture = model.fit_ex_post(images, labels, components=2)
    assert model.sample(4, seed=0, prior=mixture, labels=[1, 2, 3, 4]).shape == (4, 28, 28, 1)


def test_mixture_of_another_code_size_is_refused(images):
    mixture = tiny("ae").fit_ex_post(images, components=2)
    wider = zoo.create("ae", latent_dim=3, hidden=(16,), seed=0)
    with pytest.raises(ValueError, match="fit_ex_post"):
        wider.sample(2, prior=mixture)


def test_quantised_code_is_refused(images):
    with pytest.raises(TypeError, match="codebook"):
        tiny("vqvae").fit_ex_post(images)
