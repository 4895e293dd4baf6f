"""Public entry points: build, load and describe models."""
from __future__ import annotations

import keras

from zoo import checkpoints, registry


def create(family: str, input_shape=(28, 28, 1), latent_dim=None, learning_rate=1e-3, **kwargs):
    """An untrained model of `family` (e.g. 'vae') for images of `input_shape`, compiled, ready for `fit`.

    `latent_dim` defaults to the family's own (16 for most). No `loss` is compiled in: each family's loss is
    built into the model (`compute_loss`).
    """
    if latent_dim is not None:
        kwargs["latent_dim"] = latent_dim
    model = registry.get_family(family)(input_shape=input_shape, **kwargs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def load(name_or_path: str, revision: str | None = None):
    """A pretrained model by registry name ('vae-mnist'), a .keras file or checkpoint folder, or a Hub repo
    ('hf://owner/repo'); `revision` pins a Hub branch, tag or commit."""
    return checkpoints.load(name_or_path, revision)


def info(name_or_path: str, revision: str | None = None) -> dict:
    """The model's card: recipe, measured metrics, parameter count, sha256 and file paths."""
    return checkpoints.info(name_or_path, revision)


def push_to_hub(model, repo_id: str, **kwargs) -> str:
    """Publish a model (e.g. fine-tuned) to the Hub as a zoo-format repo; returns the commit id."""
    from zoo import hub

    return hub.push_to_hub(model, repo_id, **kwargs)


def finetune(model, data, epochs=5, freeze=None, learning_rate=1e-4, validation_split=0.1, **kwargs):
    """Fine-tune a model (or a name: 'vae-mnist') on your images (folder, arrays, tf.data, TFDS name); returns
    (model, history) and reports the held-out reconstruction error before and after. See zoo.finetuning."""
    from zoo.finetuning import finetune as _finetune

    return _finetune(model, data, epochs=epochs, freeze=freeze, learning_rate=learning_rate,
                     validation_split=validation_split, **kwargs)


def train(family: str, data, input_shape=None, epochs=20, **kwargs):
    """Train a new model of `family` on your images (folder, arrays, ...); returns (model, history) with the
    same held-out report and optional `out_dir` checkpoint as `finetune`. See zoo.finetuning.train_new."""
    from zoo.finetuning import train_new

    return train_new(family, data, input_shape=input_shape, epochs=epochs, **kwargs)


def compare(models, figure=None, **kwargs):
    """Compare models by name: a table of measured metrics (from cards, else computed) and optional PNG."""
    from zoo.comparison import compare as _compare

    return _compare(models, figure=figure, **kwargs)
