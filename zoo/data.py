"""Data for the models: the shipped datasets as uint8 arrays read with tensorflow-datasets (honours
TFDS_DATA_DIR) or from a local copy under ZOO_DATA_DIR (`<name>.npz` arrays, or a `<name>/train|test/<class>/`
tree of image files, decoded once and cached), the rendered factor datasets (dsprites, shapes3d) as samples
with their factors or as an endless tf.data stream, and your own images (folders, arrays, tf.data) adapted to a model's input
(`load_images`)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from zoo import names, outputs
from zoo.datasets import DATASETS, get_dataset
from zoo.inputs import as_count, check_integer_pixels
from zoo.renderers import FactorGrid

# The fixed splits of a rendered dataset: seeded uniform draws from its full grid (the grid itself is the
# training set, drawn afresh each step by `stream`); their labels are the images' factor indices.
FACTOR_SPLITS = {"train": (50_000, 0), "test": (10_000, 1)}  # split: (images, seed)


def factor_grid(dataset: str) -> FactorGrid:
    """The factor grid of a rendered dataset ('dsprites', 'shapes3d'): factor names, sizes, values, images."""
    grid = get_dataset(dataset).factors
    if grid is None:
        rendered = sorted(n for n, d in DATASETS.items() if d.rendered)
        raise ValueError(f"{dataset} has no factors of variation; the factor-labelled datasets are "
                         f"{', '.join(rendered)}.")
    return grid


def factor_sample(dataset: str, n: int, seed: int = 0):
    """(images uint8 (n, H, W, C), factor indices (n, F)): n images drawn uniformly from a rendered dataset."""
    return factor_grid(dataset).sample(as_count(n, "n"), seed)


def stream(dataset: str, batch_size: int, seed: int = 0, start_step: int = 0):
    """An endless tf.data.Dataset of float32 batches (batch_size, H, W, C) in [0, 1], drawn uniformly (with
    replacement) from a rendered dataset's full grid and rendered on the fly, so nothing is held in memory.
    Batch s depends only on (seed, s): a run resumed at step `start_step` sees what it would have seen."""
    import tensorflow as tf

    grid = factor_grid(dataset)

    def draw(step):
        factors = grid.sample_factors(batch_size, np.random.default_rng([seed, int(step)]))
        return grid.images(factors).astype("float32") / 255.0

    steps = tf.data.Dataset.range(int(start_step), 2 ** 62)
    images = steps.map(lambda s: tf.ensure_shape(tf.numpy_function(draw, [s], tf.float32),
                                                 (batch_size, *grid.image_shape)),
                       num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return images.prefetch(tf.data.AUTOTUNE)


def has_tensorflow() -> bool:
    """True when TensorFlow can be imported (tf.data pipelines); a JAX or PyTorch machine may lack it."""
    import importlib.util

    return importlib.util.find_spec("tensorflow") is not None


def array_batches(x, batch_size: int, shuffle=True):
    """A tf.data.Dataset of batches of in-memory arrays (an array or a dict of arrays), reshuffled every epoch
    when `shuffle` (the global seed of keras.utils.set_random_seed applies), the last batch partial, prefetched.
    On TensorFlow it feeds `fit` faster than Keras' array adapter, which gathers every batch by index."""
    import tensorflow as tf

    n = len(next(iter(x.values())) if isinstance(x, dict) else x)
    batches = tf.data.Dataset.from_tensor_slices(x)
    if shuffle:
        batches = batches.shuffle(n, reshuffle_each_iteration=True)
    return batches.batch(batch_size).prefetch(tf.data.AUTOTUNE)


CACHE_BYTES = 2 * 2 ** 30  # a split this small (as uint8) is cached in memory after its first pass
SHUFFLE_BUFFER = 20_000  # images in the shuffle buffer of a split too large to cache


