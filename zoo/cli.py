"""The `zoo` command: a thin layer over the Python API (zoo.list_models, load, info, train)."""
from __future__ import annotations

import argparse
import json
import os
import sys

from zoo import inputs, names, registry, runs, units
from zoo.datasets import DATASETS

# The choices of `zoo train --data`, from the registry (Keras-free, so the CLI starts without Keras)
BACKBONES, LIKELIHOODS = registry.BACKBONES, registry.LIKELIHOODS


def printable(text: str) -> str:
    """Text from a card made safe for a terminal: control characters (ESC, BEL, CR, ...) shown escaped, so a
    crafted card cannot move the cursor, retitle the window or hide lines. Newlines between lines stay."""
    return "\n".join("".join(c if c.isprintable() else repr(c)[1:-1] for c in line) for line in str(text).split("\n"))


def _list_row(name, recipe, card) -> str:
    if card is None:
        extra, params = "(not trained: zoo train " + name + ")", "-"
    else:
        m, shape, kind = card.metrics.values, card.input_shape, card.likelihood_kind
        rec = (f"recon BCE {m['bce_nats']:.1f} nats" if "bce_nats" in m
               else f"recon NLL {units.nll_text(m['nll_nats'], shape, kind)}")
        extra = (f"-ELBO {units.nll_text(m['neg_elbo_nats'], shape, kind)}" if "neg_elbo_nats" in m else rec)
        extra += f", MSE {m['mse']:.4f}"
        if card.evaluation and card.evaluation.disentanglement:
            extra += f", MIG {card.evaluation.disentanglement.scores['mig']:.3f}"
        params = f"{card.params:,}"
    return f"{name:24} {recipe.family:10} {recipe.dataset:14} {_code(recipe):>8} {params:>9}  {extra}"


def _code(recipe) -> str:
    """The recipe's code as `zoo list` shows it: its width, or its grid (8x8x64)."""
    shape = units.code_shape(recipe.family, recipe.backbone, DATASETS[recipe.dataset].image_shape,
                             recipe.latent_dim, recipe.options)
    return units.code_text(shape)


def cmd_list(args):
    from zoo import checkpoints, recipes

    names = recipes.list_models(args.pattern)
    if not names:
        print(f"No model matches {args.pattern!r}; `zoo list` shows all.", file=sys.stderr)
        return 1
    print(f"{'name':24} {'family':10} {'dataset':14} {'code':>8} {'params':>9}  test metric")
    damaged = 0
    for name in names:
        r, folder = recipes.get_recipe(name), checkpoints.root() / name
        try:
            row = _list_row(name, r, checkpoints.read_card(folder) if folder.is_dir() else None)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as e:
            damaged += 1
            row = f"{name:24} {r.family:10} {r.dataset:14} {_code(r):>8} {'-':>9}  (damaged card: {e})"
        print(printable(row))
    if damaged:
        print(f"zoo list: {damaged} damaged card(s) flagged above; re-download or retrain those models.",
              file=sys.stderr)
    return 1 if damaged else 0


def cmd_info(args):
    from zoo import loader

    card, paths = loader.describe(args.name)
    if args.json:
        print(json.dumps({**card.to_dict(), "paths": paths}, indent=2))  # JSON escapes every control character
    else:
        from zoo import cards

        try:
            text = cards.summary(card, where=args.name)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
            where = paths.get("card.json", args.name)
            raise ValueError(f"{where} is damaged ({type(e).__name__}: {str(e)[:200]}); re-download or retrain "
                             "the model (zoo info --json shows what the card holds).") from None
        print(printable(text))
    return 0


def cmd_disentanglement(args):
    import zoo
    from zoo import loader

    dataset = args.dataset or (loader.describe(args.name)[0].dataset if not args.name.endswith(".keras") else None)
    if dataset is None:
        raise ValueError("Name the factor dataset to score on: --dataset dsprites (or shapes3d).")
    result = zoo.disentanglement(args.name, dataset)
    print(f"{args.name} on {dataset} ({result['wall_time_s']:.0f} s; disentanglement_lib's definitions):")
    for key, value in result["scores"].items():
        print(f"  {key:22} {value:.3f}")
    return 0


