"""The Hugging Face Hub: download checkpoints (pinned revision, cached, sha256-verified, offline-aware) and
publish checkpoint folders. All transfers go through huggingface_hub; this module knows no model code.

A zoo-format repo holds `model.keras` and `card.json` (whose `files.model.keras.sha256` is checked before
anything is deserialised), plus README.md (the Hub model card) and pictures.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from zoo import checkpoints

PINS_FILE = Path(__file__).resolve().parent / "hub_revisions.json"  # name -> {repo_id, revision}
DEFAULT_ORG = "zoo"
UPLOAD_PATTERNS = ["model.keras", "card.json", "README.md", "*.png", "history.csv"]


class HubError(RuntimeError):
    """A Hub download or upload that cannot go ahead, with what to do about it."""


def pins(path=None) -> dict:
    """The pinned Hub repo and commit of each published model (written by scripts/publish.py)."""
    path = Path(path or os.environ.get("ZOO_HUB_PINS") or PINS_FILE)
    return json.loads(path.read_text()) if path.exists() else {}


def write_pins(table: dict, path=None) -> Path:
    path = Path(path or os.environ.get("ZOO_HUB_PINS") or PINS_FILE)
    return checkpoints.write_text_atomic(path, json.dumps(dict(sorted(table.items())), indent=2) + "\n")


def parse_hf_uri(uri: str) -> str:
    """'hf://OWNER/REPO' -> 'OWNER/REPO', checked against the Hub's naming rules before any network call."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    repo_id = uri[len("hf://"):].strip("/")
    bad = repo_id.count("/") != 1 or not all(repo_id.split("/"))
    if not bad:
        try:
            validate_repo_id(repo_id)
        except HFValidationError:
            bad = True
    if bad:
        raise ValueError(f"{uri!r} is not a Hub model address: use hf://OWNER/REPO with letters, digits, '-', '_' "
                         "and '.', e.g. hf://zoo/vae-mnist.")
    return repo_id


def download(repo_id: str, revision: str | None = None, cache_dir=None, endpoint=None, also=()) -> Path:
    """Fetch card.json and model.keras of a zoo-format repo into the HF cache (reused when present) and
    verify the weights' sha256 against the card. Returns the snapshot folder. `also`: more files of the repo
    to fetch from the same commit (history.csv, to continue a training)."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    at = f"{repo_id}@{revision or 'main'}"

    def fetch(filename, rev):
        return Path(hf_hub_download(repo_id, filename, revision=rev, cache_dir=cache_dir, endpoint=endpoint))

    try:
        card_path = fetch(checkpoints.CARD_FILE, revision)
        # Take the weights from the very commit the card came from, even if the branch moves meanwhile.
        model_path = fetch(checkpoints.MODEL_FILE, card_path.parent.name)
        for filename in also:
            fetch(filename, card_path.parent.name)
    except LocalEntryNotFoundError:
        raise HubError(f"{at} is not in the local Hugging Face cache and the Hub cannot be reached "
                       "(offline: HF_HUB_OFFLINE=1, or no network). Load it once with network access; "
                       "later loads work offline.") from None
    except RevisionNotFoundError:
        raise HubError(f"{repo_id} has no revision {revision!r}.") from None
    except RepositoryNotFoundError:
        raise HubError(f"No Hub model repo {repo_id!r} (or it is private: log in with `hf auth login`).") from None
    except EntryNotFoundError:
        raise HubError(f"{at} is not a zoo-format repo: it needs {checkpoints.CARD_FILE} and "
                       f"{checkpoints.MODEL_FILE} (publish with zoo.push_to_hub).") from None
    except Exception as e:  # the transport failed mid-way (connection dropped, timeout, HTTP error)
        raise HubError(f"Downloading {at} failed: {type(e).__name__}: {e}. huggingface_hub keeps partial data "
                       "only as *.incomplete files, which are never loaded; retry with a working connection."
                       ) from e
    if model_path.parent != card_path.parent:
        raise HubError(f"{at}: card and weights came from different snapshots; retry.")
    card = checkpoints.read_card(card_path.parent)
    if card is None:
        raise HubError(f"{at}: the repo has no {checkpoints.CARD_FILE}; it is not a zoo-format repo.")
    checkpoints.verify(card_path.parent, card)  # raises, naming the file and both hashes
    return card_path.parent


def publish(folder: Path, repo_id: str, commit_message: str, private=False, endpoint=None, token=None) -> str:
    """Create or update `repo_id` from a checkpoint folder; returns the commit it is at. Unchanged files
    make no new commit (huggingface_hub skips them)."""
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint, token=token)
    api.create_repo(repo_id, private=private, exist_ok=True)
    info = api.upload_folder(repo_id=repo_id, folder_path=str(folder), allow_patterns=UPLOAD_PATTERNS,
                             commit_message=commit_message)
    return info.oid
