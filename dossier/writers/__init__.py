"""Output formats registered by name (base.WRITERS): PDF, EPUB, Word, HTML, manifest."""
