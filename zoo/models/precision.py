"""Mixed precision: under Keras' "mixed_bfloat16" policy the zoo's networks compute in bfloat16 and keep float32
weights, while the losses, codes and densities stay float32 (bfloat16's 8-bit mantissa would lose a pixel sum of
hundreds of nats). Set the policy before building a model: `keras.config.set_dtype_policy("mixed_bfloat16")`."""
import contextlib

import keras
from keras import layers

from zoo import machine

POLICIES = ("float32", "mixed_bfloat16")


def check_policy() -> None:
    """Refuse a global dtype policy the zoo's models do not train under, before anything is built."""
    name = keras.config.dtype_policy().name
    if name not in POLICIES:
        raise ValueError(f"The zoo's models train in float32 or mixed_bfloat16; Keras' dtype policy is {name!r}. "
                         "Set keras.config.set_dtype_policy('mixed_bfloat16') (no loss scaling needed) or "
                         "'float32'.")


@contextlib.contextmanager
def policy(name: str):
    """Keras' global dtype policy set to `name` (one of POLICIES) inside the block, the previous one after it."""
    if name not in POLICIES:
        raise ValueError(f"precision must be one of {', '.join(POLICIES)}; got {name!r}.")
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)


def mixed(on: bool):
    """The block a `--mixed-precision` flag asks for: mixed_bfloat16 when `on`, the current policy unchanged when
    not."""
    return policy("mixed_bfloat16") if on else contextlib.nullcontext()


def for_recipe(options: dict, accelerator: bool | None = None) -> str:
    """The policy a registry recipe trains under by default: mixed_bfloat16 for the photo recipes (those with the
    logistic-mixture likelihood, whose networks are most of a step once the likelihood is fast) where bfloat16
    is native, on a GPU (`accelerator`; found through the backend when None) or a CPU with AMX or AVX512_BF16;
    float32 elsewhere, where bfloat16 is emulated and about 10x slower (scripts/bench.py)."""
    if options.get("likelihood") != "logistic_mixture":
        return "float32"
    if accelerator is None:
        from zoo import provenance

        accelerator = provenance.accelerator() is not None
    return "mixed_bfloat16" if accelerator or machine.native_bfloat16() else "float32"


def of(model) -> str:
    """The policy a zoo model's networks compute in (fixed when it was built): 'float32' or 'mixed_bfloat16'."""
    return next(layer.dtype_policy.name for layer in model.encoder.layers if layer.weights)


def float32_output() -> list:
    """The last layer of a network under a mixed policy: a float32 identity, so the network hands float32 to
    the loss (Keras' advice for mixed precision); nothing under float32, where networks stay as they were."""
    if keras.config.dtype_policy().compute_dtype == "float32":
        return []
    return [layers.Activation("linear", dtype="float32")]


def float32_kwargs(kwargs: dict) -> dict:
    """Layer arguments for the zoo's densities and model-level layers: float32 whatever the global policy (their
    math is the loss's), unless a saved config says otherwise."""
    return {"dtype": "float32", **kwargs}
