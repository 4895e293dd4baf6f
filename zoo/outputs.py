"""Writing to a user's disk safely: the zoo replaces only what it can prove it wrote.

- A checkpoint folder proves itself: its card.json lists every other file in it with its sha256 and nothing else
  is there. Only such a folder is replaced without `overwrite=True`.
- One writer per output path: `claim(path)` holds a lock file beside it (`.NAME.lock`, via filelock) for the whole
  run, so a second run stops at once with "in use by another run".
- New folders are built in a staging folder beside the output (`.NAME.zoo-staging-*`, marked as the zoo's) and
  renamed into place; staging folders are removed on any error, and ones left by a killed run are removed by
  the next run on that path. Single files go to a temp file and are renamed onto regular files or new paths only.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import threading
from pathlib import Path

CARD_FILE = "card.json"
MAX_NAME = 200  # bytes of an output's name: file systems allow 255, and `.NAME.zoo-staging-XXXXXXXX` must fit
STAGING_MARK = ".zoo-staging"  # first file in every staging folder: proof the zoo made it
ADDING_MARK = ".zoo-adding"  # in a staging folder whose files are on their way into an existing checkpoint
_HELD: dict[str, int] = {}  # output paths whose lock this process holds -> the thread holding it
_HELD_GUARD = threading.Lock()


class OutputInUse(RuntimeError):
    """Another run holds the lock on this output path."""


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a new file gets here: what `open` would give it under the user's umask (0644 under 022)."""
    return 0o666 & ~_umask()


def folder_mode() -> int:
    return 0o777 & ~_umask()


def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entry(path) -> dict:
    """What a card records of a file: its sha256 and size."""
    path = Path(path)
    return {"sha256": sha256(path), "bytes": path.stat().st_size}


def folder_files(folder) -> dict:
    """Card entries for every file in a finished folder except card.json itself (and the staging mark)."""
    folder = Path(folder)
    return {p.name: file_entry(p) for p in sorted(folder.iterdir())
            if p.name not in (CARD_FILE, STAGING_MARK) and p.is_file()}


