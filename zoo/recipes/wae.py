"""WAEs with the MMD penalty. wae-mnist keeps the paper's 8-d code (Tolstikhin et al.) for samples of every kind
of digit (recall 0.62; 190 GPU epochs); wae_d6-mnist, a 6-d code at weight 1000, draws more recognisable digits
of far fewer kinds (recall 0.19). Both measured in docs/findings.md."""
from zoo.registry import add_recipe

add_recipe("wae", "mnist", latent_dim=8, epochs=190, options={"mmd_weight": 100.0})
add_recipe("wae", "mnist", name="wae_d6-mnist", latent_dim=6, epochs=100, options={"mmd_weight": 1000.0})
add_recipe("wae", "fashion_mnist", latent_dim=8, epochs=40, options={"mmd_weight": 100.0})
