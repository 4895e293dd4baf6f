#!/usr/bin/env python
"""The performance record: how fast the zoo trains, encodes, samples and loads on this machine, measured side by
side with its peers in one run. Timings live here, never in tests.

Every timing runs in a fresh worker process (so each can pick its Keras backend), and the contenders of one
comparison are run in turn, round after round (`--rounds`), so a machine that slows down slows them all alike;
the record keeps each contender's best round. Peers of the zoo's MLP VAE (784-512-256-16, batch 128, MNIST):
the same network written as a plain Keras 3 model (a `keras.Model` with `compute_loss`, below) and, when
installed, pythae's VAE with its own `TrainingPipeline` (PyTorch).

Writes the record to `--out` (JSON) and prints the tables in Markdown.
Usage: bench.py [--rounds 2] [--families ae,vae,...] [--backends tensorflow,jax] [--out docs/benchmark.json]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # time the zoo of this tree, whatever else is installed
DOC_BEGIN, DOC_END = "<!-- benchmark:begin (scripts/bench.py) -->", "<!-- benchmark:end -->"
BACKENDS = ("tensorflow", "jax", "torch")  # Keras' backends, in the tables' order
BATCH, EPOCHS = 128, 3  # epochs 2..3 are timed: the first one traces and warms up
BACKBONE_IMAGES = {"mlp": 20000, "conv": 5120, "conv4": 1024}  # per epoch: a JAX conv run takes a minute here


# ---- the workers: each runs in its own process and prints one JSON line ----------------------------------
def _epoch_clock():
    import keras

    class Clock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.ends = []

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(time.perf_counter())

    return Clock()


def _peer_vae(encoder, decoder, reconstruction):
    """A peer's VAE, keras-io's pattern: `encoder` (x -> mean, log-variance) and `decoder` (z -> output) around
    the reparameterised draw, the loss in `compute_loss` (the peer's `reconstruction(x, output)` per image plus
    the analytic KL), one loss tracker, Adam at 1e-3."""
    import keras
    from keras import ops

    class PeerVAE(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder, self.decoder = encoder, decoder
            self.seed_generator = keras.random.SeedGenerator(0)

        def call(self, x, training=False):
            mean, log_var = self.encoder(x)
            z = mean + ops.exp(0.5 * log_var) * keras.random.normal(ops.shape(mean), seed=self.seed_generator)
            return self.decoder(z), mean, log_var

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            out, mean, log_var = y_pred
            kl = 0.5 * ops.sum(ops.square(mean) + ops.exp(log_var) - 1.0 - log_var, axis=-1)
            return ops.mean(reconstruction(x, out) + kl)

    model = PeerVAE()
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model


def _per_image(t):
    from keras import ops

    return ops.sum(ops.reshape(t, (ops.shape(t)[0], -1)), axis=1)


def plain_keras_vae(latent_dim=16):
    """The peer: keras-io's VAE pattern on the zoo's MLP network with Bernoulli logits out."""
    import keras
    from keras import layers, ops

    inp = keras.Input((28, 28, 1))
    h = layers.Dense(256, activation="relu")(layers.Dense(512, activation="relu")(layers.Flatten()(inp)))
    encoder = keras.Model(inp, [layers.Dense(latent_dim)(h), layers.Dense(latent_dim)(h)])
    decoder = keras.Sequential([keras.Input((latent_dim,)), layers.Dense(256, activation="relu"),
                                layers.Dense(512, activation="relu"), layers.Dense(784), layers.Reshape((28, 28, 1))])
    return _peer_vae(encoder, decoder, lambda x, logits: _per_image(
        ops.relu(logits) - logits * x + ops.log1p(ops.exp(-ops.abs(logits)))))


def pythae_resnet_vae(latent_dim=64):
    """The photo peer: pythae 0.1.2's CIFAR ResNet VAE (`Encoder_ResNet_VAE_CIFAR`, `Decoder_ResNet_AE_CIFAR`)
    built layer for layer in Keras 3 (channels last; PyTorch's padding 1 on the 4x4 stride-2 convolutions is
    Keras' "same", the same output sizes), with pythae's VAE loss: half the summed squared error of the sigmoid
    output, plus the KL. Encoder and decoder are functional models, so `multiply_adds` can count them."""
    import keras
    from keras import layers, ops

    def res_block(x):  # pythae's ResBlock: x + conv1x1(relu(conv3x3(relu(x)))), 128 -> 32 -> 128
        h = layers.Conv2D(32, 3, padding="same")(layers.ReLU()(x))
        return layers.Add()([x, layers.Conv2D(128, 1)(layers.ReLU()(h))])

    inp = keras.Input((32, 32, 3))
    x = layers.Conv2D(64, 4, strides=2, padding="same")(inp)
    x = layers.Conv2D(128, 4, strides=2, padding="same")(x)
    x = res_block(res_block(layers.Conv2D(128, 3, padding="same")(x)))
    x = layers.Flatten()(x)
    encoder = keras.Model(inp, [layers.Dense(latent_dim)(x), layers.Dense(latent_dim)(x)])
    z_in = keras.Input((latent_dim,))
    y = res_block(res_block(layers.Reshape((8, 8, 128))(layers.Dense(128 * 8 * 8)(z_in))))
    y = layers.Conv2DTranspose(64, 4, strides=2, padding="same")(y)
    y = layers.Conv2DTranspose(3, 4, strides=2, padding="same", activation="sigmoid")(y)
    return _peer_vae(encoder, keras.Model(z_in, y), lambda x, recon: 0.5 * _per_image(ops.square(recon - x)))


def multiply_adds(*networks) -> int:
    """Multiply-adds of one image's forward pass through functional Keras networks: every Conv2D,
    Conv2DTranspose and Dense layer (nested models counted through). A training step costs about three forward
    passes (forward, and the backward pass's two products), two FLOPs per multiply-add: 6 x this per image."""
    import math

    import keras
    from keras import layers

    total = 0
    for net in networks:
        for layer in net.layers:
            if isinstance(layer, keras.Model):
                total += multiply_adds(layer)
            elif isinstance(layer, layers.Conv2DTranspose):
                k = math.prod(layer.kernel_size)
                total += math.prod(layer.input.shape[1:3]) * k * layer.input.shape[-1] * layer.filters
            elif isinstance(layer, layers.Conv2D):
                k = math.prod(layer.kernel_size)
                total += math.prod(layer.output.shape[1:3]) * k * layer.input.shape[-1] * layer.filters
            elif isinstance(layer, layers.Dense):
                total += math.prod(layer.input.shape[1:]) * layer.units
    return total


PHOTO_IMPLS = ("zoo_logistic", "zoo_logistic_sliced", "zoo_network", "zoo_logistic_mixed", "zoo_bernoulli",
               "pythae", "pythae_keras", "zoo_conv")


def work_photos(impl: str, images: str) -> dict:
    """Training images/s of a VAE for 32x32 colour photographs (batch 128, code 64, one seed for the initial
    weights and batch order): the shipped vae-cifar10 network and likelihood (PixelCNN++'s mixture of 10
    logistics) in float32 or mixed bfloat16; the same with the likelihood written a slice per block, as the zoo
    did before; the same network with the likelihood replaced by a sum of squares of its output (so the
    likelihood's share of a step is 1 - its time / the shipped one's); with Bernoulli outputs (the peer's 3
    channels out); pythae's CIFAR ResNet VAE (its own PyTorch pipeline) or the same layers in Keras; for
    scale the zoo's small `conv` VAE. With forward multiply-adds per image and the GFLOP/s training reaches (6
    FLOPs per multiply-add and image, as `multiply_adds` says)."""
    import numpy as np

    with np.load(images) as f:
        x = f["x"]
    if impl == "pythae":
        return {"train_img_s": _pythae_train(x, photos=True), "images": len(x)}
    import keras

    keras.utils.set_random_seed(0)
    if impl == "pythae_keras":
        model = pythae_resnet_vae(64)
        data = x.astype("float32") / 255.0
    else:
        import zoo
        from zoo.models import precision

        likelihood = {} if impl in ("zoo_bernoulli", "zoo_conv") else {"likelihood": "logistic_mixture",
                                                                       "likelihood_components": 10}
        with precision.policy("mixed_bfloat16" if impl == "zoo_logistic_mixed" else "float32"):
            model = zoo.create("vae", input_shape=(32, 32, 3), latent_dim=64, learning_rate=5e-4,
                               backbone="conv" if impl == "zoo_conv" else "resnet", **likelihood)
        if impl == "zoo_logistic_sliced":
            model.likelihood.nll = lambda x, out: sliced_nll(x, out, model.likelihood.components)
        elif impl == "zoo_network":
            model.likelihood.nll = lambda x, out: _per_image(keras.ops.square(out))
        data = x
    rate, loss = _timed_fit(model, data)
    macs = multiply_adds(model.encoder, model.decoder)
    return {"train_img_s": rate, "final_loss": loss, "images": len(x), "params": model.count_params(),
            "mega_multiply_adds": macs / 1e6, "train_gflop_s": 6 * macs * rate / 1e9}


def sliced_nll(x, out, k):
    """The logistic mixture's NLL as the zoo computed it before (the same numbers): a slice of the decoder output
    per block, whose gradients are each as large as the whole output, and masks for the edge bins."""
    from keras import ops

    from zoo.models.likelihoods import BINS, LOG_SCALE_MIN

    c = x.shape[-1]
    x = ops.cast(x, out.dtype)

    def part(i):
        return out[..., (1 + i) * k:(2 + i) * k]

    pixels = [2.0 * x[..., j:j + 1] - 1.0 for j in range(c)]
    log_mix, pair = ops.log_softmax(out[..., :k], axis=-1), 0
    for j in range(c):
        mu = part(j)
        for i in range(j):
            mu = mu + ops.tanh(part(2 * c + pair)) * pixels[i]
            pair += 1
        inv_s = ops.exp(-ops.maximum(part(c + j), LOG_SCALE_MIN))
        centred = pixels[j] - mu
        bottom, top = ops.cast(pixels[j] < -0.999, out.dtype), ops.cast(pixels[j] > 0.999, out.dtype)
        log_mix = (log_mix - (1.0 - top) * ops.softplus(-inv_s * (centred + 1.0 / BINS))
                   - (1.0 - bottom) * ops.softplus(inv_s * (centred - 1.0 / BINS))
                   + (1.0 - top - bottom) * ops.log(-ops.expm1(-2.0 / BINS * inv_s)))
    return -_per_image(ops.logsumexp(log_mix, axis=-1))


def _timed_fit(model, data) -> tuple[float, float]:
    """Training images/s over epochs 2..EPOCHS, and the last epoch's mean loss."""
    clock = _epoch_clock()
    hist = model.fit(data, epochs=EPOCHS, batch_size=BATCH, verbose=0, callbacks=[clock], shuffle=True).history
    n = len(data[0]) if isinstance(data, tuple) else len(data)
    rate = (EPOCHS - 1) * n / (clock.ends[-1] - clock.ends[0])
    return rate, float(hist["loss"][-1])


def work_train(impl: str, family: str, images: str, n: str = "0") -> dict:
    """Training images/s of one model: the zoo's family, the plain Keras VAE, or pythae's VAE (on the first n
    images; 0: all)."""
    import numpy as np

    with np.load(images) as f:
        x, y = f["x"], f["y"]
    if int(n):
        x, y = x[:int(n)], y[:int(n)]
    if impl == "pythae":
        return {"train_img_s": _pythae_train(x)}
    if impl == "keras":
        return {"train_img_s": _timed_fit(plain_keras_vae(), x.astype("float32") / 255.0)[0]}
    import zoo
    from zoo import factory

    own_code = factory.get_family(family).discrete_code  # vqvae's code is its grid: its own latent size
    model = zoo.create(family, **({} if own_code else {"latent_dim": 16}))
    out = {"train_img_s": _timed_fit(model, (x, y) if model.conditional else x)[0]}
    if not model.conditional:
        if model.fitted_prior:
            model.fit_prior(x[:5000])
        t = time.perf_counter()
        model.encode(x[:10000])
        out["encode_img_s"] = 10000 / (time.perf_counter() - t)
        n = 1000 if model.discrete_code else 10000  # an untrained PixelCNN draws as slowly as a trained one
        model.sample(16, seed=0)
        t = time.perf_counter()
        model.sample(n, seed=0)
        out["sample_img_s"] = n / (time.perf_counter() - t)
    return out


def _pythae_train(x, photos=False) -> float:
    """pythae's VAE trained with its own TrainingPipeline: the MLP peer on MNIST, or with `photos` its CIFAR
    ResNet VAE (pythae.models.nn.benchmarks.cifar, code 64, squared error) on 32x32 colour."""
    import numpy as np
    import torch
    from pythae.models import VAE, VAEConfig
    from pythae.models.base.base_utils import ModelOutput
    from pythae.models.nn import BaseDecoder, BaseEncoder
    from pythae.pipelines import TrainingPipeline
    from pythae.trainers import BaseTrainerConfig
    from pythae.trainers.training_callbacks import TrainingCallback

    class Encoder(BaseEncoder):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                           torch.nn.Linear(512, 256), torch.nn.ReLU())
            self.mean, self.log_var = torch.nn.Linear(256, 16), torch.nn.Linear(256, 16)

        def forward(self, x):
            h = self.net(x)
            return ModelOutput(embedding=self.mean(h), log_covariance=self.log_var(h))

    class Decoder(BaseDecoder):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Linear(16, 256), torch.nn.ReLU(), torch.nn.Linear(256, 512),
                                           torch.nn.ReLU(), torch.nn.Linear(512, 784), torch.nn.Sigmoid())

        def forward(self, z):
            return ModelOutput(reconstruction=self.net(z).reshape(-1, 1, 28, 28))

    class Clock(TrainingCallback):
        def __init__(self):
            self.ends = []

        def on_epoch_end(self, training_config, **kwargs):
            self.ends.append(time.perf_counter())

    clock = Clock()
    data = np.transpose(x, (0, 3, 1, 2)).astype("float32") / 255.0
    if photos:
        from pythae.models.nn.benchmarks.cifar import Decoder_ResNet_AE_CIFAR, Encoder_ResNet_VAE_CIFAR

        config = VAEConfig(input_dim=(3, 32, 32), latent_dim=64, reconstruction_loss="mse")
        networks = Encoder_ResNet_VAE_CIFAR(config), Decoder_ResNet_AE_CIFAR(config)
    else:
        config = VAEConfig(input_dim=(1, 28, 28), latent_dim=16, reconstruction_loss="bce")
        networks = Encoder(), Decoder()
    with tempfile.TemporaryDirectory() as out:
        trainer = BaseTrainerConfig(output_dir=out, num_epochs=EPOCHS, learning_rate=1e-3, no_cuda=True,
                                    per_device_train_batch_size=BATCH, per_device_eval_batch_size=BATCH)
        pipeline = TrainingPipeline(training_config=trainer, model=VAE(config, *networks))
        pipeline(train_data=data, callbacks=[clock])
    return (EPOCHS - 1) * len(x) / (clock.ends[-1] - clock.ends[0])


