"""PixelCNN priors over grids of codebook indices (vqvae's sampler): causal convolution stacks, plain (masked
convolutions) or gated (van den Oord et al. 2016), and a sampler that draws a grid cell by cell.

Sampling recomputes only what a new cell changes. Every cell's logits depend on the cells before it in raster
order only, so the cells of row r need the rows up to r, never the ones below. In the gated network the
vertical stack at row r sees only the rows above it: the sampler runs it once per row, and then, cell by cell,
only the horizontal stack on that one row. Both parts are compiled Keras functions sharing the network's layers.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from zoo import progress
from zoo.models import precision

PROGRESS_GRIDS = 500  # drawing at least this many grids shows a progress bar (zoo.progress)


@keras.saving.register_keras_serializable(package="zoo")
class MaskedConv2D(layers.Conv2D):
    """A causal convolution for raster order (PixelCNN): type "A" sees only earlier positions, type "B"
    also the current one (for layers after the first)."""

    def __init__(self, *args, mask_type="B", **kwargs):
        super().__init__(*args, **kwargs)
        if mask_type not in ("A", "B"):
            raise ValueError(f"mask_type must be 'A' or 'B'; got {mask_type!r}.")
        self.mask_type = mask_type

    def build(self, input_shape):
        super().build(input_shape)
        kh, kw = self.kernel_size
        mask = np.ones((kh, kw, 1, 1), "float32")
        mask[kh // 2, kw // 2 + (self.mask_type == "B"):] = 0.0  # the rest of the centre row
        mask[kh // 2 + 1:] = 0.0  # rows below
        self.mask = mask

    def convolution_op(self, x, kernel):
        return super().convolution_op(x, kernel * ops.cast(self.mask, kernel.dtype))

    def get_config(self):
        return {**super().get_config(), "mask_type": self.mask_type}


def plain_pixelcnn(grid, classes, channels, depth):
    """Masked convolutions (type A, then B): simple, but blind to the cells up and to the right."""
    stack = [keras.Input((None, grid[1], classes)),
             MaskedConv2D(channels, 5, padding="same", activation="relu", mask_type="A")]
    stack += [MaskedConv2D(channels, 3, padding="same", activation="relu") for _ in range(depth - 1)]
    stack += [layers.Conv2D(classes, 1), *precision.float32_output()]  # 1x1: no spatial reach, stays causal
    return keras.Sequential(stack, name="pixelcnn"), None


def _gate(a, b):
    return ops.tanh(a) * ops.sigmoid(b)


def _pad(t, rows=(0, 0), cols=(0, 0)):
    """Zeros above / below and left / right of (N, rows, cols, C) tensors."""
    return ops.pad(t, ((0, 0), rows, cols, (0, 0)))


def gated_pixelcnn(grid, classes, channels, depth, k=3):
    """Gated PixelCNN (van den Oord et al. 2016): a vertical stack that sees the rows above and a horizontal
    stack that sees the cells to the left in this row and reads the vertical one, so no cell is blind;
    tanh * sigmoid gates, residual horizontal connections. Causality comes from padding and cropping. Only the
    convolutions are layers; the weightless steps are `keras.ops` calls, which keeps loading a saved prior quick.
    Returns the network and its layers by part, for `RowSampler`."""
    x = keras.Input((None, grid[1], classes))
    half = k // 2
    parts = {"stages": []}
    v, h = x, x
    for i in range(depth):  # the layers are made in the order of the shipped checkpoints' files
        first = i == 0  # the first layer must not see its own cell: shift both stacks by one
        kv = half + 1
        s = {"first": first}
        v_pad = _pad(v, rows=(kv if first else half, 0), cols=(half, half))
        h_pad = _pad(h, cols=(kv if first else half, 0))
        s["v_a"], s["v_b"] = layers.Conv2D(channels, (kv, k)), layers.Conv2D(channels, (kv, k))
        v_a, v_b = s["v_a"](v_pad), s["v_b"](v_pad)
        s["h_a"], s["h_b"] = layers.Conv2D(channels, (1, kv)), layers.Conv2D(channels, (1, kv))
        h_a, h_b = s["h_a"](h_pad), s["h_b"](h_pad)
        if first:  # drop the extra row / column the shift made
            v_a, v_b = v_a[:, :-1], v_b[:, :-1]
            h_a, h_b = h_a[:, :, :-1], h_b[:, :, :-1]
        # the vertical stack at row r has only seen rows < r, so the horizontal stack may read it at row r
        s["vh_a"] = layers.Conv2D(channels, 1)
        h_a = h_a + s["vh_a"](v_a)
        s["vh_b"] = layers.Conv2D(channels, 1)
        h_b = h_b + s["vh_b"](v_b)
        v = _gate(v_a, v_b)
        s["h_out"] = layers.Conv2D(channels, 1)
        h_out = s["h_out"](_gate(h_a, h_b))
        h = h_out if first else h + h_out
        parts["stages"].append(s)
    parts["head"] = layers.Conv2D(channels, 1, activation="relu")
    out = parts["head"](ops.relu(h))
    parts["logits"] = layers.Conv2D(classes, 1)
    logits = parts["logits"](out)
    for layer in precision.float32_output():
        logits = layer(logits)
    return keras.Model(x, logits, name="pixelcnn"), parts


class RowSampler:
    """Draws index grids from a gated PixelCNN cell by cell, computing only what a new cell needs. Per row, one
    step of the vertical stack: each stage's new row from its input's last two rows (the first stage reads the
    two rows above, the others their input's previous row, kept from the last step, and this one). Per cell,
    one step of the horizontal stack, the same way along the row. Both are Keras models over the network's own
    layers (no copies of weights), called through `predict_on_batch` (compiled once, fixed shapes, on every
    backend)."""

    def __init__(self, parts, grid, classes, channels):
        self.grid, self.classes, self.channels = grid, classes, channels
        stages = parts["stages"]
        above = keras.Input((2, grid[1], classes))  # the two index rows above the row to draw (zeros off the grid)
        previous = [keras.Input((1, grid[1], channels)) for _ in stages[1:]]  # each later stage's input, row r-1
        reads, rows = [], []
        v = above
        for i, s in enumerate(stages):
            if i:  # this stage's input window: the row kept from the last step over the row just computed
                v = ops.concatenate([previous[i - 1], v], axis=1)
            k = s["v_a"].kernel_size[1]
            v_in = _pad(v, cols=(k // 2, k // 2))  # the row padding is the window itself
            v_a, v_b = s["v_a"](v_in), s["v_b"](v_in)
            reads += [s["vh_a"](v_a), s["vh_b"](v_b)]  # what the horizontal stack reads of this row
            v = _gate(v_a, v_b)
            rows.append(v)
        self.vertical = keras.Model([above, *previous], [*reads, *rows[:-1]])
        # The horizontal stack, the same way along the row: the first stage reads the two cells to the left,
        # the others their input's previous cell (kept from the last step) and this one; plus the vertical
        # stack's reads at this cell.
        left = keras.Input((1, 2, classes))
        before = [keras.Input((1, 1, channels)) for _ in stages[1:]]
        read_inputs = [keras.Input((1, 1, channels)) for _ in reads]
        h, cells = left, []
        for i, s in enumerate(stages):
            h_in = h if i == 0 else ops.concatenate([before[i - 1], h], axis=2)
            h_a, h_b = s["h_a"](h_in), s["h_b"](h_in)
            h_a, h_b = h_a + read_inputs[2 * i], h_b + read_inputs[2 * i + 1]
            h_out = s["h_out"](_gate(h_a, h_b))
            h = h_out if s["first"] else h + h_out
            cells.append(h)
        logits = parts["logits"](parts["head"](ops.relu(h)))
        self.horizontal = keras.Model([left, *before, *read_inputs], [logits, *cells[:-1]])
        self.stages = len(stages)

    def sample(self, n, rng, temperature, draw, row_done=lambda: None):
        rows, cols = self.grid
        out = np.zeros((n, rows, cols), "int32")
        one_hot = np.eye(self.classes, dtype="float32")
        padded = np.zeros((n, rows + 2, cols + 2, self.classes), "float32")  # two rows and columns of zeros first
        empty = [np.zeros((n, 1, 1 if axis else cols, self.channels), "float32") for axis in (0, 1)]
        previous = [empty[0]] * (self.stages - 1)
        for r in range(rows):
            result = self._run(self.vertical, [padded[:, r:r + 2, 2:], *previous])
            reads, previous = result[:2 * self.stages], result[2 * self.stages:]
            before = [empty[1]] * (self.stages - 1)
            for c in range(cols):
                logits, *before = self._run(self.horizontal, [padded[:, r + 2:r + 3, c:c + 2], *before,
                                                             *(t[:, :, c:c + 1] for t in reads)])
                out[:, r, c] = draw(logits[:, 0, 0], rng, temperature)
                padded[:, r + 2, c + 2] = one_hot[out[:, r, c]]
            row_done()
        return out

    @staticmethod
    def _run(model, inputs):
        result = model.predict_on_batch(inputs)
        return [np.asarray(ops.convert_to_numpy(t)) for t in (result if isinstance(result, (list, tuple)) else [result])]


@keras.saving.register_keras_serializable(package="zoo")
class PixelCNNPrior(keras.layers.Layer):
    """An autoregressive density over (rows, cols) grids of codebook indices: a causal convolution stack
    giving, at every cell, logits over the next index given all earlier cells in raster order.
    `gated=True`: the gated PixelCNN with vertical and horizontal stacks; False: plain masked convolutions."""

    def __init__(self, grid, codebook_size, channels=64, depth=5, gated=False, **kwargs):
        """Args:
            grid: (rows, cols) of the index grids.
            codebook_size: number of codebook entries (the classes at each cell).
            channels: width of the convolution stack.
            depth: number of causal layers.
            gated: the gated PixelCNN (vertical and horizontal stacks, no blind spot) or plain masked convolutions.
            **kwargs: keras.layers.Layer arguments.
        """
        super().__init__(**precision.float32_kwargs(kwargs))
        self.grid, self.codebook_size = tuple(int(g) for g in grid), int(codebook_size)
        self.channels, self.depth, self.gated = int(channels), int(depth), bool(gated)
        build = gated_pixelcnn if self.gated else plain_pixelcnn
        self.net, parts = build(self.grid, self.codebook_size, self.channels, self.depth)
        self.net.trainable = self.trainable  # a frozen prior (as saved inside a vqvae) reloads frozen
        object.__setattr__(self, "_parts", parts)  # the same layers again, by part: not tracked twice
        object.__setattr__(self, "_row_sampler", None)
        self._lookup = None

    def describe(self) -> str:
        return self.describe_config(self.get_config())

    @staticmethod
    def describe_config(config: dict) -> str:
        rows, cols = config["grid"]
        return (f"a {'gated ' if config.get('gated') else ''}PixelCNN over the {rows}x{cols} grid of codebook "
                f"indices ({config['codebook_size']} entries), drawn cell by cell")

    def bind(self, lookup):
        """lookup: index grids (N, rows, cols) -> codes (N, latent_dim); the owning model's codebook."""
        object.__setattr__(self, "_lookup", lookup)

    def logits(self, indices):
        """(N, rows, cols) int indices -> (N, rows, cols, codebook_size) logits of each cell given earlier ones."""
        return self.net(ops.one_hot(ops.convert_to_tensor(indices, "int32"), self.codebook_size))

    @staticmethod
    def draw(logits, rng: np.random.Generator, temperature) -> np.ndarray:
        """One index per row of `logits` (N, classes), drawn from softmax(logits / temperature)."""
        logits = logits.astype("float64") / temperature
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        return (p.cumsum(1) < rng.random((len(p), 1))).sum(1).clip(0, len(p[0]) - 1)

    def sample_indices(self, n, rng: np.random.Generator, temperature=1.0, batch_size=2000) -> np.ndarray:
        """Draw n index grids cell by cell in raster order; temperature divides the logits."""
        out = np.zeros((n, *self.grid), "int32")
        with progress.Progress(-(-n // batch_size) * self.grid[0], f"Drawing {n:,} code grids from the PixelCNN "
                               "prior", "row", show=n >= PROGRESS_GRIDS) as bar:
            for start in range(0, n, batch_size):
                out[start:start + batch_size] = self._sample_batch(min(batch_size, n - start), rng, temperature,
                                                                   bar.advance)
        return out

    def _sample_batch(self, n, rng, temperature, row_done=lambda: None):
        rows, cols = self.grid
        if self.gated:
            if self._row_sampler is None:
                object.__setattr__(self, "_row_sampler", RowSampler(self._parts, self.grid, self.codebook_size,
                                                                    self.channels))
            return self._row_sampler.sample(n, rng, temperature, self.draw, row_done)
        g = np.zeros((n, rows, cols), "int32")  # plain: each cell's pass needs only the rows so far
        one_hot = np.eye(self.codebook_size, dtype="float32")
        for r in range(rows):
            for c in range(cols):
                logits = ops.convert_to_numpy(self.net.predict_on_batch(one_hot[g[:, :r + 1]]))
                g[:, r, c] = self.draw(np.asarray(logits)[:, r, c], rng, temperature)
            row_done()
        return g

    def sample(self, n, rng: np.random.Generator, temperature=1.0) -> np.ndarray:
        if self._lookup is None:
            raise RuntimeError("This PixelCNN prior is not bound to a codebook; use it through its vqvae model.")
        return self._lookup(self.sample_indices(n, rng, temperature))

    def fit(self, indices, epochs=10, batch_size=128, learning_rate=1e-3, seed=0, verbose=0):
        """Train on index grids (N, rows, cols) by maximum likelihood; returns the Keras history."""
        indices = np.asarray(indices)
        if indices.ndim != 3 or tuple(indices.shape[1:]) != self.grid:
            raise ValueError(f"index grids must have shape (N, {self.grid[0]}, {self.grid[1]}); got {indices.shape}.")
        if not np.issubdtype(indices.dtype, np.integer) or indices.min() < 0 or indices.max() >= self.codebook_size:
            raise ValueError(f"index grids must hold integers in 0..{self.codebook_size - 1}; got dtype "
                             f"{indices.dtype}, values {indices.min()}..{indices.max()}.")
        keras.utils.set_random_seed(seed)
        self.net.trainable = True  # frozen while the autoencoder trains (see VQVAE.make_layers)
        try:
            x = keras.Input(self.grid, dtype="int32")
            trainer = keras.Model(x, self.net(ops.one_hot(x, self.codebook_size)))
            trainer.compile(optimizer=keras.optimizers.Adam(learning_rate),
                            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            return trainer.fit(indices.astype("int32"), indices.astype("int32"), epochs=epochs,
                               batch_size=batch_size, verbose=verbose).history
        finally:
            self.net.trainable = False

    def nll(self, indices, batch_size=1000) -> float:
        """Mean negative log-likelihood of index grids under the prior, in nats per grid."""
        total = 0.0
        for i in range(0, len(indices), batch_size):
            b = np.asarray(indices[i:i + batch_size], "int32")
            logits = self.logits(b)
            total += float(ops.convert_to_numpy(ops.sum(keras.losses.sparse_categorical_crossentropy(
                b, logits, from_logits=True))))
        return total / len(indices)

    def get_config(self):
        return {**super().get_config(), "grid": list(self.grid), "codebook_size": self.codebook_size,
                "channels": self.channels, "depth": self.depth, "gated": self.gated}
