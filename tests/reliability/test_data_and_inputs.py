"""Fine-tuning data, names, paths, cards and model inputs: every bad one is a clear error before anything is
trained or written; odd but valid ones (16-bit PNGs, named class folders) are read as a user means them."""
import json
import os
import shutil
import time
import warnings

import numpy as np
import pytest
from PIL import Image

import zoo
from tests.reliability.conftest import blobs
from zoo import checkpoints, data, evaluation


def quiet(*_):
    pass


# ---- fine-tuning data ----
@pytest.mark.parametrize("bad, message", [
    (np.full((4, 28, 28), -1, np.int32), "0..255"),
    (np.full((4, 28, 28), 1000, np.int32), "0..255"),
    (np.eye(28, dtype=np.int64)[None].repeat(4, 0), "all 0 or 1"),
])
def test_integer_arrays_outside_0_255_or_of_0_1_are_refused_not_wrapped(bad, message):
    with pytest.raises(ValueError, match=message):
        data.adapt_images(bad, (28, 28, 1), log=quiet)
    with pytest.raises(ValueError, match=message):
        zoo.load("ae-mnist").encode(bad)


def test_16_bit_pngs_are_scaled_by_their_bit_depth(tmp_path):
    ramp = np.linspace(0, 65535, 28 * 28).reshape(28, 28).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "deep.png")
    (x,) = data.adapt_images([data.read_image(tmp_path / "deep.png")], (28, 28, 1), log=quiet)
    np.testing.assert_allclose(x[..., 0], ramp / 65535.0, atol=1 / 255)
    assert (x >= 254 / 255).mean() < 0.01  # not clipped: 0.6% of this ramp reads as white (99.5% when clipped)


def test_decompression_bombs_are_refused(tmp_path, monkeypatch):
    Image.fromarray(np.zeros((100, 100), np.uint8)).save(tmp_path / "big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 100x100 is then a 'bomb'
    with pytest.raises(ValueError, match="too large to read safely"):
        data.read_folder(tmp_path)


def class_folders(root, names, per=12):
    for k, name in enumerate(names):
        (root / name).mkdir(parents=True)
        for i, a in enumerate(blobs(per, seed=k)):
            Image.fromarray(a).save(root / name / f"{i}.png")
    return root


def test_numeric_class_folders_are_their_numbers(tmp_path):
    _, labels, classes = data.read_folder(class_folders(tmp_path, [str(d) for d in range(1, 10)], per=2))
    assert classes == {str(d): d for d in range(1, 10)}
    assert sorted(set(labels.tolist())) == list(range(1, 10))  # folder '1' is digit 1, not class 0


def test_named_class_folders_become_the_cvae_class_names_on_the_card(tmp_path):
    folder = class_folders(tmp_path / "imgs", ["boot", "coat", "shirt"])
    m, _ = zoo.finetune("cvae-mnist", folder, epochs=1, out_dir=tmp_path / "out", verbose=0, log=quiet)
    assert m.card.data.classes == {"boot": 0, "coat": 1, "shirt": 2}
    again = zoo.load(tmp_path / "out")
    assert again.class_names[:3] == ["boot", "coat", "shirt"]
    np.testing.assert_array_equal(again.sample(4, seed=0, labels="coat"), again.sample(4, seed=0, labels=1))
    np.testing.assert_array_equal(again.sample(2, seed=0, labels="7"), again.sample(2, seed=0, labels=7))
    with pytest.raises(ValueError, match="Unknown class 'hat'"):
        again.sample(2, labels="hat")


def test_loose_images_beside_class_folders_are_refused(tmp_path):
    folder = class_folders(tmp_path, ["0", "1"], per=2)
    Image.fromarray(blobs(1)[0]).save(folder / "stray.png")
    with pytest.raises(ValueError, match="loose images.*stray.png"):
        data.read_folder(folder)


def test_too_few_images_for_a_fitted_sampler_fail_before_training(monkeypatch):
    from zoo.models import base

    def no_fit(*a, **k):
        raise AssertionError("training started")

    monkeypatch.setattr(base.Autoencoder, "fit", no_fit)
    with pytest.raises(ValueError, match="needs at least 10 training images; got 9"):
        zoo.finetune("ae-mnist", blobs(10), epochs=1, verbose=0, log=quiet)


# ---- names and paths ----
def test_a_registry_name_always_means_the_registry_model(tmp_path, monkeypatch):
    m = zoo.create("ae", latent_dim=2, hidden=(8,))
    (tmp_path / "vae-mnist").mkdir()
    m.save(tmp_path / "vae-mnist" / "model.keras")
    monkeypatch.chdir(tmp_path)
    assert zoo.load("vae-mnist").family == "vae"
    with pytest.warns(UserWarning, match="no card.json.*unverified"):
        assert zoo.load("./vae-mnist").family == "ae"


def test_unverified_folders_warn_and_upper_case_hashes_verify(tmp_path):
    folder = tmp_path / "ck"
    shutil.copytree(checkpoints.root() / "ae-mnist", folder)
    card = json.loads((folder / "card.json").read_text())
    card["files"]["model.keras"]["sha256"] = card["files"]["model.keras"]["sha256"].upper()
    (folder / "card.json").write_text(json.dumps(card))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zoo.load(folder)  # verified, silently
    card["files"]["model.keras"]["sha256"] = None  # a damaged entry is refused, naming it
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ValueError, match="files.model.keras.sha256 should be str"):
        zoo.load(folder)
    del card["files"]["model.keras"]  # a card that records no hash for the weights: loaded, with a warning
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.warns(UserWarning, match="without a sha256"):
        zoo.load(folder)


