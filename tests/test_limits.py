"""A costly step in a limited child: every way it can end, and what the user is told.

Each limit is exercised so that the machine's speed and load cannot change the outcome: the
memory limits are set from this process's own address space, the wall clock is tested on a
child that sleeps, and signals are sent rather than waited for."""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

import pytest

from dossier.runtime.limits import (
    Died,
    LimitExceeded,
    Limits,
    OutOfMemory,
    Raised,
    Returned,
    failure,
    run_limited,
    spawn,
)

from .conftest import ROOT

MB = 1024 * 1024


def address_space() -> int:
    """This process's address space now, in bytes: a forked child starts with as much."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))


def room(mb: int) -> Limits:
    """A memory limit that leaves a child ``mb`` MB beyond what it inherits."""
    return Limits(seconds=120, memory_mb=address_space() // MB + mb)


def raising(error: BaseException) -> Callable[[], None]:
    def work() -> None:
        raise error

    return work


def limited(work: Callable[[], object], limits: Limits | None = None) -> str:
    """The message of the LimitExceeded that ``work`` in a child ends with."""
    with pytest.raises(LimitExceeded) as caught:
        run_limited(work, limits or Limits(seconds=120), "Step")
    return str(caught.value)


def test_a_result_or_the_work_s_own_error_comes_back() -> None:
    assert run_limited(lambda: list(range(5)), Limits(), "Step") == [0, 1, 2, 3, 4]
    with pytest.raises(KeyError, match="'missing'"):
        run_limited(raising(KeyError("missing")), Limits(), "Step")


def test_what_cannot_be_sent_back_becomes_an_error() -> None:
    # (Whether an exception can be rebuilt from its pickle depends on what else is loaded:
    # dask's tblib teaches pickle more. One holding a function never pickles.)
    with pytest.raises(RuntimeError, match="could not send ValueError"):
        run_limited(raising(ValueError(lambda: 1)), Limits(), "Step")
    with pytest.raises(RuntimeError, match="could not send its result"):
        run_limited(lambda: lambda: 1, Limits(), "Step")  # a lambda does not pickle


def _grow(chunks: list[bytearray]) -> None:
    """Take address space, a megabyte at a time, until there is none."""
    while True:
        chunks.append(bytearray(MB))


def test_a_memory_error_is_out_of_memory() -> None:
    message = limited(lambda: bytearray(512 * MB), room(64))
    assert message.startswith("Step needed more than ")
    assert message.endswith(" MB (raise --pdf-memory)")


def test_a_system_error_under_the_limit_is_out_of_memory() -> None:
    # What C code that failed to allocate raises without setting an error.
    assert "raise --pdf-memory" in limited(raising(SystemError("error return without exception")))


def test_any_error_once_out_of_address_space_is_out_of_memory() -> None:
    def library() -> None:
        chunks: list[bytearray] = []
        with contextlib.suppress(MemoryError):
            _grow(chunks)
        chunks.clear()
        raise ValueError("cairo: out of memory")  # a library's own words, no MemoryError

    assert "raise --pdf-memory" in limited(library, room(64))


def test_an_error_away_from_the_limit_is_the_work_s_own() -> None:
    def work() -> None:
        bytearray(8 * MB)
        raise ValueError("a bug")

    with pytest.raises(ValueError, match=r"^a bug$"):
        run_limited(work, room(256), "Step")


def test_a_limit_below_what_the_child_inherits() -> None:
    # The child holds more than its limit from the start: out of memory before the work
    # starts, not wherever its first allocation happens to fail.
    half = Limits(seconds=120, memory_mb=address_space() // MB // 2)
    assert "raise --pdf-memory" in limited(lambda: pytest.fail("started"), half)


def test_the_wall_clock() -> None:
    start = time.monotonic()
    message = limited(lambda: time.sleep(600), Limits(seconds=0.5))
    assert message == "Step did not finish within 0.5 s (raise --pdf-timeout)"
    assert time.monotonic() - start < 60


def test_the_cpu_limit_is_never_reached_before_the_wall_clock() -> None:
    for seconds in (0.1, 1, 2.5, 900):
        assert Limits(seconds=seconds).cpu_seconds > seconds


@pytest.mark.parametrize(
    ("end", "message"),
    [
        (
            lambda: os.kill(os.getpid(), signal.SIGXCPU),
            "Step used more than 121 s of CPU (raise --pdf-timeout)",
        ),
        (
            lambda: (faulthandler.disable(), os.abort()),  # as GLib does, without a trace
            f"Step stopped (signal {signal.SIGABRT.value}), most likely for want of memory beyond "
            "4096 MB (raise --pdf-memory)",
        ),
        (lambda: os._exit(5), "Step ended without a result (exit status 5)"),
    ],
)
def test_a_child_that_dies(end: Callable[[], None], message: str) -> None:
    assert limited(end) == message


def test_messages_before_the_outcome() -> None:
    def work(channel: Connection) -> int:
        channel.send(("paginated", 3))
        return int(channel.recv()) * 2

    child = spawn(work, Limits())
    assert child.channel.recv() == ("paginated", 3)
    child.channel.send(21)
    assert child.outcome(time.monotonic() + 60) == Returned(42)


def test_how_an_outcome_reads() -> None:
    limits = Limits(seconds=2, memory_mb=100)
    assert str(failure(OutOfMemory(), "PDF layout", limits)) == (
        "PDF layout needed more than 100 MB (raise --pdf-memory)"
    )
    error = ValueError("x")
    assert failure(Raised(error), "PDF layout", limits) is error
    assert "exit status 1" in str(failure(Died(1 << 8), "PDF layout", limits))


_ORPHAN = """
import os, sys, time
from dossier.runtime.limits import Limits, spawn
child = spawn(lambda channel: time.sleep(600), Limits())
print(child.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


def test_a_child_dies_with_the_build() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    build = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN], stdout=subprocess.PIPE, text=True, env=env
    )
    assert build.stdout is not None
    pid = int(build.stdout.readline())
    assert _alive(pid)
    build.kill()  # as kill -9 would: the build cannot stop its child itself
    build.wait()
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the child outlived the build")
