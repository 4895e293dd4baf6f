"""The card's schema: card.json's sections as typed records, its version, and the migration of older cards.

A card is JSON (a Hub model card's data, read by people and by `zoo`); `Card.from_dict` checks it against the
schema and gives typed records all the way down (`card.evaluation.likelihood.iwae_nll_nats`), `Card.to_dict`
gives the JSON back. Every writer builds its card here, so a card has one shape whichever tool wrote it:
`metrics` is always what was measured when the checkpoint was written, on which images, and (for a fine-tune)
the same numbers before. Cards written before the schema had a version (version 1) are read through `migrate`.
Dicts stay dicts only where their keys are data, not schema: metric values (named in zoo.catalogue), a Keras
model config, a run's settings.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field, fields

from zoo.registry import Recipe

SCHEMA_VERSION = 2
KINDS = ("autoencoder", "evaluator")
MEASURED_ON = ("test", "heldout", "train")  # the dataset's test split; a fine-tune's held-out or training images
WEIGHTS_FILE = "model.keras"


class CardError(ValueError):
    """A card that does not follow the schema; the message names the key and what was expected."""


# ---- where a checkpoint came from ----

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
    final_epoch: dict | None = None  # the last epoch's logged losses, by name
    note: str | None = None

    @property
    def minutes(self) -> float | None:
        """Training wall time in minutes, summed over resumed sessions (None if not recorded)."""
        return None if self.wall_time_s is None else self.wall_time_s / 60


@dataclass(frozen=True)
class Hardware:
    """The machine a card was written on."""
    cpu_count: int
    keras_backend: str
    versions: dict  # package -> version
    platform: str | None = None
    processor: str | None = None
    accelerator: str | None = None  # the GPU, e.g. "NVIDIA H200"; None on a CPU
    cpu_model: str | None = None  # e.g. "AMD EPYC 9B45" (zoo.machine); cards written before it lack it
    native_bfloat16: bool | None = None  # whether the CPU computes bfloat16 natively (AMX or AVX512_BF16)

    def describe(self) -> str:
        """'an NVIDIA H200 GPU, 16 CPU cores' or '2 CPU cores (AMD EPYC)'."""
        cores = f"{self.cpu_count} CPU cores"
        if self.accelerator:
            return f"an {self.accelerator} GPU, {cores}"
        return f"{cores} ({self.cpu_model})" if self.cpu_model else cores


@dataclass(frozen=True)
class CodeVersion:
    """The zoo's version and the commit of its code (dirty: uncommitted changes under zoo/)."""
    zoo: str
    git_commit: str | None = None
    git_dirty: bool | None = None
    note: str | None = None


@dataclass(frozen=True)
class Provenance:
    """What wrote the card: the zoo's version and commit, the machine, when."""
    code_version: CodeVersion
    hardware: Hardware | None = None
    created: str | None = None


@dataclass(frozen=True)
class Metrics:
    """The numbers measured when the checkpoint was written, one shape for every kind of model: `values` on
    `images` images of `on` ("test": the dataset's test split; "heldout"/"train": a fine-tune's images), and
    for a fine-tune the same numbers `before` it."""
    on: str
    values: dict  # metric key (zoo.catalogue) -> number
    images: int | None = None
    before: dict | None = None
    note: str | None = None

    def __post_init__(self):
        if self.on not in MEASURED_ON:
            raise CardError(f"metrics.on should be one of {MEASURED_ON}; got {self.on!r}.")


@dataclass(frozen=True)
class Lineage:
    """How a model trained on a user's images came to be: `how` is "finetune" (from the card's `parent`) or
    "train" (a new model), with the run's settings."""
    how: str
    settings: dict


@dataclass(frozen=True)
class Parent:
    """The model a fine-tune started from: its name, dataset and weights' sha256."""
    name: str
    sha256: str | None = None
    dataset: str | None = None


# ---- what `zoo evaluate` measured (zoo.evaluation's record) ----

@dataclass(frozen=True)
class Protocol:
    """The sample sizes of a measurement (zoo.evaluation.PROTOCOL); a factor dataset's records only its seed."""
    seed: int
    samples: int | None = None
    iwae_k: int | None = None
    iwae_images: int | None = None
    code_images: int | None = None
    ex_post_components: int | None = None


@dataclass(frozen=True)
class EvaluatorRef:
    """The evaluator classifier whose features scored the samples."""
    name: str
    test_accuracy: float
    sha256: str | None = None


