#!/usr/bin/env python
"""Measure checkpoints with zoo.evaluation and store the numbers in their card.json (sha256 unchanged).

Usage: evaluate.py NAME [NAME ...] | --all    (then run scripts/make_cards.py)
"""
import argparse

from zoo import checkpoints, data, evaluation, latent_picture, plots, recipes
from zoo.loader import load

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("names", nargs="*", help="model names or wildcards")
    p.add_argument("--all", action="store_true", help="every registered model with a checkpoint")
    p.add_argument("--iwae-images", type=int, help=f"default {evaluation.PROTOCOL['iwae_images']}")
    p.add_argument("--sections", help="comma-separated sections to re-measure on already-measured cards "
                   f"({','.join(evaluation.PARTIAL)}); default: everything")
    p.add_argument("--pictures-only", action="store_true", help="only draw the pictures: latent traversal and latent map (a "
                   "factor dataset's labels come from its measured card)")
    args = p.parse_args()
    patterns = ["*"] if args.all else args.names
    if not patterns:
        p.error("name a model or pass --all")
    names = recipes.expand(patterns)
    protocol = {"iwae_images": args.iwae_images} if args.iwae_images else {}
    for name in names:
        folder = checkpoints.root() / name
        if not (folder / checkpoints.CARD_FILE).exists():
            print(f"skip {name}: no checkpoint (train it first)")
            continue
        print(f"== {name}", flush=True)
        model = load(name)
        card = model.card
        x_test = data.load_split(card["dataset"], "test")[0][:2000]
        rendered = data.DATASETS[card["dataset"]].factors is not None
        if not model.conditional and not rendered:
            plots.traversal(model, x_test, folder / "traversal.png")
            card = checkpoints.record_files(folder, card, ["traversal.png"])
        if not args.pictures_only:
            sections = args.sections.split(",") if args.sections else evaluation.SECTIONS
            card["evaluation"] = evaluation.evaluate(model, card["dataset"], protocol, log=print, sections=sections,
                                                     previous=card.get("evaluation"))
        if rendered:  # one row per unit, labelled with the factor it carries most (measured above)
            scored = card["evaluation"]["disentanglement"]
            labels = plots.unit_labels(model.encode(x_test), scored["details"]["unit_factor_info"], scored["factors"])
            plots.factor_traversal(model, x_test, labels, folder / "traversal.png")
            card = checkpoints.record_files(folder, card, ["traversal.png"])
        latent_picture.plot_latent(model, path=folder / "latent.png")  # where codes and N(0, I) lie
        card = checkpoints.record_files(folder, card, ["latent.png"])
        checkpoints.write_card(folder, card)
