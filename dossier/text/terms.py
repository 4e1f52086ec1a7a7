"""Words the built-in templates and note style print, per language (BCP 47 primary subtag)."""

from __future__ import annotations

from functools import cache

_TERMS: dict[str, dict[str, str]] = {
    "en": {
        "pages": "Pages", "and": "and", "et-al": "et al.", "no-date": "n.d.", "ibid": "Ibid.",
        "bibliography": "Sources", "contents": "Contents", "key-points": "Key points",
        "players": "Key players", "positions": "Positions", "timeline": "Timeline",
        "appendix": "Key players and positions", "page": "page", "of": "of",
        "player": "Player", "role": "Role", "party": "Party", "position": "Position",
        "issue": "Issue", "date": "Date", "event": "Event", "version": "Version",
        "topics": "Topics", "notes": "Notes", "back": "Back to text", "cover": "Cover",
        "accessed": "accessed", "edited-by": "edited by", "archived": "archived at",
        "endnote": "This note is printed in full in the Notes at the end, page",
        "changes-since": "Changes since version", "added": "Added", "removed": "Removed",
        "changed": "Changed", "sources": "source", "no-changes": "No changes.",
        "grades": "Sources by grade", "grade": "Grade", "reliability": "Reliability",
        "credibility": "Credibility", "source": "Source", "key-point": "Key point",
        "title": "Title", "subtitle": "Subtitle", "authors": "Authors",
        "classification": "Classification",
    },
    "de": {
        "pages": "Seiten", "and": "und", "et-al": "u. a.", "no-date": "o. J.", "ibid": "Ebd.",
        "bibliography": "Quellen", "contents": "Inhalt", "key-points": "Kernpunkte",
        "players": "Akteure", "positions": "Positionen", "timeline": "Chronologie",
        "appendix": "Akteure und Positionen", "page": "Seite", "of": "von",
        "player": "Akteur", "role": "Rolle", "party": "Seite", "position": "Position",
        "issue": "Frage", "date": "Datum", "event": "Ereignis", "version": "Version",
        "topics": "Themen", "notes": "Anmerkungen", "back": "Zurück zum Text",
        "cover": "Titelseite", "accessed": "abgerufen", "edited-by": "hg. von",
        "endnote": "Vollständig in den Anmerkungen am Ende, Seite",
    },
    "fr": {
        "pages": "Pages", "and": "et", "et-al": "et al.", "no-date": "s. d.", "ibid": "Ibid.",
        "bibliography": "Sources", "contents": "Sommaire", "key-points": "Points clés",
        "players": "Acteurs clés", "positions": "Positions", "timeline": "Chronologie",
        "appendix": "Acteurs et positions", "page": "page", "of": "sur",
        "player": "Acteur", "role": "Fonction", "party": "Partie", "position": "Position",
        "issue": "Question", "date": "Date", "event": "Événement", "version": "Version",
        "topics": "Thèmes", "notes": "Notes", "back": "Retour au texte",
        "cover": "Couverture", "accessed": "consulté le", "edited-by": "sous la dir. de",
        "endnote": "Note reproduite en entier dans les notes de fin, page",
    },
    "uk": {
        "pages": "Сторінки",
        "and": "та", "et-al": "та ін.", "no-date": "б. д.", "ibid": "Там само.",
        "bibliography": "Джерела", "contents": "Зміст", "key-points": "Ключові тези",
        "players": "Ключові учасники", "positions": "Позиції", "timeline": "Хронологія",
        "appendix": "Учасники та позиції", "page": "сторінка", "of": "з",
        "player": "Учасник", "role": "Роль", "party": "Сторона", "position": "Позиція",
        "issue": "Питання", "date": "Дата", "event": "Подія", "version": "Версія",
        "topics": "Теми", "notes": "Примітки", "back": "Назад до тексту",
        "cover": "Обкладинка", "accessed": "переглянуто", "edited-by": "за ред.",
        "endnote": "Повний текст примітки наведено в кінці, сторінка",
    },
    "ru": {
        "pages": "Страницы", "and": "и", "et-al": "и др.", "no-date": "б. г.", "ibid": "Там же.",
        "bibliography": "Источники", "contents": "Содержание", "key-points": "Ключевые тезисы",
        "players": "Ключевые участники", "positions": "Позиции", "timeline": "Хронология",
        "appendix": "Участники и позиции", "page": "страница", "of": "из",
        "player": "Участник", "role": "Роль", "party": "Сторона", "position": "Позиция",
        "issue": "Вопрос", "date": "Дата", "event": "Событие", "version": "Версия",
        "topics": "Темы", "notes": "Примечания", "back": "Назад к тексту",
        "cover": "Обложка", "accessed": "дата обращения", "edited-by": "под ред.",
        "endnote": "Полный текст примечания приведён в конце, страница",
    },
}  # fmt: skip

