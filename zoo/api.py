"""The public entry points (`zoo.load`, `zoo.create`, ...): the front door, which nothing inside the zoo imports.
Each imports its module on first use, so `import zoo` and `zoo list` stay free of Keras."""
from __future__ import annotations

from zoo import registry, runs


def create(family: str, input_shape=(28, 28, 1), latent_dim=None, learning_rate=registry.LEARNING_RATE, **kwargs):
    """An untrained model of `family` for images of `input_shape`, compiled, ready for `fit`.

    Args:
        family: a family name, e.g. "vae" (`zoo list` and the Models pages list them).
        input_shape: (height, width, channels) of the images.
        latent_dim: width of the code; None for the family's default.
        learning_rate: Adam's learning rate for `fit`.
        **kwargs: the family's constructor arguments: `backbone` ("mlp", "conv", "conv4", "resnet",
            "resnet_grid"), `likelihood` ("bernoulli" or "logistic_mixture"), `hidden`, `seed` and its own.

    Returns:
        A compiled `keras.Model` (zoo.models.base.Autoencoder).

    Example:
        `m = zoo.create("vae", input_shape=(32, 32, 3), backbone="resnet", likelihood="logistic_mixture")`
    """
    from zoo import factory

    return factory.create(family, input_shape=input_shape, latent_dim=latent_dim, learning_rate=learning_rate,
                          **kwargs)


def load(name_or_path, revision: str | None = None):
    """A pretrained model, its weights checked against its card's sha256 and loaded in Keras' safe mode.

    Args:
        name_or_path: a registry name ("vae-mnist"), a checkpoint folder or .keras file (a path: "./my-vae"
            or Path("my-vae")), or a Hub repo ("hf://owner/repo").
        revision: a Hub branch, tag or commit to pin (Hub repos only).

    Returns:
        A compiled `keras.Model` with `encode`, `decode`, `reconstruct` and `sample`, named for its card.

    Example:
        `m = zoo.load("vae-mnist"); imgs = m.sample(64, seed=0)`
    """
    from zoo import loader

    return loader.load(name_or_path, revision)


def info(name_or_path, revision: str | None = None) -> dict:
    """The model's card as a dict: recipe, measured metrics, parameter count, sha256 and file paths.

    Args:
        name_or_path: as for `zoo.load`.
        revision: as for `zoo.load`.

    Example:
        `zoo.info("vae-cifar10")["evaluation"]["likelihood"]["iwae_bits_per_dim"]`
    """
    from zoo import loader

    return loader.info(name_or_path, revision)


def push_to_hub(model, repo_id: str, **kwargs) -> str:
    """Publish a model (e.g. fine-tuned) to the Hub as a zoo-format repo: weights, a card naming its parent, a
    Hub README and a sample grid.

    Args:
        model: a zoo model (loaded, fine-tuned or trained).
        repo_id: "owner/name" on the Hub.
        **kwargs: `commit_message`, `private`, `endpoint`, `token` (huggingface_hub's).

    Returns:
        The commit id (the model comes back with zoo.load and the repo's hf address).

    Example:
        `zoo.push_to_hub(m, "me/my-vae")`
    """
    from zoo import export

    return export.push_to_hub(model, repo_id, **kwargs)


def finetune(model, data, epochs=runs.FINETUNE_EPOCHS, freeze=None, learning_rate=None,
             validation_split=runs.VALIDATION_SPLIT, **kwargs):
    """Fine-tune a model on your images, measuring held-out images before and after.

    Args:
        model: a zoo model, or a name or path for `zoo.load` ("vae-cifar10").
        data: your images: a folder (one subfolder per class for labels), image arrays, (images, labels), a
            tf.data dataset or a TFDS name; adapted to the model's input size and channels.
        epochs: passes over the training part.
        freeze: "encoder" or "decoder" to keep that half fixed; None trains all.
        learning_rate: None for the rate measured best for the model (`m.finetune_rate()`).
        validation_split: the share of the images held out and measured before and after.
        **kwargs: `batch_size`, `labels`, `seed`, `out_dir` (write a checkpoint folder), `overwrite`,
            `binarize`, `prior_epochs`, `verbose`, `log` (zoo.own_images.finetune).

    Returns:
        (model, keras History); the model's card holds the held-out numbers.

    Example:
        `m, hist = zoo.finetune("vae-cifar10", "my_photos/", epochs=5, out_dir="my-vae")`
    """
    from zoo import own_images

    return own_images.finetune(model, data, epochs=epochs, freeze=freeze, learning_rate=learning_rate,
                               validation_split=validation_split, **kwargs)


