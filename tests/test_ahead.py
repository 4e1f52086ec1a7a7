"""Work started ahead (on a second thread, or in a forked child) is used only when it is what
the build would make now, so the outputs never depend on the timing."""

from __future__ import annotations

import dataclasses
import io
import os
import threading
import time
from pathlib import Path

import pytest

from dossier import load
from dossier.render import cover
from dossier.render.themes import Theme, theme_for
from dossier.runtime import ahead

from .conftest import SAMPLE


def test_a_result_is_taken_once_under_its_key_else_made_now() -> None:
    threads: list[str] = []

    def make(value: int) -> int:
        threads.append(threading.current_thread().name)
        return value * 2

    try:
        ahead.start("k", make, 1)
        ahead.start("k", make, 100)  # already started: not started again
        assert ahead.result("k", make, 5) == 2  # the one made ahead, on the other thread
        assert ahead.result("k", make, 5) == 10  # taken: made now, on this thread
        assert (
            threads[0].startswith("dossier-ahead") and threads[1] == threading.current_thread().name
        )
    finally:
        ahead.forget()


def test_an_error_made_ahead_is_raised_where_the_result_is_asked() -> None:
    def fail() -> None:
        raise ValueError("made ahead")

    try:
        ahead.start("bad", fail)
        with pytest.raises(ValueError, match="made ahead"):
            ahead.result("bad", fail)
    finally:
        ahead.forget()


def test_forget_waits_and_drops_what_nobody_asked_for() -> None:
    finished = threading.Event()

    def slow() -> str:
        time.sleep(0.2)
        finished.set()
        return "ahead"

    ahead.start("slow", slow)
    ahead.forget()
    assert finished.is_set()  # waited for, not abandoned
    assert ahead.result("slow", lambda: "now") == "now"  # and dropped


def test_the_cover_drawn_ahead_is_the_one_drawn_from_the_resolved_dossier(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dossier = load(SAMPLE)
    theme = theme_for(dossier, None)
    drawn_now = cover.cover_png(cover.cover_text(dossier), theme)
    log = tmp_path / "drawn"
    draw = cover.cover_png

    def recorded(text: cover.CoverText, theme: Theme) -> bytes:
        with log.open("a", encoding="utf-8") as out:  # written by whichever process draws
            out.write(f"{text.title}\t{os.getpid()}\n")
        return draw(text, theme)

    def drawings() -> list[tuple[str, int]]:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        return [(title, int(pid)) for title, pid in (line.split("\t") for line in lines)]

    monkeypatch.setattr(cover, "cover_png", recorded)
    try:
        cover.draw_ahead(dossier, theme)
        assert cover.drawn_cover(dossier, theme) == drawn_now
        # Drawn once, in a process of its own (this one has no other thread), and reused.
        [(title, pid)] = drawings()
        assert title == dossier.title and pid != os.getpid()
        # The title changed while resolving (characters dropped): drawn again, not reused.
        other = dataclasses.replace(dossier, title="Another title")
        cover.draw_ahead(dossier, theme)
        again = cover.drawn_cover(other, theme)
        assert again == draw(cover.cover_text(other), theme) != drawn_now
        assert ("Another title", os.getpid()) in drawings()
    finally:
        ahead.forget()


def test_work_apart_runs_in_a_child_only_where_forking_is_safe() -> None:
    try:
        ahead.start("apart", os.getpid, apart=True)
        assert ahead.result("apart", os.getpid) != os.getpid()
        # Another thread running: a fork could copy a lock it holds, so the thread does it.
        release = threading.Event()
        other = threading.Thread(target=release.wait)
        other.start()
        try:
            ahead.start("thread", threading.current_thread, apart=True)
            made_on = ahead.result("thread", threading.current_thread)
        finally:
            release.set()
            other.join()
        assert made_on.name.startswith("dossier-ahead")
    finally:
        ahead.forget()


def _fails_in_a_child(parent: int) -> int:
    if os.getpid() != parent:
        raise ValueError("only in the child")
    return 7


def test_work_apart_that_fails_is_done_again_here_and_its_own_error_raised() -> None:
    parent = os.getpid()
    try:
        ahead.start("fails", _fails_in_a_child, parent, apart=True)
        assert ahead.result("fails", _fails_in_a_child, parent) == 7  # made again, here
        ahead.start("raises", _raise, apart=True)
        with pytest.raises(ValueError, match="made ahead"):
            ahead.result("raises", _raise)
    finally:
        ahead.forget()


def _raise() -> None:
    raise ValueError("made ahead")


def test_forget_ends_a_child_still_at_work() -> None:
    ahead.start("long", time.sleep, 60, apart=True)
    child = ahead._started["long"]
    assert isinstance(child, ahead._Apart)
    began = time.monotonic()
    ahead.forget()
    assert time.monotonic() - began < 10
    with pytest.raises(ChildProcessError):  # ended and reaped: no process left behind
        os.waitpid(child.child.pid, os.WNOHANG)


def test_the_cover_shows_the_themes_colours_and_every_line_of_its_text() -> None:
    from PIL import Image, ImageColor

    theme = theme_for(load(SAMPLE), None)
    look = cover._look(theme)
    text = cover.CoverText("A title", "A subtitle", "RESTRICTED", ("A. Author",), "1 May", "Pub")
    image = Image.open(io.BytesIO(cover.cover_png(text, theme)))
    assert image.size == (cover.WIDTH, cover.HEIGHT)
    rgb = image.convert("RGB")
    # Every colour exact where it is solid: the background, the band, the text on both.
    assert rgb.getpixel((5, cover.HEIGHT - 5)) == ImageColor.getrgb(look.background)
    assert rgb.getpixel((5, 5)) == ImageColor.getrgb(look.band)
    assert rgb.getpixel((5, cover.BAND)) == ImageColor.getrgb(look.background)  # band ends
    colours = {c for _, c in rgb.getcolors(4096) or []}
    assert {ImageColor.getrgb(c) for c in (look.text, look.muted)} <= colours

    def inked(box: tuple[int, int, int, int], colour: str) -> bool:
        return ImageColor.getrgb(colour) in {c for _, c in rgb.crop(box).getcolors(4096) or []}

    width = cover.WIDTH
    assert inked((0, 0, width, cover.BAND), look.text)  # the classification
    assert inked((0, 700, width, 840), look.text)  # the title
    assert inked((0, 880, width, 960), look.muted)  # the subtitle
    assert inked((0, cover.HEIGHT - 500, width, cover.HEIGHT - 100), look.muted)  # the footer
    # Anti-aliased: shades between the text and the background, not two colours only.
    assert len(colours) > 40
    without = dataclasses.replace(text, classification="", subtitle="")
    plain = Image.open(io.BytesIO(cover.cover_png(without, theme))).convert("RGB")
    assert plain.getpixel((5, 5)) == ImageColor.getrgb(look.background)
    muted = ImageColor.getrgb(look.muted)
    assert muted not in {c for _, c in plain.crop((0, 860, width, 1200)).getcolors(4096) or []}
