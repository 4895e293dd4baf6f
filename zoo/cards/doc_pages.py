"""The documentation site's model pages, from the cards: one page per checkpoint (the body MODEL_CARDS.md and
its Hub README show, with its pictures and how to use it), one per family (its module's docstring and its
checkpoints), and the table of all of them. `docs/conf.py` writes them when the site is built."""
from __future__ import annotations

import os
import re
from pathlib import Path

from zoo import checkpoints, recipes, registry
from zoo.card import Card
from zoo.cards.common import _table, body, evaluator_cards, family_blurb, load_cards
from zoo.cards.model_cards import summary_rows


def checkpoint_page(c: Card, pictures: str) -> str:
    """One checkpoint's page; `pictures` is the path from the page to its checkpoint folder, ending in '/'."""
    use = ["", "## Use", "", "```python", "import zoo", f'm = zoo.load("{c.name}")',
           "imgs = m.sample(16, seed=0)" + (", labels=list(range(10)) + [0] * 6" if c.family == "cvae" else ""),
           "```", "", f"Family: [{c.family}](../families/{c.family}.md). The card itself: "
           f"`zoo info {c.name} --json`."]
    return "\n".join([f"# {c.name}", ""] + body(c, pictures) + use) + "\n"


def family_page(family: str, cards: list[Card]) -> str:
    """A family's page: what it is (its module's docstring) and the checkpoints that ship of it."""
    mine = [c for c in cards if c.family == family]
    lines = [f"# {family}", "", family_blurb(family), "", "## Shipped checkpoints", ""]
    lines += [f"- [{c.name}](../models/{c.name}.md)" for c in mine] or ["None yet: `zoo.create(\"" + family + "\", ...)`."]
    lines += ["", f"Build an untrained one for your own images: `zoo.create(\"{family}\", input_shape=(32, 32, 3))`; "
              f"train it with `zoo train {family} --data FOLDER`."]
    return "\n".join(lines) + "\n"


def all_page(cards: list[Card], evaluators: list[Card]) -> str:
    """The table of every checkpoint with a page each (their toctree), and the evaluators that score samples."""
    head, rows = summary_rows(cards)
    for row in rows:
        row[0] = re.sub(r"\(#([^)]+)\)", r"(\1.md)", row[0])
    lines = ["# All checkpoints", "", "Every shipped checkpoint, from its card (the same numbers as `zoo list`); "
             "each has a page with its recipe, measurements, pictures and how to reproduce it.", ""]
    lines += _table(head, rows)
    if evaluators:
        lines += ["", "The classifiers whose features score samples (FID, precision and recall, validity): "
                  + ", ".join(f"`{e.name}` (test accuracy {e.metrics.values['accuracy']:.3f})" for e in evaluators)
                  + "."]
    lines += ["", "```{toctree}", ":hidden:", "", *(c.name for c in cards), "```"]
    return "\n".join(lines) + "\n"


def write_pages(docs: Path) -> list[Path]:
    """Write docs/models/all.md, docs/models/NAME.md per checkpoint and docs/families/FAMILY.md per family
    (generated: not kept in git). Returns the paths written."""
    cards = load_cards()
    models, families = docs / "models", docs / "families"
    for folder in (models, families):
        folder.mkdir(parents=True, exist_ok=True)
    pictures = Path(os.path.relpath(checkpoints.root().resolve(), models.resolve()))
    pages = {models / "all.md": all_page(cards, evaluator_cards())}
    pages.update({models / f"{c.name}.md": checkpoint_page(c, f"{pictures.as_posix()}/{c.name}/") for c in cards})
    pages.update({families / f"{f}.md": family_page(f, cards) for f in sorted(registry.FAMILIES)})
    written = []
    for path, text in pages.items():
        if not path.exists() or path.read_text() != text:  # unchanged pages keep their time: no rebuild
            checkpoints.write_text_atomic(path, text)
        written.append(path)
    missing = sorted(set(recipes.list_models()) - {c.name for c in cards})
    if missing:
        raise RuntimeError(f"Shipped models without a card (so without a page): {missing}")
    return written
