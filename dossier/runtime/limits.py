"""Running a costly step in a child process with wall-clock, CPU and memory limits, so that
a pathological document ends with a clear error instead of hanging or exhausting CI.

One way to start such a child (:func:`spawn`), one record of how it ended (:data:`Outcome`)
and one wording of each way for the user (:func:`failure`). :func:`run_limited` is the
common case: one function, its result or its error here."""

from __future__ import annotations

import contextlib
import errno
import os
import pickle
import resource
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

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
    """Address space of the child (what it inherits from this process included)."""

    @property
    def cpu_seconds(self) -> int:
        """CPU time: never reached before the wall clock, whatever the machine's load."""
        return int(self.seconds) + 1

    @property
    def memory_bytes(self) -> int:
        return self.memory_mb * 1024 * 1024


class LimitExceeded(Exception):
    """The step ran out of time or memory, or died; ``str()`` says which, for the user."""


# How a child ended. The child sends the first three; the parent sees the last two.


@dataclass(frozen=True, slots=True)
class Returned(Generic[T]):
    """The work returned ``value``."""

    value: T


@dataclass(frozen=True, slots=True)
class Raised:
    """The work raised ``error`` (re-raised in the parent), not for want of memory."""

    error: BaseException


@dataclass(frozen=True, slots=True)
class OutOfMemory:
    """The work failed for want of address space: a ``MemoryError``, or any error once the
    child reached its limit (C libraries report a failed allocation in their own words)."""


@dataclass(frozen=True, slots=True)
class OutOfTime:
    """Still running at the wall-clock deadline: the parent killed it."""


@dataclass(frozen=True, slots=True)
class Died:
    """Ended without saying how: ``status`` as ``os.waitpid`` gives it."""

    status: int


Failure: TypeAlias = Raised | OutOfMemory | OutOfTime | Died
Outcome: TypeAlias = Returned[T] | Failure

_NO_MEMORY = 3
"""Exit status of a child out of memory that could not even say so."""


def failure(ended: Failure, what: str, limits: Limits) -> BaseException:
    """The exception a step that ended without a result raises: the work's own, or a
    :class:`LimitExceeded` saying which limit, for the user."""
    if isinstance(ended, Raised):
        return ended.error
    if isinstance(ended, OutOfMemory):
        return LimitExceeded(f"{what} needed more than {limits.memory_mb} MB (raise --pdf-memory)")
    if isinstance(ended, OutOfTime):
        return LimitExceeded(
            f"{what} did not finish within {limits.seconds:g} s (raise --pdf-timeout)"
        )
    status = ended.status
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        return LimitExceeded(
            f"{what} used more than {limits.cpu_seconds} s of CPU (raise --pdf-timeout)"
        )
    if os.WIFSIGNALED(status):
        # Out of address space, C libraries (GLib, Pango) abort rather than raise.
        return LimitExceeded(
            f"{what} stopped (signal {os.WTERMSIG(status)}), most likely for want of memory "
            f"beyond {limits.memory_mb} MB (raise --pdf-memory)"
        )
    return LimitExceeded(f"{what} ended without a result (exit status {os.WEXITSTATUS(status)})")


def died(status: int) -> OutOfMemory | Died:
    """How a child that closed its channel without an outcome ended, from its exit status."""
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == _NO_MEMORY:
        return OutOfMemory()
    return Died(status)


@dataclass(frozen=True, slots=True)
class Child:
    """A forked worker that talks to its parent over ``channel`` (pickled messages); its
    last message is its :data:`Outcome`."""

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

    def outcome(self, deadline: float) -> Outcome[Any]:
        """How the child ended, waiting until ``deadline`` (``time.monotonic()``) at most;
        other messages are skipped. The child is reaped, or killed if still running."""
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.channel.poll(remaining):
                    self.stop()
                    return OutOfTime()
                try:
                    message = self.channel.recv()
                except (EOFError, OSError):
                    return died(self.reap())
                if isinstance(message, Returned | Raised | OutOfMemory):
                    self.reap()
                    return message
        except BaseException:  # interrupted: no child left behind
            self.stop()
            raise


