"""Measured numbers for cards and comparisons: plain functions of a model and image arrays."""
from __future__ import annotations

import numpy as np
from keras import ops

from zoo import inputs
from zoo.models import losses


def reconstruction(model, x, batch_size=1000) -> dict:
    """Mean squared error per pixel and Bernoulli cross-entropy in nats per image, x -> decode(encode(x))."""
    x = inputs.as_images(x, model.image_shape)
    mse, bce = [], []
    for i in range(0, len(x), batch_size):
        b = x[i:i + batch_size]
        logits = model.decoder(model.code(model.encoder(b, training=False)), training=False)
        bce.append(ops.convert_to_numpy(losses.bernoulli_nll(b, logits)))
        mse.append(ops.convert_to_numpy(losses.squared_error(b, ops.sigmoid(logits))) / np.prod(b.shape[1:]))
    return {"mse": float(np.concatenate(mse).mean()), "bce_nats": float(np.concatenate(bce).mean())}


def negative_elbo(model, x, seed=0, binarize=False, batch_size=1000) -> dict:
    """Mean negative ELBO and its terms (nats per image), one posterior sample per image.

    binarize=True draws a fixed binarization of x (pixels ~ Bernoulli(x), seeded), as in the literature.
    """
    x = inputs.as_images(x, model.image_shape)
    rng = np.random.default_rng(seed)
    if binarize:
        x = (rng.random(x.shape) < x).astype("float32")
    rec, kl = [], []
    for i in range(0, len(x), batch_size):
        b = x[i:i + batch_size]
        mean, log_var = model.posterior(model.encoder(b, training=False))
        mean, log_var = ops.convert_to_numpy(mean), ops.convert_to_numpy(log_var)
        z = (mean + np.exp(0.5 * log_var) * rng.standard_normal(mean.shape)).astype("float32")
        rec.append(ops.convert_to_numpy(losses.bernoulli_nll(b, model.decoder(z, training=False))))
        kl.append(ops.convert_to_numpy(losses.gaussian_kl(mean, log_var)))
    rec, kl = np.concatenate(rec), np.concatenate(kl)
    return {"neg_elbo_nats": float((rec + kl).mean()), "reconstruction_nats": float(rec.mean()),
            "kl_nats": float(kl.mean())}