def train(family: str, data, input_shape=None, epochs=registry.OWN_DATA_EPOCHS, **kwargs):
    """Train a new model of `family` on your images, with the same held-out report and checkpoint folder as
    `zoo.finetune`.

    Args:
        family: a family name ("vae").
        data: your images, as for `zoo.finetune`.
        input_shape: (height, width, channels) the images are resized to; None for the first image's size.
        epochs: passes over the training part.
        **kwargs: `latent_dim`, `backbone`, `learning_rate`, `batch_size`, `out_dir`, `distribute` and the
            family's own options (zoo.own_images.train_new).

    Returns:
        (model, keras History).

    Example:
        `m, hist = zoo.train("vae", "my_photos/", input_shape=(32, 32, 3), epochs=20, out_dir="my-model")`
    """
    from zoo import own_images

    return own_images.train_new(family, data, input_shape=input_shape, epochs=epochs, **kwargs)


def data_parallel(enabled: bool = True):
    """A context in which models created with `zoo.create` (and their `fit`) train data-parallel on every visible
    device, with Keras' DataParallel on JAX or tf.distribute on TensorFlow; it yields the device count and this
    process's place. See zoo.distribute."""
    from zoo import distribute

    return distribute.data_parallel(enabled)


def compare(models, figure=None, compute_missing=True, dataset=None, protocol=None, log=None, data=None):
    """Compare models side by side: a table of their measured metrics and, with `figure`, one picture.

    Args:
        models: names, folders, .keras files or hf:// addresses (a str for one).
        figure: a PNG path for the picture (samples, reconstructions and interpolations per model).
        compute_missing: measure now a model whose card holds no measurements.
        dataset: the dataset for models whose card names none.
        protocol: settings for what is measured (zoo.evaluation.PROTOCOL's keys).
        log: a function given progress lines, or None.
        data: your images: every model is measured on them instead (reconstruction MSE; -ELBO for the
            likelihood models).

    Returns:
        A Table, with rows by model (`table["vae-mnist"]["fid"]`), printable, `to_pandas()`, `to_markdown()`.

    Example:
        `zoo.compare(["my-vae", "my-dae"], data="my_photos/", figure="compare.png")`
    """
    from zoo import comparison

    return comparison.compare(models, figure=figure, compute_missing=compute_missing, dataset=dataset,
                              protocol=protocol, log=log, data=data)


def plot_latent(model, images=None, labels=None, path=None, seed=0, train_images=None):
    """The map of a model's latent space: codes of test images coloured by class, codes drawn from N(0, I) as
    red crosses, and what a few crosses decode to; a 2-d code also gets its decoded plane.

    Args:
        model: a zoo model, or a name or path for `zoo.load`.
        images: the images whose codes are drawn; None for its dataset's test images.
        labels: their classes (the colours), or None.
        path: a PNG path to write the picture to.
        seed: seed of the N(0, I) draws.
        train_images: images whose codes fit the PCA of a code wider than 2; None for its dataset's.

    Returns:
        The matplotlib figure.

    Example:
        `zoo.plot_latent("vae_2d-mnist", path="latent.png")`
    """
    from zoo import latent_picture

    return latent_picture.plot_latent(model, images, labels, path=path, seed=seed, train_images=train_images)


def disentanglement(model, dataset: str = "dsprites", protocol=None) -> dict:
    """Score a model for disentanglement on a factor-labelled dataset: BetaVAE and FactorVAE scores, MIG, DCI,
    SAP, modularity and explicitness, as disentanglement_lib defines them.

    Args:
        model: a zoo model, or a name or path for `zoo.load` ("beta_vae-dsprites").
        dataset: "dsprites" or "shapes3d".
        protocol: settings of the scores (zoo.factor_metrics' defaults when None).

    Returns:
        A dict with the "scores" by name, their "details" and the "protocol" used.

    Example:
        `zoo.disentanglement("beta_tcvae-dsprites")["scores"]["mig"]`
    """
    from zoo import factor_metrics, loader

    if isinstance(model, str):
        model = loader.load(model)
    return factor_metrics.score(model, dataset, protocol)


def explore(models=(), port=None, inline=None, block=None):
    """The interactive latent-space explorer: click a latent map to decode that point with every model;
    interpolate, sample, traverse, reconstruct. Needs `pip install "autoencoder-zoo[explore]"`.

    Args:
        models: up to four names, paths or hf:// addresses; empty for ae_2d-mnist beside vae_2d-mnist.
        port: the port on 127.0.0.1; None for a free one.
        inline: show the app in the notebook (default: when run in one).
        block: wait until the app is stopped (default: outside a notebook).

    Returns:
        (app, url).

    Example:
        `zoo.explore(["vae-mnist", "ae-mnist"])`
    """
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
