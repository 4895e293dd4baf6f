"""Plain autoencoder: deterministic code, trained on the reconstruction's negative log-likelihood, no prior of its own.

Its `sample` draws from a Gaussian mixture fitted to the training codes after training, because a naive
N(0, I) draw (`sample(n, prior="normal")`) mostly lands where the decoder has never been trained.
"""
import keras

from zoo.models import priors
from zoo.models.base import Autoencoder
from zoo.registry import register_family


@register_family("ae")
@keras.saving.register_keras_serializable(package="zoo")
class AE(Autoencoder):
    fitted_prior = True

    def __init__(self, *args, prior_components=10, **kwargs):
        """Args:
            prior_components: components of the Gaussian mixture fitted to the training codes (the sampler).
            *args, **kwargs: as for Autoencoder.
        """
        self.prior_components = int(prior_components)
        super().__init__(*args, **kwargs)

    def make_prior(self):
        return priors.GaussianMixture(self.latent_dim, self.prior_components, name="prior")

    def get_config(self):
        return {**super().get_config(), "prior_components": self.prior_components}


class PriorMatchingAE(AE):
    """A deterministic autoencoder trained to make its codes look like draws from N(0, I) (wae, aae): it
    samples from that prior, and each training batch carries prior draws (`z_prior`) to compare against."""

    fitted_prior = False
    prior_draws = None  # prior draws per batch; None: one per code

    def make_prior(self):
        return priors.StandardNormal(self.latent_dim, name="prior")

    def call(self, x, training=False):
        out = super().call(x, training=training)
        n = self.prior_draws or keras.ops.shape(out["z"])[0]
        out["z_prior"] = keras.random.normal((n, self.latent_dim), seed=self.seed_generator)
        return out
