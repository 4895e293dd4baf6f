"""What the documents the cards make share: a card's names, its measured sections read for print, the
model body a model card and a Hub README both show."""
from __future__ import annotations

import inspect
import json
from pathlib import Path

from zoo import catalogue, checkpoints, factory, metrics, plots, recipes
from zoo.card import Baseline, Card, Likelihood, Reconstruction, Training
from zoo.datasets import DATASETS

NOT_INCEPTION = ("FID, KID, precision and recall use the penultimate features of a small CNN classifier "
                 "trained on the same dataset (`zoo train-evaluator DATASET`), not InceptionV3: they compare "
                 "zoo models with each other, not with published InceptionV3 FIDs.")

DISENTANGLEMENT_HEAD = {k: catalogue.get(k).title for k in catalogue.DISENTANGLEMENT}


def _f(value, fmt="{:.2f}"):
    return "–" if value is None else fmt.format(value)


def family_blurb(family: str) -> str:
    """The family module's docstring: what the family is and why it exists."""
    return inspect.getdoc(inspect.getmodule(factory.get_family(family))) or ""


def load_cards(root=None) -> list[Card]:
    root = Path(root) if root else checkpoints.root()
    return [c for c in (checkpoints.read_card(root / n) if (root / n).is_dir() else None
                        for n in recipes.list_models()) if c is not None]


def evaluator_cards(root=None) -> list[Card]:
    """The cards of the evaluator classifiers in `root` (default: the shipped checkpoints), by dataset."""
    root = Path(root) if root else checkpoints.root()
    folders = [root / f"evaluator-{d}" for d in DATASETS]
    return [checkpoints.read_card(f) for f in folders if (f / checkpoints.CARD_FILE).is_file()]


def _conditional(card: Card) -> bool:
    return factory.get_family(card.family).conditional


def _hf_id(dataset: str) -> str | None:
    """The dataset's Hub id for a card's `datasets:` line; None for the datasets the zoo renders itself."""
    return DATASETS[dataset].hf_id if dataset in DATASETS else dataset


def _datasets_lines(dataset: str) -> list[str]:
    hf_id = _hf_id(dataset)
    return ["datasets:", f"- {hf_id}"] if hf_id else []


def _recon(rec: Reconstruction) -> str:
    """A reconstruction's -log p(x | code): the Bernoulli cross-entropy, or another likelihood's NLL."""
    if rec.bce_nats is not None:
        return f"BCE {rec.bce_nats:.2f} nats/image"
    return f"NLL {rec.nll_nats:.2f} nats/image"


def _bits(lik: Likelihood) -> str:
    """' (X bits/dim)' where the likelihood was measured in bits per dimension too (colour photographs)."""
    return f" ({lik.iwae_bits_per_dim:.3f} bits/dim)" if lik.iwae_bits_per_dim is not None else ""


def data_name(card: Card) -> str:
    """The card's dataset as its numbers must be quoted: 'cifar10', or 'cifar10 (CIFAR-10, JPEG q75 copy)' when
    it was read from a known copy that differs from the original."""
    copy = card.data.copy if card.data else None
    return f"{card.dataset} ({copy})" if copy else card.dataset


def _target(lik: Likelihood | None, card: Card) -> str:
    """How the likelihood's test images were scored (a code-grid bound, with no Likelihood section, as they are)."""
    if lik is not None and lik.binarized:
        return "binarized"
    return "8-bit pixels" if card.likelihood_kind == "logistic_mixture" else "grey levels"


def _table(head, rows):
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(r) + " |" for r in rows]


