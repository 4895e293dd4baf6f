"""The settings of a run on your images, typed and checked in one place: `Finetune` (zoo.finetune, `zoo finetune`)
and `NewModel` (zoo.train on your images, `zoo train FAMILY --data`). Every default is written here once (the
registry's learning rate and epochs), a bad value is a ValueError naming it before anything is read or written,
and `to_dict()` is the record the card stores (its `finetune` or `train` section)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from zoo import inputs, registry

FINETUNE_EPOCHS = 5  # a fine-tune's epochs when none are given
VALIDATION_SPLIT = 0.1  # the share of your images held out, never trained on, to measure before and after
NEW_MODEL_BATCH = 128  # a new model's batch size (a fine-tune takes its family's, measured)
FREEZE = (None, "encoder", "decoder")


@dataclass(frozen=True)
class _Run:
    epochs: int
    learning_rate: float | None
    batch_size: int | None
    validation_split: float = VALIDATION_SPLIT
    seed: int = 0
    freeze: str | None = None
    prior_epochs: int | None = None

    def __post_init__(self):
        inputs.as_count(self.epochs, "epochs")
        if self.freeze not in FREEZE:
            raise ValueError(f"freeze must be one of {FREEZE}; got {self.freeze!r}.")
        if self.prior_epochs is not None:
            inputs.as_count(self.prior_epochs, "prior_epochs")
        if self.batch_size is not None:  # None: the family's
            inputs.as_count(self.batch_size, "batch_size")
        if self.learning_rate is not None:  # None: the family's
            inputs.as_positive_number(self.learning_rate, "learning_rate")
        split = self.validation_split
        if isinstance(split, bool) or not isinstance(split, (int, float)) or not (0 <= split < 1):
            raise ValueError(f"validation_split must be in [0, 1); got {split!r}.")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be an integer; got {self.seed!r}.")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Finetune(_Run):
    """A fine-tune. Args:
        epochs: passes over the training share of the images.
        learning_rate, batch_size: None takes the model's (`finetune_rate()`, `finetune_batch_size`).
        validation_split: share held out (0: measure on the training images).
        seed: the split's shuffle and the sampler's refit.
        freeze: "encoder" or "decoder" keeps that network fixed.
        prior_epochs: epochs of a sampler refitted after training (vqvae's PixelCNN); None: the model's own.
        binarize: dynamic binarization (VAE families) on or off; None keeps the model's setting.
    """
    epochs: int = FINETUNE_EPOCHS
    learning_rate: float | None = None
    batch_size: int | None = None
    binarize: bool | None = None

    def __post_init__(self):
        super().__post_init__()
        if self.binarize not in (None, True, False):
            raise ValueError(f"binarize must be True, False or None; got {self.binarize!r}.")

    def to_dict(self) -> dict:  # the card's order, as zoo has always written it
        d = super().to_dict()
        return {k: d[k] for k in ("epochs", "freeze", "learning_rate", "batch_size", "validation_split",
                                  "prior_epochs", "binarize", "seed")}


@dataclass(frozen=True)
class NewModel(_Run):
    """A new model of `family` trained on your images. Args:
        family: the family's name.
        input_shape: (height, width, channels), or None to read it from the first image.
        latent_dim: the code size; None: the family's.
        backbone: "mlp", "conv", "conv4" or "resnet".
        options: the family's own constructor arguments.
        epochs, learning_rate, batch_size, validation_split, seed: as for a fine-tune, with the registry's
            defaults for a new model.
    """
    family: str = ""
    input_shape: tuple | None = None
    latent_dim: int | None = None
    backbone: str = "mlp"
    options: dict = field(default_factory=dict)
    epochs: int = registry.OWN_DATA_EPOCHS
    learning_rate: float = registry.LEARNING_RATE
    batch_size: int = NEW_MODEL_BATCH

    def __post_init__(self):
        super().__post_init__()
        if self.learning_rate is None:
            raise ValueError("learning_rate must be a positive number; got None.")
        if self.freeze is not None or self.prior_epochs is not None:
            raise ValueError("freeze and prior_epochs apply to fine-tuning; a new model trains all of itself.")
        if self.latent_dim is not None:
            inputs.as_count(self.latent_dim, "latent_dim")

    def to_dict(self) -> dict:  # the card's order, as zoo has always written it
        return {"family": self.family, "input_shape": list(self.input_shape or []), "latent_dim": self.latent_dim,
                "backbone": self.backbone, "options": dict(self.options), "epochs": self.epochs,
                "freeze": self.freeze, "learning_rate": self.learning_rate, "batch_size": self.batch_size,
                "validation_split": self.validation_split, "prior_epochs": self.prior_epochs, "seed": self.seed}
