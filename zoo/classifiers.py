"""Per-dataset CNN classifiers that measure samples: their penultimate features feed FID/KID/precision/recall,
their class probabilities give validity and class coverage. Trained by `zoo train-evaluator DATASET` (`train`).

This is a domain feature extractor, not InceptionV3: "FID" numbers here are comparable only with each other.
"""
from __future__ import annotations

import numpy as np

from zoo import card as card_schema
from zoo import checkpoints, data, datasets, inputs, outputs, provenance

FEATURE_LAYER = "features"


def build(input_shape=(28, 28, 1), classes=10):
    """A small VGG-style CNN; `features` (128 ReLU units) is the layer the metrics read. Colour images get the
    deeper `build_photo`."""
    import keras
    from keras import layers

    if input_shape[-1] == 3:
        return build_photo(input_shape, classes)
    return keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(128, activation="relu", name=FEATURE_LAYER),
        layers.Dropout(0.3),
        layers.Dense(classes, activation="softmax", name="probs"),
    ], name="evaluator")


def build_photo(input_shape=(32, 32, 3), classes=10):
    """A VGG-style CNN for colour photographs: three stages of two 3x3 convolutions with batch normalisation
    (32, 64, 128 filters: sized to train on a CPU), global average pooling, then the 128-unit `features` layer."""
    import keras
    from keras import layers

    stack = [keras.Input(input_shape)]
    for filters in (32, 64, 128):
        for _ in range(2):
            stack += [layers.Conv2D(filters, 3, padding="same", use_bias=False), layers.BatchNormalization(),
                      layers.ReLU()]
        stack += [layers.MaxPooling2D()]
    stack += [layers.GlobalAveragePooling2D(), layers.Dropout(0.3),
              layers.Dense(128, activation="relu", name=FEATURE_LAYER), layers.Dropout(0.3),
              layers.Dense(classes, activation="softmax", name="probs")]
    return keras.Sequential(stack, name="evaluator")


class Evaluator:
    """A trained classifier for one dataset: `features(x)` (N, 128) and `probs(x)` (N, classes)."""

    def __init__(self, classifier, card=None):
        import keras

        self.classifier, self.card = classifier, card
        self.image_shape = tuple(classifier.input_shape[1:])
        x = inp = keras.Input(self.image_shape)
        for layer in classifier.layers:  # re-wire the layers so the feature layer's output is reachable
            x = layer(x)
            if layer.name == FEATURE_LAYER:
                feats = x
        self._both = keras.Model(inp, [feats, x])

    def __call__(self, x, batch_size=1000):
        """(features, probs) for images x (uint8 0..255 or float 0..1)."""
        from keras import ops

        x = inputs.as_images(x, self.image_shape)
        feats, probs = [], []
        for i in range(0, len(x), batch_size):
            f, p = self._both(x[i:i + batch_size], training=False)
            feats.append(ops.convert_to_numpy(f))
            probs.append(ops.convert_to_numpy(p))
        return np.concatenate(feats).astype("float64"), np.concatenate(probs).astype("float64")


_CACHE: dict = {}


def folder(dataset: str):
    return checkpoints.root() / f"evaluator-{dataset}"


def load(dataset: str) -> Evaluator:
    """The shipped evaluator for `dataset`, hash-checked; cached per process."""
    if dataset not in _CACHE:
        import keras

        d = folder(dataset)
        if not (d / checkpoints.MODEL_FILE).exists():
            raise FileNotFoundError(f"No evaluator for {dataset!r} in {d}: train one (zoo train-evaluator {dataset} "
                                    f"-o {d}).")
        card = checkpoints.read_card(d)
        if card is None:
            raise FileNotFoundError(f"{d} has no {checkpoints.CARD_FILE}: the evaluator cannot be checked; train it "
                                    f"again (zoo train-evaluator {dataset}).")
        checkpoints.verify(d, card)
        _CACHE[dataset] = Evaluator(keras.saving.load_model(d / checkpoints.MODEL_FILE, safe_mode=True), card)
    return _CACHE[dataset]


# ---- training one: what `zoo train-evaluator DATASET` runs ----
EPOCHS = 8  # the shipped evaluators'


def train(dataset: str, out=None, epochs: int | None = None, verbose=2, replace_shipped=False) -> card_schema.Card:
    """Train the evaluator of `dataset` (seed 0) and write it to folder `out` (default ./evaluator-DATASET):
    model.keras and a card with its test accuracy. Grey datasets train with small random shifts through
    tf.data; colour photographs with random crops and flips and a cosine learning-rate decay. The shipped
    evaluators are replaced only with `replace_shipped=True` (the maintainers' tool). Returns the card."""
    import time

    import keras

    entry = datasets.get_dataset(dataset)
    if entry.rendered:
        raise ValueError(f"{dataset} is a rendered factor dataset: its models are scored by their code "
                         "(disentanglement metrics), not by an evaluator classifier.")
    epochs = EPOCHS if epochs is None else inputs.as_count(epochs, "epochs")
    out = outputs.output_path(out or f"evaluator-{dataset}", "evaluator folder")
    checkpoints.check_not_shipped(out, replace_shipped)
    with outputs.claim(out):
        keras.utils.set_random_seed(0)
        x_train, y_train = data.load_split(dataset, "train")
        x_test, y_test = data.load_split(dataset, "test")
        x_train, x_test = x_train.astype("float32") / 255.0, x_test.astype("float32") / 255.0
        classes = int(y_train.max()) + 1
        model = build(x_train.shape[1:], classes)
        t0 = time.perf_counter()
        fit = _fit_photo if x_train.shape[-1] == 3 else _fit_grey
        fit(model, x_train, y_train, x_test, y_test, epochs, verbose)
        wall = time.perf_counter() - t0
        accuracy = float(model.evaluate(x_test, y_test, verbose=0, return_dict=True)["accuracy"])
        clean = build(x_train.shape[1:], classes)  # uncompiled: no optimizer state in the file
        clean.set_weights(model.get_weights())
        card = card_schema.Card(
            name=f"evaluator-{dataset}", kind="evaluator", dataset=dataset, params=int(clean.count_params()),
            provenance=provenance.record(), data=card_schema.DataRecord(**data.source(dataset)),
            metrics=card_schema.Metrics("test", {"accuracy": accuracy}, images=int(len(x_test))),
            training=card_schema.Training(epochs=epochs, wall_time_s=round(wall, 1)), feature_layer=FEATURE_LAYER,
            reproduce=f"zoo train-evaluator {dataset} --epochs {epochs}")

        def fill(tmp):
            clean.save(tmp / checkpoints.MODEL_FILE)
            return card

        return checkpoints.write_folder(out, fill)


def _fit_grey(model, x_train, y_train, x_test, y_test, epochs, verbose):
    import keras
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


def _fit_photo(model, x_train, y_train, x_test, y_test, epochs, verbose, batch_size=128):
    import keras

    steps = epochs * (len(x_train) // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, steps)
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=5e-4),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    for epoch in range(epochs):  # fresh crops and flips each epoch, drawn in numpy: any backend
        model.fit(crops_and_flips(x_train, rng), y_train, batch_size=batch_size, epochs=epoch + 1,
                  initial_epoch=epoch, validation_data=(x_test, y_test), verbose=verbose)