MAX_JSON_BYTES = 8 * 2**20  # a card is a few KB; anything past this is refused before it is read


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def read_json_object(path, what="card") -> dict:
    """A JSON object from `path` (strict JSON: no NaN or Infinity), or a ValueError saying what is wrong with the
    file. Only a regular file of at most MAX_JSON_BYTES is opened, so a link to a device or a FIFO in its place
    cannot hang or exhaust the reader."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder, but a {what} file should be there; the checkpoint is damaged.")
    try:
        mode = path.stat().st_mode
    except OSError as e:
        raise ValueError(f"{path} cannot be read ({e.strerror}); the {what} is missing or damaged.") from None
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path} is not a regular file; a zoo {what} is one. Re-download or retrain it.")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_JSON_BYTES + 1)
        if len(raw) > MAX_JSON_BYTES:
            raise ValueError(f"{path} is over {MAX_JSON_BYTES // 2**20} MB, far more than a {what} holds; it is "
                             "damaged or not the zoo's: re-download or retrain it.")
        value = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text; the {what} is damaged: re-download or retrain it.") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not valid JSON ({e}); the {what} is damaged: re-download or retrain it."
                         ) from None
    except ValueError as e:
        if "JSON number" not in str(e):
            raise
        raise ValueError(f"{path} is not valid JSON ({e}: strict parsers and the Hub refuse it); the {what} is "
                         "damaged: re-download or retrain it.") from None
    except RecursionError:
        raise ValueError(f"{path} nests its JSON too deeply to read; the {what} is damaged: re-download or retrain "
                         "it.") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path} holds a JSON {type(value).__name__}, not an object; it is not a zoo {what}.")
    if _depth_over(value, MAX_JSON_DEPTH):
        raise ValueError(f"{path} nests its JSON more than {MAX_JSON_DEPTH} levels deep, far deeper than a {what}; "
                         "it is damaged or not the zoo's: re-download or retrain it.")
    return value


MAX_JSON_DEPTH = 64  # the shipped cards nest 6 levels; printing or copying 900 overflows Python's stack


def _depth_over(value, limit: int) -> bool:
    """Whether a parsed JSON value nests lists and objects more than `limit` deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def ownership_problem(folder) -> str | None:
    """None when `folder` is a complete checkpoint the zoo wrote (its card lists every other file in it, with
    matching sha256, and nothing else is there); otherwise why it is not."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        return "it is not a folder"
    card_path = folder / CARD_FILE
    if not card_path.is_file():
        return f"it has no {CARD_FILE}"
    try:
        card = read_json_object(card_path)
    except (OSError, ValueError) as e:
        return f"its {CARD_FILE} is unreadable ({e})"
    files = card.get("files")
    if not isinstance(files, dict) or not files:
        return f"its {CARD_FILE} lists no files"
    present = {p.name: p for p in folder.iterdir() if p.name != CARD_FILE}
    extra = sorted(set(present) - set(files))
    if extra:
        return f"it holds files its card does not list: {', '.join(extra[:5])}"
    for name, entry in files.items():
        p = present.get(name)
        if p is None:
            return f"{name}, listed on its card, is missing"
        if p.is_symlink() or not p.is_file():
            return f"{name} is not a regular file"
        expected = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(expected, str) or sha256(p) != expected.strip().lower():
            return f"{name} does not match the sha256 on its card (changed since the zoo wrote it)"
    return None


OVERWRITE_ADVICE = ("Choose another output path, or pass --overwrite (overwrite=True) to replace it and everything "
                    "in it.")


def check_replaceable(out, overwrite=False, advice=OVERWRITE_ADVICE) -> None:
    """Raise FileExistsError unless `out` is free, a checkpoint the zoo wrote, or `overwrite` says to replace it.
    Symlinks and special files are never replaced. `advice` ends the refusal: what the caller's user can do."""
    out = Path(out)
    if not os.path.lexists(out):
        return
    mode = os.lstat(out).st_mode
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        raise FileExistsError(f"{out} exists and is a {'symlink' if stat.S_ISLNK(mode) else 'special file'}; "
                              "the zoo never replaces those. Choose another output path.")
    if not overwrite and stat.S_ISDIR(mode) and not any(out.iterdir()):
        return  # an empty folder holds nothing to lose
    problem = ownership_problem(out) if stat.S_ISDIR(mode) else "it is a file"
    if problem and not overwrite:
        raise FileExistsError(f"{out} exists and is not a checkpoint the zoo wrote ({problem}); nothing was "
                              f"written. {advice}")


def lock_path(out) -> Path:
    out = Path(out)
    return out.parent / f".{out.name}.lock"


@contextlib.contextmanager
def claim(out, overwrite=False, advice=OVERWRITE_ADVICE):
    """Hold the lock on output path `out` for the block, after checking it may be replaced, finishing files a
    killed run was adding to it and removing staging folders that a killed run left beside it. Raises
    OutputInUse if another run holds it: another process (the lock file) or another thread of this one; the
    thread holding it may claim it again."""
    out = Path(out).absolute()
    try:
        check_replaceable(out, overwrite, advice)  # before creating anything, even the parent folder
    except FileExistsError:
        if not _adding(out):  # else files a killed run was adding explain it: checked again once they are in
            raise
    key = os.path.realpath(out)
    with _HELD_GUARD:
        holder = _HELD.get(key)
        if holder is None:  # claimed for this thread now, so a second thread stops here, not at the file lock
            _HELD[key] = threading.get_ident()
    if holder == threading.get_ident():  # this thread already holds it (a writer inside a longer run): re-entrant
        yield out
        return
    if holder is not None:
        raise OutputInUse(f"{out} is in use by another run in this process; wait for it to finish, or choose "
                          "another output path.")
    try:
        yield from _claim_file_lock(out, overwrite, advice)
    finally:
        with _HELD_GUARD:
            _HELD.pop(key, None)


def _claim_file_lock(out: Path, overwrite, advice):
    from filelock import FileLock, Timeout

    out.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path(out)), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise OutputInUse(f"{out} is in use by another run (lock {lock_path(out)}); wait for it to finish, or "
                          "choose another output path.") from None
    try:
        for staged in _adding(out):
            finish_adding(out, staged)
        check_replaceable(out, overwrite, advice)  # again, now that nobody else can change it
        remove_stale(out)
        yield out
    finally:
        lock.release()


