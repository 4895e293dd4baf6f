"""Bad input fails early with a ValueError that names the expected shape or range."""
import numpy as np
import pytest

from tests.unit.conftest import tiny


@pytest.fixture(scope="module")
def model():
    return tiny("vae")


@pytest.mark.parametrize("x, match", [
    (np.zeros((4, 32, 32), "uint8"), r"\(N, 28, 28, 1\) or \(N, 28, 28\); got \(4, 32, 32\)"),
    (np.zeros((28, 28), "uint8"), "add a batch axis"),
    (np.zeros((4, 28, 28, 3), "float32"), "must have shape"),
    (np.zeros((0, 28, 28), "float32"), "empty"),
    (np.full((2, 28, 28), np.nan, "float32"), "NaN or inf"),
    (np.full((2, 28, 28), np.inf, "float32"), "NaN or inf"),
    (np.full((2, 28, 28), 255.0, "float32"), r"in \[0, 1\].*divide by 255"),
    (np.full((2, 28, 28), -0.5, "float32"), r"in \[0, 1\]"),
    (np.full((2, 28, 28), 300, "int32"), "0..255"),
    (np.full((2, 28, 28), "a"), "dtype"),
])
def test_bad_images(model, x, match):
    for fn in (model.encode, model.reconstruct, model.fit):
        with pytest.raises(ValueError, match=match):
            fn(x)


def test_good_images_are_scaled(model):
    u8 = np.full((2, 28, 28), 255, "uint8")
    f = np.ones((2, 28, 28, 1), "float32")
    np.testing.assert_allclose(model.encode(u8), model.encode(f), atol=1e-6)
    assert model.encode(np.ones((2, 28, 28), bool)).shape == (2, 2)


@pytest.mark.parametrize("z, match", [
    (np.zeros((3, 5)), r"\(N, 2\)"),
    (np.zeros(2), r"\(N, 2\)"),
    (np.array([[np.nan, 0.0]]), "NaN or inf"),
])
def test_bad_codes(model, z, match):
    with pytest.raises(ValueError, match=match):
        model.decode(z)


@pytest.mark.parametrize("kw, match", [
    (dict(n=0), "positive integer"), (dict(n=2.5), "positive integer"),
    (dict(n=2, prior="uniform"), "prior must be"), (dict(n=2, temperature=0), "temperature"),
])
def test_bad_sample_args(model, kw, match):
    with pytest.raises(ValueError, match=match):
        model.sample(**kw)
