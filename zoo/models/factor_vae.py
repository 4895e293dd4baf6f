"""FactorVAE (Kim & Mnih 2018): the VAE plus gamma times the total correlation of the code, estimated by a
discriminator that tells codes from codes whose units were shuffled independently across the batch (draws
from the product of the marginals): TC ~ E[logit D(z)]. Penalising it pushes the units to be independent.

Both players train through one `compute_loss` (as aae): the encoder's TC term runs the discriminator with
constant weights; the discriminator's term sees the codes as constants.
"""
import keras
from keras import ops

from zoo.models import critics
from zoo.models.vae import VAE
from zoo.registry import register_family


def permute_dims(z, seed):
    """Each column of z shuffled on its own across the batch: a draw from the product of z's marginals."""
    order = ops.argsort(keras.random.uniform(ops.shape(z), seed=seed), axis=0)
    return ops.take_along_axis(z, order, axis=0)


@register_family("factor_vae")
@keras.saving.register_keras_serializable(package="zoo")
class FactorVAE(VAE):
    loss_names = ("reconstruction", "kl", "tc_penalty", "discriminator")
    critic_terms = ("tc_penalty", "discriminator")

    def __init__(self, *args, gamma=35.0, discriminator_units=(256,) * 6, **kwargs):
        """Args:
            gamma: weight of the total-correlation penalty (the paper's gamma; 10..100 on dSprites).
            discriminator_units: widths of the discriminator's hidden layers (leaky ReLU). The paper uses six of
                1000; narrower keeps the checkpoint a few MB.
            *args, **kwargs: as for VAE.
        """
        self.gamma = float(gamma)
        self.discriminator_units = tuple(int(u) for u in discriminator_units)
        super().__init__(*args, **kwargs)

    def make_layers(self):
        self.discriminator = critics.mlp(self.latent_dim, self.discriminator_units, activation="leaky_relu")

    def total_correlation(self, z):
        """Per-code estimate of log q(z) - log prod_j q(z_j): the discriminator's logit that z is a joint draw."""
        return critics.logit(self.discriminator, z)

    def loss_terms(self, x, outputs, training=False):
        terms = super().loss_terms(x, outputs, training)
        z = outputs["z"]
        terms["tc_penalty"] = self.gamma * critics.logit(self.discriminator, z, frozen=True)
        z_fixed = ops.stop_gradient(z)
        # -log sigmoid(l) = softplus(-l) for joint codes; -log(1 - sigmoid(l)) = softplus(l) for shuffled ones
        terms["discriminator"] = 0.5 * (ops.softplus(-critics.logit(self.discriminator, z_fixed))
                                        + ops.softplus(critics.logit(self.discriminator,
                                                                     permute_dims(z_fixed, self.seed_generator))))
        return terms

    def frozen_parts(self, which: str) -> list:
        parts = super().frozen_parts(which)
        return parts + [self.discriminator] if which == "encoder" else parts

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "discriminator_units": list(self.discriminator_units)}
