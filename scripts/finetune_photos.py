#!/usr/bin/env python
"""Which start is better for a user's photographs: a model trained on photographs (vae-cifar10) or one trained
on digits (vae-mnist)? Both are fine-tuned with `zoo.finetune`'s defaults on the same colour photographs,
which neither saw: 32x32 crops of the two photographs that ship with scikit-learn (china.jpg, flower.jpg), and
measured on crops held out from that fine-tuning. Each model's output is compared with the colour crop the
user gave (a digit model's grey 28x28 reconstruction is resized and repeated into colour: what the user gets
back). Then the photo model's learning-rate sweep, three seeds per rate, which chose the default rate of models
with the logistic-mixture likelihood (`zoo.registry.PHOTO_FINETUNE_RATE`).
Writes docs/finetune/photos.json, docs/finetune/photos.png and docs/photographs.md's block between the
`finetune-photos` markers.

Usage: python scripts/finetune_photos.py [--render-only]
"""
import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

import zoo
from zoo import metrics, outputs, plots

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "finetune"
BEGIN, END = "<!-- finetune-photos:begin (scripts/finetune_photos.py) -->", "<!-- finetune-photos:end -->"
RUNS = ("vae-cifar10", "vae-mnist")  # each fine-tuned with zoo.finetune's defaults
SWEEP = ("vae-cifar10", (1e-3, 3e-4, 1e-4, 3e-5), (0, 1, 2))  # the photo model: rates, and seeds at each
HELD = 0.2  # share of the crops held out, by position: every fifth crop


def crops(size=32, stride=32) -> np.ndarray:
    """Non-overlapping size x size crops of scikit-learn's two sample photographs, uint8 (N, size, size, 3)."""
    from sklearn.datasets import load_sample_images

    out = []
    for image in load_sample_images().images:
        h, w, _ = image.shape
        out += [image[i:i + size, j:j + size] for i in range(0, h - size + 1, stride)
                for j in range(0, w - size + 1, stride)]
    return np.stack(out)


def as_given(images, shape) -> np.ndarray:
    """A model's output images (N, h, w, c) in [0, 1] as the user's 32x32 colour crops: resized, grey repeated."""
    h, w = shape[:2]
    out = []
    for a in np.asarray(images):
        a8 = np.round(np.clip(a, 0, 1) * 255).astype("uint8")
        a8 = a8[..., 0] if a8.shape[-1] == 1 else a8
        img = Image.fromarray(a8)
        if a8.shape[:2] != (h, w):
            img = img.resize((w, h), Image.BILINEAR)
        arr = np.asarray(img.convert("RGB"), "float32") / 255.0
        out.append(arr)
    return np.stack(out)


def measure(model, held) -> dict:
    """MSE per pixel of the model's reconstructions of the held-out crops, against the colour crops; for a
    model with the logistic-mixture likelihood also its loss on them (-ELBO) in bits per dimension."""
    target = held.astype("float32") / 255.0
    rec = as_given(model.reconstruct(model_input(model, held)), held.shape[1:])
    out = {"mse_vs_colour_crops": round(float(np.mean((rec - target) ** 2)), 5)}
    if model.likelihood.name == "logistic_mixture":
        nats = model.evaluate(model_input(model, held), batch_size=128, verbose=0, return_dict=True)["loss"]
        out["neg_elbo_bits_per_dim"] = round(metrics.bits_per_dim(nats, held.shape[1:]), 4)
    return out


def model_input(model, images):
    return zoo.data.adapt_images(images, model.image_shape, log=lambda *_: None)


