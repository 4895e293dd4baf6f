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
    assert "resized 32x32 -> 28x28" in logs[0] and "grayscale" in logs[0]


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
