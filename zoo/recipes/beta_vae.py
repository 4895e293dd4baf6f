"""beta-VAEs at beta 4, the plain VAE's network."""
from zoo.registry import add_recipe

add_recipe("beta_vae", "mnist", latent_dim=16, epochs=141, options={"beta": 4.0, "dynamic_binarization": True})
add_recipe("beta_vae", "fashion_mnist", latent_dim=16, epochs=40, options={"beta": 4.0})
