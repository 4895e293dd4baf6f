"""Wasserstein autoencoder, MMD variant (Tolstikhin et al. 2018): a deterministic autoencoder whose
aggregate posterior is pushed towards the prior N(0, I) by a maximum mean discrepancy penalty between a
batch of codes and a batch of prior draws, with the inverse multiquadric kernel k(x, y) = C / (C + |x - y|^2)
summed over the paper's scales C = 2 d s, s in (0.1, 0.2, 0.5, 1, 2, 5, 10). Samples come from N(0, I).
`prior_draws` sets how many prior draws each step compares the batch's codes with (default: as many as codes);
the prior costs nothing to sample, and more draws make the penalty's estimate less noisy.
"""
import keras
from keras import ops

from zoo.models.ae import PriorMatchingAE
from zoo.registry import register_family

IMQ_SCALES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


def sq_dists(a, b):
    return ops.maximum(ops.sum(ops.square(a), 1)[:, None] + ops.sum(ops.square(b), 1)[None]
                       - 2.0 * ops.matmul(a, ops.transpose(b)), 0.0)


def imq_mmd(zq, zp, scales=IMQ_SCALES):
    """Unbiased MMD^2 between two batches (N, d) and (M, d) under the multi-scale IMQ kernel; a scalar."""
    d = ops.cast(ops.shape(zq)[1], zq.dtype)

    def k(a, b):
        dist = sq_dists(a, b)
        return sum(2.0 * d * s / (2.0 * d * s + dist) for s in scales)

    def within(a):  # mean over pairs i != j
        n = ops.shape(a)[0]
        off = 1.0 - ops.eye(n, dtype=a.dtype)
        n = ops.cast(n, a.dtype)
        return ops.sum(k(a, a) * off) / (n * (n - 1.0))

    return within(zq) + within(zp) - 2.0 * ops.mean(k(zq, zp))


@register_family("wae")
@keras.saving.register_keras_serializable(package="zoo")
class WAE(PriorMatchingAE):
    loss_names = ("reconstruction", "mmd")

    def __init__(self, *args, mmd_weight=100.0, prior_draws=None, **kwargs):
        """Args:
            mmd_weight: weight of the MMD between the codes and N(0, I) draws (IMQ kernel).
            prior_draws: N(0, I) draws per step for the MMD (None: as many as codes in the batch).
            *args, **kwargs: as for Autoencoder.
        """
        if prior_draws is not None and int(prior_draws) < 2:
            raise ValueError(f"prior_draws must be at least 2 (or None: one per code); got {prior_draws!r}.")
        self.mmd_weight = float(mmd_weight)
        self.prior_draws = None if prior_draws is None else int(prior_draws)
        super().__init__(*args, **kwargs)

    def loss_terms(self, x, outputs, training=False):
        terms = super().loss_terms(x, outputs, training)
        mmd = imq_mmd(outputs["z"], outputs["z_prior"])
        terms["mmd"] = ops.ones_like(outputs["z"][:, 0]) * (self.mmd_weight * mmd)  # a batch statistic
        return terms

    def get_config(self):
        return {**super().get_config(), "mmd_weight": self.mmd_weight, "prior_draws": self.prior_draws}
