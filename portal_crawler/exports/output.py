"""Where `-o PATH` writes: the thing the path points at, never a file put in its place.

- `-` is standard output;
- a path reached through a process's descriptors (/dev/stdout, /dev/fd/N, /proc/self/fd/N)
  is written through that descriptor, appending, as a shell's `>` or `>>` expects;
- a symlink is followed, and its target written (a dangling one creates its target);
- a device, FIFO or socket is opened and written as a stream, never renamed over (a socket
  refuses to be opened: one error line, and it stays);
- a path that is one of `keep` (the archive being read, its -wal, -shm, -journal, .lock), by
  whatever name (a symlink, a hard link, a relative path), is refused: OutputIsInput;
- only a regular file, or a new path, gets a temporary file beside it renamed into place at
  the end, so that a failed export never leaves half a file under the target's name.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["OutputError", "OutputIsInput", "open_output"]

_MAX_HOPS = 40  # as the kernel's own limit on a chain of symlinks


class OutputError(Exception):
    """The output cannot be written; the message is the one line the user sees."""


class OutputIsInput(OutputError):
    """The output is a file the command reads (the archive): writing it would destroy it."""


def _message(where: str, exc: OSError) -> str:
    return f"cannot write {where}: {exc.strerror or exc}"


def through_descriptor(path: str) -> bool:
    """True when following `path`'s symlinks passes through /proc (e.g. /dev/stdout): its
    "target" names an open descriptor, not a place where a file could be put instead."""
    current = os.path.abspath(path)
    for _ in range(_MAX_HOPS):
        if current.startswith("/proc/"):
            return True
        if not os.path.islink(current):
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current),
                                                os.readlink(current)))
    return False


def same_file(path: str, other: Path) -> bool:
    """True when `path` names `other`: the same resolved path (symlinks followed, even to a
    file not yet there) or, both existing, the same inode (a hard link, /dev/fd/N)."""
    if os.path.realpath(path) == os.path.realpath(other):
        return True
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


@contextmanager
def open_output(path: str, keep: Iterable[Path] = ()) -> Iterator[BinaryIO]:
    """A binary stream for `path` (see the module's docstring); raises OutputError."""
    if path != "-":
        for kept in keep:
            if same_file(path, kept):
                raise OutputIsInput(f"refusing to write {path}: it would overwrite "
                                    f"{kept.name} of the archive being read")
    if path == "-":
        with _stream_errors("standard output"):
            sys.stdout.flush()
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        return
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(_message(path, exc)) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {path}: is a directory")
    if through_descriptor(path) or (mode is not None and not stat.S_ISREG(mode)):
        with _stream_errors(path), open(path, "ab") as stream:
            yield stream
        return
    with _replaced(Path(os.path.realpath(path)), mode, path) as stream:
        yield stream


@contextmanager
def _stream_errors(where: str) -> Iterator[None]:
    """A write or close that fails (ENOSPC, EIO) is the user's one line; a reader that left
    (EPIPE) is the caller's to decide."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(_message(where, exc)) from None


@contextmanager
def _replaced(target: Path, mode: int | None, shown: str) -> Iterator[BinaryIO]:
    """A temporary file beside `target`, renamed over it only once fully written."""
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                         dir=target.parent)
    except OSError as exc:
        raise OutputError(_message(shown, exc)) from None
    try:
        with _stream_errors(shown):
            with os.fdopen(fd, "wb") as stream:
                yield stream
            # A replaced file keeps its permissions; a new one gets the umask's.
            os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
            os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
