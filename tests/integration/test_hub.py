"""Hub publishing and loading with the real huggingface_hub client against the local stand-in server."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import zoo
from zoo import data, loader, recipes
from zoo import hub as zhub
from zoo.card import Card, as_json

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """`scripts/publish.py --all --org zoo` run as a user would; returns the pins file it wrote."""
    pins = tmp_path_factory.mktemp("pins") / "pins.json"
    r = subprocess.run([sys.executable, "scripts/publish.py", "--all", "--org", "zoo", "--pins", str(pins)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return pins


@pytest.fixture
def no_shipped(tmp_path, monkeypatch, published):
    """As if zoo were installed without its checkpoints, with the published pins."""
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path / "empty"))
    monkeypatch.setenv("ZOO_HUB_PINS", str(published))
    return json.loads(published.read_text())


def test_publish_all_pins_every_model_and_rerun_makes_no_commit(published, hub):
    pins = json.loads(published.read_text())
    assert sorted(pins) == zoo.list_models()
    counts = {n: hub.commit_count(p["repo_id"]) for n, p in pins.items()}
    r = subprocess.run([sys.executable, "scripts/publish.py", "--all", "--org", "zoo", "--pins", str(published)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "(unchanged)" in r.stdout
    assert {n: hub.commit_count(p["repo_id"]) for n, p in pins.items()} == counts
    assert json.loads(published.read_text()) == pins
    files = hub.repos["zoo/vae-mnist"].tree(pins["vae-mnist"]["revision"])[1]
    assert {"model.keras", "card.json", "README.md", "samples.png"} <= set(files)
    assert files["README.md"].startswith(b"---\nlibrary_name: keras")


def test_fresh_cache_downloads_each_model_with_same_outputs(no_shipped, tmp_path):
    tests, families = {}, set()
    for name, pin in sorted(no_shipped.items()):  # one model per family: every class's file round trip
        family = recipes.get_recipe(name).family
        if family in families:
            continue
        families.add(family)
        folder = zhub.download(pin["repo_id"], pin["revision"], cache_dir=tmp_path / "cache")
        assert pin["revision"] in str(folder)
        model = loader.load(folder)
        shipped = loader.load(ROOT / "checkpoints" / name)
        dataset = shipped.card.dataset
        if dataset not in tests:
            tests[dataset] = [a[:64] for a in data.load_split(dataset, "test")]
        x, y = tests[dataset]
        labels = y if model.conditional else None  # a conditional model encodes given the labels
        np.testing.assert_allclose(model.encode(x, labels), shipped.encode(x, labels), atol=1e-6)
        np.testing.assert_allclose(model.sample(4, seed=0), shipped.sample(4, seed=0), atol=1e-5)


def test_load_by_name_downloads_then_uses_cache_then_works_offline(no_shipped, hub, monkeypatch):
    model = zoo.load("ae-mnist")
    assert model.card.name == "ae-mnist"
    gets = lambda: sum(1 for m, p in hub.requests if m == "GET" and p.endswith("ae-mnist/resolve/"  # noqa: E731
                                                                               + no_shipped["ae-mnist"]["revision"]
                                                                               + "/model.keras"))
    before = gets()
    zoo.load("ae-mnist")
    assert gets() == before  # served from the local cache
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    assert zoo.load("ae-mnist").sample(2, seed=0).shape == (2, 28, 28, 1)


def test_a_published_checkpoint_is_what_a_continued_training_starts_from(no_shipped):
    """`zoo train NAME --continue-from NAME` on a machine without the shipped checkpoints: the published one."""
    from zoo import training

    name = "factor_vae-dsprites"
    recipe = training.resolve_recipe(name)  # the registry's 300 epochs, more than the checkpoint has had
    folder, card = training.checkpoint_to_continue(name, recipe)
    assert no_shipped[name]["revision"] in str(folder) and (folder / "model.keras").is_file()
    assert card.name == name and card.training.epochs < recipe.epochs


def test_offline_and_never_downloaded_says_so(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "HF_HUB_CACHE": str(tmp_path / "hf" / "hub")}
    code = "import zoo; zoo.load('hf://zoo/vae-fashion_mnist')"
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "Load it once with network access" in r.stderr


def test_an_unreachable_hub_is_one_line_from_the_cli(tmp_path):
    """huggingface_hub retries a failed connection five times, warning each time: the CLI says it once."""
    import socket

    with socket.socket() as s:  # a port nothing listens on: every connection is refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HF_ENDPOINT": f"http://127.0.0.1:{port}", "HF_HOME": str(tmp_path / "hf"),
           "HF_HUB_CACHE": str(tmp_path / "hf" / "hub"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("HF_HUB_VERBOSITY", None)
    r = subprocess.run([sys.executable, "-m", "zoo.cli", "sample", "hf://zoo/vae-mnist", "--output", tmp_path / "s.png"],
                       env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert r.returncode == 1 and not (tmp_path / "s.png").exists()
    assert r.stderr.splitlines() == [r.stderr.strip()] and "the Hub cannot be reached" in r.stderr, r.stderr


def test_push_to_hub_round_trip_and_revision_pinning(tmp_path):
    model = zoo.load("vae-mnist")
    first = zoo.push_to_hub(model, "me/my-vae")
    before = model.sample(4, seed=0)
    model.fit(data.load_split("fashion_mnist", "train")[0][:512], epochs=1, verbose=0)
    second = zoo.push_to_hub(model, "me/my-vae")
    assert first != second
    latest = zoo.load("hf://me/my-vae")
    np.testing.assert_allclose(latest.sample(4, seed=0), model.sample(4, seed=0), atol=1e-5)
    pinned = zoo.load("hf://me/my-vae", revision=first)
    np.testing.assert_allclose(pinned.sample(4, seed=0), before, atol=1e-5)
    card = zoo.info("hf://me/my-vae")
    assert card["parent"]["name"] == "vae-mnist" and "metrics" not in card


def test_a_finetuned_model_is_pushed_with_its_record():
    """zoo.finetune's card (parent, data, recipe, held-out before/after) travels to the Hub with the weights."""
    x = data.load_split("fashion_mnist", "train")[0][:300]
    model, _ = zoo.finetune("ae-mnist", x, epochs=1, verbose=0, log=lambda *_: None)
    zoo.push_to_hub(model, "me/ae-clothes")
    card = zoo.info("hf://me/ae-clothes")
    assert card["parent"]["name"] == "ae-mnist" and card["finetune"]["epochs"] == 1
    assert card["metrics"] == as_json(model.card.metrics) and card["repo_id"] == "me/ae-clothes"
    from zoo import cards

    pushed = Card.from_dict({k: v for k, v in card.items() if k != "paths"})
    readme = cards.user_readme(pushed)  # what push_to_hub uploaded as the Hub model card
    assert "Fine-tuned from `ae-mnist`" in readme and "| after |" in readme and "hf://me/ae-clothes" in readme
    np.testing.assert_allclose(zoo.load("hf://me/ae-clothes").sample(4, seed=0), model.sample(4, seed=0), atol=1e-5)


