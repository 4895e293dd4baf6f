"""Fine-tune a model on your own images, or train a new one on them, and write a checkpoint folder.

One procedure serves both: read the data (any source `zoo.data.load_images` takes) and adapt it to the
model's input, hold out a share, measure the held-out reconstruction error, fit (optionally with the encoder
or decoder frozen), refit a sampler that was fitted to training codes (the mixture of ae/dae/sae/cae/rae, the
PixelCNN of vqvae) so `sample` draws from the new data, measure again, and record all of it in `model.card`.
"""
from __future__ import annotations

import datetime
import inspect
import shutil
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from zoo import checkpoints, data, metrics, plots, training

FREEZE = (None, "encoder", "decoder")


def finetune(model, data_source, epochs=5, freeze=None, learning_rate=1e-4, validation_split=0.1,
             batch_size=128, labels=None, prior_epochs=None, binarize=None, seed=0, out_dir=None, verbose="auto",
             log=print):
    """Fine-tune `model` (a zoo model, or a name/path for `zoo.load`) on `data_source` (an image folder,
    arrays or (images, labels), a tf.data.Dataset or a TFDS name). Returns (model, keras History).

    `freeze`: "encoder" or "decoder" keeps that network's weights fixed during this fit (None trains all).
    `validation_split` of the images (shuffled with `seed`) is held out: never trained on, and the
    reconstruction error on it before and after is logged and stored in `model.card["metrics"]["heldout"]`.
    A sampler fitted to training codes is refitted on the new training images (`prior_epochs` sets the
    vqvae PixelCNN's epochs; default its recipe's). `binarize` (VAE families) turns dynamic binarization of the
    training images on or off; None keeps the model's setting (vae-mnist binarizes). With `out_dir`, a
    checkpoint folder is written there (the format of the shipped ones, card included), loadable with
    `zoo.load(out_dir)`.
    """
    if isinstance(model, (str, Path)):
        from zoo.api import load

        model = load(model)
    parent = getattr(model, "card", None) or {}
    parent_entry = {"name": parent.get("name") or model.name, "dataset": parent.get("dataset"),
                    "sha256": parent.get("files", {}).get(checkpoints.MODEL_FILE, {}).get("sha256")}
    recipe = {"epochs": epochs, "freeze": freeze, "learning_rate": learning_rate, "batch_size": batch_size,
              "validation_split": validation_split, "prior_epochs": prior_epochs, "binarize": binarize, "seed": seed}
    _check(recipe, out_dir)
    if binarize is not None:
        if not hasattr(model, "dynamic_binarization"):
            raise ValueError(f"binarize applies to the VAE families; {model.family} has no dynamic binarization.")
        model.dynamic_binarization = bool(binarize)
    if getattr(model, "dynamic_binarization", False):
        log(f"{parent_entry['name']} trains on dynamically binarized images (pass binarize=False for grey levels)")
    recipe["binarize"] = getattr(model, "dynamic_binarization", None)
    reproduce = (f"zoo finetune {parent_entry['name']} --data {_describe(data_source)} --epochs {epochs}"
                 + (f" --freeze {freeze}" if freeze else "") + f" --learning-rate {learning_rate:g}"
                 + f" --validation-split {validation_split:g}" + (f" --seed {seed}" if seed else "")
                 + ("" if binarize is None else " --binarize" if binarize else " --no-binarize"))
    return _fit_on_images(model, data_source, recipe, labels, out_dir, verbose, log,
                          card={"parent": parent_entry, "finetune": recipe, "reproduce": reproduce})


def train_new(family, data_source, input_shape=None, epochs=20, latent_dim=None, backbone="mlp",
              learning_rate=1e-3, validation_split=0.1, batch_size=128, labels=None, seed=0, out_dir=None,
              verbose="auto", log=print, **options):
    """Train a new model of `family` on your images (as `zoo.create` + fit, with the held-out measurement and
    checkpoint folder of `finetune`). `input_shape` defaults to the first image's size (RGB if any is)."""
    from zoo.api import create

    _check({"freeze": None, "epochs": epochs, "validation_split": validation_split, "learning_rate": learning_rate},
           out_dir)
    if input_shape is None:
        input_shape = _shape_of(data_source)
        log(f"input_shape {input_shape} (from the data; pass input_shape to choose another)")
    keras.utils.set_random_seed(seed)
    model = create(family, input_shape=input_shape, latent_dim=latent_dim, backbone=backbone,
                   learning_rate=learning_rate, **options)
    recipe = {"family": family, "input_shape": list(model.image_shape), "latent_dim": model.latent_dim,
              "backbone": backbone, "options": options, "epochs": epochs, "freeze": None,
              "learning_rate": learning_rate, "batch_size": batch_size, "validation_split": validation_split,
              "prior_epochs": None, "seed": seed}
    shape = "x".join(str(s) for s in model.image_shape)
    reproduce = (f"zoo train {family} --data {_describe(data_source)} --input-shape {shape} --epochs {epochs}"
                 f" --latent-dim {model.latent_dim} --backbone {backbone} --learning-rate {learning_rate:g}")
    return _fit_on_images(model, data_source, recipe, labels, out_dir, verbose, log,
                          card={"parent": None, "train": recipe, "reproduce": reproduce})


