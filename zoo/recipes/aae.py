"""Adversarial AEs: an 8-d code pushed onto N(0, I) by a discriminator weighted 20 against reconstruction."""
from zoo.registry import add_recipe

for _ds, _epochs in (("mnist", 100), ("fashion_mnist", 40)):
    add_recipe("aae", _ds, latent_dim=8, epochs=_epochs, options={"adversarial_weight": 20.0})
