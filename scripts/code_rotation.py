#!/usr/bin/env python
"""Is a model's code a rotated disentangled code? For each model: the mean and covariance of its codes (the prior's
are 0 and the identity, which DIP-VAE pulls the covariance to), the share of each factor's entropy in its two most
informative units, and MIG as the code is and after the rotation FastICA finds on other images of the grid (a code
whose units mix independent factors linearly gets its MIG back; one that spreads them non-linearly does not). The
study behind docs/disentanglement.md's DIP-VAE paragraph and its FactorVAE-on-shapes3d one.

Usage: code_rotation.py DATASET NAME [NAME ...]   e.g. code_rotation.py dsprites dip_vae-dsprites vae-dsprites
"""
import argparse
import warnings

import numpy as np
from sklearn.decomposition import FastICA

import zoo
from zoo import data
from zoo import factor_metrics as fm

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dataset")
    p.add_argument("names", nargs="+")
    p.add_argument("--images", type=int, default=10_000)
    args = p.parse_args()
    grid = data.factor_grid(args.dataset)
    for name in args.names:
        model = zoo.load(name)
        z, f = fm.sample_codes(model.encode, grid, args.images, np.random.default_rng(0))
        fit, _ = fm.sample_codes(model.encode, grid, args.images, np.random.default_rng(1))
        cov = np.cov(z.T)
        active = np.var(fit, 0) > 0.01
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FastICA's convergence notes
            ica = FastICA(int(active.sum()), whiten="unit-variance", random_state=0, max_iter=2000).fit(fit[:, active])
        share = fm.mutual_information(fm.discretize(z), f) / fm.factor_entropy(f)[None]
        top2 = np.sort(share, axis=0)[-2:][::-1]
        print(f"{name}: unit variances {np.round(np.diag(cov), 2).tolist()}, largest |covariance| off the diagonal "
              f"{np.abs(cov - np.diag(np.diag(cov))).max():.3f}; active units {int(active.sum())}")
        print(f"  unit means {np.round(z.mean(0), 2).tolist()} (the prior's centre is 0: a code far from it is "
              "sampled from where the data are not)")
        print("  factor entropy in the best two units: " + ", ".join(
            f"{n} {a:.2f}/{b:.2f}" for n, a, b in zip(grid.factor_names, top2[0], top2[1], strict=True)))
        print(f"  MIG {fm.mig(z, f):.3f} as it is, {fm.mig(ica.transform(z[:, active]), f):.3f} after FastICA's rotation",
              flush=True)
