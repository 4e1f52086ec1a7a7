"""Synthetic dossiers for tests and benchmarks: deterministic prose dense with citations."""

from __future__ import annotations

import random
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


def write_synthetic(
    folder: Path, chapters: int = 6, paragraphs: int = 11, cite_rate: float = 0.45, seed: int = 4
) -> Path:
    """A single-file dossier at ``folder/synthetic.md`` with a 30-entry CSL-YAML bibliography."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    refs = [
        f"- id: s{i}\n  type: report\n  title: Report {i} on regional security and diplomacy\n"
        f"  author: [{{family: Author{i}, given: A.}}]\n  publisher: Institute {i}\n"
        f"  issued: {{date-parts: [[{2010 + i % 15}]]}}\n"
        for i in range(1, 31)
    ]
    (folder / "refs.yaml").write_text("".join(refs), encoding="utf-8")
    body = []
    for chapter in range(1, chapters + 1):
        body.append(f"# Chapter {chapter}\n")
        for _ in range(paragraphs):
            sentences = []
            for _ in range(rng.randint(3, 8)):
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 25)))
                sentence = words.capitalize()
                if rng.random() < cite_rate:
                    sentence += f" [@s{rng.randint(1, 30)}, p. {rng.randint(1, 300)}]"
                sentences.append(sentence + ".")
            body.append(" ".join(sentences) + "\n")
    front = "---\ntitle: Synthetic briefing\ndate: 2025-01-01\nbibliography: refs.yaml\n---\n\n"
    path = folder / "synthetic.md"
    path.write_text(front + "\n".join(body), encoding="utf-8")
    return path
