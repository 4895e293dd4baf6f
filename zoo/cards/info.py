"""`zoo info NAME`: what a model is, how good it measured, how to use it, in a terminal's few lines."""
from __future__ import annotations

from zoo import catalogue, names, units
from zoo.card import Card
from zoo.cards.common import _conditional, _precision, family_blurb
from zoo.datasets import DATASETS


def _first_sentence(text: str) -> str:
    import re

    para = " ".join(text.split("\n\n")[0].split())
    return re.split(r"(?<!\bal)\. ", para, maxsplit=1)[0].rstrip(":.") + "."


def _sampler(card: Card) -> str:
    """The model's own sampler in a phrase, from the prior's config on the card: read, never built (a card's
    config is not covered by any hash, and building it could ask for any amount of memory)."""
    import keras

    cfg = card.prior_config
    cls = keras.saving.get_registered_object(cfg.get("registered_name")) if cfg else None
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


def _headlines(card: Card) -> list[tuple[str, str, str]]:
    """(what, value, what it means) for the numbers a user decides by."""
    m, ev = card.metrics, card.evaluation
    test = m.values if m and m.on == "test" else {}
    mse = ev.reconstruction.mse if ev else test.get("mse")
    rows = []
    if mse is not None:
        rows.append(("reconstruction MSE", f"{mse:.4f}", "per pixel on the test images; lower is better"))
    lik = ev.likelihood if ev else None
    if lik:
        given = " | y" if lik.conditional else ""
        rows.append(("NLL", units.nll_text(lik.iwae_nll_nats, card.input_shape, card.likelihood_kind),
                     f"a bound on -log p(x{given}) (IWAE, k={lik.k:,}); lower is better"))
    elif "neg_elbo_nats" in test:
        rows.append(("-ELBO", units.nll_text(test["neg_elbo_nats"], card.input_shape, card.likelihood_kind),
                     "a bound on -log p(x); lower is better"))
    if ev and ev.code_grid_bound_nats is not None:
        rows.append(("NLL", units.nll_text(ev.code_grid_bound_nats, card.input_shape, card.likelihood_kind),
                     "a bound on -log p(x): the reconstruction given its code grid plus the prior's NLL of the grid"))
    s = ev.samples if ev else None
    if s:
        rows += [(h.title, h.format(getattr(s, h.key)), h.explained()) for h in SAMPLE_HEADLINES]
        rows.append(("precision / recall", f"{s.precision:.3f} / {s.recall:.3f}", "samples that look real / "
                     "test images the samples cover"))
    prior = card.prior_config or {}
    if ev and ev.holes and prior.get("class_name") != "StandardNormal":
        rows.append(("FID of z ~ N(0, I)", f"{ev.holes.normal_prior.fid:.2f}", "the naive draw, which lands in "
                     "the latent space's holes"))
    if ev and ev.disentanglement:
        d = ev.disentanglement.scores
        rows += [(h.title, h.format(d[h.key]), h.explained()) for h in DISENTANGLEMENT_HEADLINES]
    if m and m.before:
        rows.append((f"{m.on} MSE", f"{m.before['mse']:.4f} -> {m.values['mse']:.4f}",
                     "before and after its training on the new images"))
    return rows


def summary(card: Card, where: str | None = None) -> str:
    """`zoo info NAME`: what the model is, how good it measured, and the lines that load and sample it."""
    name, shape = names.shown(card.name), card.input_shape
    dataset = DATASETS[card.dataset].title if card.dataset in DATASETS else card.dataset or "your images"
    dataset = f"{dataset} ({card.data.copy})" if card.data and card.data.copy else dataset
    lines = [f"{name}: {card.family} on {dataset} ({'x'.join(map(str, shape))} images), {card.latent_dim}-d code, "
             f"{card.model_config.get('backbone', 'mlp')} backbone, {card.params:,} parameters",
             "  " + _first_sentence(family_blurb(card.family)),
             f"  Sampler: {_sampler(card)}."]
    if card.parent:
        lines.append(f"  Fine-tuned from {card.parent.name}; its measured numbers do not carry over.")
    t, hw = card.training, card.provenance and card.provenance.hardware
    if t and hw:
        lines.append(f"  Trained {t.epochs} epochs, {t.minutes:.1f} min on "
                     f"{hw.describe()}{_precision(t)}; reproduce: {names.shown(card.reproduce, 2000)}")
    rows = _headlines(card)
    if rows:
        lines += ["", "Measured" + (" (zoo evaluate; all numbers: --json)" if card.evaluation else "") + ":"]
        width = max(len(r[0]) for r in rows)
        vwidth = max(len(r[1]) for r in rows)
        lines += [f"  {what:{width}}  {value:>{vwidth}}  {meaning}" for what, value, meaning in rows]
    else:
        lines += ["", "Nothing measured on it yet: zoo compare " + name]
    ref = where or name
    cond = ", labels=[3] * 16" if _conditional(card) else ""
    lines += ["", "Use it:", "  import zoo", f'  model = zoo.load("{ref}")',
              f"  images = model.sample(16{cond}, seed=0)   # (16, {', '.join(map(str, shape))}) in [0, 1]",
              "  codes = model.encode(x); x_hat = model.decode(codes)",
              f"  zoo sample {ref} -o samples.png"]
    return "\n".join(lines)
