"""The shipped photo models (CIFAR-10, logistic-mixture likelihood) on whichever Keras backend runs the unit
tests: each loads by name, encodes, decodes, samples mean images and 8-bit pixels, and reconstructs the test
images as its card says it did on TensorFlow."""
import numpy as np
import pytest

import zoo
from zoo import data


@pytest.fixture(scope="module")
def test_images():
    try:
        x, y = data.load_split("cifar10", "test")
    except Exception as e:  # no copy of CIFAR-10 on this machine (ZOO_DATA_DIR or tensorflow-datasets)
        pytest.skip(f"no cifar10 here: {e}")
    return x[:1000], y[:1000]


@pytest.mark.parametrize("name", zoo.list_models("*-cifar10"))
def test_photo_checkpoint_loads_samples_and_reconstructs_on_this_backend(name, test_images):
    model = zoo.load(name)
    images, labels = test_images
    given = (lambda n: {"labels": labels[:n]}) if model.conditional else (lambda n: {})  # cvae: the classes
    assert model.likelihood.name == "logistic_mixture" and model.image_shape == (32, 32, 3)
    z = model.encode(images[:16], **given(16))
    assert z.shape == (16, model.latent_dim)
    assert model.decode(z, **given(16)).shape == (16, 32, 32, 3)
    s = model.sample(16, seed=0)
    assert s.shape == (16, 32, 32, 3) and 0 <= s.min() and s.max() <= 1
    np.testing.assert_array_equal(s, model.sample(16, seed=0))
    pixels = model.sample(16, seed=0, pixels=True)
    np.testing.assert_allclose(pixels * 255, np.round(pixels * 255), atol=1e-3)  # 8-bit values
    mse = float(np.mean((model.reconstruct(images, **given(len(images))) - images / 255.0) ** 2))
    assert mse == pytest.approx(model.card.metrics.values["mse_first_1000"], rel=2e-3)
