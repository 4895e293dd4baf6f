#!/usr/bin/env python
"""Write MODEL_CARDS.md and checkpoints/NAME/README.md from the card.json files (after train/evaluate),
and draw docs/compare_DATASET.png (zoo.compare's picture of every model of a dataset)."""
from pathlib import Path

import zoo
from zoo import cards, data

if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    for path in cards.write_all(root):
        print(f"wrote {path}")
    for dataset in data.DATASETS:
        names = zoo.list_models(f"*-{dataset}")
        out = root / "docs" / f"compare_{dataset}.png"
        zoo.compare(names, figure=out, compute_missing=False)
        print(f"wrote {out}")