def test_tampered_file_is_rejected_and_not_loaded(hub, tmp_path):
    model = zoo.load("ae-mnist")
    zoo.push_to_hub(model, "me/tampered")
    blob = bytearray(hub.repos["me/tampered"].tree("main")[1]["model.keras"])
    blob[len(blob) // 2] ^= 0xFF
    hub.tamper("me/tampered", "model.keras", bytes(blob))
    with pytest.raises(ValueError, match=r"model.keras is corrupt or was changed: sha256 \w+ but the card "
                                         r"records \w+"):
        zhub.download("me/tampered", cache_dir=tmp_path / "cache")


def test_interrupted_download_leaves_nothing_trusted(hub, tmp_path):
    zoo.push_to_hub(zoo.load("ae-mnist"), "me/flaky")
    cache = tmp_path / "cache"
    hub.truncate["model.keras"] = 20_000
    try:
        with pytest.raises(zhub.HubError, match="failed: .*retry"):
            zhub.download("me/flaky", cache_dir=cache)
    finally:
        hub.truncate.clear()
    snapshots = list(cache.glob("models--me--flaky/snapshots/*/model.keras"))
    assert snapshots == []  # only an .incomplete blob may remain, never a file a later load would use
    folder = zhub.download("me/flaky", cache_dir=cache)
    assert loader.load(folder).sample(1, seed=0).shape == (1, 28, 28, 1)


def test_not_zoo_format_and_missing_repo(hub, tmp_path):
    from huggingface_hub import HfApi

    api = HfApi()
    api.create_repo("me/just-a-readme", exist_ok=True)
    api.upload_file(path_or_fileobj=b"hello\n", path_in_repo="notes.txt", repo_id="me/just-a-readme")
    with pytest.raises(zhub.HubError, match="not a zoo-format repo"):
        zoo.load("hf://me/just-a-readme")
    with pytest.raises(zhub.HubError, match="No Hub model repo"):
        zoo.load("hf://me/does-not-exist")
    with pytest.raises(ValueError, match="hf://OWNER/REPO"):
        zoo.load("hf://just-one-part")
