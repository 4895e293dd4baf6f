"""Decoder likelihoods p(x | decoder output): what the decoder's output channels mean, the reconstruction loss in
nats per image, the image `decode` returns, and how pixels are drawn. Every family reaches its likelihood
through the base class (`Autoencoder.likelihood`), so a family trains on grey digits or 8-bit photographs
without code of its own.

- `Bernoulli`: one logit per pixel and channel; images in [0, 1] are the Bernoulli means (the zoo's default,
  for binarized and grey data).
- `LogisticMixture`: the discretized logistic mixture of PixelCNN++ (Salimans et al. 2017), the output of
  IAF-VAE and NVAE: a proper likelihood of 8-bit pixels (256 bins per channel), with colour channels coupled
  linearly within each component (green depends on red, blue on red and green).
"""
from __future__ import annotations

import numpy as np
from keras import ops

from zoo import registry

LOG_SCALE_MIN = -7.0  # PixelCNN++'s floor on the logistics' log-scales
BINS = 255  # 8-bit pixels: 256 values k/255, so a bin is 2/255 wide on PixelCNN++'s [-1, 1] scale
# The half-width of an edge bin's open side: far enough that the logistic's tail beyond it is 0 in float32 at
# every scale below e^60 (wider than the whole [-1, 1] range by 26 orders of magnitude), and small enough that
# EDGE * exp(-LOG_SCALE_MIN) stays finite.
EDGE = 1e30


def _per_image(t, n):
    return ops.sum(ops.reshape(t, (n, -1)), axis=1)


class Bernoulli:
    """Independent Bernoullis, one logit per pixel and channel; x may be grey levels in [0, 1]."""

    name = "bernoulli"
    components = 0
    finetune_rate = None  # zoo.finetune keeps the family's own rate, measured on grey images

    def channels(self, image_channels: int) -> int:
        return image_channels

    def nll(self, x, out):
        """-log p(x | logits) summed over pixels: nats per image, (N,). Stable binary cross-entropy."""
        logits = ops.convert_to_tensor(out)
        x = ops.cast(ops.convert_to_tensor(x), logits.dtype)
        per_pixel = ops.relu(logits) - logits * x + ops.log1p(ops.exp(-ops.abs(logits)))
        return _per_image(per_pixel, ops.shape(x)[0])

    def mean(self, out):
        """The Bernoulli means, (N, H, W, C) in [0, 1]."""
        return ops.sigmoid(out)

    def draw(self, out, rng: np.random.Generator) -> np.ndarray:
        """Binary pixels drawn from the Bernoullis."""
        p = ops.convert_to_numpy(self.mean(out))
        return (rng.random(p.shape) < p).astype("float32")

    def describe(self) -> str:
        return "Bernoulli on pixel intensities (losses in nats per image)"