def pipeline(dataset: str, batch_size: int, split: str = "train", seed: int = 0, shuffle: bool = True,
             limit: int | None = None):
    """A tf.data.Dataset of float32 image batches in [0, 1] of a dataset split, for training: read by TFDS
    (or from `ZOO_DATA_DIR`'s npz), cached in TensorFlow's memory when the split is under CACHE_BYTES, shuffled
    every epoch from a seeded buffer (the whole split when cached), batched (the last partial batch of an epoch
    is left out), scaled and prefetched; nothing is held in Python memory, so splits of many GB stream. A
    rendered dataset is its endless `stream`; `split="test"` with shuffle=False and `limit` (the first `limit`
    images) gives a validation set."""
    import tensorflow as tf

    if dataset in DATASETS and DATASETS[dataset].rendered:
        return stream(dataset, batch_size, seed)
    if local_copy(dataset) is not None or limit:
        images = tf.data.Dataset.from_tensor_slices(load_split(dataset, split)[0][:limit])
        size = int(images.cardinality())
        nbytes = size * int(np.prod(get_dataset(dataset).image_shape))
    else:
        builder = _tfds_builder(dataset)
        try:
            images = builder.as_dataset(split=split, as_supervised=True).map(lambda x, y: x)
        except Exception as e:
            raise _tfds_error(dataset, split, e) from None
        size = builder.info.splits[split].num_examples
        nbytes = size * int(np.prod(builder.info.features["image"].shape))
    if size < batch_size:
        raise ValueError(f"The {split} split of {dataset} has {size} images, fewer than one batch of {batch_size}; "
                         "use a smaller batch size.")
    if nbytes <= CACHE_BYTES:
        images = images.cache()
    if shuffle:
        images = images.shuffle(min(size, SHUFFLE_BUFFER) if nbytes > CACHE_BYTES else size, seed=seed,
                                reshuffle_each_iteration=True)
    scale = tf.constant(1.0 / 255.0)  # full batches only: static shapes (one compiled step) that split over devices
    return (images.batch(batch_size, drop_remainder=True).map(lambda b: tf.cast(b, tf.float32) * scale,
                                         num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE))


def _tfds_builder(dataset: str):
    try:
        import tensorflow_datasets as tfds
    except ImportError as e:
        raise ImportError(f"Reading {dataset} needs tensorflow-datasets (pip install tensorflow-datasets "
                          f"importlib_resources; {e}), or a local copy: ZOO_DATA_DIR pointing at a folder with "
                          f"{dataset}.npz or {dataset}/train|test/<class>/ image files.") from None
    try:
        builder = tfds.builder(dataset)
    except Exception as e:  # an unknown name
        raise _tfds_error(dataset, None, e) from None
    if builder.is_prepared():
        return builder
    offline = _offline_reason(builder)
    if offline:  # fail now, rather than in minutes of download retries that leave folders in TFDS_DATA_DIR
        raise DatasetUnavailable(f"{dataset} is not on this machine and cannot be downloaded ({offline}); nothing "
                                 f"was written. {_local_copy_advice(dataset)}")
    try:  # downloads and prepares it the first time, as tfds.load does
        builder.download_and_prepare()
        return builder
    except Exception as e:
        raise _tfds_error(dataset, None, e) from None


class DatasetUnavailable(RuntimeError, ValueError):
    """A dataset that is neither on this machine nor downloadable now (a ValueError too: the command line shows
    it as the user's to fix, in one line)."""


