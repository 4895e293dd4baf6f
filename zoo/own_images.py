"""Fine-tune a model on your own images, or train a new one on them, and write a checkpoint folder.

One procedure serves both: read the data (any source `zoo.data.load_images` takes) and adapt it to the
model's input, hold out a share, measure the held-out reconstruction error, fit (optionally with the encoder
or decoder frozen), refit a sampler that was fitted to training codes (the mixture of ae/dae/sae/cae/rae, the
PixelCNN of vqvae) so `sample` draws from the new data, measure again, and record all of it in `model.card`.
"""
from __future__ import annotations

import contextlib
import shlex
import time
from pathlib import Path

import keras
import numpy as np

from zoo import card as card_schema
from zoo import checkpoints, data, factory, loader, metrics, outputs, progress, registry, runs, units, writer
from zoo import distribute as distribute_lib
from zoo.models import precision
from zoo.recipes import photographs


def finetune(model, data_source, epochs=runs.FINETUNE_EPOCHS, freeze=None, learning_rate=None,
             validation_split=runs.VALIDATION_SPLIT, batch_size=None, labels=None, prior_epochs=None, binarize=None,
             seed=0, out_dir=None, verbose="auto", log=print, overwrite=False):
    """Fine-tune `model` (a zoo model, or a name/path for `zoo.load`) on `data_source` (an image folder,
    arrays or (images, labels), a tf.data.Dataset or a TFDS name). Returns (model, keras History).

    The settings are zoo.runs.Finetune's: `learning_rate` and `batch_size` default to the model's
    (`finetune_rate()`, `finetune_batch_size`: chosen by measurement, scripts/finetune_defaults.py and, for
    photo models, scripts/finetune_photos.py).
    `freeze`: "encoder" or "decoder" keeps that network's weights fixed during this fit (None trains all).
    `validation_split` of the images (shuffled with `seed`) is held out: never trained on, and the
    reconstruction error on it before and after is logged and stored in `model.card.metrics` (its `values`
    after, `before` before).
    A sampler fitted to training codes is refitted on the new training images (`prior_epochs` sets the
    vqvae PixelCNN's epochs; default: the model's own). `binarize` (VAE families) turns dynamic binarization of the
    training images on or off; None keeps the model's setting (vae-mnist binarizes). With `out_dir`, a
    checkpoint folder is written there (the format of the shipped ones, card included), loadable with
    `zoo.load(out_dir)`; an existing folder there is replaced only if it is a checkpoint the zoo wrote, unless
    `overwrite=True`. Bad settings, data or output paths fail before anything is trained or written.
    """
    settings = runs.Finetune(epochs=epochs, freeze=freeze, learning_rate=learning_rate, batch_size=batch_size,
                             validation_split=validation_split, prior_epochs=prior_epochs, binarize=binarize,
                             seed=seed)
    data.check_source(data_source)  # before anything is written: no lock, no parent folder for a typo
    out_dir = None if out_dir is None else outputs.output_path(out_dir, "output folder")
    with _claimed(out_dir, overwrite):
        return _finetune(model, data_source, settings, labels, out_dir, verbose, log, overwrite)


