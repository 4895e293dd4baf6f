"""A short data-parallel training run in a process of its own, for tests/integration/test_distribute.py.

Usage: distributed_run.py DEVICES IMAGES_NPZ
Splits this host's CPU into DEVICES devices (JAX: XLA's host platform device count; TensorFlow: logical CPU
devices), trains a small VAE inside `zoo.data_parallel()` at a global batch of 128, and prints a JSON line with
the device count and the per-epoch losses. The backend is KERAS_BACKEND's.
"""
import json
import os
import sys

devices = int(sys.argv[1])
os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

if keras.backend.backend() == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)

import zoo  # noqa: E402

with np.load(sys.argv[2]) as f:
    x = f["x"]
keras.utils.set_random_seed(0)
with zoo.data_parallel() as replicas:
    model = zoo.create("vae", latent_dim=8, learning_rate=1e-3)
    history = model.fit(x, epochs=3, batch_size=128, shuffle=False, verbose=0)
print(json.dumps({"devices": replicas.devices, "loss": history.history["loss"]}))
