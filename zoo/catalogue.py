"""The metric catalogue: every number the zoo shows, with its column label, its name in a sentence, its format,
what it means and which way is better. `zoo info`, `zoo compare`, MODEL_CARDS.md and the Hub cards all read
their labels here, so a metric is named one way everywhere."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """Args:
        key: the metric's key in zoo.compare's rows (and, for most, in the card's records).
        label: a narrow column header (zoo compare's terminal table).
        title: its name in a sentence or a wide table (zoo info, MODEL_CARDS.md, Hub cards).
        fmt: how its values print.
        meaning: what it measures, in a clause.
        better: "lower", "higher", or "" where neither is.
    """
    key: str
    label: str
    title: str
    fmt: str
    meaning: str
    better: str = ""

    def format(self, value) -> str:
        return "-" if value is None else self.fmt.format(value)

    def explained(self) -> str:
        """What it means and which way is better, for a legend or a headline."""
        return self.meaning + (f"; {self.better} is better" if self.better else "")


_FEATURES = "in the zoo evaluator's features"
METRICS = {m.key: m for m in (
    Metric("mse", "recon MSE", "reconstruction MSE", "{:.4f}", "per pixel on the test images", "lower"),
    Metric("iwae_nll", "NLL (IWAE)", "NLL", "{:.2f}", "a bound on -log p(x) (IWAE), nats per image", "lower"),
    Metric("neg_elbo", "-ELBO", "-ELBO", "{:.2f}", "a bound on -log p(x), nats per image", "lower"),
    Metric("nll_bits", "NLL b/d", "NLL (bits/dim)", "{:.3f}", "a bound on -log p(x) of 8-bit colour, bits per "
           "dimension: IWAE, or a vqvae's reconstruction given its code grid plus the prior's NLL of the grid",
           "lower"),
    Metric("neg_elbo_bits", "-ELBO b/d", "-ELBO (bits/dim)", "{:.3f}",
           "a bound on -log p(x) of 8-bit colour, bits per dimension", "lower"),
    Metric("fid", "FID", "sample FID", "{:.2f}", f"own sampler (T=1) vs the test images, {_FEATURES}", "lower"),
    Metric("kid", "KID", "sample KID", "{:.4f}", f"own sampler vs the test images, {_FEATURES}", "lower"),
    Metric("precision", "precision", "precision", "{:.3f}", "samples that look real (improved precision, k=3)",
           "higher"),
    Metric("recall", "recall", "recall", "{:.3f}", "test images the samples cover (improved recall, k=3)", "higher"),
    Metric("validity", "validity", "sample validity", "{:.3f}",
           "share of samples the evaluator calls a class with confidence >= 0.9", "higher"),
    Metric("coverage", "class ent.", "class entropy", "{:.3f}",
           "entropy of the samples' class histogram over its maximum (1: every class equally)", "higher"),
    Metric("fid_normal", "FID N(0,I)", "FID: N(0, I)", "{:.2f}", "naive codes from the standard normal", "lower"),
    Metric("validity_normal", "valid N(0,I)", "validity: N(0, I)", "{:.3f}", "naive codes from the standard normal",
           "higher"),
    Metric("fid_ex_post", "FID ex-post", "FID: ex-post GMM", "{:.2f}",
           "codes from a 10-component Gaussian mixture fitted to the training codes", "lower"),
    Metric("validity_ex_post", "valid ex-post", "validity: ex-post GMM", "{:.3f}",
           "codes from a 10-component Gaussian mixture fitted to the training codes", "higher"),
    Metric("fid_posterior", "FID q(z)", "FID: encoded test set", "{:.2f}", "reconstructions of the test images",
           "lower"),
    Metric("fid_interp", "FID interp", "FID: interpolation", "{:.2f}", "decoded midpoints of random test pairs",
           "lower"),
    Metric("validity_interp", "valid interp", "validity: interpolation", "{:.3f}",
           "decoded midpoints of random test pairs", "higher"),
    Metric("psnr_gauss", "PSNR gauss 0.5", "PSNR gaussian@0.5", "{:.2f}",
           "reconstructions of test images with Gaussian noise (sd 0.5) vs the clean ones, dB", "higher"),
    Metric("psnr_mask", "PSNR mask 0.5", "PSNR masking@0.5", "{:.2f}",
           "reconstructions of test images with half their pixels masked vs the clean ones, dB", "higher"),
    Metric("psnr_sp", "PSNR s&p 0.2", "PSNR salt_pepper@0.2", "{:.2f}",
           "reconstructions of test images with 20% salt-and-pepper noise vs the clean ones, dB", "higher"),
    Metric("near_zero", "near-zero code", "near-zero code share", "{:.3f}", "share of code values near zero"),
    Metric("jac_rel", "|J|/RMS code", "Jacobian norm / RMS code", "{:.2f}",
           "the encoder Jacobian's Frobenius norm over the codes' RMS: the code's sensitivity to its input"),
    Metric("beta_vae", "BetaVAE", "BetaVAE score", "{:.3f}",
           "a logistic regression's accuracy at telling the fixed factor from mean code differences", "higher"),
    Metric("factor_vae", "FactorVAE", "FactorVAE score", "{:.3f}",
           "accuracy of telling the fixed factor from the least varied unit", "higher"),
    Metric("mig", "MIG", "MIG", "{:.3f}",
           "gap in mutual information between the two code units that know a factor best; 0 to 1", "higher"),
    Metric("dci_disentanglement", "DCI D", "DCI disentanglement", "{:.3f}",
           "how much each unit predicts one factor only; 0 to 1", "higher"),
    Metric("dci_completeness", "DCI C", "DCI completeness", "{:.3f}",
           "how much each factor is predicted by one unit only; 0 to 1", "higher"),
    Metric("dci_informativeness", "DCI I", "DCI informativeness", "{:.3f}",
           "accuracy of predicting the factors from the code; 0 to 1", "higher"),
    Metric("sap", "SAP", "SAP", "{:.3f}", "gap in predictability between the two best units per factor", "higher"),
    Metric("modularity", "modularity", "modularity", "{:.3f}", "how much each unit depends on one factor only",
           "higher"),
    Metric("explicitness", "explicit.", "explicitness", "{:.3f}", "a linear classifier's AUC at reading the factors",
           "higher"),
)}
DISENTANGLEMENT = ("beta_vae", "factor_vae", "mig", "dci_disentanglement", "dci_completeness",
                   "dci_informativeness", "sap", "modularity", "explicitness")  # disentanglement_lib's, in its order


def get(key: str) -> Metric:
    return METRICS[key]
