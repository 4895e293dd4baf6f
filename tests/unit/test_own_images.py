"""zoo.finetune / zoo.train and the `zoo finetune` command: fine-tune shipped models on an image folder the
test writes (RGB, another size), check the held-out error falls, samples move to the new data, the written
checkpoint reloads, and every bad input fails clearly without leaving anything behind."""
import keras
import numpy as np
import pytest
from PIL import Image

import zoo
from tests.unit.conftest import tiny
from zoo import cli, data
from zoo.models import backbones  # noqa: F401  (registers the families)

# Fine-tuning logic over the families' public API; the family contract runs on every backend, this file on the
# default one.
pytestmark = pytest.mark.backend_agnostic


def write_frames(folder, n, seed=0, size=(36, 40)):
    """n RGB PNGs of bright coloured frames on black, height x width = size: nothing like a digit."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        a = np.zeros((*size, 3), np.uint8)
        t, col = rng.integers(3, 8), rng.integers(150, 256, 3)
        a[:t], a[-t:], a[:, :t], a[:, -t:] = col, col, col, col
        Image.fromarray(a).save(folder / f"img{i:04d}.png")
    return folder


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    return write_frames(tmp_path_factory.mktemp("frames"), 300)


def quiet(*_):
    pass


def same(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


def test_finetune_ae_on_rgb_folder_learns_the_new_data_and_writes_a_loadable_checkpoint(frames, tmp_path):
    out, logs = tmp_path / "ae-frames", []
    model, history = zoo.finetune("ae-mnist", frames, epochs=20, learning_rate=1e-3, validation_split=0.2,
                                  out_dir=out, verbose=0, log=logs.append)
    assert "resized 40x36 -> 28x28" in " ".join(logs) and "grayscale" in " ".join(logs), logs
    held = model.card.metrics
    assert held.on == "heldout" and held.images == model.card.data.heldout_images == 60
    assert model.card.data.train_images == 240
    assert held.values["mse"] < 0.5 * held.before["mse"], held
    assert held.values["bce_nats"] < held.before["bce_nats"]
    assert len(history.history["loss"]) == 20 and "val_loss" in history.history

    # samples come from the new data: their mean image is nearer the frames' than MNIST's
    x_new, _ = data.load_images(frames, model.image_shape, log=quiet)
    x_old = data.load_split("mnist", "test")[0][:2000].astype("float32") / 255.0
    mean = model.sample(1000, seed=0).mean(0)
    d_new, d_old = (float(np.sqrt(np.mean((mean - x.mean(0)) ** 2))) for x in (x_new, x_old))
    assert d_new < d_old, (d_new, d_old)
    assert held.values["sample_mean_rms"] < held.before["sample_mean_rms"]

    # the folder is a zoo checkpoint: card with parent and recipe, pictures, and it loads back the same model
    card = zoo.info(str(out))
    parent = zoo.info("ae-mnist")
    assert card["parent"] == {"name": "ae-mnist", "dataset": "mnist",
                              "sha256": parent["files"]["model.keras"]["sha256"]}
    assert card["finetune"]["epochs"] == 20 and card["reproduce"].startswith("zoo finetune ae-mnist --data ")
    assert {"model.keras", "card.json", "README.md", "history.csv", "samples.png",
            "reconstructions.png"} <= set(card["paths"])
    assert "| after |" in (out / "README.md").read_text()
    again = zoo.load(str(out))
    np.testing.assert_allclose(again.sample(16, seed=3), model.sample(16, seed=3), atol=1e-5)
    # no temp folder left behind; only the (empty) lock file that keeps two runs from writing one folder
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".ae-frames.lock"]
    table = zoo.compare([str(out)])  # no dataset of ours to measure it on: its card's held-out numbers
    assert table.rows[0]["family"] == "ae" and table.rows[0]["source"] == "card (heldout)"
    assert table.rows[0]["mse"] == held.values["mse"]


@pytest.mark.parametrize("freeze", ["encoder", "decoder"])
def test_freeze_keeps_that_network_fixed_for_this_fit_only(freeze, frames):
    model = zoo.load("vae-mnist")
    enc0 = [w.copy() for w in model.encoder.get_weights()]
    dec0 = [w.copy() for w in model.decoder.get_weights()]
    zoo.finetune(model, frames, epochs=1, freeze=freeze, learning_rate=1e-3, verbose=0, log=quiet)
    assert same(enc0, model.encoder.get_weights()) == (freeze == "encoder")
    assert same(dec0, model.decoder.get_weights()) == (freeze == "decoder")
    assert model.encoder.trainable and model.decoder.trainable  # restored after the fit


def test_finetune_defaults_to_the_rate_measured_for_the_models_likelihood(frames):
    """Photo models (logistic-mixture likelihood) fine-tune at the rate measured on photographs, which is lower
    than the grey models' (at theirs the photo model ended worse than it began); a stated rate always wins."""
    from zoo import registry

    photo = zoo.create("ae", input_shape=(36, 40, 3), latent_dim=4, backbone="conv", likelihood="logistic_mixture",
                       likelihood_components=2)
    grey = zoo.create("ae", input_shape=(36, 40, 3), latent_dim=4, backbone="conv")
    assert photo.finetune_rate() == registry.PHOTO_FINETUNE_RATE < grey.finetune_rate() == grey.finetune_learning_rate
    model, _ = zoo.finetune(photo, frames, epochs=1, verbose=0, log=quiet)
    assert model.card.lineage.settings["learning_rate"] == registry.PHOTO_FINETUNE_RATE
    model, _ = zoo.finetune(grey, frames, epochs=1, learning_rate=2e-3, verbose=0, log=quiet)
    assert model.card.lineage.settings["learning_rate"] == 2e-3


