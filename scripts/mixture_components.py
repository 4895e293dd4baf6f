#!/usr/bin/env python
"""How many logistics a photo VAE's decoder needs: the vae-cifar10 recipe trained from one seed on the same
batches with K components in its likelihood, for each K asked, then measured on test images: the negative ELBO
in bits/dim, the reconstruction NLL and the mean image's PSNR, with the training images/s. Short runs
(`--images` per epoch, `--epochs`): they rank the choices, they are not the shipped models' numbers.
Writes docs/mixture_components.json.

Usage: python scripts/mixture_components.py [--components 10,5,2,1] [--images 20000] [--epochs 2]
"""
import argparse
import json
from pathlib import Path

import photo_recipes  # scripts/photo_recipes.py: the short runs' measurement

from zoo import data, machine, outputs

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "mixture_components.json"


def run(k: int, x, x_test, epochs: int) -> dict:
    return {"components": k, **photo_recipes.measure("vae-cifar10", {"options": {"likelihood_components": k}}, x,
                                                     x_test, epochs)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--components", default="10,5,2,1")
    p.add_argument("--images", type=int, default=20000, help="training images (the first of the split)")
    p.add_argument("--test-images", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=2)
    args = p.parse_args()
    x, _ = data.load_split("cifar10", "train")
    x_test, _ = data.load_split("cifar10", "test")
    x, x_test = x[:args.images], x_test[:args.test_images]
    rows = []
    for k in (int(v) for v in args.components.split(",")):
        rows.append(run(k, x, x_test, args.epochs))
        print(json.dumps(rows[-1]), flush=True)
        record = {"recipe": "vae-cifar10", "data": data.source("cifar10"), "images": len(x),
                  "test_images": len(x_test), "epochs": args.epochs, "seed": 0, "cpu_model": machine.cpu_model(),
                  "native_bfloat16": machine.native_bfloat16(), "rows": rows}
        outputs.write_text_atomic(OUT, json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
