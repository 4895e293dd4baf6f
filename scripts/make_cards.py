#!/usr/bin/env python
"""Write MODEL_CARDS.md and checkpoints/NAME/README.md from the card.json files (after train/evaluate)."""
from pathlib import Path

from zoo import cards

if __name__ == "__main__":
    for path in cards.write_all(Path(__file__).resolve().parents[1]):
        print(f"wrote {path}")
