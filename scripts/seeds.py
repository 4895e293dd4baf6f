#!/usr/bin/env python
"""Train a shipped factor-dataset model again with other seeds, score each run for disentanglement, and record
the runs in the shipped card (its `seeds`), so the tables show the spread that seeds alone cause (Locatello
et al. 2019's main finding). Each run gets as many epochs as the shipped checkpoint had; the runs' checkpoints
are kept out of the repository, under checkpoints/.seeds/.

Usage: seeds.py NAME [NAME ...] [--seeds 1 2]    (then run scripts/make_cards.py)
"""
import argparse

from zoo import checkpoints, evaluation, loader, recipes, training
from zoo.card import SeedRun

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("names", nargs="+", help="model names or wildcards, e.g. beta_vae-dsprites")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2], help="seeds besides the shipped one's")
    p.add_argument("--verbose", type=int, default=2)
    args = p.parse_args()
    scratch = checkpoints.root() / ".seeds"
    for name in recipes.expand(args.names):
        folder = checkpoints.root() / name
        card = checkpoints.read_card(folder)
        if card is None or not card.evaluation or not card.evaluation.disentanglement:
            raise SystemExit(f"{name}: train and evaluate it first (scripts/train.py, scripts/evaluate.py).")
        runs = {run.seed: run for run in card.seeds or []}
        runs[card.recipe.seed] = SeedRun(card.recipe.seed, card.evaluation.disentanglement.scores)
        for seed in args.seeds:
            if seed in runs:
                continue
            print(f"== {name}, seed {seed}", flush=True)
            out = training.train(name, scratch / f"seed{seed}", epochs=card.training.epochs,
                                 verbose=args.verbose, overrides={"seed": seed}, replace_shipped=True)
            scored = evaluation.evaluate_rendered(loader.load(out), card.dataset)
            runs[seed] = SeedRun(seed, scored["disentanglement"]["scores"], checkpoints.read_card(out).training.steps)
            card = checkpoints.read_card(folder).replace(seeds=[runs[s] for s in sorted(runs)])
            checkpoints.write_card(folder, card)  # after every run: a killed script keeps what it measured
