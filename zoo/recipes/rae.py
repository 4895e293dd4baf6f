"""Regularised autoencoders (RAE-L2, Ghosh et al. 2020), sampled from a mixture fitted to their codes."""
from zoo.recipes.photographs import LIKELIHOOD
from zoo.recipes.photographs import SETTINGS as PHOTOS
from zoo.registry import add_recipe

for _ds in ("mnist", "fashion_mnist"):
    add_recipe("rae", _ds, latent_dim=16, epochs=40,
               options={"code_weight": 0.05, "decoder_weight": 1e-4, "prior_components": 10})

# CIFAR-10 photographs: the residual backbone and the logistic-mixture likelihood (zoo.recipes.photographs).
add_recipe("rae", "cifar10", **PHOTOS,
           options={"code_weight": 0.05, "decoder_weight": 1e-4, "prior_components": 10, **LIKELIHOOD})
