"""Importing drafts written elsewhere: a Word file as a dossier folder (``dossier import``)."""

from .draft import Imported, import_docx

__all__ = ["Imported", "import_docx"]
