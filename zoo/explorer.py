"""The latent-space explorer: point at a model's latent space and see what it decodes to. The callbacks are plain
functions of the zoo's API (Explorer's methods, numpy in and out, tested on every backend); `build_app` puts
them in a Gradio app (the Hugging Face Hub's convention for model demos), and `write_space` writes that app
as a Hugging Face Space.

A code wider than 2 is shown in the plane of the first two principal components of the test codes; a clicked
point (u, v) of that plane is lifted back as mean + u * pc1 + v * pc2: the point of the plane through the
codes' mean, its other coordinates held at the codes' mean.
"""

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zoo import data, hub, inputs, loader, outputs, plots, recipes
from zoo.datasets import DATASETS
from zoo.models import priors
from zoo.version import __version__

DEFAULT_MODELS = ("ae_2d-mnist", "vae_2d-mnist")
MAP_IMAGES = 2000  # test codes drawn on each map
MAP_CROSSES = 200  # codes drawn from N(0, I), red crosses
MAP_PIXELS = 360  # each map is a square of this many pixels, the plane filling it edge to edge
SHOWN_PIXELS = 112  # decoded images are enlarged to about this size
MAX_SAMPLES = 64
UPLOAD_LIMIT = "25mb"  # the largest upload the app takes (Gradio refuses larger files before they are stored)
TRAVERSE_SLIDERS = 32  # the Traverse tab's sliders: a wider code's other units stay at the reference code
MAX_STEPS = 16


@dataclass
class _View:
    """One model's latent space as the maps show it."""
    model: object
    dataset: str | None
    images: np.ndarray  # its dataset's first MAP_IMAGES test images, uint8
    labels: np.ndarray | None  # their classes (or first factor), for the colours
    codes: np.ndarray
    pca: object | None  # None: a 2-d code, drawn as it is
    unit_names: list
    extent: tuple  # (u0, u1, v0, v1): the plane's window the map shows
    class_names: tuple  # the dataset's class names (or nothing: the label's number)

    def project(self, z):
        return z if self.pca is None else self.pca.transform(z)

    def lift(self, u: float, v: float) -> np.ndarray:
        point = np.array([[u, v]], dtype="float32")
        return point if self.pca is None else self.pca.inverse_transform(point).astype("float32")

    @property
    def plane(self) -> str:
        if self.pca is None:
            return "the 2-d code itself"
        share = float(self.pca.explained_variance_ratio_.sum())
        return (f"the first two principal components of its {self.model.latent_dim}-d codes ({share:.0%} of their "
                "variance); a point is lifted back as mean + u * pc1 + v * pc2")


MAX_MODELS = 4  # side by side


def checked_names(names) -> list[str]:
    """The models to show, each once, checked before any is loaded (by `zoo explore` and `zoo space` alike): at
    most MAX_MODELS, and every hf:// address a well-formed one."""
    names = list(dict.fromkeys(str(n) for n in (names or DEFAULT_MODELS)))
    if len(names) > MAX_MODELS:
        raise ValueError(f"The explorer shows up to {MAX_MODELS} models side by side; got {len(names)}: "
                         f"{', '.join(names)}.")
    for name in names:
        if name.startswith("hf://"):
            hub.parse_hf_uri(name)
    return names


