"""Conditional VAEs: the plain VAE's network and epochs, the class label fed to encoder and decoder."""
from zoo.recipes.photographs import LIKELIHOOD
from zoo.recipes.photographs import SETTINGS as PHOTOS
from zoo.registry import add_recipe

add_recipe("cvae", "mnist", latent_dim=16, epochs=60, options={"dynamic_binarization": True})
add_recipe("cvae", "fashion_mnist", latent_dim=16, epochs=60)

# CIFAR-10 photographs: the residual backbone and the logistic-mixture likelihood (zoo.recipes.photographs), a
# class to draw for each sample.
add_recipe("cvae", "cifar10", **PHOTOS, options=LIKELIHOOD)