def _finetune(model, data_source, settings: runs.Finetune, labels, out_dir, verbose, log, overwrite):
    # what the user loaded it by (a name, a path, an hf:// address), so the reproduce line is a command
    named = str(model) if isinstance(model, (str, Path)) else model.loaded_from
    if isinstance(model, (str, Path)):
        model = loader.load(model)
    parent = model.card
    parent_entry = (card_schema.Parent(parent.name, parent.model_sha256, parent.dataset) if parent
                    else card_schema.Parent(model.name))
    replaced = _what_is_replaced(out_dir, parent_entry, overwrite)
    if settings.binarize is not None:
        if not model.binarizable:
            raise ValueError(f"binarize applies to the VAE families; {model.family} has no dynamic binarization.")
        model.dynamic_binarization = settings.binarize
    if model.dynamic_binarization:
        log(f"{parent_entry.name} trains on dynamically binarized images (pass binarize=False for grey levels)")
    asked = settings.binarize
    settings = settings.replace(  # the family's defaults, resolved: the card records what ran
        learning_rate=settings.learning_rate or model.finetune_rate(),
        batch_size=settings.batch_size or model.finetune_batch_size,
        binarize=model.dynamic_binarization if model.binarizable else None)
    s = settings
    reproduce = _command(f"zoo finetune {shlex.quote(named or parent_entry.name)}", data_source,
                         f" --epochs {s.epochs}" + (f" --freeze {s.freeze}" if s.freeze else "")
                         + f" --learning-rate {s.learning_rate:g} --batch-size {s.batch_size}"
                         + f" --validation-split {s.validation_split:g} --seed {s.seed}"
                         + ("" if asked is None else " --binarize" if asked else " --no-binarize")
                         + _mixed_flag(model))
    return _fit_on_images(model, data_source, settings, labels, out_dir, verbose, log,
                          made={"parent": parent_entry, "lineage": card_schema.Lineage("finetune", settings.to_dict()),
                                "reproduce": reproduce}, overwrite=overwrite, replaces=replaced)


def train_new(family, data_source, input_shape=None, epochs=registry.OWN_DATA_EPOCHS, latent_dim=None, backbone=None,
              learning_rate=registry.LEARNING_RATE, validation_split=runs.VALIDATION_SPLIT,
              batch_size=runs.NEW_MODEL_BATCH, labels=None, seed=0, out_dir=None, verbose="auto", log=print,
              overwrite=False, distribute=False, **options):
    """Train a new model of `family` on your images (as `zoo.create` + fit, with the held-out measurement and
    checkpoint folder of `finetune`). `input_shape` defaults to the images' size (RGB if any is); images of
    several sizes are all resized to the size of the zoo's models of their kind (32x32 colour, 28x28 grey).
    Colour images get the photo models' network and likelihood (the resnet backbone, the logistic mixture,
    a 64-unit code) unless `backbone` or a `likelihood` is given; others the MLP with Bernoulli outputs.
    `distribute=True` trains data-parallel on every visible device (zoo.distribute; one host). The settings
    are zoo.runs.NewModel's."""
    settings = runs.NewModel(family=family, input_shape=input_shape, latent_dim=latent_dim,
                             backbone=backbone or "mlp", options=options, epochs=epochs, learning_rate=learning_rate,
                             batch_size=batch_size, validation_split=validation_split, seed=seed)
    data.check_source(data_source)  # before anything is written: no lock, no parent folder for a typo
    out_dir = None if out_dir is None else outputs.output_path(out_dir, "output folder")
    if input_shape is None:
        shape, how = _shape_of(data_source)
        settings = settings.replace(input_shape=shape)
        log(f"input_shape {shape} ({how}; pass input_shape to choose another)")
    if settings.input_shape[-1] == 3 and backbone is None and "likelihood" not in options:
        grid = factory.get_family(family).discrete_code  # a vqvae's code follows from its grid
        settings = settings.replace(backbone=photographs.SETTINGS["backbone"],
                                    latent_dim=latent_dim or (None if grid else photographs.SETTINGS["latent_dim"]),
                                    options={**photographs.LIKELIHOOD, **options})
        code = "its code grid" if grid else f"a {settings.latent_dim}-unit code"
        log(f"colour images: the photo models' network and likelihood (resnet backbone, a mixture of logistics on "
            f"8-bit colour, {code}); pass backbone or likelihood to choose others")
    with _claimed(out_dir, overwrite), distribute_lib.data_parallel(distribute) as replicas:
        replicas.check_batch(batch_size)
        return _train_new(settings, data_source, labels, out_dir, verbose, log, overwrite)