class Explorer:
    """The explorer's state and callbacks for models `names` (registry names, paths or hf:// addresses; at most
    four). Every method takes and returns plain values: numbers, numpy images, text."""

    def __init__(self, names=DEFAULT_MODELS, seed=0):
        names = checked_names(names)
        self.names, self.seed = names, seed
        self.views = {name: self._view(loader.load(name)) for name in names}
        self._maps = {}  # name -> the map drawn once

    def _view(self, model) -> _View:
        card = model.card
        # a model fine-tuned on your images is mapped with the test images of the dataset its parent learnt
        dataset = card and (card.dataset or (card.parent.dataset if card.parent else None))
        entry = DATASETS.get(dataset)
        if entry is None:
            raise ValueError(f"{model.name} has no card naming one of the zoo's datasets, so the explorer has no "
                             "test images to map; explore it with zoo.plot_latent(model, images).")
        x, y = data.load_split(dataset, "test")
        x, y = x[:MAP_IMAGES], y[:MAP_IMAGES]
        labels = y if y.ndim == 1 else y[:, 0]
        codes = model.encode(x, y if model.conditional else None)
        pca = None
        if model.latent_dim != 2:
            from sklearn.decomposition import PCA

            pca = PCA(2, random_state=self.seed).fit(codes)
        units = [f"unit {d}" for d in range(model.latent_dim)]
        ev = model.card.evaluation if model.card else None
        scored = ev.disentanglement if ev else None
        if scored and scored.unit_factor_info is not None:
            units = [f"unit {d}: {name}" for d, name in
                     enumerate(plots.unit_labels(codes, scored.unit_factor_info, scored.factors))]
        points = np.concatenate([codes, self._crosses(model.latent_dim)])
        points = points if pca is None else pca.transform(points)
        lo, hi = np.percentile(points, 0.5, axis=0), np.percentile(points, 99.5, axis=0)
        pad = 0.08 * (hi - lo) + 1e-3
        extent = (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))
        names = entry.classes if entry.factors is None else ()
        return _View(model, dataset, x, labels, codes, pca, units, extent, tuple(names))

    def _crosses(self, dim: int) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        return rng.standard_normal((MAP_CROSSES, dim)).astype("float32")

    # ---- the latent map ----
    def map_image(self, name: str, point=None) -> np.ndarray:
        """Model `name`'s map as an RGB uint8 image (MAP_PIXELS square): test codes coloured by class, N(0, I)
        draws as red crosses, the clicked `point` (u, v) as a black disc ringed in white. Each map spans its own
        model's codes and crosses, edge to edge, so a pixel is a point (`pixel_to_point`); the same point is
        decoded by every model. The map is drawn once; a click only paints the disc on a copy."""
        if name not in self._maps:
            self._maps[name] = self._draw_map(self.views[name])
        image = self._maps[name].copy()
        if point is not None:
            x0, x1, y0, y1 = self.views[name].extent
            cx = (point[0] - x0) / (x1 - x0) * MAP_PIXELS - 0.5
            cy = (y1 - point[1]) / (y1 - y0) * MAP_PIXELS - 0.5
            yy, xx = np.mgrid[:MAP_PIXELS, :MAP_PIXELS]
            r2 = (xx - cx) ** 2 + (yy - cy) ** 2
            image[r2 <= 7.5 ** 2] = 255
            image[r2 <= 5.5 ** 2] = 0
        return image

    def _draw_map(self, view) -> np.ndarray:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        p, q = view.project(view.codes), view.project(self._crosses(view.model.latent_dim))
        fig = Figure(figsize=(MAP_PIXELS / 100, MAP_PIXELS / 100), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        values = np.unique(view.labels)
        cmap = matplotlib.colormaps["tab10" if len(values) <= 10 else "viridis"]
        names = view.class_names
        for i, value in enumerate(values):
            ax.scatter(*p[view.labels == value].T, s=3, alpha=0.5, label=names[int(value)] if int(value) < len(names)
                       else str(int(value)), color=cmap(i if len(values) <= 10 else i / max(1, len(values) - 1)))
        ax.scatter(*q.T, marker="x", s=14, c="red", linewidths=0.9, label="z ~ N(0, I)")
        if len(values) <= 10:
            ax.legend(fontsize=6, markerscale=2.5, loc="lower right", framealpha=0.7, ncol=2, handletextpad=0.1)
        ax.set_xlim(view.extent[0], view.extent[1])
        ax.set_ylim(view.extent[2], view.extent[3])
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()

    def pixel_to_point(self, name: str, x: float, y: float) -> tuple[float, float]:
        """The plane's point (u, v) under pixel (x, y) of `name`'s map (x right, y down, from the top left)."""
        x0, x1, y0, y1 = self.views[name].extent
        return (x0 + (float(x) + 0.5) / MAP_PIXELS * (x1 - x0), y1 - (float(y) + 0.5) / MAP_PIXELS * (y1 - y0))

    def decode_point(self, u: float, v: float, label: int = 0) -> dict:
        """The point (u, v) of the plane decoded by every model: {name: RGB uint8 image}. A conditional model
        decodes it with class `label`."""
        out = {}
        for name, view in self.views.items():
            z = view.lift(float(u), float(v))
            out[name] = _shown(view.model.decode(z, self._labels(view.model, label, 1))[0])
        return out

    def on_map(self, name: str, u: float, v: float) -> bool:
        """Whether point (u, v) lies inside `name`'s map (each map spans its own codes and crosses)."""
        x0, x1, y0, y1 = self.views[name].extent
        return x0 <= u <= x1 and y0 <= v <= y1

    def describe_planes(self) -> str:
        return "\n".join(f"- {name}: {view.plane}" for name, view in self.views.items())

    # ---- interpolation ----
    def interpolate(self, a=0, b=1, steps=8, spherical=False, label=0, uploads=(None, None)) -> dict:
        """Each model's decodings along the straight path between the codes of two images (test images `a` and
        `b` of its dataset, or the `uploads`, any size), as one strip: {name: RGB uint8 image}. `spherical`
        follows the great circle instead where the model's prior is a standard normal."""
        steps = min(inputs.as_count(int(steps), "steps"), MAX_STEPS)
        out = {}
        for name, view in self.views.items():
            model = view.model
            ends = []
            for i, upload in zip((a, b), uploads, strict=True):
                if upload is not None:
                    ends.append(self.adapt(name, upload)[0])
                else:
                    index = int(i)
                    if not 0 <= index < len(view.images):
                        raise ValueError(f"Pick test images 0..{len(view.images) - 1}; got {index}.")
                    ends.append(view.images[index].astype("float32") / 255.0)
            labels = self._labels(model, label, 2)
            za, zb = model.encode(np.stack(ends), labels)
            t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
            path = _slerp(za, zb, t) if spherical and self.spherical(name) else (1 - t) * za + t * zb
            frames = model.decode(path.astype("float32"), self._labels(model, label, steps))
            out[name] = _to_uint8(plots.tile(frames, ncol=steps, scale=2))
        return out

    def spherical(self, name: str) -> bool:
        """Whether `name`'s prior is a standard normal, so spherical interpolation applies."""
        return isinstance(self.views[name].model.prior, priors.StandardNormal)

    # ---- sampling ----
    def sample(self, name: str, n=16, seed=0, temperature=1.0, label=None) -> np.ndarray:
        """`n` samples of model `name` from its own sampler as one grid (RGB uint8); `label`: the class a
        conditional model draws (None: classes drawn uniformly)."""
        model = self.views[name].model
        n = min(inputs.as_count(int(n), "n"), MAX_SAMPLES)
        if seed is None or int(seed) != seed or seed < 0:
            raise ValueError(f"The seed must be a whole number, 0 or more; got {seed}.")
        labels = None if label is None or not model.conditional else int(label)
        images = model.sample(n, seed=int(seed), temperature=float(temperature), labels=labels)
        return _to_uint8(plots.tile(images, ncol=min(8, n), scale=2))

    # ---- traversal ----
    def units(self, name: str) -> list:
        """A label per code unit of `name` (the factor it captures, for a model scored for disentanglement), and
        the span its sliders cover: [(label, low, high, start)]."""
        view = self.views[name]
        lo, hi = np.percentile(view.codes, 1, axis=0), np.percentile(view.codes, 99, axis=0)
        start = view.codes[0]
        return [(view.unit_names[d], float(min(lo[d], -2.5)), float(max(hi[d], 2.5)), float(start[d]))
                for d in range(view.model.latent_dim)]

    def decode_sliders(self, name: str, values, label: int = 0) -> np.ndarray:
        """The Traverse tab's picture: the reference code (the first test image's) with its first units set to
        the sliders' `values`, decoded; a code wider than the TRAVERSE_SLIDERS sliders keeps its other units
        where the reference code has them."""
        code = np.array([u[3] for u in self.units(name)], dtype="float32")
        k = min(len(values), len(code))
        code[:k] = np.asarray(values[:k], dtype="float32")
        return self.decode_code(name, code, label)

    def decode_code(self, name: str, code, label: int = 0) -> np.ndarray:
        """A full code (one value per unit) decoded by `name`, RGB uint8."""
        model = self.views[name].model
        z = inputs.as_codes(np.asarray(code, dtype="float32")[None], model.latent_dim)
        return _shown(model.decode(z, self._labels(model, label, 1))[0])

    # ---- reconstruction ----
    def adapt(self, name: str, image) -> np.ndarray:
        """An uploaded image (any size, grey, RGB or RGBA; an array, or a file's path, read by the zoo's own
        reader with its limits: 16-bit, palette and animated images as `zoo.data.read_image` reads them) as
        model `name`'s input: (1, H, W, C) in [0, 1]."""
        array = data.read_image(image) if isinstance(image, (str, Path)) else np.asarray(image)
        if array.dtype == object or array.ndim not in (2, 3) or array.size == 0:
            raise ValueError("That file is not an image the explorer can read; upload a PNG or JPEG.")
        return data.adapt_images([array], self.views[name].model.image_shape, log=lambda _: None)

    def reconstruct(self, image, label: int = 0) -> dict:
        """Each model's reconstruction of an uploaded image and its error: {name: (RGB uint8 image, MSE)}."""
        out = {}
        if isinstance(image, (str, Path)):
            image = data.read_image(image)  # read once, adapted to each model below
        for name, view in self.views.items():
            x = self.adapt(name, image)
            r = view.model.reconstruct(x, self._labels(view.model, label, 1))
            out[name] = (_shown(r[0]), float(np.mean((r - x) ** 2)))
        return out

    @staticmethod
    def _labels(model, label, n):
        return np.full(n, int(label)) if model.conditional else None


def _slerp(a, b, t):
    """Spherical interpolation between codes a and b at fractions t (N, 1)."""
    cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
    omega = math.acos(max(-1.0, min(1.0, cos)))
    if omega < 1e-4:
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / math.sin(omega)


def _to_uint8(image) -> np.ndarray:
    image = np.clip(np.asarray(image, dtype="float32"), 0, 1)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    elif image.shape[-1] == 1:
        image = np.repeat(image, 3, axis=-1)
    return (image * 255 + 0.5).astype("uint8")


def _shown(image) -> np.ndarray:
    """One decoded image (H, W, C) in [0, 1] as RGB uint8, enlarged (nearest) to about SHOWN_PIXELS."""
    scale = max(1, SHOWN_PIXELS // max(image.shape[:2]))
    return _to_uint8(image).repeat(scale, axis=0).repeat(scale, axis=1)


# ---- the app ----
def build_app(names=DEFAULT_MODELS, explorer: Explorer | None = None):
    """The explorer as a Gradio Blocks app (Gradio is the optional extra `zoo[explore]`)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no analytics, no version check
    try:
        import gradio as gr
    except ImportError:
        raise ImportError("The explorer needs Gradio: pip install 'autoencoder-zoo[explore]' (or pip install gradio).") from None
    ex = explorer or Explorer(names)
    names = ex.names
    conditional = any(v.model.conditional for v in ex.views.values())

    class Upload(gr.Image):
        """An image upload handed to the callbacks as the file's path, whatever Gradio makes of it: a file
        Pillow cannot open (text, a decompression bomb) is then refused by the zoo's own reader, with a message
        on the page, rather than by Gradio with a bare "Error"."""

        def preprocess(self, payload):
            try:
                return super().preprocess(payload)
            except Exception:  # noqa: BLE001 (the zoo's reader says what is wrong with the file)
                return None if payload is None else payload.path

        def get_block_name(self) -> str:  # the page draws it as the image upload it is
            return "image"

    # Uploads older than an hour are deleted every ten minutes, and all of them when the app stops.
    with gr.Blocks(title="zoo latent explorer", analytics_enabled=False, delete_cache=(600, 3600)) as app:
        gr.Markdown("# zoo: latent-space explorer\nModels: " + ", ".join(f"`{n}`" for n in names)
                    + ". Click a map: the point is decoded by every model, side by side. A plain autoencoder's "
                    "codes sit in clusters with holes between them; a VAE keeps its codes where N(0, I) (red "
                    "crosses) puts its mass.")
        message = gr.Markdown("", elem_id="message")
        label = gr.Slider(0, 9, value=0, step=1, label="class for conditional models", visible=conditional)
        with gr.Tab("Latent map"):
            gr.Markdown("Planes:\n" + ex.describe_planes())
            with gr.Row():
                maps = [gr.Image(ex.map_image(n), label=f"{n}: click to decode", interactive=False,
                                 elem_id=f"map-{i}", format="png", height=MAP_PIXELS, width=MAP_PIXELS, buttons=[])
                        for i, n in enumerate(names)]
            point = gr.Markdown("Click a map.", elem_id="point")
            with gr.Row():
                decoded = [gr.Image(label=f"{n} decodes", interactive=False, elem_id=f"decoded-{i}", format="png", buttons=[])
                           for i, n in enumerate(names)]

            def on_click(clicked, lab, evt: gr.SelectData):
                try:
                    u, v = ex.pixel_to_point(clicked, *evt.index)
                    images = ex.decode_point(u, v, int(lab))
                except ValueError as e:  # said on the page, not as a bare "Error" and a traceback
                    return [gr.update()] * (2 * len(names)) + [f"**{e}**"]
                outside = [n for n in names if not ex.on_map(n, u, v)]
                note = f" It lies outside the map of {', '.join(outside)}." if outside else ""
                return ([ex.map_image(n, (u, v)) for n in names] + [images[n] for n in names]
                        + [f"Decoded point (u, v) = ({u:.3f}, {v:.3f}), clicked on {clicked}'s map.{note}"])

            for m, n in zip(maps, names, strict=True):
                m.select(on_click, inputs=[gr.State(n), label], outputs=[*maps, *decoded, point])
        with gr.Tab("Interpolate"):
            with gr.Row():
                a = gr.Number(0, precision=0, label="test image A (index)")
                b = gr.Number(1, precision=0, label="test image B (index)")
                steps = gr.Slider(2, MAX_STEPS, value=8, step=1, label="steps")
                spherical = gr.Checkbox(False, label="spherical (models with an N(0, I) prior)")
            with gr.Row():
                up_a = Upload(label="or upload A", type="filepath", image_mode=None, sources=["upload"])
                up_b = Upload(label="or upload B", type="filepath", image_mode=None, sources=["upload"])
            go = gr.Button("Interpolate", elem_id="interpolate")
            strips = [gr.Image(label=n, interactive=False, format="png", elem_id=f"strip-{i}")
                      for i, n in enumerate(names)]

            def on_interpolate(a, b, steps, spherical, lab, up_a, up_b):
                try:
                    out = ex.interpolate(a, b, steps, spherical, int(lab), (up_a, up_b))
                except ValueError as e:
                    return [None] * len(names) + [f"**{e}**"]
                return [out[n] for n in names] + [""]

            go.click(on_interpolate, [a, b, steps, spherical, label, up_a, up_b], [*strips, message])
        with gr.Tab("Sample"):
            with gr.Row():
                which = gr.Dropdown(names, value=names[-1], label="model")
                n = gr.Slider(1, MAX_SAMPLES, value=16, step=1, label="samples")
                seed = gr.Number(0, precision=0, label="seed")
                temperature = gr.Slider(0.1, 2.0, value=1.0, step=0.1, label="temperature (1: the model's sampler)")
            draw = gr.Button("Sample", elem_id="sample")
            grid = gr.Image(label="samples", interactive=False, format="png", elem_id="samples")
            def on_sample(w, k, s, t, lab):
                try:
                    return ex.sample(w, k, s, t, lab if conditional else None), ""
                except ValueError as e:  # said on the page, not as a bare "Error" and a traceback
                    return None, f"**{e}**"

            draw.click(on_sample, [which, n, seed, temperature, label], [grid, message])
        with gr.Tab("Traverse"):
            traverse_model = gr.Dropdown(names, value=names[-1], label="model")
            widest = max(v.model.latent_dim for v in ex.views.values())
            sliders = [gr.Slider(-3, 3, value=0, step=0.05, label=f"unit {d}", visible=False)
                       for d in range(min(widest, TRAVERSE_SLIDERS))]
            traversed = gr.Image(label="decoded", interactive=False, format="png", elem_id="traversed")

            def on_model(name):
                units = ex.units(name)
                updates = [gr.update(visible=d < len(units), label=units[d][0] if d < len(units) else "",
                                     minimum=units[d][1] if d < len(units) else -3,
                                     maximum=units[d][2] if d < len(units) else 3,
                                     value=units[d][3] if d < len(units) else 0) for d in range(len(sliders))]
                return [*updates, ex.decode_code(name, [u[3] for u in units])]

            def on_slide(name, lab, *values):
                try:
                    return ex.decode_sliders(name, values, int(lab))
                except ValueError:  # a slider's value the model cannot decode: the picture stays as it was
                    return gr.update()

            traverse_model.change(on_model, traverse_model, [*sliders, traversed])
            for s in sliders:
                s.release(on_slide, [traverse_model, label, *sliders], traversed)
            app.load(on_model, traverse_model, [*sliders, traversed])
        with gr.Tab("Reconstruct"):
            # the file as uploaded (image_mode=None: Gradio does not decode it), read by the zoo's own reader
            upload = Upload(label="upload an image (any size: it is adapted to each model's input)",
                              type="filepath", image_mode=None, sources=["upload"], elem_id="upload")
            with gr.Row():  # side by side, as the decoded points
                recons = [gr.Image(label=n, interactive=False, format="png", elem_id=f"recon-{i}")
                          for i, n in enumerate(names)]
            errors = gr.Markdown("", elem_id="errors")

            def on_upload(image, lab):
                if image is None:
                    return [None] * len(names) + [""]
                try:
                    out = ex.reconstruct(image, int(lab))
                except ValueError as e:
                    return [None] * len(names) + [f"**{e}**"]
                return [out[n][0] for n in names] + ["; ".join(f"{n}: MSE {out[n][1]:.4f}" for n in names)]

            upload.change(on_upload, [upload, label], [*recons, errors])
    return app


def check_port(port) -> None:
    """Refuse, before any model is loaded, a port that is no TCP port or that another program holds on
    127.0.0.1 (None: the explorer picks a free one)."""
    if port is None:
        return
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"--port must be a TCP port, 1 to 65535; got {port!r}.")
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise ValueError(f"--port {port} is in use on 127.0.0.1; choose another, or leave --port out for a "
                             "free one.") from None


def launch(names=DEFAULT_MODELS, port=None, inline=None, block=True):
    """Start the explorer on 127.0.0.1 (a free port unless `port`) and return (app, url). `inline` shows it
    inside a notebook; `block=False` returns while it serves."""
    check_port(port)
    app = build_app(names)
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=port, inline=inline, prevent_thread_lock=True,
                           quiet=True, ssr_mode=False, footer_links=[], max_file_size=UPLOAD_LIMIT)
    if block:
        print(f"zoo explorer at {url} (Ctrl-C to stop)", flush=True)
        try:
            app.block_thread()
        except KeyboardInterrupt:
            pass
        finally:
            app.close()
    return app, url


SPACE_APP = '''"""A Hugging Face Space: the zoo's latent-space explorer for {names}. Written by `zoo space`."""
import zoo.explorer

app = zoo.explorer.build_app({names!r})

if __name__ == "__main__":
    app.launch(server_name=zoo.explorer.space_host(), ssr_mode=False, footer_links=[],
               max_file_size=zoo.explorer.UPLOAD_LIMIT)
'''


def space_host(environ=None) -> str:
    """The address a written Space's app.py listens on: every interface on a Hugging Face Space (whose
    environment names it in SPACE_ID), this machine alone (127.0.0.1) anywhere else, as `zoo explore` does;
    GRADIO_SERVER_NAME, when set, decides."""
    environ = os.environ if environ is None else environ
    return environ.get("GRADIO_SERVER_NAME") or ("0.0.0.0" if environ.get("SPACE_ID") else "127.0.0.1")


def write_space(folder, names=DEFAULT_MODELS) -> Path:
    """Write a Hugging Face Space running the explorer for `names` into the new folder `folder`: app.py,
    requirements.txt and a README.md with the Spaces header. Push it with huggingface_hub (`hf upload`)."""
    folder = outputs.output_path(folder, "Space folder")
    if os.path.lexists(folder) and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} exists and is not an empty folder; name a new folder for the Space.")
    names = checked_names(names)
    for name in names:
        if not name.startswith("hf://") and name not in recipes.list_models():
            raise ValueError(f"{name} is not a registry model or an hf:// address; a Space can only load those "
                             "(a local folder is not in the Space).")
    front = {"title": "zoo latent explorer", "emoji": "🔭", "sdk": "gradio", "app_file": "app.py", "pinned": False,
             "license": "apache-2.0"}
    readme = ["---", *(f"{k}: {json.dumps(v) if not isinstance(v, str) else v}" for k, v in front.items()), "---", "",
              "# zoo latent explorer", "",
              f"Click the latent maps of {', '.join(f'`{n}`' for n in names)} and see what each model decodes there; "
              "interpolate, sample, traverse and reconstruct. Made with `zoo space` "
              f"(zoo {__version__}); the same app runs locally with `zoo explore {' '.join(names)}`.", ""]
    files = {"app.py": SPACE_APP.format(names=names), "requirements.txt": f"autoencoder-zoo[explore]=={__version__}\n",
             "README.md": "\n".join(readme)}
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        outputs.write_text_atomic(folder / name, text)
    return folder