def work_load(name: str, warm_loads: int = 7) -> dict:
    """zoo.load time of a shipped model: the first load in a process (cold), the median of the loads after it
    (warm; one load alone swings 2x on a shared machine), and the median time to build its networks from the
    config (build: the part of a load before any weight is read)."""
    import zoo

    t = time.perf_counter()
    zoo.load(name)
    cold = time.perf_counter() - t
    warm, build = [], []
    for _ in range(warm_loads):
        t = time.perf_counter()
        model = zoo.load(name)
        warm.append(time.perf_counter() - t)
    for _ in range(warm_loads):  # the part of a load that builds the networks, before any weight is read
        t = time.perf_counter()
        type(model).from_config(model.get_config())
        build.append(time.perf_counter() - t)
    return {"load_cold_s": cold, "load_warm_s": statistics.median(warm), "build_warm_s": statistics.median(build),
            "warm_loads": warm_loads}


def work_vqvae_sampling(name: str, n: int) -> dict:
    """Images/s drawn from a shipped vqvae's PixelCNN prior (its own sampler, temperature 1)."""
    import zoo

    model = zoo.load(name)
    model.sample(16, seed=0)
    times = []
    for seed in range(1, 4):  # the first draw of n also traces the sampler for that batch size, as a user's does
        t = time.perf_counter()
        model.sample(int(n), seed=seed)
        times.append(time.perf_counter() - t)
    return {"sample_img_s": int(n) / statistics.median(times), "first_img_s": int(n) / times[0], "images": int(n)}


