"""Drop TensorFlow's native start-up log lines from the terminal, pass everything else on.

TensorFlow 2.21 prints its C++ start-up lines (oneDNN, the CUDA stub, `failed call to cuInit`) before absl's
logging is set up, so `TF_CPP_MIN_LOG_LEVEL` cannot stop all of them: they read like failures to a user. The
`zoo` command runs with file descriptor 2 sent through a pipe that a thread copies to the real stderr, leaving
out only lines in the native log format; the Python API does the same while it imports Keras (a notebook shows
a process's stderr in its cells). Python's own warnings and errors, the zoo's messages and anything a
child process writes pass through unchanged.
"""
from __future__ import annotations

import contextlib
import os
import re
import sys
import threading

# absl/glog lines ("I0000 00:00:1796167658.084957   32290 port.cc:153] ...") and absl's pre-init notice.
NATIVE_LINE = re.compile(rb"^(?:[IWEF]\d{4} [\d:.]+ +\d+ [\w.\-/]+:\d+\] |"
                         rb"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR)")
_NOTICE = b"WARNING: All log messages before absl"


def is_native_log(line: bytes) -> bool:
    return NATIVE_LINE.match(line) is not None


def _may_become_native(partial: bytes) -> bool:
    """Whether an unfinished line could still turn out to be a native log line (so it is held until its end)."""
    if _NOTICE.startswith(partial[: len(_NOTICE)]) and partial[:1] == b"W":
        return True
    return re.match(rb"^[IWEF]\d{0,4}(?: [\d:.]*(?: +\d*(?: \S*)?)?)?$", partial) is not None


def _pump(read_fd: int, write_fd: int):
    pending = b""
    while True:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = re.split(rb"(?<=[\n\r])", pending)
        out = b"".join(line for line in lines if not is_native_log(line))
        if pending and not _may_become_native(pending):  # a progress bar or prompt without a newline yet
            out, pending = out + pending, b""
        if out:
            os.write(write_fd, out)
    if pending and not is_native_log(pending):
        os.write(write_fd, pending)
    os.close(read_fd)


@contextlib.contextmanager
def native_logs_filtered(enabled: bool = True):
    """Within this context, file descriptor 2 loses TensorFlow's native log lines (see the module docstring)."""
    if not enabled:
        yield
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3")  # the rest, at the source
    sys.stderr.flush()
    saved = os.dup(2)
    read_fd, write_fd = os.pipe()
    pump = threading.Thread(target=_pump, args=(read_fd, saved), name="zoo-stderr-filter", daemon=True)
    pump.start()
    os.dup2(write_fd, 2)
    os.close(write_fd)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes the pipe's last write end in this process: the pump reads to the end
        pump.join(timeout=5)
        os.close(saved)


def import_keras_quietly():
    """Import Keras and its backend with TensorFlow's native start-up lines left out (once; nothing if Keras is
    loaded already), for `import zoo` in a notebook or script: the first `zoo.load` or `zoo.create` calls it."""
    if "keras" in sys.modules:
        return
    with native_logs_filtered():
        import keras  # noqa: F401
