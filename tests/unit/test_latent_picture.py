"""zoo.plot_latent: codes and N(0, I) draws in two dimensions, a few draws decoded; a 2-d code gets its plane."""
import numpy as np
import pytest

import zoo
from zoo import plots


def images(n, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, 28, 28, 1)).astype("uint8")


def test_a_2d_code_is_drawn_as_it_is_beside_its_decoded_plane(tmp_path):
    model = zoo.create("vae", latent_dim=2, hidden=(16,))
    fig = zoo.plot_latent(model, images(60), labels=np.arange(60) % 3, path=tmp_path / "latent.png")
    titles = [ax.get_title() for ax in fig.axes]
    assert len(fig.axes) == 3 and "the 2-d code itself" in titles[0] and "decoded plane" in titles[1]
    assert "crosses 1-8, decoded" in titles[2]
    scatter = fig.axes[0].collections
    assert len(scatter) == 3 + 1  # one set of dots per class, then the crosses
    assert scatter[-1].get_offsets().shape == (plots.LATENT_CROSSES, 2)
    assert (tmp_path / "latent.png").read_bytes()[:4] == b"\x89PNG"


def test_a_wider_code_is_projected_on_a_pca_of_the_fitting_codes():
    model = zoo.create("ae", latent_dim=5, hidden=(16,))
    fig = zoo.plot_latent(model, images(50), train_images=images(80, seed=1))
    assert len(fig.axes) == 2 and "PCA of its 5-d codes, fitted on 80 training codes" in fig.axes[0].get_title()


def test_a_conditional_model_needs_labels_and_a_card_less_model_needs_images(tmp_path):
    with pytest.raises(ValueError, match="conditional"):
        zoo.plot_latent(zoo.create("cvae", latent_dim=2, hidden=(16,)), images(20))
    with pytest.raises(ValueError, match="pass images"):
        zoo.plot_latent(zoo.create("ae", latent_dim=2, hidden=(16,)))
    with pytest.raises(ValueError):  # a bad output path is refused before anything is drawn
        zoo.plot_latent(zoo.create("ae", latent_dim=2, hidden=(16,)), images(20), path=tmp_path)


def test_plot_latent_says_what_is_wrong_with_one_image_or_labels_that_are_not_classes():
    import zoo

    model = zoo.create("ae", input_shape=(8, 8, 1), latent_dim=3, hidden=(8,))
    x = np.random.default_rng(0).random((5, 8, 8, 1)).astype("float32")
    with pytest.raises(ValueError, match="at least 2 images"):
        zoo.plot_latent(model, images=x[:1])
    with pytest.raises(ValueError, match="labels must be 5 whole numbers"):
        zoo.plot_latent(model, images=x, labels=list("abcde"))


def test_protocol_settings_are_positive_counts_and_a_seed():
    from zoo import inputs

    with pytest.raises(ValueError, match=r"protocol\['points_train'\] must be a positive integer"):
        inputs.as_settings({"points_train": -5}, {"points_train": 10, "seed": 0})
    with pytest.raises(ValueError, match="seed.*0 or more"):
        inputs.as_settings({"seed": -1}, {"points_train": 10, "seed": 0})
    assert inputs.as_settings({"seed": 0}, {"points_train": 10, "seed": 0})["seed"] == 0