def _train_new(settings: runs.NewModel, data_source, labels, out_dir, verbose, log, overwrite):
    keras.utils.set_random_seed(settings.seed)
    model = factory.create(settings.family, input_shape=settings.input_shape, latent_dim=settings.latent_dim,
                           backbone=settings.backbone, learning_rate=settings.learning_rate, **settings.options)
    settings = settings.replace(input_shape=tuple(model.image_shape), latent_dim=model.latent_dim)
    s = settings
    shape = "x".join(str(d) for d in model.image_shape)
    likelihood = s.options.get("likelihood")
    reproduce = _command(f"zoo train {s.family}", data_source,
                         f" --input-shape {shape} --epochs {s.epochs} --latent-dim {s.latent_dim} --backbone {s.backbone}"
                         + (f" --likelihood {likelihood}" if likelihood else "") + f" --learning-rate {s.learning_rate:g}"
                         + f" --validation-split {s.validation_split:g} --seed {s.seed}" + _mixed_flag(model))
    return _fit_on_images(model, data_source, settings, labels, out_dir, verbose, log,
                          made={"lineage": card_schema.Lineage("train", settings.to_dict()), "reproduce": reproduce},
                          overwrite=overwrite)


def _mixed_flag(model) -> str:
    """The CLI flag that rebuilds `model` in its precision, for a card's reproduce line."""
    return "" if precision.of(model) == "float32" else " --mixed-precision"


def _fit_on_images(model, data_source, settings: runs.Finetune | runs.NewModel, labels, out_dir, verbose, log, made,
                   overwrite=False, replaces=None):
    """Fit `model` on the images, measure before and after, and give it its card (`made`: the card's lineage,
    parent and reproduce line); write its folder if `out_dir`, saying what it `replaces`."""
    freeze, split, seed = settings.freeze, settings.validation_split, settings.seed
    notes = []
    x, y, classes = data.read_source(data_source, model.image_shape, log=lambda m: (notes.append(m), log(m)))
    y = _labels_for(model, y if labels is None else labels, len(x), log, classes if labels is None else None)
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = int(round(len(x) * split)) if split else 0
    if split and not (1 <= n_val < len(x)):
        raise ValueError(f"validation_split={split} of {len(x)} images leaves no held-out or no training image; "
                         "give more images or another split.")
    val, train = order[:n_val], order[n_val:]
    if len(train) < model.min_prior_images:  # the sampler refitted after training needs this many
        raise ValueError(f"{model.family}'s sampler ({type(model.prior).__name__}) is fitted to the training codes "
                         f"and needs at least {model.min_prior_images} training images; got {len(train)}. Give "
                         "more images (or a smaller validation_split).")
    x_fit, x_val = x[train], (x[val] if n_val else x[train])
    y_fit, y_val = (None, None) if y is None else (y[train], y[val] if n_val else y[train])
    held = "heldout" if n_val else "train"  # what the before/after numbers are measured on

    before = _measure(model, x_val, y_val, seed)
    label, nats = metrics.reconstruction_nll(before)
    nll = units.nll_text(nats, model.image_shape, model.likelihood.name)
    log(f"{held} images ({len(x_val)}): MSE {before['mse']:.5f}, {label} {nll} before")
    trainable = _freeze(model, freeze)
    factory.compile_model(model, settings.learning_rate)
    fit_data = (x_fit, y_fit) if model.conditional else x_fit
    val_data = ((x_val, y_val) if model.conditional else x_val) if n_val else None
    t0 = time.perf_counter()
    try:
        history = model.fit(fit_data, epochs=settings.epochs, batch_size=settings.batch_size, shuffle=True,
                            validation_data=val_data, verbose=progress.fit_verbosity(verbose),
                            callbacks=[keras.callbacks.TerminateOnNaN()])
    finally:  # the freeze holds for this fit only
        for layer, flag in trainable:
            layer.trainable = flag
        factory.compile_model(model, settings.learning_rate)
    writer.check_finite(writer.history_rows(history), model.name, "Try a lower learning_rate.")
    if model.fitted_prior:  # the sampler was fitted to the old codes: fit it to the new ones
        model.fit_prior(x_fit, seed=seed, epochs=settings.prior_epochs, verbose=verbose)
        log(f"refitted the sampler ({type(model.prior).__name__}) on {len(x_fit)} training images")
    fit_s = time.perf_counter() - t0
    after = _measure(model, x_val, y_val, seed)
    label, nats = metrics.reconstruction_nll(after)
    nll = units.nll_text(nats, model.image_shape, model.likelihood.name)
    log(f"{held} images ({len(x_val)}): MSE {after['mse']:.5f}, {label} {nll} after "
        f"{settings.epochs} epochs")

    parent = made.get("parent")
    name = Path(out_dir).name if out_dir else f"{parent.name}-finetuned" if parent else f"{model.family}-custom"
    model.card = writer.model_card(
        model, name, None, **made,
        data=card_schema.DataRecord(
            source=_describe(data_source), images=int(len(x)), train_images=int(len(x_fit)),
            heldout_images=int(len(x_val)) if n_val else None, adapted=notes, labelled=y is not None,
            classes=classes if classes and y is not None else None),
        metrics=card_schema.Metrics(
            on=held, images=int(len(x_val)), values=after, before=before,
            note=f"reconstruction of the {len(x_val)} {held} images; sample_mean_rms is the RMS distance between "
                 "the mean of 1000 samples and the mean of these images"),
        training=card_schema.Training(epochs=settings.epochs, precision=precision.of(model),
                                      wall_time_s=round(fit_s, 1),
                                      final_epoch={k: round(float(v[-1]), 4) for k, v in history.history.items()}))
    if out_dir is not None:
        with outputs.claim(out_dir, overwrite):  # a no-op re-check when the caller already holds it
            model.card = writer.write_checkpoint(out_dir, model, model.card, writer.history_rows(history),
                                                 (x_val, y_val), readme=True, overwrite=overwrite)
        log(f"{'replaced ' + replaces if replaces else 'wrote ' + str(out_dir)} (load it with "
            f"zoo.load({str(out_dir)!r}))")
    model.loaded_from = str(out_dir) if out_dir is not None else None  # its weights are no longer what it loaded
    return model, history


