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
