"""Training a registry recipe (scripts/train.py's engine): npz datasets, recipe overrides, the time limit and
mixed precision."""
import contextlib
import json

import numpy as np
import pytest

from zoo import data, recipes, training
from zoo.models import precision


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
    with pytest.raises(ValueError, match="'train' and 'test'"):
        data.load_split("mnist", "validation")


@pytest.mark.one_backend
def test_overrides_time_limit_and_precision_reach_the_card(tiny_mnist, tmp_path):
    over = {"latent_dim": 4, "batch_size": 16, "options": {"hidden": [8]}}
    with precision.policy("mixed_bfloat16"):  # as `zoo train --mixed-precision` runs it
        folder = training.train("vae-mnist", tmp_path / "out", epochs=50, verbose=0, overrides=over,
                                time_limit_s=1e-9)
    card = json.loads((folder / "card.json").read_text())
    assert card["training"]["precision"] == "mixed_bfloat16"
    assert card["reproduce"] == ("zoo train vae-mnist --epochs 1 --override "
                                 "'{\"latent_dim\": 4, \"batch_size\": 16, \"options\": {\"hidden\": [8]}}' --mixed-precision")
    recipe = card["recipe"]
    # stopped after the first epoch; the card records what ran: the overrides merged into the recipe
    assert recipe["epochs"] == card["training"]["epochs"] == 1
    assert recipe["latent_dim"] == 4 and recipe["batch_size"] == 16
    assert recipe["options"] == {"dynamic_binarization": True, "hidden": [8]}
    assert card["model_config"]["hidden"] == [8] and card["hardware"]["cpu_count"] >= 1
    # no work or temp folder left behind; only the (empty) lock file that keeps two runs from one output
    assert [p.name for p in (tmp_path / "out").glob(".*")] == [".vae-mnist.lock"]
    with pytest.raises(ValueError, match="Unknown recipe fields"):
        training.train("vae-mnist", tmp_path / "out2", overrides={"lattent_dim": 3})
    assert recipes.get_recipe("vae-mnist").latent_dim == 16  # the registry itself is untouched


def test_same_network_recipe_swaps_the_family_and_keeps_the_network():
    iwae = recipes.get_recipe("iwae-mnist").to_dict()
    iwae = {**iwae, "latent_dim": 3, "epochs": 7, "options": {**iwae["options"], "hidden": [64]}}
    base = training.same_network_recipe(iwae, "vae")
    assert (base.family, base.dataset, base.latent_dim, base.epochs) == ("vae", "mnist", 3, 7)
    # iwae's k is its own; the network's width and the binarization carry over
    assert base.options == {"dynamic_binarization": True, "hidden": [64]}
    for field in training.SAME_NETWORK_FIELDS:
        assert getattr(base, field) == iwae[field]


@pytest.mark.one_backend
def test_baseline_script_trains_scores_and_refuses_other_recipes(tiny_mnist, tmp_path, monkeypatch, capsys):
    """scripts/baseline.py on a tiny iwae: trains the same-network vae, scores it like the model, fills the card."""
    import runpy
    import sys
    from pathlib import Path

    from zoo import checkpoints, metrics
    from zoo.card import Evaluation, Likelihood, Protocol, Reconstruction, parse
    from zoo.loader import load

    root = tmp_path / "ckpt"
    tiny = {"latent_dim": 2, "batch_size": 16, "epochs": 1, "options": {"hidden": [8]}}
    folder = training.train("iwae-mnist", root, verbose=0, overrides=tiny)
    card = checkpoints.read_card(folder)
    x, _ = data.load_split("mnist", "test")
    lik = metrics.likelihood(load(folder), x[:8], k=4, seed=0, binarized=True)
    checkpoints.write_card(folder, card.replace(evaluation=Evaluation(
        Protocol(seed=0), test_images=8, reconstruction=Reconstruction(mse=0.1), likelihood=parse(Likelihood, lik))))
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(root))
    script = str(Path(__file__).resolve().parents[2] / "scripts" / "baseline.py")

    monkeypatch.setattr(sys, "argv", ["baseline.py", "iwae-mnist"])
    runpy.run_path(script, run_name="__main__")
    b = checkpoints.read_card(folder).baseline
    assert b.family == "vae" and b.recipe.name == "vae-mnist"
    assert b.recipe.latent_dim == 2 and b.recipe.options == {"dynamic_binarization": True, "hidden": [8]}
    assert (b.likelihood.k, b.likelihood.images, b.likelihood.binarized) == (4, 8, True)
    assert "its vae baseline (same network)" in capsys.readouterr().out

    other = training.train("vae-mnist", tmp_path / "other", verbose=0, overrides={**tiny, "latent_dim": 3})
    monkeypatch.setattr(sys, "argv", ["baseline.py", "iwae-mnist", "--trained", str(other)])
    with pytest.raises(SystemExit, match="not trained with the baseline recipe.*latent_dim"):
        runpy.run_path(script, run_name="__main__")


