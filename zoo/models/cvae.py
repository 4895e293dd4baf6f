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

    def __init__(self, *args, num_classes=10, class_names=None, **kwargs):
        """Args:
            num_classes: how many classes the labels take (0..num_classes-1).
            class_names: optional names of the classes in label order (e.g. the folder names it was trained
                on); `labels="coat"` then means that class. Numeric strings ("7") always mean that number.
            *args, **kwargs: as for VAE.
        """
        self.num_classes = int(num_classes)
        if self.num_classes < 1:
            raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}.")
        self.class_names = None if class_names is None else [str(c) for c in class_names]
        if self.class_names is not None and len(self.class_names) != self.num_classes:
            raise ValueError(f"class_names must name all {self.num_classes} classes; got {len(self.class_names)}.")
        super().__init__(*args, **kwargs)

    def decoder_in_dim(self):
        return self.latent_dim + self.num_classes

    def make_layers(self):
        # q(z | x, y): the label shifts the encoder's output (mean and log-variance) linearly
        # float32 under a mixed policy too: it shifts the encoder's float32 output (zoo.models.precision)
        self.label_shift = keras.layers.Dense(self.encoder_out_dim(), use_bias=False, name="label_shift",
                                              dtype="float32")
        self.label_shift.build((None, self.num_classes))

    def frozen_parts(self, which):
        """The label's path into the encoder counts as encoder."""
        return [self.encoder, self.label_shift] if which == "encoder" else [self.decoder]

    # ---- labels ----
    def label_index(self, label) -> int:
        """One class as its integer id: an int, a whole float, a numeric string ('7') or a class name."""
        k = self.num_classes
        if isinstance(label, (str, np.str_)):
            if self.class_names and label in self.class_names:
                return self.class_names.index(label)
            if label.strip().isdigit():
                label = int(label.strip())
            else:
                names = f"its classes are {self.class_names}" if self.class_names else f"its classes are 0..{k - 1}"
                raise ValueError(f"Unknown class {label!r}: {names}.")
        if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer, float, np.floating)):
            raise ValueError(f"A class label must be an integer in 0..{k - 1} or a class name; got {label!r}.")
        if not float(label).is_integer():
            raise ValueError(f"A class label must be a whole number in 0..{k - 1}; got {label!r}.")
        if not 0 <= int(label) < k:
            raise ValueError(f"labels must be in 0..{k - 1}; got {int(label)}.")
        return int(label)

    def one_hot_labels(self, labels, n) -> np.ndarray:
        """Class labels -> float32 one-hot (n, num_classes), checked: one label (int or name) for all n, n labels,
        or one-hot rows (n, num_classes) with finite entries in [0, 1] summing to 1."""
        k = self.num_classes
        if labels is None:
            raise ValueError(f"{type(self).__name__} is conditional: pass the class labels (n integers in "
                             f"0..{k - 1}) along with the images or codes.")
        if hasattr(labels, "numpy") and not isinstance(labels, np.ndarray):
            labels = labels.numpy()
        try:
            y = np.asarray(labels)
        except ValueError:
            raise ValueError("labels must be one label, a list of n labels or one-hot rows; got a ragged list.") from None
        if y.ndim == 0:
            return np.eye(k, dtype="float32")[np.full(n, self.label_index(y.item()))]
        if y.ndim == 2 and y.shape == (n, k) and np.issubdtype(y.dtype, np.number):
            y = y.astype("float64")
            if not (np.all(np.isfinite(y)) and y.min() >= 0 and y.max() <= 1 and np.allclose(y.sum(1), 1, atol=1e-4)):
                raise ValueError(f"One-hot labels must be finite, in [0, 1], each row summing to 1 (shape ({n}, {k})).")
            return y.astype("float32")
        if y.shape != (n,):
            raise ValueError(f"labels must be {n} class ids (integers in 0..{k - 1} or class names), one label "
                             f"for all, or one-hot ({n}, {k}); got shape {y.shape}.")
        if np.issubdtype(y.dtype, np.integer):
            if y.min() < 0 or y.max() >= k:
                raise ValueError(f"labels must be in 0..{k - 1}; got {y.min()}..{y.max()}.")
            idx = y.astype("int64")
        else:
            idx = np.fromiter((self.label_index(v) for v in y.tolist()), "int64", count=n)
        return np.eye(k, dtype="float32")[idx]

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
        z = mean + ops.exp(0.5 * log_var) * keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        logits = self.decoder(self.decoder_input(z, y), training=training)
        return {"logits": logits, "z": z, "mean": mean, "log_var": log_var, "target": x}

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "class_names": self.class_names}
