"""The zoo's two tables: model names -> training recipes (filled by `zoo.recipes`) and family names -> model
classes (filled by each family's `@register_family`). Look-ups live above it: `zoo.recipes` (list_models,
get_recipe) and `zoo.factory` (get_family, create), so this module imports nothing of the zoo's."""
from __future__ import annotations

import dataclasses

FAMILIES: dict[str, type] = {}

LEARNING_RATE = 1e-3  # Adam's, wherever the zoo trains and no recipe, measurement or caller says otherwise
# zoo.finetune's default learning rate for models with the logistic-mixture likelihood (photographs): the best of
# 1e-3, 3e-4, 1e-4 and 3e-5 by held-out -ELBO on vae-cifar10 fine-tuned on new photographs, three seeds each
# (scripts/finetune_photos.py); at the grey models' 1e-3 it ended worse than it began.
PHOTO_FINETUNE_RATE = 1e-4
OWN_DATA_EPOCHS = 20  # epochs of `zoo.train(family, data)` (`zoo train FAMILY --data`) when none are given

# The networks and decoder likelihoods a model can be built with, by name: zoo.models.backbones and
# zoo.models.likelihoods build exactly these (they check it on import), and the CLI offers them without
# importing Keras.
BACKBONES = ("mlp", "conv", "conv4", "resnet", "resnet_grid")
LIKELIHOODS = ("bernoulli", "logistic_mixture")


def register_family(name: str):
    """Class decorator: make a model family buildable by name (one line per family file)."""

    def wrap(cls):
        FAMILIES[name] = cls
        cls.family = name
        return cls

    return wrap


@dataclasses.dataclass(frozen=True)
class Recipe:
    """Everything `zoo train NAME` needs to reproduce a checkpoint."""

    name: str
    family: str
    dataset: str
    backbone: str = "mlp"
    latent_dim: int = 16
    epochs: int = 30
    batch_size: int = 128
    learning_rate: float = LEARNING_RATE
    optimizer: str = "adam"
    seed: int = 0
    steps_per_epoch: int | None = None  # a rendered dataset's epoch (it is drawn afresh each step); None: one pass
    options: dict = dataclasses.field(default_factory=dict)  # family-specific constructor kwargs

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


RECIPES: dict[str, Recipe] = {}


def add_recipe(family: str, dataset: str, name: str | None = None, **kw) -> Recipe:
    """Register a shipped model: `family-dataset`, or a named variant beside it (`iwae_d6-mnist`)."""
    recipe = Recipe(name=name or f"{family}-{dataset}", family=family, dataset=dataset, **kw)
    if recipe.name in RECIPES:
        raise ValueError(f"Two recipes are named {recipe.name!r}.")
    RECIPES[recipe.name] = recipe
    return recipe
