"""Disentanglement metrics on factor-labelled data, as disentanglement_lib (Locatello et al. 2019) defines them:
BetaVAE score, FactorVAE score, MIG, DCI, SAP, modularity and explicitness. scikit-learn does the fitting where
the reference uses it (logistic regression, gradient-boosted trees, linear SVMs, mutual information).

Each metric reads a `represent` function (images -> codes, (N, D)) and a `grid` that draws factors and renders
their images (zoo.renderers.FactorGrid), so it scores any model whose images fit the dataset. `score(model,
dataset)` runs them all with the sample sizes of PROTOCOL.
"""
from __future__ import annotations

import time

import numpy as np

from zoo import inputs, progress

# Sample sizes. MIG, SAP, modularity and explicitness use the paper's (10,000 codes to fit, 5,000 to test,
# 20 histogram bins). To score a model in minutes on a CPU, DCI fits its gradient-boosted trees on the first
# 3,000 of those codes (tested on 1,500; the paper: 10,000 and 5,000), and the two vote-based scores take the
# paper's 64 images per vote but 1,000 training and 500 evaluation votes (the paper: 10,000 and 5,000).
PROTOCOL = {"seed": 0, "points_train": 10_000, "points_test": 5_000, "bins": 20, "dci_train": 3_000,
            "dci_test": 1_500, "vote_batch": 64, "votes_train": 1_000, "votes_eval": 500,
            "variance_points": 10_000}
METRICS = ("beta_vae", "factor_vae", "mig", "dci_disentanglement", "dci_completeness", "dci_informativeness",
           "sap", "modularity", "explicitness")


def codes_of(represent, grid, factors, chunk=4096) -> np.ndarray:
    """The codes (N, D) of the images of `factors`, rendered and encoded `chunk` at a time."""
    parts = [np.asarray(represent(grid.images(factors[i:i + chunk])), "float64")
             for i in range(0, len(factors), chunk)]
    return np.concatenate(parts)


def sample_codes(represent, grid, n, rng):
    """(codes (n, D), factor indices (n, F)) of n images drawn uniformly from the grid."""
    factors = grid.sample_factors(n, rng)
    return codes_of(represent, grid, factors), factors


# ---- vote-based scores ----------------------------------------------------------------------------------------
def beta_vae_score(represent, grid, rng, batch_size=64, num_train=10_000, num_eval=5_000) -> dict:
    """Higgins et al. 2017: for a factor k fixed within pairs of images, the mean |z1 - z2| over a batch of pairs
    should single k out; a logistic regression predicts k from it. Score: its accuracy on held-out points."""
    from sklearn.linear_model import LogisticRegression

    def points(n):
        k = rng.integers(0, grid.num_factors, n)
        f1 = grid.sample_factors(n * batch_size, rng)
        f2 = grid.sample_factors(n * batch_size, rng)
        fixed = np.repeat(k, batch_size)
        f2[np.arange(len(f2)), fixed] = f1[np.arange(len(f1)), fixed]
        diff = np.abs(codes_of(represent, grid, f1) - codes_of(represent, grid, f2))
        return diff.reshape(n, batch_size, -1).mean(1), k

    x_train, y_train = points(num_train)
    x_eval, y_eval = points(num_eval)
    model = LogisticRegression(max_iter=1000).fit(x_train, y_train)
    return {"train_accuracy": float(model.score(x_train, y_train)), "eval_accuracy": float(model.score(x_eval, y_eval))}


def factor_vae_score(represent, grid, rng, batch_size=64, num_train=10_000, num_eval=5_000,
                     num_variance_estimate=10_000) -> dict:
    """Kim & Mnih 2018: fix one factor over a batch; the code unit whose variance (scaled by its variance over
    the data) drops most votes for that factor. A majority-vote classifier unit -> factor is fitted on training
    votes; the score is its accuracy on held-out votes. Collapsed units (zero variance) cannot vote."""
    codes, _ = sample_codes(represent, grid, num_variance_estimate, rng)
    global_var = np.var(codes, axis=0, ddof=1)
    active = np.sqrt(global_var) > 0
    if not active.any():
        return {"train_accuracy": 0.0, "eval_accuracy": 0.0, "active_units": 0}

    def votes(n):
        k = rng.integers(0, grid.num_factors, n)
        factors = grid.sample_factors(n * batch_size, rng).reshape(n, batch_size, -1)
        factors[np.arange(n), :, k] = factors[np.arange(n), 0, k][:, None]
        local = np.var(codes_of(represent, grid, factors.reshape(n * batch_size, -1)).reshape(n, batch_size, -1),
                       axis=1, ddof=1)
        ratio = np.where(active, local / np.where(active, global_var, 1.0), np.inf)
        table = np.zeros((grid.num_factors, len(global_var)), "int64")
        np.add.at(table, (k, np.argmin(ratio, axis=1)), 1)
        return table

    train, held_out = votes(num_train), votes(num_eval)
    classifier = np.argmax(train, axis=0)  # each unit's majority factor
    units = np.arange(train.shape[1])
    return {"train_accuracy": float(train[classifier, units].sum() / train.sum()),
            "eval_accuracy": float(held_out[classifier, units].sum() / held_out.sum()),
            "active_units": int(active.sum())}


