"""VAEs with the VampPrior (500 pseudo-inputs), the plain VAE's network, so the prior is what differs."""
from zoo.registry import add_recipe

add_recipe("vamp", "mnist", latent_dim=16, epochs=160, options={"components": 500, "dynamic_binarization": True})
add_recipe("vamp", "fashion_mnist", latent_dim=16, epochs=60, options={"components": 500})
