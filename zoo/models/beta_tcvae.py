"""beta-TCVAE (Chen et al. 2018): the ELBO with the KL's total-correlation part weighted by beta, the rest
(index-code information, dimension-wise KL) left at weight 1:

    loss = reconstruction + KL + (beta - 1) * TC,   TC = log q(z) - sum_j log q(z_j),

with q(z) and q(z_j) estimated by minibatch-weighted sampling over the batch, as disentanglement_lib does. It
takes the batch as the data (N = M), which only shifts the estimate by a constant, so the gradient is the
paper's; disentanglement_lib drops that constant, we keep it so the reported TC is the batch aggregate's.
"""
import keras
from keras import ops

from zoo.models.priors import gaussian_log_density_per_unit
from zoo.models.vae import VAE
from zoo.registry import register_family


def total_correlation(z, mean, log_var):
    """Minibatch estimate of log q(z_i) - sum_j log q(z_ij) for each code z_i of the batch, shape (N,): with
    log q(z) ~ logsumexp_k log q(z | x_k) - log M over the M codes of the batch."""
    # (N, N, D): unit d of code i under posterior j
    log_q = gaussian_log_density_per_unit(ops.expand_dims(z, 1), ops.expand_dims(mean, 0), ops.expand_dims(log_var, 0))
    log_q_product = ops.sum(ops.logsumexp(log_q, axis=1), axis=1)
    log_q_joint = ops.logsumexp(ops.sum(log_q, axis=2), axis=1)
    log_m = ops.log(ops.cast(ops.shape(z)[0], z.dtype))
    return log_q_joint - log_q_product + (ops.cast(ops.shape(z)[1], z.dtype) - 1.0) * log_m


@register_family("beta_tcvae")
@keras.saving.register_keras_serializable(package="zoo")
class BetaTCVAE(VAE):
    loss_names = ("reconstruction", "kl", "tc_penalty")

    def __init__(self, *args, beta=6.0, **kwargs):
        """Args:
            beta: weight of the total-correlation term (1 is the plain VAE; the paper sweeps 1..10).
            *args, **kwargs: as for VAE.
        """
        self.beta = float(beta)
        super().__init__(*args, **kwargs)

    def loss_terms(self, x, outputs, training=False):
        terms = super().loss_terms(x, outputs, training)
        terms["tc_penalty"] = (self.beta - 1.0) * total_correlation(outputs["z"], outputs["mean"], outputs["log_var"])
        return terms

    def get_config(self):
        return {**super().get_config(), "beta": self.beta}
