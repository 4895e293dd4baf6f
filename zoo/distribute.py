"""Data-parallel training on every visible device, and on several hosts, with the backend's own engine: Keras'
`keras.distribution.DataParallel` on JAX (one host or several), `tf.distribute.MirroredStrategy` on TensorFlow
(one host). The zoo averages no gradients itself.

Models created inside `data_parallel()` keep one copy of their weights per device; `fit` splits each global batch
across the devices. Several hosts join with JAX's coordinator, set by the environment variables
`KERAS_DISTRIBUTION_JOB_ADDRESSES`, `KERAS_DISTRIBUTION_NUM_PROCESSES` and `KERAS_DISTRIBUTION_PROCESS_ID`
(read by `keras.distribution.initialize`); each host then feeds its share of every batch from a tf.data pipeline.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os

import keras

JAX_CLUSTER_VARIABLE = "KERAS_DISTRIBUTION_JOB_ADDRESSES"


@dataclasses.dataclass(frozen=True)
class Replicas:
    """Where a data-parallel run trains: its devices (all hosts together), and which process this is."""

    devices: int
    processes: int = 1
    process: int = 0

    @property
    def is_chief(self) -> bool:
        """True on the one process that writes checkpoints and logs (process 0)."""
        return self.process == 0

    def check_batch(self, batch_size: int) -> None:
        """A global batch must split evenly over the devices."""
        if batch_size % self.devices:
            raise ValueError(f"The global batch of {batch_size} does not split evenly over {self.devices} devices; "
                             f"use a multiple of {self.devices}.")


SINGLE = Replicas(devices=1)


def replicas(enabled: bool = True) -> Replicas:
    """The devices and process a data-parallel run would use, joining the cluster the environment describes
    (JAX); `enabled=False` gives the single device. Changes nothing else."""
    if not enabled:
        return SINGLE
    backend = _check_backend()
    if backend == "jax":
        import jax

        _join_jax_cluster()
        return Replicas(devices=len(keras.distribution.list_devices()), processes=jax.process_count(),
                        process=jax.process_index())
    return Replicas(devices=len(_tf_devices()))


@contextlib.contextmanager
def data_parallel(enabled: bool = True):
    """Within: models the zoo creates train data-parallel on every visible device (and host); yields `Replicas`.

    `enabled=False` yields the single-device `Replicas` and changes nothing, so callers need no second code path.
    Weights live on the devices of the run: to use a model on one device afterwards (as training does to measure
    it), copy it out (`type(m).from_config(m.get_config())` and `set_weights(m.get_weights())`) after the context.
    """
    described = replicas(enabled)
    if not enabled:
        yield described
    elif keras.backend.backend() == "jax":
        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=keras.distribution.list_devices()))
        try:
            yield described
        finally:
            keras.distribution.set_distribution(previous)
    else:
        import tensorflow as tf

        with tf.distribute.MirroredStrategy([d.name for d in _tf_devices()]).scope():
            yield described


def _check_backend() -> str:
    backend = keras.backend.backend()
    if backend not in ("jax", "tensorflow"):
        raise ValueError(f"Data-parallel training needs the JAX or TensorFlow backend (Keras has no distribution "
                         f"engine for {backend}); set KERAS_BACKEND=jax or KERAS_BACKEND=tensorflow.")
    if backend == "tensorflow" and os.environ.get("TF_CONFIG"):
        raise ValueError("TF_CONFIG is set, but Keras 3 cannot train with TensorFlow's MultiWorkerMirroredStrategy "
                         "(its fit fails reducing the metrics, tensorflow/tensorflow#72388). For several hosts use "
                         "KERAS_BACKEND=jax and the KERAS_DISTRIBUTION_* variables; unset TF_CONFIG to train on "
                         "this host's devices.")
    return backend


def _join_jax_cluster() -> None:
    """Join the cluster KERAS_DISTRIBUTION_JOB_ADDRESSES names (once per process), as keras.distribution does."""
    import jax

    if os.environ.get(JAX_CLUSTER_VARIABLE) and not jax.distributed.is_initialized():
        keras.distribution.initialize()


def _tf_devices() -> list:
    """Every GPU, or without one, every logical CPU device (one, unless the process configured more)."""
    import tensorflow as tf

    return tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
