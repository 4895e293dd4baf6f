"""VQ-VAE: quantisation, losses and EMA codebook by hand; the PixelCNN's causal mask; its prior learns."""
import numpy as np
import pytest
from keras import ops

import zoo
from zoo.models import losses
from zoo.models.pixelcnn import MaskedConv2D, PixelCNNPrior

np_ = ops.convert_to_numpy


def vq(**kw):
    opts = {"codebook_size": 8, "code_channels": 3, "hidden": (8, 8), "prior_channels": 8, "prior_depth": 2,
            "prior_epochs": 1, "seed": 0, **kw}
    return zoo.create("vqvae", **opts)


def test_masked_conv_output_never_sees_its_own_or_later_cells():
    """Perturbing the input at cell j changes outputs only at cells after j in raster order."""
    prior = PixelCNNPrior((5, 5), 4, channels=6, depth=3)
    rng = np.random.default_rng(0)
    grid = rng.integers(0, 4, (1, 5, 5))
    base = np_(prior.logits(grid))
    for j in range(25):
        other = grid.copy()
        other.flat[j] = (other.flat[j] + 1) % 4
        changed = np.abs(np_(prior.logits(other)) - base).max(-1)[0].reshape(-1)
        assert np.all(changed[: j + 1] == 0), j  # cells 0..j do not depend on cell j
    assert changed.sum() == 0 and np.abs(base).sum() > 0  # the last cell feeds nothing
    with pytest.raises(ValueError, match="mask_type"):
        MaskedConv2D(4, 3, mask_type="C")


def test_quantisation_and_losses_by_hand():
    m = vq(ema=False, commitment=0.5)
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
    out = m(x, training=False)
    ze = np_(m.encoder(x)).reshape(-1, 3)
    book = np_(m.codebook)
    idx = ((ze[:, None] - book[None]) ** 2).sum(-1).argmin(1)
    np.testing.assert_array_equal(np_(out["indices"]), idx)
    np.testing.assert_allclose(m.encode(x), book[idx].reshape(2, -1), rtol=1e-6)
    sq = ((ze - book[idx]) ** 2).reshape(2, -1).sum(1)
    terms = {k: np_(v) for k, v in m.loss_terms(x, out).items()}
    np.testing.assert_allclose(terms["commitment"], 0.5 * sq, rtol=1e-4)
    np.testing.assert_allclose(terms["codebook"], sq, rtol=1e-4)
    np.testing.assert_allclose(terms["reconstruction"], np_(losses.bernoulli_nll(x, out["logits"])), rtol=1e-6)
    assert vq(ema=True).loss_terms(x, out)["codebook"].shape == (2,)  # no codebook term under EMA
    np.testing.assert_allclose(np_(vq(ema=True).loss_terms(x, out)["codebook"]), 0.0)


def test_ema_codebook_update_by_hand():
    m = vq(ema=True, decay=0.9, restart_dead=False)
    x = np.random.default_rng(1).random((2, 28, 28, 1)).astype("float32")
    count0, sum0 = np_(m.ema_count).copy(), np_(m.ema_sum).copy()
    ze = np_(m.encoder(x)).reshape(-1, 3)
    idx = np_(m(x, training=False)["indices"])
    m(x, training=True)
    onehot = np.eye(8)[idx]
    count = 0.9 * count0 + 0.1 * onehot.sum(0)
    total = 0.9 * sum0 + 0.1 * onehot.T @ ze
    np.testing.assert_allclose(np_(m.ema_count), count, rtol=1e-5)
    np.testing.assert_allclose(np_(m.codebook), total / count[:, None], rtol=1e-4, atol=1e-6)


def test_dead_codes_restart_on_encoder_outputs():
    m = vq(ema=True, restart_dead=True)
    x = np.random.default_rng(2).random((4, 28, 28, 1)).astype("float32")
    # entries 4..7 have decayed away, and sit far from every encoder output so nothing picks them now
    m.ema_count.assign(np.r_[np.ones(4), np.zeros(4)].astype("float32"))
    far = np_(m.codebook).copy()
    far[4:] = 100.0
    m.codebook.assign(far)
    m.ema_sum.assign(far)
    m(x, training=True)
    ze = np_(m.encoder(x)).reshape(-1, 3)
    book = np_(m.codebook)
    for k in range(4, 8):  # each restarted entry now sits on one of this batch's encoder outputs
        assert np.min(np.abs(ze - book[k]).max(1)) < 1e-5, k
    assert np.abs(book[:4]).max() < 50  # the live ones were only updated