def spawn(work: Callable[[Connection], T], limits: Limits) -> Child:
    """Fork a child that runs ``work(channel)`` under ``limits`` (memory and CPU; the parent
    keeps the wall clock) and dies with this process. Its last message is its outcome:
    :class:`Returned`, :class:`Raised` or :class:`OutOfMemory`; before it, whatever
    ``work`` sends."""
    from multiprocessing.connection import Connection

    parent_end, child_end = socket.socketpair()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 1
        try:
            parent_end.close()
            status = _child(work, limits, parent, Connection(child_end.detach()))
        finally:
            os._exit(status)
    child_end.close()
    return Child(pid, Connection(parent_end.detach()))


def run_limited(work: Callable[[], T], limits: Limits, what: str) -> T:
    """``work()`` in a forked child under ``limits``; its result, or its exception, here
    (a :class:`LimitExceeded` when a limit stopped it)."""
    child = spawn(lambda _channel: work(), limits)
    ended = child.outcome(time.monotonic() + limits.seconds)
    if isinstance(ended, Returned):
        result: T = ended.value
        return result
    raise failure(ended, what, limits)


def _child(
    work: Callable[[Connection], object], limits: Limits, parent: int, channel: Connection
) -> int:
    """In the child: ``work`` under ``limits``, its outcome sent last; the exit status."""
    starved = pickle.dumps(OutOfMemory())  # made while there is memory to make it
    try:
        _die_with_parent(parent)
        inherited = _address_space(b"VmSize:") or 0  # read while reading needs no more
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        ended: Returned[object] | Raised | OutOfMemory
        if inherited >= limits.memory_bytes:
            # It holds more than the limit already (what it inherits): it could not take a
            # byte more, and where that failed, and how, would depend on what ran before.
            ended = OutOfMemory()
        else:
            try:
                ended = Returned(work(channel))
            except BaseException as exc:  # handed to the parent, which re-raises it there
                ended = OutOfMemory() if _out_of_memory(exc, limits) else Raised(exc)
        channel.send_bytes(starved if isinstance(ended, OutOfMemory) else _payload(ended))
    except MemoryError:
        with contextlib.suppress(BaseException):
            channel.send_bytes(starved)
        return _NO_MEMORY
    except BaseException:  # the parent is gone (a closed channel)
        return 1
    return 0


def _payload(ended: Returned[object] | Raised) -> bytes:
    """``ended`` pickled; what cannot be (or cannot be read back) becomes an error here."""
    try:
        payload = pickle.dumps(ended)
        if isinstance(ended, Raised):
            pickle.loads(payload)  # some exceptions pickle but cannot be rebuilt
        return payload
    except MemoryError:
        raise
    except Exception as exc:
        what = repr(ended.error) if isinstance(ended, Raised) else "its result"
        return pickle.dumps(Raised(RuntimeError(f"the child could not send {what}: {exc!r}")))


_MARGIN = 16 * 1024 * 1024


def _out_of_memory(error: BaseException, limits: Limits) -> bool:
    """Whether ``error`` came of the address-space limit: a ``MemoryError`` (or one that led
    to it), a ``SystemError`` or ENOMEM (C code that could not allocate), or any error once
    the child's address space reached its limit, within a margin."""
    seen: BaseException | None = error
    for _ in range(64):  # an exception's chain, perhaps a cycle
        if seen is None:
            break
        if isinstance(seen, MemoryError | SystemError):
            return True
        if isinstance(seen, OSError) and seen.errno == errno.ENOMEM:
            return True
        seen = seen.__cause__ or seen.__context__
    try:
        peak = _address_space(b"VmPeak:")
    except MemoryError:
        return True
    margin = max(_MARGIN, limits.memory_bytes // 16)
    return peak is not None and peak >= limits.memory_bytes - margin


def _address_space(field: bytes) -> int | None:
    """This process's address space now (``VmSize:``) or at most (``VmPeak:``), in bytes
    (Linux); None elsewhere."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill this child if the build process dies (kill -9): a
    part waiting to be told its page numbers would otherwise wait on a closed socket."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the request: nobody waits for this child
        raise SystemExit(1)
