"""Sparse autoencoders: an L1 penalty on a ReLU code twice as wide as the others'."""
from zoo.registry import add_recipe

for _ds in ("mnist", "fashion_mnist"):
    add_recipe("sae", _ds, latent_dim=32, epochs=40,
               options={"sparsity": "l1", "sparsity_weight": 0.1, "prior_components": 10})