# Month names: nominative (``March 2024``) and, where the language declines them, the form
# used with a day (``3 березня 2024``).
MONTHS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"),) * 2,
    "de": (("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
            "September", "Oktober", "November", "Dezember"),) * 2,
    "fr": (("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
            "septembre", "octobre", "novembre", "décembre"),) * 2,
    "uk": (("січень", "лютий", "березень", "квітень", "травень", "червень", "липень",
            "серпень", "вересень", "жовтень", "листопад", "грудень"),
           ("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня",
            "вересня", "жовтня", "листопада", "грудня")),
    "ru": (("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
            "сентябрь", "октябрь", "ноябрь", "декабрь"),
           ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
            "сентября", "октября", "ноября", "декабря")),
}  # fmt: skip


def format_date(parts: list[int], lang: str) -> str:
    """``[2024, 3, 5]`` as ``5 March 2024`` (``5. März 2024`` …); shorter lists print less."""
    if not parts:
        return ""
    if len(parts) == 1 or not 1 <= parts[1] <= 12:
        return str(parts[0])
    primary = lang.split("-")[0].lower()
    nominative, with_day = MONTHS.get(primary, MONTHS["en"])
    if len(parts) == 2:
        return f"{nominative[parts[1] - 1]} {parts[0]}"
    day = f"{parts[2]}." if primary == "de" else str(parts[2])
    return f"{day} {with_day[parts[1] - 1]} {parts[0]}"


# CSL locator labels, abbreviated as the built-in style prints them (singular, plural).
LOCATOR_LABELS: dict[str, tuple[str, str]] = {
    "page": ("p.", "pp."), "chapter": ("ch.", "chs."), "section": ("§", "§§"),
    "paragraph": ("para.", "paras."), "figure": ("fig.", "figs."), "volume": ("vol.", "vols."),
    "note": ("n.", "nn."), "line": ("l.", "ll."), "column": ("col.", "cols."),
    "issue": ("no.", "nos."), "article": ("art.", "arts."),
}  # fmt: skip


# Locator labels where a language abbreviates differently (else the English ones above).
LOCAL_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "de": {"page": ("S.", "S."), "chapter": ("Kap.", "Kap."), "volume": ("Bd.", "Bde.")},
    "uk": {"page": ("с.", "с."), "chapter": ("розд.", "розд."), "volume": ("т.", "т.")},
    "ru": {"page": ("с.", "с."), "chapter": ("гл.", "гл."), "volume": ("т.", "т.")},
}


def locator_label(label: str, lang: str, plural: bool) -> str:
    """The abbreviation for a CSL locator label in ``lang``."""
    local = LOCAL_LABELS.get(lang.split("-")[0].lower(), {})
    singular, many = local.get(label) or LOCATOR_LABELS.get(label, ("", ""))
    return many if plural else singular


@cache
def terms(lang: str) -> dict[str, str]:
    """The words for ``lang`` (e.g. ``en-GB``), falling back to English word by word.
    Cached: the dict is shared, never change it."""
    primary = lang.split("-")[0].lower()
    return {**_TERMS["en"], **_TERMS.get(primary, {}), "lang": lang}
