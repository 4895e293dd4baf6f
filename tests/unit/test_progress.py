"""Long work shows one Keras progress bar (the outermost), and none when turned off."""
import zoo
from zoo import progress
from zoo.models import base


def test_large_sampling_shows_a_bar_and_nested_work_adds_none(capsys, monkeypatch):
    monkeypatch.setattr(base, "SAMPLE_CHUNK", 50)
    model = zoo.create("vae", latent_dim=2)
    model.sample(120, seed=0)
    out = capsys.readouterr().out
    assert f"Sampling 120 images from {model.name}" in out and "3/3" in out
    with progress.Progress(2, "Outer work") as bar:
        model.sample(120, seed=0)
        bar.advance(2)
    out = capsys.readouterr().out
    assert "Outer work" in out and "Sampling" not in out and "2/2" in out


def test_bars_can_be_turned_off(capsys, monkeypatch):
    monkeypatch.setattr(base, "SAMPLE_CHUNK", 50)
    model = zoo.create("ae", latent_dim=2)
    previous = progress.set_enabled(False)
    try:
        model.sample(120, seed=0, prior="normal")
    finally:
        progress.set_enabled(previous)
    assert capsys.readouterr().out == ""
