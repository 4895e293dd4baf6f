import pytest

import zoo


def test_list_models():
    names = zoo.list_models()
    assert names == sorted(names) and {"ae-mnist", "vae-mnist", "ae-fashion_mnist", "vae-fashion_mnist"} <= set(names)
    assert zoo.list_models("vae-*") == ["vae-cifar10", "vae-dsprites", "vae-fashion_mnist", "vae-mnist", "vae-shapes3d"]
    assert zoo.list_models("*-mnist") == [n for n in names if n.endswith("-mnist")]
    assert zoo.list_models("nothing*") == []


def test_names_follow_family_dataset():
    from zoo.datasets import DATASETS
    from zoo.factory import get_family
    from zoo.registry import RECIPES

    for name, r in RECIPES.items():  # family-dataset, or a named variant beside it: family_variant-dataset
        assert name == f"{r.family}-{r.dataset}" or (name.startswith(f"{r.family}_")
                                                     and name.endswith(f"-{r.dataset}")), name
        assert get_family(r.family).family == r.family and r.dataset in DATASETS
    assert {"iwae_d6-mnist", "wae_d6-mnist"} <= set(RECIPES)


@pytest.mark.parametrize("name, suggestion", [("vae-mnsit", "vae-mnist"), ("ae_mnist", "ae-mnist"),
                                              ("vae-fashion", "vae-fashion_mnist")])
def test_unknown_name_suggests(name, suggestion):
    with pytest.raises(KeyError, match=f"Did you mean: .*{suggestion}") as e:
        zoo.load(name)
    assert "zoo.list_models()" in str(e.value)


def test_unknown_dataset_names_the_known_ones():
    from zoo.datasets import get_dataset

    with pytest.raises(KeyError, match="Unknown dataset 'mnsit'.*Did you mean: mnist"):
        get_dataset("mnsit")


def test_unknown_family():
    with pytest.raises(KeyError, match="Unknown family 'vea'.*vae"):
        zoo.create("vea")


def test_backend_is_the_requested_one():
    import os

    import keras

    assert keras.backend.backend() == os.environ.get("KERAS_BACKEND", "tensorflow")
