"""The rendered factor datasets: geometry, not just shapes (positions move, scales grow, colours stay in their
region), every factor changes the image, and every image is addressable by factors and by index."""
import numpy as np
import pytest

from zoo.renderers import dsprites, shapes3d

pytestmark = pytest.mark.backend_agnostic


def sprite(shape=0, scale=5, orientation=0, x=15, y=15):
    return dsprites.GRID.images([[shape, scale, orientation, x, y]])[0, ..., 0] > 0


def centroid(mask):
    yy, xx = np.nonzero(mask)
    return xx.mean(), yy.mean()


def test_dsprites_grid_is_the_papers():
    grid = dsprites.GRID
    assert grid.factor_sizes == (3, 6, 40, 32, 32) and grid.num_images == 737_280
    assert grid.image_shape == (64, 64, 1)
    np.testing.assert_allclose(grid.factor_values[1], np.linspace(0.5, 1, 6))


@pytest.mark.parametrize("shape", [0, 1, 2])
def test_position_moves_the_centroid_by_the_expected_pixels(shape):
    expected = dsprites.centre(dsprites.POSITIONS[25]) - dsprites.centre(dsprites.POSITIONS[5])
    (x0, y0), (x1, y1) = centroid(sprite(shape, x=5)), centroid(sprite(shape, x=25))
    assert abs((x1 - x0) - expected) < 0.5 and abs(y1 - y0) < 0.5
    (_, ya), (_, yb) = centroid(sprite(shape, y=3)), centroid(sprite(shape, y=28))
    assert abs((yb - ya) - (dsprites.centre(dsprites.POSITIONS[28]) - dsprites.centre(dsprites.POSITIONS[3]))) < 0.5


@pytest.mark.parametrize("shape", [0, 1, 2])
def test_scale_changes_area_by_its_square_and_orientation_keeps_it(shape):
    small, big = sprite(shape, scale=0).sum(), sprite(shape, scale=5).sum()
    assert big / small == pytest.approx((1.0 / 0.5) ** 2, rel=0.08)
    areas = np.array([sprite(shape, orientation=o).sum() for o in range(40)])
    assert areas.std() / areas.mean() < 0.04


def assert_every_factor_changes_the_image(grid, n, seed):
    """From n random images, moving any one factor half its range (round the end) changes the pixels."""
    for base in grid.sample_factors(n, np.random.default_rng(seed)):
        for j, size in enumerate(grid.factor_sizes):
            other = base.copy()
            other[j] = (base[j] + size // 2) % size
            assert (grid.images(base) != grid.images(other)).any(), (base, grid.factor_names[j])


def test_every_dsprites_factor_changes_the_image():
    assert_every_factor_changes_the_image(dsprites.GRID, 20, seed=0)


def test_images_are_addressable_by_index_and_deterministic():
    grid = dsprites.GRID
    idx = np.array([0, 1, 12345, grid.num_images - 1])
    factors = grid.factors(idx)
    np.testing.assert_array_equal(grid.index(factors), idx)
    np.testing.assert_array_equal(factors[-1], np.array(grid.factor_sizes) - 1)
    np.testing.assert_array_equal(grid.images(factors), grid.images(factors))
    images, f = grid.sample(16, seed=3)
    np.testing.assert_array_equal(images, grid.images(f))
    with pytest.raises(ValueError, match="position_x"):
        grid.images([[0, 0, 0, 32, 0]])
    with pytest.raises(ValueError, match="shape"):
        grid.images([[0, 0, 0]])


def scene(factors):
    return shapes3d.render(np.array([factors]), regions=True)


def test_shapes3d_grid_is_the_papers():
    grid = shapes3d.GRID
    assert grid.factor_sizes == (10, 10, 10, 8, 4, 15) and grid.num_images == 480_000
    assert grid.image_shape == (64, 64, 3)


@pytest.mark.parametrize("factor, region", [(0, shapes3d.FLOOR), (1, shapes3d.WALL), (2, shapes3d.OBJECT)])
def test_each_hue_changes_only_its_regions_colour(factor, region):
    base = [1, 4, 7, 3, 0, 7]
    other = list(base)
    other[factor] = 5
    (a, regions), (b, _) = scene(base), scene(other)
    changed = (a[0] != b[0]).any(-1)
    mine = regions[0] == region
    assert mine.sum() > 100
    assert not changed[~mine].any()
    assert changed[mine].mean() > 0.95


def test_scale_grows_the_object_and_a_sphere_looks_the_same_from_every_side():
    areas = [(scene([0, 4, 7, s, 2, 7])[1] == shapes3d.OBJECT).sum() for s in range(8)]
    assert all(b > a for a, b in zip(areas, areas[1:], strict=False))
    assert areas[-1] / areas[0] == pytest.approx((1.25 / 0.75) ** 2, rel=0.15)  # the silhouette's area
    spheres = [scene([0, 4, 7, 4, 2, o])[1] == shapes3d.OBJECT for o in (0, 7, 14)]
    assert all((s == spheres[0]).all() for s in spheres)
    cubes = [scene([0, 4, 7, 4, 0, o])[1] == shapes3d.OBJECT for o in (0, 14)]
    assert (cubes[0] != cubes[1]).any()


def test_every_shapes3d_factor_changes_the_image():
    assert_every_factor_changes_the_image(shapes3d.GRID, 10, seed=1)
