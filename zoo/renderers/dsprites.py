"""dSprites (Matthey et al. 2017) re-rendered from its factors: a white square, ellipse or heart on black,
64x64, over shape 3 x scale 6 x orientation 40 x position x 32 x position y 32 = 737,280 images.

The factor grid is dSprites'; the drawing is ours, not DeepMind's file: a pixel is on when its centre lies in
the shape, the shape's size and the span of positions are our choice (SIZE, MARGIN), so images differ from
the original file by a pixel here and there at the edges, and the heart is our own curve.
"""
from __future__ import annotations

import numpy as np

from zoo.renderers import FactorGrid

SIZE = 64
SHAPES = ("square", "ellipse", "heart")
SCALES = np.linspace(0.5, 1.0, 6)
ORIENTATIONS = np.linspace(0.0, 2 * np.pi, 40)  # as in dSprites: 0 and 2pi both appear
POSITIONS = np.linspace(0.0, 1.0, 32)
HALF_SIZE = 9.0  # pixels from a shape's centre to its edge at scale 1 (the square's half side)
MARGIN = 12.0  # pixels from the border to a centre at position 0 (and 1)
_YY, _XX = np.mgrid[:SIZE, :SIZE].astype("float32") + 0.5  # pixel centres


def centre(position):
    """Pixel coordinate of a sprite's centre for a position value in [0, 1]."""
    return MARGIN + np.asarray(position) * (SIZE - 2 * MARGIN)


def _inside(shape, u, v):
    """Whether shape-frame points (u, v) (units of HALF_SIZE * scale; v down) lie in `shape`."""
    if shape == "square":
        return np.maximum(np.abs(u), np.abs(v)) <= 1.0
    if shape == "ellipse":
        return (u / 1.2) ** 2 + (v / 0.6) ** 2 <= 1.0
    x, y = 1.15 * u, -1.15 * v + 0.2  # the heart curve (x^2 + y^2 - 1)^3 <= x^2 y^3, point down
    return (x * x + y * y - 1.0) ** 3 - x * x * y ** 3 <= 0.0


def render(factors) -> np.ndarray:
    """(N, 5) factor indices (shape, scale, orientation, position x, position y) -> uint8 (N, 64, 64, 1)."""
    f = np.asarray(factors)
    scale = SCALES[f[:, 1]].astype("float32")[:, None, None] * HALF_SIZE
    theta = ORIENTATIONS[f[:, 2]].astype("float32")[:, None, None]
    dx = _XX[None] - centre(POSITIONS[f[:, 3]]).astype("float32")[:, None, None]
    dy = _YY[None] - centre(POSITIONS[f[:, 4]]).astype("float32")[:, None, None]
    cos, sin = np.cos(theta), np.sin(theta)  # rotate the pixel back into the shape's frame
    u, v = (cos * dx - sin * dy) / scale, (sin * dx + cos * dy) / scale
    out = np.zeros((len(f), SIZE, SIZE), bool)
    for s, shape in enumerate(SHAPES):
        rows = f[:, 0] == s
        if rows.any():
            out[rows] = _inside(shape, u[rows], v[rows])
    return (out[..., None] * np.uint8(255)).astype("uint8")


GRID = FactorGrid("dsprites", ("shape", "scale", "orientation", "position_x", "position_y"),
                  (np.arange(len(SHAPES)), SCALES, ORIENTATIONS, POSITIONS, POSITIONS), (SIZE, SIZE, 1), render)