class LogisticMixture:
    """Discretized mixture of `components` logistics per pixel (PixelCNN++). The decoder gives, per pixel,
    `components` mixture logits, then per component and channel a location and a log-scale, then per component
    the c(c-1)/2 coupling coefficients (tanh) of each channel on the channels before it.

    Pixels x in [0, 1] are 8-bit values k/255, scaled to [-1, 1]: each value owns the bin of width 2/255 around
    it, 0 owns everything below its bin and 255 everything above (the edge bins)."""

    name = "logistic_mixture"
    finetune_rate = registry.PHOTO_FINETUNE_RATE  # measured on photographs (scripts/finetune_photos.py)

    def __init__(self, components: int = 10):
        self.components = int(components)
        if self.components < 1:
            raise ValueError(f"A logistic mixture needs at least one component; got {components}.")

    def channels(self, image_channels: int) -> int:
        c = image_channels
        return self.components * (1 + 2 * c + c * (c - 1) // 2)

    def _parts(self, out, c):
        """Decoder output (N, H, W, K * (1 + 2c + c(c-1)/2)) -> mixture logits (N, H, W, K), locations and
        log-scales (N, H, W, c, K), coupling coefficients (N, H, W, c(c-1)/2, K)."""
        out = ops.convert_to_tensor(out)
        k = self.components
        h, w = out.shape[1], out.shape[2]  # static; the batch may not be
        pairs = c * (c - 1) // 2
        logit_pi = out[..., :k]
        loc = ops.reshape(out[..., k:k + c * k], (-1, h, w, c, k))
        log_s = ops.maximum(ops.reshape(out[..., k + c * k:k + 2 * c * k], (-1, h, w, c, k)), LOG_SCALE_MIN)
        coeff = ops.tanh(ops.reshape(out[..., k + 2 * c * k:], (-1, h, w, pairs, k))) if pairs else None
        return logit_pi, loc, log_s, coeff

    @staticmethod
    def _coupled(loc, coeff, c):
        """Each component's channel means: its location shifted by its coefficients times the means of the
        channels before it (the colour coupling, as `nll` applies it to the pixels)."""
        if coeff is None:
            return loc
        means, p = [loc[..., 0, :]], 0
        for j in range(1, c):
            m = loc[..., j, :]
            for i in range(j):
                m = m + coeff[..., p, :] * means[i]
                p += 1
            means.append(m)
        return ops.stack(means, axis=-2)

    def nll(self, x, out):
        """-log P(x) of 8-bit images x (N, H, W, c) in [0, 1]: nats per image, (N,).

        Written for the training step's speed (scripts/bench.py measures it): the decoder's output is split into
        its (N, H, W, K) blocks once, whose gradient is one concatenation, where a slice per block would give
        each a gradient as large as the whole output; and the edge bins are bins whose far edge lies at
        +-EDGE, so one expression serves every pixel without masks."""
        out = ops.convert_to_tensor(out)
        x = ops.cast(ops.convert_to_tensor(x), out.dtype)
        c, k = x.shape[-1], self.components
        blocks = ops.split(out, [(1 + i) * k for i in range(self.channels(c) // k - 1)], axis=-1)
        logit_pi, loc, log_s, coeff = blocks[0], blocks[1:1 + c], blocks[1 + c:1 + 2 * c], blocks[1 + 2 * c:]
        pixels = [2.0 * x[..., j:j + 1] - 1.0 for j in range(c)]  # (N, H, W, 1) each, on [-1, 1]
        log_mix = ops.log_softmax(logit_pi, axis=-1)  # (N, H, W, K)
        pair = 0
        for j in range(c):
            mu = loc[j]
            for i in range(j):  # the colour coupling: the channels before j shift its location
                mu = mu + ops.tanh(coeff[pair]) * pixels[i]
                pair += 1
            # The value's bin is [x - below, x + above] on [-1, 1]: half-widths 1/255, except that the bottom
            # value (0) owns everything below it and the top one (255) everything above (a half-width of EDGE).
            # With a = (x + above - mu) / s and b = (x - below - mu) / s, its mass sigmoid(a) - sigmoid(b) is
            # sigmoid(a) sigmoid(-b) (1 - exp(b - a)), in logs -softplus(-a) - softplus(b) + log(-expm1(b - a)):
            # stable at any scale, and at an edge the far factors are exactly 1.
            above = ops.where(pixels[j] > 0.999, EDGE, 1.0 / BINS)
            below = ops.where(pixels[j] < -0.999, EDGE, 1.0 / BINS)
            inv_s = ops.exp(-ops.maximum(log_s[j], LOG_SCALE_MIN))
            centred = pixels[j] - mu
            log_mix = (log_mix - ops.softplus(-inv_s * (centred + above)) - ops.softplus(inv_s * (centred - below))
                       + ops.log(-ops.expm1(-inv_s * (above + below))))
        return -_per_image(ops.logsumexp(log_mix, axis=-1), ops.shape(x)[0])

    def marginal_nll(self, x, out, channels: int):
        """-log P of the first `channels` colour channels of x alone (nats per image, (N,)), the other channels
        summed out: the same mixture restricted to them, since a channel's coupling looks only at the channels
        before it. With channels=1 on a photograph this is the red channel's likelihood; nll minus it is that
        of green and blue given red (how much a model gains from the colour coupling)."""
        out = ops.convert_to_tensor(out)
        c, k = self.image_channels(out), self.components
        if not 1 <= channels <= c:
            raise ValueError(f"channels must be 1..{c} for a {c}-channel image; got {channels}.")
        pairs = channels * (channels - 1) // 2
        kept = ops.concatenate([out[..., :(1 + channels) * k], out[..., (1 + c) * k:(1 + c + channels) * k],
                                out[..., (1 + 2 * c) * k:(1 + 2 * c + pairs) * k]], axis=-1)
        return self.nll(ops.convert_to_tensor(x)[..., :channels], kept)

    def mean(self, out):
        """The mixture's mean image in [0, 1] (each component's coupled means, weighted by the mixture; the edge
        bins' clipping is left out)."""
        out = ops.convert_to_tensor(out)
        c = self.image_channels(out)
        logit_pi, loc, _, coeff = self._parts(out, c)
        means = self._coupled(loc, coeff, c)
        if self.components == 1:
            mean = means[..., 0]
        else:
            mean = ops.sum(ops.expand_dims(ops.softmax(logit_pi, axis=-1), -2) * means, axis=-1)
        return ops.clip((mean + 1.0) / 2.0, 0.0, 1.0)

    def image_channels(self, out) -> int:
        """The image channels c that a decoder output of K * (1 + 2c + c(c-1)/2) channels encodes."""
        per = int(out.shape[-1]) // self.components
        for c in (1, 2, 3, 4):
            if 1 + 2 * c + c * (c - 1) // 2 == per:
                return c
        raise ValueError(f"A decoder output of {out.shape[-1]} channels is no {self.components}-component "
                         "logistic mixture.")

    def draw(self, out, rng: np.random.Generator) -> np.ndarray:
        """8-bit pixels drawn from the mixture (a component per pixel, then each channel in turn), in [0, 1]."""
        out = ops.convert_to_tensor(out)
        c = self.image_channels(out)
        logit_pi, loc, log_s, coeff = (None if t is None else ops.convert_to_numpy(t).astype("float64")
                                       for t in self._parts(out, c))
        gumbel = -np.log(-np.log(rng.uniform(1e-12, 1.0, logit_pi.shape)))
        pick = np.argmax(logit_pi + gumbel, axis=-1)[..., None, None]  # (N, H, W, 1, 1)
        loc = np.take_along_axis(loc, pick, -1)[..., 0]
        scale = np.exp(np.take_along_axis(log_s, pick, -1)[..., 0])
        coeff = None if coeff is None else np.take_along_axis(coeff, pick, -1)[..., 0]
        u = rng.uniform(1e-5, 1.0 - 1e-5, loc.shape)
        noise = scale * (np.log(u) - np.log1p(-u))
        values, p = [], 0
        for j in range(c):
            v = loc[..., j] + noise[..., j]
            for i in range(j):
                v = v + coeff[..., p] * values[i]
                p += 1
            values.append(np.clip(v, -1.0, 1.0))
        x = np.round((np.stack(values, -1) + 1.0) / 2.0 * BINS) / BINS
        return x.astype("float32")

    def describe(self) -> str:
        return (f"discretized mixture of {self.components} logistics on 8-bit pixels (PixelCNN++; losses in nats "
                "per image)")


LIKELIHOODS = registry.LIKELIHOODS  # the names `get` builds


def get(name: str, components: int = 10):
    """The likelihood called `name` ('bernoulli' or 'logistic_mixture' with `components` logistics)."""
    if name == "bernoulli":
        return Bernoulli()
    if name == "logistic_mixture":
        return LogisticMixture(components)
    raise ValueError(f"Unknown likelihood {name!r}; choose one of {', '.join(LIKELIHOODS)}.")
