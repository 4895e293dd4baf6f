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
        critic = self._get_variable_index(variable) in self._critic_index
        beta_1, beta_2 = (self.critic_beta_1, self.critic_beta_2) if critic else (self.beta_1, self.beta_2)
        dtype = variable.dtype
        lr, gradient = ops.cast(learning_rate, dtype), ops.cast(gradient, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        alpha = lr * ops.sqrt(1 - ops.power(ops.cast(beta_2, dtype), step)) / (
            1 - ops.power(ops.cast(beta_1, dtype), step))
        m = self._momentums[self._get_variable_index(variable)]
        v = self._velocities[self._get_variable_index(variable)]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - beta_1))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), 1 - beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[self._get_variable_index(variable)]
            self.assign(v_hat, ops.maximum(v_hat, v))
            v = v_hat
        self.assign_sub(variable, ops.divide(ops.multiply(m, alpha), ops.add(ops.sqrt(v), self.epsilon)))

    def get_config(self):
        return {**super().get_config(), "critic": self.critic, "critic_beta_1": self.critic_beta_1,
                "critic_beta_2": self.critic_beta_2}
