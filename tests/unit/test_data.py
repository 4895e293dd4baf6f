"""Your own data: folders, arrays and tf.data datasets adapted to a model's input."""
import numpy as np
import pytest
from PIL import Image

from zoo import data

pytestmark = pytest.mark.backend_agnostic  # file, CLI and data logic: the backend runs skip it


def write_folder(root, classes=("cats", "dogs"), n=3, size=(32, 32), mode="RGB"):
    rng = np.random.default_rng(0)
    for c in classes:
        (root / c).mkdir(parents=True)
        for i in range(n):
            shape = (*size, 3) if mode == "RGB" else size
            Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(root / c / f"{i}.png")
    return root


def test_class_folders_are_read_resized_and_greyed(tmp_path):
    logs = []
    import zoo

    x, y = zoo.data.load_images(write_folder(tmp_path / "imgs"), (28, 28, 1), log=logs.append)
    assert x.shape == (6, 28, 28, 1) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1])  # sorted class folders, like keras' reader
    assert "resized 32x32 -> 28x28" in " ".join(logs) and "grayscale" in " ".join(logs)


def test_flat_folder_is_unlabelled_and_mixed_sizes_adapt(tmp_path):
    rng = np.random.default_rng(1)
    (tmp_path / "f").mkdir()
    Image.fromarray(rng.integers(0, 256, (40, 30), dtype=np.uint8), "L").save(tmp_path / "f" / "a.png")
    Image.fromarray(rng.integers(0, 256, (28, 28, 3), dtype=np.uint8), "RGB").save(tmp_path / "f" / "b.jpg")
    (tmp_path / "f" / "notes.txt").write_text("not an image")
    x, y = data.load_images(tmp_path / "f", (28, 28, 1), log=lambda *a: None)
    assert x.shape == (2, 28, 28, 1) and y is None
    rgb, _ = data.load_images(tmp_path / "f", (16, 16, 3), log=lambda *a: None)
    assert rgb.shape == (2, 16, 16, 3)


