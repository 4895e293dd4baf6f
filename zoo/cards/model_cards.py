"""MODEL_CARDS.md: the tables across models and a section per model, from the cards; and writing it with every
shipped checkpoint's README."""
from __future__ import annotations

from pathlib import Path

from zoo import catalogue, checkpoints, metrics, recipes
from zoo.card import Card
from zoo.cards.common import (
    DISENTANGLEMENT_HEAD,
    NOT_INCEPTION,
    _f,
    _table,
    _target,
    body,
    data_name,
    evaluator_cards,
    load_cards,
)
from zoo.cards.hub_readme import hf_readme


def summary_rows(cards: list[Card]):
    head = ["model", "family", "dataset", "params", "latent", "train time",
            *(catalogue.get(k).label for k in ("mse", "iwae_nll", "fid", "kid", "precision", "recall", "validity")),
            catalogue.get("coverage").title]
    rows = []
    for c in cards:
        ev, hw = c.evaluation, c.provenance.hardware
        s = ev.samples if ev and ev.samples else None
        lik = ev.likelihood if ev else None
        mse = ev.reconstruction.mse if ev else c.metrics.values["mse"]
        rows.append([f"[{c.name}](#{c.name})", c.family, data_name(c), f"{c.params:,}", str(c.recipe.latent_dim),
                     f"{c.training.minutes:.1f} min" + (f" ({hw.accelerator})" if hw.accelerator else ""),
                     _f(mse, "{:.4f}"),
                     _f(lik and lik.iwae_nll_nats) + (" (given y)" if lik and lik.conditional else ""),
                     _f(s and s.fid), _f(s and s.kid, "{:.4f}"), _f(s and s.precision, "{:.3f}"),
                     _f(s and s.recall, "{:.3f}"), _f(s and s.validity, "{:.3f}"),
                     _f(s and s.class_entropy_ratio, "{:.3f}")])
    return head, rows


def holes_rows(cards: list[Card]):
    t = {k: catalogue.get(k).title for k in ("fid_normal", "fid_ex_post", "fid_posterior", "validity_normal",
                                              "validity_ex_post", "fid_interp", "validity_interp")}
    head = ["model", "FID: own sampler", t["fid_normal"], t["fid_ex_post"], t["fid_posterior"],
            "validity: own sampler", t["validity_normal"], t["validity_ex_post"], "validity: encoded test set",
            t["fid_interp"], t["validity_interp"]]
    rows = []
    for c in cards:
        ev = c.evaluation
        if not ev or not ev.holes:
            continue
        h, it, xp = ev.holes, ev.interpolation, ev.ex_post
        sources = (h.model_sampler, h.normal_prior, xp, h.aggregate_posterior)
        rows.append([c.name] + [_f(q and q.fid) for q in sources] + [_f(q and q.validity, "{:.3f}") for q in sources]
                    + [_f(it.fid), _f(it.validity, "{:.3f}")])
    return head, rows


def likelihood_rows(cards: list[Card]):
    """Every model with a bound on -log p(x), ranked by it within each dataset and test setting (best first): the
    IWAE bound, or a VQ-VAE's code-grid bound (reconstruction given the encoder's grid plus the prior's NLL of it)."""
    head = ["rank", "model", "dataset", "test images", "NLL <=", "bits/dim", "bound", "-ELBO", "k", "images scored",
            "backbone", "latent", "epochs"]
    scored = [c for c in cards if c.evaluation and (c.evaluation.likelihood or c.evaluation.code_grid_bound_nats)]

    def bound(c):  # (nats, binarized, conditional)
        lik = c.evaluation.likelihood
        if lik:
            return lik.iwae_nll_nats, lik.binarized, bool(lik.conditional)
        return c.evaluation.code_grid_bound_nats, False, False

    def key(c):  # conditional models (bounds on -log p(x | y)) are listed last, unranked
        nats, binarized, conditional = bound(c)
        return c.dataset, binarized, conditional, nats

    rows, rank, group = [], 0, None
    for c in sorted(scored, key=key):
        (nats, binarized, conditional), lik, r = bound(c), c.evaluation.likelihood, c.recipe
        rank = 1 if (c.dataset, binarized) != group else rank + 1
        group = (c.dataset, binarized)
        rows.append(["–" if conditional else str(rank), c.name + (" (given y)" if conditional else ""),
                     data_name(c), _target(lik, c), f"{nats:.2f}",
                     f"{metrics.bits_per_dim(nats, c.input_shape):.3f}", "IWAE" if lik else "code grid",
                     f"{lik.neg_elbo_nats:.2f}" if lik else "–", f"{lik.k:,}" if lik else "–",
                     f"{lik.images if lik else c.evaluation.test_images:,}", r.backbone, str(r.latent_dim),
                     str(r.epochs)])
    return head, rows


