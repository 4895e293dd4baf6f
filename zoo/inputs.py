"""Check and normalise what users pass in, so mistakes fail early with a message that says what to do."""
from __future__ import annotations

import math
import numbers
import os

import numpy as np


def _to_numpy(x, name):
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    try:
        return np.asarray(x)
    except Exception as e:  # ragged lists, objects
        raise ValueError(f"{name} must be an array-like of numbers; could not convert it ({e}).") from None


def as_images(x, image_shape, name="x") -> np.ndarray:
    """Return `x` as float32 (N, *image_shape) in [0, 1].

    Accepts (N, H, W) or (N, H, W, C) with uint8/integer values in 0..255 or floats in [0, 1].
    """
    image_shape = tuple(int(s) for s in image_shape)
    x = _to_numpy(x, name)
    h, w, c = image_shape
    expected = f"(N, {h}, {w}, {c})" + (f" or (N, {h}, {w})" if c == 1 else "")
    if x.ndim == 3 and c == 1 and x.shape[1:] == (h, w):
        x = x[..., None]
    if x.ndim != 4 or x.shape[1:] != image_shape:
        hint = " (a single image? add a batch axis: x[None])" if x.shape in ((h, w), image_shape) else ""
        raise ValueError(f"{name} must have shape {expected}; got {x.shape}{hint}.")
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty: shape {x.shape}; pass at least one image.")
    if x.dtype == bool:
        return x.astype("float32")
    if np.issubdtype(x.dtype, np.integer):
        check_integer_pixels(x, name)
        return np.divide(x, np.float32(255.0), dtype=np.float32)  # one float32 array, no float64 or temporary
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"{name}: expected uint8 (0..255) or float (0..1) pixels; got dtype {x.dtype}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or inf ({int((~np.isfinite(x)).sum())} values); clean the input first.")
    lo, hi = float(x.min()), float(x.max())
    if lo < -1e-6 or hi > 1 + 1e-6:
        hint = " If these are 0..255 values, divide by 255 or pass uint8." if hi <= 255 and lo >= 0 else ""
        raise ValueError(f"{name}: float pixels must be in [0, 1]; got values in [{lo:g}, {hi:g}].{hint}")
    return np.clip(x, 0.0, 1.0).astype("float32")


def check_integer_pixels(x, name="images", binary_hint=True) -> None:
    """Integer pixels are read as 0..255: refuse values outside it, and 0/1 images, which would read as black."""
    lo, hi = int(x.min()), int(x.max())
    if lo < 0 or hi > 255:
        hint = (" For 16-bit images divide by 257 (or pass floats in [0, 1])." if hi <= 65535 and lo >= 0 else "")
        raise ValueError(f"{name}: integer pixels must be in 0..255; got values in {lo}..{hi}.{hint}")
    if binary_hint and hi == 1:
        raise ValueError(f"{name}: integer pixels are read as 0..255, but these are all 0 or 1 (near-black). For "
                         "binary images pass x.astype(bool) or x.astype('float32'); otherwise multiply by 255.")


def as_codes(z, latent_dim, name="z") -> np.ndarray:
    """Return latent codes as float32 (N, latent_dim), finite."""
    z = _to_numpy(z, name)
    if z.ndim != 2 or z.shape[1] != latent_dim:
        raise ValueError(f"{name} must have shape (N, {latent_dim}); got {z.shape}.")
    if z.shape[0] == 0:
        raise ValueError(f"{name} is empty: shape {z.shape}; pass at least one code.")
    if not np.issubdtype(z.dtype, np.number) or z.dtype == bool:
        raise ValueError(f"{name}: expected float codes; got dtype {z.dtype}.")
    z = z.astype("float32")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{name} contains NaN or inf; codes must be finite.")
    return z


def as_count(n, name="n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name} must be a positive integer; got {n!r}.")
    return int(n)


def as_positive_number(value, name) -> float:
    """A finite positive real (Python or numpy number; not a bool) as float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not (
            math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number; got {value!r}.")
    return float(value)


def as_settings(given, defaults: dict, name="protocol") -> dict:
    """`given` (None, or a dict of some of `defaults`' keys) merged over `defaults`; anything else is a
    ValueError naming the parameter and the settings it takes."""
    if given is None:
        return dict(defaults)
    if not isinstance(given, dict):
        raise ValueError(f"{name} must be a dict of settings ({', '.join(defaults)}) or None; got {given!r:.200}.")
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(f"Unknown {name} settings {unknown}; it takes {', '.join(defaults)}.")
    for key, value in given.items():  # counts are positive whole numbers; a seed may be 0
        if isinstance(defaults[key], int) and not isinstance(defaults[key], bool):
            if key == "seed":
                if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                    raise ValueError(f"{name}['seed'] must be a whole number, 0 or more; got {value!r:.100}.")
            else:
                as_count(value, f"{name}[{key!r}]")
    return {**defaults, **given}


def available_memory() -> int | None:
    """Bytes of memory available to allocate now (MemAvailable on Linux), or None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits_in_memory(nbytes: int, what: str) -> None:
    """Refuse to build an array of `nbytes` that would not fit in the memory available now (half of it)."""
    free = available_memory()
    if free is not None and nbytes > free // 2:
        raise ValueError(f"{what} needs {nbytes / 2**30:.1f} GiB, but only {free / 2**30:.1f} GiB of memory is "
                         "available; ask for fewer at a time (e.g. in a loop over smaller batches).")