def _fit_on_images(model, data_source, recipe, labels, out_dir, verbose, log, card):
    freeze, split, seed = recipe["freeze"], recipe["validation_split"], recipe["seed"]
    notes = []
    x, y = data.load_images(data_source, model.image_shape, log=lambda m: (notes.append(m), log(m)))
    y = _labels_for(model, y if labels is None else np.asarray(labels), len(x), log)
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = int(round(len(x) * split)) if split else 0
    if split and not (1 <= n_val < len(x)):
        raise ValueError(f"validation_split={split} of {len(x)} images leaves no held-out or no training image; "
                         "give more images or another split.")
    val, train = order[:n_val], order[n_val:]
    x_fit, x_val = x[train], (x[val] if n_val else x[train])
    y_fit, y_val = (None, None) if y is None else (y[train], y[val] if n_val else y[train])
    held = "heldout" if n_val else "train"  # what the before/after numbers are measured on

    before = _measure(model, x_val, y_val, seed)
    log(f"{held} images ({len(x_val)}): MSE {before['mse']:.5f}, BCE {before['bce_nats']:.2f} nats before")
    trainable = _freeze(model, freeze)
    model.compile(optimizer=keras.optimizers.Adam(recipe["learning_rate"]))
    fit_data = (x_fit, y_fit) if model.conditional else x_fit
    val_data = ((x_val, y_val) if model.conditional else x_val) if n_val else None
    t0 = time.perf_counter()
    try:
        history = model.fit(fit_data, epochs=recipe["epochs"], batch_size=recipe["batch_size"], shuffle=True,
                            validation_data=val_data, verbose=verbose,
                            callbacks=[keras.callbacks.TerminateOnNaN()])
    finally:  # the freeze holds for this fit only
        for layer, flag in trainable:
            layer.trainable = flag
        model.compile(optimizer=keras.optimizers.Adam(recipe["learning_rate"]))
    if not np.all(np.isfinite(history.history.get("loss", [0.0]))):
        raise RuntimeError("The loss became NaN or inf; try a lower learning_rate. Nothing was written.")
    if model.fitted_prior:  # the sampler was fitted to the old codes: fit it to the new ones
        takes_epochs = "epochs" in inspect.signature(model.fit_prior).parameters  # a trained prior (vqvae)
        kw = {"epochs": recipe["prior_epochs"]} if recipe["prior_epochs"] and takes_epochs else {}
        model.fit_prior(x_fit, seed=seed, **kw)
        log(f"refitted the sampler ({type(model.prior).__name__}) on {len(x_fit)} training images")
    fit_s = time.perf_counter() - t0
    after = _measure(model, x_val, y_val, seed)
    log(f"{held} images ({len(x_val)}): MSE {after['mse']:.5f}, BCE {after['bce_nats']:.2f} nats after "
        f"{recipe['epochs']} epochs")

    model.card = {
        "name": Path(out_dir).name if out_dir else f"{card['parent']['name']}-finetuned" if card["parent"]
        else f"{model.family}-custom",
        "family": model.family, "dataset": None,
        "data": {"source": _describe(data_source), "images": int(len(x)), "train_images": int(len(x_fit)),
                 f"{held}_images": int(len(x_val)), "adapted": notes, "labelled": y is not None},
        **card,
        "model_config": model.get_config(), "params": int(model.count_params()),
        "likelihood": "Bernoulli on pixel intensities (losses in nats per image)",
        "metrics": {held: {"before": before, "after": after,
                           "note": f"reconstruction of the {len(x_val)} {held} images; sample_mean_rms is the "
                                   "RMS distance between the mean of 1000 samples and the mean of these images"}},
        "training": {"epochs": recipe["epochs"], "wall_time_s": round(fit_s, 1),
                     "final_epoch": {k: round(float(v[-1]), 4) for k, v in history.history.items()}},
        "hardware": training.hardware(), "code_version": training.code_version(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    if out_dir is not None:
        write_checkpoint(model, out_dir, history, x_val, y_val)
        log(f"wrote {out_dir} (load it with zoo.load({str(out_dir)!r}))")
    return model, history


def _check(recipe, out_dir):
    """Refuse bad settings before anything is read or trained."""
    if recipe["freeze"] not in FREEZE:
        raise ValueError(f"freeze must be one of {FREEZE}; got {recipe['freeze']!r}.")
    if not (isinstance(recipe["epochs"], int) and recipe["epochs"] >= 1):
        raise ValueError(f"epochs must be a positive integer; got {recipe['epochs']!r}.")
    if not (0 <= recipe["validation_split"] < 1):
        raise ValueError(f"validation_split must be in [0, 1); got {recipe['validation_split']!r}.")
    if not (recipe["learning_rate"] > 0):
        raise ValueError(f"learning_rate must be positive; got {recipe['learning_rate']!r}.")
    if out_dir is not None:
        _check_out_dir(Path(out_dir))


def _measure(model, x, y, seed) -> dict:
    """Reconstruction error on x, and how far the mean of the model's samples is from x's mean image."""
    out = metrics.reconstruction(model, x, y)
    try:
        samples = model.sample(1000, seed=seed)
        out["sample_mean_rms"] = float(np.sqrt(np.mean((samples.mean(0) - x.mean(0)) ** 2)))
    except RuntimeError:  # a fitted sampler not fitted yet (a new model before training)
        out["sample_mean_rms"] = None
    return out


def _labels_for(model, y, n, log):
    if model.conditional:
        if y is None:
            raise ValueError(f"{model.name} is conditional ({model.family}) and needs class labels: use a folder "
                             "with one subfolder per class, (images, labels) arrays, or labels=.")
        if len(y) != n:
            raise ValueError(f"Got {len(y)} labels for {n} images.")
        model.one_hot_labels(y, n)  # checks the range, with a clear message
        return y
    if y is not None:
        log(f"labels ignored: {model.family} is not conditional")
    return None


def _freeze(model, freeze):
    """Set the frozen part untrainable; returns [(layer, its previous flag)] to restore."""
    if freeze is None:
        return []
    parts = [model.encoder] + ([model.label_shift] if hasattr(model, "label_shift") else [])
    parts = parts if freeze == "encoder" else [model.decoder]
    saved = [(layer, layer.trainable) for layer in parts]
    for layer in parts:
        layer.trainable = False
    return saved


def _describe(source) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    if isinstance(source, tuple):
        return f"arrays {np.shape(source[0])} with labels"
    if hasattr(source, "element_spec"):
        return "a tf.data.Dataset"
    return f"an array {np.shape(source)}"


def _shape_of(source) -> tuple:
    """(H, W, C) of the first image of a folder or array; C is 3 if the images are colour."""
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        images, _, _ = data.read_folder(source)
        colour = any(np.ndim(a) == 3 and a.shape[-1] in (3, 4) for a in images)
        h, w = images[0].shape[:2]
        return (int(h), int(w), 3 if colour else 1)
    arr = source[0] if isinstance(source, tuple) else source
    shape = np.shape(arr) if isinstance(arr, np.ndarray) else ()
    if len(shape) not in (3, 4):
        raise ValueError("Pass input_shape=(height, width, channels): it is read from a folder of images or an "
                         f"array (N, H, W[, C]) only; got {_describe(source)}.")
    return (int(shape[1]), int(shape[2]), 3 if len(shape) == 4 and shape[3] in (3, 4) else 1)


def _check_out_dir(out: Path):
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / checkpoints.CARD_FILE).exists())):
        raise FileExistsError(f"{out} exists and is not a zoo checkpoint folder; choose another output folder "
                              "(an existing checkpoint folder is replaced).")


