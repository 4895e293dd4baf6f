"""Denoising autoencoders, trained on Gaussian noise of std 0.5 (photographs: 0.25)."""
from zoo.recipes.photographs import LIKELIHOOD
from zoo.recipes.photographs import SETTINGS as PHOTOS
from zoo.registry import add_recipe

for _ds in ("mnist", "fashion_mnist"):
    add_recipe("dae", _ds, latent_dim=16, epochs=40,
               options={"noise": "gaussian", "noise_level": 0.5, "prior_components": 10})

# CIFAR-10 photographs: the residual backbone and the logistic-mixture likelihood (zoo.recipes.photographs);
# the clean photograph is the target, so the loss is its likelihood given the code of a noisy copy.
add_recipe("dae", "cifar10", **PHOTOS,
           options={"noise": "gaussian", "noise_level": 0.25, "prior_components": 10, **LIKELIHOOD})