def test_revision_means_a_hub_revision_only(tmp_path):
    with pytest.raises(ValueError, match="not published on the Hub"):
        zoo.load("ae-mnist", revision="v1")
    with pytest.raises(ValueError, match="applies to Hub models"):
        zoo.load(checkpoints.root() / "ae-mnist", revision="v1")


@pytest.mark.parametrize("uri", ["hf://a b/c", "hf://owner/re po", "hf://only-owner", "hf://a/b/c", "hf://-x/y"])
def test_invalid_hub_addresses_are_named_as_such(uri):
    with pytest.raises(ValueError, match="not a Hub model address"):
        zoo.load(uri)


@pytest.mark.parametrize("card, message", [
    (b"[1, 2]", "not an object"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (None, "is a folder"),
])
def test_damaged_cards_are_clear_errors(tmp_path, card, message):
    folder = tmp_path / "ck"
    shutil.copytree(checkpoints.root() / "ae-mnist", folder)
    (folder / "card.json").unlink()
    if card is None:
        (folder / "card.json").mkdir()
    else:
        (folder / "card.json").write_bytes(card)
    with pytest.raises(ValueError, match=message):
        zoo.load(folder)
    with pytest.raises(ValueError, match=message):
        zoo.info(folder)


# ---- model inputs ----
@pytest.mark.parametrize("grids, message", [
    (-np.ones((1, 7, 7), int), "0..127"),
    (np.full((1, 7, 7), 999), "0..127"),
    (np.zeros((1, 7, 7), float), "integers"),
    (np.zeros((1, 49), int), r"shape \(N, 7, 7\)"),
    (np.zeros((0, 7, 7), int), "N >= 1"),
])
def test_vqvae_index_grids_are_checked(grids, message):
    with pytest.raises(ValueError, match=message):
        zoo.load("vqvae-mnist").decode_indices(grids)


@pytest.mark.parametrize("labels, message", [
    (7.9, "whole number"), (True, "integer in 0..9"), ([1, 2.5], "whole number"), ("seven", "Unknown class"),
    (np.full((2, 10), np.nan), "finite"), (np.array([[1.0] * 10] * 2), "summing to 1"), (10, "in 0..9"),
])
def test_cvae_labels_are_checked(labels, message):
    with pytest.raises(ValueError, match=message):
        zoo.load("cvae-mnist").sample(2, labels=labels)


def test_cvae_accepts_numeric_strings_and_whole_floats():
    m = zoo.load("cvae-mnist")
    ref = m.sample(2, seed=0, labels=7)
    for same in ("7", 7.0, np.int64(7), [7, 7], np.eye(10)[[7, 7]]):
        np.testing.assert_array_equal(m.sample(2, seed=0, labels=same), ref)


def test_empty_batches_are_clear_errors():
    m = zoo.load("vae-mnist")
    with pytest.raises(ValueError, match="empty"):
        m.decode(np.zeros((0, 16)))
    with pytest.raises(ValueError, match="empty"):
        m.encode(np.zeros((0, 28, 28)))


def test_sample_refuses_what_cannot_fit_in_memory_at_once():
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="GiB"):
        zoo.load("vae-mnist").sample(10 ** 10)
    assert time.perf_counter() - t0 < 30


