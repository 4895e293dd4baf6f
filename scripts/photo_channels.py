#!/usr/bin/env python
"""Where a photo model's likelihood comes from: each shipped logistic-mixture checkpoint's reconstruction NLL on
test images split into the red channel alone and green and blue given red (the mixture's colour coupling
predicts them from the red value of the same pixel), with the mean image's MSE per channel and PSNR. A model can reach a
good likelihood mostly through that coupling while its red channel, which only the code can tell, stays almost
as uncertain as a uniform guess (8 bits): its mean images are then washed out towards grey.
Writes docs/photo_channels.json (models named on the command line replace their rows only) and docs/photographs.md's
table between the `photo-channels` markers.

Usage: python scripts/photo_channels.py [MODEL ...] [--images 10000]   (default: every *-cifar10 checkpoint)
"""
import argparse
import json
import math
from pathlib import Path

import numpy as np
from keras import ops

import zoo
from zoo import data, metrics, outputs

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "photo_channels.json"
BEGIN, END = "<!-- photo-channels:begin (scripts/photo_channels.py) -->", "<!-- photo-channels:end -->"


def split(model, x, labels, batch=250) -> dict:
    """Mean nats per image: all channels, red alone, green and blue given red; bits per red value; the mean
    image's MSE per channel and its PSNR (dB, the mean over images, as zoo.metrics.psnr)."""
    lik, y = model.likelihood, model.one_hot_labels(labels, len(x))
    total, red, sq, psnr = 0.0, 0.0, np.zeros(x.shape[-1]), 0.0
    for i in range(0, len(x), batch):
        xb = x[i:i + batch]
        yb = None if y is None else y[i:i + batch]
        out = model.reconstruction_output(xb, yb)
        total += float(np.sum(ops.convert_to_numpy(lik.nll(xb, out))))
        red += float(np.sum(ops.convert_to_numpy(lik.marginal_nll(xb, out, 1))))
        mean = ops.convert_to_numpy(lik.mean(out))
        sq += np.sum((mean - xb) ** 2, axis=(0, 1, 2))
        psnr += metrics.psnr(xb, mean) * len(xb)
    n, pixels = len(x), math.prod(x.shape[1:3])
    return {"nats": total / n, "red_nats": red / n, "green_blue_given_red_nats": (total - red) / n,
            "red_bits_per_value": red / n / pixels / math.log(2),
            "mse_per_channel": [float(v) for v in sq / (n * pixels)], "psnr_db": psnr / n, "images": n}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("models", nargs="*")
    p.add_argument("--images", type=int, default=10000, help="test images (the first N of the split; all by default)")
    args = p.parse_args()
    x, labels = data.load_split("cifar10", "test")
    x, labels = x[:args.images].astype("float32") / 255.0, labels[:args.images]
    rows = json.loads(OUT.read_text()) if args.models and OUT.exists() else {}  # named models: the others stay
    for name in args.models or zoo.list_models("*-cifar10"):
        model = zoo.load(name)
        rows[name] = split(model, x, labels if model.conditional else None)
    rows = dict(sorted(rows.items()))
    outputs.write_text_atomic(OUT, json.dumps(rows, indent=1) + "\n")
    block = doc_block(rows)
    outputs.replace_marked_block(ROOT / "docs" / "photographs.md", BEGIN, END, block)
    print(block)


def doc_block(rows: dict) -> str:
    """docs/photographs.md's table of the measured split, between its markers."""
    lines = [BEGIN, "| model | NLL (nats) | red alone | green, blue given red | bits per red value | "
             "mean-image MSE (R, G, B) | PSNR (dB) |", "|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['nats']:,.0f} | {r['red_nats']:,.0f} | {r['green_blue_given_red_nats']:,.0f} | "
                     f"{r['red_bits_per_value']:.2f} | {', '.join(f'{v:.4f}' for v in r['mse_per_channel'])} | "
                     f"{r['psnr_db']:.1f} |")
    return "\n".join([*lines, END])


if __name__ == "__main__":
    main()