def test_conditional_model_needs_labels_and_takes_class_folders(tmp_path):
    flat = write_frames(tmp_path / "flat", 20)
    with pytest.raises(ValueError, match="conditional.*labels"):
        zoo.finetune("cvae-mnist", flat, epochs=1, verbose=0, log=quiet)
    for k in (0, 1):  # two class folders -> labels 0 and 1
        write_frames(tmp_path / "classes" / f"class_{k}", 10, seed=k)
    model, _ = zoo.finetune("cvae-mnist", tmp_path / "classes", epochs=1, verbose=0, log=quiet)
    assert model.card.data.labelled
    with pytest.raises(ValueError, match="0..9"):
        zoo.finetune(model, (np.zeros((4, 28, 28), "uint8"), np.array([0, 1, 2, 12])), epochs=1, log=quiet)


def test_vqvae_prior_is_retrained_on_the_new_data(images):
    model = tiny("vqvae")
    model.fit(images, epochs=1, verbose=0)
    model.fit_prior(images, epochs=1)
    before = [w.copy() for w in model.prior.get_weights()]
    zoo.finetune(model, images, epochs=1, prior_epochs=1, verbose=0, log=quiet)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.prior.get_weights(), strict=True))


def test_train_a_new_model_on_a_folder_at_its_own_size(frames, tmp_path):
    logs = []
    model, _ = zoo.train("vae", frames, epochs=2, backbone="conv", latent_dim=4, hidden=(8, 16),
                         out_dir=tmp_path / "new", verbose=0, log=logs.append)
    assert model.image_shape == (36, 40, 3)  # read from the first image: RGB, its size
    assert zoo.load(str(tmp_path / "new")).sample(2, seed=0).shape == (2, 36, 40, 3)
    info = zoo.info(str(tmp_path / "new"))
    assert "parent" not in info and info["train"]["epochs"] == 2 and info["metrics"]["on"] == "heldout"
    with pytest.raises(ValueError, match="input_shape"):
        zoo.train("vae", "mnist", epochs=1, log=quiet)  # a TFDS name: the shape must be given


def test_bad_inputs_fail_clearly_and_write_nothing(frames, tmp_path):
    model = zoo.load("ae-mnist")
    w0 = [w.copy() for w in model.get_weights()]
    (tmp_path / "empty").mkdir()
    bad = tmp_path / "bad"
    write_frames(bad, 3)
    (bad / "broken.png").write_bytes(b"not a png")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    cases = [
        (dict(data=frames, freeze="middle"), ValueError, "freeze must be one of"),
        (dict(data=frames, validation_split=1.0), ValueError, "validation_split"),
        (dict(data=frames, epochs=0), ValueError, "epochs"),
        (dict(data=tmp_path / "empty"), ValueError, "No image files"),
        (dict(data=bad), ValueError, "broken.png"),
        (dict(data=np.zeros((4, 28, 28, 2), "uint8")), ValueError, "shape"),
        (dict(data=np.full((4, 28, 28), np.nan, "float32")), ValueError, "NaN"),
        (dict(data=frames, out_dir=taken), FileExistsError, "not a checkpoint the zoo wrote"),
        (dict(data=tmp_path / "missing"), ValueError, "not a folder of images"),
    ]
    for kw, err, match in cases:
        with pytest.raises(err, match=match):
            zoo.finetune(model, epochs=kw.pop("epochs", 1), verbose=0, log=quiet, **kw)
    assert all(np.array_equal(a, b) for a, b in zip(w0, model.get_weights(), strict=True))  # nothing trained
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "empty", "taken"]
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]


