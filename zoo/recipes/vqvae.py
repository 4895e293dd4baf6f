"""VQ-VAEs: a 7x7 grid of 16-d codes (latent_dim 784 = 49 x 16), 128 EMA codebook entries, and a gated
PixelCNN prior trained 15 epochs on the codes. A conv net: an epoch takes minutes on a 2-core CPU."""
from zoo.registry import add_recipe

for _ds in ("mnist", "fashion_mnist"):
    add_recipe("vqvae", _ds, backbone="conv", latent_dim=784, epochs=6,
               options={"code_channels": 16, "codebook_size": 128, "prior_epochs": 15, "prior_gated": True})
