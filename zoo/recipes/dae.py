"""Denoising autoencoders, trained on Gaussian noise of std 0.5."""
from zoo.registry import add_recipe

for _ds in ("mnist", "fashion_mnist"):
    add_recipe("dae", _ds, latent_dim=16, epochs=40,
               options={"noise": "gaussian", "noise_level": 0.5, "prior_components": 10})
