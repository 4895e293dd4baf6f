"""zoo.compare: one table (and optionally one picture) for several models, from their cards' measurements."""
from __future__ import annotations

import html

import numpy as np

from zoo import catalogue, checkpoints, evaluation, loader, metrics, plots, units
from zoo import data as data_io
from zoo.card import Card, Evaluation, parse

# (key, column label, format); a row holds None where a metric does not apply (e.g. NLL of a plain AE). The
# metrics' labels and formats are the catalogue's. Printed as narrow blocks so the table fits a terminal.
_ABOUT = {"name": ("model", "{}"), "family": ("family", "{}"), "params": ("params", "{:,}"),
          "code": ("code", "{}"), "train_min": ("train min", "{:.1f}"), "source": ("metrics from", "{}")}


def _column(key: str) -> tuple[str, str, str]:
    return (key, *_ABOUT[key]) if key in _ABOUT else (key, catalogue.get(key).label, catalogue.get(key).fmt)


GROUPS = [[_column(k) for k in keys] for keys in (
    ("name", "family", "params", "code", "train_min", "mse", "iwae_nll", "neg_elbo", "nll_bits", "neg_elbo_bits",
     "source"),
    ("name", "fid", "kid", "precision", "recall", "validity", "coverage"),
    ("name", "fid_normal", "validity_normal", "fid_ex_post", "validity_ex_post", "fid_posterior", "fid_interp",
     "validity_interp"),
    ("name", "psnr_gauss", "psnr_mask", "psnr_sp", "near_zero", "jac_rel"),
    ("name", *catalogue.DISENTANGLEMENT),
)]
COLUMNS = [c for i, g in enumerate(GROUPS) for c in (g if i == 0 else g[1:])]
LEGEND = ("FID/KID/precision/recall/validity/class entropy: 10,000 samples from the model's own sampler "
          "(temperature 1) vs the 10,000 test images, in the features of the dataset's evaluator CNN (not "
          "InceptionV3). N(0,I): naive codes from the standard normal; ex-post: codes from a 10-component "
          "Gaussian mixture fitted to the training codes (fit_ex_post); q(z): encoded test images "
          "(reconstructions); interp: decoded midpoints of random test pairs. NLL: IWAE bound, nats/image; b/d: "
          "bits per dimension, the unit for 8-bit colour (a vqvae's NLL is its code-grid bound). "
          "PSNR: reconstructions of corrupted test images vs the clean ones (dB). |J|/RMS code: encoder "
          "Jacobian Frobenius norm over the codes' RMS. BetaVAE ... explicit.: disentanglement scores on a factor "
          "dataset (dsprites, shapes3d), disentanglement_lib's definitions; DCI D/C/I: disentanglement, "
          "completeness, informativeness.")


