#!/usr/bin/env python
"""Choose fine-tuning defaults by measurement: for one shipped model of every family, fine-tune on a few new
images of a dataset it never saw (Fashion-MNIST for the MNIST models, shapes3d in grey for the dsprites ones)
for a few epochs at several learning rates and batch sizes, and measure the reconstruction error on 1,000 test
images of that dataset before and after. Writes docs/finetune_defaults.json and docs/finetuning.md's table between the
`finetune-defaults` markers.

Usage: python scripts/finetune_defaults.py [--images 1500] [--epochs 5] [--families vae ae ...]
"""
import argparse
import json
import time
from pathlib import Path

import zoo
from zoo import data, factory, metrics, outputs, progress

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "finetune_defaults.json"
BEGIN, END = "<!-- finetune-defaults:begin (scripts/finetune_defaults.py) -->", "<!-- finetune-defaults:end -->"
SETTINGS = [(1e-4, 128), (1e-3, 128), (3e-3, 128), (3e-4, 32), (1e-3, 32), (3e-3, 32)]  # (learning rate, batch size)
NEW = {"mnist": "fashion_mnist", "dsprites": "shapes3d"}


def model_of(family: str) -> str:
    """The family's shipped model on MNIST, else on dsprites."""
    names = [n for n in zoo.list_models(f"{family}-*") if n.split("-", 1)[1] in NEW]
    return sorted(names, key=lambda n: list(NEW).index(n.split("-", 1)[1]))[0]


def new_images(dataset: str, n: int, test: int):
    """(train images, labels), (test images, labels) of the new dataset."""
    if dataset == "shapes3d":
        x, f = data.factor_sample(dataset, n + test, seed=7)
        y = f[:, 4]  # shape, as a class for the conditional families (none of these is conditional)
    else:
        x, y = data.load_split(dataset, "train")
        xt, yt = data.load_split(dataset, "test")
        return (x[:n], y[:n]), (xt[:test], yt[:test])
    return (x[:n], y[:n]), (x[n:], y[n:])


def measure(name: str, images: int, epochs: int, settings=SETTINGS) -> dict:
    base = zoo.load(name)
    (x, y), (xt, yt) = new_images(NEW[base.card.dataset], images, 1000)
    quiet = lambda *a: None  # noqa: E731
    xt = data.adapt_images(xt, base.image_shape, log=quiet)
    labels = yt if base.conditional else None
    before = metrics.reconstruction(base, xt, labels)["mse"]
    rows = []
    for lr, batch in settings:
        model = zoo.load(name)
        t0 = time.perf_counter()
        zoo.finetune(model, (x, y) if model.conditional else x, epochs=epochs, learning_rate=lr, batch_size=batch,
                     prior_epochs=1, verbose=0, log=quiet)
        after = metrics.reconstruction(model, xt, labels)["mse"]
        rows.append({"learning_rate": lr, "batch_size": batch, "test_mse": after, "cut": 1 - after / before,
                     "seconds": round(time.perf_counter() - t0, 1)})
        print(f"  {name} lr {lr:g} batch {batch}: test MSE {before:.4f} -> {after:.4f} ({rows[-1]['cut']:.0%})",
              flush=True)
    return {"model": name, "new_dataset": NEW[base.card.dataset], "test_mse_before": before, "runs": rows,
            "default": {"learning_rate": factory.get_family(base.family).finetune_learning_rate,
                        "batch_size": factory.get_family(base.family).finetune_batch_size}}


def table(results: dict, images: int, epochs: int) -> str:
    head = ["family", "model", "new data", "MSE before"] + [f"lr {lr:g}, batch {b}" for lr, b in SETTINGS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for family, r in results.items():
        d = r["default"]
        runs = {(run["learning_rate"], run["batch_size"]): run for run in r["runs"]}
        cells = []
        for setting in SETTINGS:
            run = runs.get(setting)
            cell = "–" if run is None else f"{run['test_mse']:.4f} ({run['cut']:.0%})"
            if run is not None and setting == (d["learning_rate"], d["batch_size"]):
                cell = f"**{cell}**"
            cells.append(cell)
        lines.append(f"| {family} | {r['model']} | {r['new_dataset']} | {r['test_mse_before']:.4f} | " + " | ".join(cells) + " |")
    return (f"Test MSE per pixel on 1,000 test images of the new dataset after {epochs} epochs on its first {images:,} "
            "training images (10% of them held out by `finetune`), and the share of the error cut; bold: the "
            "family's default; –: not measured (the slower families ran the first default and the chosen one "
            "only).\n\n" + "\n".join(lines))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--images", type=int, default=1500)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--families", nargs="*", help="default: every family with an MNIST or dsprites model")
    p.add_argument("--quick", action="store_true", help="measure only the old default and the best setting "
                   "(lr 1e-3, batch 32), for the slower families")
    p.add_argument("--table-only", action="store_true", help="only rewrite docs/finetuning.md's table from the JSON "
                   "(after the defaults change)")
    args = p.parse_args()
    progress.set_enabled(False)
    families = [] if args.table_only else args.families or sorted(
        {zoo.info(n)["family"] for n in zoo.list_models() if n.split("-", 1)[1] in NEW and not n.startswith("evaluator")})
    results = json.loads(OUT.read_text()).get("results", {}) if OUT.exists() else {}
    for r in results.values():  # the defaults as the code has them now
        family = factory.get_family(zoo.info(r["model"])["family"])
        r["default"] = {"learning_rate": family.finetune_learning_rate, "batch_size": family.finetune_batch_size}
    for family in families:
        settings = [SETTINGS[0], (1e-3, 32)] if args.quick else SETTINGS
        results[family] = measure(model_of(family), args.images, args.epochs, settings)
        outputs.write_text_atomic(OUT, json.dumps({"images": args.images, "epochs": args.epochs, "results": results}, indent=1))
    block = f"{BEGIN}\n{table(dict(sorted(results.items())), args.images, args.epochs)}\n{END}"
    outputs.replace_marked_block(ROOT / "docs" / "finetuning.md", BEGIN, END, block)
