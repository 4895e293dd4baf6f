"""A run's settings on your images: every default written once, each bad value refused by name before any work,
and the record the card stores."""
import math

import pytest

from zoo import registry, runs

pytestmark = pytest.mark.backend_agnostic


def test_defaults_are_the_registrys_and_the_cards_record_keeps_its_keys():
    new = runs.NewModel(family="vae", input_shape=(28, 28, 1))
    assert new.epochs == registry.OWN_DATA_EPOCHS and new.learning_rate == registry.LEARNING_RATE
    assert list(new.to_dict()) == ["family", "input_shape", "latent_dim", "backbone", "options", "epochs", "freeze",
                                   "learning_rate", "batch_size", "validation_split", "prior_epochs", "seed"]
    tune = runs.Finetune()
    assert (tune.epochs, tune.learning_rate, tune.validation_split) == (runs.FINETUNE_EPOCHS, None, 0.1)
    assert list(tune.to_dict()) == ["epochs", "freeze", "learning_rate", "batch_size", "validation_split",
                                    "prior_epochs", "binarize", "seed"]


@pytest.mark.parametrize("kind, args, message", [
    (runs.Finetune, {"learning_rate": 0}, "learning_rate must be a positive number; got 0"),
    (runs.Finetune, {"learning_rate": math.nan}, "learning_rate must be a positive number"),
    (runs.Finetune, {"epochs": -2}, "epochs must be a positive integer; got -2"),
    (runs.Finetune, {"epochs": 2.5}, "epochs must be a positive integer"),
    (runs.Finetune, {"batch_size": 0}, "batch_size must be a positive integer"),
    (runs.Finetune, {"validation_split": 1.0}, "validation_split must be in [0, 1)"),
    (runs.Finetune, {"freeze": "both"}, "freeze must be one of"),
    (runs.Finetune, {"binarize": "yes"}, "binarize must be True, False or None"),
    (runs.Finetune, {"seed": "0"}, "seed must be an integer"),
    (runs.NewModel, {"learning_rate": 0.0}, "learning_rate must be a positive number; got 0.0"),
    (runs.NewModel, {"learning_rate": None}, "learning_rate must be a positive number; got None"),
    (runs.NewModel, {"latent_dim": 0}, "latent_dim must be a positive integer"),
    (runs.NewModel, {"freeze": "encoder"}, "freeze and prior_epochs apply to fine-tuning"),
])
def test_a_bad_setting_is_refused_by_name(kind, args, message):
    with pytest.raises(ValueError) as e:
        kind(**args)
    assert message in str(e.value)
