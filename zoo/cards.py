"""MODEL_CARDS.md and each checkpoint's Hugging Face README.md, generated from the card.json files that
training (`zoo train`) and measurement (`zoo evaluate`) write. Nothing here is typed by hand.
"""
from __future__ import annotations

import inspect
import json
import math
from pathlib import Path

from zoo import catalogue, checkpoints, factory, plots, recipes
from zoo.datasets import DATASETS

NOT_INCEPTION = ("FID, KID, precision and recall use the penultimate features of a small CNN classifier "
                 "trained on the same dataset (`scripts/train_evaluator.py`), not InceptionV3: they compare "
                 "zoo models with each other, not with published InceptionV3 FIDs.")


def _f(value, fmt="{:.2f}"):
    return "–" if value is None else fmt.format(value)


def family_blurb(family: str) -> str:
    """The family module's docstring: what the family is and why it exists."""
    return inspect.getdoc(inspect.getmodule(factory.get_family(family))) or ""


def load_cards(root=None) -> list[dict]:
    root = Path(root) if root else checkpoints.root()
    return [c for c in (checkpoints.read_card(root / n) if (root / n).is_dir() else None
                        for n in recipes.list_models()) if c is not None]


def evaluator_cards(root=None) -> list[dict]:
    """The cards of the evaluator classifiers in `root` (default: the shipped checkpoints), by dataset."""
    root = Path(root) if root else checkpoints.root()
    folders = [root / f"evaluator-{d}" for d in DATASETS]
    return [checkpoints.read_card(f) for f in folders if (f / checkpoints.CARD_FILE).is_file()]


def _conditional(card) -> bool:
    return factory.get_family(card["family"]).conditional


def _hf_id(dataset: str) -> str | None:
    """The dataset's Hub id for a card's `datasets:` line; None for the datasets the zoo renders itself."""
    return DATASETS[dataset].hf_id if dataset in DATASETS else dataset


def _datasets_lines(dataset: str) -> list[str]:
    hf_id = _hf_id(dataset)
    return ["datasets:", f"- {hf_id}"] if hf_id else []


def _ev(card):
    return card.get("evaluation") or {}


def _recon(rec: dict) -> str:
    """A reconstruction's -log p(x | code): the Bernoulli cross-entropy, or another likelihood's NLL."""
    if "bce_nats" in rec:
        return f"BCE {rec['bce_nats']:.2f} nats/image"
    return f"NLL {rec['nll_nats']:.2f} nats/image"


def _bits(lik: dict) -> str:
    """' (X bits/dim)' where the likelihood was measured in bits per dimension too (colour photographs)."""
    return f" ({lik['iwae_bits_per_dim']:.3f} bits/dim)" if "iwae_bits_per_dim" in lik else ""


def data_name(card: dict) -> str:
    """The card's dataset as its numbers must be quoted: 'cifar10', or 'cifar10 (CIFAR-10, JPEG q75 copy)' when
    it was read from a known copy that differs from the original."""
    copy = (card.get("data") or {}).get("copy")
    return f"{card['dataset']} ({copy})" if copy else card["dataset"]


def _target(lik: dict, card: dict) -> str:
    """How the likelihood's test images were scored."""
    if lik["binarized"]:
        return "binarized"
    return "8-bit pixels" if card["model_config"].get("likelihood") == "logistic_mixture" else "grey levels"


def machine(hw: dict) -> str:
    """Where a model trained: 'an NVIDIA H200 GPU, 16 CPU cores' or '2 CPU cores'."""
    cores = f"{hw['cpu_count']} CPU cores"
    return f"an {hw['accelerator']} GPU, {cores}" if hw.get("accelerator") else cores


