#!/usr/bin/env python
"""Which code a photo VAE needs: the vae-cifar10 recipe trained from one seed on the same batches with each
variant's changes (code size, a spatial code, the KL's schedule), then measured on test images: the negative
ELBO in bits/dim with its KL, the mean image's PSNR, and the training images/s. Short runs (`--images` per
epoch, `--epochs`): they rank the choices, they are not the shipped models' numbers. Writes
docs/photo_recipes.json.

Usage: python scripts/photo_recipes.py [--variants flat64,flat256,grid4,grid8] [--images 20000] [--epochs 2]
"""
import argparse
import json
import math
import time
from pathlib import Path

import keras

from zoo import data, machine, metrics, outputs, training

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "photo_recipes.json"

# Each variant: the recipe fields it changes (its "options" are merged into the recipe's own).
VARIANTS = {
    "flat64": {},  # as shipped: a 64-unit code after a dense layer at 4x4
    "flat256": {"latent_dim": 256},
    "grid4": {"backbone": "resnet_grid", "latent_dim": 256},  # an 8x8 grid of 4-unit codes
    "grid8": {"backbone": "resnet_grid", "latent_dim": 512},  # an 8x8 grid of 8-unit codes
    "grid8_freebits": {"backbone": "resnet_grid", "latent_dim": 512, "options": {"free_bits": 0.25}},
    "grid8_warmup": {"backbone": "resnet_grid", "latent_dim": 512, "options": {"kl_warmup_steps": 300}},
}


def measure(recipe_name: str, overrides: dict, x, x_test, epochs: int) -> dict:
    """Train `recipe_name` with `overrides` from seed 0 and measure it on x_test."""
    keras.utils.set_random_seed(0)
    recipe = training.resolve_recipe(recipe_name, overrides)
    model = training.build_model(recipe, x.shape[1:])
    start = time.perf_counter()
    history = model.fit(x, epochs=epochs, batch_size=recipe.batch_size, verbose=2).history
    seconds = time.perf_counter() - start
    elbo = metrics.negative_elbo(model, x_test, None, seed=0)
    recon = metrics.reconstruction(model, x_test, None)
    bits = lambda nats: metrics.bits_per_dim(nats, x.shape[1:])  # noqa: E731
    return {"train_img_s": epochs * len(x) / seconds, "parameters": model.count_params(),
            "train_loss_bits_per_dim": bits(history["loss"][-1]),
            "test_neg_elbo_bits_per_dim": bits(elbo["neg_elbo_nats"]), "test_kl_nats": elbo["kl_nats"],
            "test_reconstruction_nll_nats": recon["nll_nats"], "test_mse": recon["mse"],
            "test_psnr_db": 10 * math.log10(1.0 / recon["mse"])}


def short_runs(recipe_name: str, rows_in: dict, args, out: Path):
    """Run every (label -> overrides) of `rows_in` on the first `args.images` training images, writing `out`
    after each."""
    x, _ = data.load_split("cifar10", "train")
    x_test, _ = data.load_split("cifar10", "test")
    x, x_test = x[:args.images], x_test[:args.test_images]
    rows = []
    for label, overrides in rows_in.items():
        rows.append({"variant": label, "changes": overrides, **measure(recipe_name, overrides, x, x_test, args.epochs)})
        print(json.dumps(rows[-1]), flush=True)
        record = {"recipe": recipe_name, "data": data.source("cifar10"), "images": len(x),
                  "test_images": len(x_test), "epochs": args.epochs, "seed": 0, "cpu_model": machine.cpu_model(),
                  "native_bfloat16": machine.native_bfloat16(), "rows": rows}
        outputs.write_text_atomic(out, json.dumps(record, indent=1) + "\n")


def arguments(doc: str, default: str):
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variants", default=default)
    p.add_argument("--images", type=int, default=20000, help="training images (the first of the split)")
    p.add_argument("--test-images", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=2)
    return p.parse_args()


def main():
    args = arguments(__doc__, "flat64,flat256,grid4,grid8")
    unknown = set(args.variants.split(",")) - set(VARIANTS)
    if unknown:
        raise SystemExit(f"Unknown variants {sorted(unknown)}; choose from {sorted(VARIANTS)}.")
    short_runs("vae-cifar10", {v: VARIANTS[v] for v in args.variants.split(",")}, args, OUT)


if __name__ == "__main__":
    main()
