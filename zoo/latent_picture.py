"""`zoo.plot_latent`: where a model's codes lie, and where codes drawn from N(0, I) land (plots.latent_map),
with the model's own dataset as the default images."""
from __future__ import annotations

from zoo import data, inputs, loader, plots
from zoo.datasets import DATASETS

TEST_IMAGES = 2000  # codes drawn on the map
FIT_IMAGES = 10000  # training codes the projection of a wider code is fitted on


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
