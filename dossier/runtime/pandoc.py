"""Running the pandoc executable (from the pypandoc-binary wheel) as a confined component.

A build's conversions (its Markdown, its citations, a BibTeX library) go to one pandoc
process, a *session* (``session.lua``), started as soon as a command knows it will need it:
pandoc starts, and citeproc builds its collation tables, while dossier is still loading.
Other runs are one pandoc process each, ``--sandbox``. Either way pandoc reads only the files
dossier names, has a time limit, and a failure or a warning becomes a diagnostic instead of a
traceback.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import json
import os
import re
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO

from ..errors import DossierError, Location
from ..text.characters import describe
from . import converted

MINIMUM = (3, 2)
"""The oldest pandoc whose Markdown reader and citeproc dossier is tested against (and whose
Lua interpreter has the logging module the session reads warnings from)."""
TIMEOUT = 120.0
"""Seconds one pandoc run may take (a 500 KB dossier takes about one)."""
_WARNING = re.compile(r"^\[WARNING\] (.*)$")
_API_VERSION = re.compile(r'\{"pandoc-api-version":\[(\d+(?:,\d+)*)\]')
_api_version: list[int] = []


@cache
def executable() -> str:
    """The pandoc that ships with the pypandoc-binary wheel, else one on PATH
    (``DOSSIER_PANDOC`` names another)."""
    chosen = os.environ.get("DOSSIER_PANDOC", "")
    if chosen:
        return chosen
    # The wheel's binary, found without importing pypandoc: its import and its search (which
    # runs every pandoc it finds) cost more than a short command's whole work.
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(folder) / "files" / "pandoc"
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    try:
        import pypandoc

        path = str(pypandoc.get_pandoc_path())
        if path and Path(path).is_file():
            return path
    except (ImportError, OSError):
        pass
    found = shutil.which("pandoc")
    if found:
        return found
    raise DossierError.at(
        Location("<pandoc>"), "pandoc was not found (install dossier's dependency pypandoc-binary)"
    )


@cache
def version() -> str:
    """pandoc's version, checked once per process: an error when it cannot run or is too old."""
    try:
        out = subprocess.run(
            [executable(), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise DossierError.at(Location("<pandoc>"), f"pandoc cannot run: {exc}") from None
    match = re.match(r"pandoc\S*\s+(\d+(?:\.\d+)+)", out)
    return _recent(match.group(1) if match else "unknown")


def _recent(found: str) -> str:
    """``found``, a version of pandoc, if dossier can use it."""
    numbers = tuple(int(n) for n in found.split(".")) if re.fullmatch(r"[\d.]+", found) else (0,)
    if numbers < MINIMUM:
        raise DossierError.at(
            Location("<pandoc>"),
            f"pandoc {found} is too old; dossier needs {'.'.join(map(str, MINIMUM))} or newer",
        )
    return found


def api_version() -> list[int]:
    """The JSON API version of this pandoc (its JSON reader wants its own): as the first run
    that wrote JSON (the Markdown reader's) gave it, else from a run on an empty document."""
    if not _api_version:
        out, _ = run(["-f", "markdown", "-t", "json"], "", Location("<pandoc>"))
        _api_version[:] = json.loads(out)["pandoc-api-version"]
    return list(_api_version)


def run(args: list[str], stdin: str, where: Location) -> tuple[str, list[str]]:
    """pandoc's output and its warnings, for ``args`` (always sandboxed) on ``stdin``."""
    version()
    command = [executable(), "--sandbox", *args]
    data = _encoded(stdin, where)
    try:
        done = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=TIMEOUT,
            env={**os.environ, "LANG": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired:
        raise DossierError.at(where, f"pandoc took longer than {TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise DossierError.at(where, f"pandoc cannot run: {exc}") from None
    errors = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        message = " ".join(errors.split()) or f"exit status {done.returncode}"
        raise DossierError.at(where, f"pandoc failed: {message}")
    warnings = []
    for line in errors.splitlines():
        if match := _WARNING.match(line.strip()):
            warnings.append(match.group(1))
        elif line.strip() and warnings:
            warnings[-1] += " " + line.strip()  # a warning continued on the next line
    out = done.stdout.decode("utf-8")
    _learn_api_version(out)
    return out, warnings


def _encoded(text: str, where: Location) -> bytes:
    """``text`` as pandoc reads it (UTF-8), or an error naming the character it cannot hold."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # Sources lose them as they are read (``characters``); pandoc would read the bytes
        # of one as Latin-1, with a warning that says nothing about where.
        found = describe(exc.object[exc.start])
        raise DossierError.at(where, f"{found} cannot be given to pandoc") from None


def _learn_api_version(out: str) -> None:
    """The JSON API version, from the first JSON pandoc wrote (``api_version``)."""
    if not _api_version and (api := _API_VERSION.match(out)):
        _api_version[:] = [int(n) for n in api.group(1).split(",")]


# ---- the session ---------------------------------------------------------------------------------

SCRIPT = Path(__file__).with_name("session.lua")
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Citeproc:
    """What a conversion formats citations with: a CSL style and a CSL-JSON bibliography."""

    style: Path
    bibliography: Path


class _Session:
    """One ``pandoc lua session.lua`` process: a request at a time, each with the time limit."""

    def __init__(self, role: str) -> None:
        self.pid = os.getpid()
        # Read only if pandoc fails; a file, so that it never blocks pandoc.
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the session)
        # No LUA_INIT, LUA_PATH or LUA_CPATH: pandoc runs dossier's script and nothing else.
        env = {k: v for k, v in os.environ.items() if not k.startswith("LUA_")}
        command = [executable(), "lua", str(SCRIPT), executable(), role]
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.errors,
                env={**env, "LANG": "C.UTF-8"},
            )
        except OSError as exc:
            raise DossierError.at(Location("<pandoc>"), f"pandoc cannot run: {exc}") from None
        self.buffer = bytearray()  # appended to in place: an answer can be megabytes
        self.hello: dict[str, str] | None = None
        self.sent: list[tuple[bytes, threading.Thread | None]] = []
        """Requests whose answers are still to be read, in order: each one's header and
        input (empty for ``warm``), and the thread writing it."""

    def warm(self, fields: dict[str, str]) -> None:
        """Ask pandoc to ready citeproc (``fields``: "csl", "lang"), without waiting."""
        stdin = self.process.stdin
        assert stdin is not None
        # A line, behind at most another such line in the pipe: the write never blocks.
        with contextlib.suppress(OSError, ValueError):  # pandoc ended: the next request says
            stdin.write(json.dumps({**fields, "warm": True, "length": 0}).encode() + b"\n")
            stdin.flush()
            self.sent.append((b"", None))

    def send(self, sent: bytes) -> None:
        """Send a request (``_framed``) now; its answer is read by the ``request`` for the
        same, or skipped by a later one."""
        stdin = self.process.stdin
        assert stdin is not None
        # Written by a thread, so that a pandoc that stops reading cannot block the build:
        # the answer is awaited with the time limit, and a late pandoc is ended.
        writer = threading.Thread(target=_write, args=(stdin, sent), daemon=True)
        writer.start()
        self.sent.append((sent, writer))

    def request(
        self, fields: dict[str, str], data: bytes, where: Location
    ) -> tuple[str, list[str]]:
        """The answer to this request: the one sent ahead (``send``) if it is the same."""
        deadline = time.monotonic() + TIMEOUT
        if self.hello is None:
            self.hello = json.loads(self._line(deadline, where))
            _recent(self.hello["version"])
            _api_version[:] = [int(n) for n in self.hello["api"].split(".")]
        sent = _framed(fields, data)
        if not any(request == sent for request, _ in self.sent):
            self.send(sent)
        while True:  # the answers before this one's are of no interest
            request, writer = self.sent.pop(0)
            answer = json.loads(self._line(deadline, where))
            output = self._bytes(int(answer["length"]), deadline, where)
            if writer:
                writer.join()
            if request == sent:
                break
        if "error" in answer:
            message = " ".join(str(answer["error"]).split())
            raise DossierError.at(where, f"pandoc failed: {message}")
        return output.decode("utf-8"), [str(w) for w in answer["warnings"]]

    def _line(self, deadline: float, where: Location) -> bytes:
        while (end := self.buffer.find(b"\n")) < 0:
            self._fill(deadline, where)
        line = bytes(self.buffer[:end])
        del self.buffer[: end + 1]
        return line

    def _bytes(self, count: int, deadline: float, where: Location) -> bytes:
        while len(self.buffer) < count:
            self._fill(deadline, where)
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def _fill(self, deadline: float, where: Location) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            if not selector.select(max(0.0, deadline - time.monotonic())):
                self.close(end=True)
                raise DossierError.at(where, f"pandoc took longer than {TIMEOUT:.0f} s")
        chunk = os.read(stdout.fileno(), _CHUNK)
        if not chunk:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
            self.errors.seek(0)
            message = " ".join(self.errors.read().decode("utf-8", "replace").split())
            self.close()
            if self.hello is None:
                version()  # a pandoc too old for the session says so, not how it failed
            raise DossierError.at(
                where, f"pandoc failed: {message or f'exit status {self.process.returncode}'}"
            )
        self.buffer += chunk

    def close(self, end: bool = False) -> None:
        """Close its input, on which pandoc ends (not waited for: it is quick, and nothing
        depends on it), or ``end`` it at once (it may be in the middle of a request)."""
        if end:
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                with contextlib.suppress(OSError):
                    stream.close()
        self.process.poll()  # collected now if it has ended, else by subprocess later
        self.errors.close()


def _framed(fields: dict[str, str], data: bytes) -> bytes:
    """A request as the session reads it: its JSON line, then its input."""
    return json.dumps({**fields, "length": len(data)}).encode() + b"\n" + data


def _write(stream: IO[bytes], data: bytes) -> None:
    try:
        stream.write(data)
        stream.flush()
    except (OSError, ValueError):
        pass  # pandoc ended: its answer (or its absence) says why


_sessions: dict[str, _Session] = {}
"""This process's sessions: one reads (Markdown, BibTeX) and one formats citations, so that
citeproc readies its tables while the other reads."""
_lock = threading.Lock()
READ, CITE = "read", "cite"


def start(warm: Path | None = None) -> None:
    """Start this process's sessions now, if it has none, to use later (``convert``);
    ``warm``: have the one for citations build citeproc's tables now, with this style (a
    fifth of a second of pandoc's work: asked for once a dossier is to be resolved)."""
    with _lock:
        _started(READ)
        fresh = _own(CITE) is None
        cite = _started(CITE)
        if warm and fresh:
            cite.warm({"csl": str(warm)})


def ready_citations(style: Path, lang: str) -> None:
    """Have this process's citations session, if it has one, ready citeproc for ``lang``
    now, while the dossier is read (its locale, and the language's collation: a twentieth
    of a second on first use); nothing waits for it."""
    with _lock:
        if session := _own(CITE):
            session.warm({"csl": str(style), "lang": lang})


def _own(role: str) -> _Session | None:
    """This process's session for ``role``, if it has one (not a forked child's copy)."""
    session = _sessions.get(role)
    return session if session is not None and session.pid == os.getpid() else None


def _started(role: str) -> _Session:
    session = _own(role)
    if session is None:
        session = _sessions[role] = _Session(role)
    return session


def convert(
    text: str, source: str, target: str, where: Location, citeproc: Citeproc | None = None
) -> tuple[str, list[str]]:
    """``text`` converted by pandoc from ``source`` to ``target`` format (with citeproc, if
    given), and pandoc's warnings; in this process's session."""
    data = _encoded(text, where)
    kept = converted.current()
    if kept:
        files = [citeproc.style, citeproc.bibliography] if citeproc else []
        key = converted.digest([*_identity(), source, target], files, data)
        if remembered := kept.get(key):
            _learn_api_version(remembered[0])
            return remembered
    if citeproc and len(data) > ALONE:
        out, warnings = _alone(text, source, target, citeproc, where)
    else:
        out, warnings = _in_session(data, source, target, citeproc, where)
    if kept:
        kept.put(key, out, warnings)
    return out, warnings


def convert_ahead(text: str, source: str, target: str, where: Location) -> None:
    """Send this conversion (no citeproc) to this process's reading session now, if it has
    one: pandoc converts while dossier goes on, and the ``convert`` of the same text takes
    the answer. (A build sends ahead only when it keeps no conversions: a kept one would be
    converted for nothing, its answer skipped.)"""
    with contextlib.suppress(DossierError):  # ``convert`` reports it
        data = _encoded(text, where)
        with _lock:
            if session := _own(READ):
                session.send(_framed({"from": source, "to": target}, data))


def _in_session(
    data: bytes, source: str, target: str, citeproc: Citeproc | None, where: Location
) -> tuple[str, list[str]]:
    """The conversion in this process's session for it (started now if it has none)."""
    fields = {"from": source, "to": target}
    if citeproc:
        fields |= {"csl": str(citeproc.style), "bibliography": str(citeproc.bibliography)}
    role = CITE if citeproc else READ
    with _lock:
        session = _started(role)
        try:
            return session.request(fields, data, where)
        except DossierError:
            # Ended, too old, or in an unknown state: the next conversion starts anew.
            session.close(end=True)
            del _sessions[role]
            raise


ALONE = 1 << 20
"""Input (bytes) over which citeproc runs in a pandoc of its own: the session's head start is
then a small part of citeproc's work, and the session holds a fifth more memory than a run
(250 MB against 204 MB for the large benchmark dossier's whole 3 MB; citeproc is given its
skeleton, 0.66 MB, ``citations.skeleton``, which the session formats in 183 MB)."""


def _alone(
    text: str, source: str, target: str, citeproc: Citeproc, where: Location
) -> tuple[str, list[str]]:
    """The conversion in a pandoc run of its own, as the session makes it (``--sandbox``; no
    trailing newline, which the session's writer does not add)."""
    args = ["-f", source, "-t", target, "--citeproc", "--csl", str(citeproc.style)]
    out, warnings = run([*args, "--bibliography", str(citeproc.bibliography)], text, where)
    return out.removesuffix("\n"), warnings


@cache
def _identity() -> list[str]:
    """Which pandoc converts, and how (the session's script): read from the files, without
    running pandoc (another pandoc at the same path differs in size or time)."""
    found = Path(executable()).stat()
    script = hashlib.sha256(SCRIPT.read_bytes()).hexdigest()
    return [executable(), str(found.st_size), str(found.st_mtime_ns), script]


def close() -> None:
    """End this process's sessions (its next conversion starts another)."""
    with _lock:
        for session in _sessions.values():
            if session.pid == os.getpid():
                session.close()
        _sessions.clear()


atexit.register(close)