# ---- scores on one sample of codes --------------------------------------------------------------------------
def discretize(codes, bins=20) -> np.ndarray:
    """Each code unit binned into `bins` equal-width bins over its own range (disentanglement_lib's histogram)."""
    return np.stack([np.digitize(c, np.histogram(c, bins)[1][:-1]) for c in codes.T], axis=1)


def mutual_information(codes_binned, factors) -> np.ndarray:
    """(D, F) discrete mutual information in nats between each binned code unit and each factor."""
    from sklearn.metrics import mutual_info_score

    return np.array([[mutual_info_score(factors[:, j], codes_binned[:, i]) for j in range(factors.shape[1])]
                     for i in range(codes_binned.shape[1])])


def factor_entropy(factors) -> np.ndarray:
    from sklearn.metrics import mutual_info_score

    return np.array([mutual_info_score(f, f) for f in factors.T])


def mig(codes, factors, bins=20) -> float:
    """Chen et al. 2018, the mutual information gap: per factor, the gap between the two code units most
    informative about it, over the factor's entropy; averaged over factors."""
    m = mutual_information(discretize(codes, bins), factors)
    top = np.sort(m, axis=0)[::-1]
    return float(np.mean((top[0] - top[1]) / factor_entropy(factors)))


def dci(codes, factors, codes_test, factors_test) -> dict:
    """Eastwood & Williams 2018 with gradient-boosted trees: the importance of each unit for predicting each
    factor; disentanglement (each unit matters for one factor), completeness (each factor is read off one unit),
    informativeness (the trees' accuracy on held-out codes)."""
    from scipy.stats import entropy
    from sklearn.ensemble import GradientBoostingClassifier

    importance = np.zeros((codes.shape[1], factors.shape[1]))
    train_acc, test_acc = [], []
    for j in range(factors.shape[1]):
        trees = GradientBoostingClassifier(random_state=0).fit(codes, factors[:, j])
        importance[:, j] = np.abs(trees.feature_importances_)
        train_acc.append(trees.score(codes, factors[:, j]))
        test_acc.append(trees.score(codes_test, factors_test[:, j]))
    weights = importance if importance.sum() > 0 else np.ones_like(importance)
    per_unit = 1.0 - entropy(importance.T + 1e-11, base=importance.shape[1])
    per_factor = 1.0 - entropy(importance + 1e-11, base=importance.shape[0])
    return {"disentanglement": float(np.sum(per_unit * weights.sum(1) / weights.sum())),
            "completeness": float(np.sum(per_factor * weights.sum(0) / weights.sum())),
            "informativeness_train": float(np.mean(train_acc)), "informativeness_test": float(np.mean(test_acc)),
            "importance": importance.round(4).tolist()}


def sap(codes, factors, codes_test, factors_test, continuous=False) -> float:
    """Kumar et al. 2018, the separated attribute predictability: per factor, how much better the best single
    unit predicts it than the second best; averaged. Discrete factors (Locatello et al.'s setting): a linear SVM
    on that unit alone, test accuracy (low for factors of many values even on perfect codes: one threshold per
    class on one unit); continuous: the squared correlation of unit and factor."""
    from sklearn.svm import LinearSVC

    scores = np.zeros((codes.shape[1], factors.shape[1]))
    for i in range(codes.shape[1]):
        for j in range(factors.shape[1]):
            if continuous:
                cov = np.cov(codes[:, i], factors[:, j])
                scores[i, j] = cov[0, 1] ** 2 / (cov[0, 0] * cov[1, 1]) if cov[0, 0] > 1e-12 else 0.0
                continue
            svm = LinearSVC(C=0.01, class_weight="balanced").fit(codes[:, i:i + 1], factors[:, j])
            scores[i, j] = svm.score(codes_test[:, i:i + 1], factors_test[:, j])
    top = np.sort(scores, axis=0)
    return float(np.mean(top[-1] - top[-2]))


def modularity(codes, factors, bins=20) -> float:
    """Ridgeway & Mozer 2018: how far each unit's squared mutual information is concentrated on one factor
    (1: on one factor only); units with no information score 0; averaged over units."""
    sq = mutual_information(discretize(codes, bins), factors) ** 2
    top = sq.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = 1.0 - (sq.sum(1) - top) / (top * (sq.shape[1] - 1.0))
    return float(np.mean(np.where(top == 0, 0.0, score)))


