"""Build models by family name: the families are found by importing `zoo.models`, which registers them all."""
from __future__ import annotations

import keras

import zoo.models  # noqa: F401  (importing registers every family)
from zoo.names import unknown_name_error
from zoo.registry import FAMILIES


def get_family(name: str) -> type:
    """The model class registered as `name` ('vae')."""
    if name not in FAMILIES:
        raise unknown_name_error(name, list(FAMILIES), what="family")
    return FAMILIES[name]


def create(family: str, input_shape=(28, 28, 1), latent_dim=None, learning_rate=1e-3, **kwargs):
    """An untrained model of `family` (e.g. 'vae') for images of `input_shape`, compiled, ready for `fit`.

    `latent_dim` defaults to the family's own (16 for most). No `loss` is compiled in: each family's loss is
    built into the model (`compute_loss`).
    """
    if latent_dim is not None:
        kwargs["latent_dim"] = latent_dim
    model = get_family(family)(input_shape=input_shape, **kwargs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model
