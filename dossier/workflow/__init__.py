"""Commands around the build: a new dossier, the live preview, importing a Word draft."""
