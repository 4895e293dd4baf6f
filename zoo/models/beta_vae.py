"""beta-VAE (Higgins et al. 2017): the VAE with its KL term weighted by beta > 1, trading reconstruction for
a more factorised, disentangled code. Optional capacity annealing (Burgess et al. 2018): the penalty becomes
gamma * |KL - C| with the target capacity C rising linearly from 0 to capacity_max nats over
capacity_steps training steps, so information enters the code gradually.
"""
import keras
from keras import ops

from zoo.models import losses
from zoo.models.vae import VAE
from zoo.registry import register_family


@register_family("beta_vae")
@keras.saving.register_keras_serializable(package="zoo")
class BetaVAE(VAE):
    loss_names = ("reconstruction", "kl_penalty")
    takes_free_bits = False

    def __init__(self, *args, beta=4.0, capacity_max=None, capacity_steps=10000, gamma=100.0, **kwargs):
        """Args:
            beta: weight of the KL term (1 is the plain VAE).
            capacity_max: with a value, Burgess et al.'s capacity annealing: the loss is gamma * |KL - C| with C
                growing linearly from 0 to capacity_max nats over capacity_steps steps (beta is then unused).
            capacity_steps: steps over which the capacity grows.
            gamma: weight of the capacity term.
            *args, **kwargs: as for VAE.
        """
        self.beta, self.gamma = float(beta), float(gamma)
        self.capacity_max = None if capacity_max is None else float(capacity_max)
        self.capacity_steps = int(capacity_steps)
        super().__init__(*args, **kwargs)

    def make_layers(self):
        # training steps seen, for the capacity schedule (a weight, so it is saved and resumes)
        self.step = self.add_weight(shape=(), initializer="zeros", trainable=False, name="step")

    def capacity(self):
        """The current target KL capacity C in nats."""
        frac = ops.minimum(ops.convert_to_tensor(self.step) / self.capacity_steps, 1.0)
        return self.capacity_max * frac

    def call(self, x, training=False):
        out = super().call(x, training=training)
        if training:
            self.step.assign(self.step + 1.0)
        return out

    def loss_terms(self, x, outputs, training=False):
        kl = losses.gaussian_kl(outputs["mean"], outputs["log_var"])
        if self.capacity_max is None:
            penalty = self.beta * kl
        else:
            penalty = self.gamma * ops.abs(kl - self.capacity())
        return {"reconstruction": self.reconstruction_nll(outputs["target"], outputs["logits"]), "kl_penalty": penalty}

    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "capacity_max": self.capacity_max,
                "capacity_steps": self.capacity_steps, "gamma": self.gamma}
