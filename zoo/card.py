"""The card's schema: card.json's sections as typed records, its version, and the migration of older cards.

A card is JSON (a Hub model card's data, read by people and by `zoo`); `Card.from_dict` checks it against the
schema and gives attributes, `Card.to_dict` gives the JSON back. Every writer builds its card here, so a card
has one shape whichever tool wrote it: `metrics` is always what was measured when the checkpoint was written,
on which images, and (for a fine-tune) the same numbers before. Cards written before the schema had a version
(version 1) are read through `migrate`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields

SCHEMA_VERSION = 2
KINDS = ("autoencoder", "evaluator")
MEASURED_ON = ("test", "heldout", "train")  # the dataset's test split; a fine-tune's held-out or training images


class CardError(ValueError):
    """A card that does not follow the schema; the message names the key and what was expected."""


def _check(value, kinds, where: str, optional=True):
    """`value` if it is one of `kinds` (None too when `optional`); else CardError naming `where`."""
    if value is None and optional:
        return value
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds and object not in kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise CardError(f"{where} should be {names}; got {type(value).__name__} {str(value)[:60]!r}.")
    return value


NUMBER = (int, float)


@dataclass(frozen=True)
class FileEntry:
    """A file of the checkpoint folder: its sha256 and size, which prove the folder is the one the zoo wrote."""
    sha256: str
    bytes: int


@dataclass(frozen=True)
class DataRecord:
    """Where the training images came from: a dataset's source and local copy, or a user's images."""
    source: str
    sha256: str | None = None  # of a local copy's files
    copy: str | None = None  # the known copy's name, e.g. a JPEG copy of CIFAR-10
    images: int | None = None  # a user's images: how many were read, split, adapted and labelled
    train_images: int | None = None
    heldout_images: int | None = None
    adapted: list | None = None
    labelled: bool | None = None
    classes: dict | None = None  # class name -> label


@dataclass(frozen=True)
class Training:
    """The run that produced the weights: epochs (and steps on a rendered dataset), time, devices, last losses."""
    epochs: int
    wall_time_s: float | None = None  # summed over resumed sessions
    this_session_s: float | None = None
    prior_fit_s: float | None = None  # a fitted sampler's own fit time
    steps: int | None = None
    devices: int | None = None
    hosts: int | None = None
    precision: str | None = None
    final_epoch: dict | None = None
    note: str | None = None


@dataclass(frozen=True)
class Provenance:
    """What wrote the card: the zoo's version and commit, the machine, when."""
    code_version: dict
    hardware: dict | None = None
    created: str | None = None


@dataclass(frozen=True)
class Metrics:
    """The numbers measured when the checkpoint was written, one shape for every kind of model: `values` on
    `images` images of `on` ("test": the dataset's test split; "heldout"/"train": a fine-tune's images), and
    for a fine-tune the same numbers `before` it."""
    on: str
    values: dict
    images: int | None = None
    before: dict | None = None
    note: str | None = None


@dataclass(frozen=True)
class Lineage:
    """How a model trained on a user's images came to be: `how` is "finetune" (from the card's `parent`) or
    "train" (a new model), with the run's settings."""
    how: str
    settings: dict


