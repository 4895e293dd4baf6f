"""Image grids written as PNG files (atomically: temp file, then rename)."""
from __future__ import annotations

import numpy as np

from zoo import outputs
from zoo.inputs import as_count


def tile(images, ncol=8, pad=2, scale=2) -> np.ndarray:
    """(N, H, W, C) in [0, 1] -> one (rows*H, ncol*W[, C]) canvas with grey gutters, upscaled."""
    as_count(ncol, "ncol (images per row)")
    images = np.asarray(images, dtype="float32")
    n, h, w, c = images.shape
    nrow = -(-n // ncol)
    canvas = np.full((nrow * (h + pad) + pad, ncol * (w + pad) + pad, c), 0.5, dtype="float32")
    for i, img in enumerate(images):
        r, q = divmod(i, ncol)
        canvas[pad + r * (h + pad):pad + r * (h + pad) + h, pad + q * (w + pad):pad + q * (w + pad) + w] = img
    canvas = canvas.repeat(scale, axis=0).repeat(scale, axis=1)
    return canvas[..., 0] if c == 1 else canvas


def _atomic_png(path, write):
    """Call write(tmp_path) then rename onto `path`, so a crash never leaves half a PNG; refuses to replace
    anything but a regular file (a folder, a FIFO, a device such as /dev/null)."""
    return outputs.write_file_atomic(path, write, suffix=".png")


def save_grid(images, path, ncol=8):
    """Write images as a grid PNG at `path`; returns the path."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    canvas = np.clip(tile(images, ncol), 0, 1)
    return _atomic_png(path, lambda tmp: plt.imsave(tmp, canvas, cmap="gray", vmin=0, vmax=1, format="png"))


def save_figure(fig, path, dpi=100):
    """Write a matplotlib figure as PNG at `path`, atomically."""
    return _atomic_png(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png"))


def interleave_rows(originals, reconstructions, ncol=8):
    """Stack rows: originals, their reconstructions, next originals, ... for a side-by-side picture."""
    out = []
    for i in range(0, len(originals), ncol):
        out += [originals[i:i + ncol], reconstructions[i:i + ncol]]
    return np.concatenate(out)


TRAVERSAL_UNITS = 8  # rows of a traversal grid: the most varied code units


def traversal(model, x, path, dims=TRAVERSAL_UNITS, steps=9, span=2.5):
    """Latent traversal grid: each row moves one code unit from -span to +span standard deviations (of the
    codes of `x`) around the mean code, the others held at the mean; the rows are the units whose codes
    vary most. Shows what each direction of the latent space draws."""
    codes = model.encode(x)
    mean, std = codes.mean(0), codes.std(0) + 1e-8
    order = np.argsort(-std)[:dims]
    offsets = np.linspace(-span, span, steps)
    grid = np.repeat(mean[None], len(order) * steps, axis=0)
    for r, d in enumerate(order):
        grid[r * steps:(r + 1) * steps, d] = mean[d] + offsets * std[d]
    return save_grid(model.decode(grid.astype("float32")), path, ncol=steps)