def work_rendering(dataset: str) -> dict:
    """Images/s a rendered dataset draws, and conv4-VAE training images/s streaming from it (batch 64)."""
    import numpy as np

    import zoo
    from zoo import data

    grid = data.factor_grid(dataset)
    grid.images(grid.sample_factors(64, np.random.default_rng(0)))  # shapes3d ray-casts its geometries first
    factors = grid.sample_factors(4096, np.random.default_rng(1))
    t = time.perf_counter()
    grid.images(factors)
    render = 4096 / (time.perf_counter() - t)
    model = zoo.create("vae", input_shape=grid.image_shape, latent_dim=10, backbone="conv4", learning_rate=1e-4)
    stream = data.stream(dataset, 64)
    model.fit(stream, steps_per_epoch=5, epochs=1, verbose=0)
    t = time.perf_counter()
    model.fit(stream, steps_per_epoch=50, epochs=1, verbose=0)
    return {"render_img_s": render, "conv4_train_img_s": 50 * 64 / (time.perf_counter() - t)}


def work_evaluate(name: str) -> dict:
    """The whole card protocol of one shipped model (scripts/evaluate.py's measurement), timed."""
    import zoo
    from zoo import evaluation

    model = zoo.load(name)
    t = time.perf_counter()
    evaluation.evaluate(model, model.card.dataset)
    return {"evaluate_s": time.perf_counter() - t}