def test_cli_finetune_and_train_on_a_folder(frames, tmp_path, capsys):
    out = tmp_path / "cli-ft"
    assert cli.main(["finetune", "ae-mnist", "--data", str(frames), "--epochs", "1", "-o", str(out)]) == 0
    card = zoo.load(str(out)).card
    assert card.parent.name == "ae-mnist" and card.training.precision == "float32"
    assert cli.main(["train", "ae", "--data", str(frames), "--input-shape", "32x32x3", "--epochs", "1",
                     "--backbone", "mlp", "--mixed-precision", "--out", str(tmp_path / "cli-new")]) == 0
    assert keras.config.dtype_policy().name == "float32"  # the command's policy ends with it
    new = zoo.load(str(tmp_path / "cli-new"))
    assert new.image_shape == (32, 32, 3) and new.card.training.precision == "mixed_bfloat16"
    assert new.card.reproduce.endswith("--mixed-precision")
    assert cli.main(["info", str(tmp_path / "cli-new")]) == 0
    assert "mixed bfloat16; reproduce: zoo train ae" in capsys.readouterr().out
    (tmp_path / "empty").mkdir()
    assert cli.main(["finetune", "ae-mnist", "--data", str(tmp_path / "empty"), "-o", str(tmp_path / "x")]) == 2
    assert "No image files" in capsys.readouterr().err
    assert cli.main(["train", "ae", "--data", str(frames), "--input-shape", "32x32", "--out", str(tmp_path / "x")]) == 2
    assert "HEIGHTxWIDTHxCHANNELS" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_reproduce_lines_reproduce(tmp_path, images):
    """A fine-tune names the folder it loaded, in-memory images say how to pass them, and a new model's line
    carries its seed and held-out share."""
    import zoo

    first, _ = zoo.finetune("ae-mnist", images, epochs=1, out_dir=tmp_path / "my ae", verbose=0, log=lambda *a: None)
    assert first.card.reproduce.startswith("zoo finetune ae-mnist --data <an array (64, 28, 28), saved as a folder")
    again, _ = zoo.finetune(tmp_path / "my ae", images, epochs=1, seed=3, verbose=0, log=lambda *a: None)
    assert again.card.reproduce.startswith(f"zoo finetune '{tmp_path / 'my ae'}' --data <")
    assert " --seed 3" in again.card.reproduce
    new, _ = zoo.train("ae", images, epochs=1, validation_split=0.25, seed=5, verbose=0, log=lambda *a: None)
    assert "--validation-split 0.25 --seed 5" in new.card.reproduce


def test_a_finetuned_model_goes_by_its_own_name_and_can_be_explored(frames, tmp_path):
    """zoo.load gives a fine-tuned checkpoint the name its card (its folder) gives it, not its parent's, and the
    explorer maps it with the test images of the dataset its parent learnt."""
    from zoo import explorer

    out = tmp_path / "my-ae"
    zoo.finetune("ae_2d-mnist", frames, epochs=1, out_dir=out, verbose=0, log=quiet)
    model = zoo.load(str(out))
    assert model.name == "my-ae" and model.card.parent.name == "ae_2d-mnist"
    assert zoo.load("ae_2d-mnist").name == "ae_2d-mnist"
    view = explorer.Explorer([str(out)]).views[str(out)]
    assert view.dataset == "mnist" and view.model.name == "my-ae"


