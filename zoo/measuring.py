"""Measure a checkpoint with the cards' protocol and store the numbers in its card: what `zoo evaluate NAME|PATH`
(and the maintainers' scripts/evaluate.py) runs. The weights are not touched, so their sha256 stays; the
pictures that need measured numbers (the latent traversal, the latent map) are drawn, and the card lists every
file it wrote, so the folder still proves itself the zoo's."""
from __future__ import annotations

import shutil
from pathlib import Path

from zoo import card as card_schema
from zoo import checkpoints, data, datasets, evaluation, latent_picture, loader, outputs, plots, training, writer


def folder_of(name_or_path) -> Path:
    """A checkpoint folder: a path to one, or a registry name's shipped folder."""
    path = Path(str(name_or_path)).expanduser()
    if path.is_dir():
        return path
    folder = checkpoints.root() / str(name_or_path)
    if not (folder / checkpoints.CARD_FILE).is_file():
        raise FileNotFoundError(f"{name_or_path} is neither a checkpoint folder nor a trained registry model "
                                f"(no {folder / checkpoints.CARD_FILE}); train it first (zoo train NAME).")
    return folder


def copy_checkpoint(folder, dest) -> Path:
    """A copy of checkpoint `folder` at the new path `dest` (staged, then renamed into place), to measure or
    change without touching the original."""
    dest = outputs.output_path(dest, "copy's folder")
    checkpoints.check_not_shipped(dest)
    if dest.exists():
        raise FileExistsError(f"{dest} exists; name a new folder for the copy.")
    def fill(tmp):
        for p in Path(folder).iterdir():
            if p.is_file() and p.name != checkpoints.CARD_FILE:
                shutil.copy2(p, tmp / p.name)
        return checkpoints.read_card(folder)

    with outputs.claim(dest):
        checkpoints.write_folder(dest, fill)
    return dest


def measure(name_or_path, protocol: dict | None = None, sections=evaluation.SECTIONS, pictures_only=False,
            log=print, replace_shipped=False, copy_to=None, test_metrics=False) -> card_schema.Card:
    """Measure the checkpoint `name_or_path` on its dataset's test split (zoo.evaluation's protocol, with
    `protocol` overriding its settings; `sections` re-measures only those parts of an earlier evaluation) and
    write the numbers and pictures into its folder. `pictures_only` draws the pictures alone. A shipped
    checkpoint is measured in place only with `replace_shipped=True` (the maintainers' scripts/evaluate.py);
    `copy_to` (a new folder) measures a copy instead. `test_metrics` also measures again the test-split numbers
    training recorded (the card's `metrics`) and redraws the training pictures. Returns the card."""
    folder = folder_of(name_or_path)
    if copy_to is not None:
        folder = copy_checkpoint(folder, copy_to)
    checkpoints.check_not_shipped(folder, replace_shipped)
    # one writer: a second `zoo evaluate` or a training on this folder waits its turn
    with outputs.claim(folder, advice="zoo evaluate measures only a checkpoint folder the zoo wrote, whole: "
                       "re-download or retrain it, or measure a copy of the original with -o."):
        model = loader.load(folder)
        card = model.card
        dataset = card.dataset
        if dataset not in datasets.DATASETS:
            raise ValueError(f"{folder} was trained on {dataset or 'your own images'}, not one of the zoo's datasets "
                             f"({', '.join(datasets.DATASETS)}); measure it on your images with zoo.compare.")
        rendered = datasets.get_dataset(dataset).rendered
        x_all, y_all = data.load_split(dataset, "test")
        x_test = x_all[:2000]
        # Pictures are drawn in a staging folder beside it (the zoo's mark: a kill leaves nothing unlisted in the
        # checkpoint, and the next run on it removes the staging folder), then moved in just before the card.
        with outputs.staging(folder) as aside:
            if test_metrics:
                card = card.replace(metrics=training.measure(model, card.recipe, x_all, y_all))
                writer.write_pictures(model, x_all, y_all, aside)
            if not model.conditional and not rendered:
                plots.traversal(model, x_test, aside / "traversal.png")
            if not pictures_only:
                measured = evaluation.evaluate(model, dataset, protocol, log=log, sections=sections,
                                               previous=card_schema.as_json(card.evaluation))
                card = card.replace(evaluation=card_schema.parse(card_schema.Evaluation, measured))
            if rendered:  # one row per unit, labelled with the factor it carries most (measured above)
                scored = card.evaluation.disentanglement
                labels = plots.unit_labels(model.encode(x_test), scored.unit_factor_info, scored.factors)
                plots.factor_traversal(model, x_test, labels, aside / "traversal.png")
            latent_picture.plot_latent(model, path=aside / "latent.png")  # where codes and N(0, I) lie
            card = writer.add_to_checkpoint(folder, card, aside)
        shutil.rmtree(aside, ignore_errors=True)
    return card
