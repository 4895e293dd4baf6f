#!/usr/bin/env python
"""The logistic mixture's NLL alone, forward and backward on TensorFlow (graph mode, and XLA), as the zoo computes
it (the decoder output split once) and as it did before (a slice per block, scripts/bench.py's `sliced_nll`), on
one batch of 128 random 32x32 colour images and decoder outputs of the shipped 10 components: milliseconds per
batch, best of 3 rounds of 5, in turn. The training step's own record is scripts/bench.py's photographs table.

Usage: python scripts/likelihood_timing.py
"""
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402  (its sliced_nll; it puts this tree's zoo first on the path)
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from zoo import machine  # noqa: E402
from zoo.models import likelihoods  # noqa: E402


def timed(fn, x, out, jit: bool) -> float:
    variable = tf.Variable(out)

    @tf.function(jit_compile=jit)
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(fn(x, variable))
        return loss, tape.gradient(loss, variable)

    step()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(5):
            step()[0].numpy()
        best = min(best, (time.perf_counter() - start) / 5)
    return best * 1e3


def main():
    rng = np.random.default_rng(0)
    lik = likelihoods.LogisticMixture(10)
    x = tf.constant(rng.integers(0, 256, (128, 32, 32, 3)) / 255.0, tf.float32)
    out = rng.normal(size=(128, 32, 32, lik.channels(3))).astype("float32")
    sliced = bench.sliced_nll
    print(f"{machine.cpu_model()}, native bfloat16 {machine.native_bfloat16()}: ms per batch of 128, forward and backward")
    for jit in (False, True):
        now = timed(lik.nll, x, out, jit)
        before = timed(lambda x, o: sliced(x, o, 10), x, out, jit)
        print(f"{'XLA' if jit else 'graph'}: split once {now:.1f}, a slice per block {before:.1f} ({before / now:.2f}x)")


if __name__ == "__main__":
    main()
