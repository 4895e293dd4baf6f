"""The decoder likelihoods against values computed by hand: PixelCNN++'s discretized logistic mixture on 8-bit
pixels (a single logistic, its edge bins, a mixture with all its weight on one component, the colour coupling),
its mean and its draws, and a model that trains and round-trips with it."""
import math

import keras
import numpy as np
import pytest
from keras import ops

import zoo
from zoo.models import likelihoods


def sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


def logistic_bin(k, mu, s):
    """P(pixel = k) for one logistic of location mu and scale s on [-1, 1], k in 0..255, by hand."""
    x = 2 * k / 255 - 1
    upper = 1.0 if k == 255 else sigmoid((x + 1 / 255 - mu) / s)
    lower = 0.0 if k == 0 else sigmoid((x - 1 / 255 - mu) / s)
    return upper - lower


def grey_params(pi, mu, log_s):
    """A decoder output for one grey pixel: (1, 1, 1, 3K) from K mixture logits, locations and log-scales."""
    return np.array([*pi, *mu, *log_s], "float32").reshape(1, 1, 1, -1)


def nll(lik, pixels, out):
    x = np.asarray(pixels, "float32").reshape(1, 1, 1, -1) / 255.0
    return float(ops.convert_to_numpy(lik.nll(x, out))[0])


@pytest.mark.parametrize("k", [0, 1, 100, 128, 200, 254, 255])
def test_single_logistic_by_hand_including_edge_bins(k):
    lik = likelihoods.LogisticMixture(1)
    mu, s = 0.1, 0.05
    out = grey_params([0.0], [mu], [math.log(s)])
    assert nll(lik, [k], out) == pytest.approx(-math.log(logistic_bin(k, mu, s)), rel=1e-4, abs=1e-4)


def test_edge_bins_hold_the_tails():
    """A logistic far below 0 puts nearly all its mass in the bottom bin (value 0), one far above in the top."""
    lik = likelihoods.LogisticMixture(1)
    assert nll(lik, [0], grey_params([0.0], [-3.0], [math.log(0.1)])) == pytest.approx(0.0, abs=1e-6)
    assert nll(lik, [255], grey_params([0.0], [3.0], [math.log(0.1)])) == pytest.approx(0.0, abs=1e-6)


def test_probabilities_of_all_256_values_sum_to_one():
    lik = likelihoods.LogisticMixture(2)
    for params in ([0.3, -0.2], [0.0, 0.5], [math.log(0.02), math.log(0.3)]), ([2.0, 0.0], [-0.9, 0.95], [-6.0, -1.0]):
        out = grey_params(*params)
        total = sum(math.exp(-nll(lik, [k], out)) for k in range(256))
        assert total == pytest.approx(1.0, abs=2e-3)


def test_mixture_with_all_weight_on_one_component_is_that_component():
    one = likelihoods.LogisticMixture(1)
    three = likelihoods.LogisticMixture(3)
    single = grey_params([0.0], [0.2], [math.log(0.1)])
    mixed = grey_params([60.0, -60.0, -60.0], [0.2, -0.7, 0.9], [math.log(0.1), -1.0, -2.0])
    for k in (0, 37, 153, 255):
        assert nll(three, [k], mixed) == pytest.approx(nll(one, [k], single), rel=1e-5, abs=1e-5)


def test_colour_channels_are_coupled_within_a_component():
    """P(r, g, b) = P(r | mu_r) P(g | mu_g + a r) P(b | mu_b + b r + c g), with the pixels on [-1, 1]."""
    lik = likelihoods.LogisticMixture(1)
    mu, log_s, coeff = [0.1, -0.2, 0.3], [math.log(0.1), math.log(0.2), math.log(0.15)], [0.5, -0.3, 0.4]
    out = np.array([0.0, *mu, *log_s, *np.arctanh(coeff)], "float32").reshape(1, 1, 1, 10)
    pixels = [180, 60, 140]
    r, g, _ = (2 * p / 255 - 1 for p in pixels)
    s = [math.exp(v) for v in log_s]
    expected = -(math.log(logistic_bin(pixels[0], mu[0], s[0]))
                 + math.log(logistic_bin(pixels[1], mu[1] + coeff[0] * r, s[1]))
                 + math.log(logistic_bin(pixels[2], mu[2] + coeff[1] * r + coeff[2] * g, s[2])))
    assert nll(lik, pixels, out) == pytest.approx(expected, rel=1e-4)


