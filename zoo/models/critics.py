"""Small MLP critics on codes (aae's prior-vs-code discriminator, factor_vae's joint-vs-factorised one), and
the stop-gradient routing that lets both players train through one `compute_loss` on every backend."""
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