@dataclass(frozen=True)
class Reconstruction:
    """Test-set reconstruction: MSE per pixel and -log p(x | code) in nats per image (Bernoulli cross-entropy
    `bce_nats`, or another likelihood's `nll_nats`)."""
    mse: float
    bce_nats: float | None = None
    nll_nats: float | None = None


@dataclass(frozen=True)
class Quality:
    """Generated images judged by the evaluator: FID and validity always, the rest for the headline samples."""
    fid: float
    validity: float
    kid: float | None = None
    kid_std: float | None = None
    precision: float | None = None
    recall: float | None = None
    class_histogram: list | None = None
    class_entropy: float | None = None
    class_entropy_ratio: float | None = None
    label_agreement: float | None = None  # a conditional model: the requested class, recognised
    label_agreement_per_class: list | None = None


@dataclass(frozen=True)
class Holes:
    """Where codes decode to: the model's sampler, N(0, I), and the encoded test set (the aggregate posterior)."""
    model_sampler: Quality
    normal_prior: Quality
    aggregate_posterior: Quality


@dataclass(frozen=True)
class Likelihood:
    """An IWAE upper bound on -log p(x) (nats per image) with k importance samples on the first `images` test
    images, and the ELBO on them."""
    neg_elbo_nats: float
    iwae_nll_nats: float
    k: int
    images: int
    binarized: bool
    conditional: bool | None = None  # a bound on -log p(x | y)
    iwae_bits_per_dim: float | None = None


@dataclass(frozen=True)
class Denoised:
    """Reconstructions of corrupted test images against the clean ones."""
    mse: float
    psnr: float
    noisy_psnr: float | None = None  # the corrupted input's own


@dataclass(frozen=True)
class CodeStats:
    """The code's sparsity and the encoder's sensitivity (no Jacobian for a quantised code)."""
    near_zero_share: float
    mean_abs_activation: float
    rms_activation: float
    mostly_silent_units: float
    jacobian_fro_sq: float | None = None
    jacobian_fro: float | None = None
    sem: float | None = None
    probes: int | None = None
    images: int | None = None

    @property
    def relative_jacobian(self) -> float | None:
        """The Jacobian's Frobenius norm relative to the code's RMS scale (None for a quantised code)."""
        return None if self.jacobian_fro is None else self.jacobian_fro / self.rms_activation


@dataclass(frozen=True)
class ExPost:
    """Samples from a Gaussian mixture fitted to the training codes after training."""
    fid: float
    validity: float
    components: int
    fit_images: int
    fit_s: float | None = None


@dataclass(frozen=True)
class Codebook:
    """A VQ-VAE's codebook use on the test set and its prior's fit."""
    codebook_size: int
    perplexity: float
    dead_share: float
    prior_nll_nats_per_grid: float


@dataclass(frozen=True)
class FactorProtocol:
    """The sample sizes of the disentanglement metrics (zoo.factor_metrics.PROTOCOL)."""
    seed: int
    points_train: int
    points_test: int
    bins: int
    dci_train: int
    dci_test: int
    vote_batch: int
    votes_train: int
    votes_eval: int
    variance_points: int | None = None


@dataclass(frozen=True)
class Disentanglement:
    """Every disentanglement score (zoo.catalogue.DISENTANGLEMENT keys) and what they were computed from."""
    scores: dict  # metric key -> score
    protocol: FactorProtocol
    factors: list
    details: dict | None = None  # per-unit matrices behind the scores
    dataset: str | None = None
    wall_time_s: float | None = None

    @property
    def unit_factor_info(self) -> list | None:
        """MI(unit; factor) / H(factor) per unit and factor: which factor each code unit carries."""
        return (self.details or {}).get("unit_factor_info")


@dataclass(frozen=True)
class Evaluation:
    """What `zoo evaluate` measured, by section; a section the model has no use for is None."""
    protocol: Protocol
    test_images: int
    reconstruction: Reconstruction
    evaluator: EvaluatorRef | None = None
    samples: Quality | None = None
    holes: Holes | None = None
    interpolation: Quality | None = None
    likelihood: Likelihood | None = None
    codebook: Codebook | None = None
    denoising: dict[str, Denoised] | None = None  # by corruption, e.g. "gaussian@0.5"
    code: CodeStats | None = None
    ex_post: ExPost | None = None
    disentanglement: Disentanglement | None = None
    wall_time_s: float | None = None

    @property
    def code_grid_bound_nats(self) -> float | None:
        """A VQ-VAE's bound on -log p(x) (nats per image) from two measured terms, where its decoder is a likelihood
        of the pixels: -log p(x | z(x)) - log p(z(x)), z(x) the grid the encoder picks (p(x) sums p(z) p(x | z)
        over every grid, this one among them). None for other models."""
        if self.codebook is None or self.reconstruction.nll_nats is None:
            return None
        return self.reconstruction.nll_nats + self.codebook.prior_nll_nats_per_grid