def _what_is_replaced(out_dir, parent: card_schema.Parent, overwrite) -> str | None:
    """What a fine-tune into `out_dir` replaces, said before any work: None when nothing is there; an earlier
    fine-tune of the same model is replaced (and the message says so); a checkpoint of another model only with
    `overwrite`, since the name would then mean something else."""
    if out_dir is None:
        return None
    try:
        there = checkpoints.read_card(out_dir) if out_dir.is_dir() else None
    except ValueError:
        return None  # a damaged card: outputs.claim has already said whether it may be replaced
    if there is None:
        return None
    was = there.parent.name if there.parent else None
    if was != parent.name and not overwrite:
        raise FileExistsError(f"{out_dir} holds {there.name}, " + (f"a fine-tune of {was}" if was else "not a fine-tune")
                              + f", and this run fine-tunes {parent.name}; pass --overwrite (overwrite=True) to "
                              "replace it, or choose another output folder. Nothing was written.")
    return f"{out_dir} (it held {there.name}, " + (f"a fine-tune of {was})" if was else "another model)")


def _claimed(out_dir, overwrite):
    """The lock on `out_dir` for the whole run (checked: not a shipped checkpoint, replaceable, not in use), or
    nothing without one."""
    if out_dir is None:
        return contextlib.nullcontext()
    checkpoints.check_not_shipped(out_dir)
    return outputs.claim(out_dir, overwrite)


