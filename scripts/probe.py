#!/usr/bin/env python
"""A quick tuning probe: train one family with chosen settings (not a registry recipe), then score its own
samples and its reconstructions with the dataset's evaluator. Nothing is written to checkpoints/.

Usage: probe.py FAMILY DATASET --latent 8 --epochs 30 [--batch 128] [--options '{"mmd_weight": 100}'] [--samples 5000] [--lr-decay]
"""
import argparse
import json
import time

import keras

from zoo import classifiers, data, metrics
from zoo.factory import create

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("family")
    p.add_argument("dataset")
    p.add_argument("--latent", type=int, default=16)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--options", default="{}", help="family options as JSON")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--samples", type=int, default=5000)
    p.add_argument("--lr-decay", action="store_true",
                   help="cosine-decay the learning rate from 1e-3 to 1e-5 over the run (default: constant 1e-3)")
    p.add_argument("--save", help="also save the trained model to this .keras path")
    args = p.parse_args()
    opts = json.loads(args.options)
    keras.utils.set_random_seed(0)
    x_train, _ = data.load_split(args.dataset, "train")
    x_test, _ = data.load_split(args.dataset, "test")
    model = create(args.family, input_shape=x_train.shape[1:], latent_dim=args.latent, **opts)
    if args.lr_decay:
        steps = args.epochs * -(-len(x_train) // args.batch)
        model.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(1e-3, steps, alpha=0.01)))
    t0 = time.perf_counter()
    hist = model.fit(x_train, epochs=args.epochs, batch_size=args.batch, verbose=0,
                     validation_data=x_test[:2000]).history
    if model.fitted_prior:
        model.fit_prior(x_train)
    ev = classifiers.load(args.dataset)
    real = ev(x_test)
    print(json.dumps({
        "family": args.family, "dataset": args.dataset, "latent": args.latent, "epochs": args.epochs,
        "batch": args.batch, "lr_decay": args.lr_decay, "options": opts, "train_s": round(time.perf_counter() - t0),
        "last_epoch": {k: round(v[-1], 3) for k, v in hist.items()},
        "samples": metrics.sample_quality(model.sample(args.samples, seed=0), real, ev, full=False),
        "reconstructions": metrics.sample_quality(model.reconstruct(x_test[: args.samples]), real, ev, full=False),
    }), flush=True)
    if args.save:
        model.save(args.save)
