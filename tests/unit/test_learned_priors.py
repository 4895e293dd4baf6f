"""Learned priors: the VampPrior's density, loss and sampler against hand-computed values."""
import math

import numpy as np
import pytest
from keras import ops

import zoo
from zoo.models import losses

np_ = ops.convert_to_numpy


def normal_logpdf(z, m, v):
    return -0.5 * (np.log(2 * math.pi * v) + (z - m) ** 2 / v).sum(-1)


def vamp(components=2, **kw):
    return zoo.create("vamp", latent_dim=2, hidden=(8,), seed=0, components=components, **kw)


def test_vamp_prior_density_by_hand():
    m = vamp()
    means, log_vars = np.array([[0.0, 1.0], [2.0, -1.0]], "float32"), np.array([[0.0, 0.5], [-1.0, 0.2]], "float32")
    m.prior.bind(lambda u: (ops.convert_to_tensor(means), ops.convert_to_tensor(log_vars)))
    z = np.array([[0.3, 0.2], [1.5, -0.5], [-2.0, 3.0]], "float32")
    dens = [np.exp(normal_logpdf(z, means[k], np.exp(log_vars[k]))) for k in range(2)]
    np.testing.assert_allclose(np_(m.prior.log_prob(z)), np.log(0.5 * dens[0] + 0.5 * dens[1]), rtol=1e-5)


def test_vamp_kl_is_log_q_minus_log_prior():
    m = vamp(components=3)
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    out = m(x, training=False)
    z, mean, lv = (np_(out[k]) for k in ("z", "mean", "log_var"))
    pm, plv = (np_(t) for t in m.posterior(m.encoder(np_(m.prior.pseudo_inputs()))))
    log_p = np.log(np.mean([np.exp(normal_logpdf(z, pm[k], np.exp(plv[k]))) for k in range(3)], axis=0))
    expected = normal_logpdf(z, mean, np.exp(lv)) - log_p
    terms = m.loss_terms(x, out)
    np.testing.assert_allclose(np_(terms["kl"]), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np_(terms["reconstruction"]), np_(losses.bernoulli_nll(x, out["logits"])), rtol=1e-6)


def test_vamp_samples_come_from_the_pseudo_input_posteriors():
    m = vamp()
    means = np.array([[10.0, 10.0], [-10.0, -10.0]], "float32")
    m.prior.bind(lambda u: (ops.convert_to_tensor(means), ops.convert_to_tensor(np.full((2, 2), -20.0, "float32"))))
    z = m.prior.sample(200, np.random.default_rng(0))
    assert np.all(np.isclose(np.abs(z), 10.0, atol=1e-3))  # every draw sits on one of the two components
    assert 0.3 < np.mean(z[:, 0] > 0) < 0.7  # and the components are picked uniformly


def test_vamp_learns_its_pseudo_inputs(images):
    m = vamp(components=5)
    before = np_(m.prior.pseudo).copy()
    m.fit(images, epochs=3, batch_size=16, verbose=0)
    after = np_(m.prior.pseudo_inputs())
    assert not np.allclose(before, np_(m.prior.pseudo)) and 0 <= after.min() and after.max() <= 1
    assert m.sample(4, seed=0).shape == (4, 28, 28, 1)


def test_unbound_vamp_prior_says_so():
    from zoo.models.vamp import VampPrior

    with pytest.raises(RuntimeError, match="not bound"):
        VampPrior(2, 3).sample(1, np.random.default_rng(0))


# ---- the hierarchical VAE ------------------------------------------------------------------------------
def hvae(**kw):
    return zoo.create("hvae", latent_dim=5, top_dim=2, hidden=(8,), seed=0, **kw)


def kl_by_hand(mq, lvq, mp, lvp):
    return 0.5 * (lvp - lvq + (np.exp(lvq) + (mq - mp) ** 2) / np.exp(lvp) - 1).sum(-1)


