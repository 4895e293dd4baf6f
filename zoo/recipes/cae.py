"""Contractive autoencoders: the exact encoder-Jacobian penalty makes an epoch slow, hence 15 epochs."""
from zoo.registry import add_recipe

for _ds in ("mnist", "fashion_mnist"):
    add_recipe("cae", _ds, latent_dim=16, epochs=15, options={"contractive_weight": 0.01, "prior_components": 10})
