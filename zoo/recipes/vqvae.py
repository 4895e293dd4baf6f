"""VQ-VAEs: a 7x7 grid of 16-d codes (latent_dim 784 = 49 x 16), 128 EMA codebook entries, and a gated
PixelCNN prior trained 15 epochs on the codes. A conv net: an epoch takes minutes on a 2-core CPU.
CIFAR-10: the paper's network (4x4 stride-2 convolutions and two residual blocks each way, an 8x8 grid of codes
from 512 entries) at 64 filters where the paper has 256, sized to train on a 2-core CPU: 190-260 images/s with
the logistic-mixture likelihood (3.5 minutes an epoch), then 20 epochs of its PixelCNN prior (47 minutes)."""
from zoo.recipes.photographs import LIKELIHOOD
from zoo.recipes.photographs import SETTINGS as PHOTOS
from zoo.registry import add_recipe

for _ds in ("mnist", "fashion_mnist"):
    add_recipe("vqvae", _ds, backbone="conv", latent_dim=784, epochs=6,
               options={"code_channels": 16, "codebook_size": 128, "prior_epochs": 15, "prior_gated": True})

add_recipe("vqvae", "cifar10", **{**PHOTOS, "latent_dim": 4096},
           options={"code_channels": 64, "codebook_size": 512, "hidden": [64, 64], "prior_gated": True,
                    "prior_channels": 64, "prior_depth": 8, "prior_epochs": 20, **LIKELIHOOD})