def disentanglement_rows(cards: list[Card]):
    """Every model scored on a factor dataset, grouped by dataset; seed runs (scripts/seeds.py) as mean ± spread."""
    scored = sorted((c for c in cards if c.evaluation and c.evaluation.disentanglement),
                    key=lambda c: (c.dataset, c.name))
    head = ["model", "dataset", "training steps", *DISENTANGLEMENT_HEAD.values(), "seeds"]
    rows = []
    for c in scored:
        scores, seeds = c.evaluation.disentanglement.scores, c.seeds or []
        cells = []
        for key in DISENTANGLEMENT_HEAD:
            values = [run.scores[key] for run in seeds]
            cells.append(f"{scores[key]:.3f}" + (f" ({min(values):.2f}–{max(values):.2f})" if values else ""))
        rows.append([c.name, c.dataset, f"{c.training.steps or 0:,}", *cells, str(len(seeds)) if seeds else "1"])
    return head, rows


DENOISING_SHOWN = checkpoints.DENOISING_SHOWN


def code_rows(cards: list[Card]):
    """Denoising PSNR at three corruptions (noisy input's PSNR in the header), code sparsity, sensitivity."""
    shown = [c for c in cards if c.evaluation and c.evaluation.denoising and c.evaluation.code]
    if not shown:
        return [], []
    noisy = shown[0].evaluation.denoising
    head = (["model"] + [f"PSNR {k} (input {noisy[k].noisy_psnr:.1f} dB)" for k in DENOISING_SHOWN]
            + ["near-zero code share", "mostly silent units", "mean abs code", "encoder Jacobian norm",
               "Jacobian norm / RMS code"])
    rows = []
    for c in shown:
        d, code = c.evaluation.denoising, c.evaluation.code
        rows.append([c.name] + [f"{d[k].psnr:.2f}" for k in DENOISING_SHOWN]
                    + [f"{code.near_zero_share:.3f}", f"{code.mostly_silent_units:.3f}",
                       f"{code.mean_abs_activation:.3f}", _f(code.jacobian_fro), _f(code.relative_jacobian)])
    return head, rows


HOLES_TEXT = ("A plain autoencoder's latent space has holes: codes drawn from N(0, I) decode to images "
              "the evaluator does not recognise. Lower FID and higher validity (share of images whose "
              "top class probability is >= 0.9) are better. The encoded test set is the aggregate "
              "posterior: its decodes are reconstructions, the best a sampler could hope for. The ex-post GMM "
              "(Ghosh et al. 2020) is a 10-component full-covariance Gaussian mixture fitted to the codes of "
              "the training images after training, for every model with a continuous code: the gap between "
              "it and N(0, I) is what the holes cost a model sampled from N(0, I). For the fitted-mixture "
              "autoencoders (ae, dae, sae, cae, rae) it is their own sampler, refitted. Where reconstructions "
              "are blurred (the photo models) FID can rank N(0, I) decodes above the model's own sampler and "
              "above its reconstructions while validity ranks them below: FID also rewards contrast (README, "
              "Photographs).")
LIKELIHOOD_TEXT = ("Upper bounds on -log p(x) in nats per image (lower is better), from the IWAE estimator with k "
                   "importance samples on the first test images or, for a VQ-VAE with a likelihood of the pixels, "
                   "from its code grid (the reconstruction's NLL given the grid the encoder picks plus the "
                   "PixelCNN prior's NLL of that grid, on every test image), ranked within each dataset and test setting "
                   "(MNIST dynamically binarized with a fixed seed; Fashion-MNIST grey levels as Bernoulli targets, "
                   "which are not comparable to binarized numbers; CIFAR-10's 8-bit pixels under the decoder's "
                   "discretized logistic mixture, a true likelihood of the pixels, where bits per dimension, "
                   "nats / (H x W x C x ln 2), is the literature's unit). A conditional model's bound is on "
                   "-log p(x | y), which knows the label, so it is listed unranked.")