def summary_rows(cards):
    head = ["model", "family", "dataset", "params", "latent", "train time",
            *(catalogue.get(k).label for k in ("mse", "iwae_nll", "fid", "kid", "precision", "recall", "validity")),
            catalogue.get("coverage").title]
    rows = []
    for c in cards:
        ev, s = _ev(c), _ev(c).get("samples", {})
        lik = ev.get("likelihood", {})
        mse = ev.get("reconstruction", {}).get("mse", c["metrics"]["values"]["mse"])
        rows.append([f"[{c['name']}](#{c['name']})", c["family"], data_name(c), f"{c['params']:,}",
                     str(c["recipe"]["latent_dim"]),
                     f"{checkpoints.train_minutes(c):.1f} min"
                     + (f" ({c['hardware']['accelerator']})" if c["hardware"].get("accelerator") else ""),
                     _f(mse, "{:.4f}"), _f(lik.get("iwae_nll_nats")) + (" (given y)" if lik.get("conditional") else ""),
                     _f(s.get("fid")), _f(s.get("kid"), "{:.4f}"),
                     _f(s.get("precision"), "{:.3f}"), _f(s.get("recall"), "{:.3f}"), _f(s.get("validity"), "{:.3f}"),
                     _f(s.get("class_entropy_ratio"), "{:.3f}")])
    return head, rows


def holes_rows(cards):
    t = {k: catalogue.get(k).title for k in ("fid_normal", "fid_ex_post", "fid_posterior", "validity_normal",
                                              "validity_ex_post", "fid_interp", "validity_interp")}
    head = ["model", "FID: own sampler", t["fid_normal"], t["fid_ex_post"], t["fid_posterior"],
            "validity: own sampler", t["validity_normal"], t["validity_ex_post"], "validity: encoded test set",
            t["fid_interp"], t["validity_interp"]]
    rows = []
    for c in cards:
        h, it = _ev(c).get("holes"), _ev(c).get("interpolation")
        if not h:
            continue
        h = {**h, "ex_post": _ev(c).get("ex_post") or {}}
        srcs = ("model_sampler", "normal_prior", "ex_post", "aggregate_posterior")
        rows.append([c["name"]] + [_f(h[k].get("fid")) for k in srcs]
                    + [_f(h[k].get("validity"), "{:.3f}") for k in srcs]
                    + [_f(it["fid"]), _f(it["validity"], "{:.3f}")])
    return head, rows


def likelihood_rows(cards):
    """Every model with an IWAE bound, ranked by it within each dataset and test setting (best first)."""
    head = ["rank", "model", "dataset", "test images", "NLL <= (IWAE)", "bits/dim", "-ELBO", "k", "images scored",
            "backbone", "latent", "epochs"]
    scored = [c for c in cards if _ev(c).get("likelihood")]

    def key(c):  # conditional models (bounds on -log p(x | y)) are listed last, unranked
        lik = _ev(c)["likelihood"]
        return c["dataset"], lik["binarized"], bool(lik.get("conditional")), lik["iwae_nll_nats"]

    rows, rank, group = [], 0, None
    for c in sorted(scored, key=key):
        lik = _ev(c)["likelihood"]
        rank = 1 if (c["dataset"], lik["binarized"]) != group else rank + 1
        group = (c["dataset"], lik["binarized"])
        rows.append(["–" if lik.get("conditional") else str(rank),
                     c["name"] + (" (given y)" if lik.get("conditional") else ""), data_name(c),
                     _target(lik, c), f"{lik['iwae_nll_nats']:.2f}",
                     f"{lik['iwae_nll_nats'] / (math.prod(c['model_config']['input_shape']) * math.log(2)):.3f}",
                     f"{lik['neg_elbo_nats']:.2f}", f"{lik['k']:,}", f"{lik['images']:,}",
                     c["recipe"]["backbone"], str(c["recipe"]["latent_dim"]), str(c["recipe"]["epochs"])])
    return head, rows


DISENTANGLEMENT_HEAD = {k: catalogue.get(k).title for k in catalogue.DISENTANGLEMENT}


