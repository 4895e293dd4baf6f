"""Publish a model (fine-tuned, or your own) to the Hugging Face Hub as a zoo-format repo."""
from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from zoo import card as card_schema
from zoo import hub, writer


def push_to_hub(model, repo_id: str, commit_message=None, private=False, endpoint=None, token=None) -> str:
    """Publish a (fine-tuned) model as a zoo-format repo: weights, a card naming its parent, a Hub README
    and a sample grid. `zoo.load("hf://" + repo_id)` gets it back. Returns the commit id."""
    hub.parse_hf_uri("hf://" + str(repo_id))  # a bad name fails before anything is written or sent
    parent = model.card
    name = repo_id.split("/")[-1]
    pushed = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    if parent is not None and parent.lineage is not None:  # made by zoo.finetune / train_new: keep its record
        fresh = writer.model_card(model, name, parent.dataset)
        card = parent.replace(name=name, params=fresh.params, family=fresh.family, model_config=fresh.model_config,
                              likelihood=fresh.likelihood, files={})
    else:
        card = writer.model_card(model, name, parent.dataset if parent else None,
                                 parent=card_schema.Parent(parent.name, parent.model_sha256) if parent else None)
    card = card.replace(repo_id=repo_id, pushed=pushed)
    with tempfile.TemporaryDirectory() as scratch:  # the same folder writer as every checkpoint, then uploaded
        folder = Path(scratch) / "repo"
        card = writer.write_checkpoint(folder, model, card, readme=True)
        return hub.publish(folder, repo_id, commit_message or f"Upload {card.name} with zoo", private, endpoint,
                           token)
