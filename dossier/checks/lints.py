"""Lints for sources and key judgments: warnings with ``path:line`` (errors under --strict).

A source silences a lint with ``lint-ignore: [missing-date, unfindable]`` in its entry (say,
a placeholder for a source the original report does not name).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..citations.grades import GRADE, grade
from ..errors import Collector
from ..model import Dossier, Markdown, Source

LINTS = ("unused", "missing-title", "missing-date", "unfindable", "duplicate-url")


def _ignored(source: Source) -> set[str]:
    value = source.data.get("lint-ignore", [])
    return {str(v) for v in (value if isinstance(value, list) else [value])}


def lint_sources(dossier: Dossier, cited: Sequence[str], collector: Collector) -> None:
    """Warnings about the sources themselves."""
    uncited_ok = "*" in dossier.nocite or "@*" in dossier.nocite
    urls: dict[str, Source] = {}
    for source in dossier.sources:
        ignored, data, at = _ignored(source), source.data, source.location
        for name in ignored - set(LINTS):
            collector.warning(at, f"source '{source.id}': unknown lint '{name}' in lint-ignore")
        if "unused" not in ignored and source.id not in cited and not uncited_ok:
            collector.warning(at, f"source '{source.id}' is never cited")
        if "missing-title" not in ignored and not str(data.get("title", "")).strip():
            collector.warning(at, f"source '{source.id}' has no title")
        if "missing-date" not in ignored and not data.get("issued"):
            collector.warning(at, f"source '{source.id}' has no date (issued)")
        if "unfindable" not in ignored and not any(
            data.get(k) for k in ("URL", "DOI", "publisher")
        ):
            collector.warning(
                at, f"source '{source.id}' gives no way to find it (a URL, DOI or publisher)"
            )
        url = str(data.get("URL", "")).strip().rstrip("/")
        if url and url in urls and "duplicate-url" not in ignored:
            first = urls[url]
            collector.warning(
                at, f"source '{source.id}' has the same URL as '{first.id}' ({first.location})"
            )
        if url:
            urls.setdefault(url, source)
        if (value := grade(source)) and not GRADE.match(value):
            collector.warning(
                at,
                f"source '{source.id}': grade '{value}' is not a reliability A–F and a "
                "credibility 1–6, such as B2",
            )


def lint_key_points(
    dossier: Dossier, cited_by_point: Sequence[tuple[Markdown, list[str]]], collector: Collector
) -> None:
    """When sources are graded, a key judgment resting only on weak or ungraded sources."""
    grades = {s.id: grade(s) for s in dossier.sources}
    if not any(grades.values()):
        return
    for point, keys in cited_by_point:
        if keys and all(grades.get(k, "")[:1] in ("", "E", "F") for k in keys):
            collector.warning(
                point.location,
                "key point cites only sources graded E or F, or ungraded: "
                + ", ".join(f"{k} ({grades.get(k) or 'ungraded'})" for k in dict.fromkeys(keys)),
            )


# ---- claims without a source ---------------------------------------------------------------

OPT_OUT = {"uncited-ok", "analysis"}
"""Classes that exempt a chapter (on its ``#`` heading) or a fenced div from the lint below."""
_NUMBER = re.compile(r"\d")
_QUOTE = re.compile(r"[“\"«„]([^”\"»“]{12,})[”\"»“]")
_NAME = re.compile(r"(?<=[a-z,;:] )(?:[A-Z][\w'’.-]*\s+){1,3}[A-Z][\w'’-]+")
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def factual_sentence(text: str) -> str:
    """The first sentence stating facts a reader would want sourced (numbers, dates, named
    actors, quotations), or empty when there is none."""
    for sentence in _SENTENCE.findall(text):
        if _NUMBER.search(sentence) or _QUOTE.search(sentence) or _NAME.search(sentence):
            sentence = " ".join(sentence.split())
            return sentence if len(sentence) <= 120 else sentence[:117].rstrip() + "…"
    return ""


def lint_players(dossier: Dossier, collector: Collector) -> None:
    """The key players and the positions matrix kept in sync, and every stance sourced."""
    ignored = set(dossier.lint_ignore)
    parties = {s.party for issue in dossier.positions for s in issue.stances}
    if dossier.positions and "player-party" not in ignored:
        for player in dossier.players:
            if player.party and player.party not in parties:
                collector.warning(
                    player.location,
                    f"player '{player.name}': party '{player.party}' has no column in the "
                    "positions matrix",
                )
    if "uncited-stance" in ignored:
        return
    numeric = r"|\[\d+(?:\s*[,;–-]\s*\d+)*\]" if dossier.numeric_citations else ""
    cite = re.compile(r"\[[^\]]*@|@\w|\[\^|\^\[" + numeric)
    for issue in dossier.positions:
        for stance in issue.stances:
            if not cite.search(stance.text.text):
                collector.warning(
                    stance.text.location,
                    f"the stance of '{stance.party}' on '{issue.issue}' cites nothing",
                )