def disentanglement_rows(cards):
    """Every model scored on a factor dataset, grouped by dataset; seed runs (scripts/seeds.py) as mean ± spread."""
    scored = sorted((c for c in cards if _ev(c).get("disentanglement")), key=lambda c: (c["dataset"], c["name"]))
    head = ["model", "dataset", "training steps", *DISENTANGLEMENT_HEAD.values(), "seeds"]
    rows = []
    for c in scored:
        scores, seeds = _ev(c)["disentanglement"]["scores"], c.get("seeds") or []
        cells = []
        for key in DISENTANGLEMENT_HEAD:
            values = [run["scores"][key] for run in seeds]
            cells.append(f"{scores[key]:.3f}" + (f" ({min(values):.2f}–{max(values):.2f})" if values else ""))
        rows.append([c["name"], c["dataset"], f"{c['training'].get('steps', 0):,}", *cells,
                     str(len(seeds)) if seeds else "1"])
    return head, rows


DENOISING_SHOWN = checkpoints.DENOISING_SHOWN


def code_rows(cards):
    """Denoising PSNR at three corruptions (noisy input's PSNR in the header), code sparsity, sensitivity."""
    shown = [c for c in cards if _ev(c).get("denoising") and _ev(c).get("code")]
    if not shown:
        return [], []
    noisy = _ev(shown[0])["denoising"]
    head = (["model"] + [f"PSNR {k} (input {noisy[k]['noisy_psnr']:.1f} dB)" for k in DENOISING_SHOWN]
            + ["near-zero code share", "mostly silent units", "mean abs code", "encoder Jacobian norm",
               "Jacobian norm / RMS code"])
    rows = []
    for c in shown:
        d, code = _ev(c)["denoising"], _ev(c)["code"]
        rows.append([c["name"]] + [f"{d[k]['psnr']:.2f}" for k in DENOISING_SHOWN]
                    + [f"{code['near_zero_share']:.3f}", f"{code['mostly_silent_units']:.3f}",
                       f"{code['mean_abs_activation']:.3f}", _f(code.get("jacobian_fro")),
                       _f(checkpoints.relative_jacobian(code))])
    return head, rows


def _table(head, rows):
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(r) + " |" for r in rows]


def _protocol_line(c):
    ev = _ev(c)
    if not ev:
        return "- Not yet measured (`zoo evaluate NAME`)."
    if ev.get("disentanglement"):
        p = ev["disentanglement"]["protocol"]
        return (f"- Measured by `zoo evaluate {c['name']}` on images drawn from the full factor grid "
                f"(seed {p['seed']}): MIG, SAP, modularity and explicitness on {p['points_train']:,} codes (tested "
                f"on {p['points_test']:,}), {p['bins']} histogram bins; DCI's gradient-boosted trees on "
                f"{p['dci_train']:,} (tested on {p['dci_test']:,}); BetaVAE and FactorVAE scores from "
                f"{p['votes_train']:,} training and {p['votes_eval']:,} evaluation votes of {p['vote_batch']} "
                f"images. Reconstruction on the {ev['test_images']:,} test images.")
    p, lik = ev["protocol"], ev.get("likelihood")
    line = (f"- Measured by `zoo evaluate {c['name']}`: {p['samples']:,} samples per sampler (seed "
            f"{p['seed']}) against the {ev['test_images']:,} test images; evaluator "
            f"`{ev['evaluator']['name']}` (test accuracy {ev['evaluator']['test_accuracy']:.4f}).")
    if lik:
        line += (f" Likelihood: IWAE bound with k={lik['k']:,} on the first {lik['images']:,} test images, "
                 + {"binarized": "dynamically binarized (fixed seed)", "grey levels": "grey levels as Bernoulli targets",
                    "8-bit pixels": "8-bit pixels under the decoder's logistic mixture"}[_target(lik, c)]
                 + ", nats/image.")
    return line


def _baseline_line(b: dict, lik: dict) -> str:
    """The same network trained as another family (scripts/baseline.py), scored by the same estimator."""
    bl, r = b["likelihood"], b["recipe"]
    gap = bl["iwae_nll_nats"] - lik["iwae_nll_nats"]
    return (f"- Same network trained as a plain `{b['family']}` (latent {r['latent_dim']}, {r['epochs']} epochs, "
            f"on {machine(b['hardware'])}; `{b['reproduce']}`): NLL <= {bl['iwae_nll_nats']:.2f}, -ELBO "
            f"{bl['neg_elbo_nats']:.2f}, same estimator (k={bl['k']:,}, first {bl['images']:,} test images); "
            f"this model is {abs(gap):.2f} nats {'better' if gap > 0 else 'worse'}.")


