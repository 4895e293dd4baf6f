"""What a hostile tester found in the command line and the API's paths: closed streams and pipes, names that
promise another format, empty and `~` paths, a model named twice, and the messages that name things."""
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import zoo
from zoo import cli, names, plots

from .conftest import REPO


def shell(command):
    return subprocess.run(["bash", "-c", command], cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.mark.backend_agnostic
def test_a_closed_stderr_or_a_closed_pipe_is_no_error():
    closed = shell(f"{sys.executable} -m zoo.cli list 2>&-")
    assert closed.returncode == 0 and "vae-mnist" in closed.stdout
    piped = shell(f"{sys.executable} -m zoo.cli list | head -1; echo \"status ${{PIPESTATUS[0]}}\"")
    assert piped.stderr == "", piped.stderr  # no "Broken pipe", no traceback
    assert piped.stdout.splitlines()[0].startswith("name") and piped.stdout.splitlines()[-1] == "status 141"


@pytest.mark.backend_agnostic
def test_pictures_are_png_named_and_checked_before_any_work(tmp_path, capsys):
    assert cli.main(["sample", "vae-mnist", "-o", str(tmp_path / "x.jpg")]) == 2
    assert "does not end in .png" in capsys.readouterr().err and not list(tmp_path.iterdir())
    assert cli.main(["sample", "vae-mnist", "-o", ""]) == 2
    assert "empty" in capsys.readouterr().err
    with pytest.raises(ValueError, match="does not end in .png"):
        zoo.compare(["vae-mnist"], figure=tmp_path / "c.svg")
    with pytest.raises(ValueError, match="does not end in .png"):
        plots.save_grid(np.zeros((1, 4, 4, 1)), tmp_path / "grid.gif")


def test_empty_and_home_paths(tmp_path, monkeypatch):
    x = np.random.default_rng(0).integers(0, 256, (20, 28, 28)).astype("uint8")
    with pytest.raises(ValueError, match="data path is empty"):
        zoo.finetune("ae-mnist", "", epochs=1)
    with pytest.raises(ValueError, match="output folder is empty"):
        zoo.finetune("ae-mnist", x, epochs=1, out_dir="")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    zoo.finetune("ae-mnist", x, epochs=1, out_dir="~/mine", verbose=0, log=lambda *a: None)
    assert (tmp_path / "home" / "mine" / "card.json").is_file()  # `~` is the home folder, as zoo.load reads it
    assert zoo.load("~/mine").card.parent.name == "ae-mnist"


@pytest.mark.backend_agnostic
def test_a_model_named_twice_is_one_row_and_families_are_plural(capsys):
    table = zoo.compare(["vae-mnist", "vae-mnist"], compute_missing=False)
    assert len(table.rows) == 1
    assert "The families are" in str(names.unknown_name_error("vea", ["vae"], what="family"))


@pytest.mark.backend_agnostic
def test_card_strings_reach_the_terminal_escaped_and_a_bad_card_does_not_stop_the_list(tmp_path, monkeypatch, capsys):
    import json
    import shutil

    from zoo import checkpoints

    root = tmp_path / "ck"
    for name in ("ae-mnist", "vae-mnist"):
        shutil.copytree(checkpoints.root() / name, root / name)
    card = json.loads((root / "vae-mnist" / "card.json").read_text())
    card["hardware"]["accelerator"] = "GPU\x1b]0;owned\x07\rhidden"
    (root / "vae-mnist" / "card.json").write_text(json.dumps(card))
    (root / "ae-mnist" / "card.json").write_text('{"metrics": {"test": {"mse": "high"}}, "params": 1}')
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(root))
    assert cli.main(["info", str(root / "vae-mnist")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out and "\\x1b]0;owned\\x07\\rhidden" in out
    assert cli.main(["list", "*-mnist"]) == 1  # flagged, not stopped
    listed = capsys.readouterr()
    assert "ae-mnist" in listed.out and "damaged card" in listed.out and "vae-mnist " in listed.out
    assert "damaged card(s)" in listed.err


def test_shipped_checkpoints_are_not_replaced_by_a_users_run(tmp_path, monkeypatch, capsys):
    from zoo import checkpoints, outputs, training

    shipped = checkpoints.root() / "ae-mnist"
    before = {p.name: p.read_bytes() for p in shipped.iterdir()}
    x = np.random.default_rng(0).integers(0, 256, (20, 28, 28)).astype("uint8")
    with pytest.raises(ValueError, match="shipped checkpoints"):
        zoo.finetune("ae-mnist", x, epochs=1, out_dir=shipped)
    with pytest.raises(ValueError, match="shipped checkpoints"):
        training.train("ae-mnist", epochs=1)  # no out_root: the shipped folder, a maintainer's action only
    assert cli.main(["evaluate", "ae-mnist"]) == 2 and "shipped checkpoints" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in shipped.iterdir()} == before
    copy = tmp_path / "copy"
    from zoo import measuring

    card = measuring.measure("ae-mnist", copy_to=copy, pictures_only=True)
    assert outputs.ownership_problem(copy) is None and card.name == "ae-mnist"
    assert {p.name: p.read_bytes() for p in shipped.iterdir()} == before


def test_a_swapped_weights_file_is_refused_when_loaded_by_its_path_too(tmp_path):
    import shutil

    from zoo import checkpoints

    folder = tmp_path / "ck"
    shutil.copytree(checkpoints.root() / "vae-mnist", folder)
    shutil.copy(checkpoints.root() / "ae-mnist" / "model.keras", folder / "model.keras")
    for path in (folder, folder / "model.keras"):
        with pytest.raises(ValueError, match="corrupt or was changed"):
            zoo.load(str(path))


@pytest.mark.backend_agnostic
def test_reading_a_card_never_builds_its_config(tmp_path, monkeypatch):
    """A card asking for a prior of 10^9 hidden units is described, not built: zoo info stays instant."""
    import json
    import shutil

    from zoo import cards, checkpoints
    from zoo.card import Card

    folder = tmp_path / "hvae"
    shutil.copytree(checkpoints.root() / "hvae-mnist", folder)
    card = json.loads((folder / "card.json").read_text())
    card["model_config"]["prior"]["config"]["hidden"] = 10 ** 9

    def never(*args, **kwargs):
        raise AssertionError("a layer was built from a card")

    from zoo.models import hvae, vamp

    monkeypatch.setattr(hvae.TopDownPrior, "__init__", never)
    monkeypatch.setattr(vamp.VampPrior, "__init__", never)
    assert "VampPrior" in cards.summary(Card.from_dict(card))
    card["model_config"]["prior"]["config"] = {"nonsense": True}
    assert "damaged" in cards.summary(Card.from_dict(card))


def test_a_crafted_config_is_quoted_briefly_in_the_error(tmp_path):
    import zipfile

    from zoo import checkpoints

    path = tmp_path / "crafted.keras"
    with zipfile.ZipFile(checkpoints.root() / "ae-mnist" / "model.keras") as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            if item == "config.json":
                import json

                config = json.loads(data)
                config["config"]["junk_argument"] = "x" * 1_000_000
                data = json.dumps(config).encode()
            dst.writestr(item, data)
    with pytest.raises(ValueError) as e:
        zoo.load(str(path))
    assert len(str(e.value)) < 2000 and "characters in all" in str(e.value)


def test_written_checkpoints_follow_the_umask(tmp_path):
    import os
    import stat

    old = os.umask(0o077)
    try:
        x = np.random.default_rng(0).integers(0, 256, (20, 28, 28)).astype("uint8")
        zoo.finetune("ae-mnist", x, epochs=1, out_dir=tmp_path / "private", verbose=0, log=lambda *a: None)
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [tmp_path / "private", *(tmp_path / "private").iterdir()]}
    assert set(modes.values()) <= {0o700, 0o600} and modes["private"] == 0o700, modes
    assert modes["model.keras"] == modes["card.json"] == 0o600


