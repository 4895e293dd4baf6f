"""Build models by family name: the families are found by importing `zoo.models`, which registers them all."""
from __future__ import annotations

import os

import keras

import zoo.models  # noqa: F401  (importing registers every family)
from zoo import registry
from zoo.names import unknown_name_error
from zoo.registry import FAMILIES


def get_family(name: str) -> type:
    """The model class registered as `name` ('vae')."""
    if name not in FAMILIES:
        raise unknown_name_error(name, list(FAMILIES), what="family")
    return FAMILIES[name]


def create(family: str, input_shape=(28, 28, 1), latent_dim=None, learning_rate=registry.LEARNING_RATE, **kwargs):
    """An untrained model of `family` (e.g. 'vae') for images of `input_shape`, compiled, ready for `fit`.

    `latent_dim` defaults to the family's own (16 for most). No `loss` is compiled in: each family's loss is
    built into the model (`compute_loss`).
    """
    from zoo import inputs

    cls = get_family(family)  # an unknown family first: it is the likelier typo
    if latent_dim is not None:
        kwargs["latent_dim"] = inputs.as_count(latent_dim, "latent_dim")
    inputs.as_positive_number(learning_rate, "learning_rate")
    model = cls(input_shape=input_shape, **kwargs)
    return compile_model(model, learning_rate)


# Training steps run per call into TensorFlow: fewer round trips from Python, measured 15-40% faster on a CPU
# (scripts/bench.py).
STEPS_PER_EXECUTION = {"tensorflow": 8}


def compile_model(model, learning_rate=registry.LEARNING_RATE):
    """Compile a zoo model for `fit` as the zoo does everywhere: the family's Adam at `learning_rate`
    (`make_optimizer`), no Keras loss (each family's loss is built in), and the backend's fastest execution
    settings."""
    model.compile(optimizer=model.make_optimizer(learning_rate), steps_per_execution=_steps_per_execution(),
                  jit_compile=_jit_compile(model))
    return model


def _jit_compile(model):
    """XLA for the training step: Keras' own choice ("auto": on for GPUs, off for a CPU), except on a TensorFlow
    CPU, where the zoo turns it on for the models it measured faster with it (`Autoencoder.xla_on_cpu`), unless
    `ZOO_XLA=0` (many tiny fits, such as a test suite's, spend more time compiling than they save)."""
    if keras.backend.backend() != "tensorflow" or os.environ.get("ZOO_XLA") == "0":
        return "auto"
    import tensorflow as tf

    on_cpu = not any(d.device_type != "CPU" for d in tf.config.list_physical_devices())
    return True if on_cpu and not tf.distribute.has_strategy() and model.xla_on_cpu() else "auto"


def _steps_per_execution() -> int:
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        if tf.distribute.has_strategy():  # Keras' multi-step loop fails under tf.distribute: one step per call
            return 1
    return STEPS_PER_EXECUTION.get(backend, 1)