def work_explore(*names: str) -> dict:
    """The explorer's click: one point of the latent map decoded by every model shown, and the maps redrawn with
    the point starred (the app's callback without the browser), medians of 50 clicks at random points."""
    import numpy as np

    from zoo import explorer

    ex = explorer.Explorer(list(names))
    rng = np.random.default_rng(0)
    ex.decode_point(0.0, 0.0)
    times, redraws = [], []
    for _ in range(50):
        u, v = rng.uniform(-2, 2, 2)
        t = time.perf_counter()
        ex.decode_point(u, v)
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        for name in names:  # the app also redraws each map with the clicked point starred
            ex.map_image(name, (u, v))
        redraws.append(time.perf_counter() - t)
    return {"models": ", ".join(names), "click_decode_ms": 1000 * statistics.median(times),
            "slowest_decode_ms": 1000 * max(times), "maps_redrawn_ms": 1000 * statistics.median(redraws)}


def work_xla(family: str, backbone: str, images: str, policy: str = "float32") -> dict:
    """Training images/s of one family compiled with and without XLA (TensorFlow), timed in turn in one process
    (5 rounds of an epoch of 5,120 images after a warm-up epoch, best kept: short rounds in turn, so a slow spell
    of the machine slows both), built under a Keras dtype policy; with the time to draw 128 x 784 uniforms
    inside and outside XLA, the cost that keeps noisy steps out of it."""
    import keras
    import numpy as np
    import tensorflow as tf

    from zoo import factory

    keras.config.set_dtype_policy(policy)

    with np.load(images) as f:
        x, y = f["x"][:5120], f["y"][:5120]
    cls = factory.get_family(family)
    models = {}
    for jit in (False, True):
        model = factory.create(family, backbone=backbone, **({} if cls.discrete_code else {"latent_dim": 16}))
        model.compile(optimizer=keras.optimizers.Adam(1e-3), steps_per_execution=8, jit_compile=jit)
        data = (x, y) if model.conditional else x
        model.fit(data, epochs=1, batch_size=BATCH, verbose=0)
        models["xla" if jit else "graph"] = (model, data)
    rates = {k: 0.0 for k in models}
    for _ in range(5):
        for k, (model, data) in models.items():
            t = time.perf_counter()
            model.fit(data, epochs=1, batch_size=BATCH, verbose=0)
            rates[k] = max(rates[k], len(x) / (time.perf_counter() - t))
    out = {"graph_img_s": rates["graph"], "xla_img_s": rates["xla"], "zoo_uses_xla": model.xla_on_cpu()}
    seed = tf.constant([1, 2])
    for jit in (False, True):
        # what keras.random.uniform runs on TensorFlow: the stateless op with its default algorithm choice
        draw = tf.function(lambda s: tf.reduce_sum(tf.random.stateless_uniform((BATCH, 784), seed=s)), jit_compile=jit)
        draw(seed)
        t = time.perf_counter()
        for _ in range(50):
            draw(seed)
        out[f"uniforms_{'xla' if jit else 'graph'}_ms"] = (time.perf_counter() - t) / 50 * 1e3
    return out


def work_backbone(backbone: str, images: str, n: str, policy: str = "float32") -> dict:
    """Training images/s of the zoo's VAE (code 16) on one backbone, on the images it is made for: MNIST for
    mlp and conv, 64x64 dSprites renderings for conv4 (the first n images); built under a Keras dtype policy
    (mixed_bfloat16: bfloat16 networks). With the last epoch's loss: one seed fixes the initial weights and the
    batch order, so two policies' losses differ by their arithmetic alone."""
    import keras
    import numpy as np

    import zoo
    from zoo import data

    keras.config.set_dtype_policy(policy)
    keras.utils.set_random_seed(0)

    if backbone == "conv4":
        grid = data.factor_grid("dsprites")
        x = grid.images(grid.sample_factors(int(n), np.random.default_rng(0)))
    else:
        with np.load(images) as f:
            x = f["x"][:int(n)]
    model = zoo.create("vae", input_shape=x.shape[1:], latent_dim=16, backbone=backbone)
    rate, loss = _timed_fit(model, x)
    return {"train_img_s": rate, "final_loss": loss, "images": len(x)}


def work_data(dataset: str, n: str, out: str) -> dict:
    """The first n training images and labels of a dataset, written for the other workers (so the parent
    process never loads TensorFlow: on Linux a child inherits its parent's peak memory)."""
    import numpy as np

    from zoo import data

    x, y = data.load_split(dataset, "train")
    np.savez(out, x=x[:int(n)], y=y[:int(n)])
    return {"images": len(x[:int(n)])}


WORKERS = {"data": work_data, "train": work_train, "load": work_load, "vqvae_sampling": work_vqvae_sampling,
           "rendering": work_rendering, "evaluate": work_evaluate, "xla": work_xla, "backbone": work_backbone,
           "explore": work_explore, "photos": work_photos}