def _measure(model, x, y, seed) -> dict:
    """Reconstruction error on x, and how far the mean of the model's samples is from x's mean image."""
    out = metrics.reconstruction(model, x, y)
    try:
        samples = model.sample(1000, seed=seed)
        out["sample_mean_rms"] = float(np.sqrt(np.mean((samples.mean(0) - x.mean(0)) ** 2)))
    except RuntimeError:  # a fitted sampler not fitted yet (a new model before training)
        out["sample_mean_rms"] = None
    return out


def _labels_for(model, y, n, log, classes=None):
    """Checked labels for a conditional model (folder classes give it their names); None for the others."""
    if model.conditional:
        if y is None:
            raise ValueError(f"{model.name} is conditional ({model.family}) and needs class labels: use a folder "
                             "with one subfolder per class, (images, labels) arrays, or labels=.")
        y = np.asarray(y)
        if y.ndim == 0 or len(y) != n:
            raise ValueError(f"Got {y.size} labels for {n} images.")
        if classes and not all(c.isdigit() for c in classes):  # named folders: their sorted order is the label
            if len(classes) > model.num_classes:
                raise ValueError(f"{len(classes)} class folders but {model.name} has {model.num_classes} classes.")
            names = sorted(classes, key=classes.get)
            model.class_names = names + [str(i) for i in range(len(names), model.num_classes)]
            log(f"class folders -> labels: {classes}")
        model.one_hot_labels(y, n)  # checks the range, with a clear message
        return y
    if y is not None:
        log(f"labels ignored: {model.family} is not conditional")
    return None


def _freeze(model, freeze):
    """Set the frozen part untrainable; returns [(layer, its previous flag)] to restore."""
    if freeze is None:
        return []
    parts = model.frozen_parts(freeze)
    saved = [(layer, layer.trainable) for layer in parts]
    for layer in parts:
        layer.trainable = False
    return saved


def _command(head: str, source, flags: str) -> str:
    """A card's reproduce line: the command with its data; images given in memory (an array, a tf.data.Dataset)
    have no command-line form, so the line says to save them as a folder of image files first."""
    if isinstance(source, (str, Path)):
        return f"{head} --data {shlex.quote(str(source))}{flags}"
    return f"{head} --data <{_describe(source)}, saved as a folder of PNG files>{flags}"


def _describe(source) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    if isinstance(source, tuple):
        return f"arrays {np.shape(source[0])} with labels"
    if hasattr(source, "element_spec"):
        return "a tf.data.Dataset"
    return f"an array {np.shape(source)}"


MIXED_SIZES = {3: (32, 32, 3), 1: (28, 28, 1)}  # what images of several sizes become: the zoo's models' sizes


def _shape_of(source) -> tuple[tuple, str]:
    """((H, W, C), how it was chosen) for a folder or array: the images' size, or for a folder of several sizes
    the size of the zoo's models of that kind (MIXED_SIZES); C is 3 if any image is colour."""
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        images, _, _ = data.read_folder(source, log=lambda _: None)
        colour = any(np.ndim(a) == 3 and a.shape[-1] in (3, 4) for a in images)
        sizes = sorted({tuple(int(s) for s in a.shape[:2]) for a in images})
        if len(sizes) > 1:
            shape = MIXED_SIZES[3 if colour else 1]
            shown = ", ".join(f"{h}x{w}" for h, w in sizes[:3]) + (", ..." if len(sizes) > 3 else "")
            return shape, f"the images come in {len(sizes)} sizes ({shown}): all are resized to the zoo's size"
        h, w = sizes[0]
        return (h, w, 3 if colour else 1), "the images' size"
    arr = source[0] if isinstance(source, tuple) else source
    shape = np.shape(arr) if isinstance(arr, np.ndarray) else ()
    if len(shape) not in (3, 4):
        raise ValueError("Pass input_shape=(height, width, channels): it is read from a folder of images or an "
                         f"array (N, H, W[, C]) only; got {_describe(source)}.")
    return (int(shape[1]), int(shape[2]), 3 if len(shape) == 4 and shape[3] in (3, 4) else 1), "the images' size"