def doc_block(res: dict) -> str:
    rows = ["| start | learning rate | held-out MSE before | after fine-tuning | fine-tuning time |",
            "|---|---|---|---|---|"]
    for r in res["runs"]:
        rows.append(f"| `{r['parent']}` | {r['learning_rate']:g} (its default) | {r['before']['mse_vs_colour_crops']:.4f} | "
                    f"{r['after']['mse_vs_colour_crops']:.4f} | {r['seconds']:.0f} s |")
    sweep = res["sweep"]
    by_rate = {}
    for r in sweep["runs"]:
        by_rate.setdefault(r["learning_rate"], []).append(r["after"])
    seeds = len(next(iter(by_rate.values())))
    before = sweep["before"]
    table = ["| learning rate | held-out -ELBO, bits/dim: mean | each seed | held-out MSE: mean | each seed |",
             "|---|---|---|---|---|",
             f"| (before) | {before['neg_elbo_bits_per_dim']:.3f} | | {before['mse_vs_colour_crops']:.4f} | |"]
    for rate, runs in by_rate.items():
        bpd, mse = ([r[k] for r in runs] for k in ("neg_elbo_bits_per_dim", "mse_vs_colour_crops"))
        table.append(f"| {rate:g} | {np.mean(bpd):.3f} | {', '.join(f'{v:.3f}' for v in bpd)} | "
                     f"{np.mean(mse):.4f} | {', '.join(f'{v:.4f}' for v in mse)} |")
    return "\n".join([
        BEGIN, "",
        f"Measured by `python scripts/finetune_photos.py` on a 2-core CPU: {res['train_crops']} 32x32 crops of the "
        "two photographs that ship with scikit-learn (`china.jpg`, `flower.jpg`; no model here saw them) "
        f"fine-tune each model with `zoo.finetune`'s defaults ({res['epochs']} epochs); {res['held_crops']} other "
        "crops of the same photographs are held out, and each model's reconstructions of them are compared with "
        "the colour crops (MSE per pixel; the digit model's grey 28x28 output is resized and repeated into colour, "
        "which is what it can give back):", "", *rows, "",
        "![held-out crops (top row), then the reconstructions after fine-tuning, a row per line of the table]"
        "(finetune/photos.png)", "",
        f"The sweep that chose the photo models' default rate: `{sweep['parent']}` fine-tuned the same way at each "
        f"rate, {seeds} seeds each (the seed draws the fine-tune's own validation images and its batches), "
        "measured on the held-out crops by the model's own loss (the negative ELBO: what it trains on, and a "
        "bound on its likelihood) and by the reconstructions' MSE:", "",
        *table, "", END])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--render-only", action="store_true", help="only rewrite docs/photographs.md's block from photos.json")
    args = p.parse_args()
    if args.render_only:
        return write_readme(json.loads((OUT / "photos.json").read_text()))
    images = crops()
    held_mask = np.arange(len(images)) % int(1 / HELD) == 0
    train, held = images[~held_mask], images[held_mask]
    res = {"train_crops": int(len(train)), "held_crops": int(len(held)), "runs": []}
    shown = held[np.linspace(0, len(held) - 1, 8).astype(int)]  # spread over both photographs
    rows = [shown.astype("float32") / 255.0]
    with tempfile.TemporaryDirectory() as tmp:
        for i, parent in enumerate(RUNS):
            before = measure(zoo.load(parent), held)
            t0 = time.perf_counter()
            model, _ = zoo.finetune(parent, train, out_dir=Path(tmp) / f"run{i}", verbose=0)
            res["epochs"] = model.card.lineage.settings["epochs"]
            res["runs"].append({"parent": parent, "learning_rate": model.card.lineage.settings["learning_rate"],
                                "default_rate": True, "seconds": round(time.perf_counter() - t0, 1),
                                "before": before, "after": measure(model, held),
                                "card_heldout": {"before": model.card.metrics.before,
                                                 "after": model.card.metrics.values}})
            rows.append(as_given(model.reconstruct(model_input(model, shown)), held.shape[1:]))
        parent, rates, seeds = SWEEP
        res["sweep"] = {"parent": parent, "before": measure(zoo.load(parent), held), "runs": []}
        for rate in rates:
            for seed in seeds:
                model, _ = zoo.finetune(parent, train, learning_rate=rate, seed=seed,
                                        out_dir=Path(tmp) / f"sweep-{rate:g}-{seed}", verbose=0)
                res["sweep"]["runs"].append({"learning_rate": rate, "seed": seed, "after": measure(model, held)})
                print(res["sweep"]["runs"][-1], flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    plots.save_grid(np.concatenate(rows), OUT / "photos.png", ncol=8)
    outputs.write_text_atomic(OUT / "photos.json", json.dumps(res, indent=2) + "\n")
    write_readme(res)


def write_readme(res):
    block = doc_block(res)
    outputs.replace_marked_block(ROOT / "docs" / "photographs.md", BEGIN, END, block)
    print(block)


if __name__ == "__main__":
    main()
