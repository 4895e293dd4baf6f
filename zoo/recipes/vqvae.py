"""VQ-VAEs: a 7x7 grid of 16-d codes (latent_dim 784 = 49 x 16), 128 EMA codebook entries, and a gated
PixelCNN prior trained 15 epochs on the codes. A conv net: an epoch takes minutes on a 2-core CPU."""
from zoo.recipes.photographs import LIKELIHOOD
from zoo.registry import add_recipe

for _ds in ("mnist", "fashion_mnist"):
    add_recipe("vqvae", _ds, backbone="conv", latent_dim=784, epochs=6,
               options={"code_channels": 16, "codebook_size": 128, "prior_epochs": 15, "prior_gated": True})

# CIFAR-10 as in van den Oord et al. 2017 (narrower: 128 filters where the paper has 256): 4x4 stride-2
# convolutions and two residual blocks each way, an 8x8 grid of 64-d codes from 512 entries, a gated PixelCNN
# prior over the grid.
add_recipe("vqvae", "cifar10", backbone="resnet", latent_dim=4096, batch_size=128, learning_rate=5e-4, epochs=200,
           options={"code_channels": 64, "codebook_size": 512, "hidden": [128, 128], "prior_gated": True,
                    "prior_channels": 64, "prior_depth": 8, "prior_epochs": 20, **LIKELIHOOD})
