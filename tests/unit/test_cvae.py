"""The conditional VAE: labels in training, encoding, decoding and sampling."""
import keras
import numpy as np
import pytest

import zoo


@pytest.fixture
def labelled():
    """Class k is a bright blob in column band k: images a conditional model can learn to draw by label."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 512)
    yy, xx = np.mgrid[:28, :28]
    cx = 4 + 6 * y[:, None, None] + rng.normal(0, 0.5, (512, 1, 1))
    cy = rng.uniform(8, 20, (512, 1, 1))
    x = (255 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 8.0)).astype("uint8")
    return x, y


def test_cvae_learns_to_draw_the_requested_class(labelled):
    x, y = labelled
    m = zoo.create("cvae", latent_dim=1, hidden=(64,), num_classes=4, seed=0, learning_rate=3e-3)
    hist = m.fit((x, y), epochs=40, batch_size=32, verbose=0).history
    assert hist["loss"][-1] < hist["loss"][0] and {"reconstruction", "kl"} <= set(hist)
    for k in range(4):
        imgs = m.sample(32, seed=k, labels=k)[..., 0]
        centre_x = (imgs.sum(1) * np.arange(28)).sum(1) / imgs.sum((1, 2))
        assert abs(np.median(centre_x) - (4 + 6 * k)) < 2.5, (k, np.median(centre_x))  # classes sit 6 px apart


def test_cvae_api_shapes_round_trip_and_errors(labelled, tmp_path):
    x, y = labelled
    m = zoo.create("cvae", latent_dim=3, hidden=(16,), num_classes=4)
    m.fit(x, y, epochs=1, verbose=0)  # fit(x, y) works too
    assert m.encode(x[:5], y[:5]).shape == (5, 3)
    assert m.decode(np.zeros((2, 3)), [0, 3]).shape == (2, 28, 28, 1)
    assert m.reconstruct(x[:2], y[:2]).shape == (2, 28, 28, 1)
    np.testing.assert_array_equal(m.sample(4, seed=1, labels=2), m.sample(4, seed=1, labels=2))
    assert not np.allclose(m.decode(np.zeros((1, 3)), [0]), m.decode(np.zeros((1, 3)), [3]))
    m.save(tmp_path / "c.keras")
    again = keras.saving.load_model(tmp_path / "c.keras", safe_mode=True)
    np.testing.assert_allclose(again.sample(3, seed=0, labels=1), m.sample(3, seed=0, labels=1), atol=1e-5)
    assert type(m).from_config(m.get_config()).get_config() == m.get_config()
    with pytest.raises(ValueError, match=r"fit\(\(x, y\)\)"):
        m.fit(x)
    with pytest.raises(ValueError, match="in 0..3"):
        m.sample(2, labels=[0, 7])
    with pytest.raises(ValueError, match="labels must be 2 class ids"):
        m.sample(2, labels=[0, 1, 2])
    with pytest.raises(ValueError, match="conditional: pass the class labels"):
        m.encode(x[:2])
    with pytest.raises(ValueError, match="not conditional"):
        zoo.create("vae", latent_dim=3, hidden=(16,)).sample(2, labels=1)


def test_metrics_score_a_cvae_given_its_labels(labelled):
    """The card's metrics read the labels: the right label reconstructs and scores better than a wrong one."""
    from zoo import metrics

    x, y = labelled
    m = zoo.create("cvae", latent_dim=1, hidden=(64,), num_classes=4, seed=0, learning_rate=3e-3)
    m.fit((x, y), epochs=20, batch_size=32, verbose=0)
    wrong = (y[:200] + 2) % 4
    right_rec, wrong_rec = metrics.reconstruction(m, x[:200], y[:200]), metrics.reconstruction(m, x[:200], wrong)
    assert right_rec["bce_nats"] < wrong_rec["bce_nats"]
    right = metrics.likelihood(m, x[:20], y[:20], k=50, binarized=False)
    assert right["iwae_nll_nats"] < metrics.likelihood(m, x[:20], wrong[:20], k=50, binarized=False)["iwae_nll_nats"]
    assert right["iwae_nll_nats"] <= right["neg_elbo_nats"]
    elbo = metrics.negative_elbo(m, x[:200], y[:200])
    assert elbo["neg_elbo_nats"] == pytest.approx(elbo["reconstruction_nats"] + elbo["kl_nats"])
    assert metrics.code_sensitivity(m, x[:20], y[:20], probes=2)["jacobian_fro"] > 0
    assert set(metrics.denoising(m, x[:20], y[:20])) == {f"{k}@{v:g}" for k, v in metrics.DENOISING_LEVELS}
    with pytest.raises(ValueError, match="pass the class labels"):
        metrics.reconstruction(m, x[:20])
