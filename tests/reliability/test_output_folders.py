"""The zoo replaces only what it can prove it wrote: output folders, output files, locks, staging folders."""
import json
import os
import threading

import numpy as np
import pytest

import zoo
from tests.reliability.conftest import blobs, intact, run_zoo, user_files
from zoo import checkpoints, cli, outputs, plots


def quiet(*_):
    pass


def small_checkpoint(out, **kw):
    """A real zoo checkpoint folder written by zoo.train on a few images (a tiny ae)."""
    return zoo.train("ae", blobs(40), epochs=1, latent_dim=2, hidden=(8,), prior_components=2, out_dir=out,
                     verbose=0, log=quiet, **kw)


def test_a_folder_the_zoo_wrote_proves_itself(tmp_path):
    out = tmp_path / "mine"
    small_checkpoint(out)
    assert outputs.ownership_problem(out) is None
    card = json.loads((out / "card.json").read_text())
    assert set(card["files"]) == {p.name for p in out.iterdir()} - {"card.json"}
    small_checkpoint(out)  # a rerun replaces it
    assert outputs.ownership_problem(out) is None
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["mine"]


@pytest.mark.parametrize("damage", ["extra_file", "empty_card", "changed_png", "missing_file", "card_list",
                                    "upper_dir"])
def test_anything_but_a_whole_zoo_checkpoint_is_refused_and_left_as_it_was(tmp_path, damage):
    out = tmp_path / "out"
    small_checkpoint(out)
    if damage == "extra_file":
        (out / "thesis.tex").write_text("years of work")
    elif damage == "empty_card":  # what a user's own folder with a stray card.json looks like
        (out / "card.json").write_text("{}")
    elif damage == "changed_png":
        (out / "samples.png").write_bytes(b"my own picture")
    elif damage == "missing_file":
        (out / "history.csv").unlink()
    elif damage == "card_list":
        (out / "card.json").write_text("[1, 2]")
    elif damage == "upper_dir":
        (out / "sub").mkdir()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with pytest.raises(FileExistsError, match="not a checkpoint the zoo wrote.*--overwrite"):
        small_checkpoint(out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["out"]


def test_overwrite_replaces_a_user_folder_when_asked(tmp_path):
    out = tmp_path / "out"
    user_files(out)
    small_checkpoint(out, overwrite=True)
    assert outputs.ownership_problem(out) is None and not (out / "thesis.tex").exists()


def test_an_empty_folder_is_used(tmp_path):
    (tmp_path / "out").mkdir()
    small_checkpoint(tmp_path / "out")
    assert outputs.ownership_problem(tmp_path / "out") is None


def test_symlinks_and_special_files_are_never_replaced(tmp_path):
    target = tmp_path / "elsewhere"
    files = user_files(target)
    (tmp_path / "link").symlink_to(target)
    os.mkfifo(tmp_path / "fifo")
    for name in ("link", "fifo"):
        with pytest.raises(FileExistsError, match="never replaces"):
            outputs.check_replaceable(tmp_path / name, overwrite=True)
    assert intact(files)


def test_cli_finetune_and_train_refuse_a_user_folder_before_training(tmp_path, capsys):
    files = user_files(tmp_path / "out")
    (tmp_path / "out" / "card.json").write_text("{}")
    imgs = tmp_path / "imgs"
    imgs.mkdir()
    from PIL import Image

    for i, a in enumerate(blobs(12)):
        Image.fromarray(a).save(imgs / f"{i}.png")
    assert cli.main(["finetune", "ae-mnist", "--data", str(imgs), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "not a checkpoint the zoo wrote" in err and "Traceback" not in err
    assert cli.main(["train", "ae", "--data", str(imgs), "--out", str(tmp_path / "out"), "--epochs", "1"]) == 2
    assert "not a checkpoint the zoo wrote" in capsys.readouterr().err
    assert intact(files) and sorted(p.name for p in (tmp_path / "out").iterdir()) == ["card.json", "notes.txt",
                                                                                          "thesis.tex"]


def test_zoo_train_refuses_a_user_folder_at_out_name(tmp_path, tiny_data):
    files = user_files(tmp_path / "ae-mnist")
    r = run_zoo(["train", "ae-mnist", "--out", tmp_path, "--epochs", "1"], {"ZOO_DATA_DIR": str(tiny_data)})
    assert r.returncode == 2, r.stderr
    assert "not a checkpoint the zoo wrote" in r.stderr and "Traceback" not in r.stderr
    assert intact(files) and not (tmp_path / ".ae-mnist.work").exists()


def test_output_files_go_only_to_regular_files_or_new_paths(tmp_path):
    img = np.zeros((4, 8, 8, 1))
    os.mkfifo(tmp_path / "fifo.png")
    (tmp_path / "dir.png").mkdir()
    (tmp_path / "link.png").symlink_to(tmp_path / "target.png")
    (tmp_path / "target.png").write_bytes(b"user's picture")
    for name, err in (("fifo.png", "special file"), ("dir.png", "is a folder"), ("link.png", "symlink")):
        with pytest.raises(ValueError, match=err):
            plots.save_grid(img, tmp_path / name)
    assert (tmp_path / "target.png").read_bytes() == b"user's picture"
    plots.save_grid(img, tmp_path / "new.png")
    plots.save_grid(img, tmp_path / "new.png")  # a regular file is replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.png", "fifo.png", "link.png", "new.png", "target.png"]


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_cli_never_replaces_a_device_or_a_folder(tmp_path, capsys):
    for target in ("/dev/null", str(tmp_path)):
        assert cli.main(["sample", "vae-mnist", "-o", target, "-n", "2"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("zoo sample: error:") and "Traceback" not in err
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


@pytest.mark.parametrize("argv, message", [
    (["sample", "vae-mnist", "--ncol", "0"], "--ncol must be a positive integer"),
    (["sample", "vae-mnist", "-n", "0"], "-n must be a positive integer"),
    (["train", "vae-mnist", "--epochs", "0"], "epochs must be a positive integer"),
    (["train", "vae-mnist", "--override", '{"batch_size": -1}'], "batch_size must be a positive integer"),
    (["train", "vae-mnist", "--override", '{"nope": 1}'], "Unknown recipe fields"),
    (["train", "vae-mnist", "--time-limit", "0"], "--time-limit must be a positive number"),
    (["train", "vae-mnist", "--time-limit", "nan"], "--time-limit must be a positive number"),
    (["train", "ae", "--data", "folder", "--time-limit", "5"], "apply to registry models"),
    (["finetune", "vae-mnist", "--data", "/nonexistent/folder", "-o", "x", "--epochs", "0"], "epochs must be"),
    (["reconstruct", "vae-mnist", "--input", "/etc/hostname"], "is neither an image file"),
    (["sample", "hf://a b/c"], "not a Hub model address"),
])
def test_cli_user_errors_are_one_line_with_exit_code_2(argv, message, capsys, tmp_path):
    os.chdir(tmp_path)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []  # nothing was written


def test_cli_permission_or_path_errors_are_messages(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert cli.main(["sample", "vae-mnist", "-n", "2", "-o", str(tmp_path / "afile" / "s.png")]) == 2
    err = capsys.readouterr().err
    assert "zoo sample: error:" in err and "Traceback" not in err


def test_debug_shows_the_traceback(capsys):
    with pytest.raises(ValueError):
        cli.main(["sample", "vae-mnist", "--ncol", "0", "--debug"])


def test_a_second_writer_is_told_the_path_is_in_use(tmp_path):
    out = tmp_path / "out"
    inside, release = threading.Event(), threading.Event()

    def hold():
        with outputs.claim(out):
            inside.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert inside.wait(30)
        # another process's view: the lock file is held, so a second run stops at once
        r = run_zoo(["finetune", "ae-mnist", "--data", "mnist", "-o", out, "--epochs", "1"])
        assert r.returncode == 1 and "in use by another run" in r.stderr, r.stderr
    finally:
        release.set()
        t.join()
    assert not out.exists()


def test_staging_folders_are_removed_on_error_and_after_a_kill(tmp_path):
    out = tmp_path / "out"

    def broken(tmp):
        (tmp / "model.keras").write_text("half")
        raise RuntimeError("disk full")

    with outputs.claim(out), pytest.raises(RuntimeError, match="disk full"):
        checkpoints.write_folder(out, broken)
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == []
    # a staging folder left by a killed run (it carries the zoo's mark) is removed by the next run on that path;
    # a look-alike without the mark is the user's and stays
    stale = tmp_path / ".out.zoo-staging-abc123"
    stale.mkdir()
    (stale / outputs.STAGING_MARK).write_text("")
    mine = tmp_path / ".out.zoo-staging-users"
    mine.mkdir()
    (mine / "keep").write_text("x")
    with outputs.claim(out):
        pass
    assert not stale.exists() and (mine / "keep").exists()


def test_a_measured_table_replaces_only_the_text_between_its_markers(tmp_path):
    """How the scripts put a measured table in the README: the lines between the markers change, the rest of
    the file does not, and a file without the markers is left as it was."""
    begin, end = "<!-- t:begin -->", "<!-- t:end -->"
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{begin}\nold table\n{end}\nafter, with \\1 and .* in it\n")
    assert outputs.replace_marked_block(readme, begin, end, f"{begin}\nnew \\1 table\n{end}")
    assert readme.read_text() == f"intro\n{begin}\nnew \\1 table\n{end}\nafter, with \\1 and .* in it\n"
    other = tmp_path / "NOTES.md"
    other.write_text(f"no markers, only {begin}\n")
    assert not outputs.replace_marked_block(other, begin, end, "x")
    assert other.read_text() == f"no markers, only {begin}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["NOTES.md", "README.md"]