OFFLINE_FLAGS = ("ZOO_OFFLINE", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")  # any of them set to 1: no downloads


def _offline_reason(builder) -> str | None:
    """Why a download of `builder`'s dataset cannot work now, found in seconds: an offline flag, or its
    homepage's host unreachable (TFDS itself retries for minutes); None when it may."""
    for flag in OFFLINE_FLAGS:
        if os.environ.get(flag, "").strip().lower() in ("1", "true", "yes", "on"):
            return f"{flag} is set"
    import socket
    from urllib.parse import urlparse

    host = urlparse(builder.info.homepage or "").hostname
    if not host:
        return None
    try:
        socket.create_connection((host, 443), timeout=DOWNLOAD_PROBE_S).close()
    except OSError as e:
        return f"{host} cannot be reached: {e.strerror or type(e).__name__}"
    return None


DOWNLOAD_PROBE_S = 5.0


def _local_copy_advice(dataset: str) -> str:
    """What a user does to give the zoo a dataset by hand: the ZOO_DATA_DIR layout, and the commands."""
    return (f"Give the zoo a copy: a folder named by ZOO_DATA_DIR holding {dataset}/train/<class>/<image files> and "
            f"{dataset}/test/<class>/<image files> (or {dataset}.npz with x_train, y_train, x_test, y_test), e.g. "
            f"`mkdir -p ~/zoo-data/{dataset} && tar xzf ARCHIVE -C ~/zoo-data/{dataset} --strip-components 1 && "
            "export ZOO_DATA_DIR=~/zoo-data` for an archive whose top folder holds train/ and test/; or point "
            "TFDS_DATA_DIR at a folder where tensorflow-datasets has prepared it.")


def _tfds_error(dataset, split, e) -> RuntimeError:
    which = f"TFDS dataset {dataset!r}" + (f" split {split!r}" if split else "")
    local = os.environ.get("ZOO_DATA_DIR")
    where = (f"ZOO_DATA_DIR ({local}) holds neither {dataset}.npz nor a {dataset}/train|test folder tree, and "
             if local else "")
    from zoo.names import clipped

    return RuntimeError(f"{where}Could not load {which}: {type(e).__name__}: {clipped(e, 300)}\n"
                        + _local_copy_advice(dataset))


def load_split(dataset: str, split: str = "train"):
    """(images uint8 (N, H, W, C), labels int64 (N,)) of a dataset split, e.g. ('mnist', 'test').

    A local copy under ZOO_DATA_DIR comes first (see `local_copy`): `<dataset>.npz` (keras.datasets-style arrays
    x_train, y_train, x_test, y_test; for machines without TensorFlow, such as a GPU box training on JAX) or a
    folder tree `<dataset>/<split>/<class>/<image files>`; else tensorflow-datasets reads it.
    A rendered dataset's splits are fixed seeded draws from its grid (FACTOR_SPLITS), labelled with their factor
    indices (N, F)."""
    if dataset in DATASETS and DATASETS[dataset].rendered:
        if split not in FACTOR_SPLITS:
            raise ValueError(f"{dataset} has the splits {sorted(FACTOR_SPLITS)}; got {split!r}.")
        return factor_sample(dataset, *FACTOR_SPLITS[split])
    local = local_copy(dataset)
    if local is not None and local.suffix == ".npz":
        return _load_npz(local, split)
    if local is not None:
        return folder_split(local, split, get_dataset(dataset).classes if dataset in DATASETS else ())
    builder = _tfds_builder(dataset)
    import tensorflow_datasets as tfds

    try:
        images, labels = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1, as_supervised=True))
    except Exception as e:  # not prepared and no network, unknown name, bad split
        raise _tfds_error(dataset, split, e) from None
    return np.asarray(images), np.asarray(labels)


def local_copy(dataset: str) -> Path | None:
    """The copy of `dataset` under ZOO_DATA_DIR, if there is one: `<dataset>.npz`, else a `<dataset>/` folder
    with `train/` and `test/` split folders; None when ZOO_DATA_DIR is unset or holds neither."""
    root = os.environ.get("ZOO_DATA_DIR")
    if not root:
        return None
    root = Path(root).expanduser()
    if (root / f"{dataset}.npz").is_file():
        return root / f"{dataset}.npz"
    if (root / dataset / "train").is_dir():
        return root / dataset
    return None


def _cache_dir() -> Path:
    """Where decoded folder trees are cached: $ZOO_CACHE_DIR, else ~/.cache/zoo/data."""
    return Path(os.environ.get("ZOO_CACHE_DIR") or Path.home() / ".cache" / "zoo" / "data").expanduser()


def _split_files(root: Path, split: str):
    """The image files of one split folder, by class: (sorted class names, [(class, sorted file paths)])."""
    folder = root / split
    if not folder.is_dir():
        raise ValueError(f"{root} has no {split!r} split folder; a dataset folder holds train/ and test/, each with "
                         "one folder of images per class.")
    classes = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise ValueError(f"{folder} holds no class folders; put each class's images in {folder}/<class>/.")
    return classes, [(c, sorted(f for f in (folder / c).iterdir() if f.suffix.lower() in IMAGE_SUFFIXES
                                and f.is_file())) for c in classes]


