"""Checkpoint folders: hash check before loading, clear errors for damaged files, atomic replace."""
import json
import shutil

import pytest

import zoo
from tests.unit.conftest import tiny
from zoo import checkpoints

pytestmark = pytest.mark.backend_agnostic  # file, CLI and data logic: the backend runs skip it


@pytest.fixture
def folder(tmp_path, images):
    model = tiny("vae")
    d = tmp_path / "ckpt"
    d.mkdir()
    model.save(d / "model.keras")
    card = {"schema_version": 2, "name": "x", "kind": "autoencoder", "dataset": None, "params": model.count_params(),
            "code_version": {"zoo": "0.1.0"}, "files": {"model.keras": checkpoints.file_entry(d / "model.keras")}}
    (d / "card.json").write_text(json.dumps(card))
    return d


def test_loads_folder_and_info(folder):
    model = zoo.load(str(folder))
    assert model.compiled and model.card.name == "x"
    info = zoo.info(str(folder))
    assert info["paths"]["model.keras"].endswith("model.keras")


def test_tampered_file_is_refused(folder):
    data = bytearray((folder / "model.keras").read_bytes())
    data[-100] ^= 0xFF
    (folder / "model.keras").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="sha256 .* but the card records"):
        zoo.load(str(folder))


def test_truncated_file_without_card(folder):
    (folder / "card.json").unlink()
    data = (folder / "model.keras").read_bytes()
    (folder / "model.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        zoo.load(str(folder))


def test_damaged_card(folder):
    (folder / "card.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        zoo.load(str(folder))


def test_missing_paths(tmp_path):
    with pytest.raises(FileNotFoundError):
        zoo.load(str(tmp_path / "nope.keras"))
    with pytest.raises(FileNotFoundError, match="not a zoo checkpoint"):
        zoo.load(str(tmp_path))


def test_registry_name_without_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="zoo train vae-mnist"):
        zoo.load("vae-mnist")
    shutil.rmtree(tmp_path)


def test_plain_keras_loads_a_checkpoint_after_importing_zoo_models(folder):
    """What the README promises: a fresh Python with `import zoo.models` reads model.keras in safe mode."""
    import subprocess
    import sys

    code = ("import keras, zoo.models, sys; m = keras.saving.load_model(sys.argv[1], safe_mode=True); "
            "print(type(m).__name__, m.sample(2, seed=0).shape)")
    out = subprocess.run([sys.executable, "-c", code, str(folder / "model.keras")], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("VAE (2, 28, 28, 1)")