def test_data_parallel_says_what_it_needs(monkeypatch):
    import keras

    from zoo import distribute

    backend = keras.backend.backend()
    if backend == "torch":
        with pytest.raises(ValueError, match="JAX or TensorFlow backend"):
            distribute.replicas()
    elif backend == "tensorflow":
        monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"index": 0}}')
        with pytest.raises(ValueError, match="KERAS_BACKEND=jax"):
            distribute.replicas()
    else:
        assert distribute.replicas().devices >= 1
    with distribute.data_parallel(False) as replicas:
        assert replicas.devices == 1 and replicas.is_chief
    with pytest.raises(ValueError, match="does not split evenly over 3 devices"):
        distribute.Replicas(devices=3).check_batch(128)


@pytest.mark.parametrize("family, options, xla", [
    ("vae", {}, True), ("hvae", {"latent_dim": 4, "top_dim": 2}, True), ("vae", {"backbone": "conv"}, False),
    ("vae", {"dynamic_binarization": True}, False), ("dae", {}, False), ("iwae", {}, False)])
def test_tensorflow_cpu_compiles_with_xla_only_the_steps_measured_faster_with_it(family, options, xla, monkeypatch):
    import keras
    import tensorflow as tf

    from zoo import factory

    monkeypatch.delenv("ZOO_XLA")
    model = factory.create(family, **{"latent_dim": 2, "hidden": (8, 8), **options})
    assert model.xla_on_cpu() is xla
    if keras.backend.backend() == "tensorflow" and not tf.config.list_physical_devices("GPU"):
        assert model.jit_compile is xla
        monkeypatch.setenv("ZOO_XLA", "0")  # Keras' own choice: no XLA on a CPU
        assert factory.create(family, **{"latent_dim": 2, "hidden": (8, 8), **options}).jit_compile is False


def test_bfloat16_networks_train_without_xla_on_a_cpu():
    """XLA's CPU bfloat16 matrix products lose to TensorFlow's graph kernels (the benchmark's XLA table)."""
    from zoo import factory
    from zoo.models import precision

    with precision.policy("mixed_bfloat16"):
        model = factory.create("vae", latent_dim=2, hidden=(8, 8))
    assert model.xla_on_cpu() is False


