"""Words the built-in templates and note style print, per language (BCP 47 primary subtag)."""

from __future__ import annotations

_TERMS: dict[str, dict[str, str]] = {
    "en": {
        "and": "and", "et-al": "et al.", "no-date": "n.d.", "ibid": "Ibid.",
        "bibliography": "Sources", "contents": "Contents", "key-points": "Key points",
        "players": "Key players", "positions": "Positions", "timeline": "Timeline",
        "appendix": "Key players and positions", "page": "page", "of": "of",
        "player": "Player", "role": "Role", "party": "Party", "position": "Position",
        "issue": "Issue", "date": "Date", "event": "Event", "version": "Version",
        "topics": "Topics", "notes": "Notes", "back": "Back to text", "cover": "Cover",
        "accessed": "accessed", "edited-by": "edited by",
    },
    "de": {
        "and": "und", "et-al": "u. a.", "no-date": "o. J.", "ibid": "Ebd.",
        "bibliography": "Quellen", "contents": "Inhalt", "key-points": "Kernpunkte",
        "players": "Akteure", "positions": "Positionen", "timeline": "Chronologie",
        "appendix": "Akteure und Positionen", "page": "Seite", "of": "von",
        "player": "Akteur", "role": "Rolle", "party": "Seite", "position": "Position",
        "issue": "Frage", "date": "Datum", "event": "Ereignis", "version": "Version",
        "topics": "Themen", "notes": "Anmerkungen", "back": "Zurück zum Text",
        "cover": "Titelseite", "accessed": "abgerufen", "edited-by": "hg. von",
    },
    "fr": {
        "and": "et", "et-al": "et al.", "no-date": "s. d.", "ibid": "Ibid.",
        "bibliography": "Sources", "contents": "Sommaire", "key-points": "Points clés",
        "players": "Acteurs clés", "positions": "Positions", "timeline": "Chronologie",
        "appendix": "Acteurs et positions", "page": "page", "of": "sur",
        "player": "Acteur", "role": "Fonction", "party": "Partie", "position": "Position",
        "issue": "Question", "date": "Date", "event": "Événement", "version": "Version",
        "topics": "Thèmes", "notes": "Notes", "back": "Retour au texte",
        "cover": "Couverture", "accessed": "consulté le", "edited-by": "sous la dir. de",
    },
    "uk": {
        "and": "та", "et-al": "та ін.", "no-date": "б. д.", "ibid": "Там само.",
        "bibliography": "Джерела", "contents": "Зміст", "key-points": "Ключові тези",
        "players": "Ключові учасники", "positions": "Позиції", "timeline": "Хронологія",
        "appendix": "Учасники та позиції", "page": "сторінка", "of": "з",
        "player": "Учасник", "role": "Роль", "party": "Сторона", "position": "Позиція",
        "issue": "Питання", "date": "Дата", "event": "Подія", "version": "Версія",
        "topics": "Теми", "notes": "Примітки", "back": "Назад до тексту",
        "cover": "Обкладинка", "accessed": "переглянуто", "edited-by": "за ред.",
    },
    "ru": {
        "and": "и", "et-al": "и др.", "no-date": "б. г.", "ibid": "Там же.",
        "bibliography": "Источники", "contents": "Содержание", "key-points": "Ключевые тезисы",
        "players": "Ключевые участники", "positions": "Позиции", "timeline": "Хронология",
        "appendix": "Участники и позиции", "page": "страница", "of": "из",
        "player": "Участник", "role": "Роль", "party": "Сторона", "position": "Позиция",
        "issue": "Вопрос", "date": "Дата", "event": "Событие", "version": "Версия",
        "topics": "Темы", "notes": "Примечания", "back": "Назад к тексту",
        "cover": "Обложка", "accessed": "дата обращения", "edited-by": "под ред.",
    },
}  # fmt: skip

# CSL locator labels, abbreviated as the built-in style prints them (singular, plural).
LOCATOR_LABELS: dict[str, tuple[str, str]] = {
    "page": ("p.", "pp."), "chapter": ("ch.", "chs."), "section": ("§", "§§"),
    "paragraph": ("para.", "paras."), "figure": ("fig.", "figs."), "volume": ("vol.", "vols."),
    "note": ("n.", "nn."), "line": ("l.", "ll."), "column": ("col.", "cols."),
    "issue": ("no.", "nos."), "article": ("art.", "arts."),
}  # fmt: skip


def terms(lang: str) -> dict[str, str]:
    """The words for ``lang`` (e.g. ``en-GB``), falling back to English word by word."""
    primary = lang.split("-")[0].lower()
    return {**_TERMS["en"], **_TERMS.get(primary, {})}
