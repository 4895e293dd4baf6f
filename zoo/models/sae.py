"""Sparse autoencoder: a penalty keeps most code units near zero for each image.

sparsity="l1": ReLU code with an L1 activity penalty, weight * sum|z|.
sparsity="kl": sigmoid code with the classic KL-to-target-rate penalty (Ng's notes), weight *
sum_j KL(rho || mean activation of unit j over the batch). Samples come from a fitted Gaussian mixture.
"""
import keras
from keras import ops

from zoo.models.ae import AE
from zoo.registry import register_family


def kl_rate_penalty(z, rate, eps=1e-7):
    """sum_j KL(Bernoulli(rate) || Bernoulli(mean_batch z_j)) for sigmoid codes z (N, d); a scalar."""
    rho_hat = ops.clip(ops.mean(z, axis=0), eps, 1 - eps)
    return ops.sum(rate * ops.log(rate / rho_hat) + (1 - rate) * ops.log((1 - rate) / (1 - rho_hat)))


@register_family("sae")
@keras.saving.register_keras_serializable(package="zoo")
class SAE(AE):
    loss_names = ("reconstruction", "sparsity")

    def __init__(self, *args, sparsity="l1", sparsity_weight=0.1, target_rate=0.05, **kwargs):
        """Args:
            sparsity: "l1" (an L1 penalty on a ReLU code) or "kl" (a sigmoid code pulled to target_rate).
            sparsity_weight: weight of the sparsity penalty.
            target_rate: the mean activation the "kl" penalty aims for.
            *args, **kwargs: as for AE.
        """
        if sparsity not in ("l1", "kl"):
            raise ValueError(f"sparsity must be 'l1' or 'kl'; got {sparsity!r}.")
        if not 0 < target_rate < 1:
            raise ValueError(f"target_rate must be in (0, 1); got {target_rate!r}.")
        self.sparsity, self.sparsity_weight, self.target_rate = sparsity, float(sparsity_weight), float(target_rate)
        super().__init__(*args, **kwargs)

    def code(self, features):
        return ops.relu(features) if self.sparsity == "l1" else ops.sigmoid(features)

    def loss_terms(self, x, outputs, training=False):
        terms = super().loss_terms(x, outputs, training)
        z = outputs["z"]
        if self.sparsity == "l1":
            penalty = ops.sum(ops.abs(z), axis=1)
        else:  # a batch statistic: the same value for every image of the batch
            penalty = ops.ones_like(z[:, 0]) * kl_rate_penalty(z, self.target_rate)
        terms["sparsity"] = self.sparsity_weight * penalty
        return terms

    def get_config(self):
        return {**super().get_config(), "sparsity": self.sparsity, "sparsity_weight": self.sparsity_weight,
                "target_rate": self.target_rate}
