"""Per-dataset CNN classifiers that measure samples: their penultimate features feed FID/KID/precision/recall,
their class probabilities give validity and class coverage. Trained by scripts/train_evaluator.py.

This is a domain feature extractor, not InceptionV3: "FID" numbers here are comparable only with each other.
"""
from __future__ import annotations

import numpy as np

from zoo import checkpoints, inputs

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

        self.classifier, self.card = classifier, card or {}
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
            raise FileNotFoundError(f"No evaluator for {dataset!r} in {d}: run `python scripts/train_evaluator.py "
                                    f"{dataset}`.")
        card = checkpoints.read_card(d)
        checkpoints.verify(d, card or {})
        _CACHE[dataset] = Evaluator(keras.saving.load_model(d / checkpoints.MODEL_FILE, safe_mode=True), card)
    return _CACHE[dataset]
