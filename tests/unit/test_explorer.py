"""The explorer's callbacks, plain functions of the zoo's API: a click's pixel is the point the map shows there,
the point is decoded by every model, and interpolation, sampling, traversal and reconstruction give what a
user asks for (or a message naming what was wrong)."""
import numpy as np
import pytest

from zoo import explorer


@pytest.fixture(scope="module")
def ex():
    return explorer.Explorer()  # ae_2d-mnist beside vae_2d-mnist


@pytest.fixture(scope="module")
def wide():
    return explorer.Explorer(["vae-mnist"])  # a 16-d code, seen through its principal plane


def test_a_pixel_is_the_point_the_map_draws_there(ex):
    for name in ex.names:
        x0, x1, y0, y1 = ex.views[name].extent
        assert ex.pixel_to_point(name, -0.5, -0.5) == pytest.approx((x0, y1))  # the top left corner
        assert ex.pixel_to_point(name, explorer.MAP_PIXELS - 0.5, explorer.MAP_PIXELS - 0.5) == pytest.approx((x1, y0))
        picture = ex.map_image(name)
        assert picture.shape == (explorer.MAP_PIXELS, explorer.MAP_PIXELS, 3) and picture.dtype == np.uint8
    # the disc marking a clicked point is painted where the pixel says: the black pixels round it
    u, v = ex.pixel_to_point("vae_2d-mnist", 90, 270)
    marked = ex.map_image("vae_2d-mnist", (u, v)).astype(int).sum(-1)
    ys, xs = np.nonzero(marked == 0)
    assert abs(np.median(xs) - 90) <= 1 and abs(np.median(ys) - 270) <= 1 and len(xs) > 50


def test_a_point_is_decoded_by_each_model_as_its_decoder_gives_it(ex):
    u, v = 0.3, -0.4
    shown = ex.decode_point(u, v)
    assert set(shown) == set(ex.names)
    for name, image in shown.items():
        own = ex.views[name].model.decode(np.array([[u, v]], "float32"))[0]
        scale = image.shape[0] // own.shape[0]
        np.testing.assert_allclose(image[::scale, ::scale, 0] / 255.0, own[..., 0], atol=1 / 255 + 1e-6)
    assert not np.array_equal(ex.decode_point(2.0, 2.0)["vae_2d-mnist"], shown["vae_2d-mnist"])


def test_a_wider_code_is_shown_in_its_principal_plane_and_lifted_back_through_the_mean(wide):
    view = wide.views["vae-mnist"]
    assert "principal components" in wide.describe_planes()
    np.testing.assert_allclose(view.lift(0.0, 0.0)[0], view.codes.mean(0), atol=1e-4)
    point = view.project(view.codes[:1])[0]
    lifted = view.lift(*point)
    np.testing.assert_allclose(view.project(lifted)[0], point, atol=1e-4)  # lifting keeps the clicked point


def test_interpolation_runs_from_one_image_to_the_other(ex):
    strips = ex.interpolate(3, 7, steps=5)
    for name, strip in strips.items():
        model, images = ex.views[name].model, ex.views[name].images
        ends = model.reconstruct(images[[3, 7]])
        first = explorer._to_uint8(ends[0])
        h = first.shape[0]
        frame = strip[4:4 + 2 * h:2, 4:4 + 2 * h:2]  # the first frame, at its own size (gutter 2, then scale 2)
        np.testing.assert_allclose(frame.astype(int), first.astype(int), atol=2)
    assert ex.spherical("vae_2d-mnist") and not ex.spherical("ae_2d-mnist")
    straight, curved = ex.interpolate(3, 7, 5)["vae_2d-mnist"], ex.interpolate(3, 7, 5, spherical=True)["vae_2d-mnist"]
    assert not np.array_equal(straight, curved)
    np.testing.assert_array_equal(ex.interpolate(3, 7, 5, spherical=True)["ae_2d-mnist"], ex.interpolate(3, 7, 5)["ae_2d-mnist"])
    upload = (np.full((40, 30, 3), 200, "uint8"), None)
    assert ex.interpolate(0, 7, 5, uploads=upload)["ae_2d-mnist"].shape == strips["ae_2d-mnist"].shape
    with pytest.raises(ValueError, match="Pick test images 0..1999"):
        ex.interpolate(0, 5000)


def test_sampling_is_the_models_own_sampler_with_its_seed_and_temperature(ex):
    a = ex.sample("vae_2d-mnist", 4, seed=1)
    np.testing.assert_array_equal(a, ex.sample("vae_2d-mnist", 4, seed=1))
    assert not np.array_equal(a, ex.sample("vae_2d-mnist", 4, seed=2))
    assert not np.array_equal(a, ex.sample("vae_2d-mnist", 4, seed=1, temperature=0.3))
    own = ex.views["vae_2d-mnist"].model.sample(4, seed=1)
    np.testing.assert_allclose(a[4:4 + 2 * 28:2, 4:4 + 2 * 28:2, 0] / 255.0, own[0, ..., 0], atol=1 / 255 + 1e-6)


def test_traversal_sliders_cover_the_codes_and_decode_the_code_they_set(ex):
    units = ex.units("vae_2d-mnist")
    assert [u[0] for u in units] == ["unit 0", "unit 1"] and all(lo <= -2.5 and hi >= 2.5 for _, lo, hi, _ in units)
    code = [u[3] for u in units]
    np.testing.assert_array_equal(ex.decode_code("vae_2d-mnist", code), ex.decode_point(*code)["vae_2d-mnist"])
    with pytest.raises(ValueError):
        ex.decode_code("vae_2d-mnist", [0.0, 0.0, 0.0])