MAX_NCOL = 1000  # a row of a picture: wider would be a PNG no viewer opens


def _check_output(args):
    """Refuse a bad -o path (empty, not .png, a folder or special file) or --ncol before any model is loaded or
    anything is computed."""
    from zoo import inputs, outputs, plots

    inputs.as_count(args.ncol, "--ncol")
    if args.ncol > MAX_NCOL:
        raise ValueError(f"--ncol must be at most {MAX_NCOL:,} images per row; got {args.ncol:,}.")
    if getattr(args, "seed", None) is not None and args.seed < 0:
        raise ValueError(f"--seed must be 0 or more; got {args.seed}.")
    if args.output is not None:
        outputs.check_output_file(plots.png_path(args.output))


def cmd_sample(args):
    import zoo
    from zoo import inputs, plots

    _check_output(args)
    inputs.as_count(args.n, "-n")
    model = zoo.load(args.name)
    images = model.sample(args.n, seed=args.seed, prior=args.prior, temperature=args.temperature, labels=args.label)
    print(f"wrote {plots.save_grid(images, args.output, ncol=args.ncol)} ({args.n} samples of {args.name})")
    return 0


def _check_npy_header(path):
    """Refuse an .npy whose header asks for more data than the file holds (it would make numpy try to allocate
    it), before reading it."""
    import numpy as np

    fmt = np.lib.format
    with open(path, "rb") as f:
        try:
            version = fmt.read_magic(f)
        except ValueError:
            return  # not an .npy file: np.load says so
        read = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}.get(version)
        if read is None:
            return
        shape, _, dtype = read(f)
        offset = f.tell()
    size = os.path.getsize(path) - offset
    needed = int(np.prod(shape, dtype=object)) * dtype.itemsize if not dtype.hasobject else 0
    if needed > size:
        raise ValueError(f"{path}'s header says it holds an array of shape {shape} ({needed:,} bytes), but the file "
                         f"has {size:,}; it is damaged or not what it says.")


def _check_input(path) -> None:
    """Refuse an --input that cannot be images, before anything is loaded: a missing path, or a file that is
    neither an image nor a .npy/.npz array."""
    from pathlib import Path

    from zoo import data

    p = Path(path).expanduser()
    if not p.exists():
        raise ValueError(f"--input {path} does not exist; give a folder of images, an image file, or a .npy/.npz "
                         "array of images.")
    if p.is_file() and p.suffix.lower() not in (".npy", ".npz", *data.IMAGE_SUFFIXES):
        raise ValueError(f"--input {path} is neither an image file ({', '.join(sorted(data.IMAGE_SUFFIXES)[:6])}, "
                         "...) nor a .npy/.npz array of images, nor a folder of them.")


def _load_images(path, image_shape):
    """(images, labels or None) from --input: a folder of image files (class subfolders give labels), one image
    file, or a keras.datasets-style array file, adapted to `image_shape`."""
    from pathlib import Path

    import numpy as np

    from zoo import data

    p = Path(path).expanduser()
    if p.is_dir():
        images, labels, _ = data.read_source(p, image_shape)
        return images, labels
    if p.suffix.lower() not in (".npy", ".npz"):
        return data.adapt_images([data.read_image(p)], image_shape), None
    try:
        if p.suffix.lower() == ".npz":  # keras.datasets style: x_test (and y_test) or the first array
            with np.load(p) as f:
                if not f.files:
                    raise ValueError(f"{path} holds no arrays.")
                key = "x_test" if "x_test" in f else f.files[0]
                return f[key], (f["y_test"] if key == "x_test" and "y_test" in f else None)
        _check_npy_header(str(p))
        return np.load(p), None
    except (OSError, EOFError, ValueError) as e:  # not an array file, truncated, or an object array (pickles)
        raise ValueError(f"Cannot read images from {path}: {e}") from None


