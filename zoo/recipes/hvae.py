"""Two-layer hierarchical VAEs: z1 (32) under z2 (32), KL warm-up; latent_dim counts z1 and z2. On digits and
clothes conv nets (64, 128 filters) with a VampPrior on z2 (Tomczak & Welling's HVAE + VampPrior), trained on a GPU
(mnist 120 epochs, fashion 124); on CIFAR-10 the residual backbone with the photographs' likelihood."""
from zoo.recipes.photographs import LIKELIHOOD
from zoo.recipes.photographs import SETTINGS as PHOTOS
from zoo.registry import add_recipe

add_recipe("hvae", "mnist", backbone="conv", latent_dim=64, epochs=120,
           options={"top_dim": 32, "warmup_steps": 9380, "dynamic_binarization": True, "top_components": 500,
                    "hidden": [64, 128]})
add_recipe("hvae", "fashion_mnist", backbone="conv", latent_dim=64, epochs=124,
           options={"top_dim": 32, "warmup_steps": 9380, "top_components": 500, "hidden": [64, 128]})

# CIFAR-10: the residual backbone, z1 (32) under z2 (32) with p(z2) = N(0, I) (a VampPrior would encode its
# pseudo-photographs every step), KL warm-up over the first 10 epochs.
add_recipe("hvae", "cifar10", **PHOTOS, options={"top_dim": 32, "warmup_steps": 3900, **LIKELIHOOD})
