"""Two-layer hierarchical VAEs: conv nets (64, 128 filters), z1 (32) under z2 (32) with a VampPrior on z2
(Tomczak & Welling's HVAE + VampPrior), KL warm-up; trained on a GPU (mnist 120 epochs, fashion 124).
latent_dim counts z1 and z2."""
from zoo.registry import add_recipe

add_recipe("hvae", "mnist", backbone="conv", latent_dim=64, epochs=120,
           options={"top_dim": 32, "warmup_steps": 9380, "dynamic_binarization": True, "top_components": 500,
                    "hidden": [64, 128]})
add_recipe("hvae", "fashion_mnist", backbone="conv", latent_dim=64, epochs=124,
           options={"top_dim": 32, "warmup_steps": 9380, "top_components": 500, "hidden": [64, 128]})