def cmd_reconstruct(args):
    import zoo
    from zoo import data, inputs, plots

    _check_output(args)
    inputs.as_count(args.n, "-n")
    if args.input:
        _check_input(args.input)
    model = zoo.load(args.name)
    if args.input:
        images, labels = _load_images(args.input, model.image_shape)
    else:
        dataset = model.card.dataset if model.card else None
        if dataset is None:
            raise ValueError(f"{args.name} has no card naming its dataset: pass --input with a folder of images, an "
                             "image file or a .npy array.")
        images, labels = data.load_split(dataset, "test")
    if model.conditional and labels is None:
        raise SystemExit(f"{args.name} is conditional: --input must be an .npz with x_test and y_test (labels).")
    x = inputs.as_images(images[: args.n], model.image_shape)
    y = labels[: args.n] if model.conditional else None
    plots.save_grid(plots.interleave_rows(x, model.reconstruct(x, y), args.ncol), args.output, ncol=args.ncol)
    print(f"wrote {args.output} (rows alternate: {len(x)} originals, their reconstructions)")
    return 0


def cmd_compare(args):
    import zoo
    from zoo import outputs

    if args.output:
        outputs.check_output_file(args.output)
    names = [n for pat in args.names for n in (zoo.list_models(pat) or [pat])]
    print(zoo.compare(names, figure=args.output, compute_missing=not args.no_compute, data=args.data))
    return 0


def cmd_explore(args):
    from zoo import explorer

    names = [n for pat in args.names for n in (_expand(pat))] or list(explorer.DEFAULT_MODELS)
    explorer.launch(names, port=args.port)
    return 0


def cmd_space(args):
    from zoo import explorer

    names = [n for pat in args.names for n in (_expand(pat))] or list(explorer.DEFAULT_MODELS)
    folder = explorer.write_space(args.folder, names)
    print(f"wrote the Space to {folder} (app.py, requirements.txt, README.md); run it here with "
          f"`python {folder / 'app.py'}`, publish it with `hf upload --repo-type space OWNER/NAME {folder}`")
    return 0


def _expand(pattern):
    from zoo import recipes

    return recipes.list_models(pattern) if any(c in pattern for c in "*?[") else [pattern]


def _precision(args):
    """The dtype policy a train or finetune command builds and trains its model under."""
    from zoo.models import precision

    return precision.mixed(args.mixed_precision)


def cmd_train(args):
    with _precision(args):
        return _train(args)


def _train(args):
    from zoo import recipes, training

    if args.data:  # a new model of a family, on your images
        import zoo

        shape = _parse_shape(args.input_shape) if args.input_shape else None
        if args.override or args.restart or args.keep_state or args.time_limit is not None or args.continue_from:
            raise ValueError("--override, --restart, --keep-state, --time-limit and --continue-from apply to registry "
                             "models; with --data use the other options.")
        zoo.train(args.name, args.data, input_shape=shape,
                  epochs=registry.OWN_DATA_EPOCHS if args.epochs is None else args.epochs, latent_dim=args.latent_dim,
                  backbone=args.backbone,
                  learning_rate=registry.LEARNING_RATE if args.learning_rate is None else args.learning_rate,
                  validation_split=args.validation_split, seed=args.seed, out_dir=args.out or f"{args.name}-custom",
                  verbose=2, overwrite=args.overwrite, distribute=args.distribute,
                  **({} if args.likelihood is None else {"likelihood": args.likelihood}))
        return 0
    names = recipes.expand([args.name])
    limit_s = None if args.time_limit is None else 60 * inputs.as_positive_number(args.time_limit, "--time-limit")
    if args.continue_from and len(names) > 1:
        raise ValueError(f"--continue-from continues one model; {args.name!r} names {len(names)}.")
    for name in names:  # every recipe is checked before the first one trains (train checks a checkpoint to continue)
        training.resolve_recipe(name, args.override, args.epochs)
    for name in names:
        out = training.train(name, args.out or ".", args.epochs, overrides=args.override, restart=args.restart,
                             overwrite=args.overwrite, verbose=2, distribute=args.distribute,
                             keep_state=args.keep_state, time_limit_s=limit_s, continue_from=args.continue_from)
        if out is not None:  # None: another host of a multi-host run; the first one writes
            print(f"written to {out}")
    return 0


