"""Denoising autoencoder (Vincent et al. 2008): trained to reconstruct clean images from corrupted ones.

Corruption (gaussian noise, masking or salt-and-pepper, with a level) is applied only while training;
`denoise(x_noisy)` is the use. Samples come from a Gaussian mixture fitted to the clean training codes.
"""
import keras

from zoo.models import corruption
from zoo.models.ae import AE
from zoo.registry import register_family


@register_family("dae")
@keras.saving.register_keras_serializable(package="zoo")
class DAE(AE):
    noisy_step = True  # a corruption draw per pixel

    def __init__(self, *args, noise="gaussian", noise_level=0.5, **kwargs):
        """Args:
            noise: the corruption the encoder sees in training ("gaussian", "masking" or "salt_pepper").
            noise_level: its strength (standard deviation, or share of pixels).
            *args, **kwargs: as for AE.
        """
        corruption.check(noise, noise_level)
        self.noise, self.noise_level = noise, float(noise_level)
        super().__init__(*args, **kwargs)

    def call(self, x, training=False):
        clean = x
        if training:
            x = corruption.corrupt(x, self.noise, self.noise_level, seed=self.seed_generator)
        out = super().call(x, training=training)
        out["target"] = clean  # the loss compares the reconstruction with the clean image
        return out

    def denoise(self, x_noisy, batch_size=1000):
        """Clean up noisy images: the same as reconstruct, named for what a DAE is for."""
        return self.reconstruct(x_noisy, batch_size=batch_size)

    def get_config(self):
        return {**super().get_config(), "noise": self.noise, "noise_level": self.noise_level}
