"""Publish a model (fine-tuned, or your own) to the Hugging Face Hub as a zoo-format repo."""
from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from zoo import checkpoints, hub, training, writer


def push_to_hub(model, repo_id: str, commit_message=None, private=False, endpoint=None, token=None) -> str:
    """Publish a (fine-tuned) model as a zoo-format repo: weights, a card naming its parent, a Hub README
    and a sample grid. `zoo.load("hf://" + repo_id)` gets it back. Returns the commit id."""
    hub.parse_hf_uri("hf://" + str(repo_id))  # a bad name fails before anything is written or sent
    parent = model.card or {}

    if parent.get("finetune") or parent.get("train"):  # made by zoo.finetune / train_new: keep its record
        card = {**parent, **writer.model_fields(model)}
    else:
        card = {**writer.model_fields(model), "dataset": parent.get("dataset"), **training.provenance(),
                "parent": ({"name": parent.get("name"), "sha256": checkpoints.model_sha256(parent)}
                           if parent else None)}
    card.update({"name": repo_id.split("/")[-1], "repo_id": repo_id,
                 "pushed": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")})
    with tempfile.TemporaryDirectory() as scratch:  # the same folder writer as every checkpoint, then uploaded
        folder = Path(scratch) / "repo"
        card = writer.write_checkpoint(folder, model, card, readme=True)
        return hub.publish(folder, repo_id, commit_message or f"Upload {card['name']} with zoo", private, endpoint,
                           token)