@dataclass(frozen=True)
class Card:
    """A checkpoint's card. `kind` is "autoencoder" (every zoo model) or "evaluator" (the classifier whose
    features the sample metrics read)."""
    name: str
    kind: str
    dataset: str | None
    params: int
    provenance: Provenance
    reproduce: str | None = None
    family: str | None = None
    recipe: dict | None = None  # the registry recipe the run trained (registry.Recipe's fields)
    model_config: dict | None = None
    likelihood: str | None = None
    data: DataRecord | None = None
    training: Training | None = None
    metrics: Metrics | None = None
    evaluation: dict | None = None  # zoo.evaluation's record, by section
    lineage: Lineage | None = None
    parent: dict | None = None  # the model it was fine-tuned from or published as: its name and sha256
    baseline: dict | None = None  # the plain VAE of the same network, scored by this model's estimator
    seeds: list | None = None  # the same recipe at other seeds: their disentanglement scores
    feature_layer: str | None = None  # an evaluator's feature layer
    repo_id: str | None = None  # where push_to_hub published it, and when
    pushed: str | None = None
    files: dict = field(default_factory=dict)  # name -> FileEntry

    @classmethod
    def from_dict(cls, raw: dict) -> Card:
        """The typed card of JSON object `raw` (any schema version this zoo knows); CardError if it breaks the
        schema."""
        d = migrate(raw)
        known = {f.name for f in fields(cls)} - {"provenance", "lineage"} | {
            "schema_version", "hardware", "code_version", "created", "finetune", "train"}
        unknown = sorted(set(d) - known)
        if unknown:
            raise CardError(f"unknown key(s) {', '.join(map(repr, unknown))}; a card of schema {SCHEMA_VERSION} has "
                            f"{', '.join(sorted(known))}.")
        kind = _check(d.get("kind"), (str,), "kind", optional=False)
        if kind not in KINDS:
            raise CardError(f"kind should be one of {KINDS}; got {kind!r}.")
        lineage = None
        how = "finetune" if d.get("finetune") is not None else "train" if d.get("train") is not None else None
        if how:
            lineage = Lineage(how, _check(d[how], (dict,), how))
        return cls(
            name=_check(d.get("name"), (str,), "name", optional=False), kind=kind,
            dataset=_check(d.get("dataset"), (str,), "dataset"),
            params=_check(d.get("params"), (int,), "params", optional=False),
            provenance=Provenance(_check(d.get("code_version"), (dict,), "code_version", optional=False),
                                  _check(d.get("hardware"), (dict,), "hardware"),
                                  _check(d.get("created"), (str,), "created")),
            reproduce=_check(d.get("reproduce"), (str,), "reproduce"),
            family=_check(d.get("family"), (str,), "family"),
            recipe=_check(d.get("recipe"), (dict,), "recipe"),
            model_config=_check(d.get("model_config"), (dict,), "model_config"),
            likelihood=_check(d.get("likelihood"), (str,), "likelihood"),
            data=_record(DataRecord, d.get("data"), "data"),
            training=_record(Training, d.get("training"), "training"),
            metrics=_metrics(d.get("metrics")),
            evaluation=_check(d.get("evaluation"), (dict,), "evaluation"),
            lineage=lineage, parent=_check(d.get("parent"), (dict,), "parent"),
            baseline=_check(d.get("baseline"), (dict,), "baseline"),
            seeds=_check(d.get("seeds"), (list,), "seeds"),
            feature_layer=_check(d.get("feature_layer"), (str,), "feature_layer"),
            repo_id=_check(d.get("repo_id"), (str,), "repo_id"), pushed=_check(d.get("pushed"), (str,), "pushed"),
            files={n: _record(FileEntry, e, f"files.{n}") for n, e in
                   _check(d.get("files") or {}, (dict,), "files").items()},
        )

    def to_dict(self) -> dict:
        """card.json's object: the schema's keys in a fixed order, absent fields left out."""
        out = {"schema_version": SCHEMA_VERSION, "name": self.name, "kind": self.kind, "family": self.family,
               "dataset": self.dataset, "recipe": self.recipe, "model_config": self.model_config,
               "params": self.params, "likelihood": self.likelihood, "feature_layer": self.feature_layer,
               "data": _plain(self.data), "metrics": _plain(self.metrics), "training": _plain(self.training),
               "hardware": self.provenance.hardware, "code_version": self.provenance.code_version,
               "created": self.provenance.created}
        out["parent"] = self.parent
        if self.lineage is not None:
            out[self.lineage.how] = self.lineage.settings
        out.update({"reproduce": self.reproduce, "repo_id": self.repo_id, "pushed": self.pushed,
                    "evaluation": self.evaluation, "baseline": self.baseline, "seeds": self.seeds,
                    "files": {n: _plain(e) for n, e in sorted(self.files.items())}})
        return {k: v for k, v in out.items() if v is not None or k == "dataset"}  # no dataset: a user's images

    def replace(self, **changes) -> Card:
        return dataclasses.replace(self, **changes)


