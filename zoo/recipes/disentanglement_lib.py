"""The network and training of disentanglement_lib (Locatello et al. 2019), shared by every recipe on the
factor datasets so their numbers compare with the paper's: the conv4 backbone (4x4 stride-2 convolutions
32-32-64-64, dense 256), a 10-unit code, Adam at 1e-4, batch 64. The paper trains 300,000 steps; the recipes
say so (300 epochs of 1,000 steps) and a card records the steps a checkpoint actually had."""
SETTINGS = {"backbone": "conv4", "latent_dim": 10, "batch_size": 64, "learning_rate": 1e-4, "epochs": 300,
            "steps_per_epoch": 1000}
