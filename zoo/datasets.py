"""The datasets the zoo trains and measures on, one entry each: every module reads this table, so a new dataset
is one `add_dataset(...)` line here (plus its TFDS builder, npz arrays under ZOO_DATA_DIR, or a renderer)."""
from __future__ import annotations

import dataclasses

from zoo.names import unknown_name_error
from zoo.renderers import FactorGrid, dsprites, shapes3d


@dataclasses.dataclass(frozen=True)
class Dataset:
    """What the zoo needs to know of a dataset.

    Args:
        name: the TFDS name, also the second half of model names ('vae-mnist').
        image_shape: (height, width, channels) of its images.
        classes: class names in label order.
        hf_id: its Hugging Face dataset id, for the `datasets:` line of Hub model cards (None: not on the Hub).
        title: how prose names it.
        factors: for a dataset the zoo renders itself, its grid of factors of variation (zoo.renderers):
            images are drawn from it on demand instead of read from disk.
    """

    name: str
    image_shape: tuple
    title: str
    classes: tuple = ()
    hf_id: str | None = None
    factors: FactorGrid | None = None

    @property
    def num_classes(self) -> int:
        return len(self.classes)


DATASETS: dict[str, Dataset] = {}


def add_dataset(**kw) -> Dataset:
    dataset = Dataset(**kw)
    DATASETS[dataset.name] = dataset
    return dataset


def get_dataset(name: str) -> Dataset:
    if name not in DATASETS:
        raise unknown_name_error(name, list(DATASETS), what="dataset")
    return DATASETS[name]


add_dataset(name="mnist", image_shape=(28, 28, 1), classes=tuple(str(d) for d in range(10)),
            hf_id="ylecun/mnist", title="MNIST")
add_dataset(name="fashion_mnist", image_shape=(28, 28, 1),
            classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                     "Ankle boot"),
            hf_id="zalando-datasets/fashion_mnist", title="Fashion-MNIST")
add_dataset(name="dsprites", image_shape=dsprites.GRID.image_shape, title="dSprites (re-rendered)",
            factors=dsprites.GRID)
add_dataset(name="shapes3d", image_shape=shapes3d.GRID.image_shape, title="3dshapes (re-rendered)",
            factors=shapes3d.GRID)
