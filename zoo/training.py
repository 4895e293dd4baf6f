"""Train a registry recipe into a checkpoint folder: fit, fit the density, measure, draw, write a card."""
from __future__ import annotations

import inspect
import json
import os
import shutil
import time
from pathlib import Path

import keras

from zoo import card as card_schema
from zoo import checkpoints, data, datasets, factory, inputs, loader, metrics, outputs, progress, recipes, registry, writer
from zoo import distribute as distribute_lib
from zoo.models import precision

DEFAULT_STEPS_PER_EPOCH = 1000  # a rendered dataset's epoch when its recipe names none


class TrainingState(keras.callbacks.Callback):
    """Saves the weights and optimizer state after every epoch and restores them when a run starts again, like
    keras.callbacks.BackupAndRestore, but a SIGKILL at any moment leaves a whole state: each epoch's state is
    written to a new folder that then replaces the previous one by renames."""

    def __init__(self, folder):
        super().__init__()
        self.folder = Path(folder)

    def latest(self) -> Path | None:
        for name in ("current", "previous"):  # "previous" only survives a kill between the two renames
            if (self.folder / name / "epoch.json").is_file():
                return self.folder / name
        return None

    def epochs_done(self) -> int:
        """Epochs the saved state has been through (0 when there is none)."""
        state = self.latest()
        return int(json.loads((state / "epoch.json").read_text())["epoch"]) if state else 0

    def on_train_begin(self, logs=None):
        state = self.latest()
        if state is None:
            return
        if self.model.optimizer is not None and not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        self.model.load_weights(state / "state.weights.h5")
        self.model._initial_epoch = self.epochs_done()  # as Keras' own BackupAndRestore resumes

    def on_epoch_end(self, epoch, logs=None):
        self.save(self.model, epoch + 1)

    def save(self, model, epochs: int) -> None:
        """Make `model`'s weights and optimizer state, `epochs` epochs into the run, the state to resume from."""
        new, current, previous = (self.folder / n for n in ("next", "current", "previous"))
        shutil.rmtree(new, ignore_errors=True)
        new.mkdir(parents=True)
        model.save_weights(new / "state.weights.h5")
        (new / "epoch.json").write_text(json.dumps({"epoch": epochs}))  # written last: marks the state whole
        shutil.rmtree(previous, ignore_errors=True)
        if current.exists():
            current.rename(previous)
        new.rename(current)
        shutil.rmtree(previous, ignore_errors=True)


class HistoryLog(keras.callbacks.Callback):
    """The epoch log of a resumable run, `history.csv`: one row per epoch the weights went through, with its
    time (`epoch_time_s`). Rows are written before the TrainingState of the same epoch (list this callback
    first), and when a run resumes at epoch e, rows from e on (a killed run's extra row) are dropped."""

    def __init__(self, path):
        super().__init__()
        self.path, self._t0, self._started = Path(path), None, False

    def _keep_before(self, epoch):
        rows = writer.read_history(self.path)
        kept = [r for r in rows if int(float(r["epoch"])) < epoch]
        if len(kept) != len(rows) or not self.path.exists():
            writer.write_history(self.path, kept)

    def on_epoch_begin(self, epoch, logs=None):
        if not self._started:
            self._keep_before(epoch)
            self._started = True
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch, **{k: float(v) for k, v in sorted((logs or {}).items())},
               "epoch_time_s": time.perf_counter() - self._t0}
        writer.write_history(self.path, [*writer.read_history(self.path), row])

    def on_train_end(self, logs=None):
        if not self._started:  # resumed after the last epoch: the log holds exactly the epochs restored
            self._keep_before(getattr(self.model, "_initial_epoch", None) or self.params.get("epochs", 0))


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


def build_model(recipe: registry.Recipe, input_shape):
    return factory.create(recipe.family, input_shape=input_shape, latent_dim=recipe.latent_dim,
                  backbone=recipe.backbone, learning_rate=recipe.learning_rate, name=recipe.name,
                  **recipe.options)


def measure(model, recipe, x_test, y_test) -> card_schema.Metrics:
    """The card's `metrics`: the test-split numbers (a conditional model is given the test labels)."""
    y = y_test if model.conditional else None
    out = {**metrics.reconstruction(model, x_test, y),
           "mse_first_1000": metrics.reconstruction(model, x_test[:1000], None if y is None else y[:1000])["mse"]}
    if model.has_likelihood:
        binarize = bool(recipe.options.get("dynamic_binarization"))
        out.update(metrics.negative_elbo(model, x_test, y, seed=0, binarized=binarize), elbo_test_binarized=binarize)
    return card_schema.Metrics("test", out, images=int(len(x_test)))