def explicitness(codes, factors, codes_test, factors_test) -> dict:
    """Ridgeway & Mozer 2018: how well a logistic regression on the whole (standardised) code predicts each
    factor, as the mean one-vs-rest ROC AUC over its values; averaged over factors."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import label_binarize

    mean, std = codes.mean(0), codes.std(0) + 1e-12
    x, x_test = (codes - mean) / std, (codes_test - mean) / std
    train, test = [], []
    for j in range(factors.shape[1]):
        model = LogisticRegression(max_iter=1000).fit(x, factors[:, j])
        for out, xs, ys in ((train, x, factors[:, j]), (test, x_test, factors_test[:, j])):
            probs = model.predict_proba(xs)
            onehot = label_binarize(ys, classes=model.classes_)
            if len(model.classes_) == 2:
                onehot, probs = np.hstack([1 - onehot, onehot]), probs
            seen = onehot.sum(0) > 0
            out.append(roc_auc_score(onehot[:, seen], probs[:, seen], average="macro") if seen.sum() > 1 else 1.0)
    return {"train": float(np.mean(train)), "test": float(np.mean(test))}


STEPS = 6  # the parts all_metrics logs as it goes


def all_metrics(represent, grid, protocol=None, log=None) -> dict:
    """Every metric of METRICS for the codes of `represent` on `grid`'s images, with PROTOCOL's sample sizes
    (overridden by `protocol`); a flat dict of scores plus the details (DCI's importance matrix, timings)."""
    p = inputs.as_settings(protocol, PROTOCOL)
    rng = np.random.default_rng(p["seed"])
    t0 = time.perf_counter()
    step = (lambda name: log(f"    {name} ({time.perf_counter() - t0:.0f} s)")) if log else (lambda name: None)
    codes, factors = sample_codes(represent, grid, p["points_train"], rng)
    codes_test, factors_test = sample_codes(represent, grid, p["points_test"], rng)
    step("codes")
    info = mutual_information(discretize(codes, p["bins"]), factors) / factor_entropy(factors)
    out = {"mig": mig(codes, factors, p["bins"]), "modularity": modularity(codes, factors, p["bins"]),
           "sap": sap(codes, factors, codes_test, factors_test)}
    step("mig, modularity, sap")
    explicit = explicitness(codes, factors, codes_test, factors_test)
    out["explicitness"] = explicit["test"]
    step("explicitness")
    d = dci(codes[:p["dci_train"]], factors[:p["dci_train"]], codes_test[:p["dci_test"]],
            factors_test[:p["dci_test"]])
    out.update(dci_disentanglement=d["disentanglement"], dci_completeness=d["completeness"],
               dci_informativeness=d["informativeness_test"])
    step("dci")
    out["beta_vae"] = beta_vae_score(represent, grid, rng, p["vote_batch"], p["votes_train"], p["votes_eval"])[
        "eval_accuracy"]
    step("beta_vae")
    fv = factor_vae_score(represent, grid, rng, p["vote_batch"], p["votes_train"], p["votes_eval"],
                          p["variance_points"])
    out["factor_vae"] = fv["eval_accuracy"]
    step("factor_vae")
    details = {"unit_factor_info": info.round(4).tolist(),  # MI(unit; factor) / H(factor), (units, factors)
               "unit_variance": np.var(codes, axis=0).round(4).tolist(), "dci_importance": d["importance"],
               "factor_vae_active_units": fv["active_units"], "explicitness_train": explicit["train"],
               "dci_informativeness_train": d["informativeness_train"]}
    return {"scores": {k: round(float(out[k]), 4) for k in METRICS}, "details": details, "protocol": p,
            "factors": list(grid.factor_names), "wall_time_s": round(time.perf_counter() - t0, 1)}


def score(model, dataset: str, protocol=None, log=None) -> dict:
    """All metrics for `model` (anything with `encode(images) -> codes`, such as a zoo model, the user's own
    included) on a factor-labelled dataset ('dsprites', 'shapes3d'); codes are the model's deterministic codes
    (a VAE's posterior means), as disentanglement_lib scores them."""
    from zoo import data
    from zoo.models.base import Autoencoder

    grid = data.factor_grid(dataset)
    inputs.as_settings(protocol, PROTOCOL)  # a bad protocol before any work
    shape = tuple(model.image_shape) if isinstance(model, Autoencoder) else tuple(grid.image_shape)
    if shape != tuple(grid.image_shape):
        raise ValueError(f"{dataset}'s images are {grid.image_shape}; this model takes {shape}. Score a model "
                         f"trained on {dataset} images (zoo.create(..., input_shape={grid.image_shape})).")
    if log is None:
        with progress.Progress(STEPS, f"Scoring {getattr(model, 'name', 'the model')} on {dataset}", "part") as bar:
            return {**all_metrics(model.encode, grid, protocol, bar.log), "dataset": dataset}
    return {**all_metrics(model.encode, grid, protocol, log), "dataset": dataset}
