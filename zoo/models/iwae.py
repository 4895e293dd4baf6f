"""Importance-weighted autoencoder (Burda et al. 2016): the VAE's networks trained on the tighter bound
log (1/k) sum_i p(x, z_i) / q(z_i | x), z_i ~ q(z | x). With k = 1 it is the VAE's ELBO; larger k gives
a better likelihood at k times the decoder cost per step.
"""
import math

import keras
from keras import ops

from zoo.models.vae import VAE
from zoo.registry import register_family

LOG_2PI = math.log(2 * math.pi)


@register_family("iwae")
@keras.saving.register_keras_serializable(package="zoo")
class IWAE(VAE):
    loss_names = ("neg_iwae_bound",)
    takes_free_bits = False
    noisy_step = True  # k codes per image

    def __init__(self, *args, k=5, **kwargs):
        """Args:
            k: importance samples per image in the training bound (1 is the plain VAE's ELBO).
            *args, **kwargs: as for VAE.
        """
        if int(k) < 1:
            raise ValueError(f"k (importance samples) must be >= 1; got {k!r}.")
        self.k = int(k)
        super().__init__(*args, **kwargs)

    def call(self, x, training=False):
        x = self.binarize(x, training)
        mean, log_var = self.posterior(self.encoder(x, training=training))
        n, d = ops.shape(mean)[0], self.latent_dim
        eps = keras.random.normal((n, self.k, d), seed=self.seed_generator)
        z = mean[:, None] + ops.exp(0.5 * log_var)[:, None] * eps
        logits = self.decoder(ops.reshape(z, (-1, d)), training=training)
        return {"logits": logits, "z": z, "eps": eps, "mean": mean, "log_var": log_var, "target": x}

    def loss_terms(self, x, outputs, training=False):
        target, z, eps, log_var = outputs["target"], outputs["z"], outputs["eps"], outputs["log_var"]
        n = ops.shape(target)[0]
        targets = ops.repeat(target, self.k, axis=0)  # row i*k + j pairs with z[i, j]
        log_px = -ops.reshape(self.reconstruction_nll(targets, outputs["logits"]), (n, self.k))
        log_pz = -0.5 * ops.sum(ops.square(z) + LOG_2PI, axis=-1)
        log_q = -0.5 * ops.sum(ops.square(eps) + log_var[:, None] + LOG_2PI, axis=-1)
        log_w = log_px + log_pz - log_q
        return {"neg_iwae_bound": -(ops.logsumexp(log_w, axis=1) - math.log(self.k))}

    def get_config(self):
        return {**super().get_config(), "k": self.k}