# ---- the parent: runs the workers in turn and writes the record ------------------------------------------
def run_worker(kind: str, backend: str, *args, **env) -> dict:
    """One worker process; its result, with its peak resident memory (MiB) and backend."""
    environ = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", **env}
    cmd = [sys.executable, __file__, "--worker", kind, *map(str, args)]
    r = subprocess.run(cmd, env=environ, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1], "backend": backend}
    return {**json.loads(r.stdout.strip().splitlines()[-1]), "backend": backend}


def _xla_key(row: dict) -> tuple:
    return row["family"], row["backbone"], row.get("policy", "float32")


def best(rounds: list[dict], key: str, pick=max) -> dict:
    """The round with the highest `key` (a rate; `pick=min` for a time): the machine's least disturbed one."""
    good = [r for r in rounds if key in r]
    return pick(good, key=lambda r: r[key]) if good else rounds[-1]


def installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=2, help="rounds of each comparison, contenders in turn")
    p.add_argument("--families", help="comma-separated families to time (default: all)")
    p.add_argument("--backends", default=",".join(BACKENDS), help="Keras backends to time, where installed")
    p.add_argument("--images", type=int, default=60000, help="training images per epoch of the peers (MNIST's)")
    p.add_argument("--family-images", type=int, default=20000, help="training images per epoch of each family")
    p.add_argument("--family-rounds", type=int, default=1, help="rounds of each family's timing")
    p.add_argument("--backbone-images", type=int,
                   help="training images per epoch of the backbone and precision parts (default: "
                        + ", ".join(f"{k} {v:,}" for k, v in BACKBONE_IMAGES.items()) + "; a GPU wants more)")
    p.add_argument("--skip", default="", help="comma-separated parts to leave out: peers,families,backbones,precision,xla,"
                                              "photos,load,vqvae,rendering,evaluate,explore")
    p.add_argument("--photo-images", type=int, default=2560,
                   help="CIFAR-10 training images per epoch of the photographs part (needs the cifar10 dataset)")
    p.add_argument("--out", default="docs/benchmark.json", help="where the JSON record goes (and .md beside it)")
    p.add_argument("--update", action="store_true", help="keep the parts of an existing record this run skips")
    p.add_argument("--render", action="store_true",
                   help="measure nothing: write the record's tables again (the .md beside it, and docs/speed.md's)")
    args = p.parse_args()
    out = ROOT / args.out
    if args.render:
        record = json.loads(out.read_text())
        save(record, out)
        show(record, out)
        return
    skip = set(filter(None, args.skip.split(",")))
    import zoo.recipes  # noqa: F401  (Keras-free: the families that have recipes)
    from zoo import registry

    backends = [b for b in args.backends.split(",") if installed(b)]
    if not backends:
        raise SystemExit(f"none of the backends {args.backends} is installed")
    # the single-backend parts run on TensorFlow (the default) where it is installed: a GPU box may lack it
    main_backend = "tensorflow" if "tensorflow" in backends else backends[0]
    sizes = {bb: args.backbone_images or n for bb, n in BACKBONE_IMAGES.items()}
    families = args.families.split(",") if args.families else sorted({r.family for r in registry.RECIPES.values()})
    record = json.loads(out.read_text()) if args.update and out.is_file() else {}
    now, kept = machine(), record.get("machine", {})
    if "date" in kept:  # an update keeps older parts: the record spans their dates and the packages they used
        now.update(since=kept.get("since", kept["date"]), versions={**kept["versions"], **now["versions"]})
    record.update(machine=now, batch_size=BATCH)
    if "peers" not in skip:
        record.update(images_per_epoch=args.images, rounds=args.rounds)
    if "families" not in skip:
        record.update(family_images_per_epoch=args.family_images, family_rounds=args.family_rounds)
    with tempfile.TemporaryDirectory() as tmp:
        images = Path(tmp) / "mnist.npz"
        run_worker("data", main_backend, "mnist", args.images, images)
        if "peers" not in skip:
            contenders = [("zoo", "vae", b) for b in backends] + [("keras", "vae", main_backend)]
            contenders += [("pythae", "vae", "torch")] if installed("pythae") else []
            rounds = {c: [] for c in contenders}
            for _ in range(args.rounds):
                for c in contenders:
                    rounds[c].append(run_worker("train", c[2], c[0], c[1], images))
                    print(f"  peers: {c} {rounds[c][-1]}", flush=True)
            record["peers"] = [{"impl": c[0], **best(rounds[c], "train_img_s")} for c in contenders]
            save(record, out)
        if "families" not in skip:
            measured = {(f, b) for f in families for b in backends}  # an update keeps the other rows
            record["families"] = [r for r in record.get("families", []) if (r["family"], r["backend"]) not in measured]
            for fam in families:
                for b in backends:
                    rounds = [run_worker("train", b, "zoo", fam, images, args.family_images)
                              for _ in range(args.family_rounds)]
                    record["families"].append({"family": fam, **best(rounds, "train_img_s")})
                    print(f"  family: {record['families'][-1]}", flush=True)
                    save(record, out)
        if "backbones" not in skip:  # the backends in turn, round after round, the best round kept
            rounds = {(bb, b): [] for bb in BACKBONE_IMAGES for b in backends}
            for _ in range(args.rounds):
                for bb, b in rounds:
                    rounds[bb, b].append(run_worker("backbone", b, bb, images, sizes[bb]))
                    print(f"  backbone: {bb} {rounds[bb, b][-1]}", flush=True)
            record["backbones"] = [{"backbone": bb, **best(r, "train_img_s")} for (bb, _), r in rounds.items()]
            record["backbone_rounds"] = args.rounds
            save(record, out)
        if "precision" not in skip:  # float32 and mixed bfloat16 in turn, the best round of each kept
            rounds = {(bb, b, p): [] for bb in ("mlp", "conv") for b in backends for p in ("float32", "mixed_bfloat16")}
            kept = [r for r in record.get("precision", []) if r["backend"] not in backends]  # an update keeps them
            for _ in range(args.rounds):
                for bb, b, p in rounds:
                    rounds[bb, b, p].append(run_worker("backbone", b, bb, images, sizes[bb], p))
                    print(f"  precision: {bb} {p} {rounds[bb, b, p][-1]}", flush=True)
                    rows = kept + [{"backbone": bb, "policy": p, **best(r, "train_img_s")}
                                   for (bb, _, p), r in rounds.items() if r]
                    record["precision"] = sorted(rows, key=lambda r: (list(BACKBONE_IMAGES).index(r["backbone"]),
                                                                      BACKENDS.index(r["backend"]),
                                                                      r["policy"] != "float32"))
                    record["precision_rounds"] = {**record.get("precision_rounds", {}), b: len(rounds[bb, b, p])}
                    save(record, out)
        if "xla" not in skip and installed("tensorflow"):
            pairs = [(f, "mlp", "float32") for f in families if f != "vqvae"]
            if "vae" in families:  # the conv nets, and the MLP in bfloat16
                pairs += [("vae", "conv", "float32"), ("vae", "conv4", "float32"), ("vae", "mlp", "mixed_bfloat16")]
            # an update keeps the other rows, in the table's order (MLP rows by family, then the conv nets)
            record["xla"] = [r for r in record.get("xla", []) if _xla_key(r) not in pairs]
            for fam, backbone, policy in pairs:
                record["xla"].append({"family": fam, "backbone": backbone, "policy": policy,
                                      **run_worker("xla", "tensorflow", fam, backbone, images, policy)})
                print(f"  xla: {record['xla'][-1]}", flush=True)
                record["xla"].sort(key=lambda r: (r.get("policy", "float32") != "float32", r["backbone"] != "mlp",
                                                  r["backbone"], r["family"]))
                save(record, out)
        if "photos" not in skip:  # the residual VAE and pythae's, in turn, round after round
            photos = Path(tmp) / "cifar10.npz"
            got = run_worker("data", main_backend, "cifar10", args.photo_images, photos)
            if "error" in got:
                print(f"  photos: skipped, no cifar10 ({got['error']})", flush=True)
            else:
                # mixed bfloat16 is timed where it is native (AMX, AVX512_BF16 or a GPU): emulated, it is ~10x slower
                native = now.get("native_bfloat16") or now.get("accelerator")
                impls = [i for i in PHOTO_IMPLS if (i != "pythae" or installed("pythae"))
                         and (i != "zoo_logistic_mixed" or native)]
                rounds = {i: [] for i in impls}
                for _ in range(args.rounds):
                    for i in impls:
                        rounds[i].append(run_worker("photos", main_backend, i, photos))
                        print(f"  photos: {i} {rounds[i][-1]}", flush=True)
                record["photos"] = [{"impl": i, **best(r, "train_img_s")} for i, r in rounds.items()]
                record["photo_rounds"] = args.rounds
                # an update keeps older parts measured elsewhere: the photographs name their own machine
                record["photo_machine"] = {k: now.get(k) for k in ("cpu_model", "native_bfloat16", "accelerator")}
                save(record, out)
    save(record, out)
    if "load" not in skip:
        record["load"] = [{"model": n, **best([run_worker("load", main_backend, n) for _ in range(args.rounds)],
                                               "load_warm_s", pick=min)} for n in ("vae-mnist", "vqvae-mnist")]
    if "vqvae" not in skip:
        record["vqvae_sampling"] = [run_worker("vqvae_sampling", b, "vqvae-mnist", 1000) for b in backends]
    if "rendering" not in skip:
        record["rendering"] = [{"dataset": d, **run_worker("rendering", main_backend, d)}
                               for d in ("dsprites", "shapes3d")]
    if "evaluate" not in skip:
        record["evaluate"] = [{"model": "vae-mnist", **run_worker("evaluate", main_backend, "vae-mnist")}]
    if "explore" not in skip:
        record["explore"] = [{"backend": b, **run_worker("explore", b, "ae_2d-mnist", "vae_2d-mnist")} for b in backends]
    save(record, out)
    show(record, out)


