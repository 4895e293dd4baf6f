"""Plain autoencoders: the shared MLP 784-512-256-16; each samples from a 10-component mixture fitted to its codes."""
from zoo.registry import add_recipe

for _ds in ("mnist", "fashion_mnist"):
    add_recipe("ae", _ds, latent_dim=16, epochs=40, options={"prior_components": 10})