def _precision(training: dict) -> str:
    """', mixed bfloat16' for a model trained in mixed precision; nothing for float32 (and older cards)."""
    return ", mixed bfloat16" if training.get("precision") == "mixed_bfloat16" else ""


def body(c: dict, pictures: str) -> list[str]:
    """The per-model text shared by MODEL_CARDS.md and the checkpoint's README.md."""
    r, t, hw, ev = c["recipe"], c["training"], c["hardware"], _ev(c)
    out = [family_blurb(c["family"]), "",
           f"- Recipe: {r['backbone']} backbone, latent {r['latent_dim']}, {r['epochs']} epochs, batch "
           f"{r['batch_size']}, {r['optimizer']} lr {r['learning_rate']}, seed {r['seed']}"
           + (f", options `{json.dumps(r['options'])}`" if r["options"] else ""),
           f"- Trained in {checkpoints.train_minutes(c):.1f} min"
           + (f" (+ {t['prior_fit_s'] / 60:.1f} min fitting its sampler)" if t.get("prior_fit_s") else "")
           + f" on {machine(hw)} ({hw['keras_backend']} "
           f"backend, Keras {hw['versions'].get('keras')}{_precision(t)}); {c['params']:,} parameters; "
           f"code {str(c['code_version'].get('git_commit'))[:10]}"
           + (f"; {t['note']}" if t.get("note") else ""),
           _protocol_line(c)]
    if (c.get("data") or {}).get("copy"):
        d = c["data"]
        out.append(f"- Data: {d['copy']}, read from a folder tree (sha256 of its files `{d['sha256']}`); every "
                   "number here was measured on it, not on the original pixels.")
    if ev.get("disentanglement"):
        rec, d = ev["reconstruction"], ev["disentanglement"]["scores"]
        out.append(f"- Trained {t.get('steps', 0):,} steps of batch {r['batch_size']} (the paper: 300,000).")
        out.append(f"- Reconstruction: MSE {rec['mse']:.4f} per pixel, {_recon(rec)}.")
        out.append("- Disentanglement: " + ", ".join(f"{DISENTANGLEMENT_HEAD[k]} {v:.3f}" for k, v in d.items()) + ".")
    elif ev:
        s, lik, rec = ev["samples"], ev.get("likelihood"), ev["reconstruction"]
        out.append(f"- Reconstruction: MSE {rec['mse']:.4f} per pixel, {_recon(rec)}.")
        if lik:
            given = " of -log p(x | y), given the test label" if lik.get("conditional") else ""
            out.append(f"- Likelihood: NLL <= {lik['iwae_nll_nats']:.2f}{_bits(lik)} (IWAE), -ELBO "
                       f"{lik['neg_elbo_nats']:.2f}{given}.")
            if c.get("baseline"):
                out.append(_baseline_line(c["baseline"], lik))
        out.append(f"- Samples (own sampler, T=1): FID {s['fid']:.2f}, KID {s['kid']:.4f} ± {s['kid_std']:.4f}, "
                   f"precision {s['precision']:.3f}, recall {s['recall']:.3f}, validity {s['validity']:.3f}, "
                   f"class entropy {s['class_entropy_ratio']:.3f} of max; class shares {s['class_histogram']}.")
        if ev.get("ex_post"):
            xp = ev["ex_post"]
            out.append(f"- Samples from an ex-post Gaussian mixture ({xp['components']} full-covariance components "
                       f"fitted to the codes of the {xp['fit_images']:,} training images, `m.fit_ex_post(x_train)`; "
                       f"not the model's own sampler unless it is a fitted-mixture autoencoder): FID {xp['fid']:.2f}, "
                       f"validity {xp['validity']:.3f}.")
        if ev.get("codebook"):
            cb = ev["codebook"]
            out.append(f"- Codebook ({cb['codebook_size']} entries), on the test set: perplexity "
                       f"{cb['perplexity']:.1f}, never used {cb['dead_share']:.3f}; the PixelCNN prior's NLL of the "
                       f"test code grids {cb['prior_nll_nats_per_grid']:.2f} nats per grid.")
        if "label_agreement" in s:
            out.append(f"- Conditional samples (each class asked for equally often): the evaluator's class agrees "
                       f"with the requested label for {s['label_agreement']:.3f} of them; per class "
                       f"{s['label_agreement_per_class']}.")
    out += [f"- Weights: `model.keras`, sha256 `{checkpoints.model_sha256(c)}`",
            f"- Reproduce: `{c['reproduce']}`, then `zoo evaluate {c['name']}`", "",
            f"| samples (own sampler, seed 0{', one row per requested class' if _conditional(c) else ''}) "
            "| test images (odd rows), reconstructions (even rows) |", "|---|---|",
            f"| ![samples]({pictures}samples.png) | ![reconstructions]({pictures}reconstructions.png) |"]
    if "samples_normal_prior.png" in c.get("files", {}):
        out += ["", "Naive draw z ~ N(0, I) instead of the fitted mixture (the latent space's holes):", "",
                f"![naive samples]({pictures}samples_normal_prior.png)"]
    if "traversal.png" in c.get("files", {}) and ev.get("disentanglement"):
        out += ["", "Latent traversal: each row moves one code unit from -2.5 to +2.5 standard deviations of its "
                "codes around the code of one test image; the label is the factor the unit carries most "
                "information about (the share of that factor's entropy), or inactive when the unit's codes "
                "barely vary (a VAE unit whose KL is near 0):", "", f"![latent traversal]({pictures}traversal.png)"]
    elif "traversal.png" in c.get("files", {}):
        latent = c["recipe"]["latent_dim"]
        units = f"the {plots.TRAVERSAL_UNITS} most varied" if latent > plots.TRAVERSAL_UNITS else f"all {latent}"
        out += ["", f"Latent traversal: each row moves one code unit ({units}) from -2.5 to +2.5 "
                "standard deviations around the mean code of 2,000 test images:", "",
                f"![latent traversal]({pictures}traversal.png)"]
    if "latent.png" in c.get("files", {}):
        plane = c["recipe"]["latent_dim"] == 2
        out += ["", "Where the codes lie (`zoo.plot_latent`): the codes of 2,000 test images (dots) and 200 codes "
                "drawn from N(0, I) (red crosses), " + ("in the 2-d code itself, beside the decoded plane"
                                                        if plane else "in a PCA of the codes")
                + "; on the right, what the first eight crosses decode to:", "",
                f"![latent map]({pictures}latent.png)"]
    return out


