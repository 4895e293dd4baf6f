"""Mixed precision: under Keras' mixed_bfloat16 policy every family trains with bfloat16 networks while its
weights, losses, codes and samples stay float32, and its checkpoints load under either policy."""
import keras
import numpy as np
import pytest

import zoo
from tests.unit.conftest import FAMILIES, tiny
from zoo import machine
from zoo.models import precision


@pytest.fixture
def mixed():
    """The mixed_bfloat16 policy for one test, the previous one restored after it."""
    with precision.policy("mixed_bfloat16"):
        yield


@pytest.mark.parametrize("family", [*FAMILIES, "cvae", "vqvae-gated"])
def test_every_family_trains_under_mixed_bfloat16(family, images, mixed):
    if family.startswith("vqvae") and keras.backend.backend() == "torch" and not machine.native_bfloat16():
        # PyTorch's CPU convolutions have no bfloat16 backward pass without native bfloat16 ("slow_conv2d:
        # grad_weight must be contiguous"): a limit of the backend on such CPUs, not of the model
        pytest.skip("PyTorch trains bfloat16 convolutions on a CPU only where it has native bfloat16")
    model = tiny("vqvae", prior_gated=True) if family == "vqvae-gated" else tiny(family)
    hidden = next(layer for layer in model.encoder.layers if layer.weights)
    assert hidden.compute_dtype == "bfloat16" and hidden.variable_dtype == "float32"
    labels = np.arange(len(images)) % model.num_classes if model.conditional else None
    data = (images, labels) if model.conditional else images
    # Two tiny steps: TensorFlow's tracing would take longer than running them eagerly (JAX's is quicker than
    # its eager mode). The traced path under this policy: test_own_images' and test_training's mixed runs.
    model.compile(optimizer=keras.optimizers.Adam(1e-3), run_eagerly=keras.backend.backend() != "jax")
    hist = model.fit(data, epochs=2, batch_size=32, verbose=0).history
    for name in ("loss", *model.loss_names):
        assert np.all(np.isfinite(hist[name])), name
    assert {v.dtype for v in model.weights} == {"float32"}
    if model.fitted_prior:
        model.fit_prior(images, verbose=0)
    kw = {"labels": labels} if model.conditional else {}
    codes = model.encode(images, **kw)
    assert codes.dtype == np.float32 and np.all(np.isfinite(codes))
    out = model.sample(4, seed=0, **({"labels": 1} if model.conditional else {}))
    assert out.dtype == np.float32 and out.shape == (4, 28, 28, 1) and np.all((out >= 0) & (out <= 1))


def test_losses_are_float32_math_under_mixed_precision(images, mixed, tmp_path):
    """The same weights give nearly the same loss under either policy: only the networks' products round to
    bfloat16; the per-pixel sums (hundreds of nats) stay float32. And a file saved under one policy loads under
    the other with every weight as it was."""
    model = tiny("vae")
    x = images[..., None].astype("float32") / 255.0
    mixed_loss = float(keras.ops.convert_to_numpy(model.compute_loss(x, y_pred=model(x), training=False)))
    path = tmp_path / "mixed.keras"
    model.save(path)
    keras.config.set_dtype_policy("float32")
    back = zoo.load(path)
    assert back.encoder.layers[1].compute_dtype == "float32"
    for a, b in zip(model.weights, back.weights, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    full_loss = float(keras.ops.convert_to_numpy(back.compute_loss(x, y_pred=back(x), training=False)))
    assert mixed_loss == pytest.approx(full_loss, rel=0.01)
    assert back.encode(images).dtype == np.float32


def test_a_float16_policy_is_refused_before_anything_is_built_or_loaded():
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        with pytest.raises(ValueError, match="mixed_bfloat16"):
            zoo.create("vae")
        with pytest.raises(ValueError, match="^The zoo's models train in float32 or mixed_bfloat16"):
            zoo.load("vae-mnist")
    finally:
        keras.config.set_dtype_policy(before)


def test_the_flag_block_sets_mixed_bfloat16_only_when_asked_and_restores_the_policy():
    before = keras.config.dtype_policy().name
    with precision.mixed(False):
        assert keras.config.dtype_policy().name == before
    with precision.mixed(True):
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == before
