"""Regularised autoencoder (Ghosh et al. 2020, RAE-L2): a deterministic autoencoder whose code is kept small
(beta * ||z||^2 / 2) and whose decoder is kept smooth (weight decay on its kernels), sampled ex post from a
Gaussian mixture fitted to the training codes, as in the paper: the VAE's noise replaced by explicit
regularisation.
"""
import keras
from keras import ops

from zoo.models.ae import AE
from zoo.registry import register_family


@register_family("rae")
@keras.saving.register_keras_serializable(package="zoo")
class RAE(AE):
    loss_names = ("reconstruction", "code_penalty", "decoder_penalty")

    def __init__(self, *args, code_weight=0.05, decoder_weight=1e-4, **kwargs):
        """Args:
            code_weight: weight of the codes' squared norm.
            decoder_weight: L2 weight decay on the decoder's weights.
            *args, **kwargs: as for AE.
        """
        self.code_weight, self.decoder_weight = float(code_weight), float(decoder_weight)
        super().__init__(*args, **kwargs)

    def loss_terms(self, x, outputs, training=False):
        terms = super().loss_terms(x, outputs, training)
        z = outputs["z"]
        terms["code_penalty"] = self.code_weight * 0.5 * ops.sum(ops.square(z), axis=1)
        l2 = sum(ops.sum(ops.square(w)) for w in self.decoder.trainable_weights if len(w.shape) > 1)
        terms["decoder_penalty"] = ops.ones_like(z[:, 0]) * (self.decoder_weight * l2)  # same for every image
        return terms

    def get_config(self):
        return {**super().get_config(), "code_weight": self.code_weight, "decoder_weight": self.decoder_weight}
