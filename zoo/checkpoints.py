"""Where checkpoints live, how they are written (atomically) and read back (hash-checked, safe_mode).

A checkpoint is a folder: model.keras, card.json, samples.png, reconstructions.png, history.csv.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path

from zoo import registry

MODEL_FILE, CARD_FILE = "model.keras", "card.json"


def root() -> Path:
    """The shipped checkpoints folder: $ZOO_CHECKPOINTS, else the repo's checkpoints/, else package data."""
    if os.environ.get("ZOO_CHECKPOINTS"):
        return Path(os.environ["ZOO_CHECKPOINTS"])
    repo = Path(__file__).resolve().parents[1] / "checkpoints"
    if repo.is_dir():
        return repo
    return Path(__file__).resolve().parent / "_checkpoints"  # wheel installs: see pyproject.toml


def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entry(path) -> dict:
    """What a card records of a file: its sha256 and size."""
    path = Path(path)
    return {"sha256": sha256(path), "bytes": path.stat().st_size}


def write_text_atomic(path, text: str) -> Path:
    """Write `text` to a temp file beside `path`, then rename it into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path


def write_card(folder, card: dict) -> Path:
    return write_text_atomic(Path(folder) / CARD_FILE, json.dumps(card, indent=2) + "\n")


def resolve(name_or_path, revision=None) -> Path:
    """Checkpoint folder or .keras file for a name, a path or an hf://OWNER/REPO address.

    A registry name resolves to the shipped checkpoint, else to its pinned Hub revision (the local
    Hugging Face cache first, then a download); `revision` overrides the pin or picks an hf:// revision.
    """
    from zoo import hub

    name = str(name_or_path)
    if name.startswith("hf://"):
        return hub.download(hub.parse_hf_uri(name), revision)
    path = Path(name).expanduser()
    if path.exists():
        return path
    if name in registry.RECIPES:
        folder = root() / name
        if (folder / MODEL_FILE).exists() and revision is None:
            return folder
        pin = hub.pins().get(name)
        if pin:
            return hub.download(pin["repo_id"], revision or pin["revision"])
        raise FileNotFoundError(f"No checkpoint for {name!r} in {folder} and no published Hub revision. "
                                f"Train it with `zoo train {name}`.")
    if str(name_or_path).endswith(".keras") or os.sep in str(name_or_path):
        raise FileNotFoundError(f"No such file or folder: {name_or_path}")
    raise registry.unknown_name_error(str(name_or_path), registry.list_models())


def read_card(folder: Path) -> dict | None:
    card = Path(folder) / CARD_FILE
    if not card.exists():
        return None
    try:
        return json.loads(card.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{card} is not valid JSON ({e}); the checkpoint is damaged, re-download or retrain it.") from e


def verify(folder: Path, card: dict) -> None:
    """Raise if model.keras does not match the sha256 recorded in the card."""
    expected = card.get("files", {}).get(MODEL_FILE, {}).get("sha256")
    if expected is None:
        return
    actual = sha256(Path(folder) / MODEL_FILE)
    if actual != expected:
        raise ValueError(f"{Path(folder) / MODEL_FILE} is corrupt or was changed: sha256 {actual} but the card "
                         f"records {expected}. Re-download or retrain it; nothing was loaded.")


def load(name_or_path, revision=None):
    """Load a registry name, checkpoint folder, .keras file or hf:// repo: verified, compiled, ready to fit."""
    path = resolve(name_or_path, revision)
    card = None
    if path.is_dir():
        card = read_card(path)
        if card is not None:
            verify(path, card)
        path = path / MODEL_FILE
        if not path.exists():
            raise FileNotFoundError(f"{path.parent} has no {MODEL_FILE}; it is not a zoo checkpoint folder.")
    import keras

    import zoo.models  # noqa: F401  (registers the classes the file names)

    try:
        with warnings.catch_warnings():
            # A model saved compiled but never trained stores an unbuilt optimizer; Keras warns that it cannot
            # restore its (empty) state. Harmless: the optimizer starts fresh, as it would have anyway.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model = keras.saving.load_model(path, safe_mode=True)
    except Exception as e:
        raise ValueError(f"Could not read {path}: {type(e).__name__}: {e}. The file may be truncated or "
                         "corrupt, or from a newer zoo; re-download or retrain it.") from None
    if not model.compiled:  # shipped checkpoints are saved without optimizer state
        lr = (card or {}).get("recipe", {}).get("learning_rate", 1e-3)
        model.compile(optimizer=keras.optimizers.Adam(lr))
    model.card = card
    return model


def info(name_or_path, revision=None) -> dict:
    """The card of a checkpoint plus where its files are."""
    path = resolve(name_or_path, revision)
    folder = path if path.is_dir() else path.parent
    card = read_card(folder) if path.is_dir() else None
    if card is None:
        model = load(path)
        card = {"name": model.name, "family": model.family, "params": model.count_params(),
                "files": {path.name: file_entry(path)}}
    card = dict(card)
    card["paths"] = {f: str(folder / f) for f in sorted(os.listdir(folder))} if path.is_dir() else {path.name: str(path)}
    return card


def publish_folder(tmp: Path, final: Path) -> None:
    """Replace `final` by the fully written folder `tmp` with renames, so no reader sees half a checkpoint."""
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    if old.exists():
        shutil.rmtree(old)
