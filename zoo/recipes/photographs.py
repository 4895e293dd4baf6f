"""The network and training shared by the recipes on CIFAR-10 (32x32 colour photographs): the residual backbone
(widths 32-64-128, 32x32 -> 4x4), a 64-unit code, and PixelCNN++'s discretized mixture of 10 logistics as
the decoder's likelihood of 8-bit colour, so losses and likelihoods are those of the pixels themselves.
vae-cifar10 trained 15 epochs (80 minutes on a 2-core CPU); the card records the epochs and machine."""
LIKELIHOOD = {"likelihood": "logistic_mixture", "likelihood_components": 10}
SETTINGS = {"backbone": "resnet", "latent_dim": 64, "batch_size": 128, "learning_rate": 5e-4, "epochs": 15}
