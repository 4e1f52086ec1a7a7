"""One PDF laid out in parallel: the front matter and runs of body chapters as separate
WeasyPrint documents in child processes, assembled into one PDF (``merge``).

Chapters start on a new page, and the body is numbered from 1 after the front matter, so
each run of chapters lays out as it would in the whole document. What a run cannot know
(its first page number, the number of pages, running heads set earlier, the pages of
anchors elsewhere) only shows in running heads and footers, which WeasyPrint makes after
the pages: each child reports its pages and waits for those values (``engine.parts``).
Text that refers to a page elsewhere (the contents, a pointer to an endnote) is laid out
with the page the previous build found (``hints``); a run whose guess was wrong is laid
out again with the right values. Without a previous build, the front matter, whose contents
give the body's pages, is laid out last, with the pages the runs reported: the body's pages
never depend on it.

Used for long dossiers with several chapters, whatever the number of processes, so that the
bytes do not depend on it (with one process the parts run one after the other, in about the
time of one pass). Otherwise (and with ``--one-pass``) the PDF is laid out in one pass, also
when the theme's CSS depends on which side a page falls (``:left``, ``:right``, ``:first``,
``:blank``, left/right breaks) or on running elements.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from ...config import BuildOptions
from ...engine import gate
from ...engine import parts as engine_parts
from ...engine.pages import page_starts
from ...engine.parts import PageContext, Paginated
from ...render.documents import Rendered
from ...render.themes import THEME_URL_PREFIX, Theme
from ...runtime import timings
from ...runtime.limits import Child, Failure, OutOfTime, died, failure, spawn
from ...runtime.timings import Span
from .diagnostics import weasyprint_warnings
from .fetcher import ConfinedFetcher
from .one_pass import lay_out_keeping_notes

FRONT, BODY, CHAPTER, END = (f"<!--dossier:{m}-->" for m in ("front", "body", "chapter", "end"))
MIN_BODY_CHARS = 120_000
"""Below this much body HTML (about 25 pages with notes), one pass is as fast: each run
costs its own style sheets, fonts and PDF writing."""
RUNS = 8
"""Runs of chapters at most. How many depends only on the dossier (``RUN_CHARS``), never on
``--jobs``, so that the bytes do not depend on the machine: enough to balance a few
processes, few enough that each run's own style sheets, fonts and PDF writing cost little
and that the processes alive at once (each run waits, with its layout, to be told its page
numbers) stay few."""
RUN_CHARS = 150_000
"""Body HTML per run (about 30 pages with notes): one run more per this much, from 2, and
an even number of runs where the chapters allow."""
MAX_ROUNDS = 3
"""Rounds of laying out again the runs whose guesses were wrong, before one pass instead."""
_SIDED = re.compile(
    r"@page[^{]*:(?:left|right|first|blank|recto|verso)\b"
    r"|break-(?:before|after)\s*:\s*(?:left|right|recto|verso)"
    r"|position\s*:\s*running\(",
    re.IGNORECASE,
)
_ID = re.compile(r'\sid="([^"]+)"')
_NOTE = re.compile(r'\sid="fn-(\d+)"')


@dataclass(frozen=True, slots=True)
class Split:
    """The print HTML cut at the template's markers."""

    head: str
    """From the start through ``<body>``."""
    front: str
    main: str
    """The body's opening tag(s), before the first chapter."""
    chapters: tuple[str, ...]
    tail: str
    """After the last chapter, through the end of the document."""

    def front_html(self) -> str:
        return f"{self.head}{self.front}</body>\n</html>\n"

    def body_html(self, first: int, end: int) -> str:
        last = end == len(self.chapters)
        closing = self.tail if last else "</main>\n</body>\n</html>\n"
        return f"{self.head}{self.main}{''.join(self.chapters[first:end])}{closing}"


