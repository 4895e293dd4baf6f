"""Long work shows one Keras progress bar (the outermost), and none when turned off; fit shows a line per epoch
where output is no terminal."""
import sys

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


def test_fit_shows_a_moving_bar_in_a_terminal_and_a_line_per_epoch_elsewhere(monkeypatch):
    import io

    from zoo import progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert progress.fit_verbosity("auto") == 2 and progress.fit_verbosity(0) == 0
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert progress.fit_verbosity("auto") == 1 and progress.fit_verbosity(2) == 2


def test_every_writing_command_takes_dash_o_and_the_old_out_spelling():
    from zoo import cli

    parser = cli.build_parser()
    for old, new in ((["train", "vae-mnist", "--out", "x"], ["train", "vae-mnist", "-o", "x"]),
                     (["evaluate", "vae-mnist", "--out", "x"], ["evaluate", "vae-mnist", "--output", "x"])):
        assert parser.parse_args(old).out == parser.parse_args(new).out == "x"
