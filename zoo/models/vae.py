"""Variational autoencoder (Kingma & Welling 2014): Gaussian posterior, N(0, I) prior, and the decoder's
likelihood (Bernoulli by default; a discretized logistic mixture for 8-bit colour).

Loss = negative ELBO in nats per image = reconstruction (-log p(x|z), one z sample) + KL(q(z|x) || p(z)).
With `dynamic_binarization`, each training image is re-binarized every step (pixels ~ Bernoulli(x)),
the usual setting for likelihood numbers on MNIST. With `free_bits`, training does not push a code unit's KL
(its mean over the batch) below that many nats (Kingma et al. 2016), so units stay in use under a decoder
that could model the pixels alone; measured KLs and ELBOs are always the true ones.
"""
import math

import keras
import numpy as np
from keras import ops

from zoo.models import losses, priors
from zoo.models.base import Autoencoder
from zoo.registry import register_family


@register_family("vae")
@keras.saving.register_keras_serializable(package="zoo")
class VAE(Autoencoder):
    has_likelihood = True
    binarizable = True
    loss_names = ("reconstruction", "kl")
    takes_free_bits = True  # False where a family's own KL term replaces this one's

    def __init__(self, *args, dynamic_binarization=False, free_bits=0.0, **kwargs):
        """Args:
            dynamic_binarization: re-binarize each training image every step (pixels ~ Bernoulli(x)).
            free_bits: nats per code unit of KL that training does not penalise (0: the plain ELBO).
            *args, **kwargs: as for Autoencoder.
        """
        self.dynamic_binarization = bool(dynamic_binarization)
        self.free_bits = float(free_bits)
        if not self.free_bits >= 0.0 or self.free_bits == float("inf"):
            raise ValueError(f"free_bits must be a finite number of nats, 0 or more; got {free_bits!r}.")
        if self.free_bits and not self.takes_free_bits:
            raise ValueError(f"{type(self).__name__} has its own KL term and takes no free_bits.")
        super().__init__(*args, **kwargs)

    @property
    def noisy_step(self):
        return self.dynamic_binarization  # a uniform draw per pixel

    def encoder_out_dim(self):
        return 2 * self.latent_dim

    def posterior(self, features):
        """Split encoder features into the posterior's mean and log-variance."""
        mean, log_var = ops.split(features, 2, axis=-1)
        return mean, ops.clip(log_var, -30.0, 20.0)

    def code(self, features):
        return self.posterior(features)[0]

    def binarize(self, x, training):
        """Dynamic binarization: while training, pixels ~ Bernoulli(intensity), fresh every step."""
        if training and self.dynamic_binarization:
            return ops.cast(keras.random.uniform(ops.shape(x), seed=self.seed_generator) < x, x.dtype)
        return x

    def call(self, x, training=False):
        x = self.binarize(x, training)
        mean, log_var = self.posterior(self.encoder(x, training=training))
        z = mean + ops.exp(0.5 * log_var) * keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return {"logits": self.decoder(z, training=training), "z": z, "mean": mean,
                "log_var": log_var, "target": x}

    def loss_terms(self, x, outputs, training=False):
        if training and self.free_bits > 0:
            kl = losses.free_bits_kl(outputs["mean"], outputs["log_var"], self.free_bits)
        else:
            kl = losses.gaussian_kl(outputs["mean"], outputs["log_var"])
        return {"reconstruction": self.reconstruction_nll(outputs["target"], outputs["logits"]), "kl": kl}

    # ---- likelihood estimators for zoo.metrics: numpy in and out, noise from a numpy Generator ----
    def log_weights(self, x, labels, k, rng) -> np.ndarray:
        """(N, k) log importance weights log p(x|z) + log p(z) - log q(z|x), z ~ q(z|x) (`labels`: one-hot, for
        a conditional family; else None). Their log-mean-exp is the IWAE bound (zoo.metrics.likelihood)."""
        mean, log_var = (ops.convert_to_numpy(t) for t in self.posterior(self.features(x, labels)))
        n, d = mean.shape
        eps = rng.standard_normal((n, k, d)).astype("float32")
        z = (mean[:, None] + np.exp(0.5 * log_var)[:, None] * eps).reshape(n * k, d)
        log_q = -0.5 * (eps ** 2 + log_var[:, None] + math.log(2 * math.pi)).sum(-1)
        log_pz = ops.convert_to_numpy(self.prior.log_prob(z)).reshape(n, k)
        logits = self.decoder(self.decoder_input(z, None if labels is None else np.repeat(labels, k, 0)),
                              training=False)
        log_px = -ops.convert_to_numpy(self.reconstruction_nll(np.repeat(x, k, axis=0), logits)).reshape(n, k)
        return log_px + log_pz - log_q

    def elbo_terms(self, x, labels, rng):
        """(reconstruction, KL) in nats per image with one posterior sample: KL analytic against N(0, I),
        the one-sample estimate log q(z|x) - log p(z) against any other prior."""
        mean, log_var = (ops.convert_to_numpy(t) for t in self.posterior(self.features(x, labels)))
        z = (mean + np.exp(0.5 * log_var) * rng.standard_normal(mean.shape)).astype("float32")
        rec = self.reconstruction_nll(x, self.decoder(self.decoder_input(z, labels), training=False))
        if isinstance(self.prior, priors.StandardNormal):
            kl = losses.gaussian_kl(mean, log_var)
        else:
            kl = priors.gaussian_log_density(z, mean, log_var) - self.prior.log_prob(z)
        return ops.convert_to_numpy(rec), ops.convert_to_numpy(kl)

    def get_config(self):
        return {**super().get_config(), "dynamic_binarization": self.dynamic_binarization,
                "free_bits": self.free_bits}