def _protocol_line(c: Card) -> str:
    ev = c.evaluation
    if ev is None:
        return "- Not yet measured (`zoo evaluate NAME`)."
    if ev.disentanglement:
        p = ev.disentanglement.protocol
        return (f"- Measured by `zoo evaluate {c.name}` on images drawn from the full factor grid "
                f"(seed {p.seed}): MIG, SAP, modularity and explicitness on {p.points_train:,} codes (tested "
                f"on {p.points_test:,}), {p.bins} histogram bins; DCI's gradient-boosted trees on "
                f"{p.dci_train:,} (tested on {p.dci_test:,}); BetaVAE and FactorVAE scores from "
                f"{p.votes_train:,} training and {p.votes_eval:,} evaluation votes of {p.vote_batch} "
                f"images. Reconstruction on the {ev.test_images:,} test images.")
    p, lik = ev.protocol, ev.likelihood
    line = (f"- Measured by `zoo evaluate {c.name}`: {p.samples:,} samples per sampler (seed "
            f"{p.seed}) against the {ev.test_images:,} test images; evaluator "
            f"`{ev.evaluator.name}` (test accuracy {ev.evaluator.test_accuracy:.4f}).")
    if lik:
        line += (f" Likelihood: IWAE bound with k={lik.k:,} on the first {lik.images:,} test images, "
                 + {"binarized": "dynamically binarized (fixed seed)", "grey levels": "grey levels as Bernoulli targets",
                    "8-bit pixels": "8-bit pixels under the decoder's logistic mixture"}[_target(lik, c)]
                 + ", nats/image.")
    return line


def _baseline_line(b: Baseline, lik: Likelihood) -> str:
    """The same network trained as another family (scripts/baseline.py), scored by the same estimator."""
    bl, r = b.likelihood, b.recipe
    gap = bl.iwae_nll_nats - lik.iwae_nll_nats
    return (f"- Same network trained as a plain `{b.family}` (latent {r.latent_dim}, {r.epochs} epochs, "
            f"on {b.hardware.describe()}; `{b.reproduce}`): NLL <= {bl.iwae_nll_nats:.2f}, -ELBO "
            f"{bl.neg_elbo_nats:.2f}, same estimator (k={bl.k:,}, first {bl.images:,} test images); "
            f"this model is {abs(gap):.2f} nats {'better' if gap > 0 else 'worse'}.")


def _precision(training: Training) -> str:
    """', mixed bfloat16' for a model trained in mixed precision; nothing for float32 (and older cards)."""
    return ", mixed bfloat16" if training.precision == "mixed_bfloat16" else ""


