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


def standardized(z, eps=1e-6):
    """Each unit of z shifted and scaled to mean 0 and variance 1 over the batch (gradients flow through both)."""
    z = ops.convert_to_tensor(z)
    centred = z - ops.mean(z, axis=0, keepdims=True)
    return centred / ops.sqrt(ops.mean(ops.square(centred), axis=0, keepdims=True) + eps)


def permute_dims(z, seed):
    """Each column of z shuffled on its own across the batch: a draw from the product of z's marginals."""
    order = ops.argsort(keras.random.uniform(ops.shape(z), seed=seed), axis=0)
    return ops.take_along_axis(z, order, axis=0)


@register_family("factor_vae")
@keras.saving.register_keras_serializable(package="zoo")
class FactorVAE(VAE):
    loss_names = ("reconstruction", "kl", "tc_penalty", "discriminator")
    critic_terms = ("tc_penalty", "discriminator")

    def __init__(self, *args, gamma=35.0, discriminator_units=(256,) * 6, discriminator_betas=None,
                 standardize_codes=False, **kwargs):
        """Args:
            gamma: weight of the total-correlation penalty (the paper's gamma; 10..100 on dSprites).
            discriminator_units: widths of the discriminator's hidden layers (leaky ReLU). The paper uses six of
                1000; narrower keeps the checkpoint a few MB.
            discriminator_betas: (beta_1, beta_2) of the discriminator's Adam, e.g. the paper's (0.5, 0.9); None
                trains it with the VAE's (0.9, 0.999).
            standardize_codes: the discriminator sees codes standardised unit by unit over the batch, so the
                penalty cannot shift or stretch a unit (the TC of a code does not depend on either).
            *args, **kwargs: as for VAE.
        """
        self.gamma = float(gamma)
        self.discriminator_units = tuple(int(u) for u in discriminator_units)
        self.standardize_codes = bool(standardize_codes)
        self.discriminator_betas = None
        if discriminator_betas is not None:
            betas = tuple(float(b) for b in discriminator_betas)
            if len(betas) != 2 or not all(0 <= b < 1 for b in betas):
                raise ValueError(f"discriminator_betas must be two numbers in [0, 1), (beta_1, beta_2); "
                                 f"got {discriminator_betas!r}.")
            self.discriminator_betas = betas
        super().__init__(*args, **kwargs)

    def make_layers(self):
        self.discriminator = critics.mlp(self.latent_dim, self.discriminator_units, activation="leaky_relu")

    def total_correlation(self, z):
        """Per-code estimate of log q(z) - log prod_j q(z_j): the discriminator's logit that z is a joint draw."""
        return critics.logit(self.discriminator, self.critic_input(z))

    def critic_input(self, z):
        """The codes as the discriminator sees them."""
        return standardized(z) if self.standardize_codes else z

    def loss_terms(self, x, outputs, training=False):
        terms = super().loss_terms(x, outputs, training)
        z = self.critic_input(outputs["z"])
        terms["tc_penalty"] = self.gamma * critics.logit(self.discriminator, z, frozen=True)
        z_fixed = ops.stop_gradient(z)
        # -log sigmoid(l) = softplus(-l) for joint codes; -log(1 - sigmoid(l)) = softplus(l) for shuffled ones
        terms["discriminator"] = 0.5 * (ops.softplus(-critics.logit(self.discriminator, z_fixed))
                                        + ops.softplus(critics.logit(self.discriminator,
                                                                     permute_dims(z_fixed, self.seed_generator))))
        return terms

    def make_optimizer(self, learning_rate):
        if self.discriminator_betas is None:
            return super().make_optimizer(learning_rate)
        return critics.CriticAdam(learning_rate, critic=self.discriminator.name,
                                  critic_beta_1=self.discriminator_betas[0], critic_beta_2=self.discriminator_betas[1])

    def frozen_parts(self, which: str) -> list:
        parts = super().frozen_parts(which)
        return parts + [self.discriminator] if which == "encoder" else parts

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "discriminator_units": list(self.discriminator_units),
                "discriminator_betas": list(self.discriminator_betas) if self.discriminator_betas else None,
                "standardize_codes": self.standardize_codes}
