#!/usr/bin/env python
"""How much a conditional model's decoder reads the class label: codes drawn from N(0, I) are decoded under every
class, and the pixel variance across the classes at a fixed code is set against the variance across codes at a
fixed class. A decoder that draws the class asked for moves the picture with the label; one whose code already
carries the class (the encoder saw the image) can learn to ignore it, and then sampling a chosen class fails.

Usage: python scripts/label_use.py [MODEL ...] [--codes 200]   (default: every cvae checkpoint)
"""
import argparse
import json
from pathlib import Path

import numpy as np

import zoo
from zoo import outputs

OUT = Path(__file__).resolve().parents[1] / "docs" / "label_use.json"


def label_use(model, codes=200, seed=0) -> dict:
    """Pixel variance across classes at a fixed code, across codes at a fixed class, and their ratio."""
    z = np.random.default_rng(seed).standard_normal((codes, model.latent_dim)).astype("float32")
    images = np.stack([model.decode(z, np.full(codes, c)) for c in range(model.num_classes)])  # (classes, codes, ...)
    across_labels, across_codes = float(images.var(axis=0).mean()), float(images.var(axis=1).mean())
    return {"variance_across_labels": across_labels, "variance_across_codes": across_codes,
            "ratio": across_labels / across_codes, "codes": codes}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("models", nargs="*")
    p.add_argument("--codes", type=int, default=200)
    args = p.parse_args()
    rows = {name: label_use(zoo.load(name), args.codes) for name in args.models or zoo.list_models("cvae-*")}
    outputs.write_text_atomic(OUT, json.dumps(rows, indent=1) + "\n")
    for name, r in rows.items():
        print(f"{name}: across classes {r['variance_across_labels']:.5f}, across codes "
              f"{r['variance_across_codes']:.5f}, ratio {r['ratio']:.3f}")


if __name__ == "__main__":
    main()
