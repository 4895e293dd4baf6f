#!/usr/bin/env python
"""Train the evaluator classifier of a dataset into checkpoints/evaluator-DATASET/ (model.keras + card.json).

Usage: train_evaluator.py mnist fashion_mnist cifar10 [--epochs N]

Grey datasets train with small random shifts through tf.data (the TensorFlow backend); colour photographs with
random crops and flips drawn in numpy and a cosine learning-rate decay, on any backend (a GPU box without
TensorFlow too).
"""
import argparse
import time
from pathlib import Path

import keras
import numpy as np

from zoo import card as card_schema
from zoo import checkpoints, classifiers, data, outputs, training


def fit_grey(model, x_train, y_train, x_test, y_test, epochs, verbose):
    import tensorflow as tf  # tf.data input pipeline

    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    # Light augmentation (small shifts) makes the features less brittle on generated images.
    aug = keras.Sequential([keras.layers.RandomTranslation(0.08, 0.08, fill_mode="constant")])
    ds = (tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(60000, seed=0)
          .batch(128).map(lambda x, y, aug=aug: (aug(x, training=True), y)).prefetch(2))
    model.fit(ds, epochs=epochs, validation_data=(x_test, y_test), verbose=verbose)


def crops_and_flips(x, rng, pad=4):
    """Each image shifted by up to `pad` pixels (zero padding, a random crop) and mirrored left-right half the time."""
    n, h, w, _ = x.shape
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    dy, dx = rng.integers(0, 2 * pad + 1, (2, n))
    rows = dy[:, None] + np.arange(h)[None]
    cols = dx[:, None] + np.arange(w)[None]
    out = padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    flip = rng.random(n) < 0.5
    out[flip] = out[flip, :, ::-1]
    return out


def fit_photo(model, x_train, y_train, x_test, y_test, epochs, verbose, batch_size=128):
    steps = epochs * (len(x_train) // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, steps)
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=5e-4),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    for epoch in range(epochs):
        model.fit(crops_and_flips(x_train, rng), y_train, batch_size=batch_size, epochs=epoch + 1,
                  initial_epoch=epoch, validation_data=(x_test, y_test), verbose=verbose)

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("datasets", nargs="+", choices=data.DATASETS)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--out", help="folder to write evaluator-DATASET/ into (default: the shipped checkpoints folder)")
    p.add_argument("--verbose", type=int, default=2)
    args = p.parse_args()
    for dataset in args.datasets:
        keras.utils.set_random_seed(0)
        x_train, y_train = data.load_split(dataset, "train")
        x_test, y_test = data.load_split(dataset, "test")
        x_train, x_test = x_train.astype("float32") / 255.0, x_test.astype("float32") / 255.0
        model = classifiers.build(x_train.shape[1:], int(y_train.max()) + 1)
        t0 = time.perf_counter()
        fit = fit_photo if x_train.shape[-1] == 3 else fit_grey
        fit(model, x_train, y_train, x_test, y_test, args.epochs, args.verbose)
        wall = time.perf_counter() - t0
        acc = float(model.evaluate(x_test, y_test, verbose=0, return_dict=True)["accuracy"])
        final = (Path(args.out) if args.out else checkpoints.root()) / f"evaluator-{dataset}"
        clean = classifiers.build(x_train.shape[1:], int(y_train.max()) + 1)
        clean.set_weights(model.get_weights())
        card = {"schema_version": card_schema.SCHEMA_VERSION, "name": final.name, "kind": "evaluator",
                "dataset": dataset, "metrics": {"on": "test", "images": int(len(x_test)), "values": {"accuracy": acc}},
                "training": {"epochs": args.epochs, "wall_time_s": round(wall, 1)}, "params": int(clean.count_params()),
                "data": data.source(dataset),
                "feature_layer": classifiers.FEATURE_LAYER, **training.provenance(),
                "reproduce": f"python scripts/train_evaluator.py {dataset} --epochs {args.epochs}"}

        def fill(tmp, clean=clean, card=card):
            clean.save(tmp / checkpoints.MODEL_FILE)
            return card

        with outputs.claim(final):
            checkpoints.write_folder(final, fill)
        print(f"== evaluator-{dataset}: test accuracy {acc:.4f} ({wall:.0f} s)", flush=True)
