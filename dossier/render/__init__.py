"""Resolved dossier to strings: Jinja templates and themes, print HTML, EPUB XHTML, cover, layout choice."""