def resolve_recipe(name: str, overrides=None, epochs=None) -> registry.Recipe:
    """The registry recipe of `name` with `overrides` applied (its "options" merged into the recipe's)."""
    recipe = recipes.get_recipe(name)
    if overrides is not None and not isinstance(overrides, dict):
        raise ValueError(f"overrides must be a dict of recipe fields; got {overrides!r}.")
    changed = {**(overrides or {}), **({} if epochs is None else {"epochs": epochs})}
    if not changed:
        return recipe
    fields = recipe.to_dict()
    unknown = set(changed) - set(fields)
    if unknown:
        raise ValueError(f"Unknown recipe fields {sorted(unknown)}; a recipe has {sorted(fields)}.")
    if not isinstance(changed.get("options", {}), dict):
        raise ValueError(f"options must be a dict of the family's settings; got {changed['options']!r}.")
    for key in ("epochs", "batch_size", "latent_dim", "steps_per_epoch"):
        if changed.get(key) is not None or (key in changed and key != "steps_per_epoch"):
            inputs.as_count(changed[key], key)
    inputs.as_positive_number(changed.get("learning_rate", 1.0), "learning_rate")
    options = {**fields["options"], **changed.pop("options", {})}
    return registry.Recipe(**{**fields, **changed, "options": options})


# Recipe fields that make up "the same network and training"; a family and its own options may differ.
SAME_NETWORK_FIELDS = ("backbone", "latent_dim", "epochs", "batch_size", "learning_rate", "optimizer", "seed")


def same_network_recipe(recipe: dict, family: str) -> registry.Recipe:
    """`family`'s recipe on the same dataset, given `recipe`'s network and training (scripts/baseline.py).

    `recipe`'s options that `family`'s constructor takes (hidden, dynamic_binarization, ...) are kept; its own
    family's (iwae's k) are dropped, and `family`'s own options keep their registry values.
    """
    base = recipes.get_recipe(f"{family}-{recipe['dataset']}")
    takes = constructor_args(factory.get_family(family))
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


HISTORY_FILE = "history.csv"
CONTINUED_FILE = "continued.json"  # the checkpoint a run was continued from: its epochs, note, reproduce line
# All a work folder holds ("backup": older zoos).
WORK_FILES = ("recipe.json", HISTORY_FILE, "state", CONTINUED_FILE, "backup")


def train(name: str, out_root=None, epochs=None, verbose="auto", overrides=None, time_limit_s=None,
          restart=False, overwrite=False, distribute=False, replace_shipped=False,
          keep_state=False, continue_from=None) -> Path | None:
    """Train registry entry `name` and write `<out_root>/<name>/`; resumes an interrupted run of the same recipe.

    `overrides` changes recipe fields (its "options" are merged into the recipe's); the card records the
    result. `time_limit_s` stops after the epoch that passes it, and the card's recipe then has the epochs run.
    The run holds a lock on the output folder; an existing one is replaced only if the zoo wrote it (else
    `overwrite=True`). An interrupted run with another recipe is refused unless `restart=True` discards it.
    `distribute=True` trains data-parallel on every visible device (zoo.distribute), the recipe's batch being
    the global one; in a multi-host run only the first process writes the checkpoint (the others return None).
    `out_root=None` is the shipped checkpoints folder, which only `replace_shipped=True` (the maintainers'
    scripts/train.py) may write. `keep_state=True` keeps the training state (`.NAME.work/`) after writing, so a
    later run of the recipe with more epochs continues where this one stopped (a long training in stages).
    `continue_from` (a checkpoint folder, a registry name for its shipped or published checkpoint, or an hf://
    address) continues a checkpoint of this recipe trained for fewer epochs: its weights and epoch log start the
    run, and Adam starts afresh (a checkpoint keeps no optimizer state); the card says so.
    """
    recipe = resolve_recipe(name, overrides, epochs)
    source = None if continue_from is None else checkpoint_to_continue(continue_from, recipe)
    out_root = checkpoints.root() if out_root is None else outputs.output_path(out_root, "output folder")
    final_dir = out_root / name
    checkpoints.check_not_shipped(final_dir, replace_shipped)
    replicas = distribute_lib.replicas(distribute)
    replicas.check_batch(recipe.batch_size)
    if replicas.processes > 1 and time_limit_s:
        raise ValueError("A time limit would stop the hosts of a multi-host run at different epochs; "
                         "give the epochs instead.")
    if replicas.processes > 1 and source is not None:
        raise ValueError("Continue a checkpoint on one host (its state then continues on several with the epochs).")
    if not replicas.is_chief:  # another host: trains its share beside the first, writes only its own state
        work = _work_dir(out_root / f".{name}.work-process{replicas.process}", recipe, restart)
        _fit_and_measure(recipe, work, 0, None, distribute, chief=False)
        shutil.rmtree(work)
        return None
    with outputs.claim(final_dir, overwrite):
        work = _work_dir(out_root / f".{name}.work", recipe, restart)
        if source is not None:
            _start_from(work, recipe, *source)
        final, card, test = _fit_and_measure(recipe, work, verbose, time_limit_s, distribute)
        writer.write_checkpoint(final_dir, final, card, writer.read_history(work / "history.csv"), test,
                                overwrite=overwrite)
        if not keep_state:
            shutil.rmtree(work)
    return final_dir


