"""FactorVAEs at gamma 35: inside disentanglement_lib's sweep (10..100) and the range Kim & Mnih (2018) found
to work on dSprites."""
from zoo.recipes.disentanglement_lib import SETTINGS
from zoo.registry import add_recipe

for _dataset in ("dsprites", "shapes3d"):
    add_recipe("factor_vae", _dataset, **SETTINGS, options={"gamma": 35.0})
