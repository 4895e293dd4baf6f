"""A short training run on one device and the same run data-parallel on two, in one process, for
tests/integration/test_distribute.py.

Usage: distributed_run.py IMAGES_NPZ
Splits this host's CPU into two devices (JAX: XLA's host platform device count; TensorFlow: logical CPU
devices), trains a small VAE at a global batch of 128 on one device (no distribution, as a user trains), then
from the same seed inside `zoo.data_parallel()`, and prints a JSON line with each run's device count and
per-epoch losses. The backend is KERAS_BACKEND's.
"""
import json
import os
import sys

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

if keras.backend.backend() == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import zoo  # noqa: E402

with np.load(sys.argv[1]) as f:
    x = f["x"]
results = {}
for enabled in (False, True):
    keras.utils.set_random_seed(0)
    with zoo.data_parallel(enabled) as replicas:
        model = zoo.create("vae", latent_dim=8, learning_rate=1e-3)
        history = model.fit(x, epochs=3, batch_size=128, shuffle=False, verbose=0)
    results[replicas.devices] = history.history["loss"]
print(json.dumps({"devices": sorted(results), "loss": [results[k] for k in sorted(results)]}))