def folder_sha256(root) -> str:
    """sha256 of a dataset folder tree: every image file of its train/ and test/ splits, in sorted path order,
    as its relative path then its bytes. Names the exact copy a model was trained on (cards record it)."""
    import hashlib

    root = Path(root)
    h = hashlib.sha256()
    for split in ("train", "test"):
        if not (root / split).is_dir():
            continue
        for _, files in _split_files(root, split)[1]:
            for f in files:
                h.update(f.relative_to(root).as_posix().encode() + b"\0")
                h.update(f.read_bytes())
    return h.hexdigest()


def source(dataset: str) -> dict:
    """Where `dataset`'s images are read from, for a card: a local copy's kind and sha256 (and, for a known copy
    that differs from the original, what it is, e.g. "CIFAR-10, JPEG q75 copy"), or tensorflow-datasets."""
    if dataset in DATASETS and DATASETS[dataset].rendered:
        return {"source": "rendered by zoo.renderers"}
    local = local_copy(dataset)
    if local is None:
        return {"source": "tensorflow-datasets"}
    if local.suffix == ".npz":
        return {"source": "npz arrays", "sha256": outputs.sha256(local)}
    digest = folder_sha256(local)
    known = DATASETS[dataset].copies.get(digest) if dataset in DATASETS else None
    return {"source": "folder tree", "sha256": digest, **({"copy": known} if known else {})}