def test_pixelcnn_prior_learns_a_simple_grid_distribution():
    """Grids that are constant (one random value everywhere): the prior learns to copy the first cell."""
    prior = PixelCNNPrior((4, 4), 4, channels=16, depth=3)
    grids = np.repeat(np.arange(4), 250)[:, None, None] * np.ones((1, 4, 4), "int32")
    before = prior.nll(grids)
    prior.fit(grids, epochs=40, batch_size=100, learning_rate=3e-3)
    assert prior.nll(grids) < 0.3 * before
    draws = prior.sample_indices(200, np.random.default_rng(0))
    constant = (draws == draws[:, :1, :1]).all((1, 2))
    assert constant.mean() > 0.8 and len(np.unique(draws[:, 0, 0])) == 4


def test_vqvae_samples_from_its_fitted_prior_and_round_trips(images, tmp_path):
    import keras

    m = vq()
    m.fit(images, epochs=2, verbose=0)
    m.fit_prior(images)
    assert m.prior.trainable_weights == [] or not m.prior.trainable  # frozen inside the autoencoder
    s = m.sample(3, seed=0)
    assert s.shape == (3, 28, 28, 1)
    idx = m.encode_indices(images[:5])
    assert idx.shape == (5, 7, 7) and idx.max() < 8
    np.testing.assert_allclose(m.decode_indices(idx), m.reconstruct(images[:5]), rtol=1e-5, atol=1e-6)
    usage = m.codebook_usage(images)
    assert 1 <= usage["perplexity"] <= 8 and 0 <= usage["dead_share"] < 1
    m.save(tmp_path / "q.keras")
    again = keras.saving.load_model(tmp_path / "q.keras", safe_mode=True)
    np.testing.assert_allclose(again.sample(3, seed=0), s, atol=1e-5)
    with pytest.raises(ValueError, match="latent_dim must be 147"):
        zoo.create("vqvae", latent_dim=16, code_channels=3)


def test_gated_pixelcnn_is_causal_and_has_no_blind_spot():
    """Gated stacks: cell j's change reaches only later cells, and (unlike plain masked convolutions, whose
    receptive field misses the cells up and to the right) every earlier cell reaches the last one."""
    prior = PixelCNNPrior((4, 5), 3, channels=32, depth=5, gated=True)
    rng = np.random.default_rng(1)
    grid = rng.integers(0, 3, (1, 4, 5))
    base = np_(prior.logits(grid))
    reaches_last = []
    for j in range(20):
        other = grid.copy()
        other.flat[j] = (other.flat[j] + 1) % 3
        changed = np.abs(np_(prior.logits(other)) - base).max(-1)[0].reshape(-1)
        assert np.all(changed[: j + 1] == 0), j
        reaches_last.append(changed[-1] > 0)
    assert all(reaches_last[:-1])
    plain = PixelCNNPrior((4, 5), 3, channels=4, depth=5)
    base = np_(plain.logits(grid))
    other = grid.copy()
    other[0, 2, 4] = (other[0, 2, 4] + 1) % 3  # up and right of the cell (3, 0)
    assert np.abs(np_(plain.logits(other)) - base)[0, 3, 0].max() == 0  # the plain stack's blind spot


@pytest.mark.parametrize("gated", [True, False])
def test_row_by_row_sampler_draws_what_the_whole_network_gives(gated):
    """The sampler recomputes only what each cell needs; with the same noise it draws exactly the grids that
    running the whole network before every cell draws."""
    prior = PixelCNNPrior((4, 5), 6, channels=8, depth=3, gated=gated)
    for w in prior.net.weights:  # random weights, large enough that the logits matter
        w.assign(np.random.default_rng(len(w.path)).normal(0, 0.5, w.shape).astype("float32"))
    rng = np.random.default_rng(0)
    reference = np.zeros((50, 4, 5), "int32")
    for r in range(4):
        for c in range(5):
            reference[:, r, c] = prior.draw(np_(prior.logits(reference))[:, r, c], rng, 1.0)
    drawn = prior.sample_indices(50, np.random.default_rng(0))
    np.testing.assert_array_equal(drawn, reference)
    assert len(np.unique(drawn)) > 3  # the test means something: the draws vary


def test_gated_prior_learns_and_round_trips_in_a_vqvae(images, tmp_path):
    import keras

    m = vq(prior_gated=True)
    m.fit(images, epochs=1, verbose=0)
    m.fit_prior(images, epochs=2)
    path = tmp_path / "gated.keras"
    m.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    assert again.prior.gated
    np.testing.assert_allclose(again.sample(4, seed=0), m.sample(4, seed=0), atol=1e-5)