def test_marginal_of_the_leading_channels_sums_the_others_out():
    """P(r) and P(r, g) of a coupled colour mixture, against the joint summed over the other channels by hand."""
    lik = likelihoods.LogisticMixture(2)
    rng = np.random.default_rng(0)
    out = rng.normal(0.0, 0.5, (1, 1, 1, lik.channels(3))).astype("float32")
    out[..., 2 * 3 + 2:2 + 4 * 3] -= 1.5  # scales of about 0.2: the sums below need no tails
    pixels = [180, 60, 140]
    g, b = np.meshgrid(np.arange(256), np.arange(256), indexing="ij")
    every = np.stack([np.full(g.size, pixels[0]), g.ravel(), b.ravel()], -1).reshape(-1, 1, 1, 3) / 255.0
    joint = np.exp(-ops.convert_to_numpy(lik.nll(every.astype("float32"), np.repeat(out, len(every), 0))))
    joint = joint.reshape(256, 256)  # P(r, g, b) over every g and b
    x = np.asarray(pixels, "float32").reshape(1, 1, 1, 3) / 255.0
    red = float(ops.convert_to_numpy(lik.marginal_nll(x, out, 1))[0])
    red_green = float(ops.convert_to_numpy(lik.marginal_nll(x, out, 2))[0])
    assert red == pytest.approx(-math.log(joint.sum()), rel=1e-3)
    assert red_green == pytest.approx(-math.log(joint[pixels[1]].sum()), rel=1e-3)
    assert float(ops.convert_to_numpy(lik.marginal_nll(x, out, 3))[0]) == pytest.approx(nll(lik, pixels, out), rel=1e-6)
    with pytest.raises(ValueError, match="channels"):
        lik.marginal_nll(x, out, 4)


def test_mean_and_draws_follow_the_distribution():
    lik = likelihoods.LogisticMixture(1)
    out = np.tile(grey_params([0.0], [0.2], [math.log(0.05)]), (1, 100, 100, 1))
    assert ops.convert_to_numpy(lik.mean(out)) == pytest.approx(0.6, abs=1e-6)  # (0.2 + 1) / 2
    draws = lik.draw(out, np.random.default_rng(0))
    values = np.round(draws * 255).astype(int).ravel()
    assert np.allclose(draws * 255, np.round(draws * 255), atol=1e-3)  # 8-bit values
    for k in (150, 153, 160):
        assert np.mean(values == k) == pytest.approx(logistic_bin(k, 0.2, 0.05), abs=0.004)


def test_channel_counts():
    assert likelihoods.LogisticMixture(10).channels(3) == 100  # PixelCNN++'s 10 * (1 + 3 + 3 + 3)
    assert likelihoods.LogisticMixture(5).channels(1) == 15
    assert likelihoods.Bernoulli().channels(3) == 3
    with pytest.raises(ValueError, match="likelihood"):
        likelihoods.get("gaussian")


def test_a_model_trains_saves_and_loads_with_the_logistic_mixture(tmp_path):
    model = zoo.create("vae", input_shape=(8, 8, 3), latent_dim=2, backbone="resnet", hidden=(4, 8),
                       likelihood="logistic_mixture", likelihood_components=2, seed=0)
    assert model.decoder.output_shape[1:] == (8, 8, 20)
    x = np.random.default_rng(0).integers(0, 256, (32, 8, 8, 3)).astype("uint8")
    before = model.evaluate(x, verbose=0, return_dict=True)["reconstruction"]
    model.fit(x, epochs=3, batch_size=8, verbose=0)
    assert model.evaluate(x, verbose=0, return_dict=True)["reconstruction"] < before
    images = model.decode(np.zeros((2, 2), "float32"))
    assert images.shape == (2, 8, 8, 3) and 0 <= images.min() and images.max() <= 1
    drawn = model.sample(2, seed=0, pixels=True)
    assert np.allclose(drawn * 255, np.round(drawn * 255), atol=1e-3)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.likelihood.name == "logistic_mixture" and loaded.likelihood.components == 2
    np.testing.assert_allclose(loaded.decode(np.ones((2, 2), "float32")), model.decode(np.ones((2, 2), "float32")),
                               atol=1e-6)


