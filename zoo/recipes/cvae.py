"""Conditional VAEs: the plain VAE's network and epochs, the class label fed to encoder and decoder."""
from zoo.registry import add_recipe

add_recipe("cvae", "mnist", latent_dim=16, epochs=60, options={"dynamic_binarization": True})
add_recipe("cvae", "fashion_mnist", latent_dim=16, epochs=60)
