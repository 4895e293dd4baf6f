"""beta-VAEs at beta 4 (Higgins et al. 2017's dSprites setting), the plain VAE's network."""
from zoo.recipes.disentanglement_lib import SETTINGS
from zoo.registry import add_recipe

add_recipe("beta_vae", "mnist", latent_dim=16, epochs=141, options={"beta": 4.0, "dynamic_binarization": True})
add_recipe("beta_vae", "fashion_mnist", latent_dim=16, epochs=40, options={"beta": 4.0})
for _dataset in ("dsprites", "shapes3d"):
    add_recipe("beta_vae", _dataset, **SETTINGS, options={"beta": 4.0})
