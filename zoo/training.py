"""Train a registry recipe into a checkpoint folder: fit, fit the density, measure, draw, write a card."""
from __future__ import annotations

import datetime
import inspect
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

import keras
import numpy as np

from zoo import checkpoints, data, metrics, plots, registry


class EpochTimer(keras.callbacks.Callback):
    """Adds `epoch_time_s` to the logs (so CSVLogger records it and resumed runs can sum it)."""

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_time_s"] = time.perf_counter() - self._t0


class TimeLimit(keras.callbacks.Callback):
    """Stops training after the first epoch that ends past `seconds` of training time (the card then records
    the epochs actually trained). With a constant learning rate the run equals one asked for that many epochs."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds, self.stopped_at = float(seconds), None

    def on_train_begin(self, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if time.perf_counter() - self._t0 > self.seconds:
            self.model.stop_training, self.stopped_at = True, epoch + 1


def code_version() -> dict:
    import zoo

    repo = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10).stdout.strip() or None
        dirty = bool(subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "zoo"],
                                    capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = None, None
    return {"zoo": zoo.__version__, "git_commit": commit, "git_dirty": dirty}


def hardware() -> dict:
    import importlib.metadata as md

    versions = {}
    for pkg in ("keras", "tensorflow", "jax", "torch", "numpy"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return {"platform": platform.platform(), "processor": platform.machine(), "cpu_count": os.cpu_count(),
            "accelerator": accelerator(), "keras_backend": keras.backend.backend(), "versions": versions}


def accelerator() -> str | None:
    """The GPU the backend trains on (e.g. 'NVIDIA H200'), or None on a CPU."""
    try:
        backend = keras.backend.backend()
        if backend == "jax":
            import jax

            names = [d.device_kind for d in jax.devices() if d.platform != "cpu"]
        elif backend == "torch":
            import torch

            names = [torch.cuda.get_device_name(0)] if torch.cuda.is_available() else []
        else:
            import tensorflow as tf

            names = [d.name for d in tf.config.list_physical_devices("GPU")]
    except Exception:  # a hardware note must never stop a training run
        return None
    return names[0] if names else None


def build_model(recipe: registry.Recipe, input_shape):
    from zoo.api import create

    return create(recipe.family, input_shape=input_shape, latent_dim=recipe.latent_dim,
                  backbone=recipe.backbone, learning_rate=recipe.learning_rate, name=recipe.name,
                  **recipe.options)


def measure(model, recipe, x_test, y_test) -> dict:
    """The test-split numbers that go in the card (a conditional model is given the test labels)."""
    y = y_test if model.conditional else None
    out = {"test_images": len(x_test), **metrics.reconstruction(model, x_test, y),
           "mse_first_1000": metrics.reconstruction(model, x_test[:1000], None if y is None else y[:1000])["mse"]}
    if hasattr(model, "log_weights"):
        binarize = bool(recipe.options.get("dynamic_binarization"))
        out.update(metrics.negative_elbo(model, x_test, y, seed=0, binarized=binarize), elbo_test_binarized=binarize)
    return out


def resolve_recipe(name: str, overrides=None, epochs=None) -> registry.Recipe:
    """The registry recipe of `name` with `overrides` applied (its "options" merged into the recipe's)."""
    recipe = registry.get_recipe(name)
    changed = {**(overrides or {}), **({} if epochs is None else {"epochs": int(epochs)})}
    if not changed:
        return recipe
    fields = recipe.to_dict()
    unknown = set(changed) - set(fields)
    if unknown:
        raise ValueError(f"Unknown recipe fields {sorted(unknown)}; a recipe has {sorted(fields)}.")
    options = {**fields["options"], **changed.pop("options", {})}
    return registry.Recipe(**{**fields, **changed, "options": options})


# Recipe fields that make up "the same network and training"; a family and its own options may differ.
SAME_NETWORK_FIELDS = ("backbone", "latent_dim", "epochs", "batch_size", "learning_rate", "optimizer", "seed")


def same_network_recipe(recipe: dict, family: str) -> registry.Recipe:
    """`family`'s recipe on the same dataset, given `recipe`'s network and training (scripts/baseline.py).

    `recipe`'s options that `family`'s constructor takes (hidden, dynamic_binarization, ...) are kept; its own
    family's (iwae's k) are dropped, and `family`'s own options keep their registry values.
    """
    base = registry.get_recipe(f"{family}-{recipe['dataset']}")
    takes = constructor_args(registry.get_family(family))
    kept = {k: v for k, v in recipe["options"].items() if k in takes}
    return resolve_recipe(base.name, {**{f: recipe[f] for f in SAME_NETWORK_FIELDS}, "options": kept})


def constructor_args(cls) -> set[str]:
    """Keyword arguments a model class's constructor takes, through its chain of `__init__(..., **kwargs)`."""
    names = set()
    for klass in cls.__mro__:
        if "__init__" in vars(klass) and klass.__module__.startswith("zoo."):
            names |= {n for n, p in inspect.signature(klass.__init__).parameters.items()
                      if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n != "self"}
    return names


def train(name: str, out_root=None, epochs=None, verbose="auto", overrides=None, time_limit_s=None) -> Path:
    """Train registry entry `name` and write `<out_root>/<name>/`; resumes an interrupted run.

    `overrides` changes recipe fields (its "options" are merged into the recipe's); the card records the
    result. `time_limit_s` stops after the epoch that passes it, and the card's recipe then has the epochs run.
    """
    recipe = resolve_recipe(name, overrides, epochs)
    out_root = Path(out_root) if out_root else checkpoints.root()
    work = out_root / f".{name}.work"  # BackupAndRestore state + epoch log, kept until success
    work.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(recipe.seed)

    x_train, y_train = data.load_split(recipe.dataset, "train")
    x_test, y_test = data.load_split(recipe.dataset, "test")
    model = build_model(recipe, x_train.shape[1:])
    # A conditional model trains on (images, labels); the others on images alone.
    train_data, val_data = (((x_train, y_train), (x_test[:2000], y_test[:2000])) if model.conditional
                            else (x_train, x_test[:2000]))
    t0 = time.perf_counter()
    limit = [TimeLimit(time_limit_s)] if time_limit_s else []
    model.fit(train_data, epochs=recipe.epochs, batch_size=recipe.batch_size, shuffle=True,
              validation_data=val_data, verbose=verbose,
              callbacks=[keras.callbacks.BackupAndRestore(str(work / "backup")), EpochTimer(),
                         keras.callbacks.CSVLogger(str(work / "history.csv"), append=True),
                         keras.callbacks.TerminateOnNaN(), *limit])
    if limit and limit[0].stopped_at:
        recipe = registry.Recipe(**{**recipe.to_dict(), "epochs": limit[0].stopped_at})
    prior_s = None
    if model.fitted_prior:  # the sampler fitted after the autoencoder (mixture, PixelCNN): timed on its own
        t_prior = time.perf_counter()
        model.fit_prior(x_train, seed=recipe.seed)
        prior_s = round(time.perf_counter() - t_prior, 1)
    session_s = time.perf_counter() - t0

    # An uncompiled copy saves no optimizer state (a third of the file); zoo.load compiles it again.
    final = type(model).from_config(model.get_config())
    final.set_weights(model.get_weights())

    tmp = out_root / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    final.save(tmp / checkpoints.MODEL_FILE)
    shutil.copy(work / "history.csv", tmp / "history.csv")
    write_pictures(final, x_test, y_test, tmp)
    epoch_times = np.genfromtxt(work / "history.csv", delimiter=",", names=True)["epoch_time_s"]
    card = {
        "name": name, "family": recipe.family, "dataset": recipe.dataset,
        "recipe": recipe.to_dict(),
        "model_config": final.get_config(),
        "params": int(final.count_params()),
        "likelihood": "Bernoulli on pixel intensities (losses in nats per image)",
        "metrics": {"test": measure(final, recipe, x_test, y_test)},
        "training": {"epochs": recipe.epochs, "wall_time_s": round(float(np.sum(epoch_times)) + 0.0, 1),
                     "this_session_s": round(session_s, 1), "prior_fit_s": prior_s,
                     "final_epoch": _last_row(work / "history.csv")},
        "hardware": hardware(), "code_version": code_version(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "reproduce": f"python scripts/train.py {name}",
        "files": {checkpoints.MODEL_FILE: checkpoints.file_entry(tmp / checkpoints.MODEL_FILE)},
    }
    checkpoints.write_card(tmp, card)
    final_dir = out_root / name
    checkpoints.publish_folder(tmp, final_dir)
    shutil.rmtree(work, ignore_errors=True)
    return final_dir


def write_pictures(model, x_test, y_test, folder: Path) -> None:
    if model.conditional:  # one row per requested class
        k = model.num_classes
        plots.save_grid(model.sample(k * 10, seed=0, labels=np.repeat(np.arange(k), 10)), folder / "samples.png",
                        ncol=10)
    else:
        plots.save_grid(model.sample(64, seed=0), folder / "samples.png")
    originals = x_test[:32].astype("float32") / 255.0
    labels = y_test[:32] if model.conditional else None
    plots.save_grid(plots.interleave_rows(originals, model.reconstruct(originals, labels)),
                    folder / "reconstructions.png")
    if model.fitted_prior:  # what a naive N(0, I) draw gives: the "holes"
        plots.save_grid(model.sample(64, seed=0, prior="normal"), folder / "samples_normal_prior.png")


def _last_row(csv_path: Path) -> dict:
    rows = np.genfromtxt(csv_path, delimiter=",", names=True)
    last = rows[-1] if rows.ndim else rows
    return {k: round(float(last[k]), 4) for k in rows.dtype.names}
