"""Encoder and decoder networks, chosen by name in a model's config and sized from the image shape.

Encoders map images to a flat vector of `out_dim` features; decoders map a code to `out_channels` numbers per
pixel (the likelihood's parameters: one logit per channel for a Bernoulli). They are stacks of built-in layers
(`keras.Sequential`, or a functional model where a residual block needs a skip), so they serialise with no
custom code.
"""
from __future__ import annotations

import math

import keras
from keras import layers

from zoo import registry
from zoo.models import precision

DEFAULT_HIDDEN = {"mlp": (512, 256), "conv": (32, 64), "conv4": (32, 32, 64, 64), "resnet": (32, 64, 128),
                  "resnet_grid": (64, 128)}
CONV4_DENSE = 256  # the dense layer between conv4's convolutions and the code


def _mlp_encoder(image_shape, out_dim, hidden):
    stack = [keras.Input(image_shape), layers.Flatten()]
    stack += [layers.Dense(u, activation="relu") for u in hidden]
    return keras.Sequential(stack + [layers.Dense(out_dim), *precision.float32_output()], name="encoder")


def _mlp_decoder(image_shape, latent_dim, hidden, out_channels):
    out_shape = (*image_shape[:2], out_channels)
    stack = [keras.Input((latent_dim,))]
    stack += [layers.Dense(u, activation="relu") for u in reversed(hidden)]
    stack += [layers.Dense(math.prod(out_shape)), layers.Reshape(out_shape), *precision.float32_output()]
    return keras.Sequential(stack, name="decoder")


def _conv_encoder(image_shape, out_dim, hidden):
    stack = [keras.Input(image_shape)]
    stack += [layers.Conv2D(f, 3, strides=2, padding="same", activation="relu") for f in hidden]
    stack += [layers.Flatten(), layers.Dense(out_dim), *precision.float32_output()]
    return keras.Sequential(stack, name="encoder")


def _upsampling_decoder(image_shape, latent_dim, hidden, head, kernel, c):
    """Codes -> `head` dense layers -> a grid 2**len(hidden) times smaller than the image -> stride-2 transposed
    convolutions back up -> `c` output channels, cropped where the image size is not a multiple of the scale."""
    h, w = image_shape[:2]
    scale = 2 ** len(hidden)
    gh, gw = math.ceil(h / scale), math.ceil(w / scale)
    stack = [keras.Input((latent_dim,)), *[layers.Dense(n, activation="relu") for n in head],
             layers.Dense(gh * gw * hidden[-1], activation="relu"), layers.Reshape((gh, gw, hidden[-1]))]
    if kernel == 3:  # the zoo's conv: all widths upsample, then a 3x3 convolution to the channels
        stack += [layers.Conv2DTranspose(f, 3, strides=2, padding="same", activation="relu")
                  for f in reversed(hidden)]
        stack += [layers.Conv2D(c, 3, padding="same")]
    else:  # disentanglement_lib's: the last transposed convolution gives the channels
        stack += [layers.Conv2DTranspose(f, kernel, strides=2, padding="same", activation="relu")
                  for f in reversed(hidden[:-1])]
        stack += [layers.Conv2DTranspose(c, kernel, strides=2, padding="same")]
    if (gh * scale, gw * scale) != (h, w):  # odd sizes: trim the bottom/right overhang
        stack += [layers.Cropping2D(((0, gh * scale - h), (0, gw * scale - w)))]
    return keras.Sequential(stack + precision.float32_output(), name="decoder")


def _conv_decoder(image_shape, latent_dim, hidden, out_channels):
    return _upsampling_decoder(image_shape, latent_dim, hidden, head=(), kernel=3, c=out_channels)


def _conv4_encoder(image_shape, out_dim, hidden):
    """disentanglement_lib's encoder (Locatello et al. 2019): 4x4 convolutions of stride 2, dense 256."""
    stack = [keras.Input(image_shape)]
    stack += [layers.Conv2D(f, 4, strides=2, padding="same", activation="relu") for f in hidden]
    stack += [layers.Flatten(), layers.Dense(CONV4_DENSE, activation="relu"), layers.Dense(out_dim),
              *precision.float32_output()]
    return keras.Sequential(stack, name="encoder")


