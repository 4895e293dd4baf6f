"""IWAEs (k = 5), the plain VAE's network. iwae-mnist keeps the 16-d code, for the likelihood the family exists
for (212 GPU epochs); iwae_d6-mnist, a 6-d code, trades 14 nats of it for more recognisable N(0, I) samples
(156 GPU epochs). Both measured in docs/findings.md."""
from zoo.registry import add_recipe

add_recipe("iwae", "mnist", latent_dim=16, epochs=212, options={"k": 5, "dynamic_binarization": True})
add_recipe("iwae", "mnist", name="iwae_d6-mnist", latent_dim=6, epochs=156,
           options={"k": 5, "dynamic_binarization": True})
add_recipe("iwae", "fashion_mnist", latent_dim=16, epochs=60, options={"k": 5})
