"""Adversarial autoencoder (Makhzani et al. 2016): a discriminator on the code tells encoded images from
prior draws N(0, I); the encoder learns to fool it, which pushes the aggregate posterior onto the prior.
Samples come from N(0, I).

Both players train through one `compute_loss`, so every backend runs it: stop-gradients route each term to
its own player. The discriminator term sees the codes as constants; the encoder's adversarial term runs the
discriminator with constant weights. One optimizer step is then a simultaneous update of both players.
"""
import keras
from keras import ops

from zoo.models import critics
from zoo.models.ae import PriorMatchingAE
from zoo.registry import register_family


@register_family("aae")
@keras.saving.register_keras_serializable(package="zoo")
class AAE(PriorMatchingAE):
    loss_names = ("reconstruction", "adversarial", "discriminator")
    critic_terms = ("adversarial", "discriminator")

    def __init__(self, *args, adversarial_weight=1.0, discriminator_units=(256, 256), **kwargs):
        """Args:
            adversarial_weight: weight of the encoder's fool-the-discriminator term against reconstruction.
            discriminator_units: widths of the discriminator MLP's hidden layers.
            *args, **kwargs: as for Autoencoder.
        """
        self.adversarial_weight = float(adversarial_weight)
        self.discriminator_units = tuple(int(u) for u in discriminator_units)
        super().__init__(*args, **kwargs)

    def make_layers(self):
        self.discriminator = critics.mlp(self.latent_dim, self.discriminator_units)

    def discriminate(self, z, frozen=False):
        """Logit that z came from the prior; frozen=True treats the discriminator's weights as constants."""
        return critics.logit(self.discriminator, z, frozen)

    def loss_terms(self, x, outputs, training=False):
        terms = super().loss_terms(x, outputs, training)
        z, z_prior = outputs["z"], outputs["z_prior"]
        # -log sigmoid(l) = softplus(-l); -log(1 - sigmoid(l)) = softplus(l)
        terms["adversarial"] = self.adversarial_weight * ops.softplus(-self.discriminate(z, frozen=True))
        terms["discriminator"] = (ops.softplus(-self.discriminate(z_prior))
                                  + ops.softplus(self.discriminate(ops.stop_gradient(z))))
        return terms

    def get_config(self):
        return {**super().get_config(), "adversarial_weight": self.adversarial_weight,
                "discriminator_units": list(self.discriminator_units)}
