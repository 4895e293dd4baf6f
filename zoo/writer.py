"""The one checkpoint writer. Training a recipe, fine-tuning, training on your images and publishing to the Hub
all write their folder here, so every checkpoint has the same files made the same way: the weights (an
uncompiled single-device float32 copy), history.csv, the sample and reconstruction pictures, a README for a
user's model, and the card (checked against zoo.card) listing every file's sha256, staged and renamed into
place. `zoo evaluate` adds its numbers and pictures to a written folder with `add_to_checkpoint`."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from zoo import card as card_schema
from zoo import cards, checkpoints, outputs, plots, provenance
from zoo.models import precision

HISTORY_FILE = "history.csv"


def read_history(path) -> list[dict]:
    """The rows of a history.csv as dicts of floats (empty when there is no file)."""
    path = Path(path)
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def write_history(path, rows: list[dict]) -> None:
    """history.csv: a row per epoch, `epoch` first and `epoch_time_s` (when timed) last, floats exact."""
    timed = ["epoch_time_s"] if any("epoch_time_s" in r for r in rows) else []
    columns = ["epoch", *sorted({k for r in rows for k in r} - {"epoch", "epoch_time_s"}), *timed]
    lines = [",".join(columns)] + [",".join(repr(float(r.get(c, float("nan")))) if c != "epoch"
                                            else str(int(r["epoch"])) for c in columns) for r in rows]
    outputs.write_text_atomic(path, "\n".join(lines) + "\n")


def history_rows(history) -> list[dict]:
    """A keras History as history.csv rows."""
    h = history.history
    return [{"epoch": i, **{k: float(v[i]) for k, v in h.items()}} for i in range(len(next(iter(h.values()), [])))]


def check_finite(rows: list[dict], what: str, fix: str) -> None:
    """Refuse to write a model whose training loss went NaN or inf (or that logged no epoch)."""
    if not rows or not np.all(np.isfinite([r.get("loss", np.nan) for r in rows])):
        raise RuntimeError(f"Training {what} produced no finite loss (NaN or inf); nothing was written. {fix}")


def detached(model, weights=None):
    """An uncompiled float32 copy of `model` on one device (a trained model may live on several, in mixed
    precision): what a checkpoint saves, with no optimizer state (a third of the file; zoo.load compiles it).
    `weights`: the model's, read where it was trained (inside its distribution scope), else read here."""
    with precision.policy("float32"):
        copy = type(model).from_config(model.get_config())
        copy.set_weights(model.get_weights() if weights is None else weights)
    return copy


def model_card(model, name: str, dataset: str | None, **sections) -> card_schema.Card:
    """The card every writer of a model starts from: the network itself (family, config, parameters,
    likelihood) and where it is being made (zoo.provenance), plus `sections` (recipe, data, training, metrics,
    lineage, parent, reproduce, ...: zoo.card's records)."""
    return card_schema.Card(name=name, kind="autoencoder", dataset=dataset, params=int(model.count_params()),
                            provenance=provenance.record(), family=model.family, model_config=model.get_config(),
                            likelihood=model.likelihood.describe(), **sections)


def write_pictures(model, images, labels, folder: Path) -> None:
    """samples.png (a row per class for a conditional model), reconstructions.png (32 images, each above its
    reconstruction) and, for a fitted sampler, samples_normal_prior.png (a naive N(0, I) draw: the holes)."""
    folder = Path(folder)
    if model.conditional:
        k = model.num_classes
        plots.save_grid(model.sample(k * 10, seed=0, labels=np.repeat(np.arange(k), 10)), folder / "samples.png",
                        ncol=10)
    else:
        plots.save_grid(model.sample(64, seed=0), folder / "samples.png")
    originals = np.asarray(images[:32])
    originals = originals.astype("float32") / 255.0 if originals.dtype == np.uint8 else originals
    shown = labels[:32] if model.conditional and labels is not None else None
    plots.save_grid(plots.interleave_rows(originals, model.reconstruct(originals, shown)),
                    folder / "reconstructions.png")
    if model.fitted_prior:
        plots.save_grid(model.sample(64, seed=0, prior="normal"), folder / "samples_normal_prior.png")


def write_checkpoint(out, model, card: card_schema.Card, rows=None, shown=None, readme=False,
                     overwrite=False) -> card_schema.Card:
    """Write checkpoint folder `out` for `model`: model.keras, history.csv (`rows`), the pictures (`shown`:
    (images, labels) to reconstruct; None draws samples only), README.md if `readme` (a user's model; the
    shipped ones get theirs from scripts/make_cards.py) and the card with every file listed. Call inside
    `outputs.claim(out)`. Returns the card written."""

    def fill(tmp):
        detached(model).save(tmp / checkpoints.MODEL_FILE)
        if rows is not None:
            write_history(tmp / HISTORY_FILE, rows)
        if shown is not None:
            write_pictures(model, *shown, tmp)
        else:  # a model published as it is: its samples, if its sampler is ready
            try:
                plots.save_grid(model.sample(64, seed=0), tmp / "samples.png")
            except RuntimeError:  # a fitted density not fitted yet: no picture
                pass
        if readme:
            listed = checkpoints.record_files(tmp, card.replace(files={}), [checkpoints.MODEL_FILE])
            (tmp / "README.md").write_text(cards.user_readme(listed))
        return card

    return checkpoints.write_folder(out, fill, overwrite)


def add_to_checkpoint(folder, card: card_schema.Card, staged: Path) -> card_schema.Card:
    """Move the files written into staging folder `staged` (beside `folder`) into checkpoint `folder`, then
    write its card listing them: the folder goes on proving itself the zoo's. Returns the card written."""
    written = sorted(p.name for p in Path(staged).iterdir() if p.is_file() and p.name != outputs.STAGING_MARK)
    card = checkpoints.record_files(staged, card, written)
    # The card the folder will have is written into the staging folder first: a kill while the files move in
    # leaves a record of the move, which the next run on the folder finishes (outputs.finish_adding).
    (Path(staged) / outputs.ADDING_MARK).write_text("files on their way into the checkpoint beside this folder\n")
    checkpoints.write_card(staged, card)
    outputs.finish_adding(Path(folder), Path(staged))
    return card
