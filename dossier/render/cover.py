"""A cover image drawn from the dossier (title, subtitle, date, classification) for e-readers'
library views, in the theme's colours and fonts, when the dossier gives no ``cover-image``."""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Dossier
from ..runtime import ahead
from .dates import build_date, long_date
from .themes import Theme

if TYPE_CHECKING:  # Pillow is imported by whichever thread draws: mostly the one ahead
    from PIL import ImageDraw, ImageFont

WIDTH, HEIGHT = 1600, 2400
"""2:3, the shape e-book stores ask for; large enough for high-density screens."""
MARGIN = 130
BAND = 150
"""Height of the classification band."""
LEVELS = 85
"""Shades per colour pair: three pairs fill a palette of 256 entries."""


@dataclass(frozen=True, slots=True)
class CoverLook:
    """Colours and fonts of the cover, read from the theme's ``print.css`` variables."""

    background: str = "#1d3557"
    band: str = "#a8332b"
    text: str = "#ffffff"
    muted: str = "#d6e0ea"
    bold_font: str = "fonts/NotoSans-Bold.ttf"
    regular_font: str = "fonts/NotoSans-Regular.ttf"


def _look(theme: Theme) -> CoverLook:
    css_path = theme.find("custom.css") or theme.find("print.css")
    css = css_path.read_text(encoding="utf-8") if css_path else ""
    values = dict(re.findall(r"--(accent|accent-2)\s*:\s*(#[0-9a-fA-F]{3,8})", css))
    base = CoverLook()
    return CoverLook(
        background=values.get("accent", base.background), band=values.get("accent-2", base.band)
    )


def _font(theme: Theme, name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    path = theme.find(name)
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: object, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:  # type: ignore[arg-type]
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


@dataclass(frozen=True, slots=True)
class CoverText:
    """Everything of the dossier the cover shows: the cover is a function of this and the
    theme, so one drawn ahead (``runtime.ahead``) is used only if this is unchanged."""

    title: str
    subtitle: str
    classification: str
    names: tuple[str, ...]
    """The first three authors."""
    date: str
    publisher: str


def cover_text(dossier: Dossier) -> CoverText:
    return CoverText(
        dossier.title,
        dossier.subtitle,
        dossier.classification,
        tuple(a.name for a in dossier.authors[:3]),
        long_date(build_date(dossier), dossier.lang),
        dossier.publisher,
    )


def draw_ahead(dossier: Dossier, theme: Theme) -> None:
    """Start drawing the cover of a dossier just loaded (see ``runtime.ahead``): the
    title is the same once resolved unless it held characters a document cannot hold."""
    if not dossier.cover_image:
        text = cover_text(dossier)
        # In a process of its own: drawing holds Python's lock from start to end.
        ahead.start(("cover", text, theme), cover_png, text, theme, apart=True)


def drawn_cover(dossier: Dossier, theme: Theme) -> bytes:
    """The cover drawn from the resolved dossier: the one drawn ahead if it shows the same."""
    text = cover_text(dossier)
    return ahead.result(("cover", text, theme), cover_png, text, theme)


def cover_png(text: CoverText, theme: Theme) -> bytes:
    """The cover as PNG bytes (deterministic: same inputs, same bytes)."""
    from PIL import Image, ImageDraw

    look = _look(theme)
    # Text is drawn as coverage masks, one per text colour, and the cover is written as a
    # palette image: each colour pair the cover shows (text on the background, muted text on
    # it, text on the band) gets LEVELS shades between them. A palette PNG needs no row
    # filters, which an RGB one tries five of per row: this is six times quicker to encode,
    # at half the size, and the shades are finer than a screen shows at this size.
    ink = Image.new("L", (WIDTH, HEIGHT), 0)
    muted = Image.new("L", (WIDTH, HEIGHT), 0)
    draw_ink, draw_muted = ImageDraw.Draw(ink), ImageDraw.Draw(muted)
    text_width = WIDTH - 2 * MARGIN
    if text.classification:
        band_font = _font(theme, look.bold_font, 52)
        draw_ink.text(
            (WIDTH / 2, BAND / 2), text.classification, font=band_font, fill=255, anchor="mm"
        )
    y = 700
    title_font = _font(theme, look.bold_font, 118)
    for line in _wrap(draw_ink, text.title, title_font, text_width)[:6]:
        draw_ink.text((MARGIN, y), line, font=title_font, fill=255)
        y += 140
    if text.subtitle:
        y += 40
        subtitle_font = _font(theme, look.regular_font, 62)
        for line in _wrap(draw_muted, text.subtitle, subtitle_font, text_width)[:4]:
            draw_muted.text((MARGIN, y), line, font=subtitle_font, fill=255)
            y += 80
    small = _font(theme, look.regular_font, 52)
    footer = [*text.names, text.date, text.publisher]
    y = HEIGHT - 150 - 70 * len([f for f in footer if f])
    for line in footer:
        if line:
            draw_muted.text((MARGIN, y), line, font=small, fill=255)
            y += 70
    index = ink.point(_shades(0))
    # Where muted text was drawn it is what shows (the two never overlap on a cover).
    index.paste(muted.point(_shades(LEVELS)), mask=muted.point([0] + [255] * 255))
    if text.classification:
        band = (0, 0, WIDTH, BAND)
        index.paste(ink.crop(band).point(_shades(2 * LEVELS)), band)
    pairs = [(look.background, look.text), (look.background, look.muted), (look.band, look.text)]
    index.putpalette(b"".join(_blend(a, b) for a, b in pairs))
    out = io.BytesIO()
    # Run-length deflate: a cover is mostly runs of one colour (60 KB, encoded in 15 ms).
    index.save(out, format="PNG", compress_level=9, compress_type=zlib.Z_RLE)
    return out.getvalue()


def _shades(first: int) -> list[int]:
    """Palette index of each coverage value 0..255 for the pair starting at ``first``."""
    return [first + round(value * (LEVELS - 1) / 255) for value in range(256)]


def _blend(start: str, end: str) -> bytes:
    """LEVELS palette entries going from ``start`` to ``end`` (RGB, evenly)."""
    from PIL import ImageColor

    a, b = ImageColor.getrgb(start)[:3], ImageColor.getrgb(end)[:3]
    steps = LEVELS - 1
    return bytes(
        round(x + (y - x) * level / steps)
        for level in range(LEVELS)
        for x, y in zip(a, b, strict=True)
    )
