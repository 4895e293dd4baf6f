"""The Hugging Face README of a checkpoint: a shipped model's (YAML front matter, model-index, the body) and a
user's fine-tuned, trained or pushed model's."""
from __future__ import annotations

from zoo import units
from zoo.card import Card, Reconstruction
from zoo.cards.common import DISENTANGLEMENT_HEAD, _datasets_lines, _hf_id, _recon, body, data_name, family_blurb


def hf_readme(c: Card) -> str:
    """A Hugging Face model card (YAML front matter + body) for one checkpoint folder."""
    ev = c.evaluation
    metrics = []
    if ev and ev.disentanglement:
        metrics += [("mse", ev.reconstruction.mse, "Reconstruction MSE per pixel")]
        metrics += [(k, v, DISENTANGLEMENT_HEAD[k] + " (disentanglement_lib's definition)")
                    for k, v in ev.disentanglement.scores.items()]
    elif ev:
        s, lik = ev.samples, ev.likelihood
        metrics += [("fid", s.fid, "FID (zoo evaluator features, not InceptionV3)"),
                    ("kid", s.kid, "KID (zoo evaluator features)"),
                    ("precision", s.precision, "Improved precision (k=3)"),
                    ("recall", s.recall, "Improved recall (k=3)"),
                    ("accuracy", s.validity, "Validity (evaluator confidence >= 0.9)"),
                    ("mse", ev.reconstruction.mse, "Reconstruction MSE per pixel")]
        if lik:
            metrics.append(("nll", lik.iwae_nll_nats, f"NLL, IWAE bound k={lik.k} (nats/image)"))
            if lik.iwae_bits_per_dim is not None:
                metrics.append(("bits_per_dim", lik.iwae_bits_per_dim, f"NLL, IWAE bound k={lik.k} (bits/dim)"))
    else:
        metrics.append(("mse", c.metrics.values["mse"], "Reconstruction MSE per pixel"))
    front = ["---", "library_name: keras", "license: apache-2.0",
             "tags:", "- autoencoder", f"- {c.family}", "- zoo", "- unconditional-image-generation",
             *_datasets_lines(c.dataset),
             "pipeline_tag: unconditional-image-generation",
             "model-index:", f"- name: {c.name}", "  results:", "  - task:",
             "      type: unconditional-image-generation", "      name: Unconditional image generation",
             "    dataset:", f"      type: {_hf_id(c.dataset) or c.dataset}",
             f"      name: {data_name(c)}", "      split: test", "    metrics:"]
    for kind, value, name in metrics:
        front += [f"    - type: {kind}", f"      value: {value:.6g}", f"      name: {name}"]
    front.append("---")
    usage = ["", "## Use", "", "```python", "import zoo", f'm = zoo.load("{c.name}")',
             f"imgs = m.sample(64, seed=0)      # {(64, *c.input_shape)} in [0, 1]",
             "z = m.encode(x); x_hat = m.decode(z)", "```"]
    return "\n".join(front + ["", f"# {c.name}", ""] + body(c, "") + usage) + "\n"


def user_readme(card: Card) -> str:
    """Hub README for a user's model (pushed, fine-tuned or trained on own images): what it is, where it came
    from, and only numbers that were measured on it."""
    front = ["---", "library_name: keras", "tags:", "- autoencoder", f"- {card.family}", "- zoo"]
    if card.dataset:
        front += _datasets_lines(card.dataset)
    what = family_blurb(card.family).split("\n\n")[0]  # what the family is; the rest is about its recipes
    lines = front + ["---", "", f"# {card.name}", "", what, "",
                     f"- {card.params:,} parameters, latent {card.latent_dim}, input "
                     f"{'x'.join(str(s) for s in card.input_shape)}"]
    if card.parent:
        lines.append(f"- Fine-tuned from `{card.parent.name}` (weights sha256 `{card.parent.sha256}`); the parent's "
                     "measured metrics do not carry over.")
    if card.lineage:
        d = card.data
        lines.append(f"- Data: {d.source} ({d.train_images} training images"
                     + "".join(f"; {n}" for n in d.adapted or []) + ")")
        lines.append("- Recipe: " + ", ".join(f"{k} {v}" for k, v in card.lineage.settings.items()
                                              if v not in (None, {})))
        lines.append(f"- Reproduce: `{card.reproduce}`")
        m = card.metrics
        if m and m.before:
            lines += ["", f"Measured on the {m.images} {m.on} images "
                      "(reconstruction error per pixel and per image; sample_mean_rms: RMS distance between the "
                      "mean of 1000 samples and the mean of those images):", "",
                      "| | MSE | -log p(x \\| code) | sample mean RMS |", "|---|---|---|---|"]
            for label, values in (("before", m.before), ("after", m.values)):
                r = Reconstruction(values["mse"], values.get("bce_nats"), values.get("nll_nats"))
                rms = values.get("sample_mean_rms")
                rec = (f"NLL {units.nll_text(r.nll_nats, card.input_shape, card.likelihood_kind)}"
                       if r.bce_nats is None and r.nll_nats is not None else _recon(r))
                lines.append(f"| {label} | {r.mse:.5f} | {rec} | {'-' if rms is None else f'{rms:.4f}'} |")
    else:
        lines.append("- No metrics were measured on this model: measure it with `zoo.compare`.")
    where = f'"hf://{card.repo_id}"' if card.repo_id else '"path/to/this/folder"'
    lines += [f"- Weights: `model.keras`, sha256 `{card.model_sha256}`", "", "## Use", "",
              "```python", "import zoo", f"m = zoo.load({where})", "imgs = m.sample(16, seed=0)", "```"]
    return "\n".join(lines) + "\n"
