#!/usr/bin/env python
"""The "fine-tune on your own images" walk-through of docs/finetuning.md, measured: write Fashion-MNIST training images as a
folder of PNGs (as a user's own images would be), fine-tune the digit models vae-mnist, ae-mnist and
vqvae-mnist on it with `zoo.finetune`, and measure before and after: reconstruction error on test images, and
sample quality against the Fashion-MNIST test set with its evaluator (FID, validity), next to
vae-fashion_mnist trained from scratch on all 60,000 images. Writes docs/finetune/ (numbers as JSON, pictures)
and docs/finetuning.md's block between the `finetune-demo` markers.

Usage: python scripts/finetune_demo.py [--images 5000] [--epochs 30]
"""
import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

import zoo
from zoo import classifiers, data, metrics, outputs, plots

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "finetune"
BEGIN, END = "<!-- finetune-demo:begin (scripts/finetune_demo.py) -->", "<!-- finetune-demo:end -->"


def write_pngs(folder: Path, n: int) -> Path:
    """The first n Fashion-MNIST training images as PNG files, one subfolder per class."""
    x, y = data.load_split("fashion_mnist", "train")
    for i in range(n):
        d = folder / f"class_{y[i]}"
        d.mkdir(parents=True, exist_ok=True)
        Image.fromarray(x[i][..., 0]).save(d / f"{i:05d}.png")
    return folder


def sample_scores(model, real, ev, n=5000):
    s = metrics.sample_quality(model.sample(n, seed=0), real, ev, full=False)
    return {"fid": round(s["fid"], 2), "validity": round(s["validity"], 3)}


def doc_block(res: dict) -> str:
    rows = ["| model | test MSE | test BCE (nats) | sample FID | sample validity |", "|---|---|---|---|---|"]
    for r in res["runs"]:
        b, a = r["test_before"], r["test_after"]
        rows.append(f"| `{r['parent']}` as shipped | {b['mse']:.4f} | {b['bce_nats']:.1f} | "
                    f"{r['samples_before']['fid']} | {r['samples_before']['validity']} |")
        rows.append(f"| `{r['parent']}` fine-tuned, {r['epochs']} epochs ({r['seconds']:.0f} s) | {a['mse']:.4f} | "
                    f"{a['bce_nats']:.1f} | {r['samples_after']['fid']} | {r['samples_after']['validity']} |")
    s = res["scratch"]
    rows.append(f"| `vae-fashion_mnist` (from scratch, 60,000 images, 60 epochs) | {s['mse']:.4f} | "
                f"{s['bce_nats']:.1f} | {s['samples']['fid']} | {s['samples']['validity']} |")
    return "\n".join([BEGIN, "", "Measured by `python scripts/finetune_demo.py` on a 2-core CPU "
                      f"({res['images']} PNGs, "
                      f"{res['heldout_images']} held out by zoo.finetune; reconstruction of the first 1,000 "
                      "Fashion-MNIST test images, which no model here trained on; FID and validity of 5,000 samples at temperature 1 "
                      "against the Fashion-MNIST test set, in its evaluator's features):", "", *rows, "",
                      "![samples before and after fine-tuning](finetune/samples.png)", "", END])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--images", type=int, default=5000)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--render-only", action="store_true", help="only rewrite docs/finetuning.md's block from results.json")
    args = p.parse_args()
    if args.render_only:
        return write_readme(json.loads((OUT / "results.json").read_text()))
    OUT.mkdir(parents=True, exist_ok=True)
    ev = classifiers.load("fashion_mnist")
    x_test, _ = data.load_split("fashion_mnist", "test")
    real = ev(x_test)
    held = x_test[:1000]  # the test split: no model here trained on it
    res = {"images": args.images, "epochs": args.epochs, "runs": []}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_pngs(Path(tmp) / "my_pngs", args.images)
        for parent in ("vae-mnist", "ae-mnist", "vqvae-mnist"):
            before_model = zoo.load(parent)
            samples_before = sample_scores(before_model, real, ev)
            t0 = time.perf_counter()
            # grey levels, as vae-fashion_mnist was trained (vae-mnist binarizes its digits)
            binarize = False if parent == "vae-mnist" else None
            model, _ = zoo.finetune(parent, folder, epochs=args.epochs, learning_rate=1e-3, binarize=binarize,
                                    out_dir=Path(tmp) / f"{parent}-fashion", verbose=2)
            seconds = time.perf_counter() - t0
            card = model.card
            res["heldout_images"] = card.data.heldout_images
            res["runs"].append({"parent": parent, "epochs": args.epochs, "seconds": round(seconds, 1),
                                "learning_rate": 1e-3,
                                "heldout": {"before": card.metrics.before, "after": card.metrics.values},
                                "test_before": metrics.reconstruction(before_model, held),
                                "test_after": metrics.reconstruction(model, held),
                                "samples_before": samples_before, "samples_after": sample_scores(model, real, ev)})
            rows += [before_model.sample(8, seed=1), model.sample(8, seed=1)]
            if parent == "vae-mnist":
                plots.save_grid(model.sample(64, seed=0), OUT / "vae-mnist-finetuned_samples.png")
    scratch = zoo.load("vae-fashion_mnist")
    res["scratch"] = {**metrics.reconstruction(scratch, held), "samples": sample_scores(scratch, real, ev),
                      "note": "reconstruction measured on the first 1000 Fashion-MNIST test images"}
    rows.append(scratch.sample(8, seed=1))
    plots.save_grid(np.concatenate(rows), OUT / "samples.png", ncol=8)
    outputs.write_text_atomic(OUT / "results.json", json.dumps(res, indent=2) + "\n")
    write_readme(res)


def write_readme(res):
    block = doc_block(res)
    outputs.replace_marked_block(ROOT / "docs" / "finetuning.md", BEGIN, END, block)
    print(block)


if __name__ == "__main__":
    main()