def test_an_upload_of_any_size_is_reconstructed_by_each_model_and_a_bad_one_is_named(ex):
    rng = np.random.default_rng(0)
    out = ex.reconstruct(rng.integers(0, 256, (50, 37, 4)).astype("uint8"))  # RGBA, another size
    assert set(out) == set(ex.names) and all(img.shape == (112, 112, 3) and 0 < mse < 1 for img, mse in out.values())
    digit = ex.views["vae_2d-mnist"].images[0]
    _, good = ex.reconstruct(digit)["vae_2d-mnist"]
    assert good < out["vae_2d-mnist"][1]  # a digit is reconstructed better than noise
    with pytest.raises(ValueError, match="not an image"):
        ex.reconstruct(np.array("not an image"))


def test_too_many_or_unknown_models_are_refused():
    with pytest.raises(ValueError, match="up to 4 models"):
        explorer.Explorer(["ae-mnist", "vae-mnist", "rae-mnist", "wae-mnist", "sae-mnist"])
    with pytest.raises(KeyError):
        explorer.Explorer(["no-such-model"])


def test_the_command_names_an_unknown_model_before_serving(capsys):
    pytest.importorskip("gradio")
    from zoo import cli

    assert cli.main(["explore", "no-such-model"]) == 2
    err = capsys.readouterr().err
    assert "no-such-model" in err and "Traceback" not in err


@pytest.mark.backend_agnostic
def test_a_written_space_listens_on_this_machine_alone_unless_it_runs_on_a_space():
    assert explorer.space_host({}) == "127.0.0.1"
    assert explorer.space_host({"SPACE_ID": "someone/explorer"}) == "0.0.0.0"
    assert explorer.space_host({"GRADIO_SERVER_NAME": "127.0.0.2", "SPACE_ID": "x/y"}) == "127.0.0.2"
    assert "server_name=zoo.explorer.space_host()" in explorer.SPACE_APP


def test_sliders_narrower_than_the_code_leave_its_other_units_at_the_reference_code(wide):
    """The Traverse tab draws at most TRAVERSE_SLIDERS sliders: a wider code (64 units for the photo models)
    is decoded with the units beyond them where the reference code has them, not cut off."""
    reference = [u[3] for u in wide.units("vae-mnist")]
    moved = [2.0, -1.0, 0.5, 1.5]  # as if the tab had four sliders for this 16-unit code
    expected = wide.decode_code("vae-mnist", moved + reference[len(moved):])
    np.testing.assert_array_equal(wide.decode_sliders("vae-mnist", moved), expected)
    np.testing.assert_array_equal(wide.decode_sliders("vae-mnist", reference + [0.0] * 16),  # hidden sliders
                                  wide.decode_code("vae-mnist", reference))


def test_an_uploaded_file_is_read_by_the_zoos_reader_16_bit_and_palette_alike(ex, tmp_path):
    """The Reconstruct tab hands over the uploaded file's path: a 16-bit PNG is scaled by its depth (not clipped
    to white) and a palette GIF gives its colours (not its palette indices)."""
    from PIL import Image

    grey16 = tmp_path / "grey16.png"
    Image.fromarray(np.full((20, 20), 30000, np.uint16)).save(grey16)
    palette = tmp_path / "palette.gif"
    Image.fromarray(np.full((20, 20, 3), (200, 40, 40), np.uint8)).convert("P").save(palette)
    x = ex.adapt("vae_2d-mnist", str(grey16))
    assert x.shape == (1, 28, 28, 1) and abs(float(x.mean()) - 30000 / 65535) < 0.01
    assert float(ex.adapt("vae_2d-mnist", str(palette)).mean()) > 0.2  # its colour's grey, not index 0
    out = ex.reconstruct(str(grey16))
    assert set(out) == set(ex.names)
    (tmp_path / "note.txt").write_text("not an image")
    with pytest.raises(ValueError, match="Cannot read image file"):
        ex.reconstruct(str(tmp_path / "note.txt"))


@pytest.mark.backend_agnostic
def test_a_port_that_is_none_or_taken_is_refused_before_any_model_loads(monkeypatch, capsys):
    import socket

    from zoo import cli, loader

    monkeypatch.setattr(loader, "load", lambda *a, **k: pytest.fail("loaded a model before checking --port"))
    assert cli.main(["explore", "--port", "99999"]) == 2
    assert "--port must be a TCP port" in capsys.readouterr().err
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        assert cli.main(["explore", "--port", str(held.getsockname()[1])]) == 2
        err = capsys.readouterr().err
        assert "is in use" in err and "--port" in err and "Traceback" not in err


def test_a_negative_or_fractional_seed_is_named(ex):
    for seed in (-1, 0.5, None):
        with pytest.raises(ValueError, match="seed must be a whole number"):
            ex.sample("vae_2d-mnist", 4, seed)
    assert ex.sample("vae_2d-mnist", 4, 3.0).dtype == np.uint8


def test_a_space_is_refused_what_the_explorer_refuses_before_anything_is_written(tmp_path, capsys):
    from zoo import cli

    five = ["ae-mnist", "vae-mnist", "dae-mnist", "rae-mnist", "cae-mnist"]
    for names, said in ((five, "up to 4 models"), (["hf://not a repo"], "not a Hub model address")):
        assert cli.main(["space", str(tmp_path / "space"), *names]) == 2
        assert said in capsys.readouterr().err
        assert not (tmp_path / "space").exists()
        with pytest.raises(ValueError, match=said):
            explorer.Explorer(names)
