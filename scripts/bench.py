#!/usr/bin/env python
"""Speed of each family on this machine: training images/s (MLP backbone, batch 128), encode and sample
throughput; and how fast the rendered datasets draw images, against how fast disentanglement_lib's network
trains on them. Timings belong here, never in tests. Usage: bench.py [--images N] [--families ae,vae,...]"""
import argparse
import os
import platform
import time

import keras
import numpy as np

import zoo
from zoo import data, factory


def rendering(n=4096):
    """Images/s of each rendered dataset (warm: shapes3d traces its geometry first), and training images/s of
    the conv4 VAE, batch 64, streaming from it."""
    print(f"{'dataset':10} {'render img/s':>13} {'conv4 vae train img/s':>22}")
    for name, dataset in data.DATASETS.items():
        if dataset.factors is None:
            continue
        grid = dataset.factors
        grid.images(grid.sample_factors(64, np.random.default_rng(0)))
        factors = grid.sample_factors(n, np.random.default_rng(1))
        t = time.perf_counter()
        grid.images(factors)
        render = n / (time.perf_counter() - t)
        m = zoo.create("vae", input_shape=grid.image_shape, latent_dim=10, backbone="conv4", learning_rate=1e-4)
        stream = data.stream(name, 64)
        m.fit(stream, steps_per_epoch=5, epochs=1, verbose=0)
        t = time.perf_counter()
        m.fit(stream, steps_per_epoch=50, epochs=1, verbose=0)
        train = 50 * 64 / (time.perf_counter() - t)
        print(f"{name:10} {render:13.0f} {train:22.0f}", flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--images", type=int, default=12800, help="training images per timed epoch")
    p.add_argument("--families", help="comma-separated (default: all unconditional families)")
    p.add_argument("--no-rendering", action="store_true", help="skip the rendered datasets' timings")
    args = p.parse_args()
    families = args.families.split(",") if args.families else [f for f in factory.FAMILIES if f != "cvae"]
    x = np.random.default_rng(0).random((args.images, 28, 28, 1)).astype("float32")
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Keras {keras.__version__} ({keras.backend.backend()})")
    if not args.no_rendering:
        rendering()
    print(f"{'family':10} {'train img/s':>12} {'encode img/s':>13} {'sample img/s':>13}")
    for fam in families:
        m = zoo.create(fam, latent_dim=16)
        m.fit(x[:256], epochs=1, batch_size=128, verbose=0)  # trace and warm up
        if m.fitted_prior:
            m.fit_prior(x[:256])
        t = time.perf_counter()
        m.fit(x, epochs=1, batch_size=128, verbose=0)
        train = len(x) / (time.perf_counter() - t)
        t = time.perf_counter()
        m.encode(x)
        enc = len(x) / (time.perf_counter() - t)
        t = time.perf_counter()
        m.sample(len(x), seed=0)
        smp = len(x) / (time.perf_counter() - t)
        print(f"{fam:10} {train:12.0f} {enc:13.0f} {smp:13.0f}", flush=True)
