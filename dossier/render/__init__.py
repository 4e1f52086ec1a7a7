"""Resolved dossier to strings: templates and themes, print HTML, EPUB XHTML, cover, layout."""
