"""Plain autoencoders, each sampled from a 10-component mixture fitted to its codes: the shared MLP 784-512-256-16 on
the grey datasets, the residual network with the logistic-mixture likelihood on photographs."""
from zoo.recipes.photographs import LIKELIHOOD
from zoo.recipes.photographs import SETTINGS as PHOTOS
from zoo.registry import add_recipe

for _ds in ("mnist", "fashion_mnist"):
    add_recipe("ae", _ds, latent_dim=16, epochs=40, options={"prior_components": 10})

# A 2-d code, where the picture of the latent space needs no projection (zoo.plot_latent): the holes as they are.
add_recipe("ae", "mnist", name="ae_2d-mnist", latent_dim=2, epochs=40, options={"prior_components": 10})

# CIFAR-10 photographs: the residual backbone and the logistic-mixture likelihood (zoo.recipes.photographs).
add_recipe("ae", "cifar10", **PHOTOS, options={"prior_components": 10, **LIKELIHOOD})
