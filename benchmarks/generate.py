"""Synthetic dossiers for the benchmarks: small (~6 pages), medium (~25 pages, ~120 citations,
tables and a figure), report (~150 pages, 20 chapters of uneven length, ~1,000 notes), large
(~200 pages, 46 chapters, ~1,000 notes) and a batch of 8 small ones."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

WORDS = (
    "the",
    "negotiations",
    "security",
    "guarantees",
    "territory",
    "ceasefire",
    "sanctions",
    "parties",
    "positions",
    "talks",
    "envoy",
    "proposal",
    "minister",
    "coalition",
    "forces",
    "agreement",
    "monitoring",
    "border",
    "corridor",
    "delegation",
    "framework",
    "verification",
    "withdrawal",
    "observers",
    "mandate",
    "guarantor",
    "reconstruction",
)
FIGURE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><rect width="400" '
    'height="200" fill="#eef2f6"/><rect x="40" y="80" width="80" height="100" fill="#1d3557"/>'
    '<rect x="160" y="40" width="80" height="140" fill="#a8332b"/></svg>'
)
SIZES = {
    # name: (chapters, paragraphs per chapter, share of sentences with a citation, tables,
    # chapters of uneven length)
    "small": (3, 6, 0.15, 0, False),
    "medium": (8, 9, 0.45, 2, False),
    "report": (20, 25, 0.37, 3, True),
    "large": (46, 14, 0.29, 6, False),
}


def _paragraph(rng: random.Random, cite_rate: float) -> str:
    sentences = []
    for _ in range(rng.randint(3, 8)):
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 25))).capitalize()
        if rng.random() < cite_rate:
            sentence += f" [@s{rng.randint(1, 40)}, p. {rng.randint(1, 300)}]"
        sentences.append(sentence + ".")
    return " ".join(sentences)


def _table(rng: random.Random) -> str:
    rows = "\n".join(
        f"| Route {i} | {rng.randint(1, 90)} % | Data [@s{rng.randint(1, 40)}] |" for i in range(12)
    )
    return f"| Route | Share | Source |\n|---|---:|---|\n{rows}\n"


def write(folder: Path, size: str, seed: int = 1) -> Path:
    """A folder dossier of the given size (``SIZES``) at ``folder``, replaced if present."""
    chapters, paragraphs, cite_rate, tables, uneven = SIZES[size]
    return write_dossier(
        folder,
        chapters,
        paragraphs,
        cite_rate,
        tables,
        seed,
        title=f"Synthetic {size} briefing",
        figure=size != "small",
        uneven=uneven,
    )


def write_dossier(
    folder: Path,
    chapters: int,
    paragraphs: int,
    cite_rate: float,
    tables: int,
    seed: int,
    title: str = "Synthetic briefing",
    figure: bool = True,
    uneven: bool = False,
) -> Path:
    """A folder dossier of deterministic prose dense with citations (40 sources, all listed);
    ``uneven``: each chapter has a fifth to twice ``paragraphs`` paragraphs, as real reports'
    chapters differ (the runs laid out in parallel then differ too)."""
    rng = random.Random(seed)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "assets").mkdir(parents=True)
    (folder / "assets" / "figure.svg").write_text(FIGURE)
    refs = "".join(
        f"- id: s{i}\n  type: report\n  title: Report {i} on regional security\n"
        f"  author: [{{family: Author{i}, given: A.}}]\n  publisher: Institute {i}\n"
        f"  issued: {{date-parts: [[{2010 + i % 15}]]}}\n"
        for i in range(1, 41)
    )
    (folder / "refs.yaml").write_text(refs)
    (folder / "dossier.yaml").write_text(
        f"title: {title}\ndate: 2025-01-01\nbibliography: refs.yaml\n"
        "nocite: ['@*']\nsummary:\n  - A key point [@s1].\n"
    )
    for chapter in range(1, chapters + 1):
        body = [f"# Chapter {chapter}\n"]
        count = rng.randint(paragraphs // 5, paragraphs * 2) if uneven else paragraphs
        body += [_paragraph(rng, cite_rate) + "\n" for _ in range(count)]
        if chapter <= tables:
            body.append(_table(rng))
        if chapter == 1 and figure:
            body.append("![Port throughput by route [@s2]](assets/figure.svg)\n")
        (folder / f"{chapter:02d}.md").write_text("\n".join(body))
    return folder


def write_all(root: Path) -> dict[str, Path]:
    """Every benchmark dossier under ``root``; the batch is ``root/batch/sources/*``."""
    found = {size: write(root / size, size) for size in SIZES}
    for n in range(8):
        write(root / "batch" / "sources" / f"small-{n}", "small", seed=100 + n)
    found["batch"] = root / "batch"
    return found
