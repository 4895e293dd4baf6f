"""Publish a model (fine-tuned, or your own) to the Hugging Face Hub as a zoo-format repo."""
from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from zoo import cards, checkpoints, hub, plots


def push_to_hub(model, repo_id: str, commit_message=None, private=False, endpoint=None, token=None) -> str:
    """Publish a (fine-tuned) model as a zoo-format repo: weights, a card naming its parent, a Hub README
    and a sample grid. `zoo.load("hf://" + repo_id)` gets it back. Returns the commit id."""
    hub.parse_hf_uri("hf://" + str(repo_id))  # a bad name fails before anything is written or sent
    parent = model.card or {}

    def fill(tmp):
        model.save(tmp / checkpoints.MODEL_FILE)
        if parent.get("finetune") or parent.get("train"):  # made by zoo.finetune / train_new: keep its record
            card = {**parent, "model_config": model.get_config(), "params": int(model.count_params())}
        else:
            card = {"family": model.family, "dataset": parent.get("dataset"), "params": int(model.count_params()),
                    "model_config": model.get_config(),
                    "parent": ({"name": parent.get("name"), "sha256": checkpoints.model_sha256(parent)}
                               if parent else None)}
        card.update({"name": repo_id.split("/")[-1], "repo_id": repo_id,
                     "pushed": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                     "files": {checkpoints.MODEL_FILE: checkpoints.file_entry(tmp / checkpoints.MODEL_FILE)}})
        (tmp / "README.md").write_text(cards.user_readme(card))
        try:
            plots.save_grid(model.sample(64, seed=0), tmp / "samples.png")
        except RuntimeError:  # a fitted density not fitted yet: publish without the picture
            pass
        return card

    with tempfile.TemporaryDirectory() as scratch:  # the same folder writer as every checkpoint, then uploaded
        folder = Path(scratch) / "repo"
        card = checkpoints.write_folder(folder, fill)
        return hub.publish(folder, repo_id, commit_message or f"Upload {card['name']} with zoo", private, endpoint,
                           token)
