"""`zoo train` killed with SIGKILL at several points, then rerun: it resumes the same recipe and refuses another;
the card, history and wall time are exactly what the weights went through; two runs never share an output."""
import csv
import json
import shutil
import signal
import time

import pytest

from tests.reliability.conftest import intact, run_zoo, user_files
from zoo import outputs

pytestmark = pytest.mark.slow

NAME = "ae-mnist"
RECIPE = '{"batch_size": 8, "options": {"hidden": [64]}}'  # slower epochs on the tiny data: room to kill mid-run


def history(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def train(out, tiny_data, epochs=4, extra=(), wait=True):
    if not (out / "thesis.tex").exists():  # a user's files beside the output, in every test
        user_files(out)
    return run_zoo(["train", NAME, "--out", out, "--epochs", epochs, "--override", RECIPE, *extra],
                   {"ZOO_DATA_DIR": str(tiny_data)}, wait=wait)


def kill_when(proc, ready, timeout=240):
    """SIGKILL `proc` as soon as ready() holds; returns whether it was still running then."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    proc.kill()
    raise AssertionError("the run never reached the point to kill it at")


def assert_whole_and_honest(out, epochs):
    folder = out / NAME
    assert outputs.ownership_problem(folder) is None
    card = json.loads((folder / "card.json").read_text())
    rows = history(folder / "history.csv")
    assert [int(r["epoch"]) for r in rows] == list(range(epochs))
    assert card["training"]["epochs"] == card["recipe"]["epochs"] == epochs
    assert card["recipe"]["batch_size"] == 8 and card["recipe"]["options"]["hidden"] == [64]
    assert card["training"]["wall_time_s"] == round(sum(float(r["epoch_time_s"]) for r in rows), 1)
    leftovers = [p.name for p in out.iterdir()
                 if p.name not in (NAME, "thesis.tex", "notes.txt") and not p.name.endswith(".lock")]
    assert leftovers == [], leftovers
    assert intact({out / "thesis.tex": b"\\documentclass{article} years of work", out / "notes.txt": b"keep me"})
    return rows


def test_killed_mid_training_then_rerun_resumes(tmp_path, tiny_data):
    work_log = tmp_path / f".{NAME}.work" / "history.csv"
    proc = train(tmp_path, tiny_data, wait=False)
    # two rows written: epoch 0's backup is saved (rows are written just before each epoch's backup)
    assert kill_when(proc, lambda: work_log.exists() and len(history(work_log)) >= 2)
    first = history(work_log)[0]
    r = train(tmp_path, tiny_data)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = assert_whole_and_honest(tmp_path, 4)
    assert rows[0] == first  # resumed, not started over


def test_a_temp_file_left_by_a_kill_in_the_work_folder_does_not_block_resuming(tmp_path, tiny_data):
    """A kill while history.csv or recipe.json was being replaced leaves `.history.csv.XXXX`: the run resumes."""
    work = tmp_path / f".{NAME}.work"
    proc = train(tmp_path, tiny_data, wait=False)
    assert kill_when(proc, lambda: (work / "history.csv").exists() and len(history(work / "history.csv")) >= 2)
    first = history(work / "history.csv")[0]  # epoch 0's state is saved once the second row is written
    (work / ".history.csv.k1ll3d").write_text("epoch,loss\n0,")  # as a kill mid-write leaves them
    (work / ".recipe.json.k1ll3d").write_text("{")
    r = train(tmp_path, tiny_data)
    assert r.returncode == 0, r.stderr[-3000:]
    assert assert_whole_and_honest(tmp_path, 4)[0] == first  # resumed, not started over


def test_a_kept_state_continues_with_more_epochs(tmp_path, tiny_data):
    """`--keep-state` leaves the state after writing; a later run with more epochs continues it, not a new run."""
    r = train(tmp_path, tiny_data, epochs=2, extra=["--keep-state"])
    assert r.returncode == 0, r.stderr[-3000:]
    first = history(tmp_path / NAME / "history.csv")
    assert (tmp_path / f".{NAME}.work" / "state" / "current").is_dir()
    r = train(tmp_path, tiny_data, epochs=4)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = assert_whole_and_honest(tmp_path, 4)  # the work folder is gone: this run did not keep it
    assert rows[:2] == first  # the first two epochs are the first run's, continued
    assert "--epochs 4" in json.loads((tmp_path / NAME / "card.json").read_text())["reproduce"]


def test_a_time_limit_trains_in_stages(tmp_path, tiny_data):
    """`--time-limit` stops after the epoch that passes it and writes a checkpoint of the epochs run; with
    `--keep-state` the next run continues from there (how a long training spans sessions of a machine)."""
    r = train(tmp_path, tiny_data, epochs=4, extra=["--time-limit", "0.0001", "--keep-state"])
    assert r.returncode == 0, r.stderr[-3000:]
    first = history(tmp_path / NAME / "history.csv")
    card = json.loads((tmp_path / NAME / "card.json").read_text())
    assert len(first) == card["training"]["epochs"] == card["recipe"]["epochs"] == 1
    assert "--epochs 1" in card["reproduce"]
    r = train(tmp_path, tiny_data, epochs=4)  # the same command without the limit: the run goes on to the end
    assert r.returncode == 0, r.stderr[-3000:]
    assert assert_whole_and_honest(tmp_path, 4)[:1] == first


def test_a_checkpoint_continues_to_more_epochs_when_its_state_is_gone(tmp_path, tiny_data):
    """`--continue-from` continues a checkpoint (a fresh machine, no kept state): its epochs are the run's first,
    its weights the start, and the card says that Adam started afresh and how to train the same again. A
    checkpoint of another recipe, or one already as long, is refused before anything is written."""
    source, out = tmp_path / "first", tmp_path / "continued"
    assert train(source, tiny_data, epochs=2).returncode == 0
    first = history(source / NAME / "history.csv")
    before = json.loads((source / NAME / "card.json").read_text())
    r = train(out, tiny_data, epochs=2, extra=["--continue-from", source / NAME])
    assert r.returncode == 2 and "trained for 2 epochs already" in r.stderr, r.stderr[-2000:]
    r = run_zoo(["train", NAME, "--out", out, "--epochs", 4, "--override", '{"batch_size": 16, "options": {"hidden": '
                 '[64]}}', "--continue-from", source / NAME], {"ZOO_DATA_DIR": str(tiny_data)})
    assert r.returncode == 2 and "batch_size 8 -> 16" in r.stderr and "Traceback" not in r.stderr, r.stderr[-2000:]
    edited = shutil.copytree(source / NAME, tmp_path / "edited")
    (edited / "history.csv").write_text((edited / "history.csv").read_text().replace("0,", "9,", 1))
    r = train(out, tiny_data, epochs=4, extra=["--continue-from", edited])
    assert r.returncode == 2 and "not the one its card records" in r.stderr, r.stderr[-2000:]
    assert not (out / NAME).exists() and not (out / f".{NAME}.work").exists()
    r = train(out, tiny_data, epochs=4, extra=["--continue-from", source / NAME])
    assert r.returncode == 0, r.stderr[-3000:]
    rows = assert_whole_and_honest(out, 4)
    assert rows[:2] == first
    assert float(rows[2]["loss"]) < float(first[0]["loss"])  # trained weights, not a new start
    card = json.loads((out / NAME / "card.json").read_text())
    assert "continued from a checkpoint at epoch 2" in card["training"]["note"] and "Adam" in card["training"]["note"]
    assert card["reproduce"].startswith(before["reproduce"] + "; then zoo train ")
    assert card["reproduce"].endswith(f"--continue-from ./{NAME}") and "--epochs 4" in card["reproduce"]
    assert json.loads((source / NAME / "card.json").read_text()) == before  # the source is only read


def test_killed_while_writing_then_rerun_completes(tmp_path, tiny_data):
    proc = train(tmp_path, tiny_data, epochs=2, wait=False)
    was_running = kill_when(proc, lambda: any(tmp_path.glob(f".{NAME}.zoo-staging-*")))
    assert was_running
    assert not (tmp_path / NAME).exists()  # never half a checkpoint
    r = train(tmp_path, tiny_data, epochs=2)
    assert r.returncode == 0, r.stderr[-3000:]
    assert_whole_and_honest(tmp_path, 2)


def test_rerun_with_another_recipe_is_refused_until_restart(tmp_path, tiny_data):
    work_log = tmp_path / f".{NAME}.work" / "history.csv"
    proc = train(tmp_path, tiny_data, wait=False)
    assert kill_when(proc, lambda: work_log.exists() and len(history(work_log)) >= 1)
    kept = work_log.read_bytes()
    r = train(tmp_path, tiny_data, epochs=3)
    assert r.returncode == 2 and "--restart" in r.stderr and "epochs 4 -> 3" in r.stderr, r.stderr[-2000:]
    assert "Traceback" not in r.stderr and work_log.read_bytes() == kept and not (tmp_path / NAME).exists()
    r = train(tmp_path, tiny_data, epochs=3, extra=["--restart"])
    assert r.returncode == 0, r.stderr[-3000:]
    assert_whole_and_honest(tmp_path, 3)


def test_a_run_is_not_resumed_under_another_precision_or_other_data(tmp_path, tiny_data):
    import numpy as np

    work_log = tmp_path / f".{NAME}.work" / "history.csv"
    proc = train(tmp_path, tiny_data, wait=False)
    assert kill_when(proc, lambda: work_log.exists() and len(history(work_log)) >= 1)
    r = train(tmp_path, tiny_data, extra=["--mixed-precision"])
    assert r.returncode == 2 and "precision 'float32' -> 'mixed_bfloat16'" in r.stderr, r.stderr[-2000:]
    other = tmp_path / "other-data"
    shutil.copytree(tiny_data, other)
    with np.load(other / "mnist.npz") as f:
        arrays = {k: f[k] for k in f.files}
    arrays["x_train"] = 255 - arrays["x_train"]
    np.savez(other / "mnist.npz", **arrays)
    r = run_zoo(["train", NAME, "--out", tmp_path, "--epochs", 4, "--override", RECIPE], {"ZOO_DATA_DIR": str(other)})
    assert r.returncode == 2 and "data {" in r.stderr and "--restart" in r.stderr, r.stderr[-2000:]


def test_a_second_run_on_the_same_output_stops_at_once(tmp_path, tiny_data):
    work_log = tmp_path / f".{NAME}.work" / "history.csv"
    first = train(tmp_path, tiny_data, epochs=3, wait=False)
    t0 = time.time()
    while not work_log.exists() and first.poll() is None and time.time() - t0 < 240:
        time.sleep(0.01)
    first.send_signal(signal.SIGSTOP)  # frozen mid-run, holding the lock, however fast this machine is
    try:
        second = train(tmp_path, tiny_data, epochs=3)
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 1 and "in use by another run" in second.stderr, second.stderr[-2000:]
    assert first.wait(300) == 0, first.stderr.read()[-3000:]
    assert_whole_and_honest(tmp_path, 3)


def test_backend_option_trains_on_that_backend(tmp_path, tiny_data):
    pytest.importorskip("jax")
    r = train(tmp_path, tiny_data, epochs=1, extra=("--backend", "jax"))
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / NAME / "card.json").read_text())["hardware"]["keras_backend"] == "jax"
    assert_whole_and_honest(tmp_path, 1)


def test_continuing_is_refused_where_the_data_or_the_kept_state_would_not_be_the_checkpoints(tmp_path, tiny_data):
    """A card without a data record was trained on the dataset as tensorflow-datasets gives it: continuing it on
    a local copy is refused. Kept state of another run further along than the checkpoint would be used instead
    of it: refused, naming --restart."""
    source, out = tmp_path / "first", tmp_path / "continued"
    assert train(source, tiny_data, epochs=2).returncode == 0
    unrecorded = shutil.copytree(source / NAME, tmp_path / "unrecorded")
    card = json.loads((unrecorded / "card.json").read_text())
    del card["data"]
    (unrecorded / "card.json").write_text(json.dumps(card))
    r = train(out, tiny_data, epochs=4, extra=["--continue-from", unrecorded])
    assert r.returncode == 2 and "records no data" in r.stderr and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert train(out, tiny_data, epochs=3, extra=["--keep-state"]).returncode == 0  # state at epoch 3 kept
    r = train(out, tiny_data, epochs=4, extra=["--continue-from", source / NAME])
    assert r.returncode == 2 and "--restart" in r.stderr and "epoch 3" in r.stderr, r.stderr[-2000:]
    r = train(out, tiny_data, epochs=4, extra=["--continue-from", source / NAME, "--restart"])
    assert r.returncode == 0, r.stderr[-3000:]
    assert "continued from a checkpoint at epoch 2" in json.loads((out / NAME / "card.json").read_text())[
        "training"]["note"]
