"""The public entry points (`zoo.load`, `zoo.create`, ...): the front door, which nothing inside the zoo imports.
Each imports its module on first use, so `import zoo` and `zoo list` stay free of Keras."""
from __future__ import annotations

from zoo import registry, runs


def create(family: str, input_shape=(28, 28, 1), latent_dim=None, learning_rate=registry.LEARNING_RATE, **kwargs):
    """An untrained model of `family` (e.g. 'vae') for images of `input_shape`, compiled, ready for `fit`.
    See zoo.factory.create."""
    from zoo import factory

    return factory.create(family, input_shape=input_shape, latent_dim=latent_dim, learning_rate=learning_rate,
                          **kwargs)


def load(name_or_path, revision: str | None = None):
    """A pretrained model by registry name ('vae-mnist'), a .keras file or checkpoint folder (a path: './my-vae'
    or Path('my-vae')), or a Hub repo ('hf://owner/repo'); `revision` pins a Hub branch, tag or commit."""
    from zoo import loader

    return loader.load(name_or_path, revision)


def info(name_or_path, revision: str | None = None) -> dict:
    """The model's card: recipe, measured metrics, parameter count, sha256 and file paths."""
    from zoo import loader

    return loader.info(name_or_path, revision)


def push_to_hub(model, repo_id: str, **kwargs) -> str:
    """Publish a model (e.g. fine-tuned) to the Hub as a zoo-format repo; returns the commit id."""
    from zoo import export

    return export.push_to_hub(model, repo_id, **kwargs)


def finetune(model, data, epochs=runs.FINETUNE_EPOCHS, freeze=None, learning_rate=None,
             validation_split=runs.VALIDATION_SPLIT, **kwargs):
    """Fine-tune a model (or a name: 'vae-mnist') on your images (folder, arrays, tf.data, TFDS name); returns
    (model, history) and reports the held-out reconstruction error before and after. The learning rate and
    batch size default to the family's, chosen by measurement. See zoo.own_images."""
    from zoo import own_images

    return own_images.finetune(model, data, epochs=epochs, freeze=freeze, learning_rate=learning_rate,
                               validation_split=validation_split, **kwargs)


def train(family: str, data, input_shape=None, epochs=registry.OWN_DATA_EPOCHS, **kwargs):
    """Train a new model of `family` on your images (folder, arrays, ...); returns (model, history) with the
    same held-out report and optional `out_dir` checkpoint as `finetune`. See zoo.own_images.train_new."""
    from zoo import own_images

    return own_images.train_new(family, data, input_shape=input_shape, epochs=epochs, **kwargs)


def data_parallel(enabled: bool = True):
    """A context in which models created with `zoo.create` (and their `fit`) train data-parallel on every visible
    device, with Keras' DataParallel on JAX or tf.distribute on TensorFlow; it yields the device count and this
    process's place. See zoo.distribute."""
    from zoo import distribute

    return distribute.data_parallel(enabled)


def compare(models, figure=None, compute_missing=True, dataset=None, protocol=None, log=None, data=None):
    """Compare models side by side: a table of their measured metrics (from their cards, else measured now, or
    measured on your images, `data`) and, with `figure`, one picture. Example:
    `zoo.compare(["my-vae", "my-dae"], data="my_photos/", figure="compare.png")`. The arguments are
    zoo.comparison.compare's."""
    from zoo import comparison

    return comparison.compare(models, figure=figure, compute_missing=compute_missing, dataset=dataset,
                              protocol=protocol, log=log, data=data)


def plot_latent(model, images=None, labels=None, path=None, seed=0, train_images=None):
    """The map of a model's latent space: codes of test images (its dataset's by default) coloured by class,
    codes drawn from N(0, I) as red crosses, and what a few crosses decode to; a 2-d code also gets its decoded
    plane. Returns the matplotlib figure, written as PNG to `path` when given. See zoo.latent_picture."""
    from zoo import latent_picture

    return latent_picture.plot_latent(model, images, labels, path=path, seed=seed, train_images=train_images)


def disentanglement(model, dataset: str = "dsprites", protocol=None) -> dict:
    """Score a model (or a name: 'beta_vae-dsprites') for disentanglement on a factor-labelled dataset
    ('dsprites', 'shapes3d'): BetaVAE and FactorVAE scores, MIG, DCI, SAP, modularity and explicitness, as
    disentanglement_lib defines them. Returns {"scores": {...}, "details": ..., "protocol": ...}. See
    zoo.factor_metrics."""
    from zoo import factor_metrics, loader

    if isinstance(model, str):
        model = loader.load(model)
    return factor_metrics.score(model, dataset, protocol)


def explore(models=(), port=None, inline=None, block=None):
    """The interactive latent-space explorer for `models` (default: ae_2d-mnist beside vae_2d-mnist): click a
    latent map to decode that point with every model; interpolate, sample, traverse, reconstruct. Starts a
    Gradio app on 127.0.0.1 and returns (app, url); in a notebook it shows inline and returns at once. Needs
    `pip install "autoencoder-zoo[explore]"`. See zoo.explore."""
    from zoo import explorer

    in_notebook = _in_notebook()
    return explorer.launch(models or explorer.DEFAULT_MODELS, port=port,
                           inline=in_notebook if inline is None else inline,
                           block=(not in_notebook) if block is None else block)


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
