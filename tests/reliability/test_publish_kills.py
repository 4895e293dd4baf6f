"""A kill at any instant of writing a checkpoint leaves the old checkpoint or the new one, whole: the kill is
injected at every file operation of `write_folder` in turn (a process that dies with os._exit at the k-th
rename, unlink, rmdir or write), and the next run on the path puts right what it left."""
import os
import subprocess
import sys

import pytest

from zoo import checkpoints, outputs

from .conftest import REPO

pytestmark = pytest.mark.backend_agnostic

DIES_AT_K = r"""
import os, pathlib, sys
from zoo import checkpoints, outputs, writer

out, k, n = pathlib.Path(sys.argv[1]), int(sys.argv[2]), [0]

def dies_at_k(f):
    def step(*a, **kw):
        n[0] += 1
        if n[0] == k:
            os._exit(9)
        return f(*a, **kw)
    return step
"""

WRITER = DIES_AT_K + r"""
for name in ("rename", "replace", "unlink", "rmdir"):
    setattr(os, name, dies_at_k(getattr(os, name)))
pathlib.Path.write_text = dies_at_k(pathlib.Path.write_text)

def fill(tmp):
    (tmp / "weights.txt").write_text("new")
    return {"schema_version": 2, "name": "x", "kind": "autoencoder", "dataset": None, "params": 1, "code_version": {"zoo": "0.1.0"}}

with outputs.claim(out):
    checkpoints.write_folder(out, fill)
"""

CARD = {"schema_version": 2, "name": "x", "kind": "autoencoder", "dataset": None, "params": 1,
        "code_version": {"zoo": "0.1.0"}}  # the smallest card the schema takes


def write_old(out):
    def fill(tmp):
        (tmp / "weights.txt").write_text("old")
        return CARD

    with outputs.claim(out):
        checkpoints.write_folder(out, fill)


def leftovers(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.zoo-staging-"))


def test_a_kill_at_every_step_of_replacing_a_checkpoint_leaves_the_old_or_the_new(tmp_path):
    seen = set()
    for k in range(1, 200):
        out = tmp_path / f"run{k}" / "model"
        write_old(out)
        r = subprocess.run([sys.executable, "-c", WRITER, str(out), str(k)], cwd=REPO, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode in (0, 9), r.stderr
        with outputs.claim(out):  # the next run on this path
            pass
        assert outputs.ownership_problem(out) is None, (k, os.listdir(out.parent))
        content = (out / "weights.txt").read_text()
        assert content in ("old", "new") and not leftovers(out), (k, content, leftovers(out))
        seen.add(content)
        if r.returncode == 0:  # the writer finished: every step has had its kill
            assert content == "new" and k > 5
            break
    else:
        pytest.fail("the writer never finished")
    assert seen == {"old", "new"}


def test_an_interrupt_between_the_renames_puts_the_old_checkpoint_back(tmp_path, monkeypatch):
    out = tmp_path / "model"
    write_old(out)
    real, calls = os.rename, []

    def interrupted(src, dst):  # Ctrl-C as the new folder is about to take the old one's place
        if str(dst) == str(out) and not calls:
            calls.append(src)
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(os, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt), outputs.claim(out):
        checkpoints.write_folder(out, lambda tmp: ((tmp / "weights.txt").write_text("new"), CARD)[1])
    monkeypatch.setattr(os, "rename", real)
    assert (out / "weights.txt").read_text() == "old" and outputs.ownership_problem(out) is None


@pytest.mark.parametrize("name", ["run[1]", "res*"])
def test_stale_staging_is_matched_by_its_exact_name(tmp_path, name):
    """A claim on `run[1]` or `res*` leaves the staging folders of `run1` and `results` alone."""
    others = {}
    for other in ("run1", "results"):
        staged = tmp_path / f".{other}.zoo-staging-abc"
        staged.mkdir()
        (staged / outputs.STAGING_MARK).write_text("live")
        others[other] = staged
    with outputs.claim(tmp_path / name):
        pass
    assert all(p.is_dir() for p in others.values())


ADDER = DIES_AT_K + r"""
with outputs.claim(out):
    with outputs.staging(out) as aside:  # as zoo evaluate draws its pictures
        (aside / "latent.png").write_text("picture one")
        (aside / "traversal.png").write_text("picture two")
        for name in ("rename", "replace", "unlink", "rmdir"):
            setattr(os, name, dies_at_k(getattr(os, name)))
        pathlib.Path.write_text = dies_at_k(pathlib.Path.write_text)
        writer.add_to_checkpoint(out, checkpoints.read_card(out), aside)
"""


def test_a_kill_at_every_step_of_adding_pictures_leaves_a_folder_the_next_run_finishes(tmp_path):
    """zoo evaluate moves its pictures into a checkpoint, then writes the card that lists them: a kill between
    leaves files the card does not list, which the next run on the folder moves in and lists."""
    for k in range(1, 200):
        out = tmp_path / f"run{k}" / "model"
        write_old(out)
        r = subprocess.run([sys.executable, "-c", ADDER, str(out), str(k)], cwd=REPO, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode in (0, 9), r.stderr
        with outputs.claim(out):  # the next run on this path
            pass
        assert outputs.ownership_problem(out) is None, (k, os.listdir(out), leftovers(out))
        files = set(checkpoints.read_card(out).files)
        assert files in ({"weights.txt"}, {"weights.txt", "latent.png", "traversal.png"}), (k, files)
        assert not leftovers(out), (k, leftovers(out))
        if r.returncode == 0:
            assert len(files) == 3 and k > 3
            break
    else:
        pytest.fail("the adder never finished")
