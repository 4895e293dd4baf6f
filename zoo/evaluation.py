"""The card-level evaluation protocol: every metric of zoo.metrics, measured the same way for every model.

`evaluate(model, dataset)` returns the JSON stored as the card's `evaluation` by `zoo evaluate` (zoo.measuring).
"""
from __future__ import annotations

import time

import numpy as np

from zoo import classifiers, data, datasets, factor_metrics, inputs, metrics, progress

PROTOCOL = {
    "samples": 10000,        # generated images per sampler, scored against the 10,000 test images
    "iwae_k": 5000,          # importance samples for the IWAE bound
    "iwae_images": 1000,     # test images (the first ones) scored by the IWAE bound
    "code_images": 2000,     # test images for denoising, code sparsity and encoder sensitivity
    "ex_post_components": 10,  # Gaussian mixture fitted to the training codes (the ex-post sampler)
    "seed": 0,
}
SECTIONS = ("reconstruction", "samples", "holes", "interpolation", "likelihood", "denoising", "code", "ex_post")
PARTIAL = ("denoising", "code", "ex_post")  # self-contained sections that can be re-measured on their own
# The protocol settings each of those reads: a partial run takes (and records) only these.
PARTIAL_SETTINGS = {"denoising": ("code_images", "seed"), "code": ("code_images", "seed"),
                    "ex_post": ("samples", "ex_post_components", "seed")}


def _first(labels, k):
    """The first k labels, or None for an unconditional model."""
    return None if labels is None else labels[:k]


def _asked(model, n):
    """The classes a conditional model's n samples ask for (each equally often); None otherwise."""
    return np.arange(n) % model.num_classes if model.conditional else None


def _quality(images, real, ev, seed, full=False, labels=None):
    return {k: (round(v, 6) if isinstance(v, float) else v)
            for k, v in metrics.sample_quality(images, real, ev, seed=seed, full=full, labels=labels).items()}


def evaluate(model, dataset: str, protocol: dict | None = None, log=None, sections=SECTIONS,
             previous: dict | None = None) -> dict:
    """Measure `model` on `dataset`'s test split with the shipped evaluator; returns a JSON-able dict.

    `sections` picks what to (re)measure; the rest is taken from `previous` (an earlier result). `log(name,
    result)` is called as each part is measured; without it a progress bar shows.
    """
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"Unknown evaluation sections {sorted(unknown)}; choose from {SECTIONS}.")
    partial = bool(previous) and set(sections) != set(SECTIONS)
    entry = datasets.get_dataset(dataset)
    if tuple(model.image_shape) != tuple(entry.image_shape):
        size = lambda shape: "x".join(str(d) for d in shape)  # noqa: E731
        raise ValueError(f"{model.name} takes {size(model.image_shape)} images, but {dataset}'s are "
                         f"{size(entry.image_shape)}: the dataset named for it (its card's, or dataset=) is not the "
                         "one its weights were trained on. Correct the card, or measure it on its own images with "
                         "zoo.compare(..., data=).")
    rendered = entry.rendered
    if log is None:  # a bar over the parts each path logs
        parts = len(sections) if partial else 2 + factor_metrics.STEPS if rendered else 7 + model.has_likelihood
        with progress.Progress(parts, f"Measuring {model.name} on {dataset} (the cards' protocol)", "part") as bar:
            return evaluate(model, dataset, protocol, bar.log, sections, previous)
    if partial:
        return _update(model, dataset, protocol, log, sections, previous)
    if rendered:
        return evaluate_rendered(model, dataset, protocol, log)
    p = inputs.as_settings(protocol, PROTOCOL)
    n, seed = p["samples"], p["seed"]
    ev = classifiers.load(dataset)
    x_test, y_test = data.load_split(dataset, "test")
    real = ev(x_test)
    # A conditional model is scored given the test labels, and samples balanced classes it is asked for.
    labels = y_test if model.conditional else None
    asked = _asked(model, n)
    t0 = time.perf_counter()
    out = {"protocol": p, "test_images": int(len(x_test)),
           "evaluator": {"name": ev.card.name, "test_accuracy": ev.card.metrics.values["accuracy"],
                         "sha256": ev.card.model_sha256}}
    out["reconstruction"] = metrics.reconstruction(model, x_test, labels)
    log("  reconstruction", out["reconstruction"])

    # Headline: the model's own sampler at temperature 1.
    out["samples"] = _quality(model.sample(n, seed=seed, labels=asked), real, ev, seed, full=True, labels=asked)
    log("  samples", {k: v for k, v in out["samples"].items() if not isinstance(v, list)})

    # The "holes": where do codes from N(0, I), the model's sampler and the encoded test set decode to?
    holes = {"model_sampler": {k: out["samples"][k] for k in ("fid", "validity")},
             "normal_prior": _quality(model.sample(n, seed=seed, prior="normal", labels=asked), real, ev, seed),
             "aggregate_posterior": _quality(model.reconstruct(x_test, labels), real, ev, seed)}
    out["holes"] = holes
    log("  holes", holes)

    # Interpolation: decoded midpoints between the codes of random test pairs (same-class pairs, decoded
    # with their class, for a conditional model).
    rng = np.random.default_rng(seed)
    codes = model.encode(x_test, labels)
    a, b = rng.integers(0, len(x_test), (2, n))
    if model.conditional:
        by_class = {c: np.flatnonzero(y_test == c) for c in np.unique(y_test)}
        b = np.array([rng.choice(by_class[y_test[i]]) for i in a])
    midpoints = model.decode(0.5 * (codes[a] + codes[b]), None if labels is None else labels[a])
    out["interpolation"] = _quality(midpoints, real, ev, seed)
    log("  interpolation", out["interpolation"])

    if model.has_likelihood:
        binarized = bool(model.dynamic_binarization)
        k = p["iwae_images"]
        out["likelihood"] = metrics.likelihood(model, x_test[:k], _first(labels, k), k=p["iwae_k"], seed=seed,
                                               binarized=binarized)
        out["likelihood"]["conditional"] = model.conditional  # -log p(x | y) rather than -log p(x)
        log("  likelihood", out["likelihood"])
    if model.discrete_code:  # a VQ-VAE: how much of its codebook it uses, how well its prior fits
        out["codebook"] = {**model.codebook_usage(x_test),
                           "prior_nll_nats_per_grid": model.prior.nll(model.encode_indices(x_test))}
        log("  codebook", out["codebook"])
    out.update(_code_sections(model, x_test[: p["code_images"]], _first(labels, p["code_images"]), seed))
    log("  denoising", out["denoising"])
    log("  code", out["code"])
    ex_post = _ex_post(model, dataset, p, real, ev)
    if ex_post:
        out["ex_post"] = ex_post
        log("  ex_post", ex_post)
    out["wall_time_s"] = round(time.perf_counter() - t0, 1)
    return out