def split(html: str) -> Split | None:
    """The parts of ``html``, or None when it lacks the markers (a template override)."""
    if any(html.count(mark) != 1 for mark in (FRONT, BODY, END)) or CHAPTER not in html:
        return None
    head, rest = html.split(FRONT)
    front, rest = rest.split(BODY)
    body, tail = rest.split(END)
    main, *chapters = body.split(CHAPTER)
    return Split(head, front, main, tuple(chapters), tail)


def runs(sizes: Sequence[int], count: int) -> list[tuple[int, int]]:
    """``sizes`` cut into at most ``count`` consecutive runs of about equal total size."""
    total, bounds, acc = sum(sizes), [0], 0
    for index, size in enumerate(sizes[:-1]):
        acc += size
        if acc >= total * len(bounds) / count and len(bounds) < count:
            bounds.append(index + 1)
    bounds.append(len(sizes))
    return list(itertools.pairwise(bounds))


def _theme_css(rendered: Rendered, theme: Theme) -> str:
    texts = []
    for href in rendered.print_stylesheets:
        path = theme.find(href.removeprefix(THEME_URL_PREFIX))
        if path is not None:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def plan(rendered: Rendered, theme: Theme, options: BuildOptions) -> Split | None:
    """The split to lay out in parallel, or None for one pass (see the module's text)."""
    if options.one_pass or rendered.layout == "brief":
        return None  # the brief's sections flow from page to page: nothing to cut at
    parts = split(rendered.print_html)
    if parts is None or len(parts.chapters) < 2:
        return None
    if sum(map(len, parts.chapters)) < MIN_BODY_CHARS:
        return None
    if _SIDED.search(parts.head) or _SIDED.search(_theme_css(rendered, theme)):
        return None
    return parts if gate.support().parts else None


@dataclass(frozen=True, slots=True)
class Job:
    """One part to lay out."""

    index: int
    name: str
    """``front``, or ``run K`` (for ``--timings``)."""
    html: str
    first: str
    """Its first anchor (for a run of chapters: where the previous build says it began)."""
    own: frozenset[str]
    notes: tuple[int, ...]
    guesses: PageContext
    known: PageContext | None = None
    """The real values when already known (a part laid out again): no waiting."""
    last: bool = False
    """Started only once every other part has reported its pages, with their anchors as its
    guesses: the front matter without a previous build's pages (its contents give the
    body's pages, and the body's pages never depend on it)."""


@dataclass(frozen=True, slots=True)
class PartResult:
    """What a part's child sends back."""

    data: bytes
    pages: int
    report: Paginated
    actual: PageContext
    """The real values its running heads and footers were made with."""
    bad: tuple[int, ...]
    blocks: frozenset[str]
    starts: tuple[str, ...]
    messages: tuple[str, ...]
    own: frozenset[str]
    """The anchors laid out in this part (its named destinations)."""
    spans: tuple[Span, ...] = ()
    """Where its time went (``--timings``)."""


