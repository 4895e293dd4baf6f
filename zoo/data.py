"""Datasets as uint8 image arrays, read with tensorflow-datasets (honours TFDS_DATA_DIR)."""
from __future__ import annotations

import numpy as np

DATASETS = ("mnist", "fashion_mnist")


def load_split(dataset: str, split: str = "train"):
    """(images uint8 (N, H, W, C), labels int64 (N,)) of a TFDS dataset split, e.g. ('mnist', 'test')."""
    try:
        import tensorflow_datasets as tfds
    except ImportError as e:
        raise ImportError("Reading datasets needs tensorflow-datasets: pip install tensorflow-datasets "
                          f"importlib_resources ({e}).") from None
    try:
        images, labels = tfds.as_numpy(tfds.load(dataset, split=split, batch_size=-1, as_supervised=True))
    except Exception as e:  # not prepared and no network, unknown name, bad split
        raise RuntimeError(
            f"Could not load TFDS dataset {dataset!r} split {split!r}: {type(e).__name__}: {e}\n"
            "Offline? Point TFDS_DATA_DIR at a folder with the prepared dataset "
            "(e.g. TFDS_DATA_DIR=../shared/data/tensorflow_datasets).") from None
    return np.asarray(images), np.asarray(labels)
