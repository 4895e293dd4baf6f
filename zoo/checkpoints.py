"""Where checkpoints live, how they are written (atomically) and read back (hash-checked, safe_mode).

A checkpoint is a folder: model.keras, card.json, samples.png, reconstructions.png, history.csv.
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

from zoo import outputs, registry
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


def write_card(folder, card: dict) -> Path:
    return write_text_atomic(Path(folder) / CARD_FILE, json.dumps(card, indent=2) + "\n")


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
        card = {**card, "files": outputs.folder_files(tmp)}
        write_card(tmp, card)
        outputs.publish(tmp, out, overwrite)
    return card


def resolve(name_or_path, revision=None) -> Path:
    """Checkpoint folder or .keras file for a name, a path or an hf://OWNER/REPO address.

    A registry name always means the registry model: the shipped checkpoint, else its pinned Hub revision (the
    local Hugging Face cache first, then a download); `revision` picks another Hub revision. A folder that
    happens to share a registry name needs a path: './vae-mnist' or Path('vae-mnist').
    """
    from zoo import hub

    if revision is not None and not (isinstance(revision, str) and revision.strip()):
        raise ValueError(f"revision must be a Hub branch, tag or commit id (a non-empty string); got {revision!r}.")
    name = str(name_or_path)
    if name.startswith("hf://"):
        return hub.download(hub.parse_hf_uri(name), revision)
    if isinstance(name_or_path, str) and name in registry.RECIPES:
        folder = root() / name
        if revision is None and (folder / MODEL_FILE).exists():
            return folder
        pin = hub.pins().get(name)
        if pin:
            return hub.download(pin["repo_id"], revision or pin["revision"])
        if revision is not None:
            raise ValueError(f"{name} is not published on the Hub, so it has no revision {revision!r}; leave "
                             "revision out to load the shipped checkpoint.")
        raise FileNotFoundError(f"No checkpoint for {name!r} in {folder} and no published Hub revision. "
                                f"Train it with `zoo train {name}`.")
    path = Path(name).expanduser()
    if os.path.lexists(path):
        if revision is not None:
            raise ValueError(f"revision= applies to Hub models (hf://OWNER/REPO or a published name); {path} is "
                             "a local path. Leave revision out.")
        return path
    if name.endswith(".keras") or os.sep in name or isinstance(name_or_path, os.PathLike):
        raise FileNotFoundError(f"No such file or folder: {name_or_path}")
    raise registry.unknown_name_error(name, registry.list_models())


def read_card(folder: Path) -> dict | None:
    """The card of checkpoint `folder` (None if it has none); a ValueError if it is unreadable."""
    card = Path(folder) / CARD_FILE
    if not os.path.lexists(card):
        return None
    return outputs.read_json_object(card)


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


def load(name_or_path, revision=None):
    """Load a registry name, checkpoint folder, .keras file or hf:// repo: verified, compiled, ready to fit."""
    path = resolve(name_or_path, revision)
    card = None
    if path.is_dir():
        card = read_card(path)
        model_path = path / MODEL_FILE
        if not model_path.is_file():
            raise FileNotFoundError(f"{path} has no {MODEL_FILE} file; it is not a zoo checkpoint folder.")
        if card is not None:
            verify(path, card)
        if card is None or not _recorded_hash(card):
            warnings.warn(f"{path} has {'no ' + CARD_FILE if card is None else 'a card without a sha256'}: "
                          f"{MODEL_FILE} was loaded unverified (nothing checks it is the file that was written).",
                          UserWarning, stacklevel=3)
        path = model_path
    elif not path.is_file():
        raise ValueError(f"{path} is not a regular file or a checkpoint folder; nothing was loaded.")
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
        recipe = (card or {}).get("recipe")
        lr = recipe.get("learning_rate") if isinstance(recipe, dict) else None
        model.compile(optimizer=keras.optimizers.Adam(lr if isinstance(lr, (int, float)) and lr > 0 else 1e-3))
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


def _recorded_hash(card: dict) -> bool:
    files = card.get("files")
    entry = files.get(MODEL_FILE) if isinstance(files, dict) else None
    return isinstance(entry, dict) and entry.get("sha256") is not None