def folder_split(root, split: str, classes=()):
    """(images uint8 (N, H, W, C), labels int64 (N,)) of a `root/<split>/<class>/` tree of image files. Labels
    follow `classes` (a registered dataset's class order) when the folder names are those classes, else the
    folders' sorted order (as keras.utils.image_dataset_from_directory). The images come in a fixed shuffled
    order (seed 0), as TFDS's splits do, so the first N of them are a sample of every class, not the first
    class. Decoded once, then read from a cache keyed by the files' names, sizes and modification times
    (ZOO_CACHE_DIR, default ~/.cache/zoo/data)."""
    import hashlib

    root = Path(root)
    names, groups = _split_files(root, split)
    if classes and set(names) == set(classes):
        mapping = {c: i for i, c in enumerate(classes)}
    elif classes:
        raise ValueError(f"{root / split}'s class folders ({', '.join(names[:10])}) are not this dataset's classes "
                         f"({', '.join(classes)}).")
    else:
        mapping = class_labels(names)
    key = hashlib.sha256()
    for _, files in groups:
        for f in files:
            st = f.stat()
            key.update(f"{f.relative_to(root).as_posix()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    cached = _cache_dir() / f"{root.name}-{split}-{key.hexdigest()[:20]}.npz"
    if cached.is_file():
        try:
            with np.load(cached) as f:
                return _shuffled(f["images"], f["labels"])
        except (OSError, ValueError, KeyError):  # a damaged cache is rebuilt
            pass
    images, labels = [], []
    for name, files in groups:
        for f in files:
            images.append(read_image(f))
            labels.append(mapping[name])
    if not images:
        raise ValueError(f"No image files (PNG, JPEG, WebP, TIFF, ...: what Pillow reads) under {root / split}.")
    shapes = {a.shape for a in images}
    if len(shapes) != 1:
        raise ValueError(f"The images under {root / split} differ in size ({', '.join(map(str, sorted(shapes)[:4]))}); "
                         "a dataset folder's images must share one size.")
    images = np.stack(images)
    if images.ndim == 3:
        images = images[..., None]
    labels = np.asarray(labels, "int64")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        outputs.write_file_atomic(cached, lambda tmp: np.savez(tmp, images=images, labels=labels), suffix=".npz")
    except OSError:  # a read-only home: decode again next time
        pass
    return _shuffled(images, labels)


def _shuffled(images, labels):
    """A split in the fixed shuffled order of `folder_split` (seed 0)."""
    order = np.random.default_rng(0).permutation(len(images))
    return images[order], labels[order]


def _load_npz(path: Path, split: str):
    if split not in ("train", "test"):
        raise ValueError(f"An npz dataset has the splits 'train' and 'test'; got {split!r}.")
    with np.load(path) as f:
        images, labels = f[f"x_{split}"], f[f"y_{split}"]
    if images.ndim == 3:
        images = images[..., None]
    return images.astype("uint8"), labels.astype("int64")


# ---- your own data: a folder of images, arrays, a tf.data.Dataset or a TFDS name, adapted to a model ----
def _pillow_suffixes() -> tuple:
    """Every file suffix Pillow decodes by itself (PNG, JPEG, WebP, TIFF, BMP, GIF, ...), as it registers them;
    not its stubs for formats that need another library (HDF5, FITS, ...) or a program (PostScript)."""
    from PIL import Image, ImageFile

    Image.init()
    def stub(fmt):
        opener = Image.OPEN[fmt][0]
        return isinstance(opener, type) and issubclass(opener, ImageFile.StubImageFile)

    return tuple(sorted(s for s, fmt in Image.registered_extensions().items()
                        if fmt in Image.OPEN and fmt != "EPS" and not stub(fmt)))


IMAGE_SUFFIXES = _pillow_suffixes()


def class_labels(names) -> dict:
    """Class folder names -> integer labels: numeric names are their numbers ('7' -> 7), otherwise the names in
    sorted order get 0, 1, ... (as keras.utils.image_dataset_from_directory numbers them)."""
    names = sorted(names)
    if names and all(n.isdigit() for n in names):
        return {n: int(n) for n in sorted(names, key=int)}
    return {n: i for i, n in enumerate(names)}


def read_image(path, size=None, notes=None) -> np.ndarray:
    """One image file as uint8 (H, W) or (H, W, 3|4); 16-bit greyscale is scaled by its bit depth (65535 -> 255).
    `size` (width, height): resized (bilinear) as it is read, so a folder of large photos is never held at full
    size. An animated image gives its first frame. `notes` (a set) collects what was done. Unreadable files, and
    images so large they could be decompression bombs, are a ValueError."""
    a = _read_full(path, notes)
    if size is not None and a.shape[:2] != (size[1], size[0]):
        from PIL import Image

        if notes is not None:
            notes.add(f"resized {a.shape[1]}x{a.shape[0]} -> {size[0]}x{size[1]} as read")
        a = np.asarray(Image.fromarray(a).resize(size, Image.BILINEAR))
    return a


def _read_full(path, notes=None) -> np.ndarray:
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                if getattr(im, "n_frames", 1) > 1 and notes is not None:
                    notes.add("used the first frame of animated images")
                if im.mode.startswith("I;16") or im.mode == "I":  # 16-bit (or 32-bit integer) greyscale
                    a = np.asarray(im).astype("float64")
                    depth = 65535.0 if a.max(initial=0) <= 65535 else float(2 ** 32 - 1)
                    return np.round(a.clip(0, None) / depth * 255).astype("uint8")
                if im.mode == "F":
                    a = np.asarray(im, dtype="float64")
                    if not (np.all(np.isfinite(a)) and a.min() >= 0 and a.max() <= 1):
                        raise ValueError(f"{path} is a floating-point image with values outside [0, 1]; "
                                         "save it as 8- or 16-bit.")
                    return np.round(a * 255).astype("uint8")
                keep = im.mode if im.mode in ("L", "RGB", "RGBA") else "RGBA" if "A" in im.mode else "RGB"
                return np.asarray(im.convert(keep))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ValueError(f"{names.shown(path)} is too large to read safely ({e}); resize it first.") from None
    except (UnidentifiedImageError, OSError) as e:
        raise ValueError(f"Cannot read image file {names.shown(path)}: {names.shown(e)}. Remove or replace it."
                         ) from None


def read_folder(path, size=None, log=print):
    """Images under `path`: its own image files (unlabelled), or one subfolder per class (labelled; see
    `class_labels` for how folder names become labels). Returns (images as a list of uint8 arrays, labels or
    None, {class folder name: label}). A folder with both class folders and loose images is refused. Every
    format Pillow reads is read; `size` (width, height) resizes each image as it is read; `log` gets one line
    naming the files that are not images and were skipped, and what was done to the images."""
    root = Path(path)
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    loose = sorted(p.name for p in root.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if classes and loose:
        raise ValueError(f"{root} has class folders ({', '.join(classes[:5])}) and also loose images beside them "
                         f"({', '.join(loose[:3])}{', ...' if len(loose) > 3 else ''}), which would be left out. "
                         "Move the loose images into a class folder, or out of this folder.")
    mapping = class_labels(classes)
    groups = [(mapping[c], sorted((root / c).iterdir())) for c in classes] if classes else [(None, sorted(root.iterdir()))]
    images, labels, skipped, notes = [], [], [], set()
    for label, files in groups:
        for f in files:
            if not f.is_file() or f.name.startswith("."):
                continue
            if f.suffix.lower() not in IMAGE_SUFFIXES:
                skipped.append(f.name)
                continue
            images.append(read_image(f, size, notes))
            labels.append(label)
    if skipped:
        log(f"skipped {len(skipped)} files in {names.shown(root)} that are not images Pillow reads: "
            f"{', '.join(names.shown(n, 80) for n in skipped[:5])}"
            + (", ..." if len(skipped) > 5 else ""))
    if notes:
        log(f"read {len(images)} images from {root}: " + "; ".join(sorted(notes)))
    if not images:
        raise ValueError(f"No image files (PNG, JPEG, WebP, TIFF, ...: what Pillow reads) in {root}"
                         + (f" or its class folders {classes}" if classes else "") + ".")
    return images, (np.asarray(labels) if classes else None), mapping


def adapt_images(images, image_shape, log=print) -> np.ndarray:
    """Images (an array or a list of arrays of any size, grey, RGB or RGBA, uint8 0..255 or float 0..1) ->
    float32 (N, H, W, C) in [0, 1] for a model of `image_shape`: resized (bilinear), converted between
    grey and RGB, alpha dropped. Logs one line saying what was done."""
    from PIL import Image

    h, w, c = (int(s) for s in image_shape)
    done, out = set(), []
    if not isinstance(images, list):  # one array: its range is checked as a whole (0/1 integer images, wraps)
        images = np.asarray(images)
        if np.issubdtype(images.dtype, np.integer) and images.size:
            check_integer_pixels(images, "images")
        images = list(images)
    for i, img in enumerate(images):
        a = np.asarray(img)
        if a.ndim == 3 and a.shape[-1] == 1:
            a = a[..., 0]
        if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
            raise ValueError(f"Image {i} has shape {a.shape}: expected (H, W), (H, W, 1), (H, W, 3) or (H, W, 4).")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"Image {i} contains NaN or inf.")
        if a.dtype == bool:
            a = a.astype("float32")
        if np.issubdtype(a.dtype, np.integer):
            check_integer_pixels(a, f"Image {i}", binary_hint=False)
        elif not np.issubdtype(a.dtype, np.floating):
            raise ValueError(f"Image {i} has dtype {a.dtype}: expected uint8 0..255, bool, or float in [0, 1].")
        if np.issubdtype(a.dtype, np.floating):
            if a.min() < 0 or a.max() > 1:
                raise ValueError(f"Image {i} is float with values in [{a.min():.3g}, {a.max():.3g}]: floats must be "
                                 "in [0, 1] (or pass uint8 0..255).")
            a = np.round(a * 255)
        a = a.astype("uint8")
        if a.ndim == 3 and a.shape[-1] == 4:
            a = a[..., :3]
            done.add("dropped the alpha channel")
        if c == 1 and a.ndim == 3:
            a = np.asarray(Image.fromarray(a).convert("L"))
            done.add("converted colour to grayscale")
        elif c == 3 and a.ndim == 2:
            a = np.repeat(a[..., None], 3, axis=-1)
            done.add("repeated grey into RGB")
        if a.shape[:2] != (h, w):
            done.add(f"resized {a.shape[1]}x{a.shape[0]} -> {w}x{h}")
            a = np.asarray(Image.fromarray(a).resize((w, h), Image.BILINEAR))
        out.append(a.reshape(h, w, c))
    if not out:
        raise ValueError("No images given.")
    if done:
        log(f"adapted {len(out)} images to {h}x{w}x{c}: " + "; ".join(sorted(done)))
    return np.stack(out).astype("float32") / 255.0


def load_images(source, image_shape, split="train", log=print):
    """(images float32 (N, H, W, C) in [0, 1], labels or None) from a folder of image files, a numpy array
    (or (images, labels)), a tf.data.Dataset of images or (image, label) pairs, or a TFDS dataset name."""
    images, labels, _ = read_source(source, image_shape, split, log)
    return images, labels


def check_source(source) -> None:
    """The cheap checks of a data source, made before anything is written or trained: an empty path, or a path
    that is neither a folder nor a dataset name."""
    if isinstance(source, str) and not source.strip():
        raise ValueError("The data path is empty; name a folder of images, an array, or a TFDS dataset.")
    if isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        if path.is_dir():
            return
        if path.exists() or not str(source).isidentifier():
            raise ValueError(f"{source} is not a folder of images or a TFDS dataset name.")
        if str(source) not in DATASETS and not _tfds_knows(str(source)):
            raise ValueError(f"{source} is neither a folder of images (there is no {path.resolve()}) nor a dataset "
                             "tensorflow-datasets knows; name a folder that exists.")


def _tfds_knows(name: str) -> bool:
    """Whether tensorflow-datasets has a builder of this name (its own list, no network)."""
    import tensorflow_datasets as tfds

    return name in tfds.list_builders(with_community_datasets=False)


def read_source(source, image_shape, split="train", log=print):
    """As `load_images`, plus the {class folder name: label} map of a folder of class folders (else None)."""
    labels, classes = None, None
    check_source(source)
    if isinstance(source, (str, Path)):
        source = Path(source).expanduser() if str(source).startswith("~") else source
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        h, w = (int(s) for s in image_shape[:2])
        images, labels, classes = read_folder(source, size=(w, h), log=log)
        classes = classes or None
    elif isinstance(source, (str, Path)) and not Path(source).exists() and str(source).isidentifier():
        images, labels = load_split(str(source), split)
    elif isinstance(source, (str, Path)):
        raise ValueError(f"{source} is not a folder of images or a TFDS dataset name.")
    elif hasattr(source, "element_spec"):  # a tf.data.Dataset, batched or not
        images, labels = [], []
        for item in source.as_numpy_iterator():
            x, y = item if isinstance(item, tuple) else (item, None)
            batched = np.ndim(x) == 4 or (np.ndim(x) == 3 and np.shape(x)[-1] not in (1, 3, 4))
            images += list(x) if batched else [x]
            labels += ([] if y is None else list(np.atleast_1d(y)))
        labels = np.asarray(labels) if labels else None
    elif isinstance(source, tuple) and len(source) == 2:
        images, labels = source[0], np.asarray(source[1])
    else:
        images = source
    return adapt_images(images, image_shape, log=log), labels, classes


def write_tfds(dataset: str, data_dir, limit: int | None = None) -> str:
    """Write a rendered dataset's grid (its first `limit` images by index, or all) once to disk as a TFDS
    dataset named `zoo_<dataset>` under `data_dir`, each example with its image, factor indices and grid
    index; read it back with `tfds.load("zoo_<dataset>", data_dir=data_dir)`. Returns the TFDS name."""
    import tensorflow_datasets as tfds

    grid = factor_grid(dataset)
    n = grid.num_images if limit is None else min(int(limit), grid.num_images)

    def examples(chunk=1024):
        for start in range(0, n, chunk):
            index = np.arange(start, min(n, start + chunk))
            factors = grid.factors(index)
            for i, image, f in zip(index, grid.images(factors), factors, strict=True):
                yield int(i), {"image": image, "factors": f, "index": int(i)}

    features = tfds.features.FeaturesDict({
        "image": tfds.features.Image(shape=grid.image_shape),
        "factors": tfds.features.Tensor(shape=(grid.num_factors,), dtype=np.int64),
        "index": np.int64})
    name = f"zoo_{dataset}"
    tfds.dataset_builders.store_as_tfds_dataset(
        name=name, version="1.0.0", features=features, split_datasets={"train": examples()}, data_dir=str(data_dir),
        description=f"{get_dataset(dataset).title}, rendered by zoo.renderers: factors {', '.join(grid.factor_names)}.")
    return name
