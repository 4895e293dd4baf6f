"""The checkpoint folder format: where shipped ones live, the card, the sha256 check, and writing a folder.

A checkpoint is a folder: model.keras, card.json, samples.png, reconstructions.png, history.csv.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from zoo import card as card_schema
from zoo import names, outputs
from zoo.outputs import file_entry, sha256, write_text_atomic  # noqa: F401  (the folder format's helpers)

MODEL_FILE, CARD_FILE = card_schema.WEIGHTS_FILE, outputs.CARD_FILE


def root() -> Path:
    """The shipped checkpoints folder: $ZOO_CHECKPOINTS, else the repo's checkpoints/, else package data."""
    if os.environ.get("ZOO_CHECKPOINTS"):
        return Path(os.environ["ZOO_CHECKPOINTS"])
    repo = Path(__file__).resolve().parents[1] / "checkpoints"
    if repo.is_dir():
        return repo
    return Path(__file__).resolve().parent / "_checkpoints"  # wheel installs: see pyproject.toml


def check_not_shipped(out, replace_shipped=False) -> None:
    """Refuse to write into the shipped checkpoints folder (the repo's checkpoints/, or the installed package's)
    unless a maintainer's tool asks for it (`replace_shipped=True`: scripts/train.py, scripts/evaluate.py): a
    shipped model is replaced only on purpose, never by a user's fine-tune or training run."""
    if replace_shipped:
        return
    shipped = root().resolve()
    target = Path(out).expanduser().resolve()
    if target == shipped or shipped in target.parents:
        raise ValueError(f"{out} is inside the zoo's shipped checkpoints ({shipped}), which only the maintainers' "
                         "scripts replace (scripts/train.py, scripts/evaluate.py). Write to a folder of your own, "
                         "e.g. -o my-model.")


# ---- the card: card.json, its schema in zoo.card; write_card checks it, read_card migrates and checks it ----
# Writers go through zoo.writer (training, fine-tuning, evaluation, export) or write_card (scripts that add to
# a card); readers get a zoo.card.Card and read its attributes.
DENOISING_SHOWN = ("gaussian@0.5", "masking@0.5", "salt_pepper@0.2")  # noise settings the tables show


def write_card(folder, card: card_schema.Card | dict) -> Path:
    """Write card.json, checked against the card schema (zoo.card): every writer's card has the same shape, and
    is strict JSON (a NaN or infinite number is refused, naming its key, rather than written as a bare token)."""
    checked = card_schema.checked(card)
    bad = _non_finite(checked)
    if bad:
        raise ValueError(f"The card's {bad} is not a finite number, which JSON cannot hold; nothing was written. "
                         "A measurement that diverged gives one: check the model's loss.")
    return write_text_atomic(Path(folder) / CARD_FILE, json.dumps(checked, indent=2, allow_nan=False) + "\n")


def _non_finite(value, where="card") -> str | None:
    """The key path of the first NaN or infinite float in a JSON-like value, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        found = _non_finite(inner, f"{where}.{key}" if isinstance(key, str) else f"{where}[{key}]")
        if found:
            return found
    return None


def record_files(folder, card: card_schema.Card, names) -> card_schema.Card:
    """The card with entries (sha256, size) for files `names` that the zoo has just written into `folder`, so
    the folder still proves itself a zoo checkpoint (see zoo.outputs.ownership_problem)."""
    added = {n: card_schema.FileEntry(**file_entry(Path(folder) / n)) for n in names}
    return card.replace(files=dict(sorted({**card.files, **added}.items())))


def write_folder(out, fill, overwrite=False) -> card_schema.Card:
    """Build checkpoint folder `out`: fill(tmp) writes its files into a staging folder and returns the card (a
    dict being built, or a Card); the card gets every file's sha256 and is written last, then the folder is
    renamed into place. Call it inside `outputs.claim(out)`, which holds the lock. Returns the card written."""
    with outputs.staging(out) as tmp:
        card = fill(tmp)
        for p in tmp.iterdir():  # what Keras and others wrote through temp files of their own: the umask's mode
            if p.is_file() and not p.is_symlink():
                p.chmod(outputs.file_mode())
        card = card_schema.Card.from_dict(card_schema.checked(card)).replace(files={
            n: card_schema.FileEntry(**e) for n, e in outputs.folder_files(tmp).items()})
        write_card(tmp, card)
        outputs.publish(tmp, out, overwrite)
    return card


def read_card(folder: Path) -> card_schema.Card | None:
    """The card of checkpoint `folder` at the current schema (an older card migrated; None if it has none); a
    ValueError naming the file if it is unreadable or breaks the schema."""
    path = Path(folder) / CARD_FILE
    if not os.path.lexists(path):
        return None
    try:
        return card_schema.Card.from_dict(outputs.read_json_object(path))
    except card_schema.CardError as e:
        raise ValueError(f"{path} is not a zoo card: {names.clipped(str(e))} Re-download or retrain it.") from None


def verify(folder: Path, card: card_schema.Card) -> None:
    """Raise if model.keras does not match the sha256 recorded in the card (a card without one: no check)."""
    expected = card.model_sha256
    if expected is None:
        return
    actual = sha256(Path(folder) / MODEL_FILE)
    if actual != expected.strip().lower():
        raise ValueError(f"{Path(folder) / MODEL_FILE} is corrupt or was changed: sha256 {actual} but the card "
                         f"records {expected}. Re-download or retrain it; nothing was loaded.")