def test_hvae_loss_terms_by_hand():
    m = hvae()
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    out = m(x, training=False)
    (m1, lv1), (mp, lvp), (m2, lv2) = ([np_(t) for t in out[k]] for k in ("q1", "p1", "q2"))
    terms = {k: np_(v) for k, v in m.loss_terms(x, out).items()}
    np.testing.assert_allclose(terms["kl_top"], kl_by_hand(m2, lv2, 0 * m2, 0 * lv2), rtol=1e-5)
    np.testing.assert_allclose(terms["kl_bottom"], kl_by_hand(m1, lv1, mp, lvp), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(terms["reconstruction"], np_(losses.bernoulli_nll(x, out["logits"])), rtol=1e-6)
    # q(z1 | x, z2) is the precision-weighted product of the bottom-up guess and p(z1 | z2)
    (gm, glv), _ = (tuple(np_(t) for t in pair) for pair in m.bottom_up(m.encoder(x)))
    prec = np.exp(-glv) + np.exp(-lvp)
    np.testing.assert_allclose(np.exp(lv1), 1 / prec, rtol=1e-4)
    np.testing.assert_allclose(m1, (gm * np.exp(-glv) + mp * np.exp(-lvp)) / prec, rtol=1e-4, atol=1e-6)


def test_hvae_kl_warmup_rises_linearly_then_stays_at_one():
    m = hvae(warmup_steps=4)
    x = np.full((2, 28, 28, 1), 0.3, "float32")
    out = m(x, training=False)
    full = kl_by_hand(*(np_(t) for t in out["q2"]), 0.0, 0.0)
    np.testing.assert_allclose(np_(m.loss_terms(x, out)["kl_top"]), 0.0 * full, atol=1e-7)
    m(x, training=True)
    np.testing.assert_allclose(np_(m.loss_terms(x, out)["kl_top"]), 0.25 * full, rtol=1e-5)
    for _ in range(6):
        m(x, training=True)
    np.testing.assert_allclose(np_(m.loss_terms(x, out)["kl_top"]), full, rtol=1e-5)


def test_hvae_prior_is_the_top_down_path():
    m = hvae()
    z = m.prior.sample(3, np.random.default_rng(0), temperature=0.5)
    rng = np.random.default_rng(0)
    z2 = 0.5 * rng.standard_normal((3, 2))
    mean, lv = (np_(t) for t in m.prior.conditional(z2.astype("float32")))
    z1 = mean + 0.5 * np.exp(0.5 * lv) * rng.standard_normal((3, 3))
    np.testing.assert_allclose(z, np.concatenate([z1, z2], 1), rtol=1e-5, atol=1e-6)
    log_p = normal_logpdf(z[:, :3], mean, np.exp(lv)) + normal_logpdf(z[:, 3:], 0, 1)
    np.testing.assert_allclose(np_(m.prior.log_prob(z)), log_p, rtol=1e-5)
    assert m.sample(2, seed=0).shape == (2, 28, 28, 1) and m.encode(np.zeros((2, 28, 28))).shape == (2, 5)


def test_hvae_importance_weights_tighten_and_k1_matches_its_elbo(images):
    from zoo import metrics

    m = hvae()
    m.fit(images, epochs=3, batch_size=16, verbose=0)
    one = metrics.likelihood(m, images[:6], k=1, binarized=False)
    assert one["iwae_nll_nats"] == pytest.approx(one["neg_elbo_nats"], rel=1e-6)
    many = metrics.likelihood(m, images[:6], k=200, binarized=False)
    assert many["iwae_nll_nats"] < many["neg_elbo_nats"]
    with pytest.raises(ValueError, match="must exceed top_dim"):
        zoo.create("hvae", latent_dim=4, top_dim=4)


def test_hvae_with_a_vamp_top_uses_the_top_posteriors_at_its_pseudo_inputs(tmp_path):
    """top_components=K: p(z2) is the mixture of q(z2 | u_k); kl_top is log q(z2|x) - log p(z2) at the z2 drawn."""
    m = hvae(top_components=3)
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    out = m(x, training=False)
    z2, (m2, lv2) = np_(out["z2"]), [np_(t) for t in out["q2"]]
    _, (pm, plv) = m.bottom_up(m.encoder(np_(m.prior.top.pseudo_inputs())))
    pm, plv = np_(pm), np_(plv)
    log_p = np.log(np.mean([np.exp(normal_logpdf(z2, pm[k], np.exp(plv[k]))) for k in range(3)], axis=0))
    terms = {k: np_(v) for k, v in m.loss_terms(x, out).items()}
    np.testing.assert_allclose(terms["kl_top"], normal_logpdf(z2, m2, np.exp(lv2)) - log_p, rtol=1e-4, atol=1e-4)
    # the whole prior: p(z1 | z2) times the mixture over z2, and samples whose z2 sits on a component
    z = m.prior.sample(5, np.random.default_rng(0))
    mean, lv = (np_(t) for t in m.prior.conditional(z[:, 3:]))
    top = np.log(np.mean([np.exp(normal_logpdf(z[:, 3:], pm[k], np.exp(plv[k]))) for k in range(3)], axis=0))
    np.testing.assert_allclose(np_(m.prior.log_prob(z)), normal_logpdf(z[:, :3], mean, np.exp(lv)) + top,
                               rtol=1e-4, atol=1e-4)
    m.save(tmp_path / "m.keras")
    back = zoo.load(str(tmp_path / "m.keras"))
    assert back.top_components == 3 and type(back.prior.top).__name__ == "VampPrior"
    np.testing.assert_allclose(back.sample(3, seed=1), m.sample(3, seed=1), atol=1e-6)


def test_hvae_vamp_top_learns_and_its_bound_is_finite(images):
    from zoo import metrics

    m = hvae(top_components=4)
    before = np_(m.prior.top.pseudo).copy()
    m.fit(images, epochs=2, batch_size=16, verbose=0)
    assert not np.allclose(before, np_(m.prior.top.pseudo))
    lik = metrics.likelihood(m, images[:4], k=50, binarized=False)
    assert np.isfinite(lik["iwae_nll_nats"]) and lik["iwae_nll_nats"] <= lik["neg_elbo_nats"] + 1e-4
