"""`zoo.plot_latent`: where a model's codes lie, and where codes drawn from N(0, I) land (plots.latent_map),
with the model's own dataset as the default images."""
from __future__ import annotations

import numpy as np

from zoo import data, inputs, loader, plots
from zoo.datasets import DATASETS

TEST_IMAGES = 2000  # codes drawn on the map
FIT_IMAGES = 10000  # training codes the projection of a wider code is fitted on


def _pca_on_images(model, train_images) -> bool:
    """Whether the map's plane is a PCA fitted on the images themselves (a code wider than 2, no training images)."""
    return model.latent_dim != 2 and train_images is None


def plot_latent(model, images=None, labels=None, path=None, seed=0, train_images=None):
    """The map of `model`'s latent space (a name, path or model): codes of `images` (default: its dataset's
    test images, coloured by class or first factor) and codes drawn from N(0, I) as red crosses, with a few
    crosses decoded. Returns the matplotlib figure; writes it as PNG to `path` when given."""
    if isinstance(model, str):
        model = loader.load(model)
    dataset = model.card.dataset if model.card else None
    entry = DATASETS.get(dataset)
    if images is None:
        if entry is None:
            raise ValueError(f"{model.name} has no card naming its dataset: pass images (and labels to colour by).")
        images, labels = data.load_split(dataset, "test")
        images, labels = images[:TEST_IMAGES], labels[:TEST_IMAGES]
        if train_images is None and model.latent_dim != 2 and not entry.rendered:  # rendered: fit on these
            train_images = data.load_split(dataset, "train")
    if model.conditional and labels is None:
        raise ValueError(f"{model.name} is conditional: pass the images' labels too.")
    images = inputs.as_images(images, model.image_shape)
    if _pca_on_images(model, train_images) and len(images) < 2:
        raise ValueError(f"plot_latent draws the codes of at least 2 images in the plane of their first two principal "
                         f"components ({model.name}'s code is {model.latent_dim}-d); got {len(images)}.")
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be {len(images)} whole numbers, one class per image (they colour the "
                             f"points); got {labels.dtype} of shape {labels.shape}.")
    fit_x = fit_y = None
    if train_images is not None:
        fit_x, fit_y = train_images if isinstance(train_images, tuple) else (train_images, None)
        fit_x, fit_y = fit_x[:FIT_IMAGES], None if fit_y is None else fit_y[:FIT_IMAGES]
    factors = entry.factors if entry is not None else None
    label_name = "class" if factors is None else factors.factor_names[0]
    if path is not None:
        from zoo import outputs

        outputs.check_output_file(path)
    return plots.latent_map(model, images, labels, fit_x, fit_y, class_names=entry.classes if entry else (),
                            label_name=label_name, path=path, seed=seed)
