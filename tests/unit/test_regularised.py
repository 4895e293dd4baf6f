"""dae, sae, cae: their loss terms against hand-computed values, corruption, and the exact Jacobian."""
import math

import keras
import numpy as np
import pytest
from keras import ops

import zoo
from zoo import metrics
from zoo.models import corruption, losses
from zoo.models.sae import kl_rate_penalty


def test_corruptions_do_what_they_say():
    x = np.full((4, 28, 28, 1), 0.5, "float32")
    g = ops.convert_to_numpy(corruption.corrupt(x, "gaussian", 0.1, seed=1))
    assert 0.08 < np.std(g - x) < 0.12 and g.min() >= 0 and g.max() <= 1
    m = ops.convert_to_numpy(corruption.corrupt(x, "masking", 0.3, seed=1))
    assert set(np.unique(m)) == {0.0, 0.5} and abs((m == 0).mean() - 0.3) < 0.02
    sp = ops.convert_to_numpy(corruption.corrupt(x, "salt_pepper", 0.2, seed=1))
    assert abs((sp == 0).mean() - 0.1) < 0.02 and abs((sp == 1).mean() - 0.1) < 0.02
    np.testing.assert_array_equal(m, ops.convert_to_numpy(corruption.corrupt(x, "masking", 0.3, seed=1)))
    with pytest.raises(ValueError, match="Unknown corruption"):
        corruption.corrupt(x, "blur", 0.1)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        zoo.create("dae", noise="masking", noise_level=1.5)


def test_dae_loss_compares_reconstruction_of_noisy_input_with_clean_target():
    model = zoo.create("dae", latent_dim=2, hidden=(8,), noise="masking", noise_level=1.0)  # masks everything
    x = np.full((2, 28, 28, 1), 0.7, "float32")
    out = model(x, training=True)
    blank_logits = model.decoder(model.encoder(np.zeros_like(x)))
    np.testing.assert_allclose(ops.convert_to_numpy(out["logits"]), ops.convert_to_numpy(blank_logits), rtol=1e-5)
    terms = model.loss_terms(x, out)
    expected = ops.convert_to_numpy(losses.bernoulli_nll(x, blank_logits))
    np.testing.assert_allclose(ops.convert_to_numpy(terms["reconstruction"]), expected, rtol=1e-5)
    assert not np.allclose(ops.convert_to_numpy(model(x, training=False)["logits"]), ops.convert_to_numpy(blank_logits))


def test_sae_l1_penalty_by_hand():
    model = zoo.create("sae", latent_dim=3, hidden=(8,), sparsity="l1", sparsity_weight=0.5)
    z = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.5]], "float32")
    out = {"z": z, "logits": np.zeros((2, 28, 28, 1), "float32")}
    got = ops.convert_to_numpy(model.loss_terms(np.zeros((2, 28, 28, 1), "float32"), out)["sparsity"])
    np.testing.assert_allclose(got, [0.5 * 3.0, 0.5 * 0.5], rtol=1e-6)
    assert np.all(model.encode(np.random.default_rng(0).random((5, 28, 28))) >= 0)  # ReLU code


def test_sae_kl_rate_penalty_by_hand():
    z = np.array([[0.2, 0.5], [0.4, 0.5]], "float32")  # unit means 0.3 and 0.5
    rho = 0.1
    kl = lambda q: rho * math.log(rho / q) + (1 - rho) * math.log((1 - rho) / (1 - q))  # noqa: E731
    assert float(ops.convert_to_numpy(kl_rate_penalty(z, rho))) == pytest.approx(kl(0.3) + kl(0.5), rel=1e-5)
    assert float(ops.convert_to_numpy(kl_rate_penalty(np.full((4, 2), rho, "float32"), rho))) == pytest.approx(0, abs=1e-6)


def test_cae_penalty_matches_finite_difference_jacobian():
    model = zoo.create("cae", input_shape=(4, 4, 1), latent_dim=3, hidden=(6, 5), contractive_weight=2.0)
    x = np.random.default_rng(0).random((3, 4, 4, 1)).astype("float32")
    code = lambda b: ops.convert_to_numpy(model.code(model.encoder(b)))  # noqa: E731
    eps, jac = 1e-3, np.zeros((3, 3, 16))
    for i in range(16):
        d = np.zeros(16, "float32")
        d[i] = eps
        d = d.reshape(1, 4, 4, 1)
        jac[:, :, i] = (code(x + d) - code(x - d)) / (2 * eps)
    expected = (jac ** 2).sum((1, 2))
    np.testing.assert_allclose(ops.convert_to_numpy(model.jacobian_sq_norm(x)), expected, rtol=1e-3)
    terms = model.loss_terms(x, model(x))
    np.testing.assert_allclose(ops.convert_to_numpy(terms["contractive"]), 2.0 * expected, rtol=1e-3)
    # the model-agnostic Hutchinson estimate agrees with the exact value on average
    est = metrics.code_sensitivity(model, x, probes=2000)
    assert est["jacobian_fro_sq"] == pytest.approx(expected.mean(), rel=0.1)


def test_cae_refuses_conv_backbone():
    with pytest.raises(ValueError, match="'mlp' backbone only"):
        zoo.create("cae", backbone="conv")


def test_code_statistics():
    codes = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]])
    s = metrics.code_statistics(codes)
    assert s["near_zero_share"] == 0.5 and s["mostly_silent_units"] == 0.5
    assert s["mean_abs_activation"] == pytest.approx(1.0)


def test_denoising_metric_rewards_a_perfect_denoiser():
    class Identity:  # reconstructs the input unchanged: the noisy PSNR is all it gets
        image_shape = (28, 28, 1)

        def reconstruct(self, x, labels=None):
            return x

    x = np.random.default_rng(0).random((8, 28, 28, 1)).astype("float32")
    out = metrics.denoising(Identity(), x, levels=(("masking", 0.5),))
    assert out["masking@0.5"]["psnr"] == pytest.approx(out["masking@0.5"]["noisy_psnr"])
    assert metrics.psnr(x, x) == pytest.approx(100.0)


def test_registry_has_the_new_families():
    assert {"dae-mnist", "sae-mnist", "cae-mnist", "dae-fashion_mnist"} <= set(zoo.list_models())
    assert keras.saving.get_registered_object("zoo>CAE") is not None
