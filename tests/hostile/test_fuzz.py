"""Property-based tests: whatever the Markdown, front matter or references, a build gives
valid outputs or a DossierError, never a crash.

CI runs a bounded number of examples (profile ``ci``); for a longer run, e.g. nightly:
``HYPOTHESIS_PROFILE=nightly .venv/bin/pytest tests/hostile/test_fuzz.py``.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from dossier.config import BuildOptions
from dossier.pipeline import write

settings.register_profile(
    "ci", max_examples=150, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # fmt: skip
settings.register_profile(
    "nightly", max_examples=2000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # fmt: skip
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PIECES = [
    "# ", "## ", "\n", "\n\n", "[@k1]", "[@k2, p. 3]", "[-@k1]", "@k2", "[see @k1; @k2]", "[1]",
    "[^a]", "[^a]: note", "::: {.note}\n", ":::\n", "::: {#refs}\n", "::: {#players}\n",
    "|a|b|\n|-|-|\n|1|2|\n",
    "![alt](img.png)", "![](missing.png)", "*", "**", "`", "```\ncode\n```\n", "> ", "- ", "1. ",
    "<b>", "</b>", "<script>", "&amp;", "\\", "{#id .c}", "[text]{lang=ar dir=rtl}", "https://x.y",
    "\u202e", "\u200b", "عربي", "Україна", "😀", "\t", "    ", "---\n", "***",
]  # fmt: skip
markdown = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=40).map(
    "".join
)
scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=15))
metadata = st.fixed_dictionaries(
    {"title": st.one_of(st.text(max_size=30), scalar)},
    optional={
        "date": st.one_of(st.dates().map(str), scalar),
        "keywords": st.one_of(st.lists(st.text(max_size=10), max_size=4), scalar),
        "numeric-citations": scalar,
        "summary": st.one_of(st.lists(markdown, max_size=3), scalar),
        "players": st.lists(st.fixed_dictionaries({"name": st.text(max_size=10)},
                                                  optional={"position": markdown}), max_size=2),
        "raw-html": st.sampled_from(["escape", "sanitize", "refuse", "other"]),
        "lang": st.sampled_from(["en", "uk", "ar", "", "xx-YY"]),
    },
)  # fmt: skip
reference = st.fixed_dictionaries(
    {"id": st.sampled_from(["k1", "k2", "k3"])},
    optional={"title": st.text(max_size=30), "type": st.sampled_from(["book", "report", "x"]),
              "author": st.lists(st.fixed_dictionaries({"family": st.text(max_size=8)}),
                                 max_size=3),
              "issued": st.one_of(st.fixed_dictionaries({"date-parts": st.just([[2024, 13]])}),
                                  st.text(max_size=8)),
              "URL": st.text(max_size=20)},
)  # fmt: skip


def _valid_epub(path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        assert archive.namelist()[0] == "mimetype"
        for name in archive.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx")):
                etree.fromstring(archive.read(name))  # well-formed XML or it raises


@given(body=markdown, meta=metadata, refs=st.lists(reference, max_size=4))
def test_any_dossier_builds_or_fails_cleanly(tmp_path_factory, body, meta, refs) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("fuzz")
    text = yaml.safe_dump({**meta, "references": refs}, allow_unicode=True)
    (folder / "dossier.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    (folder / "01.md").write_text("# Chapter\n\n" + body, encoding="utf-8", errors="surrogatepass")
    result = write(folder, ("epub", "html"), BuildOptions(out=folder / "out"))
    if result.failed:
        assert result.artifacts == ()
        assert all(d.message and d.location.path for d in result.diagnostics)
        return
    epub = next(a.path for a in result.artifacts if a.format == "epub")
    _valid_epub(epub)