def _staging_prefix(out: Path) -> str:
    return f".{out.name}.zoo-staging-"


def _staged(out: Path) -> list[Path]:
    """The folders beside `out` whose names are exactly its staging prefix plus a suffix (no glob: `run[1]` and
    `res*` are names, not patterns)."""
    prefix = _staging_prefix(out)
    if not out.parent.is_dir():
        return []
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.is_dir() and not p.is_symlink())


def _adding(out: Path) -> list[Path]:
    """Staging folders beside checkpoint `out` that hold files on their way into it and the card it gets once
    they are in (writer.add_to_checkpoint's record), left by a run killed while moving them."""
    return [p for p in _staged(out) if (p / STAGING_MARK).is_file() and (p / ADDING_MARK).is_file()
            and (p / CARD_FILE).is_file() and out.is_dir() and not out.is_symlink()]


def finish_adding(out: Path, staged: Path) -> None:
    """Move the files of staging folder `staged` into checkpoint `out`, then its card (which lists them with
    their sha256) over `out`'s: each step a rename, so a kill at any instant leaves a state this finishes. A
    record that does not match what is there (a file it lists neither staged nor in `out` with its sha256) is
    left alone, and the folder stays refused."""
    card = read_json_object(staged / CARD_FILE)
    files = card.get("files") if isinstance(card.get("files"), dict) else {}
    for name, entry in files.items():
        expected = entry.get("sha256") if isinstance(entry, dict) else None
        where = staged / name if (staged / name).is_file() else out / name
        if "/" in name or not where.is_file() or sha256(where) != expected:
            return
    for name in files:
        if (staged / name).is_file():
            os.replace(staged / name, out / name)
    os.replace(staged / CARD_FILE, out / CARD_FILE)


def _the_zoos(folder: Path) -> bool:
    """A staging folder the zoo may remove: marked, a complete checkpoint by its own card, or empty (a kill
    between making it and marking it; nothing to lose)."""
    return (folder / STAGING_MARK).is_file() or not any(folder.iterdir()) or ownership_problem(folder) is None


def remove_stale(out) -> list[Path]:
    """Put right what a run killed while publishing `out` left, then remove its staging folders. Call with the
    lock held. A kill between `publish`'s two renames leaves no `out` but the old checkpoint renamed aside: it is
    renamed back (the old checkpoint, whole). Then every staging folder the zoo can prove it wrote (marked, or a
    complete checkpoint by its card) is removed. Returns what was removed."""
    out = Path(out)
    if not os.path.lexists(out):
        for aside in _staged(out):
            if aside.name.startswith(_staging_prefix(out) + "old-"):  # what was at `out`: it goes back
                (aside / STAGING_MARK).unlink(missing_ok=True)
                os.rename(aside, out)
                break
    removed = []
    for p in _staged(out):
        if _the_zoos(p):
            _remove_marked(p)
            removed.append(p)
    return removed


def _remove_marked(folder: Path) -> None:
    """Remove a staging folder, its mark last, so a kill part-way leaves it still marked as the zoo's."""
    if not (folder / STAGING_MARK).is_file():
        (folder / STAGING_MARK).write_text("a folder the zoo is removing\n")
    for p in folder.iterdir():
        if p.name != STAGING_MARK:
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    (folder / STAGING_MARK).unlink()
    folder.rmdir()