def _plain(record):
    if record is None:
        return None
    return {k: v for k, v in dataclasses.asdict(record).items() if v is not None}


def _record(cls, raw, where: str):
    if raw is None:
        return None
    _check(raw, (dict,), where)
    names = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(names))
    if unknown:
        raise CardError(f"{where} has unknown key(s) {', '.join(map(repr, unknown))}; it may have "
                        f"{', '.join(names)}.")
    missing = [n for n, f in names.items() if f.default is dataclasses.MISSING and n not in raw]
    if missing:
        raise CardError(f"{where} lacks {', '.join(missing)}.")
    for n, value in raw.items():
        hint = str(names[n].type)
        kinds = (bool,) if "bool" in hint else (str,) if "str" in hint else (int,) if hint.startswith("int") else \
            NUMBER if "float" in hint else (dict,) if "dict" in hint else (list,) if "list" in hint else (object,)
        _check(value, kinds, f"{where}.{n}")
    return cls(**raw)


def _metrics(raw) -> Metrics | None:
    m = _record(Metrics, raw, "metrics")
    if m is not None and m.on not in MEASURED_ON:
        raise CardError(f"metrics.on should be one of {MEASURED_ON}; got {m.on!r}.")
    return m


def migrate(raw: dict) -> dict:
    """`raw` as a card of the current schema (a copy; `raw` is not changed). Version 1 (no `schema_version`):
    `metrics` was {"test": numbers} after training and {held: {"before", "after", "note"}} after a
    fine-tune; an evaluator's accuracy, epochs and time sat at the top level; there was no `kind`."""
    if not isinstance(raw, dict):
        raise CardError(f"a card is a JSON object; got {type(raw).__name__}.")
    version = raw.get("schema_version", 1)
    if version == SCHEMA_VERSION:
        return dict(raw)
    if version != 1:
        raise CardError(f"schema_version {version!r} is not one this zoo reads (1 or {SCHEMA_VERSION}); a newer zoo "
                        "wrote it: upgrade the zoo (pip install -U zoo).")
    d = dict(raw)
    if "test_accuracy" in d:  # an evaluator
        d["kind"] = "evaluator"
        d["metrics"] = {"on": "test", "images": d.pop("test_images", None),
                        "values": {"accuracy": d.pop("test_accuracy")}}
        d["training"] = {"epochs": d.pop("epochs"), "wall_time_s": d.pop("wall_time_s", None)}
    else:
        d["kind"] = "autoencoder"
        old = d.get("metrics")
        if isinstance(old, dict) and "test" in old:
            values = dict(old["test"])
            d["metrics"] = {"on": "test", "images": values.pop("test_images", None), "values": values}
        elif isinstance(old, dict) and len(old) == 1:
            (held, m), = old.items()
            images = (d.get("data") or {}).get(f"{held}_images")
            d["metrics"] = {"on": held, "images": images, "values": m.get("after"), "before": m.get("before"),
                            "note": m.get("note")}
    d["metrics"] = {k: v for k, v in (d.get("metrics") or {}).items() if v is not None} or None
    d["schema_version"] = SCHEMA_VERSION
    return {k: v for k, v in d.items() if v is not None or k == "dataset"}


def checked(d: dict) -> dict:
    """The JSON a writer is about to store, checked against the current schema (no migration: a writer writes
    the current version) and in the schema's key order."""
    if not isinstance(d, dict) or d.get("schema_version") != SCHEMA_VERSION:
        raise CardError(f"a card written now must say schema_version {SCHEMA_VERSION}; got "
                        f"{d.get('schema_version') if isinstance(d, dict) else d!r}.")
    return Card.from_dict(d).to_dict()


def upgrade(raw: dict) -> dict:
    """The JSON of `raw` at the current schema, checked: what a migrated card.json holds."""
    return Card.from_dict(raw).to_dict()
