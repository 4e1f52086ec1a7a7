"""The dossier's date as outputs show it: from its metadata or ``SOURCE_DATE_EPOCH``."""

from __future__ import annotations

import datetime as dt
import os

from ..model import Dossier
from ..text.terms import format_date


def build_date(dossier: Dossier) -> dt.date | None:
    """The dossier's ``date``, else ``SOURCE_DATE_EPOCH``; never the clock."""
    if dossier.date:
        return dossier.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return None


def long_date(date: dt.date | None, lang: str) -> str:
    """The date written out in the dossier's language ("" without one)."""
    return format_date([date.year, date.month, date.day], lang) if date else ""
