"""Time dossier against the layout engine on synthetic dossiers; print medians and ratios.

    .venv/bin/python benchmarks/run.py [--runs 3] [--sizes small,medium,report,large] [--work DIR]
                                       [--timings]

Each figure is the median wall time over the runs of a fresh process, and the peak memory
(largest resident set of any process of the run). The commands compared are run in turn, one
run of each per round, so that a busy machine slows them alike: the ratios to raw WeasyPrint
on the same print HTML (the median of each round's ratio) are what to read; absolute times
drift. A first build starts with no
output folder (no manifest: the parallel layout has no pages from a previous build to start
from); a second build rebuilds (``--force``) over the first one's output. ``--timings``
prints where a first build's time goes (``dossier build --timings``). No test asserts a time.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_all

DOSSIER = [sys.executable, "-m", "dossier.cli"]
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Command:
    """One command to time, and what to do before each run (untimed)."""

    name: str
    argv: list[str]
    before: list[str] | None = None
    base: bool = False
    """The figure the others are divided by (raw WeasyPrint)."""
    times: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)


def _run(command: Command, cwd: Path) -> None:
    if command.before:
        subprocess.run(command.before, cwd=cwd, check=True, capture_output=True)
    start = time.perf_counter()
    process = subprocess.Popen(
        command.argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    command.times.append(time.perf_counter() - start)
    if status != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"failed: {' '.join(command.argv)}\n{error}")
    command.peaks.append(usage.ru_maxrss / 1024)  # the largest process (Linux: kilobytes)


def measure(commands: list[Command], cwd: Path, runs: int) -> None:
    """Round after round, one run of each command; then one line each."""
    for _ in range(runs):
        for command in commands:
            _run(command, cwd)
    base = next((c for c in commands if c.base), None)
    for command in commands:
        seconds = statistics.median(command.times)
        # Each round's ratio, then their median: a machine whose speed drifts from round to
        # round (a shared host) slows both sides of a round alike.
        ratios = [t / b for t, b in zip(command.times, base.times, strict=True)] if base else []
        ratio = f"{statistics.median(ratios):6.2f}×" if base and not command.base else "       "
        print(
            f"  {command.name:<40} {seconds:8.2f} s {ratio}  {max(command.peaks):7.0f} MB",
            flush=True,
        )


def bench_size(name: str, folder: Path, runs: int, show_timings: bool) -> None:
    out = folder.parent / f"out-{name}"
    print(f"\n{name}", flush=True)
    html_out = folder.parent / f"html-{name}"
    subprocess.run(
        [
            *DOSSIER,
            "build",
            str(folder),
            "--out",
            str(html_out),
            "-f",
            "html",
            "--force",
            "--layout",
            "report",
        ],
        check=True,
        capture_output=True,
    )
    html = html_out / name / f"{name}.html"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    # The report layout (long dossiers get it anyway; the small one would be a brief), and the
    # same PDF variant as dossier's default (tagged PDF/UA-1): the work compared is equal.
    build = [*DOSSIER, "build", str(folder), "--out", str(out), "--layout", "report"]
    pdf = [*build, "-f", "pdf"]
    clean = [sys.executable, "-c", f"import shutil; shutil.rmtree({str(out)!r}, True)"]
    commands = [
        Command(
            "raw weasyprint on the print HTML",
            [
                sys.executable,
                "-m",
                "weasyprint",
                "--pdf-variant",
                "pdf/ua-1",
                str(html),
                str(folder.parent / f"raw-{name}.pdf"),
            ],
            base=True,
        ),
        Command("build (PDF + EPUB), first", [*build, "--jobs", "2"], before=clean),
        Command("PDF --one-pass", [*pdf, "--one-pass", "--force"]),
    ]
    for jobs in (1, 2, 4):
        if jobs > max(cores, 2):
            print(f"  --jobs {jobs}: skipped, {cores} cores here", flush=True)
            continue
        commands += [
            Command(f"PDF --jobs {jobs}, first build", [*pdf, "--jobs", str(jobs)], before=clean),
            # The first build above left its manifest: its pages are this build's guesses.
            Command(f"PDF --jobs {jobs}, second build", [*pdf, "--jobs", str(jobs), "--force"]),
        ]
    measure(commands, folder.parent, runs)
    noop = [*DOSSIER, "build", str(folder), "--out", str(out), "--jobs", "2"]
    measure(
        [
            Command(
                "EPUB only",
                [*DOSSIER, "build", str(folder), "--out", str(out), "-f", "epub", "--force"],
            ),
            Command("check", [*DOSSIER, "check", str(folder)]),
            Command("no-op rebuild", noop, before=noop),
        ],
        folder.parent,
        runs,
    )
    if show_timings:
        shutil.rmtree(out, ignore_errors=True)
        done = subprocess.run(
            [*pdf, "--jobs", "2", "--timings"],
            cwd=folder.parent,
            check=True,
            capture_output=True,
            text=True,
        )
        print("  where a first build's time goes (PDF, --jobs 2):")
        for line in done.stderr.splitlines():
            if line.startswith("  "):
                print(f"  {line.strip().removeprefix(f'{folder}: ')}")


def bench_batch(folder: Path, runs: int) -> None:
    print("\nbatch of 8 small dossiers", flush=True)
    commands = [
        Command(
            f"--jobs {jobs}",
            [*DOSSIER, "build", "--force", "--jobs", str(jobs), "--out", f"out-{jobs}"],
            base=jobs == 1,
        )
        for jobs in (1, 2)
    ]
    measure(commands, folder, runs)
    one, two = (statistics.median(c.times) for c in commands)
    print(f"  speed-up with --jobs 2: {one / two:.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="small,medium,report,large,batch")
    parser.add_argument("--work", type=Path, default=Path("build") / "benchmarks")
    parser.add_argument("--timings", action="store_true")
    args = parser.parse_args()
    # Python caches bytecode for an installed package; here the code may be a checkout whose
    # environment says not to write it (PYTHONDONTWRITEBYTECODE): compile it once, as an
    # install does, so that start-up is not timed compiling dossier's modules every run.
    compileall.compile_dir(ROOT / "dossier", quiet=1)
    shutil.rmtree(args.work, ignore_errors=True)
    folders = write_all(args.work.resolve())
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"{cores} cores, {platform.machine()}, Python {platform.python_version()}; "
        f"median of {args.runs} runs"
    )
    for size in args.sizes.split(","):
        if size == "batch":
            bench_batch(folders["batch"], args.runs)
        else:
            bench_size(size, folders[size], args.runs, args.timings)


if __name__ == "__main__":
    main()