def show(record: dict, out: Path) -> None:
    """Print the tables, and put them in docs/speed.md when the record is the shipped one."""
    print(markdown(record))
    if out.resolve() == (ROOT / "docs" / "benchmark.json").resolve():  # the shipped record: docs/speed.md shows it
        from zoo import outputs

        outputs.replace_marked_block(ROOT / "docs" / "speed.md", DOC_BEGIN, DOC_END,
                                     f"{DOC_BEGIN}\n{markdown(record)}\n{DOC_END}")


def save(record: dict, out: Path) -> None:
    """Write the record (after every part: a stopped run keeps what it measured) and its Markdown beside it."""
    from zoo import outputs

    out.parent.mkdir(parents=True, exist_ok=True)
    outputs.write_text_atomic(out, json.dumps(record, indent=1) + "\n")
    outputs.write_text_atomic(out.with_suffix(".md"), markdown(record) + "\n")


def machine() -> dict:
    import importlib.metadata as md

    versions = {}
    for pkg in ("keras", "tensorflow", "jax", "torch", "pythae", "numpy"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    from zoo import machine as facts

    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpu_model": facts.cpu_model(), "native_bfloat16": facts.native_bfloat16(),
            "cpu_count": os.cpu_count(), "accelerator": gpu_name(), "versions": versions,
            "date": time.strftime("%Y-%m-%d", time.gmtime())}


def gpu_name() -> str | None:
    """The first NVIDIA GPU's name, as nvidia-smi gives it (without importing a framework), or None."""
    try:
        r = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                           text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    names = r.stdout.strip().splitlines() if r.returncode == 0 else []
    return names[0].strip() if names else None


