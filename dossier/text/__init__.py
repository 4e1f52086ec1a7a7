"""Text facts every stage shares: identifiers from text, characters a document cannot hold, words per language."""
