"""Disentanglement end to end on small models: the rendered datasets as splits and streams, the conv4
backbone, the families' penalties on codes whose answer is known, and `zoo.disentanglement` on any model."""
import numpy as np
import pytest
from keras import ops

import zoo
from zoo import data, plots
from zoo.factor_metrics import METRICS
from zoo.models.beta_tcvae import total_correlation
from zoo.models.critics import CriticAdam
from zoo.models.factor_vae import permute_dims, standardized

TINY_PROTOCOL = {"points_train": 300, "points_test": 200, "dci_train": 200, "dci_test": 100, "votes_train": 20,
                 "votes_eval": 10, "vote_batch": 8, "variance_points": 300}


@pytest.mark.backend_agnostic
def test_rendered_splits_are_seeded_draws_labelled_with_their_factors():
    x, f = data.load_split("dsprites", "test")
    assert x.shape == (10_000, 64, 64, 1) and x.dtype == np.uint8 and f.shape == (10_000, 5)
    np.testing.assert_array_equal(x[:50], data.factor_grid("dsprites").images(f[:50]))
    with pytest.raises(ValueError, match="splits"):
        data.load_split("dsprites", "validation")
    with pytest.raises(ValueError, match="no factors"):
        data.factor_grid("mnist")


@pytest.mark.backend_agnostic
def test_the_stream_is_endless_seeded_and_resumes_where_it_stopped():
    first = list(data.stream("shapes3d", 4, seed=1).take(3).as_numpy_iterator())
    resumed = next(data.stream("shapes3d", 4, seed=1, start_step=2).as_numpy_iterator())
    assert first[0].shape == (4, 64, 64, 3) and first[0].dtype == np.float32
    assert 0 <= first[0].min() and first[0].max() <= 1
    np.testing.assert_array_equal(first[2], resumed)
    assert not np.array_equal(first[0], first[1])


def test_conv4_backbone_is_disentanglement_libs_network():
    model = zoo.create("vae", input_shape=(64, 64, 1), latent_dim=10, backbone="conv4")
    convs = [la for la in model.encoder.layers if la.__class__.__name__ == "Conv2D"]
    assert [c.filters for c in convs] == [32, 32, 64, 64] and all(c.kernel_size == (4, 4) for c in convs)
    assert model.decode(np.zeros((2, 10), "float32")).shape == (2, 64, 64, 1)
    odd = zoo.create("beta_vae", input_shape=(20, 24, 3), latent_dim=3, backbone="conv4")
    assert odd.reconstruct(np.zeros((2, 20, 24, 3), "uint8")).shape == (2, 20, 24, 3)


def test_total_correlation_is_near_zero_for_independent_codes_and_large_for_dependent_ones():
    rng = np.random.default_rng(0)
    log_var = np.full((512, 2), np.log(0.3 ** 2), "float32")  # posteriors N(mean, 0.3^2) around each code
    independent = rng.normal(size=(512, 2)).astype("float32")
    shared = rng.normal(size=(512, 1)).astype("float32")
    dependent = np.hstack([shared, shared + 0.05 * rng.normal(size=(512, 1))]).astype("float32")
    tc_ind = float(ops.mean(total_correlation(independent, independent, log_var)))
    tc_dep = float(ops.mean(total_correlation(dependent, dependent, log_var)))
    assert abs(tc_ind) < 0.2 and tc_dep > 1.0


def test_permuted_codes_keep_each_units_values():
    import keras

    z = np.arange(40, dtype="float32").reshape(10, 4)
    shuffled = ops.convert_to_numpy(permute_dims(z, keras.random.SeedGenerator(0)))
    np.testing.assert_array_equal(np.sort(shuffled, axis=0), z)
    assert not np.array_equal(shuffled, z)


def test_standardized_codes_leave_the_discriminator_nothing_to_say_about_a_units_centre_or_spread():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(64, 3)).astype("float32")
    moved = z * np.array([3.0, 0.5, 1.0], "float32") + np.array([2.0, -1.0, 0.0], "float32")
    std = ops.convert_to_numpy(standardized(moved))
    np.testing.assert_allclose(std.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(std.var(0), 1, atol=1e-4)
    kw = {"latent_dim": 3, "hidden": (4,), "discriminator_units": (8,), "seed": 0}
    plain, stand = zoo.create("factor_vae", **kw), zoo.create("factor_vae", standardize_codes=True, **kw)
    stand.set_weights(plain.get_weights())
    tc = {m: [ops.convert_to_numpy(m.total_correlation(c)) for c in (z, moved)] for m in (plain, stand)}
    np.testing.assert_allclose(tc[stand][0], tc[stand][1], rtol=1e-4, atol=1e-5)
    assert not np.allclose(tc[plain][0], tc[plain][1], atol=1e-3)
    assert stand.from_config(stand.get_config()).standardize_codes


def _adam(w, grads, lr, beta_1, beta_2, eps=1e-7):
    """Adam by its formula (Kingma & Ba, Keras' epsilon placement), for reference."""
    m = v = 0.0
    for t, g in enumerate(grads, 1):
        m, v = beta_1 * m + (1 - beta_1) * g, beta_2 * v + (1 - beta_2) * g * g
        w = w - lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t) * m / (np.sqrt(v) + eps)
    return w


