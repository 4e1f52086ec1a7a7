"""``dossier diff`` and the "Changes since" chapter beyond the chapters' paragraphs: key points,
metadata, each changed field of a player, positions' stances, timeline entries, sources."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from dossier.changes.report import summary
from dossier.changes.revisions import against
from dossier.cli import app
from dossier.config import BuildOptions
from dossier.pipeline import build_one

from .conftest import SAMPLE

runner = CliRunner()


def _editions(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old" / "talks", tmp_path / "new" / "talks"
    shutil.copytree(SAMPLE, old)
    shutil.copytree(SAMPLE, new)
    return old, new


def _edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def test_diff_reports_a_changed_key_point_and_player_role_with_old_and_new_text(
    tmp_path: Path,
) -> None:
    old, new = _editions(tmp_path)
    _edit(
        new / "dossier.yaml",
        (
            "Russia continues to reject immediate ceasefires and maintains hardline positions",
            "Russia now rejects immediate ceasefires and maintains hardline positions",
        ),
        ("role: Spokeswoman, Russian Foreign Ministry", "role: Director of Information"),
    )
    result = runner.invoke(app, ["diff", str(old), str(new)], terminal_width=200)
    assert result.exit_code == 0, result.output
    yaml = new / "dossier.yaml"
    assert result.stdout.splitlines() == [
        "Changes from version 1.0 to 1.0:",
        f"  ~ {yaml}:44: key point 3: “continues to reject” -> “now rejects”",
        f"  ~ {yaml}:59: player Maria Zakharova: role “Spokeswoman, Russian Foreign Ministry” -> "
        "“Director of Information”",
    ]


def test_diff_covers_metadata_players_positions_timeline_and_sources(tmp_path: Path) -> None:
    old, new = _editions(tmp_path)
    yaml = new / "dossier.yaml"
    _edit(
        yaml,
        (
            "title: Russia resists NATO military presence in Ukraine",
            "title: Russia resists NATO troops in Ukraine\nauthor: [A. Analyst]",
        ),
        ("date: 2025-09-01", "date: 2025-10-01"),
        ('version: "1.0"', 'version: "1.1"'),
        ("classification: PUBLIC", "classification: RESTRICTED"),
        ("General news]", "General news, Sanctions]"),
        (
            "  - >-\n    Without substantial concessions",
            "  - >-\n    Plainly, without substantial concessions",
        ),
        (
            "    party: Russia\n    position: >-\n      Has reaffirmed",
            "    party: Russian Federation\n    position: >-\n      Has again reaffirmed",
        ),
        ("role: British Prime Minister", "role: Prime Minister"),
        (
            "  - name: Steve Witkoff\n",
            "  - name: Emmanuel Macron\n    role: President of France\n"
            "    party: European allies\n  - name: Steve Witkoff\n",
        ),
        (
            "  - name: Vladimir Putin\n    role: President of Russia\n    party: Russia\n"
            "    position: >-\n      Ukraine's renunciation of NATO membership is one of the main "
            "conditions for a ceasefire.\n",
            "",
        ),
        (
            "Could offer protection under Article 5 to Ukraine, according to Trump's special "
            "envoy\n        Steve Witkoff.",
            "Could offer protection under Article 5 to Ukraine.",
        ),
        (
            "      Ukraine: >-\n        Insists on justice for war crimes and the return of "
            "prisoners [1][5].\n",
            "",
        ),
        ('  - date: "2025"', '  - date: "2025-03"'),
        (
            "Russia continues to reject immediate ceasefires [2][5].",
            'Russia continues to reject immediate ceasefires [2][5].\n  - date: "2026"\n'
            "    event: Talks resume [2].",
        ),
    )
    _edit(
        new / "references.yaml",
        (
            'title: "Source [2] — not named in the original report"',
            'title: "Source [2] — a wire report"',
        ),
    )
    lines = summary(against(str(old), new))
    refs = new / "references.yaml"
    assert lines == [
        "Changes from version 1.0 to 1.1:",
        "  ~ title: “Russia resists NATO military presence in Ukraine” -> “Russia resists NATO "
        "troops in Ukraine”",
        "  + authors: “A. Analyst”",
        "  ~ date: “2025-09-01” -> “2025-10-01”",
        "  ~ version: “1.0” -> “1.1”",
        "  ~ classification: “PUBLIC” -> “RESTRICTED”",
        "  ~ topics: “Community policy, Employment policy, Politics, General news” -> “Community "
        "policy, Employment policy, Politics, General news, Sanctions”",
        f"  ~ {yaml}:54: key point 6: “Without” -> “Plainly, without”",
        f"  ~ {yaml}:60: player Maria Zakharova: party “Russia” -> “Russian Federation”",
        f"  ~ {yaml}:60: player Maria Zakharova: position “Has” -> “Has again”",
        f"  ~ {yaml}:67: player Keir Starmer: role “British Prime Minister” -> “Prime Minister”",
        f"  + {yaml}:73: player Emmanuel Macron: “President of France, European allies”",
        "  - player Vladimir Putin",
        f"  ~ {yaml}:113: position Security guarantees / United States: “Ukraine, according to "
        "Trump's special envoy Steve Witkoff.” -> “Ukraine.”",
        "  - position Sanctions / Ukraine: “Insists on justice for war crimes and the return of "
        "prisoners [1][5].”",
        f"  ~ {yaml}:146: timeline 2025-03: date “2025” -> “2025-03”",
        f"  + {yaml}:151: timeline 2026: “Talks resume [2].”",
        f"  ~ {refs}:12: source source-2: title “Source [2] — not named in the original report” "
        "-> “Source [2] — a wire report”",
    ]


def test_the_changes_chapter_lists_them_with_old_and_new(tmp_path: Path) -> None:
    old, new = _editions(tmp_path)
    _edit(
        new / "dossier.yaml",
        ('version: "1.0"', 'version: "1.1"'),
        ("role: Spokeswoman, Russian Foreign Ministry", "role: Director of Information"),
        (
            "Russia continues to reject immediate ceasefires and maintains hardline positions",
            "Russia now rejects immediate ceasefires and maintains hardline positions",
        ),
    )
    built = build_one(
        new, BuildOptions(formats=("html",), out=tmp_path / "out", changes_since=str(old))
    )
    assert not built.failed and built.warnings == (), built.diagnostics
    page = built.artifacts[0].path.read_text(encoding="utf-8")
    start = page.index('id="changes"')
    items = re.findall(r"<li[^>]*>(.*?)</li>", page[start : page.index("</section>", start)])
    text = [re.sub(r"<[^>]+>", "", item) for item in items]
    assert text == [
        "Changed, Version: “1.0” → “1.1”",
        "Changed, Key point — 3: “continues to reject” → “now rejects”",
        "Changed, Player — Maria Zakharova: role “Spokeswoman, Russian Foreign Ministry” → "
        "“Director of Information”",
    ]
    assert '<a href="#key-points">Key point</a>' in items[1]
    assert '<a href="#players">Player</a>' in items[2]


def test_no_changes_say_so(tmp_path: Path) -> None:
    old, new = _editions(tmp_path)
    assert summary(against(str(old), new)) == [
        "Changes from version 1.0 to 1.0:",
        "  (no changes)",
    ]