def evaluate_rendered(model, dataset: str, protocol=None, log=print) -> dict:
    """The protocol on a factor-labelled dataset (dsprites, shapes3d), whose point is the code itself:
    reconstruction of the test split and every disentanglement metric (zoo.factor_metrics). Samples are shown
    on the card, not scored: there is no evaluator classifier for these images."""
    t0 = time.perf_counter()
    x_test, _ = data.load_split(dataset, "test")
    out = {"protocol": {"seed": PROTOCOL["seed"]}, "test_images": int(len(x_test)),
           "reconstruction": metrics.reconstruction(model, x_test)}
    log("  reconstruction", out["reconstruction"])
    out["disentanglement"] = factor_metrics.score(model, dataset, protocol, log=log)
    log("  disentanglement", out["disentanglement"]["scores"])
    out["wall_time_s"] = round(time.perf_counter() - t0, 1)
    return out


def _code_sections(model, x, labels, seed) -> dict:
    # A quantised code (vqvae) is piecewise constant: finite differences across it measure only its jumps.
    sensitivity = ({} if model.discrete_code
                   else metrics.code_sensitivity(model, x, labels, seed=seed))
    return {"denoising": metrics.denoising(model, x, labels, seed=seed),
            "code": {**metrics.code_statistics(model.encode(x, labels)), **sensitivity}}


def _ex_post(model, dataset, p, real, ev) -> dict | None:
    """Samples from a Gaussian mixture fitted to the training codes (Ghosh et al.'s ex-post density), for
    every model with a continuous code: how much of its sample quality the latent density is costing it."""
    if model.discrete_code:
        return None
    x_train, y_train = data.load_split(dataset, "train")
    t0 = time.perf_counter()
    mixture = model.fit_ex_post(x_train, y_train if model.conditional else None,
                                components=p["ex_post_components"], seed=p["seed"])
    fit_s = time.perf_counter() - t0
    asked = _asked(model, p["samples"])
    images = model.sample(p["samples"], seed=p["seed"], prior=mixture, labels=asked)
    return {**_quality(images, real, ev, p["seed"]), "components": p["ex_post_components"],
            "fit_images": int(len(x_train)), "fit_s": round(fit_s, 1)}


def _update(model, dataset, protocol, log, sections, previous) -> dict:
    """Re-measure only the cheap, self-contained sections (PARTIAL); keep the rest."""
    if set(sections) - set(PARTIAL):
        raise ValueError(f"Partial re-evaluation covers the sections {PARTIAL}; re-run the rest whole.")
    inputs.as_settings(protocol, PROTOCOL)  # checked: only the protocol's own settings
    read = {k for section in sections for k in PARTIAL_SETTINGS[section]}
    unused = sorted(set(protocol or {}) - read)
    if unused:
        raise ValueError(f"{', '.join(unused)} {'is a setting' if len(unused) == 1 else 'are settings'} of sections "
                         f"this run does not measure ({', '.join(sections)} read {', '.join(sorted(read))}); the "
                         "card keeps what its kept sections were measured with. Measure those sections too, or "
                         "leave the setting out.")
    p = {**PROTOCOL, **previous.get("protocol", {}), **(protocol or {})}
    x_test, y_test = data.load_split(dataset, "test")
    fresh = {}
    if {"denoising", "code"} & set(sections):
        k = p["code_images"]
        fresh.update(_code_sections(model, x_test[:k], y_test[:k] if model.conditional else None, p["seed"]))
    if "ex_post" in sections:
        ev = classifiers.load(dataset)
        fresh["ex_post"] = _ex_post(model, dataset, p, ev(x_test), ev)
    out = {**previous, "protocol": p, **{k: fresh[k] for k in sections if fresh.get(k) is not None}}
    for k in sections:
        log(f"  {k}", out.get(k))
    return out
