#!/usr/bin/env python
"""Speed of each family on this machine: training images/s (MLP backbone, batch 128), encode and sample
throughput. Timings belong here, never in tests. Usage: bench.py [--images N] [--families ae,vae,...]"""
import argparse
import os
import platform
import time

import keras
import numpy as np

import zoo
from zoo import factory

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--images", type=int, default=12800, help="training images per timed epoch")
    p.add_argument("--families", help="comma-separated (default: all unconditional families)")
    args = p.parse_args()
    import zoo.models  # noqa: F401

    families = args.families.split(",") if args.families else [f for f in factory.FAMILIES if f != "cvae"]
    x = np.random.default_rng(0).random((args.images, 28, 28, 1)).astype("float32")
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Keras {keras.__version__} ({keras.backend.backend()})")
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
