"""VAEs. vae-mnist trains on dynamically binarized digits (the likelihood literature's setting), 191 epochs on a
GPU (see docs/findings.md); Fashion-MNIST is not binary in any useful sense, so its VAE sees grey levels as
Bernoulli means."""
from zoo.recipes.disentanglement_lib import SETTINGS
from zoo.recipes.photographs import LIKELIHOOD
from zoo.recipes.photographs import SETTINGS as PHOTOS
from zoo.registry import add_recipe

add_recipe("vae", "mnist", latent_dim=16, epochs=191, options={"dynamic_binarization": True})
add_recipe("vae", "fashion_mnist", latent_dim=16, epochs=60)

# The baseline of the disentanglement table (Bernoulli decoder on every dataset, as disentanglement_lib).
for _dataset in ("dsprites", "shapes3d"):
    add_recipe("vae", _dataset, **SETTINGS)

# A 2-d code, for the classic picture of a VAE's latent space: codes and the decoded plane (zoo.plot_latent).
add_recipe("vae", "mnist", name="vae_2d-mnist", latent_dim=2, epochs=40, options={"dynamic_binarization": True})

# CIFAR-10 photographs: the residual backbone and the logistic-mixture likelihood (zoo.recipes.photographs).
add_recipe("vae", "cifar10", **PHOTOS, options=LIKELIHOOD)
