"""Image grids written as PNG files (atomically: temp file, then rename)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from zoo import outputs
from zoo.inputs import as_count


def tile(images, ncol=8, pad=2, scale=2) -> np.ndarray:
    """(N, H, W, C) in [0, 1] -> one (rows*H, ncol*W[, C]) canvas with grey gutters, upscaled."""
    as_count(ncol, "ncol (images per row)")
    images = np.asarray(images, dtype="float32")
    n, h, w, c = images.shape
    ncol = min(ncol, max(n, 1))  # a row never holds more columns than there are images
    nrow = -(-n // ncol)
    canvas = np.full((nrow * (h + pad) + pad, ncol * (w + pad) + pad, c), 0.5, dtype="float32")
    for i, img in enumerate(images):
        r, q = divmod(i, ncol)
        canvas[pad + r * (h + pad):pad + r * (h + pad) + h, pad + q * (w + pad):pad + q * (w + pad) + w] = img
    canvas = canvas.repeat(scale, axis=0).repeat(scale, axis=1)
    return canvas[..., 0] if c == 1 else canvas


def _atomic_png(path, write):
    """Call write(tmp_path) then rename onto `path`, so a crash never leaves half a PNG; refuses to replace
    anything but a regular file (a folder, a FIFO, a device such as /dev/null), and a name that promises another
    format (`x.jpg` would hold PNG bytes)."""
    return outputs.write_file_atomic(png_path(path), write, suffix=".png")


def png_path(path) -> Path:
    """A picture's output path, checked before any work: not empty, `~` expanded, ending in .png (the zoo
    writes PNG bytes, which `x.jpg` would misname)."""
    path = outputs.output_path(path, "picture's path")
    if path.suffix.lower() != ".png":
        raise ValueError(f"{path} does not end in .png; the zoo writes PNG pictures (e.g. {path.with_suffix('.png')}).")
    return path


def save_grid(images, path, ncol=8):
    """Write images as a grid PNG at `path`; returns the path."""
    import matplotlib.image

    canvas = np.clip(tile(images, ncol), 0, 1)
    return _atomic_png(path, lambda tmp: matplotlib.image.imsave(tmp, canvas, cmap="gray", vmin=0, vmax=1, format="png"))


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
    from matplotlib.figure import Figure

    codes = model.encode(x)
    base, std = codes[reference], np.maximum(codes.std(0), 1.0 * (codes.var(0) < INACTIVE_VARIANCE))
    grid = np.repeat(base[None], codes.shape[1] * steps, axis=0)
    offsets = np.linspace(-span, span, steps)
    for d in range(codes.shape[1]):
        grid[d * steps:(d + 1) * steps, d] = base[d] + offsets * std[d]
    images = model.decode(grid.astype("float32"))
    canvas = np.clip(tile(images, ncol=steps), 0, 1)
    rows = codes.shape[1]
    fig = Figure(figsize=(2.2 + canvas.shape[1] / 100, canvas.shape[0] / 100 + 0.3))
    ax = fig.add_axes([2.2 / fig.get_figwidth(), 0.0, 1 - 2.2 / fig.get_figwidth(), 1 - 0.3 / fig.get_figheight()])
    ax.imshow(canvas, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    ax.set_title(f"{model.name}: each unit from -{span} to +{span} sd", fontsize=9)
    row_h = canvas.shape[0] / rows
    for d, label in enumerate(labels):
        ax.text(-8, (d + 0.5) * row_h, f"z{d}: {label}", ha="right", va="center", fontsize=9)
    return save_figure(fig, path)


LATENT_CROSSES = 200  # codes drawn from N(0, I), drawn as red crosses on the latent map
LATENT_DECODED = 8  # the first crosses, numbered and decoded beside the map


def latent_map(model, x, labels=None, fit_x=None, fit_labels=None, class_names=(), label_name="class",
               path=None, seed=0, grid=15):
    """The picture of why a plain autoencoder cannot generate: the codes of images `x` in two dimensions,
    coloured by `labels`, with codes drawn from N(0, I) as red crosses, and beside them what the first few
    crosses decode to. A 2-d code is drawn as it is (with the decoded plane beside it); a wider one through a
    PCA fitted on the codes of `fit_x` (default `x`), which the plot says. Returns the matplotlib figure, also
    written to `path` as PNG when given."""
    import matplotlib
    from matplotlib.figure import Figure  # not pyplot: no backend is switched and no figure is left open

    cond = model.conditional
    codes = model.encode(x, labels if cond else None)
    fit_codes = codes if fit_x is None else model.encode(fit_x, fit_labels if cond else None)
    d = codes.shape[1]
    rng = np.random.default_rng(seed)
    crosses = rng.standard_normal((LATENT_CROSSES, d)).astype("float32")
    if d == 2:
        project, how = (lambda z: z), "the 2-d code itself"
    else:
        from sklearn.decomposition import PCA

        pca = PCA(2, random_state=seed).fit(fit_codes)
        project = pca.transform
        how = (f"PCA of its {d}-d codes, fitted on {len(fit_codes):,} {'training ' if fit_x is not None else ''}codes "
               f"({pca.explained_variance_ratio_.sum():.0%} of their variance)")
    p, q = project(codes), project(crosses)
    cross_labels = np.arange(LATENT_DECODED) % model.num_classes if cond else None
    decoded = model.decode(crosses[:LATENT_DECODED], cross_labels)
    panels = 3 if d == 2 else 2
    fig = Figure(figsize=(5.2 * (panels - 1) + 2.6, 5.6))
    axes = fig.subplots(1, panels, gridspec_kw={"width_ratios": [5.2] * (panels - 1) + [2.6]})
    ax = axes[0]
    colour = None if labels is None else np.asarray(labels if np.ndim(labels) == 1 else labels[:, 0])
    if colour is None:
        ax.scatter(p[:, 0], p[:, 1], s=4, c="tab:blue", alpha=0.5, label="codes of images")
    else:
        values = np.unique(colour)
        cmap = matplotlib.colormaps["tab10" if len(values) <= 10 else "viridis"]
        for i, v in enumerate(values):
            name = class_names[int(v)] if int(v) < len(class_names) else f"{label_name} {int(v)}"
            ax.scatter(*p[colour == v].T, s=4, alpha=0.5, color=cmap(i / max(1, len(values) - 1)
                                                                      if len(values) > 10 else i), label=name)
    ax.scatter(q[:, 0], q[:, 1], marker="x", s=22, c="red", linewidths=1.0, label="z ~ N(0, I)")
    for i in range(LATENT_DECODED):
        ax.annotate(str(i + 1), q[i], xytext=(3, 3), textcoords="offset points", color="darkred", fontsize=9,
                    weight="bold")
    ax.legend(fontsize=7, markerscale=2.5, loc="best", framealpha=0.8, ncol=2)
    ax.set_title(f"{model.name}: codes of {len(x):,} images (dots" + ("" if labels is None else f", by {label_name}")
                 + f")\nred crosses: {LATENT_CROSSES} codes drawn from N(0, I)\naxes: {how}", fontsize=8)
    if d == 2:
        xs, ys = np.linspace(*ax.get_xlim(), grid), np.linspace(*ax.get_ylim(), grid)[::-1]
        plane = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2).astype("float32")
        canvas = np.clip(tile(model.decode(plane), ncol=grid, pad=0, scale=1), 0, 1)
        axes[1].imshow(canvas, cmap="gray", vmin=0, vmax=1, extent=(*ax.get_xlim(), *ax.get_ylim()), aspect="auto")
        axes[1].set_title("the decoded plane: each point of the map's area, decoded", fontsize=8)
    right = axes[-1]
    right.imshow(np.clip(tile(decoded, ncol=2, scale=1), 0, 1), cmap="gray", vmin=0, vmax=1)
    for i in range(LATENT_DECODED):
        r, c = divmod(i, 2)
        h, w = decoded.shape[1:3]
        right.text(2 + c * (w + 2), 2 + r * (h + 2) + 5, str(i + 1), color="red", fontsize=9, weight="bold")
    right.set_axis_off()
    right.set_title("crosses 1-8, decoded" + (" (as classes 0-7)" if cond else ""), fontsize=8)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path, dpi=110)
    return fig