def test_sample_beyond_one_chunk_is_drawn_in_chunks_and_seeded():
    from zoo.models import base

    m = zoo.load("vae-mnist")
    n = base.SAMPLE_CHUNK + 5
    a, b = m.sample(n, seed=3), m.sample(n, seed=3)
    assert a.shape == (n, 28, 28, 1) and np.array_equal(a, b)


def test_temperature_takes_numbers_not_bools():
    m = zoo.load("vae-mnist")
    np.testing.assert_array_equal(m.sample(2, seed=0, temperature=np.float32(0.5)),
                                  m.sample(2, seed=0, temperature=0.5))
    for bad in (True, 0, -1.0, float("nan"), "1"):
        with pytest.raises(ValueError, match="temperature"):
            m.sample(2, temperature=bad)


def test_crafted_mixture_sizes_are_refused_at_once(tmp_path):
    from zoo.models import priors

    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="components"):
        priors.GaussianMixture(16, 10 ** 9)
    assert time.perf_counter() - t0 < 1
    # the same inside a .keras file: the loader reports it, fast
    folder = tmp_path / "ck"
    shutil.copytree(checkpoints.root() / "ae-mnist", folder)
    import zipfile

    with zipfile.ZipFile(folder / "model.keras") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    cfg = json.loads(parts["config.json"])
    cfg["config"]["prior"]["config"]["n_components"] = 10 ** 9
    parts["config.json"] = json.dumps(cfg).encode()
    os.remove(folder / "model.keras")
    with zipfile.ZipFile(folder / "model.keras", "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    (folder / "card.json").unlink()
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="components"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zoo.load(folder)
    assert time.perf_counter() - t0 < 10


@pytest.mark.parametrize("call, message", [
    (lambda: data.factor_sample("dsprites", 2.7), "n must be a positive integer"),
    (lambda: data.factor_sample("dsprites", "5"), "n must be a positive integer"),
    (lambda: data.factor_sample("dsprites", 0), "n must be a positive integer"),
    (lambda: zoo.create("vae", latent_dim=2.5), "latent_dim must be a positive integer"),
    (lambda: zoo.create("vae", latent_dim=0), "latent_dim must be a positive integer"),
    (lambda: zoo.create("vae", learning_rate=float("nan")), "learning_rate must be a positive number"),
    (lambda: zoo.create("vae", hidden=()), "hidden must list at least one width"),
    (lambda: zoo.load("vae-mnist").sample(4, temperature=1e308), "codes overflow"),
    (lambda: zoo.disentanglement("vae-dsprites", protocol="fast"), "protocol must be a dict"),
    (lambda: evaluation.evaluate(zoo.load("ae-mnist"), "mnist", protocol={"sample": 10}),
     "Unknown protocol settings"),
])
def test_api_arguments_are_checked_and_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_every_format_pillow_reads_is_read_and_what_is_skipped_is_said(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "mixed"
    folder.mkdir()
    for i, suffix in enumerate((".png", ".webp", ".tif", ".bmp")):
        Image.fromarray(rng.integers(0, 256, (40, 30, 3), dtype=np.uint8)).save(folder / f"{i}{suffix}")
    frames = [Image.fromarray(np.full((40, 30), v, np.uint8)) for v in (10, 200)]
    frames[0].save(folder / "moving.gif", save_all=True, append_images=frames[1:])
    (folder / "notes.txt").write_text("not an image")
    logs = []
    x, _ = data.load_images(folder, (28, 28, 1), log=logs.append)
    assert len(x) == 5
    said = " ".join(logs)
    assert "skipped 1 files" in said and "notes.txt" in said
    assert "first frame of animated images" in said and "resized 30x40 -> 28x28 as read" in said


def test_large_images_are_resized_as_they_are_read(tmp_path):
    big = tmp_path / "big.png"
    Image.fromarray(np.zeros((1200, 900, 3), np.uint8)).save(big)
    notes = set()
    assert data.read_image(big, size=(28, 28), notes=notes).shape == (28, 28, 3)
    assert notes == {"resized 900x1200 -> 28x28 as read"}
