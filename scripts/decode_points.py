#!/usr/bin/env python
"""Which point of a logistic-mixture decoder's distribution reconstructs photographs best: for each test image's
decoder output (from its code's mean), the mixture's mean (what `decode` returns), the mean of its most
probable component, the component with the highest density peak (weight / scale), one 8-bit draw, and the
mean of 16 draws; scored by the mean squared error per pixel and the PSNR of that error.
Writes docs/decode_points.json.

Usage: python scripts/decode_points.py [MODEL] [--images 1000]   (default: vae-cifar10)
"""
import argparse
import json
import math
from pathlib import Path

import numpy as np
from keras import ops

import zoo
from zoo import data, outputs

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "decode_points.json"


def points(model, x, rng) -> dict:
    """name -> images in [0, 1] (N, H, W, C): the candidate point estimates of the decoder's distribution."""
    lik, out = model.likelihood, model.reconstruction_output(x)
    c = x.shape[-1]
    logit_pi, loc, log_s, coeff = lik._parts(out, c)
    means = ops.convert_to_numpy(lik._coupled(loc, coeff, c))  # (N, H, W, c, K) on [-1, 1]
    pi = ops.convert_to_numpy(ops.softmax(logit_pi, axis=-1))[..., None, :]  # (N, H, W, 1, K)
    scale = np.exp(np.maximum(ops.convert_to_numpy(log_s), -7.0))

    def pick(index):  # each channel's mean in the component `index` names (N, H, W, 1 or c, 1)
        return (np.take_along_axis(means, np.broadcast_to(index, (*means.shape[:-1], 1)), -1)[..., 0] + 1) / 2

    return {"mixture mean (decode)": ops.convert_to_numpy(lik.mean(out)),
            "most probable component's mean": pick(np.argmax(pi, -1)[..., None]),
            "highest-peak component's mean": pick(np.argmax(pi / scale, -1)[..., None]),
            "one 8-bit draw": lik.draw(out, rng),
            "mean of 16 draws": np.mean([lik.draw(out, rng) for _ in range(16)], 0)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", default="vae-cifar10")
    p.add_argument("--images", type=int, default=1000)
    args = p.parse_args()
    model = zoo.load(args.model)
    x, _ = data.load_split(model.card.dataset, "test")
    x = x[:args.images].astype("float32") / 255.0
    rows = []
    for name, image in points(model, x, np.random.default_rng(0)).items():
        mse = float(np.mean((np.clip(image, 0.0, 1.0) - x) ** 2))
        rows.append({"point": name, "mse": mse, "psnr_db": 10 * math.log10(1.0 / mse)})
        print(f"{name:32s} MSE {mse:.4f}  PSNR {rows[-1]['psnr_db']:.2f} dB", flush=True)
    record = {"model": args.model, "data": data.source(model.card.dataset), "test_images": len(x), "rows": rows}
    outputs.write_text_atomic(OUT, json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
