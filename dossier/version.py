"""The version of dossier, in one place: the package metadata and ``dossier version`` read it."""

__version__ = "0.1.0"
