"""Small MLP critics on codes (aae's prior-vs-code discriminator, factor_vae's joint-vs-factorised one), the
stop-gradient routing that lets both players train through one `compute_loss` on every backend, and an Adam
that gives the critic its own momentum settings within that one optimizer step."""
import keras
from keras import ops

from zoo.models import precision


def mlp(in_dim, units, activation="relu", name="discriminator"):
    """in_dim features -> one logit, through Dense layers of `units` widths."""
    stack = [keras.Input((in_dim,))] + [keras.layers.Dense(u, activation=activation) for u in units]
    return keras.Sequential(stack + [keras.layers.Dense(1), *precision.float32_output()], name=name)


def logit(critic, h, frozen=False):
    """The critic's logit for each row of h, (N,); frozen=True treats its weights as constants, so the gradient
    reaches only h (the player being trained against the critic)."""
    if not frozen:
        return critic(h)[:, 0]
    for layer in critic.layers:
        if not isinstance(layer, keras.layers.Dense):  # the float32 identity at the end under mixed precision
            continue
        h = layer.activation(ops.matmul(h, ops.stop_gradient(layer.kernel)) + ops.stop_gradient(layer.bias))
    return h[:, 0]


@keras.saving.register_keras_serializable(package="zoo")
class CriticAdam(keras.optimizers.Adam):
    """Adam whose critic variables (those of the layer named `critic`) use their own betas: one optimizer step
    that updates the two players as two Adams would. Kim & Mnih (2018) train FactorVAE's discriminator with
    beta_1 0.5 and beta_2 0.9, the VAE with Adam's defaults; both at the same learning rate."""

    def __init__(self, learning_rate=0.001, critic="discriminator", critic_beta_1=0.5, critic_beta_2=0.9, **kwargs):
        """Args:
            learning_rate: as for Adam, for both players.
            critic: name of the critic layer; its variables are those whose path starts with `critic/`.
            critic_beta_1, critic_beta_2: the critic's Adam betas (the other variables use beta_1, beta_2).
            **kwargs: as for keras.optimizers.Adam.
        """
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.critic = str(critic)
        self.critic_beta_1 = float(critic_beta_1)
        self.critic_beta_2 = float(critic_beta_2)
        self._critic_index = frozenset()

    def build(self, var_list):
        super().build(var_list)
        self._critic_index = frozenset(i for i, v in enumerate(var_list) if v.path.startswith(self.critic + "/"))

    def update_step(self, gradient, variable, learning_rate):
        """Keras' own Adam step, with the critic's betas in place while a critic variable is updated (betas are
        Python numbers, read as the step is traced)."""
        if self._get_variable_index(variable) not in self._critic_index:
            return super().update_step(gradient, variable, learning_rate)
        own = self.beta_1, self.beta_2
        self.beta_1, self.beta_2 = self.critic_beta_1, self.critic_beta_2
        try:
            return super().update_step(gradient, variable, learning_rate)
        finally:
            self.beta_1, self.beta_2 = own

    def get_config(self):
        return {**super().get_config(), "critic": self.critic, "critic_beta_1": self.critic_beta_1,
                "critic_beta_2": self.critic_beta_2}