def _json_object(text):
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise argparse.ArgumentTypeError(f"not valid JSON ({e})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object, e.g. '{\"learning_rate\": 1e-4}'")
    return value


def _parse_shape(text):
    """'32x32x3' -> (32, 32, 3)."""
    parts = text.lower().split("x")
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f"--input-shape must be HEIGHTxWIDTHxCHANNELS, e.g. 32x32x3; got {text!r}.")
    return tuple(int(p) for p in parts)


def cmd_evaluate(args):
    from zoo import evaluation, inputs, measuring

    if args.iwae_images is not None:
        inputs.as_count(args.iwae_images, "--iwae-images")
    protocol = {"iwae_images": args.iwae_images} if args.iwae_images is not None else {}
    if args.sections is not None and not args.sections.strip(","):
        raise ValueError(f"--sections names no section; give some of {', '.join(evaluation.SECTIONS)}, or leave it out "
                         "to measure everything.")
    sections = [p for p in args.sections.split(",") if p] if args.sections else evaluation.SECTIONS
    card = measuring.measure(args.name, protocol, sections, log=print, copy_to=args.out)
    where = args.out or args.name
    print(f"measured; the numbers are in its card (zoo info {where})")
    return 0 if card else 1


def cmd_train_evaluator(args):
    from zoo import classifiers

    card = classifiers.train(args.dataset, args.output, args.epochs, verbose=2)
    print(f"wrote {args.output or card.name}: test accuracy {card.metrics.values['accuracy']:.4f} "
          f"({card.training.wall_time_s:.0f} s)")
    return 0


def cmd_finetune(args):
    import zoo

    with _precision(args):
        zoo.finetune(args.name, args.data, epochs=args.epochs, freeze=args.freeze, learning_rate=args.learning_rate,
                     batch_size=args.batch_size, validation_split=args.validation_split,
                     prior_epochs=args.prior_epochs, binarize=args.binarize, seed=args.seed, out_dir=args.output,
                     verbose=2, overwrite=args.overwrite)
    return 0