PHOTO_NAMES = {"zoo_logistic": "zoo `resnet` VAE, logistic mixture (as shipped)",
               "zoo_logistic_sliced": "the same, likelihood a slice per block (the zoo before)",
               "zoo_network": "the same network, likelihood replaced by a sum of squares",
               "zoo_logistic_mixed": "zoo `resnet` VAE, logistic mixture, mixed_bfloat16 networks",
               "zoo_bernoulli": "zoo `resnet` VAE, Bernoulli outputs",
               "pythae": "pythae's CIFAR ResNet VAE (its PyTorch pipeline)",
               "pythae_keras": "pythae's CIFAR ResNet VAE, in Keras",
               "zoo_conv": "zoo `conv` VAE, Bernoulli outputs (for scale)"}


def photos_markdown(record: dict) -> list[str]:
    """The photographs table, and what it says of the shipped recipe: the likelihood's share of a step, the
    speed against the zoo before and against pythae, and why where the machine lacks native bfloat16."""
    rows = {r["impl"]: r for r in record["photos"]}
    rate = {i: r.get("train_img_s") for i, r in rows.items()}
    peer = "pythae" if rate.get("pythae") else "pythae_keras"
    m, r0 = record.get("photo_machine", record["machine"]), record["photos"][0]
    cpu = f"{m.get('cpu_model') or m.get('processor')}, native bfloat16 {'yes' if m.get('native_bfloat16') else 'no'}"
    lines = [f"Photographs: VAEs for 32x32 colour (code 64, batch 128, {r0.get('images', 0):,} CIFAR-10 images per "
             f"epoch, {r0.get('backend', '')}, best of {record.get('photo_rounds')} rounds; {cpu}); GFLOP/s counts 6 "
             "FLOPs per forward multiply-add and image (forward and backward passes); the loss is the last epoch's "
             "mean, from one seed's initial weights and batches:", "",
             "| network | parameters | forward M multiply-adds / image | train img/s | GFLOP/s | final loss "
             f"| speed / {PHOTO_NAMES[peer].split(' (')[0]}'s |", "|---|---|---|---|---|---|---|"]
    for impl, r in rows.items():
        if not r.get("train_img_s"):
            lines.append(f"| {PHOTO_NAMES.get(impl, impl)} | failed: {r.get('error')} | | | | | |")
            continue
        ratio = f"{r['train_img_s'] / rate[peer]:.2f}x" if rate.get(peer) else ""
        params = f"{r['params']:,}" if "params" in r else ""
        macs = f"{r['mega_multiply_adds']:.1f}" if "mega_multiply_adds" in r else ""
        flops = f"{r['train_gflop_s']:.1f}" if "train_gflop_s" in r else ""
        loss = f"{r['final_loss']:,.1f}" if "final_loss" in r else ""
        lines.append(f"| {PHOTO_NAMES.get(impl, impl)} | {params} | {macs} | {r['train_img_s']:,.0f} | {flops} | {loss} "
                     f"| {ratio} |")
    shipped, before, network = rate.get("zoo_logistic"), rate.get("zoo_logistic_sliced"), rate.get("zoo_network")
    if shipped and before and network:
        lines += ["", f"The shipped recipe's likelihood takes {1 - shipped / network:.0%} of a training step (before: "
                      f"{1 - before / network:.0%}); a step is {shipped / before:.2f}x as fast as before"
                  + (f", {shipped / rate[peer]:.2f}x pythae's" if rate.get(peer) else "") + "."]
        mixed = rate.get("zoo_logistic_mixed")
        if mixed:
            lines[-1] += f" Under mixed_bfloat16 it trains at {mixed / before:.2f}x the float32 step of before."
        elif not (m.get("native_bfloat16") or m.get("accelerator")):
            lines[-1] += (" This CPU has no native bfloat16 (emulated, mixed_bfloat16 is about 10x slower, so it is "
                          "not timed and the recipes train in float32 here): the network, not the likelihood, "
                          "bounds the step.")
    lines.append("")
    return lines


def _peer(record: dict, impl: str) -> dict:
    """The measured peers row of one implementation ("keras", "pythae"), or {}."""
    return next((r for r in record.get("peers", []) if r["impl"] == impl and "train_img_s" in r), {})


