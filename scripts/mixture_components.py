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
import math
import time
from pathlib import Path

import keras

from zoo import data, machine, metrics, outputs, training

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "mixture_components.json"


def run(k: int, x, x_test, epochs: int) -> dict:
    keras.utils.set_random_seed(0)
    recipe = training.resolve_recipe("vae-cifar10", {"options": {"likelihood_components": k}})
    model = training.build_model(recipe, x.shape[1:])
    start = time.perf_counter()
    history = model.fit(x, epochs=epochs, batch_size=recipe.batch_size, verbose=2).history
    seconds = time.perf_counter() - start
    elbo = metrics.negative_elbo(model, x_test, None, seed=0)
    recon = metrics.reconstruction(model, x_test, None)
    bits = lambda nats: metrics.bits_per_dim(nats, x.shape[1:])  # noqa: E731
    return {"components": k, "train_img_s": epochs * len(x) / seconds,
            "train_loss_bits_per_dim": bits(history["loss"][-1]), "test_neg_elbo_bits_per_dim": bits(elbo["neg_elbo_nats"]),
            "test_kl_nats": elbo["kl_nats"], "test_reconstruction_nll_nats": recon["nll_nats"], "test_mse": recon["mse"],
            "test_psnr_db": 10 * math.log10(1.0 / recon["mse"])}


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