def _lay_out_part(
    job: Job, rendered: Rendered, theme: Theme, options: BuildOptions, channel: Connection
) -> None:
    """In the child: lay out ``job``, report, write its PDF, send it."""
    from weasyprint import HTML

    root = rendered.resolved.dossier.root or theme.dirs[-1]
    fetcher = ConfinedFetcher(root, theme, rendered.remote_files)
    spans: list[Span] = []
    mark = timings.now()

    def make_html(text: str) -> HTML:
        return HTML(string=text, base_url=f"{root}/", url_fetcher=fetcher)

    def report_and_wait(report: Paginated) -> PageContext:
        nonlocal mark
        paginated = timings.now()
        spans.append(Span(f"{job.name}: layout ({report.pages} pages)", mark, paginated))
        mark = paginated
        if job.known is not None:
            return job.known
        channel.send(("paginated", report))
        actual: PageContext = channel.recv()
        mark = timings.now()
        spans.append(Span(f"{job.name}: waits to be told", paginated, mark, busy=False))
        return actual

    part = engine_parts.Part(job.guesses, report_and_wait, job.own)
    with weasyprint_warnings() as records:
        with engine_parts.laying_out(part):
            document, bad, blocks = lay_out_keeping_notes(job.html, make_html, job.notes)
        spans.append(Span(f"{job.name}: heads and footers", mark, timings.now()))
        mark = timings.now()
        own = frozenset(name for page in document.pages for name in page.anchors)
        # Links to anchors of other parts (not to nowhere: that warns, as in one pass).
        elsewhere = {
            target
            for page in document.pages
            for kind, target, _, _ in page.links
            if kind == "internal" and target in job.guesses.anchors
        }
        if document.pages:  # links into other parts are kept; the merge points them right
            document.pages[-1].anchors.update(dict.fromkeys(sorted(elsewhere), (0, 0, 0, 0)))
        variant = None if options.pdf_variant == "none" else options.pdf_variant
        data = document.write_pdf(pdf_variant=variant)
    spans.append(Span(f"{job.name}: drawing", mark, timings.now()))
    assert part.report is not None and part.actual is not None
    done = PartResult(
        data,
        len(document.pages),
        part.report,
        part.actual,
        tuple(bad),
        frozenset(blocks),
        tuple(page_starts(document)),
        tuple(records.messages),
        own,
        tuple(spans),
    )
    channel.send(("done", done))


@dataclass
class _PartState:
    job: Job
    child: Child | None = None
    report: Paginated | None = None
    done: PartResult | None = None
    waiting: bool = False
    reaped: bool = False
    started: float = 0.0

    def reap(self) -> int:
        assert self.child is not None
        self.reaped = True
        return self.child.reap()


_NOTHING = Paginated(0, {}, {}, {})


class KnownPages:
    """The whole document's values, from every part's report (a part that has not reported
    yet counts as empty: the body's anchors do not depend on the front matter's pages)."""

    def __init__(self, reports: Sequence[Paginated | None]) -> None:
        self.reports = [r or _NOTHING for r in reports]
        pages = [r.pages for r in self.reports]
        # The front matter counts apart; the body is one page group numbered from 1.
        self.offsets = [0, *(sum(pages[1:k]) for k in range(1, len(pages)))]
        self.total = sum(pages)
        self.anchors: dict[str, int] = {}
        self.owner: dict[str, int] = {}
        for k, report in enumerate(self.reports):
            for name, value in report.anchors.items():
                self.anchors.setdefault(name, value + self.offsets[k])
                self.owner.setdefault(name, k)

    def context_for(self, k: int) -> PageContext:
        """What part ``k`` is told about the rest of the document."""
        strings: dict[str, str] = {}
        for report in self.reports[:k]:
            strings.update(report.strings)
        anchors = {n: v for n, v in self.anchors.items() if self.owner[n] != k}
        return PageContext(self.offsets[k], self.total, strings, anchors)

    def stale(self, k: int, done: PartResult) -> bool:
        """Whether part ``k`` was laid out or finished with values that are not these."""
        if done.actual != self.context_for(k):
            return True
        return any(self.anchors.get(n, v) != v for n, v in done.report.used.items())


_TITLED = re.compile(r"\s*<section[^>]*>\s*<h1[\s>]")