def _work_dir(work: Path, recipe: registry.Recipe, restart: bool) -> Path:
    """The work folder of this run (TrainingState, epoch log, the recipe it was started with): an
    interrupted run of the same recipe is resumed, also with more epochs than it was started with (the same run,
    continued: schedules count steps, a rendered dataset's batches depend only on the step); one of another recipe
    is refused unless `restart`."""
    if os.path.lexists(work):
        if work.is_symlink() or not work.is_dir():
            raise FileExistsError(f"{work} is not a training work folder the zoo wrote; move it away and rerun.")
        for name in os.listdir(work):  # a kill while a file was being replaced leaves its temp file: drop it
            if any(name.startswith(f".{f}.") for f in WORK_FILES) and (work / name).is_file():
                (work / name).unlink()
        if set(os.listdir(work)) - set(WORK_FILES):
            raise FileExistsError(f"{work} is not a training work folder the zoo wrote; move it away and rerun.")
        started = work / "recipe.json"
        old = outputs.read_json_object(started, "recipe") if started.is_file() else None
        new = run_record(recipe)
        # what the run was started with: the recipe, and (from this zoo on) precision, backend and data
        differs = None if old is None else {k: v for k, v in new.items() if k in old and old[k] != v}
        if differs and set(differs) == {"epochs"} and recipe.epochs > old["epochs"] and not restart:
            outputs.write_text_atomic(started, json.dumps(new, indent=2) + "\n")  # continued to more epochs
            differs = {}
        if restart or old is None or differs:
            if not restart:
                diff = ("it records no recipe" if old is None else "it was started with other settings: " + ", ".join(
                    f"{k} {old.get(k)!r} -> {v!r}" for k, v in differs.items()))
                raise ValueError(f"{work} holds an interrupted run of {recipe.name} that cannot be resumed with "
                                 f"these settings ({diff}). Rerun with the settings it was started with to resume "
                                 "it, or pass --restart (restart=True) to discard it and start over.")
            shutil.rmtree(work)
    if not work.exists():
        work.mkdir(parents=True)
        outputs.write_text_atomic(work / "recipe.json", json.dumps(run_record(recipe), indent=2) + "\n")
    return work


def checkpoint_to_continue(source, recipe: registry.Recipe) -> tuple[Path, card_schema.Card]:
    """The checkpoint folder `source` names and its card, checked to be `recipe` trained for fewer epochs on the
    same data (else a ValueError saying what differs), before anything is trained or written."""
    folder = loader.resolve(source, also=[HISTORY_FILE])
    card = checkpoints.read_card(folder) if folder.is_dir() else None
    if card is None or card.recipe is None or card.training is None:
        raise ValueError(f"{source} is not a checkpoint folder that zoo train wrote (its card.json records no "
                         "recipe and training); give a folder `zoo train` wrote, or a registry name.")
    ran, wanted = card.recipe.to_dict(), recipe.to_dict()
    if ran["name"] != wanted["name"]:
        raise ValueError(f"{source} is a checkpoint of {ran['name']}, not of {recipe.name}.")
    differs = {k: (ran.get(k), v) for k, v in wanted.items() if k != "epochs" and ran.get(k) != v}
    if differs:
        raise ValueError(f"{source} was trained with other settings than {recipe.name}'s recipe here (" + ", ".join(
            f"{k} {a!r} -> {b!r}" for k, (a, b) in differs.items()) + "); continue it with the same --override.")
    here = data.source(recipe.dataset)
    if card.data is None:  # a card from before data records: its run read the dataset TFDS prepares (or renders)
        there = here if here["source"] in ("tensorflow-datasets", "rendered by zoo.renderers") else None
        if there is None:
            raise ValueError(f"{source}'s card records no data, so it was trained on the dataset as "
                             f"tensorflow-datasets gives it; this run reads {here['source']} ({here.get('sha256')}) "
                             "and would continue it on other data. Continue it without ZOO_DATA_DIR, or train anew.")
    there = {k: getattr(card.data, k, None) for k in here} if card.data is not None else here
    if there != here:
        raise ValueError(f"{source} was trained on other data ({there}) than this run reads ({here}); continue it "
                         "where its data is.")
    done = card.training.epochs
    if done >= recipe.epochs:
        raise ValueError(f"{source} has been trained for {done} epochs already; ask for more with --epochs "
                         f"(e.g. --epochs {2 * done}).")
    log = folder / HISTORY_FILE
    entry = card.files.get(HISTORY_FILE)
    if not log.is_file() or (entry is not None and outputs.sha256(log) != entry.sha256):
        raise ValueError(f"{source}'s {HISTORY_FILE} is missing or is not the one its card records; it cannot be "
                         "continued (its epoch log would not be the weights').")
    rows = writer.read_history(log)
    if len(rows) != done:
        raise ValueError(f"{source}'s {HISTORY_FILE} has {len(rows)} epochs and its card {done}; it cannot be "
                         "continued.")
    return folder, card