def write_checkpoint(model, out_dir, history, x_show, y_show=None) -> Path:
    """Write model.keras, card.json, README.md, history.csv and pictures to a temp folder beside `out_dir`,
    then rename it into place (an existing checkpoint there is replaced; nothing half-written is left)."""
    from zoo import cards

    out = Path(out_dir)
    _check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the checkpoint is an ordinary folder
    try:
        final = type(model).from_config(model.get_config())  # no optimizer state: zoo.load compiles it
        final.set_weights(model.get_weights())
        final.save(tmp / checkpoints.MODEL_FILE)
        hist = history.history
        rows = [",".join(["epoch", *hist])] + [",".join([str(i), *(f"{hist[k][i]:.6g}" for k in hist)])
                                               for i in range(len(next(iter(hist.values()), [])))]
        (tmp / "history.csv").write_text("\n".join(rows) + "\n")
        k = getattr(model, "num_classes", 0)
        plots.save_grid(model.sample(8 * k, seed=0, labels=np.repeat(np.arange(k), 8)) if model.conditional
                        else model.sample(64, seed=0), tmp / "samples.png", ncol=8)
        shown = x_show[:32]
        plots.save_grid(plots.interleave_rows(shown, model.reconstruct(shown, None if y_show is None
                                                                       else y_show[:32])), tmp / "reconstructions.png")
        card = {**model.card, "files": {checkpoints.MODEL_FILE: checkpoints.file_entry(tmp / checkpoints.MODEL_FILE)}}
        checkpoints.write_card(tmp, card)
        (tmp / "README.md").write_text(cards.user_readme(card))
        checkpoints.publish_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    model.card = card
    return out
