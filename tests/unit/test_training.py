"""Training a registry recipe (scripts/train.py's engine): npz datasets, recipe overrides and the time limit."""
import json

import numpy as np
import pytest

from zoo import data, registry, training


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch, images):
    """A ZOO_DATA_DIR holding a 64-image 'mnist.npz' in keras.datasets layout (no channel axis)."""
    folder = tmp_path / "npz"
    folder.mkdir()
    labels = np.arange(64) % 10
    np.savez(folder / "mnist.npz", x_train=images, y_train=labels.astype("uint8"), x_test=images[:40],
             y_test=labels[:40].astype("uint8"))
    monkeypatch.setenv("ZOO_DATA_DIR", str(folder))
    return folder


def test_zoo_data_dir_reads_keras_style_npz(tiny_mnist, images):
    x, y = data.load_split("mnist", "test")
    assert x.shape == (40, 28, 28, 1) and x.dtype == np.uint8 and y.dtype == np.int64
    np.testing.assert_array_equal(x[..., 0], images[:40])
    with pytest.raises(FileNotFoundError, match="fashion_mnist.npz does not exist"):
        data.load_split("fashion_mnist", "train")
    with pytest.raises(ValueError, match="'train' and 'test'"):
        data.load_split("mnist", "validation")


def test_overrides_and_time_limit_reach_the_card(tiny_mnist, tmp_path):
    over = {"latent_dim": 4, "batch_size": 16, "options": {"hidden": [8]}}
    folder = training.train("vae-mnist", tmp_path / "out", epochs=50, verbose=0, overrides=over, time_limit_s=1e-9)
    card = json.loads((folder / "card.json").read_text())
    recipe = card["recipe"]
    # stopped after the first epoch; the card records what ran: the overrides merged into the recipe
    assert recipe["epochs"] == card["training"]["epochs"] == 1
    assert recipe["latent_dim"] == 4 and recipe["batch_size"] == 16
    assert recipe["options"] == {"dynamic_binarization": True, "hidden": [8]}
    assert card["model_config"]["hidden"] == [8] and "accelerator" in card["hardware"]
    assert not list((tmp_path / "out").glob(".*"))  # no work or temp folder left behind
    with pytest.raises(ValueError, match="Unknown recipe fields"):
        training.train("vae-mnist", tmp_path / "out2", overrides={"lattent_dim": 3})
    assert registry.get_recipe("vae-mnist").latent_dim == 16  # the registry itself is untouched