def _start_from(work: Path, recipe: registry.Recipe, folder: Path, card: card_schema.Card) -> None:
    """Make checkpoint `folder` (trained `card.training.epochs` epochs of `recipe`) the state `work` resumes
    from: its weights, with a new optimizer, and its epoch log. A state already as far along is kept: it holds
    Adam's moments, and is this continuation killed and run again."""
    state = TrainingState(work / "state")
    done = card.training.epochs
    if state.epochs_done():
        started = work / CONTINUED_FILE
        record = outputs.read_json_object(started, "continuation record") if started.is_file() else None
        if record is not None and record.get("epochs") == done:
            return  # this continuation's own state, killed and run again: it holds Adam's moments
        raise ValueError(f"{work} holds kept training state at epoch {state.epochs_done()} of another run, so "
                         f"{folder} (epoch {done}) would not be used; pass --restart (restart=True) to discard "
                         "that state and continue the checkpoint, or leave --continue-from out to resume it.")
    source = loader.load(folder)  # verified against its card
    model = build_model(recipe, source.image_shape)
    model.set_weights(source.get_weights())
    model.optimizer.build(model.trainable_variables)
    writer.write_history(work / HISTORY_FILE, writer.read_history(folder / HISTORY_FILE))
    notes = [n for n in (card.training.note, f"continued from a checkpoint at epoch {done}, where Adam's moments "
                         "started afresh (a checkpoint keeps no optimizer state)") if n]
    outputs.write_text_atomic(work / CONTINUED_FILE, json.dumps(
        {"epochs": done, "note": "; ".join(notes), "reproduce": card.reproduce or reproduce_line(card.recipe)}, indent=2) + "\n")
    state.save(model, done)  # last: a kill before this leaves no state, and the rerun starts here again


def run_record(recipe: registry.Recipe) -> dict:
    """What a resumed run must share with the run it resumes: the recipe, the Keras dtype policy and backend,
    and the training data (a local copy's sha256, or TFDS)."""
    return {**recipe.to_dict(), "precision": keras.config.dtype_policy().name, "backend": keras.backend.backend(),
            "data": data.source(recipe.dataset)}


