"""Encoder and decoder networks, chosen by name in a model's config and sized from the image shape.

Encoders map images to a flat vector of `out_dim` features; decoders map a code to per-pixel logits.
They are plain `keras.Sequential` stacks of built-in layers, so they serialise with no custom code.
"""
from __future__ import annotations

import math

import keras
from keras import layers

from zoo.models import precision

DEFAULT_HIDDEN = {"mlp": (512, 256), "conv": (32, 64), "conv4": (32, 32, 64, 64)}
CONV4_DENSE = 256  # the dense layer between conv4's convolutions and the code


def _mlp_encoder(image_shape, out_dim, hidden):
    stack = [keras.Input(image_shape), layers.Flatten()]
    stack += [layers.Dense(u, activation="relu") for u in hidden]
    return keras.Sequential(stack + [layers.Dense(out_dim), *precision.float32_output()], name="encoder")


def _mlp_decoder(image_shape, latent_dim, hidden):
    stack = [keras.Input((latent_dim,))]
    stack += [layers.Dense(u, activation="relu") for u in reversed(hidden)]
    stack += [layers.Dense(math.prod(image_shape)), layers.Reshape(image_shape), *precision.float32_output()]
    return keras.Sequential(stack, name="decoder")


def _conv_encoder(image_shape, out_dim, hidden):
    stack = [keras.Input(image_shape)]
    stack += [layers.Conv2D(f, 3, strides=2, padding="same", activation="relu") for f in hidden]
    stack += [layers.Flatten(), layers.Dense(out_dim), *precision.float32_output()]
    return keras.Sequential(stack, name="encoder")


def _upsampling_decoder(image_shape, latent_dim, hidden, head, kernel):
    """Codes -> `head` dense layers -> a grid 2**len(hidden) times smaller than the image -> stride-2 transposed
    convolutions back up -> `c` logit channels, cropped where the image size is not a multiple of the scale."""
    h, w, c = image_shape
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


def _conv_decoder(image_shape, latent_dim, hidden):
    return _upsampling_decoder(image_shape, latent_dim, hidden, head=(), kernel=3)


def _conv4_encoder(image_shape, out_dim, hidden):
    """disentanglement_lib's encoder (Locatello et al. 2019): 4x4 convolutions of stride 2, dense 256."""
    stack = [keras.Input(image_shape)]
    stack += [layers.Conv2D(f, 4, strides=2, padding="same", activation="relu") for f in hidden]
    stack += [layers.Flatten(), layers.Dense(CONV4_DENSE, activation="relu"), layers.Dense(out_dim),
              *precision.float32_output()]
    return keras.Sequential(stack, name="encoder")


def _conv4_decoder(image_shape, latent_dim, hidden):
    """disentanglement_lib's decoder: dense 256, dense to a 4x4 grid (for 64x64), 4x4 transposed convolutions."""
    return _upsampling_decoder(image_shape, latent_dim, hidden, head=(CONV4_DENSE,), kernel=4)


BACKBONES = {"mlp": (_mlp_encoder, _mlp_decoder), "conv": (_conv_encoder, _conv_decoder),
             "conv4": (_conv4_encoder, _conv4_decoder)}


def build(backbone: str, image_shape, decoder_in_dim: int, encoder_out_dim: int, hidden=None):
    """Return (encoder, decoder) for `backbone` ('mlp', 'conv' or 'conv4'): images -> encoder_out_dim features,
    decoder_in_dim codes -> per-pixel logits."""
    if backbone not in BACKBONES:
        raise ValueError(f"Unknown backbone {backbone!r}; choose one of {sorted(BACKBONES)}.")
    hidden = tuple(hidden or DEFAULT_HIDDEN[backbone])
    make_encoder, make_decoder = BACKBONES[backbone]
    image_shape = tuple(image_shape)
    return (make_encoder(image_shape, encoder_out_dim, hidden),
            make_decoder(image_shape, decoder_in_dim, hidden))
