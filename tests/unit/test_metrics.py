"""Each metric on cases with a known answer."""
import numpy as np
import pytest

from zoo import metrics


@pytest.fixture
def gauss():
    rng = np.random.default_rng(0)
    return lambda n, d=4, shift=0.0, scale=1.0: rng.standard_normal((n, d)) * scale + shift


@pytest.mark.backend_agnostic
def test_fid_identical_sets_is_zero(gauss):
    f = gauss(2000)
    assert metrics.frechet_distance(f, f) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.backend_agnostic
def test_fid_matches_closed_form_for_gaussians(gauss):
    # N(0, I) vs N(m, s^2 I) in d dims: |m|^2 d + d (1 - s)^2
    d, m, s = 4, 0.5, 2.0
    got = metrics.frechet_distance(gauss(200_000, d), gauss(200_000, d, shift=m, scale=s))
    assert got == pytest.approx(d * m ** 2 + d * (1 - s) ** 2, rel=0.02)


@pytest.mark.backend_agnostic
def test_kid_near_zero_for_same_distribution_and_positive_when_shifted(gauss):
    same = metrics.kernel_inception_distance(gauss(3000), gauss(3000), subsets=10, subset_size=500)
    moved = metrics.kernel_inception_distance(gauss(3000), gauss(3000, shift=1.0), subsets=10, subset_size=500)
    assert abs(same["kid"]) < 3 * same["kid_std"] + 1e-3
    assert moved["kid"] > 10 * abs(same["kid"]) and moved["kid"] > 0.05


@pytest.mark.backend_agnostic
def test_kid_is_deterministic_for_a_seed(gauss):
    a, b = gauss(1500), gauss(1500, shift=0.3)
    assert metrics.kernel_inception_distance(a, b, seed=3) == metrics.kernel_inception_distance(a, b, seed=3)


@pytest.mark.backend_agnostic
def test_precision_recall_known_cases(gauss):
    real = gauss(1000)
    assert metrics.precision_recall(real, real) == {"precision": 1.0, "recall": 1.0}
    far = metrics.precision_recall(real, gauss(1000, shift=100.0))
    assert far == {"precision": 0.0, "recall": 0.0}
    # mode collapse: fakes only near one real point -> high precision, low recall
    collapsed = real[:1] + 0.01 * gauss(1000)
    pr = metrics.precision_recall(real, collapsed)
    assert pr["precision"] > 0.95 and pr["recall"] < 0.05


@pytest.mark.backend_agnostic
def test_validity_and_coverage():
    onehot = np.eye(10)[np.arange(1000) % 10]
    assert metrics.validity(onehot) == 1.0
    assert metrics.validity(np.full((5, 10), 0.1)) == 0.0
    cov = metrics.class_coverage(onehot)
    assert cov["class_entropy_ratio"] == pytest.approx(1.0)
    assert cov["class_histogram"] == [0.1] * 10
    assert metrics.class_coverage(np.eye(10)[np.zeros(50, int)])["class_entropy"] == 0.0


@pytest.mark.backend_agnostic
def test_label_agreement_counts_requested_classes():
    probs = np.eye(3)[[0, 1, 2, 2, 0, 1]]
    out = metrics.label_agreement(probs, [0, 1, 2, 0, 0, 2])  # the 4th and 6th are wrong
    assert out["label_agreement"] == pytest.approx(4 / 6)
    assert out["label_agreement_per_class"] == [pytest.approx(2 / 3, abs=1e-4), 1.0, 0.5]
    with pytest.raises(ValueError, match="one class per sample"):
        metrics.label_agreement(probs, [0, 1])


@pytest.mark.parametrize("a, b, match", [
    (np.zeros((10, 3)), np.zeros((10, 4)), "feature sizes differ"),
    (np.zeros(10), np.zeros((10, 4)), "2-D"),
    (np.full((10, 3), np.nan), np.zeros((10, 3)), "NaN"),
])
def test_bad_features(a, b, match):
    with pytest.raises(ValueError, match=match):
        metrics.frechet_distance(a, b)


def test_iwae_k1_equals_elbo_and_bound_tightens(images):
    from tests.unit.conftest import tiny

    model = tiny("vae")
    model.fit(images, epochs=5, verbose=0)
    one = metrics.likelihood(model, images[:8], k=1, binarized=False)
    assert one["iwae_nll_nats"] == pytest.approx(one["neg_elbo_nats"], rel=1e-6)
    many = metrics.likelihood(model, images[:8], k=200, binarized=False)
    assert many["iwae_nll_nats"] <= many["neg_elbo_nats"]


def test_likelihood_needs_a_posterior(images):
    from tests.unit.conftest import tiny

    with pytest.raises(TypeError, match="posterior"):
        metrics.likelihood(tiny("ae"), images[:2], k=2)


def test_a_partial_remeasurement_takes_only_the_settings_of_the_sections_it_measures():
    """--sections code --iwae-images 7 would record 7 likelihood images on a card whose likelihood was measured
    on 1,000: refused, before anything is measured."""
    import zoo
    from zoo import evaluation

    model = zoo.create("ae", input_shape=(28, 28, 1), latent_dim=2, hidden=(8,))
    previous = {"protocol": dict(evaluation.PROTOCOL), "likelihood": {"k": 5000}}
    with pytest.raises(ValueError, match="iwae_images is a setting of sections this run does not measure"):
        evaluation.evaluate(model, "mnist", {"iwae_images": 7}, log=lambda *a: None, sections=["code"],
                            previous=previous)


def test_a_model_is_not_measured_on_a_dataset_of_another_size():
    import zoo
    from zoo import evaluation

    model = zoo.create("ae", input_shape=(28, 28, 1), latent_dim=2, hidden=(8,))
    with pytest.raises(ValueError, match="takes 28x28x1 images, but cifar10's are 32x32x3"):
        evaluation.evaluate(model, "cifar10", log=lambda *a: None)