def _fit_and_measure(recipe: registry.Recipe, work: Path, verbose, time_limit_s, distribute=False, chief=True):
    """Train (resuming from `work`; data-parallel with `distribute`), then on one device fit the sampler and
    measure: (the uncompiled model to save, its card, the test split for the pictures). `chief=False` (another
    host of a multi-host run) returns None after training."""
    keras.utils.set_random_seed(recipe.seed)
    rendered = datasets.get_dataset(recipe.dataset).rendered
    family = factory.get_family(recipe.family)
    x_test, y_test = data.load_split(recipe.dataset, "test")
    x_train = y_train = None
    streamed = rendered or (not family.conditional and data.has_tensorflow())  # through tf.data, not arrays
    if not streamed or family.fitted_prior:
        x_train, y_train = data.load_split(recipe.dataset, "train")
    state = TrainingState(work / "state")
    fit_args = {"batch_size": recipe.batch_size, "shuffle": True}
    if rendered:  # drawn from the full grid and rendered on the fly, resuming at the step it stopped
        steps = recipe.steps_per_epoch or DEFAULT_STEPS_PER_EPOCH
        train_data = data.stream(recipe.dataset, recipe.batch_size, seed=recipe.seed,
                                 start_step=state.epochs_done() * steps)
        fit_args = {"steps_per_epoch": steps, "shuffle": False}
    elif streamed:  # read, cached, shuffled and batched by tf.data
        train_data = data.pipeline(recipe.dataset, recipe.batch_size, seed=recipe.seed)
        fit_args = {"shuffle": False}
    elif family.conditional:  # a conditional model trains on (images, labels); the others on images alone
        train_data = (x_train, y_train)
    else:  # no TensorFlow (a JAX or PyTorch machine reading ZOO_DATA_DIR's arrays)
        train_data = x_train
    val_data = (x_test[:2000], y_test[:2000]) if family.conditional else x_test[:2000]
    if streamed and not rendered:
        val_data = data.pipeline(recipe.dataset, recipe.batch_size, "test", shuffle=False, limit=2000)
    t0 = time.perf_counter()
    limit = [TimeLimit(time_limit_s)] if time_limit_s else []
    with distribute_lib.data_parallel(distribute) as replicas:
        model = build_model(recipe, x_test.shape[1:])
        if model.fitted_prior and model.min_prior_images > len(x_train):
            raise ValueError(f"{recipe.name}'s sampler needs at least {model.min_prior_images} training images; "
                             f"{recipe.dataset} has {len(x_train)}.")
        log = [HistoryLog(work / "history.csv")]  # before the state: see HistoryLog
        model.fit(train_data, epochs=recipe.epochs, validation_data=val_data, verbose=progress.fit_verbosity(verbose),
                  **fit_args, callbacks=[*log, state, keras.callbacks.TerminateOnNaN(), *limit])
        weights = model.get_weights()
    if not chief:
        return None
    rows = writer.read_history(work / "history.csv")
    writer.check_finite(rows, recipe.name, "Try a lower learning rate (--override '{\"learning_rate\": 1e-4}' --restart).")
    if len(rows) != recipe.epochs:  # stopped by the time limit: the card says what was trained
        recipe = registry.Recipe(**{**recipe.to_dict(), "epochs": len(rows)})
    # The checkpoint's copy (writer.detached: one device, float32, uncompiled) is the one whose sampler is
    # fitted and which is measured, in float32 as zoo.load gives it, even when training ran in mixed precision.
    trained_in = precision.of(model)
    final = writer.detached(model, weights)
    with precision.policy("float32"):
        prior_s = None
        if final.fitted_prior:  # the sampler fitted after the autoencoder (mixture, PixelCNN): timed on its own
            t_prior = time.perf_counter()
            final.fit_prior(x_train, seed=recipe.seed, verbose=verbose)
            prior_s = round(time.perf_counter() - t_prior, 1)
        session_s = time.perf_counter() - t0
        metrics_test = measure(final, recipe, x_test, y_test)

    continued = work / CONTINUED_FILE  # a run continued from a checkpoint: said in the card, and how to redo it
    continued = outputs.read_json_object(continued, "continuation record") if continued.is_file() else None
    reproduce = reproduce_line(recipe) + (" --mixed-precision" if trained_in != "float32" else "")
    if continued:
        reproduce = f"{continued['reproduce']}; then {reproduce} --continue-from ./{recipe.name}"
    card = writer.model_card(
        final, recipe.name, recipe.dataset, recipe=recipe, data=card_schema.DataRecord(**data.source(recipe.dataset)),
        metrics=metrics_test,
        training=card_schema.Training(
            epochs=len(rows), steps=len(rows) * fit_args["steps_per_epoch"] if rendered else None,
            devices=replicas.devices, hosts=replicas.processes, precision=trained_in,
            wall_time_s=round(sum(r["epoch_time_s"] for r in rows), 1), this_session_s=round(session_s, 1),
            prior_fit_s=prior_s, final_epoch={k: round(float(v), 4) for k, v in rows[-1].items()},
            note=continued["note"] if continued else None),
        reproduce=reproduce)
    return final, card, (x_test, y_test)


def reproduce_line(recipe: registry.Recipe) -> str:
    """`zoo train NAME` with what this run changed from the registry recipe (its epochs, --override fields)."""
    import shlex

    base = recipes.get_recipe(recipe.name).to_dict()
    ran = recipe.to_dict()
    changed = {k: v for k, v in ran.items() if k not in ("name", "epochs", "options") and v != base[k]}
    options = {k: v for k, v in ran["options"].items() if base["options"].get(k) != v}
    if options:
        changed["options"] = options
    line = f"zoo train {recipe.name}" + (f" --epochs {ran['epochs']}" if ran["epochs"] != base["epochs"] else "")
    return line + (f" --override {shlex.quote(json.dumps(changed))}" if changed else "")