def build_parser():
    p = argparse.ArgumentParser(prog="zoo", description="Pretrained Keras autoencoders by name: list, inspect, "
                                "sample, reconstruct and train them.")
    p.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    p.add_argument("--verbose", action="store_true",
                   help="let TensorFlow's native start-up log lines and huggingface_hub's warnings through")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("list", help="list the registered models and their test metrics")
    s.add_argument("pattern", nargs="?", default="*", help="fnmatch wildcard, e.g. 'vae*'")
    s.set_defaults(fn=cmd_list)

    s = sub.add_parser("info", help="what a model is, how it measured, and how to use it (--json: the whole card)")
    s.add_argument("name", help="model name (e.g. vae-mnist), checkpoint folder or .keras file")
    s.add_argument("--json", action="store_true", help="print the card (recipe, metrics, params, sha256, files) as JSON")
    s.set_defaults(fn=cmd_info)

    s = sub.add_parser("sample", help="draw images from a model and save them as a grid PNG")
    s.add_argument("name", help="model name, checkpoint folder or .keras file")
    s.add_argument("-n", type=int, default=64, help="number of samples (default 64)")
    s.add_argument("-o", "--output", default="samples.png", help="PNG to write (default samples.png)")
    s.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same images")
    s.add_argument("--prior", choices=["model", "normal"], default="model",
                   help="'model': the model's own sampler (default); 'normal': naive z ~ N(0, I)")
    s.add_argument("--temperature", type=float, default=1.0, help="noise scale; 1.0 is the true sampler")
    s.add_argument("--label", type=int, help="class to draw, for a conditional model (cvae); default: uniform")
    s.add_argument("--ncol", type=int, default=8, help="images per row")
    s.set_defaults(fn=cmd_sample)

    s = sub.add_parser("reconstruct", help="encode and decode test images; save originals and reconstructions")
    s.add_argument("name", help="model name, checkpoint folder or .keras file")
    s.add_argument("-o", "--output", default="reconstructions.png", help="PNG to write")
    s.add_argument("-n", type=int, default=32, help="number of images (default 32)")
    s.add_argument("--input", help="your images: a folder of image files, one image file, or a .npy/.npz array "
                   "(default: the model's dataset's test split)")
    s.add_argument("--ncol", type=int, default=8, help="images per row")
    s.set_defaults(fn=cmd_reconstruct)

    s = sub.add_parser("compare", help="table of measured metrics for several models, and one picture")
    s.add_argument("names", nargs="+", help="model names, wildcards ('*-mnist') or checkpoint paths")
    s.add_argument("-o", "--output", help="PNG to draw: per model samples, reconstructions, interpolation")
    s.add_argument("--no-compute", action="store_true",
                   help="only show metrics stored in the cards; do not measure missing ones")
    s.add_argument("--data", help="your images (a folder, class subfolders for labels): measure every model on them")
    s.set_defaults(fn=cmd_compare)

    s = sub.add_parser("explore", help="the latent-space explorer in your browser: click a map to decode that point")
    s.add_argument("names", nargs="*", help="up to 4 models (default: ae_2d-mnist vae_2d-mnist)")
    s.add_argument("--port", type=int, help="port on 127.0.0.1 (default: a free one)")
    s.set_defaults(fn=cmd_explore)

    s = sub.add_parser("space", help="write the explorer as a Hugging Face Space (app.py, requirements, README)")
    s.add_argument("folder", help="a new folder to write")
    s.add_argument("names", nargs="*", help="registry models or hf:// addresses (default: ae_2d-mnist vae_2d-mnist)")
    s.set_defaults(fn=cmd_space)

    s = sub.add_parser("disentanglement", help="score a model's code on a factor dataset (MIG, DCI, SAP, ...)")
    s.add_argument("name", help="model name (beta_vae-dsprites), checkpoint folder or .keras file")
    s.add_argument("--dataset", help="dsprites or shapes3d (default: the model's own dataset)")
    s.set_defaults(fn=cmd_disentanglement)

    s = sub.add_parser("train", help="train a registry model from its recipe, or a family on your images (--data)")
    s.add_argument("name", help="model name or wildcard (vae-mnist, 'ae-*'); with --data a family name (vae)")
    s.add_argument("--epochs", type=int, help=f"override the recipe's epoch count (with --data: default {registry.OWN_DATA_EPOCHS})")
    s.add_argument("-o", "--output", "--out", dest="out", metavar="OUTPUT",
                   help="registry model: folder to write NAME/ into (default: the working directory; the "
                   "shipped checkpoints are only replaced by scripts/train.py); with --data: the checkpoint folder "
                   "to write (default FAMILY-custom)")
    s.add_argument("--data", help="train a new model on these images: a folder (class subfolders for labels) "
                   "or a TFDS name")
    s.add_argument("--input-shape", help="with --data: HxWxC, e.g. 32x32x3 (default: the first image's)")
    s.add_argument("--latent-dim", type=int, help="with --data: code size (default: the family's)")
    s.add_argument("--backbone", choices=BACKBONES,
                   help="with --data: network type (default: resnet for colour images, mlp for grey; conv4: "
                   "disentanglement_lib's, for 64x64 images; resnet_grid: resnet with a grid code)")
    s.add_argument("--likelihood", choices=LIKELIHOODS,
                   help="with --data: the decoder's p(x | z): bernoulli (binary and grey images; the default for "
                   "grey) or logistic_mixture (PixelCNN++'s, for 8-bit colour; the default for colour)")
    s.add_argument("--learning-rate", type=float, help=f"with --data: Adam learning rate (default {registry.LEARNING_RATE:g})")
    s.add_argument("--validation-split", type=float, default=runs.VALIDATION_SPLIT, help="with --data: share held out")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--override", type=_json_object, metavar="JSON",
                   help='registry model: recipe fields to change, e.g. \'{"learning_rate": 1e-4}\' (options merge)')
    s.add_argument("--distribute", action="store_true",
                   help="train data-parallel on every visible device (and on several hosts: see the README)")
    s.add_argument("--restart", action="store_true",
                   help="registry model: discard an interrupted run of another recipe and start over")
    s.add_argument("--keep-state", action="store_true",
                   help="registry model: keep the training state (.NAME.work/) after writing, so a later run with "
                   "more --epochs continues from this one")
    s.add_argument("--time-limit", type=float, metavar="MINUTES",
                   help="registry model: stop after the epoch that passes this much training time and write the "
                   "checkpoint with the epochs run (with --keep-state a later run continues: training in stages)")
    s.add_argument("--continue-from", metavar="CHECKPOINT",
                   help="registry model: continue a checkpoint of its recipe (a folder, the registry name for the "
                   "shipped or published one, or hf://OWNER/REPO) to --epochs; Adam starts afresh there")
    s.add_argument("--overwrite", action="store_true",
                   help="replace the output folder even if it is not a checkpoint the zoo wrote (everything in it)")
    s.set_defaults(fn=cmd_train)

    s = sub.add_parser("evaluate", help="measure a model with the cards' protocol and store the numbers in its card")
    s.add_argument("name", help="registry model name (vae-mnist) or checkpoint folder")
    s.add_argument("-o", "--output", "--out", dest="out", metavar="OUTPUT",
                   help="measure a copy written to this new folder (a shipped model is only measured "
                   "that way: its card is the zoo's own measurement)")
    s.add_argument("--iwae-images", type=int, help="test images the IWAE likelihood bound scores (default 1,000)")
    s.add_argument("--sections", help="comma-separated parts to re-measure on a measured card (denoising, code, "
                   "ex_post); default: everything")
    s.set_defaults(fn=cmd_evaluate)

    s = sub.add_parser("train-evaluator", help="train the classifier whose features score a dataset's samples "
                       "(FID, validity); write its folder")
    s.add_argument("dataset", choices=[d for d, e in DATASETS.items() if not e.rendered])
    s.add_argument("--epochs", type=int, help="default: the shipped evaluators' (8)")
    s.add_argument("-o", "--output", help="folder to write (default ./evaluator-DATASET)")
    s.set_defaults(fn=cmd_train_evaluator)

    s = sub.add_parser("finetune", help="fine-tune a model on your images; write a checkpoint folder")
    s.add_argument("name", help="model name (vae-mnist), checkpoint folder or .keras file")
    s.add_argument("--data", required=True, help="a folder of PNG/JPG images (class subfolders for labels), "
                   "or a TFDS name")
    s.add_argument("--epochs", type=int, default=runs.FINETUNE_EPOCHS)
    s.add_argument("-o", "--output", required=True, help="checkpoint folder to write (zoo.load(OUTPUT) reads it)")
    s.add_argument("--freeze", choices=["encoder", "decoder"], help="keep this network's weights fixed")
    s.add_argument("--learning-rate", type=float,
                   help=f"Adam learning rate (default: the model's, measured: {registry.LEARNING_RATE:g} for grey-image "
                        f"models, {registry.PHOTO_FINETUNE_RATE:g} for photo models)")
    s.add_argument("--batch-size", type=int, help="default: the family's (README: fine-tuning defaults)")
    s.add_argument("--validation-split", type=float, default=runs.VALIDATION_SPLIT,
                   help=f"share of the images held out (default {runs.VALIDATION_SPLIT})")
    s.add_argument("--prior-epochs", type=int, help="vqvae: epochs to retrain its PixelCNN prior")
    s.add_argument("--binarize", action=argparse.BooleanOptionalAction,
                   help="VAE families: train on dynamically binarized images or not (default: as the model did)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--overwrite", action="store_true",
                   help="replace OUTPUT even if it is not a checkpoint the zoo wrote (everything in it)")
    s.set_defaults(fn=cmd_finetune)
    for name in ("train", "finetune"):
        sub.choices[name].add_argument(
            "--backend", choices=["tensorflow", "jax", "torch"],
            help="Keras backend to train with (default: KERAS_BACKEND, else tensorflow); on a CPU jax trains "
                 "MLP models fastest, tensorflow convolutional ones (README, Speed and scale)")
        sub.choices[name].add_argument(
            "--mixed-precision", action="store_true",
            help="build and train the model in Keras' mixed_bfloat16 (bfloat16 networks, float32 weights and "
                 "losses): faster on GPUs with bfloat16 units")
    for command in sub.choices.values():  # --debug and --verbose work after the command too
        for flag in ("--debug", "--verbose"):
            command.add_argument(flag, action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return p


# A user's mistake (bad input, a path that is taken or missing, an unknown name): exit 2. Anything else: exit 1.
USER_ERRORS = (KeyError, ValueError, OSError)


def _reopen_closed_streams():
    """A standard stream the shell closed (`2>&-`) becomes the null device: what the zoo writes there is
    dropped, as a Unix tool's would be, instead of failing every command."""
    for fd, name in ((1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, "w", closefd=False))


def _leave_quietly_on_closed_pipe():
    """After `zoo list | head -1`'s reader has gone: point stdout at the null device, so the interpreter's last
    flush finds nowhere to fail."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)


def main(argv=None):
    from zoo.stderr_filter import native_logs_filtered

    _reopen_closed_streams()
    args = build_parser().parse_args(argv)
    if getattr(args, "backend", None):  # before anything imports Keras, which reads it once
        if "keras" in sys.modules and sys.modules["keras"].backend.backend() != args.backend:
            print(f"zoo {args.command}: error: Keras is already loaded with another backend; set "
                  f"KERAS_BACKEND={args.backend} instead.", file=sys.stderr)
            return 2
        os.environ["KERAS_BACKEND"] = args.backend
    if not args.verbose:  # huggingface_hub's retry warnings ('... thrown while requesting', 'Retrying in 8s') stay out
        os.environ.setdefault("HF_HUB_VERBOSITY", "error")  # read when it first logs; a user's own setting wins
    try:
        with native_logs_filtered(not args.verbose):
            return args.fn(args)
    except KeyboardInterrupt:
        print(f"zoo {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output left (`zoo list | head -1`): stop quietly, as Unix tools do
        _leave_quietly_on_closed_pipe()
        return 141  # 128 + SIGPIPE, the status a Unix tool ends with there
    except Exception as e:
        if args.debug:
            raise
        msg = e.args[0] if isinstance(e, KeyError) and e.args else str(e) or type(e).__name__
        user = isinstance(e, USER_ERRORS)
        if isinstance(e, OSError) and e.filename and str(e.filename) not in msg:
            msg = f"{msg}: {e.filename}"
        print(f"zoo {args.command}: {'error' if user else 'failed'}: {printable(names.clipped(msg, 4000))}"
              + ("" if user else f" ({type(e).__name__}; rerun with --debug for the traceback)"), file=sys.stderr)
        return 2 if user else 1


if __name__ == "__main__":
    sys.exit(main())
