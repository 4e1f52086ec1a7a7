"""Time dossier against the layout engine on synthetic dossiers; print medians and ratios.

    .venv/bin/python benchmarks/run.py [--runs 3] [--sizes small,medium,large] [--work DIR]

Each figure is the median wall time over the runs of a fresh process, and the peak memory
(largest resident set of any process of the run). Ratios are printed beside the times: on a
shared machine absolute times drift, ratios much less. No test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_all

DOSSIER = [sys.executable, "-m", "dossier.cli"]


def measure(
    command: list[str], cwd: Path, runs: int, before: list[str] | None = None
) -> tuple[float, float]:
    """Median seconds and peak megabytes of ``command`` over ``runs`` runs."""
    times, peaks = [], []
    for _ in range(runs):
        if before:
            subprocess.run(before, cwd=cwd, check=True, capture_output=True)
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)  # fmt: skip
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        if status != 0:
            raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")  # type: ignore[union-attr]
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def row(name: str, seconds: float, megabytes: float, base: float | None = None) -> None:
    ratio = f"{seconds / base:6.2f}×" if base else "       "
    print(f"  {name:<34} {seconds:8.2f} s {ratio}  {megabytes:7.0f} MB", flush=True)


def bench_size(name: str, folder: Path, runs: int) -> None:
    out = folder.parent / f"out-{name}"
    print(f"\n{name}", flush=True)
    build = [*DOSSIER, "build", str(folder), "--out", str(out), "--force", "--jobs", "2"]
    subprocess.run([*DOSSIER, "build", str(folder), "--out", str(out), "-f", "html", "--force"],
                   check=True, capture_output=True)  # fmt: skip
    html = out / name / f"{name}.html"
    # The same PDF variant as dossier's default (tagged PDF/UA-1), so the work compared is equal.
    engine = [sys.executable, "-m", "weasyprint", "--pdf-variant", "pdf/ua-1", str(html),
              str(out / "raw.pdf")]  # fmt: skip
    raw, raw_mb = measure(engine, folder.parent, runs)
    row("raw weasyprint on the print HTML", raw, raw_mb)
    full, full_mb = measure(build, folder.parent, runs)
    row("dossier build (PDF + EPUB)", full, full_mb, raw)
    # The PDF alone, in one pass and laid out in parallel parts (writers/pdf_parts.py; long
    # dossiers only). The manifest of the previous run gives the parts their page guesses.
    pdf_only = [*DOSSIER, "build", str(folder), "--out", str(out), "--force", "-f", "pdf"]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    seconds, megabytes = measure([*pdf_only, "--one-pass"], folder.parent, runs)
    row("dossier build -f pdf --one-pass", seconds, megabytes, raw)
    for jobs in (1, 2, 4):
        if jobs > max(cores, 2):
            print(f"  -f pdf --jobs {jobs}: skipped, {cores} cores here", flush=True)
            continue
        seconds, megabytes = measure([*pdf_only, "--jobs", str(jobs)], folder.parent, runs)
        row(f"dossier build -f pdf --jobs {jobs}", seconds, megabytes, raw)
    epub, epub_mb = measure([*build, "-f", "epub"], folder.parent, runs)
    row("dossier build -f epub", epub, epub_mb)
    check, check_mb = measure([*DOSSIER, "check", str(folder)], folder.parent, runs)
    row("dossier check", check, check_mb)
    noop = [*DOSSIER, "build", str(folder), "--out", str(out), "--jobs", "2"]
    nothing, nothing_mb = measure(noop, folder.parent, runs, before=noop)
    row("no-op rebuild", nothing, nothing_mb)


def bench_batch(folder: Path, runs: int) -> None:
    print("\nbatch of 8 small dossiers", flush=True)
    results = {}
    for jobs in (1, 2):
        command = [*DOSSIER, "build", "--force", "--jobs", str(jobs), "--out", f"out-{jobs}"]
        results[jobs] = measure(command, folder, runs)
        row(f"--jobs {jobs}", *results[jobs], results[1][0] if jobs == 2 else None)
    print(f"  speed-up with --jobs 2: {results[1][0] / results[2][0]:.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="small,medium,large,batch")
    parser.add_argument("--work", type=Path, default=Path("build") / "benchmarks")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    folders = write_all(args.work.resolve())
    print(f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
          f"median of {args.runs} runs")  # fmt: skip
    for size in args.sizes.split(","):
        if size == "batch":
            bench_batch(folders["batch"], args.runs)
        else:
            bench_size(size, folders[size], args.runs)


if __name__ == "__main__":
    main()
