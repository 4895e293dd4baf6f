"""beta-TCVAEs at beta 6, the middle of disentanglement_lib's sweep (1..10)."""
from zoo.recipes.disentanglement_lib import SETTINGS
from zoo.registry import add_recipe

for _dataset in ("dsprites", "shapes3d"):
    add_recipe("beta_tcvae", _dataset, **SETTINGS, options={"beta": 6.0})
