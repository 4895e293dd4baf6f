"""Vector-quantised autoencoder (van den Oord et al. 2017) with a PixelCNN prior over its code grid.

The conv encoder maps an image to a grid of vectors (7x7 for 28x28 images); each is replaced by its nearest
codebook entry, with straight-through gradients, and the decoder draws from the quantised grid. Loss =
reconstruction + commitment * ||z_e - sg(e)||^2 (+ the codebook term ||sg(z_e) - e||^2 unless the codebook
follows an exponential moving average of its assigned vectors, `ema=True`). Entries unused for a while can
be restarted on encoder outputs (`restart_dead`). The sampler is an autoregressive PixelCNN over code
grids (`m.prior`; gated with `prior_gated=True`, else plain masked convolutions), trained on the encoded
training set after the autoencoder (`fit_prior`) and saved with it.

A code is the quantised grid flattened: `latent_dim` = grid cells x `code_channels`; `encode_indices` and
`decode_indices` work with the (N, rows, cols) grid of codebook indices instead.
"""
import math

import keras
import numpy as np
from keras import layers, ops

from zoo import inputs
from zoo.models import backbones, precision
from zoo.models.base import Autoencoder
from zoo.models.pixelcnn import PixelCNNPrior
from zoo.registry import register_family


@register_family("vqvae")
@keras.saving.register_keras_serializable(package="zoo")
class VQVAE(Autoencoder):
    loss_names = ("reconstruction", "commitment", "codebook")
    fitted_prior = True
    discrete_code = True  # codes are codebook entries: no encoder Jacobian to measure

    def __init__(self, input_shape=(28, 28, 1), latent_dim=None, *args, code_channels=16, codebook_size=128,
                 commitment=0.25, ema=True, decay=0.99, restart_dead=True, prior_channels=64, prior_depth=5,
                 prior_epochs=10, prior_gated=False, **kwargs):
        """Args:
            input_shape: (height, width, channels); the code is a grid a quarter of the size each way.
            latent_dim: the grid's flat width, rows * cols * code_channels; leave it out (it follows).
            code_channels: width of each grid cell's code vector.
            codebook_size: number of codebook entries.
            commitment: weight of the commitment loss (encoder outputs pulled to their codebook entries).
            ema: update the codebook by exponential moving averages (else by its own loss).
            decay: the moving averages' decay.
            restart_dead: restart codebook entries whose use decayed away on random encoder outputs.
            prior_channels, prior_depth: width and depth of the PixelCNN prior.
            prior_epochs: epochs the prior trains for in `fit_prior`.
            prior_gated: the gated PixelCNN (no blind spot) instead of plain masked convolutions.
            *args, **kwargs: as for Autoencoder. The backbone is "conv" (two 4x4 stride-2 convolutions each way)
                or "resnet" (the same with two residual 3x3 blocks at the grid's size each way, as the VQ-VAE
                paper's CIFAR-10 networks).
        """
        h, w = int(input_shape[0]), int(input_shape[1])
        self.grid = (math.ceil(h / 4), math.ceil(w / 4))
        self.code_channels, self.codebook_size = int(code_channels), int(codebook_size)
        width = self.grid[0] * self.grid[1] * self.code_channels
        if latent_dim is not None and int(latent_dim) != width:
            raise ValueError(f"A vqvae's code is its {self.grid[0]}x{self.grid[1]} grid of {self.code_channels}-d "
                             f"vectors, so latent_dim must be {width} (or left out); got {latent_dim}. "
                             "Set code_channels to change it.")
        self.commitment, self.ema, self.decay = float(commitment), bool(ema), float(decay)
        self.restart_dead = bool(restart_dead)
        self.prior_channels, self.prior_depth = int(prior_channels), int(prior_depth)
        self.prior_epochs, self.prior_gated = int(prior_epochs), bool(prior_gated)
        kwargs.setdefault("backbone", "conv")
        super().__init__(input_shape, width, *args, **kwargs)

    # ---- networks and state ----
    def make_networks(self):
        if self.backbone not in ("conv", "resnet"):
            raise ValueError(f"vqvae has its own convolutional networks: backbone must be 'conv' or 'resnet'; "
                             f"got {self.backbone!r}.")
        h, w, c = self.image_shape
        f1, f2 = self.hidden[:2] if len(self.hidden) >= 2 else (32, 64)
        d = self.code_channels
        gh, gw = self.grid
        if self.backbone == "resnet":
            return self._residual_networks(f1, f2, d)
        enc = keras.Sequential([keras.Input(self.image_shape),
                                layers.Conv2D(f1, 4, strides=2, padding="same", activation="relu"),
                                layers.Conv2D(f2, 4, strides=2, padding="same", activation="relu"),
                                layers.Conv2D(f2, 3, padding="same", activation="relu"),
                                layers.Conv2D(d, 1), layers.Flatten(), *precision.float32_output()], name="encoder")
        dec = [keras.Input((gh * gw * d,)), layers.Reshape((gh, gw, d)),
               layers.Conv2D(f2, 3, padding="same", activation="relu"),
               layers.Conv2DTranspose(f2, 4, strides=2, padding="same", activation="relu"),
               layers.Conv2DTranspose(f1, 4, strides=2, padding="same", activation="relu"),
               layers.Conv2D(self.decoder_channels(), 3, padding="same")]
        if (4 * gh, 4 * gw) != (h, w):
            dec.append(layers.Cropping2D(((0, 4 * gh - h), (0, 4 * gw - w))))
        return enc, keras.Sequential(dec + precision.float32_output(), name="decoder")

    def _residual_networks(self, f1, f2, d):
        h, w, _ = self.image_shape
        gh, gw = self.grid
        inp = keras.Input(self.image_shape)
        x = layers.Conv2D(f1, 4, strides=2, padding="same", activation="relu")(inp)
        x = layers.Conv2D(f2, 4, strides=2, padding="same")(x)
        x = backbones.residual_stack(x, f2, 2, "enc")
        x = layers.Flatten()(layers.Conv2D(d, 1)(layers.ReLU()(x)))
        enc = keras.Model(inp, backbones.float32_out(x), name="encoder")
        inp = keras.Input((gh * gw * d,))
        x = layers.Conv2D(f2, 3, padding="same")(layers.Reshape((gh, gw, d))(inp))
        x = backbones.residual_stack(x, f2, 2, "dec")
        x = layers.Conv2DTranspose(f1, 4, strides=2, padding="same", activation="relu")(layers.ReLU()(x))
        x = layers.Conv2DTranspose(f1 // 2, 4, strides=2, padding="same", activation="relu")(x)
        x = layers.Conv2D(self.decoder_channels(), 3, padding="same")(x)
        if (4 * gh, 4 * gw) != (h, w):
            x = layers.Cropping2D(((0, 4 * gh - h), (0, 4 * gw - w)))(x)
        return enc, keras.Model(inp, backbones.float32_out(x), name="decoder")

    def make_prior(self):
        return PixelCNNPrior(self.grid, self.codebook_size, self.prior_channels, self.prior_depth,
                             gated=self.prior_gated, name="prior")

    def make_layers(self):
        k, d = self.codebook_size, self.code_channels
        init = keras.initializers.RandomUniform(-1.0 / k, 1.0 / k, seed=0)
        self.codebook = self.add_weight(shape=(k, d), initializer=init, trainable=not self.ema, name="codebook")
        self.ema_count = self.add_weight(shape=(k,), initializer="ones", trainable=False, name="ema_count",
                                         aggregation="mean")  # under tf.distribute: the replicas' mean
        self.ema_sum = self.add_weight(shape=(k, d), initializer=init, trainable=False, name="ema_sum", aggregation="mean")
        self.prior.bind(lambda idx: self.lookup(idx))
        self.prior.trainable = False  # the PixelCNN trains afterwards, on the codes (fit_prior)

    # ---- quantisation ----
    def nearest(self, vectors):
        """Index of the nearest codebook entry for each row of vectors (M, D)."""
        e = ops.convert_to_tensor(self.codebook)
        d2 = (ops.sum(ops.square(vectors), 1, keepdims=True) - 2.0 * ops.matmul(vectors, ops.transpose(e))
              + ops.sum(ops.square(e), 1)[None])
        return ops.argmin(d2, axis=1)

    def vector_quantize(self, features):
        """Flat encoder output (N, latent_dim) -> (z_e, e, indices) with z_e, e as (N * cells, D)."""
        ze = ops.reshape(features, (-1, self.code_channels))
        idx = self.nearest(ze)
        return ze, ops.take(self.codebook, idx, axis=0), idx

    def code(self, features):
        _, e, _ = self.vector_quantize(features)
        return ops.reshape(e, (-1, self.latent_dim))

    def lookup(self, indices):
        """Index grids (N, rows, cols) -> codes (N, latent_dim) as numpy."""
        idx = np.asarray(indices, "int32").reshape(-1)
        return ops.convert_to_numpy(ops.take(self.codebook, idx, axis=0)).reshape(-1, self.latent_dim)

    def encode_indices(self, x, batch_size=1000) -> np.ndarray:
        """Images -> (N, rows, cols) grids of codebook indices."""
        x = inputs.as_images(x, self.image_shape)
        out = [ops.convert_to_numpy(self.vector_quantize(self.encoder(x[i:i + batch_size]))[2])
               for i in range(0, len(x), batch_size)]
        return np.concatenate(out).reshape(-1, *self.grid).astype("int32")

    def check_indices(self, indices, name="indices") -> np.ndarray:
        """Index grids as int32 (N, rows, cols), each entry a codebook index; a clear error otherwise."""
        rows, cols = self.grid
        if hasattr(indices, "numpy") and not isinstance(indices, np.ndarray):
            indices = indices.numpy()
        g = np.asarray(indices)
        if g.ndim != 3 or g.shape[1:] != (rows, cols) or len(g) == 0:
            raise ValueError(f"{name} must be index grids of shape (N, {rows}, {cols}) with N >= 1; got {g.shape}"
                             + (f" (reshape flat codes with .reshape(-1, {rows}, {cols}))" if g.ndim == 2 else "") + ".")
        if not np.issubdtype(g.dtype, np.integer):
            raise ValueError(f"{name} must be integers (codebook indices); got dtype {g.dtype}.")
        if g.min() < 0 or g.max() >= self.codebook_size:
            raise ValueError(f"{name} must be in 0..{self.codebook_size - 1} (the codebook's size); "
                             f"got {g.min()}..{g.max()}.")
        return g.astype("int32")

    def decode_indices(self, indices, batch_size=1000) -> np.ndarray:
        """Index grids (N, rows, cols) of codebook entries -> images."""
        return self.decode(self.lookup(self.check_indices(indices)), batch_size=batch_size)

    def _ema_update(self, ze, idx):
        onehot = ops.one_hot(idx, self.codebook_size, dtype=ze.dtype)
        count = self.decay * self.ema_count + (1.0 - self.decay) * ops.sum(onehot, 0)
        total = self.decay * self.ema_sum + (1.0 - self.decay) * ops.matmul(ops.transpose(onehot), ze)
        if self.restart_dead:  # entries whose usage decayed away restart on random encoder outputs of this batch
            dead = (count < 1e-3)[:, None]
            pick = keras.random.randint((self.codebook_size,), 0, ops.shape(ze)[0], seed=self.seed_generator)
            fresh = ops.take(ze, pick, axis=0)
            total = ops.where(dead, fresh, total)
            count = ops.where(dead[:, 0], ops.ones_like(count), count)
        self.ema_count.assign(count)
        self.ema_sum.assign(total)
        self.codebook.assign(total / count[:, None])

    def call(self, x, training=False):
        ze, e, idx = self.vector_quantize(self.encoder(x, training=training))
        ze_const, e_const = ops.stop_gradient(ze), ops.stop_gradient(e)
        zq = ze + ops.stop_gradient(e - ze)  # straight-through: forward e, gradient to z_e
        logits = self.decoder(ops.reshape(zq, (-1, self.latent_dim)), training=training)
        n = ops.shape(logits)[0]
        per_image = lambda t: ops.sum(ops.reshape(t, (n, -1)), axis=1)  # noqa: E731
        out = {"logits": logits, "indices": idx,
               "commitment": per_image(ops.square(ze - e_const)), "codebook": per_image(ops.square(ze_const - e))}
        if training and self.ema:
            self._ema_update(ze_const, idx)
        return out

    def loss_terms(self, x, outputs, training=False):
        codebook = outputs["codebook"] * (0.0 if self.ema else 1.0)
        return {"reconstruction": self.reconstruction_nll(x, outputs["logits"]),
                "commitment": self.commitment * outputs["commitment"], "codebook": codebook}

    # ---- the sampler and the codebook's health ----
    def fit_prior(self, x, seed=0, epochs=None, verbose="auto"):
        """Train the PixelCNN prior on the index grids of images x (after the autoencoder is trained); `verbose`
        as Keras' fit (a progress bar per epoch by default)."""
        return self.prior.fit(self.encode_indices(x), epochs=epochs or self.prior_epochs, seed=seed, verbose=verbose)

    def codebook_usage(self, x) -> dict:
        """Perplexity of the codebook's use on images x (exp of the entropy of index frequencies; the number
        of equally used entries it is worth) and the share of entries never used."""
        freq = np.bincount(self.encode_indices(x).reshape(-1), minlength=self.codebook_size) / (
            len(x) * self.grid[0] * self.grid[1])
        nz = freq[freq > 0]
        return {"perplexity": float(np.exp(-(nz * np.log(nz)).sum())), "dead_share": float((freq == 0).mean()),
                "codebook_size": self.codebook_size}

    def get_config(self):
        cfg = super().get_config()
        return {**cfg, "code_channels": self.code_channels, "codebook_size": self.codebook_size,
                "commitment": self.commitment, "ema": self.ema, "decay": self.decay,
                "restart_dead": self.restart_dead, "prior_channels": self.prior_channels,
                "prior_depth": self.prior_depth, "prior_epochs": self.prior_epochs, "prior_gated": self.prior_gated}
