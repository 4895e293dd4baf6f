#!/usr/bin/env python
"""Measure registry checkpoints with the cards' protocol and store the numbers in their card.json (sha256
unchanged): `zoo evaluate` for many models at once.

Usage: evaluate.py NAME [NAME ...] | --all    (then run scripts/make_cards.py)
"""
import argparse

from zoo import checkpoints, evaluation, measuring, recipes

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("names", nargs="*", help="model names or wildcards")
    p.add_argument("--all", action="store_true", help="every registered model with a checkpoint")
    p.add_argument("--iwae-images", type=int, help=f"default {evaluation.PROTOCOL['iwae_images']}")
    p.add_argument("--sections", help="comma-separated sections to re-measure on already-measured cards "
                   f"({','.join(evaluation.PARTIAL)}); default: everything")
    p.add_argument("--test-metrics", action="store_true", help="also measure again the test-split numbers training "
                   "recorded (metrics.test) and redraw the training pictures")
    p.add_argument("--pictures-only", action="store_true", help="only draw the pictures: latent traversal and latent map (a "
                   "factor dataset's labels come from its measured card)")
    args = p.parse_args()
    patterns = ["*"] if args.all else args.names
    if not patterns:
        p.error("name a model or pass --all")
    protocol = {"iwae_images": args.iwae_images} if args.iwae_images else {}
    sections = args.sections.split(",") if args.sections else evaluation.SECTIONS
    for name in recipes.expand(patterns):
        if not (checkpoints.root() / name / checkpoints.CARD_FILE).exists():
            print(f"skip {name}: no checkpoint (train it first)")
            continue
        print(f"== {name}", flush=True)
        measuring.measure(name, protocol, sections, args.pictures_only, log=print, replace_shipped=True,
                          test_metrics=args.test_metrics)
