"""Datasets the zoo renders itself from factors of variation (numpy only): every image is addressable by its
factor values and by its index in the full grid, and the same factors always give the same image."""
from __future__ import annotations

import math

import numpy as np

from zoo.progress import MANY_IMAGES, Progress


class FactorGrid:
    """The full grid of a rendered dataset: every combination of its factors' values is one image.

    Args:
        name: the dataset's name.
        factor_names: one name per factor, in index order (the last factor varies fastest).
        factor_values: per factor, the values its indices stand for (scale 0.5..1, hue 0..0.9, ...).
        image_shape: (height, width, channels) of the images.
        render: function (N, F) integer factor indices -> uint8 images (N, H, W, C).
        chunk: images rendered at once (bounds the renderer's working memory).
    """

    def __init__(self, name, factor_names, factor_values, image_shape, render, chunk=512):
        self.name = name
        self.factor_names = tuple(factor_names)
        self.factor_values = tuple(np.asarray(v) for v in factor_values)
        self.factor_sizes = tuple(len(v) for v in self.factor_values)
        self.image_shape = tuple(image_shape)
        self._render, self.chunk = render, int(chunk)

    @property
    def num_factors(self) -> int:
        return len(self.factor_sizes)

    @property
    def num_images(self) -> int:
        return math.prod(self.factor_sizes)

    def check_factors(self, factors) -> np.ndarray:
        """(N, F) integer factor indices, checked against the grid; a single row may be given as (F,)."""
        f = np.asarray(factors)
        if f.ndim == 1:
            f = f[None]
        if f.ndim != 2 or f.shape[1] != self.num_factors:
            raise ValueError(f"{self.name} has {self.num_factors} factors ({', '.join(self.factor_names)}); "
                             f"factor indices must have shape (N, {self.num_factors}), got {np.shape(factors)}.")
        if not np.issubdtype(f.dtype, np.integer):
            if not np.all(np.isfinite(f)) or np.any(f != np.round(f)):
                raise ValueError(f"Factor indices must be integers; got dtype {f.dtype}.")
            f = f.astype("int64")
        bad = (f < 0) | (f >= np.asarray(self.factor_sizes))
        if bad.any():
            j = int(np.argwhere(bad)[0, 1])
            raise ValueError(f"Factor {self.factor_names[j]!r} takes indices 0..{self.factor_sizes[j] - 1}; "
                             f"got {int(f[bad][0])}.")
        return f.astype("int64")

    def index(self, factors) -> np.ndarray:
        """Factor indices (N, F) -> the images' indices in the grid (N,)."""
        return np.ravel_multi_index(self.check_factors(factors).T, self.factor_sizes)

    def factors(self, index) -> np.ndarray:
        """Grid indices (N,) -> factor indices (N, F)."""
        index = np.asarray(index, dtype="int64").reshape(-1)
        if index.size and (index.min() < 0 or index.max() >= self.num_images):
            raise ValueError(f"{self.name} has {self.num_images} images (indices 0..{self.num_images - 1}).")
        return np.stack(np.unravel_index(index, self.factor_sizes), axis=1).astype("int64")

    def values(self, factors) -> np.ndarray:
        """Factor indices (N, F) -> the factor values they stand for (N, F) float."""
        f = self.check_factors(factors)
        return np.stack([self.factor_values[j][f[:, j]] for j in range(self.num_factors)], axis=1).astype("float64")

    def sample_factors(self, n, rng) -> np.ndarray:
        """n factor rows drawn uniformly from the grid (each factor independently), (n, F) int64."""
        return np.stack([rng.integers(0, s, n) for s in self.factor_sizes], axis=1).astype("int64")

    def images(self, factors) -> np.ndarray:
        """Factor indices (N, F) -> uint8 images (N, H, W, C), rendered `chunk` at a time."""
        f = self.check_factors(factors)
        out = np.empty((len(f), *self.image_shape), "uint8")
        with Progress(-(-len(f) // self.chunk), f"Rendering {len(f):,} {self.name} images", "chunk",
                      show=len(f) >= MANY_IMAGES) as bar:
            for i in range(0, len(f), self.chunk):
                out[i:i + self.chunk] = self._render(f[i:i + self.chunk])
                bar.advance()
        return out

    def sample(self, n, seed=0):
        """(images uint8 (n, H, W, C), factor indices (n, F)): n images drawn uniformly from the grid."""
        factors = self.sample_factors(int(n), np.random.default_rng(seed))
        return self.images(factors), factors