@contextlib.contextmanager
def staging(out):
    """A fresh folder beside `out` to build it in, marked as the zoo's; removed if the block raises."""
    out = Path(out)
    tmp = Path(tempfile.mkdtemp(prefix=_staging_prefix(out), dir=out.parent))
    tmp.chmod(folder_mode())  # mkdtemp makes it private; a checkpoint is an ordinary folder, under the umask
    (tmp / STAGING_MARK).write_text("a folder the zoo is writing; removed when done\n")
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def publish(tmp, out, overwrite=False) -> Path:
    """Move the finished staging folder `tmp` to `out` by renames: a checkpoint the zoo wrote (or, with
    `overwrite`, whatever is there) is renamed aside, `tmp` takes its place, and the old one is removed. At any
    instant a kill leaves the old checkpoint or the new one: `remove_stale` (the next run on `out`) renames an
    old one back when `out` is missing, and an interruption it can catch (Ctrl-C) does so itself."""
    tmp, out = Path(tmp), Path(out)
    check_replaceable(out, overwrite)  # the folder may have changed during a long run
    (tmp / STAGING_MARK).unlink(missing_ok=True)  # tmp stays provably the zoo's: a complete checkpoint by its card
    aside = None
    if os.path.lexists(out):
        aside = out.with_name(f"{_staging_prefix(out)}old-{os.getpid()}")
        os.rename(out, aside)
    try:
        os.rename(tmp, out)
    except BaseException:
        if aside is not None and not os.path.lexists(out):
            os.rename(aside, out)  # the old one back where it was
        raise
    if aside is not None:
        _remove_marked(aside) if aside.is_dir() else aside.unlink()  # a kill part-way: the next run finishes it
    return out


def output_path(path, what="output path") -> Path:
    """A path the zoo is asked to write, as the user meant it: `~` expanded; an empty name is refused (it would
    name the working directory)."""
    if path is None or (isinstance(path, str) and not path.strip()):
        raise ValueError(f"The {what} is empty; name a file or folder to write.")
    path = Path(path).expanduser()
    if len(path.name.encode()) > MAX_NAME:
        raise ValueError(f"The {what}'s name is {len(path.name.encode())} bytes long; the zoo needs room beside it for "
                         f"its temp and lock names, so use at most {MAX_NAME}.")
    return path


def check_output_file(path) -> Path:
    """Refuse an output file path that is a folder, a symlink or a special file (FIFO, device)."""
    path = Path(path)
    if os.path.lexists(path):
        mode = os.lstat(path).st_mode
        if stat.S_ISDIR(mode):
            raise ValueError(f"{path} is a folder; give a file name to write, e.g. {path / 'out.png'}.")
        if not stat.S_ISREG(mode):
            kind = "symlink" if stat.S_ISLNK(mode) else "special file"
            raise ValueError(f"{path} exists and is a {kind}; the zoo writes only to regular files or new paths.")
    return path


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.zoo-tmp-"


def remove_stale_temp_files(path) -> list[Path]:
    """Remove the temp files beside `path` that a killed writer of `path` left: exactly `path`'s temp prefix,
    then the writer's process id, which must no longer be running (a live writer's file is left alone)."""
    path, removed = Path(path), []
    prefix = _temp_prefix(path)
    if not path.parent.is_dir():
        return removed
    for p in path.parent.iterdir():
        pid = p.name[len(prefix):].split("-", 1)[0] if p.name.startswith(prefix) else ""
        if pid.isdigit() and not _running(int(pid)) and p.is_file() and not p.is_symlink():
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def write_file_atomic(path, write, suffix="") -> Path:
    """Call write(tmp_path) on a temp file beside `path`, then rename it onto `path` (a regular file or a new
    path), so a crash never leaves half a file and nothing else is ever replaced. The temp file's name carries
    the writer's process id, so the next write of `path` removes what a killed writer left."""
    path = check_output_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(path)
    fd, tmp = tempfile.mkstemp(suffix=suffix, dir=path.parent, prefix=f"{_temp_prefix(path)}{os.getpid()}-")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, file_mode())  # mkstemp makes 0600 files; the user's umask decides, as for any new file
        check_output_file(path)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def write_text_atomic(path, text: str) -> Path:
    return write_file_atomic(path, lambda tmp: Path(tmp).write_text(text))


def replace_marked_block(path, begin: str, end: str, block: str) -> bool:
    """Rewrite the text of `path` from the line `begin` through `end` as `block` (which carries both markers),
    atomically; a file without the markers is left as it is. True when it was rewritten. How the scripts keep
    a measured table in the README."""
    path = Path(path)
    text = path.read_text()
    if begin not in text or end not in text:
        return False
    write_text_atomic(path, re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S))
    return True
