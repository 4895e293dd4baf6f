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


INACTIVE_VARIANCE = 0.05  # a unit whose codes vary less than this across images is "inactive" (a VAE's KL near 0)


def unit_labels(codes, unit_factor_info, factor_names) -> list[str]:
    """A label per code unit: the factor it carries most information about (with that share of the factor's
    entropy), or "inactive" when its codes barely vary across images."""
    variance = np.var(codes, axis=0)
    info = np.asarray(unit_factor_info)
    return ["inactive" if variance[d] < INACTIVE_VARIANCE
            else f"{factor_names[int(np.argmax(info[d]))]} ({info[d].max():.2f})" for d in range(len(variance))]


def factor_traversal(model, x, labels, path, steps=9, span=2.5, reference=0):
    """Traversal of every code unit, one labelled row each: the unit moves over +-span standard deviations of
    its codes on `x` (at least +-span for an inactive one) from the code of image x[reference], the others
    held. `labels` names each row (unit_labels)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    codes = model.encode(x)
    base, std = codes[reference], np.maximum(codes.std(0), 1.0 * (codes.var(0) < INACTIVE_VARIANCE))
    grid = np.repeat(base[None], codes.shape[1] * steps, axis=0)
    offsets = np.linspace(-span, span, steps)
    for d in range(codes.shape[1]):
        grid[d * steps:(d + 1) * steps, d] = base[d] + offsets * std[d]
    images = model.decode(grid.astype("float32"))
    canvas = np.clip(tile(images, ncol=steps), 0, 1)
    rows = codes.shape[1]
    fig = plt.figure(figsize=(2.2 + canvas.shape[1] / 100, canvas.shape[0] / 100 + 0.3))
    ax = fig.add_axes([2.2 / fig.get_figwidth(), 0.0, 1 - 2.2 / fig.get_figwidth(), 1 - 0.3 / fig.get_figheight()])
    ax.imshow(canvas, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    ax.set_title(f"{model.name}: each unit from -{span} to +{span} sd", fontsize=9)
    row_h = canvas.shape[0] / rows
    for d, label in enumerate(labels):
        ax.text(-8, (d + 0.5) * row_h, f"z{d}: {label}", ha="right", va="center", fontsize=9)
    try:
        return save_figure(fig, path)
    finally:
        plt.close(fig)