@pytest.mark.parametrize("family, rtol", [("ae", 1e-3), ("vae", 0.02), ("cvae", 0.02)])
def test_training_with_xla_follows_the_graph_training(family, rtol, images, monkeypatch):
    """The same model, weights and seed trained with and without XLA: the same losses up to rounding for a
    deterministic family; within 2% for a sampling one, whose noise XLA draws with another generator."""
    import keras

    from zoo import factory

    if keras.backend.backend() != "tensorflow":
        pytest.skip("the zoo chooses XLA on TensorFlow only (JAX always compiles with it)")
    monkeypatch.delenv("ZOO_XLA")
    x = images[..., None]
    data = (x, np.arange(len(x)) % 10) if factory.get_family(family).conditional else x
    histories = []
    for jit in (True, False):
        keras.utils.set_random_seed(0)
        model = factory.create(family, latent_dim=4, hidden=(32, 16), seed=1)
        model.compile(optimizer="adam", steps_per_execution=4, jit_compile=jit)
        histories.append(model.fit(data, epochs=3, batch_size=16, shuffle=False, verbose=0).history)
    np.testing.assert_allclose(histories[0]["loss"], histories[1]["loss"], rtol=rtol)
    assert histories[0]["loss"][-1] < histories[0]["loss"][0]


@pytest.mark.one_backend
def test_zoo_evaluate_measures_a_checkpoint_into_its_card(tiny_mnist, tmp_path, capsys):
    from zoo import checkpoints, cli, measuring, outputs

    over = {"latent_dim": 2, "batch_size": 16, "options": {"hidden": [8]}}
    folder = training.train("vae-mnist", tmp_path / "out", epochs=1, verbose=0, overrides=over)
    sha = checkpoints.read_card(folder).model_sha256
    protocol = {"samples": 100, "iwae_k": 4, "iwae_images": 8, "code_images": 20}
    card = measuring.measure(folder, protocol=protocol, log=lambda *a: None)
    ev = card.evaluation
    assert ev.protocol.samples == 100 and ev.likelihood.images == 8 and ev.likelihood.k == 4
    assert ev.likelihood.iwae_bits_per_dim == pytest.approx(ev.likelihood.iwae_nll_nats / (784 * np.log(2)))
    written = checkpoints.read_card(folder)
    assert written.evaluation == ev and written.model_sha256 == sha  # the weights are untouched
    assert {"latent.png", "traversal.png"} <= set(written.files)
    assert outputs.ownership_problem(folder) is None  # the folder still proves itself the zoo's
    assert cli.main(["evaluate", str(tmp_path / "missing")]) == 2
    assert "neither a checkpoint folder nor a trained registry model" in capsys.readouterr().err


@pytest.mark.one_backend
def test_train_evaluator_writes_a_loadable_evaluator_whose_card_reproduces_it(tiny_mnist, tmp_path, monkeypatch,
                                                                              capsys):
    from zoo import checkpoints, classifiers, cli

    out = tmp_path / "mine" / "evaluator-mnist"
    assert cli.main(["train-evaluator", "mnist", "--epochs", "1", "-o", str(out)]) == 0
    assert "test accuracy" in capsys.readouterr().out
    card = checkpoints.read_card(out)
    assert card.kind == "evaluator" and card.dataset == "mnist" and card.training.epochs == 1
    assert card.metrics.on == "test" and card.metrics.images == 40 and 0 <= card.metrics.values["accuracy"] <= 1
    assert card.reproduce == "zoo train-evaluator mnist --epochs 1" and card.feature_layer == classifiers.FEATURE_LAYER
    assert card.model_sha256 == checkpoints.sha256(out / checkpoints.MODEL_FILE)
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(out.parent))  # measuring with it: the evaluator it wrote
    monkeypatch.setattr(classifiers, "_CACHE", {})
    features, probs = classifiers.load("mnist")(np.zeros((3, 28, 28, 1), "uint8"))
    assert features.shape == (3, 128) and probs.shape == (3, 10)
    monkeypatch.delenv("ZOO_CHECKPOINTS")
    for bad, says in ((["dsprites"], "invalid choice"), (["mnist", "--epochs", "0"], "epochs"),
                      (["mnist", "-o", str(checkpoints.root() / "evaluator-mnist")], "shipped checkpoints")):
        with pytest.raises(SystemExit) if says == "invalid choice" else contextlib.nullcontext():
            assert cli.main(["train-evaluator", *bad]) == 2
        assert says in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "npz"]  # the refused runs wrote nothing