def test_two_threads_on_one_output_one_writes(tmp_path):
    import threading

    from zoo import outputs

    x = np.random.default_rng(0).integers(0, 256, (40, 28, 28)).astype("uint8")
    results = []

    def run():
        try:
            zoo.finetune("ae-mnist", x, epochs=2, out_dir=tmp_path / "same", verbose=0, log=lambda *a: None)
            results.append("wrote")
        except outputs.OutputInUse as e:
            results.append(str(e))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r if r == "wrote" else "refused" for r in results) == ["refused", "wrote"], results
    assert outputs.ownership_problem(tmp_path / "same") is None


@pytest.mark.backend_agnostic
def test_damaged_cards_are_named_and_can_be_overwritten(tmp_path, capsys):
    import json
    import shutil

    from zoo import checkpoints, outputs

    folder = tmp_path / "ck"
    shutil.copytree(checkpoints.root() / "ae-mnist", folder)
    card = json.loads((folder / "card.json").read_text())
    del card["model_config"]
    (folder / "card.json").write_text(json.dumps(card))
    assert cli.main(["info", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(folder / "card.json") in err and "damaged" in err
    (folder / "card.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="nests its JSON too deeply"):
        checkpoints.read_card(folder)
    assert cli.main(["info", str(folder)]) == 2 and "too deeply" in capsys.readouterr().err
    deep = json.loads(json.dumps(card))  # a real card whose model_config nests 900 levels: parses, then overflows
    nested = deep["model_config"] = {}
    for _ in range(900):
        nested["x"] = {}
        nested = nested["x"]
    (folder / "card.json").write_text(json.dumps(deep))
    for command in (["info", str(folder), "--json"], ["evaluate", str(folder)]):
        assert cli.main(command) == 2
        err = capsys.readouterr().err
        assert "more than 64 levels deep" in err and err.count("\n") == 1, err[:300]
    with outputs.claim(folder, overwrite=True):  # such a folder can still be replaced on purpose
        written = {"schema_version": 2, "name": "x", "kind": "autoencoder", "dataset": None, "params": 1,
                   "code_version": {"zoo": "0.1.0"}}
        checkpoints.write_folder(folder, lambda tmp: ((tmp / "w.txt").write_text("new"), written)[1], overwrite=True)
    assert (folder / "w.txt").read_text() == "new"


def test_bad_data_and_names_are_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "model"
    assert cli.main(["finetune", "ae-mnist", "--data", str(tmp_path / "missing"), "-o", str(out)]) == 2
    assert "not a folder of images" in capsys.readouterr().err and not (tmp_path / "new").exists()
    assert cli.main(["train", "ae", "--data", "no_such_dataset_here", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err) < 2000 and not (tmp_path / "new").exists(), err[:500]
    for command in (["finetune", "vae-mnist"], ["train", "ae"]):  # a folder name that reads like a dataset's
        assert cli.main([*command, "--data", "my_pngs", "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert "my_pngs is neither a folder of images" in err and err.count("\n") == 1, err[:500]
        assert not (tmp_path / "new").exists()
    x = np.zeros((20, 28, 28), np.uint8)
    with pytest.raises(ValueError, match="bytes long"):
        zoo.finetune("ae-mnist", x, epochs=1, out_dir=tmp_path / ("m" * 240))
    assert not list(tmp_path.glob("m*"))


def test_a_lying_npy_header_and_a_huge_ncol_are_no_memory_error(tmp_path, capsys):
    lying = tmp_path / "lies.npy"
    with open(lying, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "|u1", "fortran_order": False, "shape": (10 ** 9, 28, 28)})
        f.write(b"\0" * 100)
    assert cli.main(["reconstruct", "ae-mnist", "--input", str(lying), "-o", str(tmp_path / "r.png")]) == 2
    assert "header says" in capsys.readouterr().err
    assert cli.main(["sample", "ae-mnist", "-n", "4", "--ncol", "1000000000", "-o", str(tmp_path / "s.png")]) == 2
    assert "--ncol must be at most" in capsys.readouterr().err and not (tmp_path / "s.png").exists()


@pytest.mark.backend_agnostic
def test_the_temp_file_of_a_killed_writer_is_removed_by_the_next_write(tmp_path, capsys):
    """`zoo sample -o out.png` killed mid-write leaves `.out.png.zoo-tmp-PID-...`; the next write of out.png
    removes it, and leaves a live writer's temp file and the user's look-alike names alone."""
    out = tmp_path / "out.png"
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from zoo import outputs\n"
        f"outputs.write_file_atomic({str(out)!r}, lambda tmp: (print('writing', flush=True), time.sleep(60)))")],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    writer.kill()
    writer.wait(30)
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(f".out.png.zoo-tmp-{writer.pid}-"), left
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        keep = {tmp_path / f".out.png.zoo-tmp-{live.pid}-abc": b"a live writer's", tmp_path / ".out.png.mine": b"a",
                tmp_path / ".out.png.zoo-tmp-notes": b"b", tmp_path / ".other.png.zoo-tmp-1-x": b"c"}
        for path, content in keep.items():
            path.write_bytes(content)
        assert cli.main(["sample", "vae_2d-mnist", "-n", "4", "-o", str(out)]) == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out.png", *(p.name for p in keep)])
        assert all(path.read_bytes() == content for path, content in keep.items())
    finally:
        live.kill()


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("kind", ["zero", "fifo", "huge", "nan", "infinity"])
def test_a_card_that_is_no_regular_file_or_no_strict_json_is_one_line_at_once(tmp_path, monkeypatch, capsys, kind):
    """A link to /dev/zero or a FIFO in card.json's place, a card of many megabytes, or NaN and Infinity in it:
    `zoo info`, `zoo.load` and `zoo list` answer at once (a FIFO would block a reader forever)."""
    import json
    import os
    import shutil

    from zoo import checkpoints

    folder = tmp_path / "ae-mnist"
    shutil.copytree(checkpoints.root() / "ae-mnist", folder)
    card_path = folder / "card.json"
    card = json.loads(card_path.read_text())
    card_path.unlink()
    if kind == "zero":
        card_path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(card_path)
    elif kind == "huge":
        card_path.write_text(json.dumps({**card, "padding": "x" * (9 * 2**20)}))
    else:
        card["metrics"]["values"]["mse"] = float("nan") if kind == "nan" else float("inf")
        card_path.write_text(json.dumps(card))  # Python writes the bare tokens NaN and Infinity
    expected = {"zero": "not a regular file", "fifo": "not a regular file", "huge": "over 8 MB",
                "nan": "NaN is not a JSON number", "infinity": "Infinity is not a JSON number"}[kind]
    assert cli.main(["info", str(folder)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and len(err.splitlines()) == 1
    with pytest.raises(ValueError, match=expected):
        zoo.load(str(folder))
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path))
    assert cli.main(["list", "ae-*"]) == 1  # flagged, without hanging
    listed = capsys.readouterr()
    assert "damaged card" in listed.out and "damaged card(s)" in listed.err


@pytest.mark.backend_agnostic
def test_a_card_with_a_non_finite_number_is_never_written(tmp_path):
    from zoo import checkpoints

    card = checkpoints.read_card(checkpoints.root() / "ae-mnist").to_dict()
    card["metrics"]["values"]["mse"] = float("nan")
    with pytest.raises(ValueError, match=r"card\.metrics\.values\.mse is not a finite number"):
        checkpoints.write_card(tmp_path, card)
    assert not (tmp_path / "card.json").exists()


def test_reconstruct_takes_a_folder_or_an_image_file_and_checks_input_before_loading(tmp_path, capsys, monkeypatch):
    from PIL import Image

    folder = tmp_path / "my_photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 256, (40, 30, 3), dtype=np.uint8)).save(folder / f"p{i}.png")
    for source in (folder, folder / "p0.png"):
        out = tmp_path / f"r_{source.name}.png"
        assert cli.main(["reconstruct", "ae-mnist", "--input", str(source), "-o", str(out)]) == 0
        assert out.is_file()
    (tmp_path / "notes.txt").write_text("not images")
    monkeypatch.setattr(zoo, "load", lambda *a, **k: pytest.fail("loaded a model before checking --input"))
    for bad in (tmp_path / "notes.txt", tmp_path / "missing"):
        assert cli.main(["reconstruct", "ae-mnist", "--input", str(bad), "-o", str(tmp_path / "x.png")]) == 2
        assert "--input" in capsys.readouterr().err


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("argv, named", [
    (["sample", "vae-mnist", "--seed", "-1"], "--seed"),
    (["sample", "vae-mnist", "--ncol", "1000000000"], "--ncol"),
    (["evaluate", "vae-mnist", "-o", "copy", "--iwae-images", "-5"], "--iwae-images"),
    (["evaluate", "vae-mnist", "-o", "copy", "--iwae-images", "0"], "--iwae-images"),
    (["evaluate", "vae-mnist", "-o", "copy", "--sections", ""], "--sections"),
])
def test_out_of_range_numbers_and_empty_lists_name_their_option(tmp_path, monkeypatch, capsys, argv, named):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(zoo, "load", lambda *a, **k: pytest.fail("loaded a model before checking the options"))
    assert cli.main(argv + (["-o", "s.png"] if argv[0] == "sample" else [])) == 2
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert not (tmp_path / "copy").exists()


def test_names_from_outside_reach_the_terminal_escaped_and_cut(tmp_path, capsys):
    """File names with terminal sequences or newlines, and a card with a megabyte name and reproduce line, are
    shown escaped and cut."""
    import shutil

    from zoo import checkpoints

    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(12):
        Image.fromarray(np.full((28, 28), 20 * i, np.uint8)).save(folder / f"ok{i}.png")
    (folder / "evil\x1b]0;owned\x07\nname.txt").write_text("not an image")
    assert cli.main(["finetune", "ae-mnist", "--data", str(folder), "--epochs", "1", "-o", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "skipped 1 files" in out and "\x1b" not in out and "\\x1b]0;owned\\x07\\nname.txt" in out
    (folder / "bad\x1b[2J.png").write_bytes(b"not a png")
    assert cli.main(["finetune", "ae-mnist", "--data", str(folder), "--epochs", "1", "-o", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "bad\\x1b[2J.png" in err and err.count("\n") == 1
    ck = tmp_path / "ck"
    shutil.copytree(checkpoints.root() / "ae-mnist", ck)
    card = json.loads((ck / "card.json").read_text())
    card["name"], card["reproduce"] = "n" * 1_000_000, "r" * 5_000_000  # under the 8 MB a card may take
    (ck / "card.json").write_text(json.dumps(card))
    assert cli.main(["info", str(ck)]) == 0
    assert len(capsys.readouterr().out) < 20_000