def test_bad_folders_name_the_problem(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No image files"):
        data.load_images(tmp_path / "empty", (28, 28, 1))
    bad = write_folder(tmp_path / "bad", classes=("a",), n=1)
    (bad / "a" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(ValueError, match="broken.png"):
        data.load_images(bad, (28, 28, 1))
    with pytest.raises(ValueError, match="not a folder of images"):
        data.load_images(tmp_path / "missing" / "x.png", (28, 28, 1))


def test_arrays_and_tf_datasets(tmp_path):
    import tensorflow as tf

    imgs = np.random.default_rng(0).integers(0, 256, (10, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(10) % 2
    x, y = data.load_images((imgs, labels), (28, 28, 1), log=lambda *a: None)
    assert x.shape == (10, 28, 28, 1) and list(y) == list(labels)
    ds = tf.data.Dataset.from_tensor_slices((imgs, labels)).batch(4)
    xd, yd = data.load_images(ds, (28, 28, 1), log=lambda *a: None)
    np.testing.assert_allclose(xd, x, atol=1e-6)
    np.testing.assert_array_equal(yd, labels)
    unbatched, none = data.load_images(tf.data.Dataset.from_tensor_slices(imgs), (28, 28, 1), log=lambda *a: None)
    assert unbatched.shape == (10, 28, 28, 1) and none is None
    with pytest.raises(ValueError, match=r"floats must be in \[0, 1\]"):
        data.adapt_images(np.full((2, 28, 28), 3.0), (28, 28, 1))
    with pytest.raises(ValueError, match="NaN"):
        data.adapt_images(np.full((2, 28, 28), np.nan), (28, 28, 1))
    with pytest.raises(ValueError, match="expected"):
        data.adapt_images(np.zeros((2, 28, 28, 5)), (28, 28, 1))


# ---- a dataset as a folder tree of image files under ZOO_DATA_DIR (how CIFAR-10's JPEG copy is read) ----
def write_tree(root, classes=("cat", "dog"), n=(3, 2)):
    """root/train/<class>/ and root/test/<class>/ with n[0] and n[1] random 8x8 colour PNGs per class."""
    for split, count in zip(("train", "test"), n, strict=True):
        write_folder(root / split, classes, count, size=(8, 8))
    return root


def test_a_split_tree_under_zoo_data_dir_is_read_labelled_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ZOO_CACHE_DIR", str(tmp_path / "cache"))
    tree = write_tree(tmp_path / "data" / "pets")
    assert data.local_copy("pets") == tree
    x, y = data.load_split("pets", "train")
    assert x.shape == (6, 8, 8, 3) and x.dtype == np.uint8 and sorted(y) == [0, 0, 0, 1, 1, 1]
    files = [tree / "train" / c / f"{i}.png" for c in ("cat", "dog") for i in range(3)]  # in sorted order
    order = np.random.default_rng(0).permutation(6)  # the split comes in a fixed shuffled order, as TFDS's do
    for image, label, k in zip(x, y, order, strict=True):
        assert np.array_equal(image, np.asarray(Image.open(files[k]))) and label == k // 3
    assert data.load_split("pets", "test")[0].shape == (4, 8, 8, 3)
    cached = sorted((tmp_path / "cache").iterdir())
    assert len(cached) == 2  # one decoded array file per split
    # read from the cache, not the files: a changed file (new size or time) is a new cache entry
    x_again, _ = data.load_split("pets", "train")
    assert np.array_equal(x, x_again) and len(list((tmp_path / "cache").iterdir())) == 2
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tree / "train" / "cat" / "0.png")
    first = int(np.flatnonzero(np.random.default_rng(0).permutation(6) == 0)[0])  # where cat/0.png lands
    assert data.load_split("pets", "train")[0][first].max() == 0


def test_a_registered_dataset_keeps_its_class_order_and_names_its_copy(tmp_path, monkeypatch):
    from zoo.datasets import DATASETS

    monkeypatch.setenv("ZOO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ZOO_CACHE_DIR", str(tmp_path / ".cache"))
    classes = DATASETS["cifar10"].classes
    tree = write_tree(tmp_path / "cifar10", classes=tuple(reversed(classes)), n=(1, 1))
    _, y = data.load_split("cifar10", "test")
    order = np.random.default_rng(0).permutation(10)
    assert list(y) == list(order)  # one image per class, labelled in the dataset's class order
    digest = data.folder_sha256(tree)
    assert data.source("cifar10") == {"source": "folder tree", "sha256": digest}  # not a known copy
    known = {"cifar10": DATASETS["cifar10"]}
    monkeypatch.setitem(known["cifar10"].copies, digest, "a test copy")
    assert data.source("cifar10")["copy"] == "a test copy"
    (tree / "train" / "horse").rename(tree / "train" / "pony")
    with pytest.raises(ValueError, match="not this dataset's classes"):
        data.load_split("cifar10", "train")


def test_bad_split_trees_name_the_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_CACHE_DIR", str(tmp_path / "cache"))
    tree = write_tree(tmp_path / "t")
    Image.fromarray(np.zeros((9, 9, 3), np.uint8)).save(tree / "test" / "dog" / "odd.png")
    with pytest.raises(ValueError, match="differ in size"):
        data.folder_split(tree, "test")
    with pytest.raises(ValueError, match="no 'validation' split folder"):
        data.folder_split(tree, "validation")


def test_zoo_data_dir_without_the_dataset_falls_back_to_tfds(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_DATA_DIR", str(tmp_path))
    assert data.local_copy("mnist") is None
    assert data.source("mnist") == {"source": "tensorflow-datasets"}


@pytest.mark.parametrize("how", ["flag", "unreachable"])
def test_a_dataset_neither_here_nor_downloadable_is_refused_at_once_writing_nothing(tmp_path, monkeypatch, capsys, how):
    """CIFAR-10 with no copy and no network: one message within seconds saying what to do (the ZOO_DATA_DIR
    layout and the commands), no download attempted, nothing written into the user's data folders."""
    import socket
    import time

    from zoo import cli

    tfds_dir = tmp_path / "tfds"
    tfds_dir.mkdir()
    monkeypatch.setenv("TFDS_DATA_DIR", str(tfds_dir))
    monkeypatch.delenv("ZOO_DATA_DIR", raising=False)
    for flag in data.OFFLINE_FLAGS:
        monkeypatch.delenv(flag, raising=False)
    if how == "flag":
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    else:
        def refuse(address, *args, **kwargs):
            raise OSError(101, "Network is unreachable")

        monkeypatch.setattr(socket, "create_connection", refuse)
    start = time.monotonic()
    with pytest.raises(data.DatasetUnavailable) as e:
        data.load_split("cifar10", "test")
    assert time.monotonic() - start < 30
    message = str(e.value)
    assert "ZOO_DATA_DIR" in message and "cifar10/train/<class>/" in message and "tar xzf" in message
    assert ("HF_HUB_OFFLINE is set" if how == "flag" else "cannot be reached") in message
    assert "shared" not in message
    assert list(tfds_dir.iterdir()) == []  # no incomplete.* or downloads/ folders
    assert cli.main(["reconstruct", "vae-cifar10", "-o", str(tmp_path / "r.png")]) == 2  # one line, exit 2
    err = capsys.readouterr().err
    assert "cannot be downloaded" in err and "Traceback" not in err
