"""DIP-VAE-I at Kumar et al.'s dSprites setting: lambda_od 10, lambda_d 100."""
from zoo.recipes.disentanglement_lib import SETTINGS
from zoo.registry import add_recipe

add_recipe("dip_vae", "dsprites", **SETTINGS, options={"variant": "i", "lambda_od": 10.0})