def cuts(parts: Split) -> list[tuple[int, int]]:
    """The body's runs of chapters (``[first, end)``), from the HTML alone."""
    # A run starts only at a chapter with a title: the bookmarks of one without nest under
    # the previous chapter's, as in one pass.
    starts = [0, *(i for i, c in enumerate(parts.chapters) if i and _TITLED.match(c))]
    ends = [*starts[1:], len(parts.chapters)]
    sizes = [sum(map(len, parts.chapters[a:b])) for a, b in zip(starts, ends, strict=True)]
    most = min(RUNS, len(sizes))
    count = max(2, min(most, sum(sizes) // RUN_CHARS))
    # An even number of runs: on 2 cores (and 4, once there are 8) an odd one leaves one
    # core alone with the last run, laying it out and drawing it (a 141-page report kept two
    # cores 87 % busy in 5 runs, 96 % in 6: see the README). One run more costs less.
    if count % 2 and count < most:
        count += 1
    return [(starts[a], ends[b - 1]) for a, b in runs(sizes, count)]


def make_jobs(parts: Split, hints: dict[str, int]) -> list[Job]:
    """The front matter and the body's runs of chapters, with guesses from ``hints``."""
    bounds = cuts(parts)
    htmls = [parts.front_html(), *(parts.body_html(a, b) for a, b in bounds)]
    ids = [_ID.findall(h) for h in htmls]
    owns = [frozenset(found) for found in ids]
    every = frozenset().union(*owns)
    made = []
    for k, html in enumerate(htmls):
        first = ids[k][0] if k and ids[k] else ""
        offset = max(0, hints.get(first, 1) - 1) if k else 0
        guesses = PageContext(offset, 0, {}, {n: hints.get(n, 0) for n in every - owns[k]})
        notes = tuple(int(n) for n in _NOTE.findall(html))
        name = f"run {k} (chapters {bounds[k - 1][0] + 1}–{bounds[k - 1][1]})" if k else "front"
        # Without a previous build's pages, the front matter waits for the body's.
        made.append(Job(k, name, html, first, owns[k], notes, guesses, last=not k and not hints))
    return made


class _Pool:
    """Children laying out parts: at most ``width`` computing at once (a part waiting to be
    told does not count), the longest first so that no core is left alone with a long part
    at the end; a part laid out ``last`` once the others have reported. Every part is told
    the real values once every part has reported its pages."""

    def __init__(
        self,
        jobs: Sequence[Job],
        rendered: Rendered,
        theme: Theme,
        options: BuildOptions,
        deadline: float,
        drawn: Callable[[int, PartResult], None],
    ) -> None:
        self.states = [_PartState(job) for job in jobs]
        self.drawn = drawn
        self.queue = sorted(
            (s for s in self.states if not s.job.last), key=lambda s: -len(s.job.html)
        )
        self.later = [s for s in self.states if s.job.last]
        self.ready: list[_PartState] = []
        self.known: KnownPages | None = None
        self.work = (rendered, theme, options)
        self.limits, self.width, self.deadline = options.limits, options.layout_jobs, deadline
        self.began = timings.now()

    def computing(self) -> int:
        return sum(1 for s in self.states if s.child and not s.done and not s.waiting)

    def reports(self) -> list[Paginated | None]:
        return [s.done.report if s.done else s.report for s in self.states]

    def start(self, state: _PartState) -> None:
        rendered, theme, options = self.work
        job = state.job

        def work(channel: Connection) -> None:
            for other in self.states:  # the parent's ends: a sibling must see EOF when the
                if other.child is not None:  # parent closes them
                    other.child.channel.close()
            _lay_out_part(job, rendered, theme, options, channel)

        state.started = timings.now()
        state.child = spawn(work, self.limits)

    def start_later(self) -> None:
        """Queue the parts laid out last (first in the queue) once the others reported."""
        reports = self.reports()
        waited = [r for s, r in zip(self.states, reports, strict=True) if not s.job.last]
        if not self.later or any(r is None for r in waited):
            return
        known = KnownPages(reports)
        for state in self.later:
            k = state.job.index
            state.job = dataclasses.replace(state.job, guesses=known.context_for(k))
        self.queue[:0], self.later = self.later, []

    def tell(self, state: _PartState) -> None:
        assert self.known is not None and state.child is not None
        state.child.channel.send(self.known.context_for(state.job.index))
        state.waiting = False

    def stop(self, error: BaseException) -> BaseException:
        for state in self.states:
            if state.child is not None and not state.reaped:
                state.reaped = True
                state.child.stop()
        return error

    def receive(self, state: _PartState) -> None:
        assert state.child is not None
        try:
            message = state.child.channel.recv()
        except (EOFError, OSError):
            message = died(state.reap())
        if isinstance(message, Failure):
            raise self.stop(failure(message, "PDF layout", self.limits))
        kind, value = message
        if kind == "paginated":
            state.report, state.waiting = value, True
            if self.known is not None:  # laid out again after being told: tell again
                self.known = KnownPages(self.reports())
                self.tell(state)
            else:
                self.ready.append(state)
                self.ready.sort(key=lambda s: -len(s.job.html))
        elif kind == "done":
            state.done, state.waiting = value, False
            state.reap()
            self.drawn(state.job.index, value)

    def run(self) -> list[PartResult]:
        """Every part's result; on any error or interruption no child is left behind."""
        try:
            return self._loop()
        except BaseException as error:
            raise self.stop(error) from None

    def _loop(self) -> list[PartResult]:
        while not all(s.done for s in self.states):
            self.start_later()
            while self.queue and self.computing() < self.width:
                self.start(self.queue.pop(0))
            reports = self.reports() if self.known is None else None
            if reports is not None and all(r is not None for r in reports):
                self.known = KnownPages(reports)
            while self.known is not None and self.ready and self.computing() < self.width:
                self.tell(self.ready.pop(0))
            live = {s.child.channel: s for s in self.states if s.child and not s.done}
            remaining = self.deadline - time.monotonic()
            found = wait(list(live), timeout=remaining) if remaining > 0 else []
            if not found:
                raise self.stop(failure(OutOfTime(), "PDF layout", self.limits))
            for channel in found:
                self.receive(live[channel])  # type: ignore[index]
        return [s.done for s in self.states if s.done is not None]

    def spans(self) -> list[Span]:
        """Each part's spans, and its time in the queue."""
        found = []
        for state in self.states:
            if state.started > self.began:
                found.append(Span(f"{state.job.name}: queued", self.began, state.started, False))
            found.extend(state.done.spans if state.done else ())
        return found


@dataclass(frozen=True, slots=True)
class Assembly:
    """The parts laid out, in document order (the front first), ready to merge."""

    done: tuple[PartResult, ...]
    hints: dict[str, int]
    """Pages the next build's guesses start from: anchors that text referred to, and each
    run's first anchor."""
    layouts: int
    """Parts laid out, counting those laid out again (as many as parts when no guess failed)."""
    spans: tuple[Span, ...]


def lay_out_parts(
    parts: Split,
    rendered: Rendered,
    theme: Theme,
    options: BuildOptions,
    hints: dict[str, int],
    drawn: Callable[[int, PartResult], None],
) -> Assembly | None:
    """Every part laid out with the real values; None when they did not settle. ``drawn``
    is told of each part as soon as it is drawn (again for one laid out again: the last
    counts), so that the merge can begin with it."""
    deadline = time.monotonic() + options.limits.seconds
    jobs = make_jobs(parts, hints)
    pool = _Pool(jobs, rendered, theme, options, deadline, drawn)
    done = pool.run()
    spans, layouts = pool.spans(), len(jobs)
    for _ in range(MAX_ROUNDS):
        known = KnownPages([d.report for d in done])
        stale = [k for k, d in enumerate(done) if known.stale(k, d)]
        if not stale:
            used = {n for d in done for n in d.report.used}
            firsts = {job.first for job in jobs[1:]}
            kept = {n: v for n, v in known.anchors.items() if n in used or n in firsts}
            return Assembly(tuple(done), kept, layouts, tuple(spans))
        again = []
        for k in stale:
            actual = known.context_for(k)
            name = f"{jobs[k].name} again"
            again.append(
                dataclasses.replace(jobs[k], guesses=actual, known=actual, last=False, name=name)
            )
        pool = _Pool(again, rendered, theme, options, deadline, drawn)
        redone = pool.run()
        spans += pool.spans()
        layouts += len(again)
        for job, result in zip(again, redone, strict=True):
            done[job.index] = result
    return None
