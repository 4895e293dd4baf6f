"""One unit per kind of data, wherever the zoo prints a likelihood: 8-bit colour (the logistic mixture's
pixels) in bits per dimension, as the photo literature quotes it; grey and binarized images (Bernoulli) in
nats per image, as the MNIST literature does. And a code shown as what it is: a width, or a grid of cells."""
from __future__ import annotations

import math

BITS_LIKELIHOODS = ("logistic_mixture",)


def in_bits(likelihood_kind: str) -> bool:
    """Whether likelihoods under this decoder likelihood are quoted in bits per dimension."""
    return likelihood_kind in BITS_LIKELIHOODS


def bits_per_dim(nats: float, image_shape) -> float:
    """A negative log-likelihood in nats per image as bits per dimension (nats / (H * W * C * ln 2))."""
    return float(nats) / (math.prod(image_shape) * math.log(2))


def nll_text(nats: float, image_shape, likelihood_kind: str) -> str:
    """'4.681 bits/dim' for 8-bit colour, '81.38 nats' for the rest."""
    if in_bits(likelihood_kind):
        return f"{bits_per_dim(nats, image_shape):.3f} bits/dim"
    return f"{nats:.2f} nats"


def code_shape(family: str, backbone: str, image_shape, latent_dim: int, options: dict | None = None) -> tuple:
    """The shape of a model's code: (width,), or (rows, cols, channels) for a grid code (vqvae's, and the
    resnet_grid backbone's). Arithmetic only: the networks compute the same (a test checks)."""
    options = options or {}
    h, w = image_shape[:2]
    if family == "vqvae":
        rows, cols = math.ceil(h / 4), math.ceil(w / 4)
        return rows, cols, latent_dim // (rows * cols)
    if backbone == "resnet_grid":
        scale = 2 ** len(options.get("hidden") or (64, 128))
        rows, cols = math.ceil(h / scale), math.ceil(w / scale)
        return rows, cols, latent_dim // (rows * cols)
    return (latent_dim,)


def code_text(shape) -> str:
    """'16' for a vector code, '8x8x64' for a grid."""
    return "x".join(str(s) for s in shape)
