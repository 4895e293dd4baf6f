"""Conditional VAE (Sohn et al. 2015): encoder and decoder both see the class label, so sampling can ask for
a class: `sample(n, labels=[...])`. Train with `fit((images, labels))`; `encode`, `decode` and
`reconstruct` take the labels too. Unlabelled sampling draws classes uniformly.
"""
import keras
import numpy as np
from keras import ops

from zoo import inputs
from zoo.models.vae import VAE
from zoo.registry import register_family


@register_family("cvae")
@keras.saving.register_keras_serializable(package="zoo")
class CVAE(VAE):
    conditional = True

    def __init__(self, *args, num_classes=10, **kwargs):
        self.num_classes = int(num_classes)
        super().__init__(*args, **kwargs)

    def decoder_in_dim(self):
        return self.latent_dim + self.num_classes

    def make_layers(self):
        # q(z | x, y): the label shifts the encoder's output (mean and log-variance) linearly
        self.label_shift = keras.layers.Dense(self.encoder_out_dim(), use_bias=False, name="label_shift")
        self.label_shift.build((None, self.num_classes))

    # ---- labels ----
    def one_hot_labels(self, labels, n) -> np.ndarray:
        """Integer class labels (n,), one int, or one-hot (n, num_classes) -> float32 one-hot, checked."""
        if labels is None:
            raise ValueError(f"{type(self).__name__} is conditional: pass the class labels (n integers in "
                             f"0..{self.num_classes - 1}) along with the images or codes.")
        y = np.asarray(labels)
        if y.ndim == 0:
            y = np.full(n, int(y))
        if y.ndim == 2 and y.shape == (n, self.num_classes):  # already one-hot
            return y.astype("float32")
        if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"labels must be {n} integer class ids (or one int) in 0..{self.num_classes - 1}; "
                             f"got shape {y.shape}, dtype {y.dtype}.")
        if y.min() < 0 or y.max() >= self.num_classes:
            raise ValueError(f"labels must be in 0..{self.num_classes - 1}; got {y.min()}..{y.max()}.")
        return np.eye(self.num_classes, dtype="float32")[y]

    def _prepare_data(self, x):
        if isinstance(x, dict):
            return x
        if not (isinstance(x, (tuple, list)) and len(x) == 2):
            raise ValueError("A conditional VAE trains on (images, labels): call fit((x, y)) or fit(x, y).")
        images = inputs.as_images(x[0], self.image_shape)
        return {"images": images, "labels": self.one_hot_labels(x[1], len(images))}

    def fit(self, x=None, y=None, *args, **kwargs):
        """fit((images, labels)) or fit(images, labels): labels are integer classes."""
        return super().fit((x, y) if y is not None else x, None, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        return super().evaluate((x, y) if y is not None else x, None, *args, **kwargs)

    # ---- model ----
    def features(self, x, labels=None, training=False):
        return self.encoder(x, training=training) + self.label_shift(labels)

    def decoder_input(self, z, labels=None):
        return ops.concatenate([z, ops.cast(labels, z.dtype)], axis=-1)

    def call(self, batch, training=False):
        x, y = batch["images"], batch["labels"]
        x = self.binarize(x, training)
        mean, log_var = self.posterior(self.features(x, y, training))
        z = mean + ops.exp(0.5 * log_var) * keras.random.normal(ops.shape(mean), seed=self.noise)
        logits = self.decoder(self.decoder_input(z, y), training=training)
        return {"logits": logits, "z": z, "mean": mean, "log_var": log_var, "target": x}

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}
