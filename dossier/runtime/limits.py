"""Running a costly step in a child process with wall-clock, CPU and memory limits, so that
a pathological document ends with a clear error instead of hanging or exhausting CI."""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # imported by spawn: the build options name Limits, most commands spawn nothing
    from multiprocessing.connection import Connection

T = TypeVar("T")


SECONDS = 900.0
"""Default wall-clock limit: a 300-page dossier with a note on every few lines takes a few
minutes on a 2-core machine."""
MEMORY_MB = 4096
"""Default address-space limit of the layout process."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Time and memory for one costly step (laying out one PDF)."""

    seconds: float = SECONDS
    """Wall-clock time."""
    memory_mb: int = MEMORY_MB
    """Address space of the child."""

    @property
    def cpu_seconds(self) -> int:
        return int(self.seconds) + 1


class LimitExceeded(Exception):
    """The step ran out of time or memory, or died; ``str()`` says which, for the user."""


def _child(work: Callable[[], T], limits: Limits, write_end: int) -> None:
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    try:
        outcome: tuple[str, object] = ("ok", work())
    except MemoryError:
        outcome = ("memory", None)
    except BaseException as exc:  # handed to the parent, which re-raises it there
        outcome = ("raised", exc)
    try:
        payload = pickle.dumps(outcome)
    except Exception as exc:  # an unpicklable exception: send its text
        payload = pickle.dumps(("raised", RuntimeError(repr(exc))))
    with os.fdopen(write_end, "wb") as stream:
        stream.write(payload)


def run_limited(work: Callable[[], T], limits: Limits, what: str) -> T:
    """``work()`` in a forked child under ``limits``; its result, or its exception, here."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        os.close(read_end)
        status = 0
        try:
            _child(work, limits, write_end)
        except BaseException:
            status = 1
        os._exit(status)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + limits.seconds
    with os.fdopen(read_end, "rb") as stream:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([stream], [], [], remaining)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise LimitExceeded(
                    f"{what} did not finish within {limits.seconds:g} s (raise --pdf-timeout)"
                )
            chunk = os.read(stream.fileno(), 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        raise LimitExceeded(death(status, what, limits))
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "memory":
        raise LimitExceeded(f"{what} needed more than {limits.memory_mb} MB (raise --pdf-memory)")
    if kind == "raised":
        assert isinstance(value, BaseException)
        raise value
    result: T = value
    return result


@dataclass(frozen=True, slots=True)
class Child:
    """A forked worker that talks to its parent over ``channel`` (pickled messages)."""

    pid: int
    channel: Connection

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.reap()

    def reap(self) -> int:
        """Wait for the child to end; its exit status."""
        self.channel.close()
        try:
            return os.waitpid(self.pid, 0)[1]
        except ChildProcessError:
            return 0


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this child if the build process dies (kill -9): a
    part waiting to be told its page numbers would otherwise wait on a closed socket."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def spawn(work: Callable[[Connection], None], limits: Limits) -> Child:
    """Fork a child that runs ``work(channel)`` under ``limits`` (memory and CPU; the
    parent keeps the wall clock). An exception in ``work`` is sent as ``("raised", exc)``,
    running out of memory as ``("memory", None)``."""
    from multiprocessing.connection import Connection

    parent_end, child_end = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        parent_end.close()
        _die_with_parent()
        channel = Connection(child_end.detach())
        status = 0
        try:
            memory = limits.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
            try:
                work(channel)
            except MemoryError:
                channel.send(("memory", None))
            except BaseException as exc:  # handed to the parent, which re-raises it there
                try:
                    channel.send(("raised", exc))
                except Exception:
                    channel.send(("raised", RuntimeError(repr(exc))))
        except BaseException:
            status = 1
        os._exit(status)
    child_end.close()
    return Child(pid, Connection(parent_end.detach()))


def death(status: int, what: str, limits: Limits) -> str:
    """Why a child ended without a result, for the user."""
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        return f"{what} used more than {limits.cpu_seconds} s of CPU (raise --pdf-timeout)"
    if os.WIFSIGNALED(status):
        # Out of address space, C libraries (GLib, Pango) abort rather than raise.
        return (
            f"{what} stopped (signal {os.WTERMSIG(status)}), most likely for want of memory "
            f"beyond {limits.memory_mb} MB (raise --pdf-memory)"
        )
    return f"{what} ended without a result (exit status {os.WEXITSTATUS(status)})"