def body(c: Card, pictures: str) -> list[str]:
    """The per-model text shared by MODEL_CARDS.md and the checkpoint's README.md."""
    r, t, hw, ev = c.recipe, c.training, c.provenance.hardware, c.evaluation
    out = [family_blurb(c.family), "",
           f"- Recipe: {r.backbone} backbone, latent {r.latent_dim}, {r.epochs} epochs, batch "
           f"{r.batch_size}, {r.optimizer} lr {r.learning_rate}, seed {r.seed}"
           + (f", options `{json.dumps(r.options)}`" if r.options else ""),
           f"- Trained in {t.minutes:.1f} min"
           + (f" (+ {t.prior_fit_s / 60:.1f} min fitting its sampler)" if t.prior_fit_s else "")
           + f" on {hw.describe()} ({hw.keras_backend} "
           f"backend, Keras {hw.versions.get('keras')}{_precision(t)}); {c.params:,} parameters; "
           f"code {str(c.provenance.code_version.git_commit)[:10]}"
           + (f"; {t.note}" if t.note else ""),
           _protocol_line(c)]
    if c.data and c.data.copy:
        out.append(f"- Data: {c.data.copy}, read from a folder tree (sha256 of its files `{c.data.sha256}`); every "
                   "number here was measured on it, not on the original pixels.")
    if ev and ev.disentanglement:
        rec, d = ev.reconstruction, ev.disentanglement.scores
        out.append(f"- Trained {t.steps or 0:,} steps of batch {r.batch_size} (the paper: 300,000).")
        out.append(f"- Reconstruction: MSE {rec.mse:.4f} per pixel, {_recon(rec)}.")
        out.append("- Disentanglement: " + ", ".join(f"{DISENTANGLEMENT_HEAD[k]} {v:.3f}" for k, v in d.items()) + ".")
    elif ev:
        s, lik, rec = ev.samples, ev.likelihood, ev.reconstruction
        out.append(f"- Reconstruction: MSE {rec.mse:.4f} per pixel, {_recon(rec)}.")
        if lik:
            given = " of -log p(x | y), given the test label" if lik.conditional else ""
            out.append(f"- Likelihood: NLL <= {lik.iwae_nll_nats:.2f}{_bits(lik)} (IWAE), -ELBO "
                       f"{lik.neg_elbo_nats:.2f}{given}.")
            if c.baseline:
                out.append(_baseline_line(c.baseline, lik))
        out.append(f"- Samples (own sampler, T=1): FID {s.fid:.2f}, KID {s.kid:.4f} ± {s.kid_std:.4f}, "
                   f"precision {s.precision:.3f}, recall {s.recall:.3f}, validity {s.validity:.3f}, "
                   f"class entropy {s.class_entropy_ratio:.3f} of max; class shares {s.class_histogram}.")
        if ev.ex_post:
            xp = ev.ex_post
            out.append(f"- Samples from an ex-post Gaussian mixture ({xp.components} full-covariance components "
                       f"fitted to the codes of the {xp.fit_images:,} training images, `m.fit_ex_post(x_train)`; "
                       f"not the model's own sampler unless it is a fitted-mixture autoencoder): FID {xp.fid:.2f}, "
                       f"validity {xp.validity:.3f}.")
        if ev.codebook:
            cb = ev.codebook
            out.append(f"- Codebook ({cb.codebook_size} entries), on the test set: perplexity "
                       f"{cb.perplexity:.1f}, never used {cb.dead_share:.3f}; the PixelCNN prior's NLL of the "
                       f"test code grids {cb.prior_nll_nats_per_grid:.2f} nats per grid.")
            if ev.code_grid_bound_nats is not None:  # a likelihood of the pixels: the two make a bound
                nats = ev.code_grid_bound_nats
                out.append(f"- Likelihood: NLL <= {nats:.2f} nats/image "
                           f"({metrics.bits_per_dim(nats, c.input_shape):.3f} bits/dim), the reconstruction's NLL "
                           "given the encoder's code grid plus the prior's NLL of that grid (a bound: p(x) sums "
                           "p(z) p(x | z) over every grid, the encoder's among them).")
        if s.label_agreement is not None:
            out.append(f"- Conditional samples (each class asked for equally often): the evaluator's class agrees "
                       f"with the requested label for {s.label_agreement:.3f} of them; per class "
                       f"{s.label_agreement_per_class}.")
    out += [f"- Weights: `model.keras`, sha256 `{c.model_sha256}`",
            f"- Reproduce: `{c.reproduce}`, then `zoo evaluate {c.name}`", "",
            f"| samples (own sampler, seed 0{', one row per requested class' if _conditional(c) else ''}) "
            "| test images (odd rows), reconstructions (even rows) |", "|---|---|",
            f"| ![samples]({pictures}samples.png) | ![reconstructions]({pictures}reconstructions.png) |"]
    if "samples_normal_prior.png" in c.files:
        sampler = "its PixelCNN prior" if ev and ev.codebook else "the fitted mixture"
        out += ["", f"Naive draw z ~ N(0, I) instead of {sampler} (the latent space's holes):", "",
                f"![naive samples]({pictures}samples_normal_prior.png)"]
    if "traversal.png" in c.files and ev and ev.disentanglement:
        out += ["", "Latent traversal: each row moves one code unit from -2.5 to +2.5 standard deviations of its "
                "codes around the code of one test image; the label is the factor the unit carries most "
                "information about (the share of that factor's entropy), or inactive when the unit's codes "
                "barely vary (a VAE unit whose KL is near 0):", "", f"![latent traversal]({pictures}traversal.png)"]
    elif "traversal.png" in c.files:
        latent = r.latent_dim
        units = f"the {plots.TRAVERSAL_UNITS} most varied" if latent > plots.TRAVERSAL_UNITS else f"all {latent}"
        out += ["", f"Latent traversal: each row moves one code unit ({units}) from -2.5 to +2.5 "
                "standard deviations around the mean code of 2,000 test images:", "",
                f"![latent traversal]({pictures}traversal.png)"]
    if "latent.png" in c.files:
        plane = r.latent_dim == 2
        out += ["", "Where the codes lie (`zoo.plot_latent`): the codes of 2,000 test images (dots) and 200 codes "
                "drawn from N(0, I) (red crosses), " + ("in the 2-d code itself, beside the decoded plane"
                                                        if plane else "in a PCA of the codes")
                + "; on the right, what the first eight crosses decode to:", "",
                f"![latent map]({pictures}latent.png)"]
    return out
