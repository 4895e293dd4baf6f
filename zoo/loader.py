"""Resolve a name, path or Hub address to a checkpoint, and load it: verified, in safe mode, compiled."""
from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

from zoo import hub, recipes, registry
from zoo.card import Card, FileEntry
from zoo.checkpoints import CARD_FILE, MODEL_FILE, file_entry, read_card, root, verify
from zoo.names import clipped, unknown_name_error


def resolve(name_or_path, revision=None, also=()) -> Path:
    """Checkpoint folder or .keras file for a name, a path or an hf://OWNER/REPO address (`also`: files a Hub
    download fetches besides the card and weights, as zoo.hub.download).

    A registry name always means the registry model: the shipped checkpoint, else its pinned Hub revision (the
    local Hugging Face cache first, then a download); `revision` picks another Hub revision. A folder that
    happens to share a registry name needs a path: './vae-mnist' or Path('vae-mnist').
    """
    if revision is not None and not (isinstance(revision, str) and revision.strip()):
        raise ValueError(f"revision must be a Hub branch, tag or commit id (a non-empty string); got {revision!r}.")
    name = str(name_or_path)
    if name.startswith("hf://"):
        return hub.download(hub.parse_hf_uri(name), revision, also=also)
    if isinstance(name_or_path, str) and name in recipes.RECIPES:
        folder = root() / name
        if revision is None and (folder / MODEL_FILE).exists():
            return folder
        pin = hub.pins().get(name)
        if pin:
            return hub.download(pin["repo_id"], revision or pin["revision"], also=also)
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
    raise unknown_name_error(name, recipes.list_models())


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
        if card is None or card.model_sha256 is None:
            warnings.warn(f"{path} has {'no ' + CARD_FILE if card is None else 'a card without a sha256'}: "
                          f"{MODEL_FILE} was loaded unverified (nothing checks it is the file that was written).",
                          UserWarning, stacklevel=3)
        path = model_path
    elif not path.is_file():
        raise ValueError(f"{path} is not a regular file or a checkpoint folder; nothing was loaded.")
    elif path.name == MODEL_FILE and (path.parent / CARD_FILE).is_file():
        verify(path.parent, read_card(path.parent))  # a checkpoint folder's weights file: checked against its card
    import keras

    from zoo import factory  # registers the classes the file names; here to keep `zoo list` Keras-free
    from zoo.models import precision

    precision.check_policy()  # a policy the models cannot run under is the caller's setting, not a bad file
    try:
        with warnings.catch_warnings():
            # A model saved compiled but never trained stores an unbuilt optimizer; Keras warns that it cannot
            # restore its (empty) state. Harmless: the optimizer starts fresh, as it would have anyway.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model = keras.saving.load_model(path, safe_mode=True)
    except Exception as e:
        raise ValueError(f"Could not read {path}: {type(e).__name__}: {clipped(str(e))}. The file may be truncated "
                         "or corrupt, or from a newer zoo; re-download or retrain it.") from None
    if not model.compiled:  # shipped checkpoints are saved without optimizer state
        lr = card.recipe.learning_rate if card and card.recipe else None
        factory.compile_model(model, lr if isinstance(lr, (int, float)) and lr > 0 else registry.LEARNING_RATE)
    if card is not None and card.name:  # a fine-tuned model is called what its card calls it, not its parent's
        name = re.sub(r"[^A-Za-z0-9_.\-]", "_", card.name).lstrip("_-") or model.name  # a name Keras scopes take
        if name != model.name:
            model.name = name
    model.card = card
    model.loaded_from = str(name_or_path) if isinstance(name_or_path, str) else str(Path(name_or_path).expanduser())
    return model


def describe(name_or_path, revision=None) -> tuple[Card, dict]:
    """The card of a checkpoint (a bare .keras file gets one made from the model: no provenance, nothing
    measured) and where its files are, by name."""
    path = resolve(name_or_path, revision)
    folder = path if path.is_dir() else path.parent
    card = read_card(folder) if path.is_dir() else None
    if card is None:
        model = load(path)
        card = Card(name=model.name, kind="autoencoder", dataset=None, params=int(model.count_params()),
                    provenance=None, family=model.family, model_config=model.get_config(),
                    files={path.name: FileEntry(**file_entry(path))})
    paths = {f: str(folder / f) for f in sorted(os.listdir(folder))} if path.is_dir() else {path.name: str(path)}
    return card, paths


def info(name_or_path, revision=None) -> dict:
    """The card of a checkpoint as JSON, plus where its files are ("paths")."""
    card, paths = describe(name_or_path, revision)
    return {**card.to_dict(), "paths": paths}
