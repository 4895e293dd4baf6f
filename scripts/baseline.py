#!/usr/bin/env python
"""A model's same-network baseline: its recipe retrained as another family (default: the plain `vae`), scored
by the same likelihood estimator, and stored as the card's `baseline` (an IWAE is worth its cost when its NLL beats the VAE of
the same network). The baseline's weights are not shipped; this script reproduces them.

Usage: baseline.py NAME [--family vae] [--trained DIR]    (then run scripts/make_cards.py)
  --trained DIR  score an already trained checkpoint folder (say, from a GPU run) instead of training one;
                 its recipe must be the baseline recipe this script would train.
"""
import argparse
import json
import tempfile
from pathlib import Path

from zoo import card as card_schema
from zoo import checkpoints, data, metrics, recipes, training
from zoo.loader import load


def check_trained(folder: Path, want: dict) -> None:
    """Refuse a checkpoint folder that was not trained with the baseline recipe `want`."""
    card = checkpoints.read_card(folder)
    if card is None:
        raise SystemExit(f"{folder} has no {checkpoints.CARD_FILE}; pass a checkpoint folder written by train.py.")
    have = card.recipe.to_dict()
    diff = {k: (have.get(k), v) for k, v in want.items() if have.get(k) != v}
    if diff:
        raise SystemExit(f"{folder} was not trained with the baseline recipe; differing fields (its, wanted): "
                         f"{diff}. Train it with: python scripts/train.py {want['name']} --override "
                         f"'{json.dumps(_fields(want))}'")


def _fields(recipe: dict) -> dict:
    return {k: v for k, v in recipe.items() if k not in ("name", "family", "dataset")}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", help="the model whose baseline to measure, e.g. iwae-mnist")
    p.add_argument("--family", default="vae", help="the baseline family (default vae)")
    p.add_argument("--trained", type=Path, help="an already trained baseline checkpoint folder")
    args = p.parse_args()
    folder = checkpoints.root() / recipes.get_recipe(args.name).name
    card = checkpoints.read_card(folder)
    lik = card.evaluation.likelihood if card and card.evaluation else None
    if not lik:
        raise SystemExit(f"{args.name} has no measured likelihood; run scripts/evaluate.py {args.name} first.")
    want = training.same_network_recipe(card.recipe.to_dict(), args.family).to_dict()
    with tempfile.TemporaryDirectory() as tmp:
        if args.trained:
            trained = args.trained
            check_trained(trained, want)
        else:
            trained = training.train(want["name"], tmp, overrides=_fields(want), verbose=2)
        model, base_card = load(trained), checkpoints.read_card(trained)
        x_test, _ = data.load_split(card.dataset, "test")
        scored = card_schema.parse(card_schema.Likelihood, metrics.likelihood(
            model, x_test[: lik.images], k=lik.k, seed=card.evaluation.protocol.seed, binarized=lik.binarized))
    card = card.replace(baseline=card_schema.Baseline(
        family=args.family, recipe=base_card.recipe, likelihood=scored, hardware=base_card.provenance.hardware,
        wall_time_s=base_card.training.wall_time_s,
        reproduce=f"python scripts/baseline.py {args.name}" + ("" if args.family == "vae" else f" --family {args.family}")))
    checkpoints.write_card(folder, card)
    print(f"{args.name}: NLL <= {lik.iwae_nll_nats:.2f}; its {args.family} baseline (same network): "
          f"{scored.iwae_nll_nats:.2f}", flush=True)
