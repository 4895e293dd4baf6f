"""Input corruptions for denoising autoencoders and the denoising metric, written with keras.ops/random so
they run on every backend. `seed` is a keras SeedGenerator (training) or an int (repeatable evaluation)."""
import keras
from keras import ops

KINDS = ("gaussian", "masking", "salt_pepper")


def check(kind, level):
    if kind not in KINDS:
        raise ValueError(f"Unknown corruption {kind!r}; choose one of {KINDS}.")
    if not (isinstance(level, (int, float)) and level >= 0 and (kind == "gaussian" or level <= 1)):
        raise ValueError(f"Corruption level for {kind!r} must be {'a std >= 0' if kind == 'gaussian' else 'in [0, 1]'}"
                         f"; got {level!r}.")


def corrupt(x, kind="gaussian", level=0.5, seed=None):
    """gaussian: x + level * N(0, 1), clipped to [0, 1]; masking: each pixel set to 0 with probability level;
    salt_pepper: each pixel set to 0 or 1 (even odds) with probability level."""
    check(kind, level)
    x = ops.convert_to_tensor(x)
    if kind == "gaussian":
        return ops.clip(x + level * keras.random.normal(ops.shape(x), seed=seed, dtype=x.dtype), 0.0, 1.0)
    u = keras.random.uniform(ops.shape(x), seed=seed, dtype=x.dtype)
    if kind == "masking":
        return ops.where(u < level, ops.zeros_like(x), x)
    # salt_pepper: u < level/2 -> 0 (pepper), level/2 <= u < level -> 1 (salt)
    return ops.where(u < level / 2, ops.zeros_like(x), ops.where(u < level, ops.ones_like(x), x))