def markdown(record: dict) -> str:
    """The record as docs/speed.md's tables."""
    m = record["machine"]
    where = f"an {m['accelerator']} GPU ({m['cpu_count']} CPU cores)" if m.get("accelerator") else \
        f"{m['cpu_count']} CPU cores"
    peers = f", {record['images_per_epoch']:,} MNIST images per epoch, best of {record['rounds']} rounds" \
        if "peers" in record else ""
    when = m["date"] if m.get("since", m["date"]) == m["date"] else f"{m['since']} to {m['date']}"
    lines = [f"Measured on {m['platform']}, {where}, {when}; batch {record['batch_size']}{peers}.", ""]
    if "peers" in record:
        keras_rate, pythae_rate = _peer(record, "keras").get("train_img_s"), _peer(record, "pythae").get("train_img_s")
        lines += ["| MLP VAE 784-512-256-16 | backend | train img/s | vs plain Keras | vs pythae |",
                  "|---|---|---|---|---|"]
        for r in record["peers"]:
            if "train_img_s" not in r:
                lines.append(f"| {r['impl']} | {r['backend']} | failed: {r.get('error')} | | |")
                continue
            ratio = [f"{r['train_img_s'] / ref:.2f}x" if ref else "" for ref in (keras_rate, pythae_rate)]
            lines.append(f"| {r['impl']} | {r['backend']} | {r['train_img_s']:,.0f} | {ratio[0]} | {ratio[1]} |")
        lines.append("")
    if "families" in record:
        keras = _peer(record, "keras")
        keras_rate = keras.get("train_img_s")
        lines += [f"Each family (MLP backbone unless it has its own networks, code 16), "
                  f"{record.get('family_images_per_epoch', 0):,} images per epoch"
                  + (f"; training time per image against the plain Keras VAE's above ({keras['backend']}):"
                     if keras_rate else ":"), "",
                  "| family | backend | train img/s | " + ("time / plain Keras | " if keras_rate else "")
                  + "encode img/s | sample img/s | peak memory MiB |",
                  "|---|---|---|---|---|---|" + ("---|" if keras_rate else "")]
        for r in sorted(record["families"], key=lambda r: (r["family"], r["backend"])):
            if "error" in r:
                lines.append(f"| {r['family']} | {r['backend']} | failed: {r['error']} | | | |"
                             + (" |" if keras_rate else ""))
                continue
            cells = [f"{r[k]:,.0f}" if k in r else "" for k in ("train_img_s", "encode_img_s", "sample_img_s")]
            if keras_rate:
                cells.insert(1, f"{keras_rate / r['train_img_s']:.2f}x")
            lines.append(f"| {r['family']} | {r['backend']} | {' | '.join(cells)} | {r.get('peak_mib', 0):,.0f} |")
        lines.append("")
    if record.get("backbones"):
        backends = list(dict.fromkeys(r["backend"] for r in record["backbones"]))
        lines += ["The VAE on each backbone and backend (training images/s; mlp and conv on MNIST, conv4 on 64x64 "
                  f"dSprites; best of {record.get('backbone_rounds')} rounds):", "",
                  f"| backbone | {' | '.join(backends)} | fastest |",
                  "|---|" + "---|" * (len(backends) + 1)]
        for backbone in dict.fromkeys(r["backbone"] for r in record["backbones"]):
            rates = {r["backend"]: r.get("train_img_s") for r in record["backbones"] if r["backbone"] == backbone}
            cells = [f"{rates[b]:,.0f}" if rates.get(b) else "failed" for b in backends]
            top = max((b for b in backends if rates.get(b)), key=lambda b: rates[b], default="")
            lines.append(f"| {backbone} | {' | '.join(cells)} | {top} |")
        lines.append("")
    if record.get("precision"):
        counts = record.get("precision_rounds", {})
        n = max(counts.values(), default=1)
        rounds = f"{n} round{'s' * (n != 1)}" if len(set(counts.values())) <= 1 else \
            "the rounds of each backend (" + ", ".join(f"{b} {n}" for b, n in counts.items()) + ")"
        lines += ["Mixed precision: the VAE built under Keras' mixed_bfloat16 policy against float32, from the same "
                  f"initial weights and batch order (training images/s, MNIST, best of {rounds}; the last epoch's "
                  "mean training loss, nats per image):", "",
                  "| backbone | backend | float32 img/s | mixed_bfloat16 img/s | gain | float32 loss | mixed loss |",
                  "|---|---|---|---|---|---|---|"]
        rows = {(r["backbone"], r["backend"], r["policy"]): r for r in record["precision"]}
        for bb, b in dict.fromkeys((r["backbone"], r["backend"]) for r in record["precision"]):
            full, mixed = (rows.get((bb, b, p), {}) for p in ("float32", "mixed_bfloat16"))
            rate = [f"{r['train_img_s']:,.0f}" if "train_img_s" in r else "failed" if "error" in r else ""
                    for r in (full, mixed)]
            loss = [f"{r['final_loss']:.1f}" if "final_loss" in r else "" for r in (full, mixed)]
            gain = f"{mixed['train_img_s'] / full['train_img_s']:.2f}x" if "train_img_s" in full and \
                "train_img_s" in mixed else ""
            lines.append(f"| {bb} | {b} | {rate[0]} | {rate[1]} | {gain} | {loss[0]} | {loss[1]} |")
        lines.append("")
    if "xla" in record:
        lines += ["TensorFlow on this CPU, each family compiled with and without XLA (`jit_compile`) in one process, "
                  "best of 5 rounds; the zoo compiles with XLA where `xla_on_cpu()` says so:", "",
                  "| family | backbone | policy | graph img/s | XLA img/s | XLA / graph | zoo uses XLA |",
                  "|---|---|---|---|---|---|---|"]
        for r in record["xla"]:
            row = f"| {r['family']} | {r['backbone']} | {r.get('policy', 'float32')} |"
            if "error" in r:
                lines.append(f"{row} failed: {r['error']} | | | |")
                continue
            lines.append(f"{row} {r['graph_img_s']:,.0f} | {r['xla_img_s']:,.0f} | "
                         f"{r['xla_img_s'] / r['graph_img_s']:.2f}x | {'yes' if r['zoo_uses_xla'] else 'no'} |")
        r = record["xla"][0]
        if "uniforms_graph_ms" in r:
            lines += ["", f"128 x 784 uniforms (Keras' default algorithm): {r['uniforms_graph_ms']:.2f} ms in the graph, "
                          f"{r['uniforms_xla_ms']:.2f} ms inside XLA."]
        lines.append("")
    if record.get("photos"):
        lines += photos_markdown(record)
    for key, label in (("load", "zoo.load"), ("vqvae_sampling", "vqvae sampling"), ("rendering", "rendering"),
                       ("evaluate", "full evaluation"), ("explore", "explorer click (both maps' models decode)")):
        for r in record.get(key, []):
            lines.append(f"- {label}: " + ", ".join(f"{k} {v:,.2f}" if isinstance(v, float) else f"{k} {v}"
                                                    for k, v in r.items()))
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        result = WORKERS[sys.argv[2]](*sys.argv[3:])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
        print(json.dumps({**result, "peak_mib": peak}))
    else:
        main()
