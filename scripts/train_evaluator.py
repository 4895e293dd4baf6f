#!/usr/bin/env python
"""Train the evaluator classifier of a dataset into checkpoints/evaluator-DATASET/ (model.keras + card.json).

Usage: train_evaluator.py mnist fashion_mnist [--epochs N]
"""
import argparse
import time

import keras
import tensorflow as tf  # tf.data input pipeline; this script needs the TensorFlow backend

from zoo import checkpoints, classifiers, data, outputs, training

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("datasets", nargs="+", choices=data.DATASETS)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--verbose", type=int, default=2)
    args = p.parse_args()
    for dataset in args.datasets:
        keras.utils.set_random_seed(0)
        x_train, y_train = data.load_split(dataset, "train")
        x_test, y_test = data.load_split(dataset, "test")
        x_train, x_test = x_train.astype("float32") / 255.0, x_test.astype("float32") / 255.0
        model = classifiers.build(x_train.shape[1:], int(y_train.max()) + 1)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        t0 = time.perf_counter()
        # Light augmentation (small shifts) makes the features less brittle on generated images.
        aug = keras.Sequential([keras.layers.RandomTranslation(0.08, 0.08, fill_mode="constant")])
        ds = (tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(60000, seed=0)
              .batch(128).map(lambda x, y, aug=aug: (aug(x, training=True), y)).prefetch(2))
        model.fit(ds, epochs=args.epochs, validation_data=(x_test, y_test), verbose=args.verbose)
        wall = time.perf_counter() - t0
        acc = float(model.evaluate(x_test, y_test, verbose=0, return_dict=True)["accuracy"])
        final = checkpoints.root() / f"evaluator-{dataset}"
        clean = classifiers.build(x_train.shape[1:], int(y_train.max()) + 1)
        clean.set_weights(model.get_weights())
        card = {"name": final.name, "dataset": dataset, "test_accuracy": acc, "test_images": int(len(x_test)),
                "epochs": args.epochs, "wall_time_s": round(wall, 1), "params": int(clean.count_params()),
                "feature_layer": classifiers.FEATURE_LAYER, **training.provenance(),
                "reproduce": f"python scripts/train_evaluator.py {dataset} --epochs {args.epochs}"}

        def fill(tmp, clean=clean, card=card):
            clean.save(tmp / checkpoints.MODEL_FILE)
            return card

        with outputs.claim(final):
            checkpoints.write_folder(final, fill)
        print(f"== evaluator-{dataset}: test accuracy {acc:.4f} ({wall:.0f} s)", flush=True)