HOLES_TEXT = ("A plain autoencoder's latent space has holes: codes drawn from N(0, I) decode to images "
              "the evaluator does not recognise. Lower FID and higher validity (share of images whose "
              "top class probability is >= 0.9) are better. The encoded test set is the aggregate "
              "posterior: its decodes are reconstructions, the best a sampler could hope for. The ex-post GMM "
              "(Ghosh et al. 2020) is a 10-component full-covariance Gaussian mixture fitted to the codes of "
              "the training images after training, for every model with a continuous code: the gap between "
              "it and N(0, I) is what the holes cost a model sampled from N(0, I). For the fitted-mixture "
              "autoencoders (ae, dae, sae, cae, rae) it is their own sampler, refitted.")
LIKELIHOOD_TEXT = ("Upper bounds on -log p(x) in nats per image (lower is better), from the IWAE estimator with k "
                   "importance samples on the first test images, ranked within each dataset and test setting "
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
    missing = sorted(set(recipes.list_models()) - {c["name"] for c in cards})
    lines = ["# Model cards", "",
             "Generated by `python scripts/make_cards.py` from each `checkpoints/NAME/card.json`; do not edit.",
             "Every number was measured on the dataset's test split by the scripts named in each section. "
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
                        [[e["name"] + (f" ({e['data']['copy']})" if (e.get("data") or {}).get("copy") else ""),
                          f"{e['metrics']['values']['accuracy']:.4f}", f"{e['params']:,}", f"`{e['reproduce']}`"]
                         for e in evs])
    for c in cards:
        lines += ["", f"## {c['name']}", ""] + body(c, f"checkpoints/{c['name']}/")
    return "\n".join(lines) + "\n"


def hf_readme(c: dict) -> str:
    """A Hugging Face model card (YAML front matter + body) for one checkpoint folder."""
    ev = _ev(c)
    metrics = []
    if ev.get("disentanglement"):
        d = ev["disentanglement"]["scores"]
        metrics += [("mse", ev["reconstruction"]["mse"], "Reconstruction MSE per pixel")]
        metrics += [(k, v, DISENTANGLEMENT_HEAD[k] + " (disentanglement_lib's definition)") for k, v in d.items()]
    elif ev:
        s, lik = ev["samples"], ev.get("likelihood")
        metrics += [("fid", s["fid"], "FID (zoo evaluator features, not InceptionV3)"),
                    ("kid", s["kid"], "KID (zoo evaluator features)"),
                    ("precision", s["precision"], "Improved precision (k=3)"),
                    ("recall", s["recall"], "Improved recall (k=3)"),
                    ("accuracy", s["validity"], "Validity (evaluator confidence >= 0.9)"),
                    ("mse", ev["reconstruction"]["mse"], "Reconstruction MSE per pixel")]
        if lik:
            metrics.append(("nll", lik["iwae_nll_nats"], f"NLL, IWAE bound k={lik['k']} (nats/image)"))
            if "iwae_bits_per_dim" in lik:
                metrics.append(("bits_per_dim", lik["iwae_bits_per_dim"], f"NLL, IWAE bound k={lik['k']} (bits/dim)"))
    else:
        metrics.append(("mse", c["metrics"]["values"]["mse"], "Reconstruction MSE per pixel"))
    front = ["---", "library_name: keras", "license: apache-2.0",
             "tags:", "- autoencoder", f"- {c['family']}", "- zoo", "- unconditional-image-generation",
             *_datasets_lines(c["dataset"]),
             "pipeline_tag: unconditional-image-generation",
             "model-index:", f"- name: {c['name']}", "  results:", "  - task:",
             "      type: unconditional-image-generation", "      name: Unconditional image generation",
             "    dataset:", f"      type: {_hf_id(c['dataset']) or c['dataset']}",
             f"      name: {data_name(c)}", "      split: test", "    metrics:"]
    for kind, value, name in metrics:
        front += [f"    - type: {kind}", f"      value: {value:.6g}", f"      name: {name}"]
    front.append("---")
    usage = ["", "## Use", "", "```python", "import zoo", f'm = zoo.load("{c["name"]}")',
             f"imgs = m.sample(64, seed=0)      # {(64, *c['model_config']['input_shape'])} in [0, 1]",
             "z = m.encode(x); x_hat = m.decode(z)", "```"]
    return "\n".join(front + ["", f"# {c['name']}", ""] + body(c, "") + usage) + "\n"


def write_all(repo_root: Path) -> list[Path]:
    """Write MODEL_CARDS.md and every checkpoint's README.md (temp file, then rename)."""
    written = [checkpoints.write_text_atomic(repo_root / "MODEL_CARDS.md", render())]
    for c in load_cards():
        folder = checkpoints.root() / c["name"]
        written.append(checkpoints.write_text_atomic(folder / "README.md", hf_readme(c)))
        recorded = checkpoints.record_files(folder, c, ["README.md"])  # the folder keeps proving it is the zoo's
        if recorded != c:
            checkpoints.write_card(folder, recorded)
    return written


def user_readme(card: dict) -> str:
    """Hub README for a user's model (pushed, fine-tuned or trained on own images): what it is, where it came
    from, and only numbers that were measured on it."""
    parent = card.get("parent") or {}
    front = ["---", "library_name: keras", "tags:", "- autoencoder", f"- {card['family']}", "- zoo"]
    if card.get("dataset"):
        front += _datasets_lines(card["dataset"])
    lines = front + ["---", "", f"# {card['name']}", "", family_blurb(card["family"]), "",
                     f"- {card['params']:,} parameters, latent {card['model_config']['latent_dim']}, input "
                     f"{'x'.join(str(s) for s in card['model_config']['input_shape'])}"]
    recipe = card.get("finetune") or card.get("train")
    if parent.get("name"):
        lines.append(f"- Fine-tuned from `{parent['name']}` (weights sha256 `{parent['sha256']}`); the parent's "
                     "measured metrics do not carry over.")
    if recipe:
        d = card.get("data", {})
        lines.append(f"- Data: {d.get('source')} ({d.get('train_images')} training images"
                     + "".join(f"; {n}" for n in d.get("adapted", [])) + ")")
        lines.append("- Recipe: " + ", ".join(f"{k} {v}" for k, v in recipe.items() if v not in (None, {})))
        lines.append(f"- Reproduce: `{card['reproduce']}`")
        m = card.get("metrics")
        if m and m.get("before"):
            b, a = m["before"], m["values"]
            lines += ["", f"Measured on the {m.get('images')} {m['on']} images "
                      "(reconstruction error per pixel and per image; sample_mean_rms: RMS distance between the "
                      "mean of 1000 samples and the mean of those images):", "",
                      "| | MSE | -log p(x \\| code) | sample mean RMS |", "|---|---|---|---|"]
            for label, r in (("before", b), ("after", a)):
                rms = "-" if r.get("sample_mean_rms") is None else f"{r['sample_mean_rms']:.4f}"
                lines.append(f"| {label} | {r['mse']:.5f} | {_recon(r)} | {rms} |")
    else:
        lines.append("- No metrics were measured on this model: measure it with `zoo.compare`.")
    where = f'"hf://{card["repo_id"]}"' if card.get("repo_id") else '"path/to/this/folder"'
    lines += [f"- Weights: `model.keras`, sha256 `{checkpoints.model_sha256(card)}`", "", "## Use", "",
              "```python", "import zoo", f"m = zoo.load({where})", "imgs = m.sample(16, seed=0)", "```"]
    return "\n".join(lines) + "\n"



def _first_sentence(text: str) -> str:
    import re

    para = " ".join(text.split("\n\n")[0].split())
    return re.split(r"(?<!\bal)\. ", para, maxsplit=1)[0].rstrip(":.") + "."


def _sampler(card: dict) -> str:
    """The model's own sampler in a phrase, from the prior's config on the card: read, never built (a card's
    config is not covered by any hash, and building it could ask for any amount of memory)."""
    import keras

    cfg = card["model_config"].get("prior")
    cls = keras.saving.get_registered_object(cfg["registered_name"]) if isinstance(cfg, dict) else None
    if cls is None:
        return "unknown (no prior on the card)"
    try:
        text = cls.describe_config(cfg["config"])
    except (AttributeError, KeyError, TypeError, ValueError):  # not a zoo density, or a damaged config
        return "unknown (the card's prior config is damaged)"
    return text + (", decoded with the class asked for" if _conditional(card) else "")


# the headline numbers `zoo info` shows, from the catalogue: samples, then disentanglement
SAMPLE_HEADLINES = tuple(catalogue.get(k) for k in ("fid", "validity"))
DISENTANGLEMENT_HEADLINES = tuple(catalogue.get(k) for k in ("mig", "factor_vae", "dci_disentanglement"))


def _headlines(card: dict) -> list[tuple[str, str, str]]:
    """(what, value, what it means) for the numbers a user decides by."""
    m = card.get("metrics") or {}
    ev, test = _ev(card), m.get("values", {}) if m.get("on") == "test" else {}
    rec = ev.get("reconstruction") or test
    rows = []
    if "mse" in rec:
        rows.append(("reconstruction MSE", f"{rec['mse']:.4f}", "per pixel on the test images; lower is better"))
    lik = ev.get("likelihood")
    if lik:
        given = " | y" if lik.get("conditional") else ""
        rows.append(("NLL", f"{lik['iwae_nll_nats']:.2f} nats{_bits(lik)}",
                     f"a bound on -log p(x{given}) (IWAE, k={lik['k']:,}); lower is better"))
    elif "neg_elbo_nats" in test:
        rows.append(("-ELBO", f"{test['neg_elbo_nats']:.2f} nats", "a bound on -log p(x); lower is better"))
    s = ev.get("samples")
    if s:
        rows += [(m.title, m.format(s[m.key]), m.explained()) for m in SAMPLE_HEADLINES]
        rows.append(("precision / recall", f"{s['precision']:.3f} / {s['recall']:.3f}", "samples that look real / "
                     "test images the samples cover"))
    holes = ev.get("holes", {})
    if "normal_prior" in holes and card["model_config"].get("prior", {}).get("class_name") != "StandardNormal":
        rows.append(("FID of z ~ N(0, I)", f"{holes['normal_prior']['fid']:.2f}", "the naive draw, which lands in "
                     "the latent space's holes"))
    d = (ev.get("disentanglement") or {}).get("scores")
    if d:
        rows += [(m.title, m.format(d[m.key]), m.explained()) for m in DISENTANGLEMENT_HEADLINES]
    if m.get("before"):
        rows.append((f"{m['on']} MSE", f"{m['before']['mse']:.4f} -> {m['values']['mse']:.4f}",
                     "before and after its training on the new images"))
    return rows


def summary(card: dict, where: str | None = None) -> str:
    """`zoo info NAME`: what the model is, how good it measured, and the lines that load and sample it."""
    cfg, name = card["model_config"], card["name"]
    shape = "x".join(str(s) for s in cfg["input_shape"])
    dataset = DATASETS[card["dataset"]].title if card.get("dataset") in DATASETS else card.get("dataset") or "your images"
    copy = (card.get("data") or {}).get("copy")
    dataset = f"{dataset} ({copy})" if copy else dataset
    lines = [f"{name}: {card['family']} on {dataset} ({shape} images), {cfg['latent_dim']}-d code, "
             f"{cfg.get('backbone', 'mlp')} backbone, {card['params']:,} parameters",
             "  " + _first_sentence(family_blurb(card["family"])),
             f"  Sampler: {_sampler(card)}."]
    parent = (card.get("parent") or {}).get("name")
    if parent:
        lines.append(f"  Fine-tuned from {parent}; its measured numbers do not carry over.")
    t = card.get("training")
    if t and card.get("hardware"):
        lines.append(f"  Trained {t['epochs']} epochs, {checkpoints.train_minutes(card):.1f} min on "
                     f"{machine(card['hardware'])}{_precision(t)}; reproduce: {card['reproduce']}")
    rows = _headlines(card)
    if rows:
        lines += ["", "Measured" + (" (zoo evaluate; all numbers: --json)" if _ev(card) else "") + ":"]
        width = max(len(r[0]) for r in rows)
        vwidth = max(len(r[1]) for r in rows)
        lines += [f"  {what:{width}}  {value:>{vwidth}}  {meaning}" for what, value, meaning in rows]
    else:
        lines += ["", "Nothing measured on it yet: zoo compare " + name]
    ref = where or name
    cond = ", labels=[3] * 16" if _conditional(card) else ""
    lines += ["", "Use it:", "  import zoo", f'  model = zoo.load("{ref}")',
              f"  images = model.sample(16{cond}, seed=0)   # (16, {', '.join(map(str, cfg['input_shape']))}) in [0, 1]",
              "  codes = model.encode(x); x_hat = model.decode(codes)",
              f"  zoo sample {ref} -o samples.png"]
    return "\n".join(lines)