DISENTANGLEMENT_TEXT = ("Scores in [0, 1], higher is better, as disentanglement_lib (Locatello et al. 2019) defines "
                        "them, measured by `zoo evaluate` on images drawn from the dataset's full factor grid "
                        "(each card states the sample sizes). Models trained for fewer steps than the paper's "
                        "300,000 are not converged: the steps column says how far each got. Where a model was "
                        "trained with several seeds (`scripts/seeds.py`), the range over the seeds follows each "
                        "score; the checkpoint is seed 0. How to read each metric: docs/disentanglement.md.")
CODE_TEXT = ("PSNR (dB, higher is better) of reconstructions of corrupted test images against the clean "
             "ones; the header gives the corrupted input's own PSNR. Near-zero share: code entries with "
             "|z| <= 1% of the codes' RMS (scale-free). Encoder Jacobian norm: mean ||dz/dx||_F, "
             "Hutchinson estimate with 8 probes per image (central differences; not measured for a quantised "
             "code, which is piecewise constant). Codes of different "
             "models live on different scales (an encoder can shrink its code and let the decoder scale it "
             "back), so the last column divides the norm by the codes' RMS. "
             "All on the first 2,000 test images.")


def render(root=None) -> str:
    """The whole MODEL_CARDS.md."""
    cards = load_cards(root)
    missing = sorted(set(recipes.list_models()) - {c.name for c in cards})
    lines = ["# Model cards", "",
             "Generated by `python scripts/make_cards.py` from each `checkpoints/NAME/card.json`; do not edit.",
             "Every number was measured on the dataset's test split by the commands named in each section. "
             "Likelihoods are in nats per image: Bernoulli on pixel intensities for the grey datasets, a discretized "
             "mixture of logistics on 8-bit pixels for photographs (also in bits per dimension). " + NOT_INCEPTION, "",
             "## All models", ""]
    lines += _table(*summary_rows(cards))
    if missing:
        lines += ["", f"Not trained yet: {', '.join(missing)}."]
    sections = ((holes_rows, "Where do codes land? Samples from N(0, I) vs the model's own sampler", HOLES_TEXT),
                (likelihood_rows, "Likelihood ranking", LIKELIHOOD_TEXT),
                (disentanglement_rows, "Disentanglement on the factor datasets", DISENTANGLEMENT_TEXT),
                (code_rows, "Denoising, sparsity and sensitivity of the code", CODE_TEXT))
    for rows_of, title, text in sections:
        head, rows = rows_of(cards)
        if rows:
            lines += ["", f"## {title}", "", text, ""] + _table(head, rows)
    evs = evaluator_cards(root)
    if evs:
        lines += ["", "## Evaluator classifiers", ""]
        lines += _table(["evaluator", "test accuracy", "params", "reproduce"],
                        [[e.name + (f" ({e.data.copy})" if e.data and e.data.copy else ""),
                          f"{e.metrics.values['accuracy']:.4f}", f"{e.params:,}", f"`{e.reproduce}`"] for e in evs])
    for c in cards:
        lines += ["", f"## {c.name}", ""] + body(c, f"checkpoints/{c.name}/")
    return "\n".join(lines) + "\n"


def write_all(repo_root: Path) -> list[Path]:
    """Write MODEL_CARDS.md and every checkpoint's README.md (temp file, then rename)."""
    written = [checkpoints.write_text_atomic(repo_root / "MODEL_CARDS.md", render())]
    for c in load_cards():
        folder = checkpoints.root() / c.name
        written.append(checkpoints.write_text_atomic(folder / "README.md", hf_readme(c)))
        recorded = checkpoints.record_files(folder, c, ["README.md"])  # the folder keeps proving it is the zoo's
        if recorded != c:
            checkpoints.write_card(folder, recorded)
    return written
