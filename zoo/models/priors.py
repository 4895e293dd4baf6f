"""Latent densities that `sample` draws codes from, as small serialisable Keras layers.

Noise comes from a numpy Generator, so a seed gives the same codes on every Keras backend.
"""
from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from zoo.inputs import as_codes
from zoo.models import precision

LOG_2PI = math.log(2 * math.pi)
MAX_COMPONENTS, MAX_MIXTURE_VALUES = 10_000, 50_000_000  # far above any real use; refuses crafted configs at once


def gaussian_log_density_per_unit(z, mean, log_var):
    """log N(z_j; mean_j, exp(log_var_j)) for each unit j (broadcasting)."""
    z, mean, log_var = (ops.convert_to_tensor(t) for t in (z, mean, log_var))
    return -0.5 * (LOG_2PI + log_var + ops.square(z - mean) * ops.exp(-log_var))


def gaussian_log_density(z, mean, log_var):
    """log N(z; mean, diag(exp(log_var))), summed over the last axis (broadcasting)."""
    return ops.sum(gaussian_log_density_per_unit(z, mean, log_var), axis=-1)


@keras.saving.register_keras_serializable(package="zoo")
class StandardNormal(keras.layers.Layer):
    """N(0, I): the VAE prior, and the naive draw that shows a plain AE's holes."""

    def __init__(self, dim, **kwargs):
        super().__init__(**precision.float32_kwargs(kwargs))
        self.dim = int(dim)

    def sample(self, n, rng: np.random.Generator, temperature=1.0) -> np.ndarray:
        return (temperature * rng.standard_normal((n, self.dim))).astype("float32")

    def log_prob(self, z):
        """log N(z; 0, I) for codes (N, dim), shape (N,)."""
        return -0.5 * ops.sum(ops.square(ops.convert_to_tensor(z)) + LOG_2PI, axis=-1)

    def describe(self) -> str:
        """What drawing from this density means, in a phrase (for `zoo info`)."""
        return self.describe_config(self.get_config())

    @staticmethod
    def describe_config(config: dict) -> str:
        """`describe` from a saved config alone: reading a card never builds a layer."""
        return f"z ~ N(0, I) in {config['dim']} dimensions"

    def get_config(self):
        return {**super().get_config(), "dim": self.dim}


@keras.saving.register_keras_serializable(package="zoo")
class GaussianMixture(keras.layers.Layer):
    """Full-covariance Gaussian mixture fitted to training codes after training (ex-post density).

    Fitting uses scikit-learn; the fitted parameters are layer weights, so they travel in the .keras file.
    """

    def __init__(self, dim, n_components=10, **kwargs):
        super().__init__(**precision.float32_kwargs(kwargs))
        self.dim, self.n_components = int(dim), int(n_components)
        k, d = self.n_components, self.dim
        if not (1 <= k <= MAX_COMPONENTS and 1 <= d and k * d * d <= MAX_MIXTURE_VALUES):
            raise ValueError(f"A Gaussian mixture needs 1..{MAX_COMPONENTS} components and at most "
                             f"{MAX_MIXTURE_VALUES:,} covariance values; got {k} components of dimension {d}.")
        self.mix = self.add_weight(shape=(k,), initializer="ones", trainable=False, name="weights")
        self.means = self.add_weight(shape=(k, d), initializer="zeros", trainable=False, name="means")
        eye = np.broadcast_to(np.eye(d, dtype="float32"), (k, d, d))
        self.scale_tril = self.add_weight(shape=(k, d, d), initializer=keras.initializers.Constant(eye),
                                          trainable=False, name="scale_tril")
        self.fitted = self.add_weight(shape=(), initializer="zeros", trainable=False, name="fitted")

    @property
    def is_fitted(self) -> bool:
        return bool(keras.ops.convert_to_numpy(self.fitted) > 0)

    def fit(self, codes, seed=0):
        """Fit the mixture to codes (N, dim) with EM; returns self."""
        from sklearn.mixture import GaussianMixture as SkGMM

        codes = as_codes(codes, self.dim, name="codes")
        if len(codes) < self.n_components:
            raise ValueError(f"Need at least {self.n_components} codes to fit the mixture; got {len(codes)}.")
        gmm = SkGMM(self.n_components, covariance_type="full", reg_covar=1e-4, random_state=seed)
        gmm.fit(codes.astype("float64"))
        self.mix.assign(gmm.weights_.astype("float32"))
        self.means.assign(gmm.means_.astype("float32"))
        self.scale_tril.assign(np.linalg.cholesky(gmm.covariances_).astype("float32"))
        self.fitted.assign(1.0)
        return self

    def describe(self) -> str:
        return self.describe_config(self.get_config())

    @staticmethod
    def describe_config(config: dict) -> str:
        return f"a {config['n_components']}-component full-covariance Gaussian mixture fitted to the training codes"

    def sample(self, n, rng: np.random.Generator, temperature=1.0) -> np.ndarray:
        if not self.is_fitted:
            raise RuntimeError("This model's latent mixture has not been fitted yet: call "
                               "model.fit_prior(train_images) after training, or sample(n, prior='normal').")
        w = keras.ops.convert_to_numpy(self.mix).astype("float64")
        comp = rng.choice(self.n_components, size=n, p=w / w.sum())
        eps = temperature * rng.standard_normal((n, self.dim))
        mu = keras.ops.convert_to_numpy(self.means)[comp]
        tril = keras.ops.convert_to_numpy(self.scale_tril)[comp]
        return (mu + np.einsum("nij,nj->ni", tril, eps)).astype("float32")

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "n_components": self.n_components}