def test_compare_measures_every_model_on_your_images(frames, tmp_path, capsys):
    """zoo.compare(..., data=FOLDER) and `zoo compare --data FOLDER`: each model measured on the same images,
    adapted to its input shape, and the figure shows them."""
    import inspect

    table = zoo.compare(["ae-mnist", "vae-mnist"], data=frames, figure=tmp_path / "c.png")
    assert [r["source"] for r in table] == ["your images", "your images"]
    assert all(r["mse"] > 0 for r in table) and table["vae-mnist"]["neg_elbo"] > 0
    assert table["ae-mnist"].get("neg_elbo") is None and (tmp_path / "c.png").is_file()
    assert "every model measured now on your 300 images" in str(table)
    assert "data" in inspect.signature(zoo.compare).parameters  # help(zoo.compare) shows the real parameters
    assert cli.main(["compare", "ae-mnist", "--data", str(frames)]) == 0
    assert "your images" in capsys.readouterr().out


def test_a_finetune_over_another_models_finetune_is_refused_and_a_replacement_is_named(frames, tmp_path):
    out, logs = tmp_path / "my-model", []
    zoo.finetune("ae-mnist", frames, epochs=1, out_dir=out, verbose=0, log=quiet)
    zoo.finetune("ae-mnist", frames, epochs=1, out_dir=out, verbose=0, log=logs.append)
    assert f"replaced {out} (it held my-model, a fine-tune of ae-mnist)" in " ".join(logs)
    with pytest.raises(FileExistsError, match="a fine-tune of ae-mnist, and this run fine-tunes vae-mnist"):
        zoo.finetune("vae-mnist", frames, epochs=1, out_dir=out, verbose=0, log=quiet)
    assert zoo.load(str(out)).card.parent.name == "ae-mnist"  # untouched
    zoo.finetune("vae-mnist", frames, epochs=1, out_dir=out, verbose=0, log=quiet, overwrite=True)
    assert zoo.load(str(out)).card.parent.name == "vae-mnist"


def test_colour_images_of_several_sizes_get_the_photo_models_size_network_and_likelihood(tmp_path):
    folder = write_frames(tmp_path / "mixed", 24, size=(36, 40))
    write_frames(tmp_path / "mixed_b", 24, seed=1, size=(50, 30))
    for f in (tmp_path / "mixed_b").iterdir():
        f.rename(folder / f"b_{f.name}")
    said = []
    model, _ = zoo.train("vae", folder, epochs=1, verbose=0, log=said.append)
    assert model.image_shape == (32, 32, 3) and model.backbone == "resnet" and model.latent_dim == 64
    assert model.likelihood.name == "logistic_mixture"
    assert any("2 sizes (36x40, 50x30): all are resized" in line for line in said)
    assert any("colour images: the photo models' network" in line for line in said)
    assert "--backbone resnet" in model.card.reproduce and "--likelihood logistic_mixture" in model.card.reproduce
    asked, _ = zoo.train("vae", folder, epochs=1, backbone="conv", latent_dim=4, hidden=(8, 16), verbose=0, log=quiet)
    assert asked.backbone == "conv" and asked.likelihood.name == "bernoulli"
    grey = tmp_path / "grey"
    grey.mkdir()
    for i, size in enumerate([(20, 20), (24, 30)] * 12):
        Image.fromarray(np.full(size, 40 * (i % 6), np.uint8)).save(grey / f"g{i:02d}.png")
    small, _ = zoo.train("ae", grey, epochs=1, latent_dim=2, hidden=(8,), prior_components=2, verbose=0, log=quiet)
    assert small.image_shape == (28, 28, 1) and small.backbone == "mlp"


def test_a_reproduce_line_names_the_folder_a_model_object_was_loaded_from(frames, tmp_path):
    zoo.finetune("ae-mnist", frames, epochs=1, out_dir=tmp_path / "first", verbose=0, log=quiet)
    loaded = zoo.load(tmp_path / "first")
    again, _ = zoo.finetune(loaded, frames, epochs=1, out_dir=tmp_path / "second", verbose=0, log=quiet)
    assert again.card.reproduce.startswith(f"zoo finetune {tmp_path / 'first'} --data ")
    assert again.loaded_from == str(tmp_path / "second")
    shipped, _ = zoo.finetune(zoo.load("ae-mnist"), frames, epochs=1, verbose=0, log=quiet)
    assert shipped.card.reproduce.startswith("zoo finetune ae-mnist --data ") and shipped.loaded_from is None
