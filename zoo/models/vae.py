"""Variational autoencoder (Kingma & Welling 2014): Gaussian posterior, N(0, I) prior, Bernoulli decoder.

Loss = negative ELBO in nats per image = reconstruction (-log p(x|z), one z sample) + KL(q(z|x) || p(z)).
With `dynamic_binarization`, each training image is re-binarized every step (pixels ~ Bernoulli(x)),
the usual setting for likelihood numbers on MNIST.
"""
import keras
from keras import ops

from zoo.models import losses
from zoo.models.base import Autoencoder
from zoo.registry import register_family


@register_family("vae")
@keras.saving.register_keras_serializable(package="zoo")
class VAE(Autoencoder):
    loss_names = ("reconstruction", "kl")

    def __init__(self, *args, dynamic_binarization=False, **kwargs):
        self.dynamic_binarization = bool(dynamic_binarization)
        super().__init__(*args, **kwargs)

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
            return ops.cast(keras.random.uniform(ops.shape(x), seed=self.noise) < x, x.dtype)
        return x

    def call(self, x, training=False):
        x = self.binarize(x, training)
        mean, log_var = self.posterior(self.encoder(x, training=training))
        z = mean + ops.exp(0.5 * log_var) * keras.random.normal(ops.shape(mean), seed=self.noise)
        return {"logits": self.decoder(z, training=training), "z": z, "mean": mean,
                "log_var": log_var, "target": x}

    def loss_terms(self, x, outputs, training=False):
        return {"reconstruction": losses.bernoulli_nll(outputs["target"], outputs["logits"]),
                "kl": losses.gaussian_kl(outputs["mean"], outputs["log_var"])}

    def get_config(self):
        return {**super().get_config(), "dynamic_binarization": self.dynamic_binarization}
