"""3dshapes (Burgess & Kim 2018) re-rendered by our own ray-caster: a floor, a back wall and one object,
lit by one light with shadows, 64x64 RGB, over floor hue 10 x wall hue 10 x object hue 10 x scale 8 x shape 4
(cube, cylinder, sphere, capsule) x orientation 15 (the camera turned -30..30 degrees about the object) =
480,000 images.

The factor grid is 3dshapes'; the scene (sizes, camera, light, shading) is ours, so images are not DeepMind's:
same factors and look, other pixels. Vectorised numpy: every pixel of a chunk of images is one ray.
"""
from __future__ import annotations

import numpy as np

from zoo.renderers import FactorGrid

SIZE = 64
HUES = np.linspace(0.0, 0.9, 10)
SCALES = np.linspace(0.75, 1.25, 8)
SHAPES = ("cube", "cylinder", "sphere", "capsule")
ORIENTATIONS = np.linspace(-30.0, 30.0, 15)  # degrees the camera is turned about the vertical axis
CAMERA_DISTANCE, CAMERA_HEIGHT, LOOK_AT_HEIGHT, FIELD_OF_VIEW = 4.0, 1.7, 0.55, 50.0
WALL_Z = -1.6  # the back wall's plane; the object stands at the origin on the floor y = 0
LIGHT = np.array([0.5, 1.0, 0.8]) / np.linalg.norm([0.5, 1.0, 0.8])
AMBIENT, SHADOW = 0.35, 0.55
FLOOR, WALL, OBJECT = 0, 1, 2  # region codes (`render(..., regions=True)`)
EPS = 1e-4


def hue_to_rgb(h) -> np.ndarray:
    """Hues in [0, 1) -> fully saturated, full value RGB (..., 3)."""
    h = np.asarray(h, "float32")[..., None]
    return np.clip(np.abs((h * 6.0 + np.array([0.0, 4.0, 2.0], "float32")) % 6.0 - 3.0) - 1.0, 0.0, 1.0)


def camera_rays(angle_deg):
    """Ray origins (N, 1, 3) and unit directions (N, P, 3) of the P = 64*64 pixels, one camera per angle."""
    phi = np.radians(np.asarray(angle_deg, "float32"))
    origin = np.stack([CAMERA_DISTANCE * np.sin(phi), np.full_like(phi, CAMERA_HEIGHT),
                       CAMERA_DISTANCE * np.cos(phi)], -1)
    forward = np.array([0.0, LOOK_AT_HEIGHT, 0.0], "float32") - origin
    forward /= np.linalg.norm(forward, axis=-1, keepdims=True)
    right = np.cross(forward, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right, axis=-1, keepdims=True)
    up = np.cross(right, forward)
    grid = (np.arange(SIZE, dtype="float32") + 0.5) / SIZE * 2.0 - 1.0
    half = np.tan(np.radians(FIELD_OF_VIEW) / 2)
    sx, sy = np.meshgrid(grid * half, -grid * half)  # image x to the right, image y down
    d = (forward[:, None] + sx.reshape(1, -1, 1) * right[:, None] + sy.reshape(1, -1, 1) * up[:, None])
    return origin[:, None].astype("float32"), (d / np.linalg.norm(d, axis=-1, keepdims=True)).astype("float32")


def _first(t, normal, t_new, normal_new):
    """Keep the nearer of two hits (t = inf where there is none)."""
    nearer = t_new < t
    return np.where(nearer, t_new, t), np.where(nearer[..., None], normal_new, normal)


def _sphere(o, d, centre, r):
    oc = o - centre
    b = np.sum(oc * d, -1)
    disc = b * b - (np.sum(oc * oc, -1) - r * r)
    root = np.sqrt(np.maximum(disc, 0.0))
    t = np.where(-b - root > EPS, -b - root, -b + root)
    t = np.where((disc >= 0) & (t > EPS), t, np.inf)
    return t, (o + t[..., None] * d - centre) / r[..., None]


