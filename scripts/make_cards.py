#!/usr/bin/env python
"""Write MODEL_CARDS.md from the checkpoints' card.json files (run after training)."""
from pathlib import Path

from zoo import cards

if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "MODEL_CARDS.md"
    tmp = out.with_suffix(".md.tmp")
    tmp.write_text(cards.render())
    tmp.replace(out)
    print(f"wrote {out}")
