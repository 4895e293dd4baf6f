"""Per-example loss pieces shared by the families, written with keras.ops only (any backend)."""
from keras import ops


def bernoulli_nll(x, logits):
    """-log p(x | logits) under independent Bernoullis, summed over pixels: nats per image, shape (N,).

    Stable form of binary cross-entropy with logits; x may be grey levels in [0, 1].
    """
    logits = ops.convert_to_tensor(logits)
    x = ops.cast(ops.convert_to_tensor(x), logits.dtype)
    per_pixel = ops.relu(logits) - logits * x + ops.log1p(ops.exp(-ops.abs(logits)))
    return ops.sum(ops.reshape(per_pixel, (ops.shape(x)[0], -1)), axis=1)


def squared_error(x, x_hat):
    """Sum of squared pixel errors per image, shape (N,)."""
    x_hat = ops.convert_to_tensor(x_hat)
    x = ops.cast(ops.convert_to_tensor(x), x_hat.dtype)
    return ops.sum(ops.reshape(ops.square(x - x_hat), (ops.shape(x)[0], -1)), axis=1)


def gaussian_kl(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)) in nats per example, shape (N,)."""
    mean, log_var = ops.convert_to_tensor(mean), ops.convert_to_tensor(log_var)
    return 0.5 * ops.sum(ops.square(mean) + ops.exp(log_var) - 1.0 - log_var, axis=-1)


def free_bits_kl(mean, log_var, free_bits: float):
    """gaussian_kl with free bits: each unit's KL counts as `free_bits` nats where its batch mean is below that
    (no gradient there), so the batch mean of the result is sum_d max(free_bits, mean_n KL_nd). Shape (N,)."""
    mean, log_var = ops.convert_to_tensor(mean), ops.convert_to_tensor(log_var)
    per_unit = 0.5 * (ops.square(mean) + ops.exp(log_var) - 1.0 - log_var)
    used = ops.mean(per_unit, axis=0, keepdims=True) > free_bits
    return ops.sum(ops.where(used, per_unit, ops.cast(free_bits, per_unit.dtype)), axis=-1)