class Table:
    """Rows of measured metrics; prints aligned in a terminal, renders as HTML in a notebook."""

    def __init__(self, rows: list[dict], notes: list[str] = ()):
        self.rows, self.notes = rows, list(notes)
        self.columns = self._present(COLUMNS)

    def _present(self, columns):
        return [c for c in columns if any(r.get(c[0]) is not None for r in self.rows)]

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        """The rows, as dicts of metric name -> value (None where not measured)."""
        return iter(self.rows)

    def __getitem__(self, key):
        """A row by model name (`table["vae-mnist"]`) or by position (`table[0]`)."""
        if isinstance(key, int):
            return self.rows[key]
        for r in self.rows:
            if r["name"] == key:
                return r
        raise KeyError(f"{key!r} is not in this comparison; it has {', '.join(r['name'] for r in self.rows)}.")

    def to_pandas(self):
        """The rows as a pandas DataFrame indexed by model name, one column per metric (pandas is optional:
        pip install pandas, or the zoo's `pandas` extra)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Table.to_pandas needs pandas: pip install pandas (or pip install 'autoencoder-zoo[pandas]'). "
                              "Without it, iterate the table: each row is a dict.") from None
        keys = list(dict.fromkeys(k for k, _, _ in self.columns))
        extra = sorted({k for r in self.rows for k in r} - set(keys))
        return pd.DataFrame([{k: r.get(k) for k in keys + extra} for r in self.rows]).set_index("name")

    def _cells(self, columns=None):
        return [[("–" if r.get(k) is None else f.format(r[k])) for k, _, f in (columns or self.columns)]
                for r in self.rows]

    def __str__(self):
        out = []
        for group in GROUPS:
            columns = self._present(group)
            if len(columns) < 2:
                continue
            head, cells = [label for _, label, _ in columns], self._cells(columns)
            widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
            def line(vals, widths=widths):
                cells = enumerate(zip(vals, widths, strict=True))
                return "  ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in cells)
            out += [line(head), line(["-" * w for w in widths])] + [line(c) for c in cells] + [""]
        return "\n".join(out + self.notes + [LEGEND])

    __repr__ = __str__

    def to_markdown(self):
        head = [label for _, label, _ in self.columns]
        rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(rows + ["| " + " | ".join(c) + " |" for c in self._cells()])

    def _repr_html_(self):
        head = "".join(f"<th>{html.escape(label)}</th>" for _, label, _ in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
                       for cells in self._cells())
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes + [LEGEND])
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}"


def row_from(model, card: Card | None, ev: Evaluation | None, source: str) -> dict:
    """A table row: the model's measured numbers under the catalogue's keys (None where not measured)."""
    row = {"name": card.name if card else model.name, "family": model.family, "params": int(model.count_params()),
           "latent_dim": model.latent_dim, "code": units.code_text(model.code_shape), "source": source,
           "train_min": card.training.minutes if card and card.training else None}
    if ev and ev.disentanglement:  # a factor dataset: the code is the point, samples are not scored
        row.update(mse=ev.reconstruction.mse, **ev.disentanglement.scores)
    elif ev:
        s, holes, lik, it, xp = ev.samples, ev.holes, ev.likelihood, ev.interpolation, ev.ex_post
        row.update(mse=ev.reconstruction.mse, iwae_nll=lik and lik.iwae_nll_nats, neg_elbo=lik and lik.neg_elbo_nats,
                   fid=s.fid, kid=s.kid, precision=s.precision, recall=s.recall, validity=s.validity,
                   coverage=s.class_entropy_ratio, fid_normal=holes.normal_prior.fid,
                   validity_normal=holes.normal_prior.validity, fid_posterior=holes.aggregate_posterior.fid,
                   fid_interp=it.fid, validity_interp=it.validity, fid_ex_post=xp and xp.fid,
                   validity_ex_post=xp and xp.validity)
        if ev.denoising:
            gauss, mask, sp = (ev.denoising[k].psnr for k in checkpoints.DENOISING_SHOWN)
            row.update(psnr_gauss=gauss, psnr_mask=mask, psnr_sp=sp)
        if ev.code:  # no Jacobian for a quantised code (vqvae)
            row.update(near_zero=ev.code.near_zero_share, jac_rel=ev.code.relative_jacobian)
        if ev.code_grid_bound_nats is not None:
            row["iwae_nll"] = ev.code_grid_bound_nats
    return in_units(row, model)


def in_units(row: dict, model) -> dict:
    """The row's likelihoods in the model's unit (zoo.units): 8-bit colour's in bits per dimension, under their
    own keys, so one column never mixes units."""
    if units.in_bits(model.likelihood.name):
        for nats_key, bits_key in (("iwae_nll", "nll_bits"), ("neg_elbo", "neg_elbo_bits")):
            nats = row.pop(nats_key, None)
            row[bits_key] = None if nats is None else units.bits_per_dim(nats, model.image_shape)
    return row


def compare(models, figure=None, compute_missing=True, dataset=None, protocol=None, log=None, data=None) -> Table:
    """Compare models side by side: a Table of their measured metrics, and a picture if `figure` is a path.

    Args:
        models: registry names, checkpoint folders, .keras files or hf:// addresses (a str for one).
        figure: a PNG path: per model its samples, naive N(0, I) samples, reconstructions and interpolations.
        compute_missing: measure a model whose card holds no evaluation now, with the cards' protocol, on its
            dataset (a fine-tuned model's card shows its held-out numbers instead).
        dataset: the zoo dataset for models whose card names none.
        protocol: settings for what is computed (zoo.evaluation.PROTOCOL's keys).
        log: a function given progress lines, or None.
        data: your images (a folder, class subfolders for labels; arrays; (images, labels); a tf.data dataset): every model is
            measured on them instead (reconstruction MSE, and -ELBO for the likelihood models), each on the
            images adapted to its own input shape, and the figure shows them.

    Returns the Table: rows by model (`table["vae-mnist"]`), printable, `to_pandas()`, `to_markdown()`.

    Example: `zoo.compare(["my-vae", "my-dae"], data="my_photos/", figure="compare.png")`
    """
    if isinstance(models, str):
        models = [models]
    models = list(dict.fromkeys(models))  # a model named twice is one row
    if not models:
        raise ValueError("compare needs at least one model name or path; zoo.list_models() lists them.")
    if figure is not None:
        figure = plots.png_path(figure)  # checked before any model is loaded
    if data is not None:
        data_io.check_source(data)
    loaded, rows, notes = [], [], []
    for name in models:
        model = loader.load(name)
        card = model.card
        ds = (card.dataset if card else None) or dataset
        if data is not None:
            x, labels, _ = data_io.read_source(data, model.image_shape, log=lambda *_: None)
            rows.append(_row_on_images(model, card, x, labels))
            loaded.append((name, model, ds, (x[:64], None if labels is None else labels[:64])))
            continue
        ev, source, held_out = card.evaluation if card else None, "card", None
        if ev is None and compute_missing and ds:
            ev, source = parse(Evaluation, evaluation.evaluate(model, ds, protocol, log=log)), "computed"
            notes.append(f"{name}: no measured metrics in its card; computed now on {ds}.")
        elif ev is None and card and card.metrics and card.metrics.on != "test":  # a fine-tune's held-out numbers
            held_out, source = card.metrics, f"card ({card.metrics.on})"
        elif ev is None:
            source = "–"
            notes.append(f"{name}: no measured metrics" + ("" if ds else " (unknown dataset: pass dataset= or data=)"))
        rows.append({**row_from(model, card, ev, source), **({"mse": held_out.values.get("mse")} if held_out else {})})
        loaded.append((name, model, ds, None))
    if data is not None:
        notes.append(f"every model measured now on your {len(x):,} images, each adapted to its input shape.")
    if figure:
        draw(loaded, figure)
        notes.append(f"figure: {figure}")
    return Table(rows, notes)


def _row_on_images(model, card, x, labels) -> dict:
    """A row measured on the caller's images: the reconstruction MSE, and the -ELBO of a likelihood model."""
    if model.conditional and labels is None:
        raise ValueError(f"{card.name if card else model.name} is conditional: give images in class folders, so "
                         "each has its label.")
    y = labels if model.conditional else None
    row = row_from(model, card, None, "your images")
    row["mse"] = metrics.reconstruction(model, x, y)["mse"]
    if model.has_likelihood:
        row["neg_elbo"] = metrics.negative_elbo(model, x, y, seed=0)["neg_elbo_nats"]
    return in_units(row, model)


def draw(loaded, path, n=8, seed=0):
    """One picture, a row per model: own samples, naive N(0, I) samples, test images over their
    reconstructions, and two latent interpolations between test images."""
    from matplotlib.figure import Figure  # not pyplot: a notebook's plotting backend is left as it was


    fig = Figure(figsize=(20, 1.45 * len(loaded) + 0.5))
    shown = "your" if any(own is not None for *_, own in loaded) else "test"
    axes = fig.subplots(len(loaded), 4, squeeze=False)
    for ax, title in zip(axes[0], ["samples: own sampler (T=1)", "samples: naive z ~ N(0, I)",
                                   f"{shown} images / reconstructions", f"interpolations between {shown} pairs"],
                          strict=True):
        ax.set_title(title, fontsize=11)
    tests = {}
    for (name, model, ds, own), row in zip(loaded, axes, strict=True):
        if own is None and ds and ds not in tests:
            x_ds, y_ds = data_io.load_split(ds, "test")
            tests[ds] = (x_ds[:64].astype("float32") / 255.0, y_ds[:64])
        x, y = own if own is not None else tests.get(ds, (None, None))
        y = y if model.conditional else None  # a conditional model is given the test labels
        panels = [plots.tile(model.sample(2 * n, seed=seed), n, scale=1),
                  plots.tile(model.sample(2 * n, seed=seed, prior="normal"), n, scale=1)]
        if x is not None:
            y_rec, y_pairs = (None, None) if y is None else (y[:n], y[n:n + 4])
            panels.append(plots.tile(np.concatenate([x[:n], model.reconstruct(x[:n], y_rec)]), n, scale=1))
            z = model.encode(x[n:n + 4], y_pairs)
            steps = np.linspace(0, 1, n)[:, None]
            # a conditional model interpolates the code with the first image's class held
            strips = [model.decode((1 - steps) * z[a] + steps * z[b], None if y is None else np.full(n, y_pairs[a]))
                      for a, b in ((0, 1), (2, 3))]
            panels.append(plots.tile(np.concatenate(strips), n, scale=1))
        for ax, img in zip(row, panels, strict=False):  # 2 panels when there is no test split to show
            ax.imshow(img, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        for ax in row:
            ax.set_xticks([]), ax.set_yticks([])
        row[0].set_ylabel(name.replace("-", "\n", 1), fontsize=11)  # family over dataset: fits the row's height
    fig.tight_layout()
    plots.save_figure(fig, path)
    return path
