"""The checkpoint folder format: where shipped ones live, the card, the sha256 check, and writing a folder.

A checkpoint is a folder: model.keras, card.json, samples.png, reconstructions.png, history.csv.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from zoo import card as card_schema
from zoo import names, outputs
from zoo.outputs import file_entry, sha256, write_text_atomic  # noqa: F401  (the folder format's helpers)

MODEL_FILE, CARD_FILE = "model.keras", outputs.CARD_FILE


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
# a card). Readers: loader, cards (MODEL_CARDS.md), comparison, cli; the accessors below.
DENOISING_SHOWN = ("gaussian@0.5", "masking@0.5", "salt_pepper@0.2")  # noise settings the tables show


def model_sha256(card: dict | None) -> str | None:
    """The sha256 the card records for its weights file (None if none)."""
    files = (card or {}).get("files")
    entry = files.get(MODEL_FILE) if isinstance(files, dict) else None
    return entry.get("sha256") if isinstance(entry, dict) else None


def train_minutes(card: dict | None) -> float | None:
    """Training wall time in minutes, summed over resumed sessions (None if not recorded)."""
    seconds = ((card or {}).get("training") or {}).get("wall_time_s")
    return None if seconds is None else seconds / 60


def relative_jacobian(code: dict) -> float | None:
    """The encoder Jacobian's Frobenius norm relative to the code's RMS scale (None for a quantised code)."""
    return code["jacobian_fro"] / code["rms_activation"] if "jacobian_fro" in code else None


def denoising_psnr(evaluation: dict, setting: str) -> float | None:
    """PSNR of denoised images at a noise setting of DENOISING_SHOWN ('gaussian@0.5'), if measured."""
    return ((evaluation or {}).get("denoising") or {}).get(setting, {}).get("psnr")


def write_card(folder, card: dict) -> Path:
    """Write card.json, checked against the card schema (zoo.card): every writer's card has the same shape."""
    return write_text_atomic(Path(folder) / CARD_FILE, json.dumps(card_schema.checked(card), indent=2) + "\n")


def record_files(folder, card: dict, names) -> dict:
    """The card with entries (sha256, size) for files `names` that the zoo has just written into `folder`, so
    the folder still proves itself a zoo checkpoint (see zoo.outputs.ownership_problem)."""
    files = dict(card.get("files") or {})
    files.update({n: file_entry(Path(folder) / n) for n in names})
    return {**card, "files": dict(sorted(files.items()))}


def write_folder(out, fill, overwrite=False) -> dict:
    """Build checkpoint folder `out`: fill(tmp) writes its files into a staging folder and returns the card; the
    card gets every file's sha256 and is written last, then the folder is renamed into place. Call it inside
    `outputs.claim(out)`, which holds the lock. Returns the card written."""
    with outputs.staging(out) as tmp:
        card = fill(tmp)
        for p in tmp.iterdir():  # what Keras and others wrote through temp files of their own: the umask's mode
            if p.is_file() and not p.is_symlink():
                p.chmod(outputs.file_mode())
        card = {**card, "files": outputs.folder_files(tmp)}
        write_card(tmp, card)
        outputs.publish(tmp, out, overwrite)
    return card


def read_card(folder: Path) -> dict | None:
    """The card of checkpoint `folder` at the current schema (an older card migrated; None if it has none); a
    ValueError naming the file if it is unreadable or breaks the schema."""
    path = Path(folder) / CARD_FILE
    if not os.path.lexists(path):
        return None
    try:
        return card_schema.upgrade(outputs.read_json_object(path))
    except card_schema.CardError as e:
        raise ValueError(f"{path} is not a zoo card: {names.clipped(str(e))} Re-download or retrain it.") from None


def verify(folder: Path, card: dict) -> None:
    """Raise if model.keras does not match the sha256 recorded in the card."""
    entry = (card.get("files") or {}).get(MODEL_FILE) if isinstance(card.get("files"), dict) else None
    expected = entry.get("sha256") if isinstance(entry, dict) else None
    if expected is None:
        return
    if not isinstance(expected, str):
        raise ValueError(f"{Path(folder) / CARD_FILE} records a sha256 that is not a string ({expected!r}); the "
                         "card is damaged. Re-download or retrain it; nothing was loaded.")
    actual = sha256(Path(folder) / MODEL_FILE)
    if actual != expected.strip().lower():
        raise ValueError(f"{Path(folder) / MODEL_FILE} is corrupt or was changed: sha256 {actual} but the card "
                         f"records {expected}. Re-download or retrain it; nothing was loaded.")


def recorded_hash(card: dict) -> bool:
    return model_sha256(card) is not None