def _conv4_decoder(image_shape, latent_dim, hidden, out_channels):
    """disentanglement_lib's decoder: dense 256, dense to a 4x4 grid (for 64x64), 4x4 transposed convolutions."""
    return _upsampling_decoder(image_shape, latent_dim, hidden, head=(CONV4_DENSE,), kernel=4, c=out_channels)


# ---- the residual backbone, for 32x32 colour photographs ----
def residual_block(x, filters: int, name: str):
    """x + conv3x3(relu(conv3x3(relu(x)))): two 3x3 convolutions with a skip (pre-activation, as in IAF-VAE's
    and the VQ-VAE paper's residual stacks)."""
    h = layers.Conv2D(filters, 3, padding="same", name=f"{name}_a")(layers.ReLU()(x))
    h = layers.Conv2D(filters, 3, padding="same", name=f"{name}_b")(layers.ReLU()(h))
    return layers.Add(name=f"{name}_add")([x, h])


def residual_stack(x, filters: int, blocks: int, name: str):
    for i in range(blocks):
        x = residual_block(x, filters, f"{name}_{i}")
    return x


RESNET_BLOCKS = 1  # residual blocks after each change of resolution


def _downsample(inp, hidden):
    """A 3x3 stem at full size, then per width a 4x4 stride-2 convolution and a residual block."""
    x = layers.Conv2D(hidden[0] // 2, 3, padding="same", name="stem")(inp)
    for i, f in enumerate(hidden):
        x = layers.Conv2D(f, 4, strides=2, padding="same", name=f"down{i}")(layers.ReLU()(x))
        x = residual_stack(x, f, RESNET_BLOCKS, f"enc{i}")
    return x


def _resnet_encoder(image_shape, out_dim, hidden):
    """A 3x3 stem at full size, then per width a 4x4 stride-2 convolution and a residual block (32x32 -> 16,
    8 and 4 with the default three widths), then a dense layer to the features."""
    inp = keras.Input(image_shape)
    x = _downsample(inp, hidden)
    x = layers.Dense(out_dim, name="features")(layers.Flatten()(layers.ReLU()(x)))
    return keras.Model(inp, float32_out(x), name="encoder")


def _resnet_decoder(image_shape, latent_dim, hidden, out_channels):
    """The encoder mirrored: a dense layer to the smallest grid, then per width a residual block and a 4x4
    stride-2 transposed convolution, then a 3x3 convolution to the output channels (cropped for odd sizes)."""
    h, w = image_shape[:2]
    scale = 2 ** len(hidden)
    gh, gw = math.ceil(h / scale), math.ceil(w / scale)
    inp = keras.Input((latent_dim,))
    x = layers.Reshape((gh, gw, hidden[-1]))(layers.Dense(gh * gw * hidden[-1], name="grid")(inp))
    return keras.Model(inp, float32_out(_upsample(x, image_shape, hidden, out_channels)), name="decoder")


def _upsample(x, image_shape, hidden, out_channels):
    """The resnet decoders' way up from the smallest grid: per width a residual block and a 4x4 stride-2
    transposed convolution, then a 3x3 convolution to the output channels (cropped for odd sizes)."""
    h, w = image_shape[:2]
    gh, gw, scale = x.shape[1], x.shape[2], 2 ** len(hidden)
    widths = list(reversed(hidden))
    for i, f in enumerate(widths):
        x = residual_stack(x, f, RESNET_BLOCKS, f"dec{i}")
        up = widths[i + 1] if i + 1 < len(widths) else hidden[0] // 2
        x = layers.Conv2DTranspose(up, 4, strides=2, padding="same", name=f"up{i}")(layers.ReLU()(x))
    x = layers.Conv2D(out_channels, 3, padding="same", name="head")(layers.ReLU()(x))
    if (gh * scale, gw * scale) != (h, w):
        x = layers.Cropping2D(((0, gh * scale - h), (0, gw * scale - w)))(x)
    return x


# ---- the residual backbone with a spatial code: a grid of vectors at the encoder's last resolution ----
def _grid_size(image_shape, hidden):
    scale = 2 ** len(hidden)
    return math.ceil(image_shape[0] / scale), math.ceil(image_shape[1] / scale)


def _grid_channels(width: int, cells: int, what: str) -> int:
    if width % cells:
        raise ValueError(f"The resnet_grid backbone's code is a grid of {cells} cells: the {what} ({width}) must be "
                         f"a multiple of {cells} (e.g. {cells * 4}).")
    return width // cells


def _resnet_grid_encoder(image_shape, out_dim, hidden):
    """The resnet encoder without its dense layer: a 1x1 convolution gives each grid cell its share of the
    features, laid out so that each of the flat output's equal parts (a VAE's mean and log-variance) is a whole
    grid, cell by cell."""
    inp = keras.Input(image_shape)
    x = _downsample(inp, hidden)
    gh, gw = _grid_size(image_shape, hidden)
    c = _grid_channels(out_dim, gh * gw, "encoder's output width")
    x = layers.Conv2D(c, 1, name="features")(layers.ReLU()(x))
    # (gh, gw, c) -> parts of the flat vector: c = parts x code channels; each part becomes one whole grid
    x = layers.Permute((2, 1))(layers.Reshape((gh * gw, c))(x))  # (c, cells): channel-major
    x = layers.Flatten()(x)
    return keras.Model(inp, float32_out(x), name="encoder")


def _resnet_grid_decoder(image_shape, latent_dim, hidden, out_channels):
    """The code's grid (channel-major, as the encoder lays it out) through a 1x1 convolution, then the resnet
    decoder's residual blocks and upsampling. Inputs beyond whole grids (a conditional model's label) reach
    every cell through a dense layer."""
    gh, gw = _grid_size(image_shape, hidden)
    cells = gh * gw
    extra = latent_dim % cells
    c = (latent_dim - extra) // cells
    if c == 0:
        raise ValueError(f"The resnet_grid backbone's code is a grid of {cells} cells: latent_dim must be at least "
                         f"{cells} (a multiple of it).")
    inp = keras.Input((latent_dim,))
    grid = inp if not extra else layers.Identity()(inp[:, :latent_dim - extra])
    grid = layers.Permute((2, 1))(layers.Reshape((c, cells))(grid))  # (cells, c)
    x = layers.Conv2D(hidden[-1], 1, name="grid")(layers.Reshape((gh, gw, c))(grid))
    if extra:
        label = layers.Dense(cells * hidden[-1], name="extra")(inp[:, latent_dim - extra:])
        x = layers.Add()([x, layers.Reshape((gh, gw, hidden[-1]))(label)])
    return keras.Model(inp, float32_out(_upsample(x, image_shape, hidden, out_channels)), name="decoder")


def float32_out(x):
    """x through the float32 identity a network ends in under a mixed policy (precision.float32_output)."""
    for layer in precision.float32_output():
        x = layer(x)
    return x


BACKBONES = {"mlp": (_mlp_encoder, _mlp_decoder), "conv": (_conv_encoder, _conv_decoder),
             "conv4": (_conv4_encoder, _conv4_decoder), "resnet": (_resnet_encoder, _resnet_decoder),
             "resnet_grid": (_resnet_grid_encoder, _resnet_grid_decoder)}
if tuple(BACKBONES) != registry.BACKBONES:
    raise ImportError(f"zoo.registry.BACKBONES {registry.BACKBONES} must name the backbones built here: {tuple(BACKBONES)}")


def build(backbone: str, image_shape, decoder_in_dim: int, encoder_out_dim: int, hidden=None, out_channels=None):
    """Return (encoder, decoder) for `backbone` ('mlp', 'conv', 'conv4' or 'resnet'): images -> encoder_out_dim
    features, decoder_in_dim codes -> `out_channels` per pixel (default: the image's channels)."""
    if backbone not in BACKBONES:
        raise ValueError(f"Unknown backbone {backbone!r}; choose one of {sorted(BACKBONES)}.")
    hidden = tuple(hidden or DEFAULT_HIDDEN[backbone])
    make_encoder, make_decoder = BACKBONES[backbone]
    image_shape = tuple(image_shape)
    return (make_encoder(image_shape, encoder_out_dim, hidden),
            make_decoder(image_shape, decoder_in_dim, hidden, out_channels or image_shape[-1]))
