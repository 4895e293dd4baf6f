"""VAE with the VampPrior (Tomczak & Welling 2018): the prior is a mixture of the encoder's own posteriors
at K learned pseudo-inputs, p(z) = (1/K) sum_k q(z | u_k), so the prior can move to where the codes are
instead of forcing them into N(0, I). Its KL has no closed form; the loss uses the one-sample estimate
log q(z|x) - log p(z). `sample` picks a pseudo-input uniformly and draws z from its posterior.
"""
import math

import keras
import numpy as np
from keras import ops

from zoo.models import precision, priors
from zoo.models.vae import VAE
from zoo.registry import register_family


@keras.saving.register_keras_serializable(package="zoo")
class VampPrior(keras.layers.Layer):
    """p(z) = mean over k of q(z | u_k), u_k learned pseudo-images in [0, 1]. Owned by a `vamp` model,
    which binds its encoder (`bind`) so the density can evaluate q(. | u_k)."""

    def __init__(self, dim, components=500, image_shape=(28, 28, 1), **kwargs):
        """Args:
            dim: width of the codes.
            components: number of learned pseudo-inputs (the mixture's components).
            image_shape: the images' shape (the pseudo-inputs are images).
            **kwargs: keras.layers.Layer arguments.
        """
        super().__init__(**precision.float32_kwargs(kwargs))
        self.dim, self.components = int(dim), int(components)
        self.image_shape = tuple(int(s) for s in image_shape)
        # The paper's initialisation: pseudo-pixels near 0.05, kept in [0, 1] by clipping (its hardtanh).
        self.pseudo = self.add_weight(shape=(self.components, *self.image_shape), name="pseudo_inputs",
                                      initializer=keras.initializers.RandomNormal(0.05, 0.01, seed=0))
        self._posterior = None

    def describe(self) -> str:
        return self.describe_config(self.get_config())

    @staticmethod
    def describe_config(config: dict) -> str:
        return f"a VampPrior: the mixture of the encoder's posteriors at {config['components']} learned pseudo-images"

    def bind(self, posterior):
        """posterior: images -> (mean, log_var) of q(z | images); the owning model's encoder."""
        object.__setattr__(self, "_posterior", posterior)  # a plain callable, not a tracked sublayer

    def pseudo_inputs(self):
        return ops.clip(self.pseudo, 0.0, 1.0)

    def component_posteriors(self):
        """(mean, log_var), each (K, dim): the posterior at every pseudo-input."""
        if self._posterior is None:
            raise RuntimeError("This VampPrior is not bound to an encoder; use it through its vamp model.")
        return self._posterior(self.pseudo_inputs())

    def log_prob(self, z):
        """log p(z) for codes (N, dim), shape (N,)."""
        mean, log_var = self.component_posteriors()
        z = ops.convert_to_tensor(z)
        per_component = priors.gaussian_log_density(z[:, None], mean[None], log_var[None])  # (N, K)
        return ops.logsumexp(per_component, axis=1) - math.log(self.components)

    def sample(self, n, rng: np.random.Generator, temperature=1.0) -> np.ndarray:
        mean, log_var = (ops.convert_to_numpy(t) for t in self.component_posteriors())
        k = rng.integers(0, self.components, n)
        eps = temperature * rng.standard_normal((n, self.dim))
        return (mean[k] + np.exp(0.5 * log_var[k]) * eps).astype("float32")

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "components": self.components,
                "image_shape": list(self.image_shape)}


@register_family("vamp")
@keras.saving.register_keras_serializable(package="zoo")
class Vamp(VAE):
    takes_free_bits = False
    def __init__(self, *args, components=500, **kwargs):
        """Args:
            components: number of learned pseudo-inputs of the VampPrior.
            *args, **kwargs: as for VAE.
        """
        self.components = int(components)
        super().__init__(*args, **kwargs)

    def make_prior(self):
        return VampPrior(self.latent_dim, self.components, self.image_shape, name="prior")

    def make_layers(self):
        self.prior.bind(lambda u: self.posterior(self.encoder(u)))

    def loss_terms(self, x, outputs, training=False):
        z, mean, log_var = outputs["z"], outputs["mean"], outputs["log_var"]
        log_q = priors.gaussian_log_density(z, mean, log_var)
        return {"reconstruction": self.reconstruction_nll(outputs["target"], outputs["logits"]),
                "kl": log_q - self.prior.log_prob(z)}  # one-sample estimate of KL(q(z|x) || p(z))

    def get_config(self):
        return {**super().get_config(), "components": self.components}