def test_bernoulli_models_keep_their_config():
    """The default likelihood adds nothing to a config, so models saved before the choice read as they were."""
    config = zoo.create("vae", latent_dim=2, hidden=(8,)).get_config()
    assert "likelihood" not in config and "likelihood_components" not in config


def test_finetuning_a_logistic_mixture_model_reports_its_nll(tmp_path):
    model = zoo.create("vae", input_shape=(8, 8, 3), latent_dim=2, backbone="resnet", hidden=(4, 8),
                       likelihood="logistic_mixture", likelihood_components=2, seed=0)
    x = np.random.default_rng(0).integers(0, 256, (40, 8, 8, 3)).astype("uint8")
    logs = []
    tuned, _ = zoo.finetune(model, x, epochs=1, out_dir=tmp_path / "tuned", verbose=0, log=logs.append)
    held = tuned.card.metrics.values
    assert "nll_nats" in held and "bce_nats" not in held
    assert any(" NLL " in line and "bits/dim after" in line for line in logs), logs  # 8-bit colour: bits/dim
    assert "logistics" in tuned.card.likelihood


def test_a_batch_of_photographs_matches_the_sigmoid_differences_in_float64():
    """The training loss on a batch of random colour pixels (edge values included) and decoder outputs over
    the whole range of scales, against log(sigmoid(a) - sigmoid(b)) summed and mixed in float64: equal to
    float32 rounding, and so are its gradients' finiteness (no inf or NaN from the edge bins)."""
    lik = likelihoods.LogisticMixture(4)
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (3, 6, 5, 3)).astype("float32")
    x[:, 0], x[:, 1] = 0.0, 255.0  # whole rows of edge values
    x /= 255.0
    out = rng.normal(0.0, 1.0, (3, 6, 5, lik.channels(3))).astype("float32")
    out[..., 4 + 12:4 + 24] = rng.uniform(-5.0, 3.0, (3, 6, 5, 12))  # narrow to very wide logistics
    out[..., 16], out[..., 4] = -9.0, 2.0 * x[..., 0] - 1.0  # red's first: below the floor, on the pixel
    got = ops.convert_to_numpy(lik.nll(x, out))

    o, v = out.astype("float64"), 2.0 * x.astype("float64") - 1.0
    k = 4
    pi, loc = o[..., :k], o[..., k:4 * k].reshape(*o.shape[:3], 3, k)
    scale = np.exp(np.maximum(o[..., 4 * k:7 * k].reshape(*o.shape[:3], 3, k), likelihoods.LOG_SCALE_MIN))
    a, b, c = np.moveaxis(np.tanh(o[..., 7 * k:].reshape(*o.shape[:3], 3, k)), -2, 0)
    r, g = v[..., 0:1], v[..., 1:2]
    mu = np.stack([loc[..., 0, :], loc[..., 1, :] + a * r, loc[..., 2, :] + b * r + c * g], -2)
    up = np.where(v[..., None] > 0.999, np.inf, (v[..., None] + 1 / 255 - mu) / scale)
    low = np.where(v[..., None] < -0.999, -np.inf, (v[..., None] - 1 / 255 - mu) / scale)
    mass = np.where(low > 0, 1 / (1 + np.exp(low)) - 1 / (1 + np.exp(up)),  # the tail above, where it is small
                    1 / (1 + np.exp(-up)) - 1 / (1 + np.exp(-low)))
    log_p = np.log(mass).sum(-2) + pi - np.log(np.exp(pi).sum(-1, keepdims=True))
    top = log_p.max(-1)
    expected = -(top + np.log(np.exp(log_p - top[..., None]).sum(-1))).reshape(3, -1).sum(-1)
    assert np.allclose(got, expected, rtol=2e-6, atol=0)

    variable = keras.Variable(out)
    grads = _gradient(lambda: ops.sum(lik.nll(x, variable)), variable)
    assert grads.shape == out.shape and np.isfinite(grads).all()


def _gradient(loss, variable) -> np.ndarray:
    """d loss / d variable on the running Keras backend, as numpy."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            value = loss()
        return tape.gradient(value, variable.value).numpy()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(lambda v: (variable.assign(v), loss())[1])(variable.value))

    value = variable.value
    value.requires_grad_(True)
    loss().backward()
    return value.grad.numpy()
