"""Measured numbers for cards and comparisons: plain functions of a model, image arrays or features.

Reconstruction (MSE, BCE), likelihood (negative ELBO, IWAE bound), and sample quality read off a domain
classifier (zoo.classifiers): Fréchet distance of its features ("FID" here, not InceptionV3 FID), KID,
improved precision/recall (Kynkäänniemi et al. 2019), validity and class coverage.
"""
from __future__ import annotations

import math

import numpy as np
from keras import ops

from zoo import inputs, units
from zoo.models import corruption, losses


# ---- reconstruction and likelihood -----------------------------------------------------------------
def _batches(model, x, labels, batch_size):
    """(images, one-hot labels or None) in batches; labels only for a conditional model."""
    y = model.one_hot_labels(labels, len(x))
    for i in range(0, len(x), batch_size):
        yield x[i:i + batch_size], (None if y is None else y[i:i + batch_size])


def reconstruction(model, x, labels=None, batch_size=1000) -> dict:
    """Mean squared error per pixel of x -> decode(encode(x)), and -log p(x | code) in nats per image under the
    model's likelihood: "bce_nats" for a Bernoulli decoder (the cross-entropy), "nll_nats" for another.
    `labels`: the images' classes, for a conditional model only (as for every function here)."""
    x = inputs.as_images(x, model.image_shape)
    mse, nll = [], []
    for b, yb in _batches(model, x, labels, batch_size):
        out = model.reconstruction_output(b, yb)
        nll.append(ops.convert_to_numpy(model.reconstruction_nll(b, out)))
        mse.append(ops.convert_to_numpy(losses.squared_error(b, model.likelihood.mean(out))) / np.prod(b.shape[1:]))
    key = "bce_nats" if model.likelihood.name == "bernoulli" else "nll_nats"
    return {"mse": float(np.concatenate(mse).mean()), key: float(np.concatenate(nll).mean())}


def reconstruction_nll(rec: dict) -> tuple[str, float]:
    """(label, nats per image) of a `reconstruction` result: its Bernoulli cross-entropy, or its likelihood's
    negative log-likelihood."""
    return ("BCE", rec["bce_nats"]) if "bce_nats" in rec else ("NLL", rec["nll_nats"])


bits_per_dim = units.bits_per_dim  # nats per image -> bits per dimension, the photo literature's unit


def binarize(x, seed=0) -> np.ndarray:
    """A fixed binarization of images in [0, 1]: pixel ~ Bernoulli(intensity), seeded."""
    return (np.random.default_rng(seed).random(x.shape) < x).astype("float32")


def _scored_images(model, x, binarized, seed):
    """Validated images (binarized with `seed` if asked) and the generator for posterior noise."""
    if not model.has_likelihood:
        raise TypeError(f"{type(model).__name__} has no posterior q(z|x): likelihood bounds need a VAE family.")
    x = inputs.as_images(x, model.image_shape)
    return (binarize(x, seed) if binarized else x), np.random.default_rng(seed + 1)


DECODE_BUDGET = 64 * 2 ** 20  # decoder output values per likelihood step (a chunk of k codes for a batch)