@dataclass(frozen=True)
class Baseline:
    """The same network trained as another family, scored by this model's likelihood estimator."""
    family: str
    recipe: Recipe
    likelihood: Likelihood
    hardware: Hardware
    reproduce: str
    wall_time_s: float | None = None


@dataclass(frozen=True)
class SeedRun:
    """The same recipe at another seed: its disentanglement scores."""
    seed: int
    scores: dict
    steps: int | None = None


# ---- the card ----

@dataclass(frozen=True)
class Card:
    """A checkpoint's card. `kind` is "autoencoder" (every zoo model) or "evaluator" (the classifier whose
    features the sample metrics read)."""
    name: str
    kind: str
    dataset: str | None  # None: a model of a user's images
    params: int
    provenance: Provenance | None  # None only for a bare model file's card, made up by `zoo.info`
    reproduce: str | None = None  # the `zoo` command that trains it again
    family: str | None = None
    recipe: Recipe | None = None  # the registry recipe the run trained
    model_config: dict | None = None  # the Keras config the model is rebuilt from
    likelihood: str | None = None
    data: DataRecord | None = None
    training: Training | None = None
    metrics: Metrics | None = None
    evaluation: Evaluation | None = None  # what `zoo evaluate` measured
    lineage: Lineage | None = None
    parent: Parent | None = None  # the model it was fine-tuned from
    baseline: Baseline | None = None  # the plain VAE of the same network, scored by this model's estimator
    seeds: list[SeedRun] | None = None  # the same recipe at other seeds
    feature_layer: str | None = None  # an evaluator's feature layer
    repo_id: str | None = None  # where push_to_hub published it, and when
    pushed: str | None = None
    files: dict[str, FileEntry] = field(default_factory=dict)

    @property
    def model_sha256(self) -> str | None:
        """The sha256 the card records for its weights file (None if none)."""
        entry = self.files.get(WEIGHTS_FILE)
        return entry.sha256 if entry else None

    @property
    def input_shape(self) -> tuple:
        """The image shape the model reads, from its Keras config."""
        return tuple(self.model_config["input_shape"])

    @property
    def latent_dim(self) -> int:
        return self.model_config["latent_dim"]

    @property
    def likelihood_kind(self) -> str:
        """The decoder likelihood's name in the model's config ("bernoulli" unless the config names another)."""
        return self.model_config.get("likelihood") or "bernoulli"

    @property
    def prior_config(self) -> dict | None:
        """The serialised prior (its registered name and config) in the model's config, if it has one."""
        prior = self.model_config.get("prior")
        return prior if isinstance(prior, dict) else None

    @classmethod
    def from_dict(cls, raw: dict) -> Card:
        """The typed card of JSON object `raw` (any schema version this zoo knows); CardError if it breaks the
        schema."""
        d = migrate(raw)
        plain = [f.name for f in fields(cls) if f.name not in ("provenance", "lineage")]
        known = set(plain) | {"schema_version", "hardware", "code_version", "created", *LINEAGES}
        unknown = sorted(set(d) - known)
        if unknown:
            raise CardError(f"unknown key(s) {', '.join(map(repr, unknown))}; a card of schema {SCHEMA_VERSION} has "
                            f"{', '.join(sorted(known))}.")
        hints = typing.get_type_hints(cls)
        values = {n: _value(hints[n], d[n], n) for n in plain if n in d}
        for n in ("name", "kind", "params"):
            if values.get(n) is None:
                raise CardError(f"{n} should be {hints[n].__name__}; the card has none.")
        if values["kind"] not in KINDS:
            raise CardError(f"kind should be one of {KINDS}; got {values['kind']!r}.")
        how = [h for h in LINEAGES if d.get(h) is not None]
        lineage = Lineage(how[0], _value(dict, d[how[0]], how[0])) if how else None
        provenance = Provenance(_value(CodeVersion, d.get("code_version"), "code_version"),
                                _value(Hardware | None, d.get("hardware"), "hardware"),
                                _value(str | None, d.get("created"), "created"))
        return cls(**{"dataset": None, **values}, provenance=provenance, lineage=lineage)

    def to_dict(self) -> dict:
        """card.json's object: the schema's keys in a fixed order, absent fields left out."""
        p = self.provenance or Provenance(None)
        out = {"schema_version": SCHEMA_VERSION, "name": self.name, "kind": self.kind, "family": self.family,
               "dataset": self.dataset, "recipe": self.recipe, "model_config": self.model_config,
               "params": self.params, "likelihood": self.likelihood, "feature_layer": self.feature_layer,
               "data": self.data, "metrics": self.metrics, "training": self.training,
               "hardware": p.hardware, "code_version": p.code_version, "created": p.created, "parent": self.parent}
        if self.lineage is not None:
            out[self.lineage.how] = self.lineage.settings
        out.update({"reproduce": self.reproduce, "repo_id": self.repo_id, "pushed": self.pushed,
                    "evaluation": self.evaluation, "baseline": self.baseline, "seeds": self.seeds,
                    "files": dict(sorted(self.files.items()))})
        return {k: _plain(v) for k, v in out.items() if v is not None or k == "dataset"}  # no dataset: your images

    def replace(self, **changes) -> Card:
        return dataclasses.replace(self, **changes)


