"""beta-VAE, IWAE, WAE, RAE, AAE: loss terms against hand-computed values; the AAE's two players."""
import math

import keras
import numpy as np
import pytest
from keras import ops

import zoo
from zoo.models import losses
from zoo.models.wae import imq_mmd

np_ = ops.convert_to_numpy


def small(family, **kw):
    return zoo.create(family, latent_dim=2, hidden=(8,), seed=0, **kw)


def test_beta_vae_weights_kl_and_anneals_capacity():
    x = np.full((3, 28, 28, 1), 0.3, "float32")
    m = small("beta_vae", beta=4.0)
    out = m(x, training=False)
    kl = np_(losses.gaussian_kl(out["mean"], out["log_var"]))
    np.testing.assert_allclose(np_(m.loss_terms(x, out)["kl_penalty"]), 4.0 * kl, rtol=1e-6)
    c = small("beta_vae", capacity_max=10.0, capacity_steps=4, gamma=2.0)
    out = c(x, training=False)
    kl = np_(losses.gaussian_kl(out["mean"], out["log_var"]))
    np.testing.assert_allclose(np_(c.loss_terms(x, out)["kl_penalty"]), 2.0 * np.abs(kl - 0.0), rtol=1e-5)
    c(x, training=True)
    c(x, training=True)  # two training steps: C = 10 * 2/4 = 5 nats
    assert float(np_(c.capacity())) == pytest.approx(5.0)
    np.testing.assert_allclose(np_(c.loss_terms(x, out)["kl_penalty"]), 2.0 * np.abs(kl - 5.0), rtol=1e-5)
    for _ in range(10):
        c(x, training=True)
    assert float(np_(c.capacity())) == pytest.approx(10.0)  # capped at capacity_max


def test_iwae_bound_by_hand():
    m = small("iwae", k=4)
    x = (np.random.default_rng(0).random((3, 28, 28, 1)) > 0.5).astype("float32")
    out = m(x, training=False)
    z, eps, mean, lv = (np_(out[k]) for k in ("z", "eps", "mean", "log_var"))
    logits = np_(out["logits"]).reshape(3, 4, 28, 28, 1)
    p = 1 / (1 + np.exp(-logits.astype("float64")))
    log_px = (x[:, None] * np.log(p) + (1 - x[:, None]) * np.log(1 - p)).sum((2, 3, 4))
    log_pz = -0.5 * (z ** 2 + math.log(2 * math.pi)).sum(-1)
    log_q = -0.5 * (eps ** 2 + lv[:, None] + math.log(2 * math.pi)).sum(-1)
    lw = log_px + log_pz - log_q
    expected = -(np.log(np.exp(lw - lw.max(1, keepdims=True)).mean(1)) + lw.max(1))
    np.testing.assert_allclose(np_(m.loss_terms(x, out)["neg_iwae_bound"]), expected, rtol=1e-4)
    np.testing.assert_allclose(z, mean[:, None] + np.exp(0.5 * lv)[:, None] * eps, rtol=1e-5)


def test_iwae_with_k1_is_the_single_sample_elbo():
    m = small("iwae", k=1)
    x = np.full((2, 28, 28, 1), 0.5, "float32")
    out = m(x, training=False)
    bound = np_(m.loss_terms(x, out)["neg_iwae_bound"])
    rec = np_(losses.bernoulli_nll(x, out["logits"]))
    z, eps, lv = np_(out["z"])[:, 0], np_(out["eps"])[:, 0], np_(out["log_var"])
    mc_kl = (-0.5 * (eps ** 2 + lv)).sum(-1) - (-0.5 * z ** 2).sum(-1)  # log q - log p (2 pi cancels)
    np.testing.assert_allclose(bound, rec + mc_kl, rtol=1e-4)


