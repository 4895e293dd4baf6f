"""DIP-VAE (Kumar et al. 2018): the VAE plus a penalty that pulls the covariance of the aggregate posterior
towards the identity, so the code's units are decorrelated and of unit scale:

    penalty = lambda_od * sum_{i != j} Cov_ij^2 + lambda_d * sum_i (Cov_ii - 1)^2,

with Cov the batch covariance of the posterior means (variant "i"), or that plus the mean posterior variance
(variant "ii", the aggregate posterior's full covariance). The penalty is the batch's; each image carries it.
"""
import keras
from keras import ops

from zoo.models.vae import VAE
from zoo.registry import register_family

VARIANTS = {"i": 10.0, "ii": 1.0}  # variant -> the paper's lambda_d / lambda_od


@register_family("dip_vae")
@keras.saving.register_keras_serializable(package="zoo")
class DIPVAE(VAE):
    loss_names = ("reconstruction", "kl", "dip_penalty")

    def __init__(self, *args, variant="i", lambda_od=10.0, lambda_d=None, **kwargs):
        """Args:
            variant: "i" (covariance of the posterior means) or "ii" (plus the mean posterior variance).
            lambda_od: weight of the off-diagonal terms.
            lambda_d: weight of the diagonal terms; default the paper's, 10 * lambda_od (i) or lambda_od (ii).
            *args, **kwargs: as for VAE.
        """
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {sorted(VARIANTS)}; got {variant!r}.")
        self.variant, self.lambda_od = variant, float(lambda_od)
        self.lambda_d = float(VARIANTS[variant] * self.lambda_od if lambda_d is None else lambda_d)
        super().__init__(*args, **kwargs)

    def covariance(self, mean, log_var):
        """The covariance the penalty compares with the identity, (D, D)."""
        mean, log_var = ops.convert_to_tensor(mean), ops.convert_to_tensor(log_var)
        centred = mean - ops.mean(mean, axis=0, keepdims=True)
        cov = ops.matmul(ops.transpose(centred), centred) / ops.cast(ops.shape(mean)[0], mean.dtype)
        if self.variant == "ii":
            cov = cov + ops.diag(ops.mean(ops.exp(log_var), axis=0))
        return cov

    def loss_terms(self, x, outputs, training=False):
        terms = super().loss_terms(x, outputs, training)
        cov = self.covariance(outputs["mean"], outputs["log_var"])
        diag = ops.diagonal(cov)
        penalty = (self.lambda_od * (ops.sum(ops.square(cov)) - ops.sum(ops.square(diag)))
                   + self.lambda_d * ops.sum(ops.square(diag - 1.0)))
        terms["dip_penalty"] = penalty * ops.ones_like(terms["kl"])
        return terms

    def get_config(self):
        return {**super().get_config(), "variant": self.variant, "lambda_od": self.lambda_od,
                "lambda_d": self.lambda_d}