def _box(o, d, half):
    """Axis-aligned cube of half side `half` standing on the floor, centred on the y axis."""
    centre = np.stack([np.zeros_like(half), half, np.zeros_like(half)], -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / np.where(np.abs(d) < 1e-9, 1e-9, d)
        t1, t2 = (centre - half[..., None] - o) * inv, (centre + half[..., None] - o) * inv
    near, far = np.max(np.minimum(t1, t2), -1), np.min(np.maximum(t1, t2), -1)
    t = np.where((far >= near) & (near > EPS), near, np.inf)
    axis = np.argmax(np.minimum(t1, t2), -1)
    normal = -np.sign(d) * (np.arange(3) == axis[..., None])
    return t, normal.astype("float32")


def _tube(o, d, r, u, v):
    """Nearest entry t (inf: none) of each ray into an infinite cylinder of radius r about the axis through the
    origin that is perpendicular to coordinates u and v."""
    a = d[..., u] ** 2 + d[..., v] ** 2
    b = o[..., u] * d[..., u] + o[..., v] * d[..., v]
    c = o[..., u] ** 2 + o[..., v] ** 2 - r * r
    disc = b * b - a * c
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (-b - np.sqrt(np.maximum(disc, 0.0))) / np.maximum(a, 1e-12)
    return np.where((disc >= 0) & (t > EPS), t, np.inf)


def _cylinder_y(o, d, r, y0, y1):
    """Closed cylinder about the y axis from height y0 to y1."""
    t = _tube(o, d, r, 0, 2)
    with np.errstate(invalid="ignore"):
        y = o[..., 1] + t * d[..., 1]
    t = np.where((y >= y0) & (y <= y1), t, np.inf)
    p = o + t[..., None] * d
    normal = np.stack([p[..., 0], np.zeros_like(t), p[..., 2]], -1) / r[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        t_cap = (y1 - o[..., 1]) / d[..., 1]
    q = o + t_cap[..., None] * d
    t_cap = np.where((t_cap > EPS) & (q[..., 0] ** 2 + q[..., 2] ** 2 <= r * r), t_cap, np.inf)
    return _first(t, normal, t_cap, np.broadcast_to(np.array([0, 1, 0], "float32"), normal.shape))


def _capsule_x(o, d, r, half_length):
    """Capsule lying along the x axis on the floor: a cylinder of radius r with round ends."""
    oy = o - np.stack([np.zeros_like(r), r, np.zeros_like(r)], -1)
    t = _tube(oy, d, r, 1, 2)
    with np.errstate(invalid="ignore"):
        x = o[..., 0] + t * d[..., 0]
    t = np.where(np.abs(x) <= half_length, t, np.inf)
    p = oy + t[..., None] * d
    normal = np.stack([np.zeros_like(t), p[..., 1], p[..., 2]], -1) / r[..., None]
    for sign in (-1.0, 1.0):
        end = np.stack([sign * half_length, r, np.zeros_like(r)], -1)
        t, normal = _first(t, normal, *_sphere(o, d, end, r))
    return t, normal


def _object(o, d, shape, scale):
    """Nearest hit of each ray with its image's object: t (inf: none) and unit normal."""
    t = np.full(d.shape[:-1], np.inf, "float32")
    normal = np.zeros(d.shape, "float32")
    b = 0.5 * scale  # the object's half size
    for s, name in enumerate(SHAPES):
        rows = shape == s
        if not rows.any():
            continue
        ro = np.broadcast_to(o[rows], d[rows].shape)
        rd, rb = d[rows], np.broadcast_to(b[rows], d[rows].shape[:-1])
        if name == "cube":
            hit = _box(ro, rd, 0.85 * rb)
        elif name == "cylinder":
            hit = _cylinder_y(ro, rd, 0.85 * rb, 0.0, 1.7 * rb)
        elif name == "sphere":
            centre = np.stack([np.zeros_like(rb), rb, np.zeros_like(rb)], -1)
            hit = _sphere(ro, rd, centre, rb)
        else:
            hit = _capsule_x(ro, rd, 0.6 * rb, 0.8 * rb)
        t[rows], normal[rows] = hit
    return t, normal


def trace(scale, shape, angle):
    """Ray-cast the geometry of images: scale values (N,), shape indices (N,), camera angles in degrees (N,)
    -> each pixel's region (N, P) and its brightness (N, P) in [0, 1] (light, shadow), before any colour."""
    o, d = camera_rays(angle)
    scale = np.repeat(np.asarray(scale, "float32")[:, None], d.shape[1], 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_floor = np.where(d[..., 1] < 0, -o[..., 1] / d[..., 1], np.inf)
        t_wall = np.where(d[..., 2] < 0, (WALL_Z - o[..., 2]) / d[..., 2], np.inf)
    t_obj, n_obj = _object(o, d, shape, scale)
    region = np.where(t_floor < t_wall, FLOOR, WALL)
    region = np.where(t_obj < np.minimum(t_floor, t_wall), OBJECT, region)
    t = np.choose(region, [t_floor, t_wall, t_obj])
    normal = np.where((region == OBJECT)[..., None], n_obj,
                      np.where((region == FLOOR)[..., None], np.float32([0, 1, 0]), np.float32([0, 0, 1])))
    light = np.maximum(np.sum(normal * LIGHT.astype("float32"), -1), 0.0)
    # shadows: a floor or wall point whose ray to the light meets the object
    point = o + t[..., None] * d
    t_block, _ = _object(point, np.broadcast_to(LIGHT.astype("float32"), d.shape), shape, scale)
    shade = np.where((region != OBJECT) & np.isfinite(t_block), SHADOW, 1.0)
    return region.astype("uint8"), (shade * (AMBIENT + (1 - AMBIENT) * light)).astype("float32")


_GEOMETRY = {}


def geometry():
    """Region and brightness of every (scale, shape, orientation): the colours are the only other factors, so
    the 480 geometries are traced once (about a second) and every image is then a look-up and a multiply."""
    if not _GEOMETRY:
        sc, sh, an = (a.reshape(-1) for a in np.meshgrid(np.arange(len(SCALES)), np.arange(len(SHAPES)),
                                                       np.arange(len(ORIENTATIONS)), indexing="ij"))
        region, shade = trace(SCALES[sc], sh, ORIENTATIONS[an])
        grid = (len(SCALES), len(SHAPES), len(ORIENTATIONS), SIZE * SIZE)
        _GEOMETRY.update(region=region.reshape(grid), shade=shade.reshape(grid))
    return _GEOMETRY["region"], _GEOMETRY["shade"]


def render(factors, regions=False):
    """(N, 6) factor indices (floor hue, wall hue, object hue, scale, shape, orientation) -> uint8 images
    (N, 64, 64, 3); with regions=True also each pixel's region (FLOOR, WALL or OBJECT), (N, 64, 64)."""
    f = np.asarray(factors)
    n = len(f)
    all_regions, all_shades = geometry()
    region, shade = all_regions[f[:, 3], f[:, 4], f[:, 5]], all_shades[f[:, 3], f[:, 4], f[:, 5]]
    hues = np.stack([HUES[f[:, 0]], HUES[f[:, 1]], HUES[f[:, 2]]], 1)  # (N, 3): floor, wall, object
    colour = np.take_along_axis(hue_to_rgb(hues), region[..., None].astype("int64"), 1)
    img = np.round(255 * np.clip(colour * shade[..., None], 0, 1)).astype("uint8").reshape(n, SIZE, SIZE, 3)
    return (img, region.reshape(n, SIZE, SIZE)) if regions else img


GRID = FactorGrid("shapes3d", ("floor_hue", "wall_hue", "object_hue", "scale", "shape", "orientation"),
                  (HUES, HUES, HUES, SCALES, np.arange(len(SHAPES)), ORIENTATIONS), (SIZE, SIZE, 3), render,
                  chunk=1024)