def test_imq_mmd_by_hand():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 2)).astype("float32"), rng.standard_normal((4, 2)).astype("float32") + 1
    a = a[:4]

    def k(x, y):
        d2 = ((x - y) ** 2).sum()
        return sum(4 * s / (4 * s + d2) for s in (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0))

    n = 4
    kaa = sum(k(a[i], a[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    kbb = sum(k(b[i], b[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    kab = sum(k(a[i], b[j]) for i in range(n) for j in range(n)) / n ** 2
    assert float(np_(imq_mmd(a, b))) == pytest.approx(kaa + kbb - 2 * kab, rel=1e-4)
    # unequal sizes (more prior draws than codes): each within-term over its own pairs, the cross term over all
    c = rng.standard_normal((7, 2)).astype("float32")
    kcc = sum(k(c[i], c[j]) for i in range(7) for j in range(7) if i != j) / (7 * 6)
    kac = sum(k(a[i], c[j]) for i in range(n) for j in range(7)) / (n * 7)
    assert float(np_(imq_mmd(a, c))) == pytest.approx(kaa + kcc - 2 * kac, rel=1e-4)
    m = small("wae", mmd_weight=3.0)
    out = m(np.zeros((4, 28, 28, 1), "float32"))
    np.testing.assert_allclose(np_(m.loss_terms(None, {**out, "target": np.zeros((4, 28, 28, 1), "float32")})["mmd"]),
                               3.0 * float(np_(imq_mmd(out["z"], out["z_prior"]))), rtol=1e-5)


def test_wae_prior_draws():
    m = small("wae", prior_draws=64)
    x = np.random.default_rng(0).random((8, 28, 28, 1)).astype("float32")
    assert tuple(m(x, training=True)["z_prior"].shape) == (64, m.latent_dim)
    assert m.fit(x, epochs=1, batch_size=4, verbose=0).history["mmd"][0] != 0
    assert type(m).from_config(m.get_config()).prior_draws == 64
    with pytest.raises(ValueError, match="prior_draws"):
        small("wae", prior_draws=1)


def test_rae_penalties_by_hand():
    m = small("rae", code_weight=0.5, decoder_weight=0.1)
    x = np.full((2, 28, 28, 1), 0.5, "float32")
    out = m(x)
    terms = m.loss_terms(x, out)
    z = np_(out["z"])
    np.testing.assert_allclose(np_(terms["code_penalty"]), 0.5 * 0.5 * (z ** 2).sum(1), rtol=1e-5)
    l2 = sum(float((np_(w) ** 2).sum()) for w in m.decoder.trainable_weights if len(w.shape) > 1)
    np.testing.assert_allclose(np_(terms["decoder_penalty"]), [0.1 * l2] * 2, rtol=1e-4)


def _grad_norms(loss_fn, variables):
    """|d loss / d v| for each variable, on whichever backend runs the tests."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn()
        grads = tape.gradient(loss, [v.value for v in variables])
    elif backend == "jax":
        import jax

        values = [v.value for v in variables]

        def f(vals):
            with keras.StatelessScope(state_mapping=list(zip(variables, vals, strict=True))):
                return loss_fn()

        grads = jax.grad(f)(values)
    else:  # torch
        for v in variables:
            v.value.grad = None
        loss_fn().backward()
        grads = [v.value.grad for v in variables]
    return [0.0 if g is None else float(np.abs(np_(g)).sum()) for g in grads]


def test_aae_routes_each_term_to_its_own_player():
    m = small("aae")
    x = np.random.default_rng(0).random((8, 28, 28, 1)).astype("float32")
    enc, disc = m.encoder.trainable_weights, m.discriminator.trainable_weights

    def term(name):
        return lambda: ops.sum(m.loss_terms(x, m(x, training=False))[name])

    adv_enc, adv_disc = _grad_norms(term("adversarial"), enc), _grad_norms(term("adversarial"), disc)
    dis_enc, dis_disc = _grad_norms(term("discriminator"), enc), _grad_norms(term("discriminator"), disc)
    assert sum(adv_enc) > 0 and sum(adv_disc) == 0  # the encoder fools a frozen discriminator
    assert sum(dis_disc) > 0 and sum(dis_enc) == 0  # the discriminator judges frozen codes


def test_aae_both_players_learn(images):
    m = small("aae")
    prior = np.random.default_rng(1).standard_normal((512, 2)).astype("float32")

    def separation():  # how much more the discriminator believes a prior draw than an encoded image
        believed = lambda z: float(np.mean(np_(keras.ops.sigmoid(m.discriminate(z)))))  # noqa: E731
        return believed(prior) - believed(m.encode(images))

    before = separation()
    hist = m.fit(images, epochs=6, batch_size=16, verbose=0).history
    assert separation() > max(0.3, before + 0.3), (before, separation())  # it learned to tell the two apart
    for name in ("adversarial", "discriminator"):
        assert np.ptp(hist[name]) > 1e-3, name  # both players' losses move
    assert hist["reconstruction"][-1] < hist["reconstruction"][0]
