"""Contractive autoencoder (Rifai et al. 2011): reconstruction + weight * ||d code / d x||_F^2.

The penalty makes the code insensitive to small input changes except along the data manifold. It is
computed exactly, not estimated: for the MLP encoder (ReLU hidden layers, linear code) the Jacobian is
W_L^T D_{L-1} ... D_1 W_1^T with D_i the ReLU masks, multiplied out per image with keras.ops.einsum, so it
runs on every backend. Only the 'mlp' backbone is supported. Samples come from a fitted Gaussian mixture.
"""
import keras
from keras import ops

from zoo.models.ae import AE
from zoo.registry import register_family


def mlp_jacobian_sq_norm(dense_layers, x):
    """Per-image squared Frobenius norm of the Jacobian of a ReLU MLP (last layer linear) at inputs x."""
    h = ops.reshape(x, (ops.shape(x)[0], -1))
    masks = []
    for layer in dense_layers[:-1]:
        pre = ops.matmul(h, layer.kernel) + layer.bias
        masks.append(ops.cast(pre > 0, pre.dtype))
        h = ops.relu(pre)
    # m: (N, code, units) = d code / d (hidden activations of the layer below), built from the top down.
    m = ops.transpose(dense_layers[-1].kernel)[None] * masks[-1][:, None, :]
    for i in range(len(masks) - 2, -1, -1):
        m = ops.einsum("ncu,vu->ncv", m, dense_layers[i + 1].kernel) * masks[i][:, None, :]
    # ||m W_1^T||_F^2 = sum_c m_c (W_1^T W_1) m_c^T: the Gram matrix is smaller than the pixel-wide Jacobian.
    w1 = dense_layers[0].kernel
    gram = ops.matmul(ops.transpose(w1), w1)
    return ops.sum(ops.einsum("ncu,uv->ncv", m, gram) * m, axis=(1, 2))


@register_family("cae")
@keras.saving.register_keras_serializable(package="zoo")
class CAE(AE):
    loss_names = ("reconstruction", "contractive")

    def __init__(self, *args, contractive_weight=0.01, **kwargs):
        """Args:
            contractive_weight: weight of the squared Frobenius norm of the encoder's Jacobian.
            *args, **kwargs: as for AE (the backbone must be "mlp": the Jacobian is computed exactly).
        """
        if kwargs.get("backbone", "mlp") != "mlp":
            raise ValueError("The contractive penalty is computed exactly for the 'mlp' backbone only; "
                             f"got backbone={kwargs['backbone']!r}.")
        self.contractive_weight = float(contractive_weight)
        super().__init__(*args, **kwargs)

    def jacobian_sq_norm(self, x):
        """||d code / d x||_F^2 per image, exact."""
        return mlp_jacobian_sq_norm([layer for layer in self.encoder.layers if isinstance(layer, keras.layers.Dense)], x)

    def loss_terms(self, x, outputs, training=False):
        terms = super().loss_terms(x, outputs, training)
        terms["contractive"] = self.contractive_weight * self.jacobian_sq_norm(x)
        return terms

    def get_config(self):
        return {**super().get_config(), "contractive_weight": self.contractive_weight}