def likelihood(model, x, labels=None, k=5000, seed=0, binarized=True, chunk=250, batch_size=20) -> dict:
    """Negative ELBO and IWAE bound on -log p(x) (Burda et al. 2016) with k importance samples, nats/image,
    and the IWAE bound in bits per dimension.

    binarized=True scores a fixed binarization of x (the literature's dynamically binarized MNIST test).
    The ELBO is the mean log weight over the same k samples; IWAE_k = -logmeanexp of them (tighter).
    The k codes of a batch are decoded `chunk` at a time, fewer where the decoder's output is large (a
    logistic mixture on colour images), so memory stays bounded.
    """
    x, rng = _scored_images(model, x, binarized, seed)
    per_image = math.prod(model.image_shape[:2]) * model.decoder_channels()
    chunk = max(1, min(chunk, DECODE_BUDGET // (batch_size * per_image)))
    elbo, iwae = [], []
    for b, yb in _batches(model, x, labels, batch_size):
        logw = np.concatenate([model.log_weights(b, yb, min(chunk, k - j), rng) for j in range(0, k, chunk)], 1)
        m = logw.max(1, keepdims=True)
        iwae.append(-(m[:, 0] + np.log(np.exp(logw - m).mean(1))))
        elbo.append(-logw.mean(1))
    nll = float(np.concatenate(iwae).mean())
    return {"neg_elbo_nats": float(np.concatenate(elbo).mean()), "iwae_nll_nats": nll,
            "iwae_bits_per_dim": bits_per_dim(nll, model.image_shape),
            "k": int(k), "images": int(len(x)), "binarized": bool(binarized)}


def negative_elbo(model, x, labels=None, seed=0, binarized=False, batch_size=1000) -> dict:
    """Mean negative ELBO and its terms (nats per image): one posterior sample per image (the family's
    `elbo_terms`: analytic KL against N(0, I), a one-sample estimate against a learned prior)."""
    x, rng = _scored_images(model, x, binarized, seed)
    rec, kl = [], []
    for b, yb in _batches(model, x, labels, batch_size):
        r, k = model.elbo_terms(b, yb, rng)
        rec.append(r)
        kl.append(k)
    rec, kl = np.concatenate(rec), np.concatenate(kl)
    return {"neg_elbo_nats": float((rec + kl).mean()), "reconstruction_nats": float(rec.mean()),
            "kl_nats": float(kl.mean())}


# ---- what the code does: denoising, sparsity, sensitivity ------------------------------------------------
DENOISING_LEVELS = (("gaussian", 0.25), ("gaussian", 0.5), ("masking", 0.25), ("masking", 0.5),
                    ("salt_pepper", 0.1), ("salt_pepper", 0.2))


def psnr(clean, other) -> float:
    """Mean over images of the peak signal-to-noise ratio in dB (peak 1.0)."""
    mse = np.mean((np.asarray(clean) - np.asarray(other)) ** 2, axis=tuple(range(1, np.ndim(clean))))
    return float(np.mean(10 * np.log10(1.0 / np.maximum(mse, 1e-10))))


def denoising(model, x, labels=None, levels=DENOISING_LEVELS, seed=0) -> dict:
    """Reconstruct corrupted test images; MSE and PSNR against the clean ones, and the noisy input's PSNR.

    Keys are 'KIND@LEVEL'; corruption is zoo.models.corruption with a fixed seed, the same for every model.
    """

    x = inputs.as_images(x, model.image_shape)
    out = {}
    for i, (kind, level) in enumerate(levels):
        noisy = ops.convert_to_numpy(corruption.corrupt(x, kind, level, seed=seed + i))
        clean_hat = model.reconstruct(noisy, labels)
        out[f"{kind}@{level:g}"] = {"mse": float(np.mean((clean_hat - x) ** 2)), "psnr": psnr(x, clean_hat),
                                   "noisy_psnr": psnr(x, noisy)}
    return out


def code_statistics(codes, rel_eps=0.01) -> dict:
    """Sparsity of codes (N, d): share of entries with |z| <= rel_eps * RMS(z) (scale-free), mean |z|, and
    the share of units that are near zero for at least 90% of the images (dead or rarely used units)."""
    codes = _features("codes", codes, 1)
    rms = float(np.sqrt(np.mean(codes ** 2)))
    near = np.abs(codes) <= rel_eps * rms
    return {"near_zero_share": float(near.mean()), "mean_abs_activation": float(np.abs(codes).mean()),
            "rms_activation": rms, "mostly_silent_units": float((near.mean(0) >= 0.9).mean())}


def code_sensitivity(model, x, labels=None, probes=8, eps=1e-3, seed=0, batch_size=500) -> dict:
    """||d code / d x||_F of the encoder, per image: Hutchinson's estimator E_v ||J v||^2, v ~ N(0, I), with
    J v from central differences. Any model or backbone; `sem` is the standard error of the mean norm^2."""
    x = inputs.as_images(x, model.image_shape)
    rng = np.random.default_rng(seed)

    def code(b, yb):
        return ops.convert_to_numpy(model.code(model.features(b.astype("float32"), yb)))

    sq = []
    for b, yb in _batches(model, x, labels, batch_size):
        acc = np.zeros(len(b))
        for _ in range(probes):
            v = rng.standard_normal(b.shape).astype("float32")
            jv = (code(b + eps * v, yb) - code(b - eps * v, yb)) / (2 * eps)
            acc += (jv ** 2).sum(1)
        sq.append(acc / probes)
    sq = np.concatenate(sq)
    return {"jacobian_fro_sq": float(sq.mean()), "jacobian_fro": float(np.sqrt(sq).mean()),
            "sem": float(sq.std() / np.sqrt(len(sq))), "probes": probes, "images": int(len(sq))}


# ---- distances between feature sets ------------------------------------------------------------------
def _features(name, f, min_rows=2):
    f = np.asarray(f, dtype="float64")
    if f.ndim != 2 or len(f) < min_rows:
        raise ValueError(f"{name} must be a 2-D array (N >= {min_rows}, features); got shape {f.shape}.")
    if not np.all(np.isfinite(f)):
        raise ValueError(f"{name} contains NaN or inf.")
    return f


def _check_pair(real, fake, min_rows=2):
    real, fake = _features("real features", real, min_rows), _features("fake features", fake, min_rows)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature sizes differ: real {real.shape[1]}, fake {fake.shape[1]}.")
    return real, fake


def frechet_distance(real, fake) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^1/2) between Gaussians fitted to two feature sets."""
    real, fake = _check_pair(real, fake)
    mu1, mu2 = real.mean(0), fake.mean(0)
    s1, s2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    w, v = np.linalg.eigh(s1)
    root1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    # Tr (S1 S2)^1/2 = Tr (S1^1/2 S2 S1^1/2)^1/2, a symmetric PSD matrix: sum of sqrt eigenvalues.
    tr_cross = np.sqrt(np.clip(np.linalg.eigvalsh(root1 @ s2 @ root1), 0, None)).sum()
    return float(max(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_cross, 0.0))


def kernel_inception_distance(real, fake, subsets=50, subset_size=1000, seed=0) -> dict:
    """KID (Bińkowski et al. 2018): unbiased MMD^2 with kernel (x.y/d + 1)^3, mean and std over subsets."""
    real, fake = _check_pair(real, fake)
    m = min(subset_size, len(real), len(fake))
    rng, d, vals = np.random.default_rng(seed), real.shape[1], []
    for _ in range(subsets):
        a = real[rng.choice(len(real), m, replace=False)]
        b = fake[rng.choice(len(fake), m, replace=False)]
        kaa, kbb, kab = ((a @ a.T / d + 1) ** 3, (b @ b.T / d + 1) ** 3, (a @ b.T / d + 1) ** 3)
        vals.append((kaa.sum() - np.trace(kaa)) / (m * (m - 1)) + (kbb.sum() - np.trace(kbb)) / (m * (m - 1))
                    - 2 * kab.mean())
    return {"kid": float(np.mean(vals)), "kid_std": float(np.std(vals))}


def _sq_dists(a, b):
    return np.clip((a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None] - 2 * a @ b.T, 0, None)


def _kth_radius(f, k, chunk=1000):
    """Squared distance of each row to its k-th nearest other row."""
    out = np.empty(len(f))
    for i in range(0, len(f), chunk):
        d = _sq_dists(f[i:i + chunk], f)
        out[i:i + chunk] = np.partition(d, k, axis=1)[:, k]  # index 0 is the point itself
    return out


def _coverage(queries, support, radii, chunk=1000):
    """Share of queries inside at least one support ball."""
    inside = 0
    for i in range(0, len(queries), chunk):
        inside += (_sq_dists(queries[i:i + chunk], support) <= radii[None]).any(1).sum()
    return inside / len(queries)


def precision_recall(real, fake, k=3) -> dict:
    """Improved precision (share of fakes on the real manifold) and recall (share of reals on the fake
    manifold), manifolds as unions of k-NN balls (Kynkäänniemi et al. 2019)."""
    real, fake = _check_pair(real, fake, min_rows=k + 1)
    return {"precision": float(_coverage(fake, real, _kth_radius(real, k))),
            "recall": float(_coverage(real, fake, _kth_radius(fake, k)))}


def validity(probs, threshold=0.9) -> float:
    """Share of images whose top class probability is at least `threshold` (a recognisable sample)."""
    probs = _features("probs", probs, 1)
    return float((probs.max(1) >= threshold).mean())


def class_coverage(probs) -> dict:
    """Histogram of predicted classes, its entropy in nats, and that entropy over log(classes) (1 = uniform)."""
    probs = _features("probs", probs, 1)
    hist = np.bincount(probs.argmax(1), minlength=probs.shape[1]) / len(probs)
    nz = hist[hist > 0]
    ent = float(-(nz * np.log(nz)).sum())
    return {"class_histogram": [round(float(h), 4) for h in hist], "class_entropy": ent,
            "class_entropy_ratio": ent / math.log(probs.shape[1])}


def label_agreement(probs, labels) -> dict:
    """For samples drawn of requested classes: the share the classifier assigns to the requested class,
    overall and per class (a conditional model's 'does it draw what was asked')."""
    probs = _features("probs", probs, 1)
    labels = np.asarray(labels)
    if labels.shape != (len(probs),):
        raise ValueError(f"labels must be one class per sample, shape ({len(probs)},); got {labels.shape}.")
    hit = probs.argmax(1) == labels
    return {"label_agreement": float(hit.mean()),
            "label_agreement_per_class": [round(float(hit[labels == c].mean()), 4) if (labels == c).any() else None
                                          for c in range(probs.shape[1])]}


def sample_quality(fake_images, real_stats, evaluator, seed=0, full=True, labels=None) -> dict:
    """All sample metrics of `fake_images` against real images' (features, probs) from `evaluator`;
    with `labels` (the classes the samples were asked to be), also their label agreement."""
    real_f, _ = real_stats
    fake_f, fake_p = evaluator(fake_images)
    out = {"fid": frechet_distance(real_f, fake_f), "validity": validity(fake_p)}
    if labels is not None:
        out.update(label_agreement(fake_p, labels))
    if full:
        out.update(kernel_inception_distance(real_f, fake_f, seed=seed))
        out.update(precision_recall(real_f, fake_f))
        out.update(class_coverage(fake_p))
    return out
