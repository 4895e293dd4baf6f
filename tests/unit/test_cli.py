"""The CLI's help texts explain themselves; errors go to stderr with exit code 2."""
import pytest

from zoo import cli

pytestmark = pytest.mark.backend_agnostic  # file, CLI and data logic: the backend runs skip it


@pytest.mark.parametrize("argv", [["--help"], ["list", "--help"], ["info", "--help"], ["sample", "--help"],
                                  ["reconstruct", "--help"], ["train", "--help"], ["disentanglement", "--help"]])
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 0
    assert "usage: zoo" in capsys.readouterr().out


def test_list_pattern(capsys):
    assert cli.main(["list", "vae-*mnist"]) == 0
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert rows == ["vae-fashion_mnist", "vae-mnist"]
    assert cli.main(["list", "nope*"]) == 1


def test_unknown_model_is_a_clear_error(capsys, tmp_path):
    assert cli.main(["sample", "vae-mnsit", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "Did you mean: vae-mnist" in err and not (tmp_path / "x.png").exists()


def test_backend_option_cannot_switch_a_loaded_keras(capsys):
    import keras

    other = "jax" if keras.backend.backend() != "jax" else "torch"
    assert cli.main(["train", "vae-mnist", "--backend", other]) == 2
    assert f"KERAS_BACKEND={other}" in capsys.readouterr().err


NATIVE = [b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
          b"I0000 00:00:1796167658.084957   32290 port.cc:153] oneDNN custom operations are on.\n",
          b"E0000 00:00:1796167630.946861   32230 cuda_platform.cc:52] failed call to cuInit: INTERNAL\n"]


def test_native_log_lines_are_dropped_and_the_rest_passes(capfd):
    import os

    from zoo import stderr_filter

    with stderr_filter.native_logs_filtered():
        for line in NATIVE:
            os.write(2, line[:20])  # native lines may come in pieces
            os.write(2, line[20:])
        os.write(2, b"zoo sample: error: a message for the user\n")
        os.write(2, b"downloading 40%\r")  # a progress line without a newline is not held back
        os.write(2, b"I think this line is the user's\n")
    assert capfd.readouterr().err == ("zoo sample: error: a message for the user\ndownloading 40%\r"
                                      "I think this line is the user's\n")
    with stderr_filter.native_logs_filtered(enabled=False):
        os.write(2, NATIVE[1])
    assert capfd.readouterr().err == NATIVE[1].decode()


def test_info_is_a_summary_and_json_on_request(capsys, tmp_path):
    import json

    from zoo import checkpoints

    assert cli.main(["info", "ae-mnist"]) == 0
    out = capsys.readouterr().out
    card = checkpoints.read_card(checkpoints.root() / "ae-mnist")
    assert f"{card.evaluation.samples.fid:.2f}" in out  # the measured headline, with what it means
    assert f"{card.evaluation.holes.normal_prior.fid:.2f}" in out and "holes" in out
    assert "10-component full-covariance Gaussian mixture fitted to the training codes" in out
    assert 'model = zoo.load("ae-mnist")' in out
    assert cli.main(["info", "ae-mnist", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"]["model.keras"]["sha256"] == card.model_sha256


def test_info_of_an_unmeasured_keras_file(capsys, tmp_path):
    import zoo

    zoo.create("vamp", latent_dim=4, components=3).save(tmp_path / "mine.keras")
    assert cli.main(["info", str(tmp_path / "mine.keras")]) == 0
    out = capsys.readouterr().out
    assert "VampPrior" in out and "3 learned pseudo-images" in out and "Nothing measured on it yet" in out


def test_train_choices_are_the_registries():
    from zoo.models import backbones, likelihoods

    assert set(cli.BACKBONES) == set(backbones.BACKBONES)
    assert set(cli.LIKELIHOODS) == set(likelihoods.LIKELIHOODS)
