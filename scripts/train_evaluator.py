#!/usr/bin/env python
"""Maintainers' tool: train the evaluator classifiers into the shipped checkpoints/evaluator-DATASET/ (what
`zoo train-evaluator DATASET -o DIR` does for anyone else; zoo.classifiers.train).

Usage: train_evaluator.py mnist fashion_mnist cifar10 [--epochs N] [--out DIR]
"""
import argparse
from pathlib import Path

from zoo import checkpoints, classifiers, data

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("datasets", nargs="+", choices=data.DATASETS)
    p.add_argument("--epochs", type=int, default=classifiers.EPOCHS)
    p.add_argument("--out", help="folder to write evaluator-DATASET/ into (default: the shipped checkpoints folder)")
    p.add_argument("--verbose", type=int, default=2)
    args = p.parse_args()
    for dataset in args.datasets:
        root = Path(args.out) if args.out else checkpoints.root()
        card = classifiers.train(dataset, root / f"evaluator-{dataset}", args.epochs, args.verbose,
                                 replace_shipped=args.out is None)
        print(f"== {card.name}: test accuracy {card.metrics.values['accuracy']:.4f} "
              f"({card.training.wall_time_s:.0f} s)", flush=True)
