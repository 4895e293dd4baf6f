"""Loss pieces against values computed by hand."""
import math

import numpy as np
import pytest
from keras import ops

from zoo.models import losses


def test_bernoulli_nll_by_hand():
    x = np.array([[1.0, 0.0, 0.25]], "float32")
    logits = np.array([[0.0, 2.0, -1.0]], "float32")
    sig = lambda t: 1 / (1 + math.exp(-t))  # noqa: E731
    expected = -(math.log(0.5) + math.log(1 - sig(2.0)) + 0.25 * math.log(sig(-1.0)) + 0.75 * math.log(1 - sig(-1.0)))
    got = ops.convert_to_numpy(losses.bernoulli_nll(x, logits))
    assert got.shape == (1,)
    assert got[0] == pytest.approx(expected, rel=1e-5)


def test_bernoulli_nll_stable_for_large_logits():
    got = ops.convert_to_numpy(losses.bernoulli_nll(np.array([[1.0, 0.0]], "float32"),
                                                    np.array([[-200.0, 200.0]], "float32")))
    assert got[0] == pytest.approx(400.0, rel=1e-5)


def test_gaussian_kl_by_hand():
    mean = np.array([[1.0, 0.0]], "float32")
    log_var = np.array([[0.0, math.log(4.0)]], "float32")
    # 0.5 * [(1 + 1 - 1 - 0) + (0 + 4 - 1 - log 4)]
    expected = 0.5 * (1.0 + 3.0 - math.log(4.0))
    assert ops.convert_to_numpy(losses.gaussian_kl(mean, log_var))[0] == pytest.approx(expected, rel=1e-5)
    assert ops.convert_to_numpy(losses.gaussian_kl(np.zeros((1, 3)), np.zeros((1, 3))))[0] == 0.0


def test_vae_loss_terms_are_elbo_parts():
    from tests.unit.conftest import tiny

    model = tiny("vae")
    x = np.full((3, 28, 28, 1), 0.5, "float32")
    out = model(x, training=False)
    terms = model.loss_terms(x, out)
    np.testing.assert_allclose(ops.convert_to_numpy(terms["kl"]),
                               ops.convert_to_numpy(losses.gaussian_kl(out["mean"], out["log_var"])), rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(terms["reconstruction"]),
                               ops.convert_to_numpy(losses.bernoulli_nll(x, out["logits"])), rtol=1e-6)


def test_free_bits_kl_holds_each_unit_at_its_floor_by_its_batch_mean():
    mean = np.array([[3.0, 0.1], [1.0, -0.1]], "float32")  # unit 0: mean KL 2.5 nats; unit 1: 0.005
    log_var = np.zeros_like(mean)
    plain = ops.convert_to_numpy(losses.gaussian_kl(mean, log_var))
    freed = ops.convert_to_numpy(losses.free_bits_kl(mean, log_var, 0.5))
    np.testing.assert_allclose(freed, [4.5 + 0.5, 0.5 + 0.5], rtol=1e-6)
    assert freed.mean() == pytest.approx(2.5 + 0.5)  # sum over units of max(0.5, batch-mean KL)
    assert plain.mean() < freed.mean()


def test_free_bits_trains_a_vae_and_leaves_its_measured_kl_the_true_one():
    import zoo

    x = np.random.default_rng(0).random((8, 8, 8, 1)).astype("float32")
    model = zoo.create("vae", input_shape=(8, 8, 1), latent_dim=4, free_bits=1.0, seed=0)
    out = model(x, training=True)
    assert ops.convert_to_numpy(model.loss_terms(x, out, training=True)["kl"]).min() >= 4.0 - 1e-4
    true = ops.convert_to_numpy(model.loss_terms(x, out, training=False)["kl"])
    np.testing.assert_allclose(true, ops.convert_to_numpy(losses.gaussian_kl(out["mean"], out["log_var"])))
    assert model.get_config()["free_bits"] == 1.0
    with pytest.raises(ValueError, match="free_bits"):
        zoo.create("vae", free_bits=-1)
    with pytest.raises(ValueError, match="takes no free_bits"):
        zoo.create("beta_vae", free_bits=1.0)