LINEAGES = ("finetune", "train")  # a Lineage's `how`: the card key its settings are stored under


def _check(value, kinds, where: str):
    """`value` if it is one of `kinds`; else CardError naming `where` (a bool is not a number here)."""
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise CardError(f"{where} should be {names}; got {type(value).__name__} {str(value)[:60]!r}.")
    return value


def _value(tp, value, where: str):
    """`value` read as type `tp` (a record, `X | None`, dict[str, X], list[X] or a JSON scalar), checked."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return _value(inner, value, where)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, where)
    if origin is dict:
        _, inner = typing.get_args(tp)
        return {k: _value(inner, v, f"{where}.{k}") for k, v in _check(value, (dict,), where).items()}
    if origin is list:
        (inner,) = typing.get_args(tp)
        return [_value(inner, v, f"{where}[{i}]") for i, v in enumerate(_check(value, (list,), where))]
    return _check(value, (int, float) if tp is float else (tp,), where)


def parse(cls, raw, where: str | None = None):
    """Record `cls` (a section of the card, e.g. Evaluation) from its JSON; CardError naming the key if not."""
    return _build(cls, raw, where or cls.__name__.lower())


def _build(cls, raw, where: str):
    """Record `cls` from JSON object `raw`: no unknown key, none of the required ones missing, each typed."""
    _check(raw, (dict,), where)
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise CardError(f"{where} has unknown key(s) {', '.join(map(repr, unknown))}; it may have "
                        f"{', '.join(known)}.")
    missing = [n for n, f in known.items() if n not in raw and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise CardError(f"{where} lacks {', '.join(missing)}.")
    hints = typing.get_type_hints(cls)
    return cls(**{n: _value(hints[n], v, f"{where}.{n}") for n, v in raw.items()})


def as_json(record):
    """The JSON of a record (a section of the card): what card.json holds for it."""
    return _plain(record)


def _plain(value):
    """The JSON of a record: its fields in order, absent (None) ones left out; a recipe keeps all its fields."""
    if isinstance(value, Recipe):
        return value.to_dict()
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(v) for f in fields(value) if (v := getattr(value, f.name)) is not None}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


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
                        "wrote it: upgrade the zoo (pip install -U autoencoder-zoo).")
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


def checked(d: Card | dict) -> dict:
    """The JSON a writer is about to store, checked against the current schema (no migration: a writer writes
    the current version) and in the schema's key order."""
    if isinstance(d, Card):
        return d.to_dict()
    if not isinstance(d, dict) or d.get("schema_version") != SCHEMA_VERSION:
        raise CardError(f"a card written now must say schema_version {SCHEMA_VERSION}; got "
                        f"{d.get('schema_version') if isinstance(d, dict) else d!r}.")
    return Card.from_dict(d).to_dict()


def upgrade(raw: dict) -> dict:
    """The JSON of `raw` at the current schema, checked: what a migrated card.json holds."""
    return Card.from_dict(raw).to_dict()