def test_factor_vaes_discriminator_gets_its_own_adam_betas_in_the_one_optimizer():
    import keras

    model = zoo.create("factor_vae", latent_dim=2, hidden=(4,), discriminator_units=(3,), learning_rate=0.01,
                       discriminator_betas=(0.5, 0.9))
    assert model.discriminator_betas == (0.5, 0.9)
    assert not isinstance(zoo.create("factor_vae", latent_dim=2, hidden=(4,)).optimizer, CriticAdam)
    variables = model.trainable_variables
    start = [ops.convert_to_numpy(v) for v in variables]
    rng = np.random.default_rng(0)
    grads = [[rng.normal(size=w.shape).astype("float32") for w in start] for _ in range(3)]
    model.optimizer.build(variables)
    for step in grads:
        model.optimizer.apply(step, variables)
    critic = [v.path.startswith("discriminator/") for v in variables]
    assert any(critic) and not all(critic)
    for i, (v, w0) in enumerate(zip(variables, start, strict=True)):
        betas = (0.5, 0.9) if critic[i] else (0.9, 0.999)
        np.testing.assert_allclose(ops.convert_to_numpy(v), _adam(w0, [g[i] for g in grads], 0.01, *betas),
                                   rtol=1e-4, atol=1e-6)
    opt = keras.optimizers.deserialize(keras.optimizers.serialize(model.optimizer))
    assert (opt.critic, opt.critic_beta_1, opt.critic_beta_2, opt.beta_1) == ("discriminator", 0.5, 0.9, 0.9)
    assert model.from_config(model.get_config()).discriminator_betas == (0.5, 0.9)
    model.fit(rng.integers(0, 256, (16, 28, 28, 1)).astype("uint8"), epochs=1, batch_size=8, verbose=0)
    assert int(model.optimizer.iterations) == 5 and all(np.isfinite(w).all() for w in model.get_weights())
    with pytest.raises(ValueError, match="discriminator_betas"):
        zoo.create("factor_vae", discriminator_betas=(0.5,))


def test_dip_penalty_vanishes_at_identity_covariance():
    model = zoo.create("dip_vae", latent_dim=2, hidden=(8,), variant="ii")
    mean = np.array([[1, 0], [-1, 0], [0, 1], [0, -1]], "float32")  # covariance diag(0.5, 0.5)
    log_var = np.full((4, 2), np.log(0.5), "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(model.covariance(mean, log_var)), np.eye(2), atol=1e-6)
    with pytest.raises(ValueError, match="variant"):
        zoo.create("dip_vae", variant="iii")


@pytest.mark.one_backend
def test_any_model_is_scored_and_its_traversal_labelled(tmp_path):
    model = zoo.create("beta_tcvae", input_shape=(64, 64, 1), latent_dim=3, backbone="conv4", hidden=(4, 4, 4, 4))
    x, _ = data.load_split("dsprites", "test")
    model.fit(x[:64], epochs=1, batch_size=64, verbose=0)
    result = zoo.disentanglement(model, "dsprites", protocol=TINY_PROTOCOL)
    assert set(result["scores"]) == set(METRICS)
    assert all(np.isfinite(v) for v in result["scores"].values())
    assert result["factors"] == list(data.factor_grid("dsprites").factor_names)
    info = result["details"]["unit_factor_info"]
    labels = plots.unit_labels(model.encode(x[:500]), info, result["factors"])
    assert len(labels) == 3 and all(la == "inactive" or la.split(" ")[0] in result["factors"] for la in labels)
    path = plots.factor_traversal(model, x[:500], labels, tmp_path / "traversal.png")
    assert path.stat().st_size > 1000


def test_a_model_of_other_images_is_refused_before_scoring():
    with pytest.raises(ValueError, match="64, 64, 1"):
        zoo.disentanglement(zoo.create("vae", latent_dim=2, hidden=(8,)), "dsprites", protocol=TINY_PROTOCOL)


@pytest.mark.backend_agnostic
def test_a_rendered_dataset_can_be_written_once_as_tfds(tmp_path):
    import tensorflow_datasets as tfds

    name = data.write_tfds("dsprites", tmp_path, limit=40)
    examples = list(tfds.as_numpy(tfds.load(name, data_dir=str(tmp_path), split="train")))
    assert len(examples) == 40
    grid = data.factor_grid("dsprites")
    for e in examples[:5]:
        np.testing.assert_array_equal(e["factors"], grid.factors(e["index"])[0])
        np.testing.assert_array_equal(e["image"], grid.images(e["factors"])[0])
